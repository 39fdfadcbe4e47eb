package annexb

import (
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stills/stills/internal/testtool"
	"github.com/stills/stills/media"
)

// benchStream is the largest H.264 conformance stream (3.3 MB, 300 pictures
// of many slices each).
func benchStream(b *testing.B) (string, int64) {
	p := filepath.Join(testtool.SharedDir(b), "vectors", "h264", "test_cif_I_CABAC_slice.264")
	st, err := os.Stat(p)
	if err != nil {
		b.Fatal(err)
	}
	return p, st.Size()
}

// BenchmarkScanStream: index every access unit of the stream from a file.
func BenchmarkScanStream(b *testing.B) {
	p, size := benchStream(b)
	b.ReportAllocs()
	b.SetBytes(size)
	for i := 0; i < b.N; i++ {
		s, err := OpenFile(p, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Scan(context.Background(), media.ProducerTime, math.MinInt64, math.MaxInt64); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// BenchmarkScanStreamPeerFFprobe: ffprobe listing the packets (ffmpeg's parser).
func BenchmarkScanStreamPeerFFprobe(b *testing.B) {
	p, size := benchStream(b)
	ffprobe := testtool.Need(b, "ffprobe")
	b.SetBytes(size)
	for i := 0; i < b.N; i++ {
		if err := exec.Command(ffprobe, "-v", "quiet", "-f", "h264", "-show_entries", "packet=pos,size,flags", "-of", "csv", p).Run(); err != nil {
			b.Fatal(err)
		}
	}
}
