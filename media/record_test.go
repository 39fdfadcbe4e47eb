package media

import (
	"bytes"
	"os"
	"testing"

	"github.com/stills/stills/decode"
)

// A fuzzed SPS (annexb FuzzScan) whose VUI made mp4ff's full SPS parser
// allocate until the process was killed. The record builder must survive it:
// either refuse it or build a record that reads back.
var hostileSPS = []byte("'000710\xaf700000000@\x00\x00\x000\xf3\xf3\xf3\xf30")

func TestRecordFromParameterSetsHostile(t *testing.T) {
	for _, c := range []decode.Codec{decode.H264, decode.H265} {
		rec, err := RecordFromParameterSets(c, [][]byte{hostileSPS}, [][]byte{hostileSPS}, [][]byte{{0x68, 0xce, 0x38, 0x80}})
		if err == nil && rec != nil {
			if _, err := NALLengthSize(c, rec); err != nil {
				t.Errorf("%v: record %x does not read back: %v", c, rec, err)
			}
		}
	}
	// Garbage that is no SPS of either codec is refused.
	for _, c := range []decode.Codec{decode.H264, decode.H265} {
		junk := []byte{0x67, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
		if c == decode.H265 {
			junk = []byte{0x42, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff}
		}
		if rec, err := RecordFromParameterSets(c, [][]byte{junk}, [][]byte{junk}, [][]byte{junk}); err == nil {
			t.Errorf("%v: junk SPS gave record %x", c, rec)
		}
	}
}

// TestRecordFromParameterSets builds an avcC from a conformance stream's
// parameter sets and reads them back.
func TestRecordFromParameterSets(t *testing.T) {
	b, err := os.ReadFile("../decode/h264/testdata/BA_MW_D.264")
	if err != nil {
		t.Fatal(err)
	}
	nals, _ := decode.SplitAnnexB(nil, b)
	var sps, pps [][]byte
	for _, n := range nals {
		switch n[0] & 0x1f {
		case 7:
			sps = append(sps, n)
		case 8:
			pps = append(pps, n)
		}
	}
	if len(sps) == 0 || len(pps) == 0 {
		t.Fatal("no parameter sets in the vector")
	}
	rec, err := RecordFromParameterSets(decode.H264, nil, sps[:1], pps[:1])
	if err != nil {
		t.Fatal(err)
	}
	if n, err := NALLengthSize(decode.H264, rec); err != nil || n != 4 {
		t.Fatalf("NALLengthSize = %d, %v", n, err)
	}
	want := append(append(append([]byte{0, 0, 0, 1}, sps[0]...), 0, 0, 0, 1), pps[0]...)
	if got := FrameParameterSets(decode.H264, rec, AnnexB, 0); !bytes.Equal(got, want) {
		t.Fatalf("parameter sets read back as %x, want %x", got, want)
	}
	if rec, err := RecordFromParameterSets(decode.H264, nil, sps[:1], nil); rec != nil || err != nil {
		t.Fatalf("without a PPS: %x, %v; want nil, nil", rec, err)
	}
}
