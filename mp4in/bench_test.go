package mp4in

import (
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stills/stills/internal/testtool"
	"github.com/stills/stills/media"
)

var (
	benchOnce sync.Once
	benchDir  string
)

// benchFiles makes 60 s at 30 fps (1800 samples, small pictures: the sample
// tables are what the index reads) as progressive and fragmented MP4.
func benchFiles(b *testing.B) (prog, frag string) {
	ffmpeg := testtool.Need(b, "ffmpeg")
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "mp4bench")
		if err != nil {
			b.Fatal(err)
		}
		for _, out := range []struct {
			name  string
			extra []string
		}{{"prog.mp4", nil}, {"frag.mp4", []string{"-movflags", "frag_keyframe+empty_moov+default_base_moof"}}} {
			args := append([]string{"-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x36:rate=30:duration=60",
				"-c:v", "libx264", "-preset", "ultrafast", "-g", "60"}, out.extra...)
			if o, err := exec.Command(ffmpeg, append(args, filepath.Join(dir, out.name))...).CombinedOutput(); err != nil {
				b.Fatalf("ffmpeg: %v\n%s", err, o)
			}
		}
		benchDir = dir
	})
	return filepath.Join(benchDir, "prog.mp4"), filepath.Join(benchDir, "frag.mp4")
}

func benchOpenScan(b *testing.B, p string) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s, err := OpenFile(p)
		if err != nil {
			b.Fatal(err)
		}
		idx, err := s.Scan(context.Background(), media.ProducerTime, math.MinInt64, math.MaxInt64)
		if err != nil || len(idx.Samples) != 1800 {
			b.Fatalf("%v, %d samples", err, len(idx.Samples))
		}
		s.Close()
	}
}

func benchFFprobe(b *testing.B, p string) {
	ffprobe := testtool.Need(b, "ffprobe")
	for i := 0; i < b.N; i++ {
		if err := exec.Command(ffprobe, "-v", "quiet", "-select_streams", "v", "-show_entries", "packet=pts,size,pos,flags", "-of", "csv", p).Run(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenScanProgressive(b *testing.B)            { p, _ := benchFiles(b); benchOpenScan(b, p) }
func BenchmarkOpenScanProgressivePeerFFprobe(b *testing.B) { p, _ := benchFiles(b); benchFFprobe(b, p) }
func BenchmarkOpenScanFragmented(b *testing.B)             { _, p := benchFiles(b); benchOpenScan(b, p) }
func BenchmarkOpenScanFragmentedPeerFFprobe(b *testing.B)  { _, p := benchFiles(b); benchFFprobe(b, p) }
