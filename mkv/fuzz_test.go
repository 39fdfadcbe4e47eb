package mkv

import (
	"bytes"
	"context"
	"math"
	"os"
	"testing"

	"github.com/stills/stills/media"
)

// FuzzDemux feeds arbitrary bytes through Open, Scan (both timelines, whole
// and partial ranges), Fragments and ReadSample: no panic, and every indexed
// sample lies inside the input.
func FuzzDemux(f *testing.F) {
	for _, name := range []string{"testdata/kvs_getmedia_head.mkv", "testdata/tiny_h264_aac.mkv"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(hostileFile())
	f.Add(bytes.Join([][]byte{ebmlHeader("matroska"), elUnknown(eidSegment, info(1000000), tracks(h264Track()),
		kvsTagsEl("7", "1.5", "2.5"), elUnknown(eidCluster, elUint(eidTimestamp, 3), simpleBlock(1, 0, 0x86, 1, 0x41, 0x02, 0x5F, 0xF0, 1, 2, 3, 4, 5, 6)))}, nil))
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		for _, tl := range []media.Timeline{media.ProducerTime, media.ServerTime} {
			for _, r := range [][2]int64{{math.MinInt64, math.MaxInt64}, {0, 1e9}} {
				idx, err := d.Scan(ctx, tl, r[0], r[1])
				if err != nil {
					continue
				}
				var buf []byte
				for i := range idx.Samples {
					s := &idx.Samples[i]
					if s.Pos < 0 || s.Size <= 0 || s.Pos+int64(s.Size) > int64(len(b)) {
						t.Fatalf("sample %+v outside the %d-byte input", *s, len(b))
					}
					if int(s.Fragment) >= len(idx.Fragments) {
						t.Fatalf("sample names fragment %d of %d", s.Fragment, len(idx.Fragments))
					}
					if buf, err = d.ReadSample(ctx, s, buf); err != nil {
						t.Fatalf("ReadSample(%+v): %v", *s, err)
					}
				}
				if idx.Video >= len(idx.Tracks) {
					t.Fatalf("video track %d of %d", idx.Video, len(idx.Tracks))
				}
			}
		}
		d.Fragments(ctx)
	})
}
