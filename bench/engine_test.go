package bench

// End-to-end extraction benchmarks, W1 and W2: `stills extract` against
// ffmpeg on the same file, in the same run.
//
// Input (made once with ffmpeg+x264, cached in os.UserCacheDir()/stills-bench):
// 60 s of 1920x1080 at 30 fps, testsrc2 with temporal noise, H.264 High
// profile, a keyframe every 2 s (30 IDR pictures), about 6 Mbit/s, in
// Matroska.
//
//	W1: one image per keyframe (interval 2 s), 1280x720 JPEG quality 80.
//	W2: one image every 10 s, same size and quality.
//
// Peer: ffmpeg -skip_frame nokey -i in.mkv -vf scale=1280:720
// -fps_mode passthrough -q:v 4 out%03d.jpg — it decodes the 30 keyframes
// and writes 30 JPEGs, whatever the interval (it has no sampling).
//
// Both sides run as child processes with the same output directory kind, so
// start-up, file reading and writing are counted on both; each side runs
// benchRuns times and the fastest run counts. Reported per side: wall
// seconds, CPU seconds (user+sys) and peak RSS (MB), and
// ratio = ours/ffmpeg in wall time (targets W1 ≤ 1.0, W2 ≤ 0.5; RSS < 150 MB).
// Wall time on a shared 2-core machine is noisy: the CPU ratio is reported
// too (cpu-ratio).

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stills/stills"
	"github.com/stills/stills/input"
	"github.com/stills/stills/internal/testtool"
)

const benchRuns = 3

var (
	engineInputOnce sync.Once
	engineInput     string
	engineInputErr  error
	engineBinOnce   sync.Once
	engineBin       string
	engineBinErr    error
)

// engineBenchInput returns the path of the cached W1/W2 input, making it once.
func engineBenchInput(b *testing.B) string {
	ffmpeg := testtool.Need(b, "ffmpeg")
	engineInputOnce.Do(func() {
		dir, err := os.UserCacheDir()
		if err != nil {
			dir = os.TempDir()
		}
		dir = filepath.Join(dir, "stills-bench")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			engineInputErr = err
			return
		}
		f := filepath.Join(dir, "w1-1080p30-60s-gop2s.mkv")
		if st, err := os.Stat(f); err == nil && st.Size() > 0 {
			engineInput = f
			return
		}
		tmp := f + ".tmp.mkv"
		cmd := exec.Command(ffmpeg, "-v", "error", "-y", "-f", "lavfi",
			"-i", "testsrc2=size=1920x1080:rate=30:duration=60,noise=alls=20:allf=t",
			"-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high",
			"-g", "60", "-keyint_min", "60", "-sc_threshold", "0",
			"-b:v", "6M", "-maxrate", "6M", "-bufsize", "12M", tmp)
		if out, err := cmd.CombinedOutput(); err != nil {
			engineInputErr = fmt.Errorf("making the W1 input: %v\n%s", err, out)
			return
		}
		engineInputErr = os.Rename(tmp, f)
		engineInput = f
	})
	if engineInputErr != nil {
		b.Fatal(engineInputErr)
	}
	return engineInput
}

// stillsBinary builds cmd/stills once into a temporary directory.
func stillsBinary(b *testing.B) string {
	engineBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "stills-bench-bin")
		if err != nil {
			engineBinErr = err
			return
		}
		bin := filepath.Join(dir, "stills")
		cmd := exec.Command("go", "build", "-o", bin, "github.com/stills/stills/cmd/stills")
		if out, err := cmd.CombinedOutput(); err != nil {
			engineBinErr = fmt.Errorf("go build ./cmd/stills: %v\n%s", err, out)
			return
		}
		engineBin = bin
	})
	if engineBinErr != nil {
		b.Fatal(engineBinErr)
	}
	return engineBin
}

type runStats struct {
	wall, cpu time.Duration
	rssMB     float64
	files     int
}

