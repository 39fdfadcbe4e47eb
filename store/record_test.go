package store

import (
	"errors"
	"reflect"
	"testing"

	"github.com/stills/stills/decode"
	"github.com/stills/stills/media"
)

func sampleRecord() Fragment {
	return Fragment{Seq: 42, Number: "9100000000000000042", Producer: -5, Server: 1 << 60, Duration: 2e9, Size: 5000,
		Track: media.Track{Number: 1, CodecID: "V_MPEGH/ISO/HEVC", Codec: decode.H265, Video: true, CodecPrivate: []byte{1, 2, 3},
			NALFormat: media.LengthPrefixed, NALLengthSize: 4, Width: 1920, Height: 1080},
		Samples: []SampleEntry{{Offset: 100, Size: 900, Delta: 0, Duration: 40e6, Key: true}, {Offset: 1000, Size: 4000, Delta: -40e6, Duration: 40e6}}}
}

func TestRecordRoundTrip(t *testing.T) {
	f := sampleRecord()
	b := encodeFrag(nil, &f)
	g, err := decodeFrag(b)
	if err != nil || !reflect.DeepEqual(f, g) {
		t.Fatalf("round trip: %v\n got %+v\nwant %+v", err, g, f)
	}
	h, err := decodeFragOpt(b, false)
	if err != nil || h.Samples != nil || h.Number != f.Number || !reflect.DeepEqual(h.Track, f.Track) {
		t.Fatalf("header only: %v %+v", err, h)
	}
	// Every truncation is an ErrCorrupt, never a panic or a wrong record.
	for i := 0; i < len(b); i++ {
		if _, err := decodeFrag(b[:i]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d bytes: %v, want ErrCorrupt", i, err)
		}
	}
	// A sample outside the fragment's size is damage.
	f.Samples[1].Size = 4001
	if _, err := decodeFrag(encodeFrag(nil, &f)); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("sample past the payload: %v", err)
	}
}

// FuzzRecord: any bytes decode to a record or ErrCorrupt, never a panic or
// an oversized allocation; a record that decodes re-encodes to the same bytes.
func FuzzRecord(f *testing.F) {
	r := sampleRecord()
	f.Add(encodeFrag(nil, &r))
	f.Add([]byte{recordVersion})
	f.Add([]byte{recordVersion, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := decodeFrag(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v is not ErrCorrupt", err)
			}
			return
		}
		if again, err := decodeFrag(encodeFrag(nil, &g)); err != nil || !reflect.DeepEqual(again, g) {
			t.Fatalf("decoded record does not round-trip: %v", err)
		}
	})
}
