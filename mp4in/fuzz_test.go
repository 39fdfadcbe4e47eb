package mp4in

import (
	"bytes"
	"context"
	"math"
	"os"
	"testing"

	"github.com/stills/stills/media"
)

// FuzzOpen: arbitrary bytes through Open, Scan and ReadSample: no panic,
// every sample inside the input.
func FuzzOpen(f *testing.F) {
	for _, name := range []string{"testdata/tiny.mp4", "testdata/tiny_frag.mp4"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		idx, err := s.Scan(ctx, media.ProducerTime, math.MinInt64, math.MaxInt64)
		if err != nil {
			return
		}
		var buf []byte
		for i := range idx.Samples {
			sm := &idx.Samples[i]
			if sm.Pos < 0 || sm.Size < 0 || sm.Pos+int64(sm.Size) > int64(len(b)) || int(sm.Fragment) >= len(idx.Fragments) {
				t.Fatalf("sample %+v outside the %d-byte input or its fragments", *sm, len(b))
			}
			if buf, err = s.ReadSample(ctx, sm, buf); err != nil {
				t.Fatal(err)
			}
		}
	})
}
