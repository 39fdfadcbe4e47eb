package annexb

import (
	"bytes"
	"context"
	"math"
	"testing"

	"github.com/stills/stills/decode"
	"github.com/stills/stills/media"
)

// FuzzScan: any bytes, either codec: Detect and Scan never panic and every
// access unit lies inside the input.
func FuzzScan(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 0x67, 0x42, 0xC0, 0x1E, 0xDA, 0, 0, 1, 0x68, 0xCE, 0x38, 0x80, 0, 0, 1, 0x65, 0x88, 0x84, 0, 0, 1, 0x41, 0x9A})
	f.Add([]byte{0, 0, 0, 1, 0x40, 0x01, 0x0C, 0x01, 0, 0, 1, 0x42, 0x01, 0x01, 0x01, 0, 0, 1, 0x26, 0x01, 0xAF, 0, 0, 1, 0x02, 0x01, 0xD0})
	f.Add([]byte{0, 0, 1, 0x65, 0, 0, 3, 0, 0, 1, 0x06, 0x05})
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, b []byte) {
		Detect(b)
		for _, c := range []decode.Codec{decode.H264, decode.H265} {
			s, err := Open(bytes.NewReader(b), int64(len(b)), c, Options{})
			if err != nil {
				t.Fatal(err)
			}
			idx, err := s.Scan(ctx, media.ProducerTime, math.MinInt64, math.MaxInt64)
			if err != nil {
				continue
			}
			var buf []byte
			for i := range idx.Samples {
				sm := &idx.Samples[i]
				if sm.Pos < 0 || sm.Size <= 0 || sm.Pos+int64(sm.Size) > int64(len(b)) {
					t.Fatalf("access unit %+v outside %d bytes", *sm, len(b))
				}
				if buf, err = s.ReadSample(ctx, sm, buf); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}
