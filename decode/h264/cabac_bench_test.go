package h264

import (
	"bytes"
	"fmt"
	"math/rand/v2"
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

// benchSlice is a synthetic slice of residual blocks whose statistics
// resemble a 1080p intra picture at QP ~26: most 4x4 blocks hold a few
// levels near the start of the scan, mostly +-1, with rare escapes.
type benchBlock struct {
	cat, n, inc int
}

func makeBenchSlice(nblocks int) (data []byte, blocks []benchBlock, bins int) {
	r := rand.New(rand.NewPCG(42, 42))
	var d cabac
	d.initContexts(26, -1)
	var e testEncoder
	e.ctx = d.ctx
	e.initEngine()
	for i := 0; i < nblocks; i++ {
		b := benchBlock{cat: 2, n: 16, inc: r.IntN(4)}
		switch x := r.IntN(20); {
		case x < 2:
			b = benchBlock{cat: 5, n: 64, inc: -1}
		case x < 4:
			b = benchBlock{cat: 4, n: 15, inc: r.IntN(4)}
		case x < 5:
			b = benchBlock{cat: 3, n: 4, inc: r.IntN(4)}
		}
		lv := make([]int32, b.n)
		coded := b.inc < 0 || r.IntN(10) < 7
		if coded {
			scale := 3.0 / float64(b.n)
			if b.n == 64 {
				scale = 10.0 / 64
			}
			for j := range lv {
				if r.Float64() < 0.8-float64(j)*scale*0.25 {
					a := int32(1)
					switch x := r.IntN(100); {
					case x < 20:
						a = 2 + r.Int32N(3)
					case x < 23:
						a = 5 + r.Int32N(40)
					}
					if r.IntN(2) == 0 {
						a = -a
					}
					lv[j] = a
				}
			}
			if b.inc < 0 {
				lv[0] |= 1
			}
		}
		e.encResidual(lv, b.cat, b.inc)
		blocks = append(blocks, b)
	}
	e.terminate(1)
	return e.finishSlice(), blocks, e.nbins
}

// BenchmarkCABACResidual decodes the synthetic slice with residualBlock and
// reports CPU time per bin.
func BenchmarkCABACResidual(b *testing.B) {
	data, blocks, bins := makeBenchSlice(20000)
	var d cabac
	coef := make([]int32, 64)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	cpu0 := processCPU(b)
	for b.Loop() {
		d.initContexts(26, -1)
		d.start(data, 0)
		for _, bl := range blocks {
			d.residualBlock(coef, bl.cat, bl.n, bl.inc)
		}
		if !d.decodeTerminate() || d.err != nil {
			b.Fatal("slice did not end at its stop bit", d.err)
		}
	}
	cpu := processCPU(b) - cpu0
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/float64(bins), "cpu-ns/bin")
}

// Replay of the CABAC calls of real slices: the stream is encoded by
// ffmpeg+x264 like the project's 1080p benchmark (bench/h264_test.go),
// decoded once by the Decoder with the calls recorded (cabac_trace.go), and
// the calls are then replayed on the same slice data: the same bins are
// decoded, without the rest of the decoder.

const replayFrames = 4

type replayStream struct {
	file  string
	calls []cabacCall
	bytes int // slice data bytes per picture
	ctx   [1024]uint8
	e     engine
}

var (
	replayOnce sync.Once
	replayVal  replayStream
	replayErr  error
)

func recordRealCABAC(tb testing.TB) *replayStream {
	ffmpeg := testtool.Need(tb, "ffmpeg")
	replayOnce.Do(func() { replayVal, replayErr = makeReplay(ffmpeg) })
	if replayErr != nil {
		tb.Fatal(replayErr)
	}
	return &replayVal
}

func makeReplay(ffmpeg string) (replayStream, error) {
	var r replayStream
	dir := filepath.Join(os.TempDir(), "stills-bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return r, err
	}
	r.file = filepath.Join(dir, fmt.Sprintf("cabac-1080p-high-idr%d.264", replayFrames))
	if st, err := os.Stat(r.file); err != nil || st.Size() == 0 {
		tmp := r.file + ".tmp"
		cmd := exec.Command(ffmpeg, "-v", "error", "-y", "-f", "lavfi",
			"-i", "testsrc2=size=1920x1080:rate=5,noise=alls=20:allf=t",
			"-frames:v", fmt.Sprint(replayFrames), "-pix_fmt", "yuv420p",
			"-c:v", "libx264", "-preset", "fast", "-profile:v", "high",
			"-x264-params", "keyint=1:cabac=1:8x8dct=1:bitrate=6000:vbv-maxrate=6000:vbv-bufsize=6000",
			"-f", "h264", tmp)
		if out, err := cmd.CombinedOutput(); err != nil {
			return r, fmt.Errorf("making the stream: %v\n%s", err, out)
		}
		if err := os.Rename(tmp, r.file); err != nil {
			return r, err
		}
	}
	data, err := os.ReadFile(r.file)
	if err != nil {
		return r, err
	}
	nals, ok := decode.SplitAnnexB(nil, data)
	if !ok {
		return r, fmt.Errorf("%s: too many NAL units", r.file)
	}
	d := NewDecoder()
	d.sd.cabac.rec = &r.calls
	pictures := 0
	for _, au := range SplitAccessUnits(nals) {
		if _, err := d.DecodeAccessUnit(au); err != nil {
			return r, fmt.Errorf("%s: %v", r.file, err)
		}
		pictures++
	}
	d.sd.cabac.rec = nil
	if pictures != replayFrames {
		return r, fmt.Errorf("%s: %d pictures, want %d", r.file, pictures, replayFrames)
	}
	for i := range r.calls {
		if r.calls[i].op == opStart {
			r.bytes += len(r.calls[i].data) - int(r.calls[i].a)
		}
	}
	r.bytes /= replayFrames
	r.ctx, r.e = d.sd.cabac.ctx, d.sd.cabac.e
	return r, nil
}

