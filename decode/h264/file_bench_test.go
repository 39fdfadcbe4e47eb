package h264

import (
	"os"
	"testing"
)

// BenchmarkFileEnv decodes every access unit of the Annex B file named by
// $H264_FILE (skipped without it): a whole-decoder benchmark for profiling,
// e.g. under valgrind --tool=callgrind on the 1080p stream bench/ caches in
// $TMPDIR/stills-bench.
func BenchmarkFileEnv(b *testing.B) {
	fn := os.Getenv("H264_FILE")
	if fn == "" {
		b.Skip("set H264_FILE to an Annex B file")
	}
	data, err := os.ReadFile(fn)
	if err != nil {
		b.Fatal(err)
	}
	aus := SplitAccessUnits(annexBNALs(data))
	d := NewDecoder()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, au := range aus {
			if _, err := d.DecodeAccessUnit(au); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(aus))/1e6, "ms/picture")
}
