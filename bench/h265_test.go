package bench

// BenchmarkH265Intra1080p: the pure-Go H.265 decoder (decode/h265) against
// ffmpeg -threads 1 on the same 1080p IRAP pictures, in the same run. The
// stream is made once with ffmpeg+x265 and cached in the temporary
// directory:
//
//	testsrc2 1920x1080 + temporal noise, 10 pictures, all IRAP (keyint=1),
//	x265 preset medium, 4 Mbit/s at 5 pictures/s (~100 KB per picture, an
//	IRAP picture's size in a 4 Mbit/s stream with a normal GOP).
//
// Reported: wall-ms/picture and cpu-ms/picture (ours), ffmpeg-cpu-ms/picture
// and ratio = ours/ffmpeg in CPU time. ffmpeg's time per picture excludes
// its start-up: it is the difference between decoding the 10 pictures 5
// times over and decoding one picture, divided by 49 (best of 3 runs each).

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stills/stills/decode"
	"github.com/stills/stills/decode/h265"
	"github.com/stills/stills/internal/testtool"
)

const (
	h265BenchFrames = 10
	h265BenchLoops  = 5
)

var (
	h265BenchOnce  sync.Once
	h265BenchFile  string
	h265BenchErr   error
	h265FFmpegOnce sync.Once
	h265FFmpegMs   float64
	h265FFmpegErr  error
)

func h265BenchStream(b *testing.B) string {
	ffmpeg := testtool.Need(b, "ffmpeg")
	h265BenchOnce.Do(func() {
		dir := filepath.Join(os.TempDir(), "stills-bench")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			h265BenchErr = err
			return
		}
		f := filepath.Join(dir, "h265-1080p-medium-irap10.hevc")
		if st, err := os.Stat(f); err == nil && st.Size() > 0 {
			h265BenchFile = f
			return
		}
		tmp := f + ".tmp"
		cmd := exec.Command(ffmpeg, "-v", "error", "-y", "-f", "lavfi",
			"-i", "testsrc2=size=1920x1080:rate=5,noise=alls=20:allf=t",
			"-frames:v", fmt.Sprint(h265BenchFrames), "-pix_fmt", "yuv420p",
			"-c:v", "libx265", "-preset", "medium",
			"-x265-params", "keyint=1:log-level=error:bitrate=4000:vbv-maxrate=4000:vbv-bufsize=4000",
			"-f", "hevc", tmp)
		if out, err := cmd.CombinedOutput(); err != nil {
			h265BenchErr = fmt.Errorf("making the stream: %v\n%s", err, out)
			return
		}
		h265BenchErr = os.Rename(tmp, f)
		h265BenchFile = f
	})
	if h265BenchErr != nil {
		b.Fatal(h265BenchErr)
	}
	return h265BenchFile
}

// h265FFmpegMsPerPicture returns ffmpeg -threads 1's CPU time per picture.
func h265FFmpegMsPerPicture(b *testing.B, file string) float64 {
	ffmpeg := testtool.Need(b, "ffmpeg")
	h265FFmpegOnce.Do(func() {
		data, err := os.ReadFile(file)
		if err != nil {
			h265FFmpegErr = err
			return
		}
		loop := file + fmt.Sprintf(".x%d.hevc", h265BenchLoops)
		var all []byte
		for i := 0; i < h265BenchLoops; i++ {
			all = append(all, data...)
		}
		if err := os.WriteFile(loop, all, 0o644); err != nil {
			h265FFmpegErr = err
			return
		}
		run := func(args ...string) (time.Duration, error) {
			best := time.Duration(1 << 62)
			for i := 0; i < 3; i++ {
				cmd := exec.Command(ffmpeg, append([]string{"-v", "error", "-threads", "1"}, args...)...)
				if out, err := cmd.CombinedOutput(); err != nil {
					return 0, fmt.Errorf("ffmpeg %v: %v\n%s", args, err, out)
				}
				if d := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(); d < best {
					best = d
				}
			}
			return best, nil
		}
		one, err := run("-i", file, "-frames:v", "1", "-f", "null", "-")
		if err != nil {
			h265FFmpegErr = err
			return
		}
		many, err := run("-i", loop, "-f", "null", "-")
		if err != nil {
			h265FFmpegErr = err
			return
		}
		h265FFmpegMs = float64(many-one) / float64(h265BenchFrames*h265BenchLoops-1) / 1e6
	})
	if h265FFmpegErr != nil {
		b.Fatal(h265FFmpegErr)
	}
	return h265FFmpegMs
}

func h265CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkH265Intra1080p(b *testing.B) {
	file := h265BenchStream(b)
	data, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	nals, ok := decode.SplitAnnexB(nil, data)
	if !ok {
		b.Fatal("too many NAL units")
	}
	aus := h265.SplitAccessUnits(nals)
	if len(aus) != h265BenchFrames {
		b.Fatalf("stream has %d access units, want %d", len(aus), h265BenchFrames)
	}
	ffMs := h265FFmpegMsPerPicture(b, file)
	d := h265.NewDecoder()
	// Warm up: buffers allocated once, and every picture must decode.
	for i, au := range aus {
		if _, err := d.DecodeAccessUnit(au); err != nil {
			b.Fatalf("picture %d: %v", i, err)
		}
	}
	b.SetBytes(int64(len(data) / len(aus)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := h265CPUTime()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		f, err := d.DecodeAccessUnit(aus[i%len(aus)])
		if err != nil {
			b.Fatal(err)
		}
		if f.Width != 1920 || f.Height != 1080 {
			b.Fatal(errors.New("unexpected picture size"))
		}
	}
	wall := time.Since(start)
	cpu := h265CPUTime() - cpu0
	b.StopTimer()
	cpuMs := float64(cpu) / float64(b.N) / 1e6
	b.ReportMetric(float64(wall)/float64(b.N)/1e6, "wall-ms/picture")
	b.ReportMetric(cpuMs, "cpu-ms/picture")
	b.ReportMetric(ffMs, "ffmpeg-cpu-ms/picture")
	b.ReportMetric(cpuMs/ffMs, "ratio")
}
