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
// The run is a number of rounds, at least three and enough to cover b.N
// decodes; each round times, back to back, one pass of ours over the stream
// loops times (as many pictures as ffmpeg's long run decodes), ffmpeg
// decoding one picture and ffmpeg decoding the stream loops times over.
// Interleaving puts both decoders in the same stretches of a shared,
// noisy machine, and the passes are of similar length, so a quiet or a busy
// minute favours neither. Each side's figure is its best round: CPU time
// (user+sys, ours including the garbage collector) per picture; ffmpeg's
// excludes its start-up, being (best long run − best one-picture run) /
// (pictures×loops − 1). Reported: cpu-ms/picture and ffmpeg-cpu-ms/picture
// (best rounds), their ratio, mean-cpu-ms/picture and mean-ratio over all
// rounds, and wall-ms/picture of our passes. Wall time would be unfair
// both ways on a shared machine. ns/op is the whole run's time over b.N
// and means little here.
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
	loopPath   string
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

// ffmpegPrepare writes the stream concatenated loops times (raw Annex B
// streams concatenate) beside it, once per process, and returns its path.
func (d *decoderBench) ffmpegPrepare(b *testing.B, file string) string {
	d.ffOnce.Do(func() {
		data, err := os.ReadFile(file)
		if err != nil {
			d.ffErr = err
			return
		}
		d.loopPath = file + fmt.Sprintf(".x%d%s", d.loops, filepath.Ext(file))
		var all []byte
		for i := 0; i < d.loops; i++ {
			all = append(all, data...)
		}
		d.ffErr = os.WriteFile(d.loopPath, all, 0o644)
	})
	if d.ffErr != nil {
		b.Fatal(d.ffErr)
	}
	return d.loopPath
}

// ffmpegCPU runs ffmpeg -threads 1 with args and returns its CPU time
// (user+sys).
func ffmpegCPU(b *testing.B, args ...string) time.Duration {
	ffmpeg := testtool.Need(b, "ffmpeg")
	cmd := exec.Command(ffmpeg, append([]string{"-v", "error", "-threads", "1"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// run is the benchmark body: every picture decoded once to warm up (buffers
// reach their size, and each must be a 1920x1080 intra picture), then the
// interleaved rounds described at decoderBench.
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
	loop := d.ffmpegPrepare(b, file)
	pass := d.frames * d.loops
	rounds := max(3, (b.N+pass-1)/pass)
	b.ReportAllocs()
	b.ResetTimer()
	var (
		wall, cpuAll    time.Duration
		best, ffBest    = -1.0, -1.0
		ratioSum        float64
		ffOne, ffMany   = time.Duration(1 << 62), time.Duration(1 << 62)
		oneRun, manyRun time.Duration
	)
	for r := 0; r < rounds; r++ {
		t0 := time.Now()
		c0 := processCPUTime()
		for i := 0; i < pass; i++ {
			if _, err := dec.DecodeAccessUnit(aus[i%len(aus)]); err != nil {
				b.Fatal(err)
			}
		}
		c := processCPUTime() - c0
		wall += time.Since(t0)
		cpuAll += c
		ours := float64(c) / float64(pass) / 1e6
		if best < 0 || ours < best {
			best = ours
		}
		b.StopTimer()
		oneRun = ffmpegCPU(b, "-i", file, "-frames:v", "1", "-f", "null", "-")
		manyRun = ffmpegCPU(b, "-i", loop, "-f", "null", "-")
		b.StartTimer()
		ffOne, ffMany = min(ffOne, oneRun), min(ffMany, manyRun)
		if ff := float64(manyRun-oneRun) / float64(pass-1) / 1e6; ff > 0 {
			ratioSum += ours / ff
		}
	}
	b.StopTimer()
	ffBest = float64(ffMany-ffOne) / float64(pass-1) / 1e6
	decodes := rounds * pass
	b.ReportMetric(float64(wall)/float64(decodes)/1e6, "wall-ms/picture")
	b.ReportMetric(best, "cpu-ms/picture")
	b.ReportMetric(float64(cpuAll)/float64(decodes)/1e6, "mean-cpu-ms/picture")
	b.ReportMetric(ffBest, "ffmpeg-cpu-ms/picture")
	if ffBest > 0 {
		b.ReportMetric(best/ffBest, "ratio")
	}
	b.ReportMetric(ratioSum/float64(rounds), "mean-ratio")
}

// processCPUTime is this process's user+sys CPU time.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