// replayCABAC runs the recorded calls on c and returns a checksum of the
// decoded values.
func replayCABAC(c *cabac, calls []cabacCall, coef []int32) int {
	sum := 0
	for i := range calls {
		k := &calls[i]
		switch k.op {
		case opStart:
			c.start(k.data, int(k.a))
		case opInitContexts:
			c.initContexts(int(k.a), int(k.b))
		case opTerminate:
			if c.decodeTerminate() {
				sum++
			}
		case opPCMPos:
			sum += c.pcmPos()
		case opMbTypeI:
			sum += c.mbTypeI(int(k.a))
		case opTransform8x8:
			sum += boolArg(c.transformSize8x8Flag(int(k.a)))
		case opPrevIntraPred:
			sum += boolArg(c.prevIntraPredModeFlag())
		case opRemIntraPred:
			sum += c.remIntraPredMode()
		case opIntraPredModes:
			var rem [16]int8
			c.intraPredModes(int(k.a), &rem)
			for _, r := range rem {
				sum += int(r)
			}
		case opChromaPred:
			sum += c.intraChromaPredMode(int(k.a))
		case opCBP:
			sum += c.codedBlockPattern(int(k.a), int(k.b), k.x != 0)
		case opQpDelta:
			sum += c.mbQpDelta(k.a != 0)
		case opResidual:
			sum += c.residualBlock(coef[:k.y], int(k.a), int(k.b), int(k.x))
		}
	}
	return sum
}

// TestCABACReplayReal checks that the replay decodes what the decoder
// decoded: the same final context states and engine state, no error.
func TestCABACReplayReal(t *testing.T) {
	r := recordRealCABAC(t)
	var c cabac
	coef := make([]int32, 64)
	replayCABAC(&c, r.calls, coef)
	if c.err != nil || c.ctx != r.ctx || c.e != r.e {
		t.Fatalf("replay of %d calls differs from the decode (err %v)", len(r.calls), c.err)
	}
}

// BenchmarkCABACReplay1080p replays the CABAC calls of 1080p High-profile
// IDR pictures (~150 KB each): the entropy decoding alone, per picture.
// ffmpeg-cpu-ms/picture is ffmpeg -threads 1 decoding the same pictures
// completely (entropy decoding, reconstruction, deblocking), measured in the
// same run, to show how much of the decoder's time budget the entropy
// decoding takes; cabac/ffmpeg is the ratio of the CPU times.
func BenchmarkCABACReplay1080p(b *testing.B) {
	r := recordRealCABAC(b)
	var c cabac
	coef := make([]int32, 64)
	b.ReportAllocs()
	b.SetBytes(int64(r.bytes * replayFrames))
	b.ResetTimer()
	cpu0 := processCPU(b)
	for b.Loop() {
		replayCABAC(&c, r.calls, coef)
	}
	cpu := processCPU(b) - cpu0
	b.StopTimer()
	// CPU time, as for ffmpeg: wall time on a shared machine is unfair.
	ours := float64(cpu.Nanoseconds()) / float64(b.N) / replayFrames / 1e6
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/replayFrames/1e6, "wall-ms/picture")
	b.ReportMetric(ours, "cabac-cpu-ms/picture")
	if ff := ffmpegCPUMsPerPicture(b, r.file); ff > 0 {
		b.ReportMetric(ff, "ffmpeg-cpu-ms/picture")
		b.ReportMetric(ours/ff, "cabac/ffmpeg")
	}
}

// processCPU is the CPU time (user + system) of this process so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ffmpegCPUMsPerPicture is ffmpeg -threads 1's CPU time per picture on the
// stream, without its start-up: (time for the stream 9 times over - time for
// it once) / (8 * pictures).
func ffmpegCPUMsPerPicture(b *testing.B, file string) float64 {
	ffmpeg := testtool.Need(b, "ffmpeg")
	data, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	loop := filepath.Join(b.TempDir(), "x9.264")
	if err := os.WriteFile(loop, bytes.Repeat(data, 9), 0o644); err != nil {
		b.Fatal(err)
	}
	run := func(f string) time.Duration {
		cmd := exec.Command(ffmpeg, "-v", "error", "-threads", "1", "-i", f, "-f", "null", "-")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("ffmpeg: %v\n%s", err, out)
		}
		return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	one, nine := run(file), run(loop)
	return float64(nine-one) / 8 / replayFrames / 1e6
}
