package sample

import (
	"encoding/binary"
	"testing"

	"github.com/stills/stills/media"
)

// FuzzPlan builds an index from arbitrary bytes (fragments and samples with
// arbitrary times, durations, keyframe flags and fragment numbers) and
// checks NewPlan and Choose: no panic, and every answer keeps the SPEC §1
// rules: an image is a keyframe of the index; t inside a run is never
// NO_MEDIA; runs are sorted and disjoint.
func FuzzPlan(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0})
	f.Add(make([]byte, 200))
	f.Fuzz(func(t *testing.T, b []byte) {
		ix := &media.Index{}
		nf := 1 + int(len(b)%5)
		for i := 0; i < nf; i++ {
			ix.Fragments = append(ix.Fragments, media.Fragment{Producer: int64(i) * 1e9, Server: int64(i) * 7e8, Duration: int64(i%2) * 5e8})
		}
		// 12 bytes per sample: time (int32 ms), duration (int16 ms), flags, fragment.
		for len(b) >= 8 && len(ix.Samples) < 500 {
			tm := int64(int32(binary.BigEndian.Uint32(b))) * 1e6
			d := int64(int16(binary.BigEndian.Uint16(b[4:]))) * 1e6
			ix.Samples = append(ix.Samples, media.Sample{Producer: tm, Server: tm / 2, Duration: d,
				Keyframe: b[6]&0x80 != 0, Fragment: int32(int8(b[7])) % int32(nf+1)})
			b = b[8:]
		}
		for _, tl := range []media.Timeline{media.ProducerTime, media.ServerTime} {
			p := NewPlan(ix, tl)
			runs := p.Runs()
			for i := 1; i < len(runs); i++ {
				if runs[i].Start <= runs[i-1].End+MaxRoundingGap {
					t.Fatalf("runs %v and %v touch but were not merged", runs[i-1], runs[i])
				}
			}
			probe := []media.Time{-1e12, 0, 1e12}
			for _, r := range runs {
				probe = append(probe, r.Start, r.End, r.Start+(r.End-r.Start)/2, r.Start-Grace, r.End+1)
			}
			for _, tt := range probe {
				for _, first := range []bool{false, true} {
					c := p.Choose(tt, first)
					switch c.Status {
					case Image:
						if c.Sample < 0 || c.Sample >= len(ix.Samples) || !ix.Samples[c.Sample].Keyframe {
							t.Fatalf("Choose(%d) = %+v: not a keyframe of the index", tt, c)
						}
					case NoMedia:
						for _, r := range runs {
							if tt >= r.Start && tt <= r.End {
								t.Fatalf("Choose(%d) = NO_MEDIA inside run %v", tt, r)
							}
						}
					}
				}
			}
		}
	})
}
