package bench

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
	"github.com/stills/stills/internal/testtool"
)

// decoderBench measures one of our intra decoders beside ffmpeg -threads 1
// on the same cached stream, in the same run (BenchmarkH264Intra1080p,
// BenchmarkH265Intra1080p).
//
// Reported: wall-ms/picture, cpu-ms/picture (ours, best of three timed
// passes, CPU time including the garbage collector) and mean-cpu-ms/picture
// (over all passes), ffmpeg-cpu-ms/picture, and ratio = ours/ffmpeg in CPU
// time, best of three on both sides. ffmpeg's time per picture excludes its start-up: it is the
// difference between decoding the stream loops times over (concatenated)
// and decoding one picture, divided by frames×loops−1, best of 3 runs each.
// Wall time would be unfair both ways on a shared machine.
type decoderBench struct {
	file   string   // name in the cache directory
	frames int      // pictures in the stream, all intra
	loops  int      // times ffmpeg decodes the stream over
	encode []string // ffmpeg encoding arguments after the lavfi input; the output path follows
	split  func(nals [][]byte) [][][]byte
	newDec func() decode.Decoder

	streamOnce sync.Once
	path       string
	streamErr  error
	ffOnce     sync.Once
	ffMs       float64
	ffErr      error
}

// stream returns the cached stream's path, making it with ffmpeg if needed.
func (d *decoderBench) stream(b *testing.B) string {
	ffmpeg := testtool.Need(b, "ffmpeg")
	d.streamOnce.Do(func() {
		dir := filepath.Join(os.TempDir(), "stills-bench")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			d.streamErr = err
			return
		}
		f := filepath.Join(dir, d.file)
		if st, err := os.Stat(f); err == nil && st.Size() > 0 {
			d.path = f
			return
		}
		tmp := f + ".tmp"
		args := append([]string{"-v", "error", "-y", "-f", "lavfi",
			"-i", "testsrc2=size=1920x1080:rate=5,noise=alls=20:allf=t",
			"-frames:v", fmt.Sprint(d.frames), "-pix_fmt", "yuv420p"}, d.encode...)
		cmd := exec.Command(ffmpeg, append(args, tmp)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			d.streamErr = fmt.Errorf("making the stream: %v\n%s", err, out)
			return
		}
		d.streamErr = os.Rename(tmp, f)
		d.path = f
	})
	if d.streamErr != nil {
		b.Fatal(d.streamErr)
	}
	return d.path
}

// ffmpegMsPerPicture returns ffmpeg -threads 1's CPU time (user+sys) per
// picture of the stream, measured once per process.
func (d *decoderBench) ffmpegMsPerPicture(b *testing.B, file string) float64 {
	ffmpeg := testtool.Need(b, "ffmpeg")
	d.ffOnce.Do(func() {
		data, err := os.ReadFile(file)
		if err != nil {
			d.ffErr = err
			return
		}
		// Raw Annex B streams concatenate.
		loop := file + fmt.Sprintf(".x%d%s", d.loops, filepath.Ext(file))
		var all []byte
		for i := 0; i < d.loops; i++ {
			all = append(all, data...)
		}
		if err := os.WriteFile(loop, all, 0o644); err != nil {
			d.ffErr = err
			return
		}
		run := func(args ...string) (time.Duration, error) {
			best := time.Duration(1 << 62)
			for i := 0; i < 3; i++ {
				cmd := exec.Command(ffmpeg, append([]string{"-v", "error", "-threads", "1"}, args...)...)
				if out, err := cmd.CombinedOutput(); err != nil {
					return 0, fmt.Errorf("ffmpeg %v: %v\n%s", args, err, out)
				}
				if t := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(); t < best {
					best = t
				}
			}
			return best, nil
		}
		one, err := run("-i", file, "-frames:v", "1", "-f", "null", "-")
		if err != nil {
			d.ffErr = err
			return
		}
		many, err := run("-i", loop, "-f", "null", "-")
		if err != nil {
			d.ffErr = err
			return
		}
		d.ffMs = float64(many-one) / float64(d.frames*d.loops-1) / 1e6
	})
	if d.ffErr != nil {
		b.Fatal(d.ffErr)
	}
	return d.ffMs
}

// run is the benchmark body: every picture decoded once to warm up (buffers
// reach their size, and each must be a 1920x1080 intra picture), then b.N
// decodes cycling over the pictures, then ffmpeg's figure.
func (d *decoderBench) run(b *testing.B) {
	file := d.stream(b)
	data, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	nals, ok := decode.SplitAnnexB(nil, data)
	if !ok {
		b.Fatalf("more than %d NAL units in the benchmark stream", decode.MaxNALUnitsPerAccessUnit)
	}
	aus := d.split(nals)
	if len(aus) != d.frames {
		b.Fatalf("%d access units in %s, want %d", len(aus), file, d.frames)
	}
	dec := d.newDec()
	for i, au := range aus {
		f, err := dec.DecodeAccessUnit(au)
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
	// The b.N decodes run as three passes, timed apiece, and the best pass
	// counts, as ffmpeg's best of three runs does: the same statistic on
	// both sides. (With -benchtime 30x each pass decodes the 10 pictures
	// once.) The mean over all passes is reported beside it.
	t0 := time.Now()
	var cpuAll time.Duration
	best := -1.0
	for p, done := 0, 0; p < 3; p++ {
		n := (b.N - done) / (3 - p)
		c0 := processCPUTime()
		for i := done; i < done+n; i++ {
			if _, err := dec.DecodeAccessUnit(aus[i%len(aus)]); err != nil {
				b.Fatal(err)
			}
		}
		c := processCPUTime() - c0
		cpuAll += c
		if ms := float64(c) / float64(n) / 1e6; n > 0 && (best < 0 || ms < best) {
			best = ms
		}
		done += n
	}
	wall := time.Since(t0)
	b.StopTimer()
	ours := best
	ff := d.ffmpegMsPerPicture(b, file)
	b.ReportMetric(float64(wall)/float64(b.N)/1e6, "wall-ms/picture")
	b.ReportMetric(ours, "cpu-ms/picture")
	b.ReportMetric(float64(cpuAll)/float64(b.N)/1e6, "mean-cpu-ms/picture")
	b.ReportMetric(ff, "ffmpeg-cpu-ms/picture")
	if ff > 0 {
		b.ReportMetric(ours/ff, "ratio")
	}
}

// processCPUTime is this process's user+sys CPU time.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
