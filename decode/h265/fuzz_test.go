package h265

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stills/stills/decode"
)

// checkErr fails on errors that come from the last-resort recover in
// DecodeAccessUnit: they are bugs (a panic), not bitstream errors.
func checkErr(t *testing.T, err error) {
	if err != nil && strings.Contains(err.Error(), "internal decoder error") {
		t.Fatal(err)
	}
}

func corpusStreams(f *testing.F) [][]byte {
	files, _ := filepath.Glob("testdata/*.hevc")
	var out [][]byte
	for _, fn := range files {
		b, err := os.ReadFile(fn)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzParameterSets feeds arbitrary VPS/SPS/PPS NAL units, then the
// corpus slices, to the decoder.
func FuzzParameterSets(f *testing.F) {
	for _, s := range corpusStreams(f)[:6] {
		nals, _ := decode.SplitAnnexB(nil, s)
		for _, n := range nals {
			if t := nalType(n); t == nalSPS || t == nalPPS {
				f.Add(n)
			}
		}
	}
	f.Fuzz(func(t *testing.T, nal []byte) {
		if len(nal) < 2 {
			return
		}
		d := NewDecoder()
		checkErr(t, d.takeParameterSet(nal))
		checkErr(t, d.Configure(nal))
		for _, ty := range []byte{nalSPS, nalPPS} {
			n := append([]byte{ty << 1, 1}, nal[2:]...)
			checkErr(t, d.takeParameterSet(n))
		}
	})
}

// FuzzSliceData decodes a corpus stream whose first slice segment NAL unit
// payload is replaced by the fuzzer's bytes (parameter sets stay valid).
func FuzzSliceData(f *testing.F) {
	streams := corpusStreams(f)
	for i, s := range streams {
		nals, _ := decode.SplitAnnexB(nil, s)
		for _, n := range nals {
			if nalType(n) <= 21 {
				f.Add(uint8(i), n)
				break
			}
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, slice []byte) {
		s := streams[int(which)%len(streams)]
		nals, _ := decode.SplitAnnexB(nil, s)
		var au [][]byte
		for _, n := range nals {
			if ty := nalType(n); ty >= 32 && ty <= 34 {
				au = append(au, n)
			}
		}
		au = append(au, slice)
		d := NewDecoder()
		done := make(chan error, 1)
		go func() {
			_, err := d.DecodeAccessUnit(au)
			done <- err
		}()
		select {
		case err := <-done:
			checkErr(t, err)
		case <-time.After(5 * time.Second):
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Fatalf("decoding hangs:\n%s", buf[:n])
		}
	})
}

// FuzzStream decodes an arbitrary Annex B stream (mutated corpus streams).
func FuzzStream(f *testing.F) {
	for _, s := range corpusStreams(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		nals, _ := decode.SplitAnnexB(nil, data)
		d := NewDecoder()
		for _, au := range SplitAccessUnits(nals) {
			_, err := d.DecodeAccessUnit(au)
			checkErr(t, err)
		}
	})
}
