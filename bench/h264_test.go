package bench

// BenchmarkH264Intra1080p: the pure-Go H.264 decoder against ffmpeg
// (single-threaded) on the same 1080p High-profile CABAC IDR pictures, in
// the same run. The stream is made once with ffmpeg+x264 and cached in the
// temporary directory:
//
//	testsrc2 1920x1080 + temporal noise, 10 pictures, all IDR (keyint=1),
//	High profile, CABAC, 8x8 transform, 6 Mbit/s at 5 pictures/s
//	(~150 KB per IDR, the size of an IDR in a 6 Mbit/s stream with a
//	normal GOP).
//
// Reported: wall-ms/picture and cpu-ms/picture (ours; CPU time includes the
// garbage collector), ffmpeg-cpu-ms/picture, and ratio = ours/ffmpeg in CPU
// time. ffmpeg's time per picture excludes its start-up: it is the
// difference between decoding the 10 pictures 5 times over (the stream
// concatenated) and decoding one picture, divided by 49. Wall time would be
// unfair both ways on a shared machine.

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
	"github.com/stills/stills/decode/h264"
	"github.com/stills/stills/internal/testtool"
)

const (
	h264BenchFrames = 10
	h264BenchLoops  = 5 // ffmpeg decodes the stream this many times
)

var (
	h264BenchOnce  sync.Once
	h264BenchFile  string
	h264BenchErr   error
	h264FFmpegOnce sync.Once
	h264FFmpegMs   float64
	h264FFmpegErrV error
)

// h264BenchStream returns the cached stream's path, making it if needed.
func h264BenchStream(b *testing.B) string {
	ffmpeg := testtool.Need(b, "ffmpeg")
	h264BenchOnce.Do(func() {
		dir := filepath.Join(os.TempDir(), "stills-bench")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			h264BenchErr = err
			return
		}
		f := filepath.Join(dir, "h264-1080p-high-cabac-idr10.264")
		if st, err := os.Stat(f); err == nil && st.Size() > 0 {
			h264BenchFile = f
			return
		}
		tmp := f + ".tmp"
		cmd := exec.Command(ffmpeg, "-v", "error", "-y", "-f", "lavfi",
			"-i", "testsrc2=size=1920x1080:rate=5,noise=alls=20:allf=t",
			"-frames:v", fmt.Sprint(h264BenchFrames), "-pix_fmt", "yuv420p",
			"-c:v", "libx264", "-preset", "fast", "-profile:v", "high",
			"-x264-params", "keyint=1:cabac=1:8x8dct=1:bitrate=6000:vbv-maxrate=6000:vbv-bufsize=6000",
			"-f", "h264", tmp)
		if out, err := cmd.CombinedOutput(); err != nil {
			h264BenchErr = fmt.Errorf("making the stream: %v\n%s", err, out)
			return
		}
		h264BenchErr = os.Rename(tmp, f)
		h264BenchFile = f
	})
	if h264BenchErr != nil {
		b.Fatal(h264BenchErr)
	}
	return h264BenchFile
}

// h264FFmpegMsPerPicture returns ffmpeg -threads 1's CPU time (user+sys)
// per picture on the stream, measured once per process. CPU time, not wall
// time: the machines this runs on are shared.
func h264FFmpegMsPerPicture(b *testing.B, file string) float64 {
	ffmpeg := testtool.Need(b, "ffmpeg")
	h264FFmpegOnce.Do(func() {
		data, err := os.ReadFile(file)
		if err != nil {
			h264FFmpegErrV = err
			return
		}
		// The stream h264BenchLoops times over (raw Annex B concatenates).
		loop := file + fmt.Sprintf(".x%d.264", h264BenchLoops)
		var all []byte
		for i := 0; i < h264BenchLoops; i++ {
			all = append(all, data...)
		}
		if err := os.WriteFile(loop, all, 0o644); err != nil {
			h264FFmpegErrV = err
			return
		}
		run := func(args ...string) (time.Duration, error) {
			best := time.Duration(1 << 62)
			for i := 0; i < 3; i++ { // best of 3
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
			h264FFmpegErrV = err
			return
		}
		many, err := run("-i", loop, "-f", "null", "-")
		if err != nil {
			h264FFmpegErrV = err
			return
		}
		n := h264BenchFrames*h264BenchLoops - 1
		h264FFmpegMs = float64(many-one) / float64(n) / 1e6
	})
	if h264FFmpegErrV != nil {
		b.Fatal(h264FFmpegErrV)
	}
	return h264FFmpegMs
}

// h264CPUTime is this process's user+sys CPU time.
func h264CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// h264SplitAccessUnits groups an Annex B stream's NAL units into access
// units: a coded slice with first_mb_in_slice == 0 (first payload bit 1)
// or a parameter set / SEI / delimiter after a slice starts a new one.
func h264SplitAccessUnits(b *testing.B, data []byte) [][][]byte {
	nals, ok := decode.SplitAnnexB(nil, data)
	if !ok {
		b.Fatalf("more than %d NAL units in the benchmark stream", decode.MaxNALUnitsPerAccessUnit)
	}
	var aus [][][]byte
	var cur [][]byte
	vcl := false
	for _, n := range nals {
		t := n[0] & 0x1f
		if vcl && (t == 6 || t == 7 || t == 8 || t == 9 || ((t == 1 || t == 5) && len(n) > 1 && n[1]&0x80 != 0)) {
			aus = append(aus, cur)
			cur, vcl = nil, false
		}
		cur = append(cur, n)
		if t == 1 || t == 5 {
			vcl = true
		}
	}
	if len(cur) > 0 {
		aus = append(aus, cur)
	}
	return aus
}

func BenchmarkH264Intra1080p(b *testing.B) {
	file := h264BenchStream(b)
	data, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	aus := h264SplitAccessUnits(b, data)
	if len(aus) != h264BenchFrames {
		b.Fatalf("%d access units in %s, want %d", len(aus), file, h264BenchFrames)
	}
	d := h264.NewDecoder()
	// Warm up: decode every picture once (buffers reach their size).
	for i, au := range aus {
		f, err := d.DecodeAccessUnit(au)
		if err != nil {
			if errors.Is(err, decode.ErrNotIntra) {
				b.Fatalf("picture %d is not intra: the stream is not what this benchmark expects", i)
			}
			b.Fatalf("picture %d: %v", i, err)
		}
		if f.Width != 1920 || f.Height != 1080 {
			b.Fatalf("picture %d: %dx%d", i, f.Width, f.Height)
		}
	}
	b.SetBytes(int64(len(data) / len(aus)))
	b.ReportAllocs()
	b.ResetTimer()
	t0, c0 := time.Now(), h264CPUTime()
	for i := 0; i < b.N; i++ {
		if _, err := d.DecodeAccessUnit(aus[i%len(aus)]); err != nil {
			b.Fatal(err)
		}
	}
	wall, cpu := time.Since(t0), h264CPUTime()-c0
	b.StopTimer()
	ours := float64(cpu) / float64(b.N) / 1e6
	ff := h264FFmpegMsPerPicture(b, file)
	b.ReportMetric(float64(wall)/float64(b.N)/1e6, "wall-ms/picture")
	b.ReportMetric(ours, "cpu-ms/picture")
	b.ReportMetric(ff, "ffmpeg-cpu-ms/picture")
	if ff > 0 {
		b.ReportMetric(ours/ff, "ratio")
	}
}
