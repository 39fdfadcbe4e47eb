package h265

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/Eyevinn/mp4ff/hevc"
	"github.com/stills/stills/decode"
)

var _ decode.Decoder = (*Decoder)(nil)

// TestUnsupportedChroma: 4:4:4 and 4:0:0 pictures give a typed
// UnsupportedError, never a picture.
func TestUnsupportedChroma(t *testing.T) {
	for _, name := range []string{"unsupported_444.hevc", "unsupported_400.hevc"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		nals, _ := decode.SplitAnnexB(nil, data)
		d := NewDecoder()
		f, err := d.DecodeAccessUnit(SplitAccessUnits(nals)[0])
		var ue decode.UnsupportedError
		if f != nil || !errors.As(err, &ue) {
			t.Errorf("%s: got frame %v, error %v; want UnsupportedError", name, f != nil, err)
		}
	}
}

// TestConfigureHvcC: parameter sets taken from an hvcC record written by
// mp4ff, and slices given without them, decode to ffmpeg's pictures.
func TestConfigureHvcC(t *testing.T) {
	data, err := os.ReadFile("testdata/wpp_slices.hevc")
	if err != nil {
		t.Fatal(err)
	}
	want, err := decodeFileMD5s(t, data)
	if err != nil {
		t.Fatal(err)
	}
	nals, _ := decode.SplitAnnexB(nil, data)
	var vps, sps, pps [][]byte
	for _, n := range nals {
		switch nalType(n) {
		case nalVPS:
			vps = append(vps, n)
		case nalSPS:
			sps = append(sps, n)
		case nalPPS:
			pps = append(pps, n)
		}
	}
	rec, err := hevc.CreateHEVCDecConfRec(vps[:1], sps[:1], pps[:1], true, true, true, true)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rec.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	d := NewDecoder()
	if err := d.Configure(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	if d.LengthSize() != 4 {
		t.Fatalf("LengthSize %d, want 4", d.LengthSize())
	}
	i := 0
	for _, au := range SplitAccessUnits(nals) {
		// A length-prefixed sample of the slices only.
		var sample []byte
		for _, n := range au {
			if nalType(n) <= 21 {
				sample = append(sample, byte(len(n)>>24), byte(len(n)>>16), byte(len(n)>>8), byte(len(n)))
				sample = append(sample, n...)
			}
		}
		units, err := decode.SplitLengthPrefixed(nil, sample, d.LengthSize())
		if err != nil {
			t.Fatal(err)
		}
		f, err := d.DecodeAccessUnit(units)
		if err != nil {
			t.Fatalf("picture %d: %v", i, err)
		}
		if got := frameMD5(f); got != want[i][:32] {
			t.Errorf("picture %d: %s, want %s", i, got, want[i][:32])
		}
		i++
	}
	if i != len(want) {
		t.Errorf("%d pictures, want %d", i, len(want))
	}
}

// TestHostileInputs: truncated and corrupted streams end with an error or
// a picture, quickly, never a panic.
func TestHostileInputs(t *testing.T) {
	data, err := os.ReadFile("testdata/ctu32.hevc")
	if err != nil {
		t.Fatal(err)
	}
	for cut := 0; cut < len(data); cut += 97 {
		nals, _ := decode.SplitAnnexB(nil, data[:cut])
		d := NewDecoder()
		for _, au := range SplitAccessUnits(nals) {
			_, err := d.DecodeAccessUnit(au)
			checkErr(t, err)
		}
	}
	for i := 200; i < len(data); i += 131 {
		c := append([]byte(nil), data...)
		c[i] ^= 0x5a
		nals, _ := decode.SplitAnnexB(nil, c)
		d := NewDecoder()
		for _, au := range SplitAccessUnits(nals) {
			_, err := d.DecodeAccessUnit(au)
			checkErr(t, err)
		}
	}
	if _, err := NewDecoder().DecodeAccessUnit(nil); !errors.Is(err, decode.ErrNoPicture) {
		t.Errorf("empty access unit: %v, want ErrNoPicture", err)
	}
}

// TestVUIColour: the VUI colour description and sample aspect ratio reach
// the frame (x265 was told colorprim/transfer/colormatrix bt709, full range,
// SAR 4:3; see testdata/gen.sh).
func TestVUIColour(t *testing.T) {
	data, err := os.ReadFile("testdata/vui_colour.hevc")
	if err != nil {
		t.Fatal(err)
	}
	nals, _ := decode.SplitAnnexB(nil, data)
	f, err := NewDecoder().DecodeAccessUnit(SplitAccessUnits(nals)[0])
	if err != nil {
		t.Fatal(err)
	}
	want := decode.ColourInfo{Present: true, FullRange: true, MatrixCoefficients: 1, ColourPrimaries: 1, TransferCharacteristics: 1}
	if f.Colour != want {
		t.Errorf("colour %+v, want %+v", f.Colour, want)
	}
	if f.SARWidth != 4 || f.SARHeight != 3 {
		t.Errorf("SAR %d:%d, want 4:3", f.SARWidth, f.SARHeight)
	}
	if !f.Keyframe {
		t.Error("IDR picture not marked as keyframe")
	}
}