// runBest runs the command benchRuns times into fresh output directories
// and returns the fastest run (by wall time) and the largest peak RSS.
func runBest(b *testing.B, name string, args func(out string) []string) runStats {
	best := runStats{wall: 1 << 62}
	for i := 0; i < benchRuns; i++ {
		out := b.TempDir()
		cmd := exec.Command(name, args(out)...)
		start := time.Now()
		o, err := cmd.CombinedOutput()
		wall := time.Since(start)
		if err != nil {
			b.Fatalf("%s %v: %v\n%s", name, cmd.Args, err, o)
		}
		ents, _ := os.ReadDir(out)
		s := runStats{wall: wall, cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), files: len(ents)}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			s.rssMB = float64(ru.Maxrss) / 1024 // KiB on Linux
		}
		if s.rssMB > best.rssMB {
			best.rssMB = s.rssMB
		}
		if s.wall < best.wall {
			rss := best.rssMB
			best = s
			best.rssMB = rss
		}
	}
	return best
}

func benchExtract(b *testing.B, interval string, wantOurs int) {
	in := engineBenchInput(b)
	bin := stillsBinary(b)
	ffmpeg := testtool.Need(b, "ffmpeg")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ours := runBest(b, bin, func(out string) []string {
			return []string{"extract", in, "--interval", interval, "--width", "1280", "--height", "720",
				"--format", "jpeg", "--quality", "80", "--out", out}
		})
		peer := runBest(b, ffmpeg, func(out string) []string {
			return []string{"-v", "error", "-skip_frame", "nokey", "-i", in, "-vf", "scale=1280:720",
				"-fps_mode", "passthrough", "-q:v", "4", filepath.Join(out, "out%03d.jpg")}
		})
		if ours.files != wantOurs {
			b.Fatalf("stills extract wrote %d images, want %d", ours.files, wantOurs)
		}
		if peer.files != 30 {
			b.Fatalf("ffmpeg wrote %d images, want 30", peer.files)
		}
		b.ReportMetric(ours.wall.Seconds(), "ours-wall-s")
		b.ReportMetric(peer.wall.Seconds(), "ffmpeg-wall-s")
		b.ReportMetric(ours.wall.Seconds()/peer.wall.Seconds(), "ratio")
		b.ReportMetric(ours.cpu.Seconds(), "ours-cpu-s")
		b.ReportMetric(peer.cpu.Seconds(), "ffmpeg-cpu-s")
		b.ReportMetric(ours.cpu.Seconds()/peer.cpu.Seconds(), "cpu-ratio")
		b.ReportMetric(ours.rssMB, "ours-rss-MB")
		b.ReportMetric(peer.rssMB, "ffmpeg-rss-MB")
		b.Logf("%s: stills extract %d images in %.2fs wall (%.2fs CPU, %.0f MB RSS); ffmpeg %d images in %.2fs wall (%.2fs CPU, %.0f MB RSS); ratio %.2f",
			b.Name(), ours.files, ours.wall.Seconds(), ours.cpu.Seconds(), ours.rssMB,
			peer.files, peer.wall.Seconds(), peer.cpu.Seconds(), peer.rssMB, ours.wall.Seconds()/peer.wall.Seconds())
	}
}

// BenchmarkW1: one image per keyframe. Timestamps 0, 2, …, 60 s: 31 images
// (60 s lies in the last GOP's span and shares the keyframe at 58 s).
func BenchmarkW1(b *testing.B) { benchExtract(b, "2s", 31) }

// BenchmarkW2: one image every 10 s: 7 images (0, 10, …, 60 s).
func BenchmarkW2(b *testing.B) { benchExtract(b, "10s", 7) }

// BenchmarkGetImagesKVS: one GetImages request in process (the server's
// path without HTTP) over the real KVS GetMedia vector: 11 timestamps, one
// second apart, served by 5 keyframes (640x360 H.264), JPEG quality 80 at
// the source size. Reports ms per request and allocations; no peer (this is
// the engine's cost per request, for regressions).
func BenchmarkGetImagesKVS(b *testing.B) {
	src, err := input.Open("../testdata/kvs/output_get_media.mkv", input.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	e := stills.New(stills.Options{})
	req := &stills.Request{StreamName: "kvs", ImageSelectorType: stills.ProducerTimestamp,
		StartTimestamp: time.UnixMilli(1511852108000), EndTimestamp: time.UnixMilli(1511852118000),
		SamplingInterval: 1000, Format: stills.JPEG}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := e.GetImages(context.Background(), src, req)
		if err != nil {
			b.Fatal(err)
		}
		for _, img := range resp.Images {
			if img.Error != "" {
				b.Fatalf("%v: %s (%s)", img.TimeStamp, img.Error, img.Detail)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/request")
}
