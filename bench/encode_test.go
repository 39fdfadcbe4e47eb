package bench

// BenchmarkEncodeJPEG720VsCjpeg: the pure-Go encoder (package encode)
// against libjpeg-turbo's cjpeg on the same 1280×720 picture, in the same
// run, at quality 80.
//
// The picture is ffmpeg's testsrc2 rendered once into limited-range BT.709
// yuv420p (what a camera stream decodes to); cjpeg gets the same picture as
// a PPM (ffmpeg's RGB conversion of that YUV, written once). Each side does
// its own colour work: ours converts limited BT.709 to JFIF YCbCr, cjpeg
// converts RGB to YCbCr and subsamples chroma.
//
// Times are CPU times (fair on a shared machine), medians of 25 interleaved
// runs. cjpeg's time per frame is the CPU time of one cjpeg process on the
// frame minus that of a cjpeg process on a 16×16 PPM (its start-up and
// exit); the unadjusted per-process time is reported too. Metrics:
// ours-cpu-ms/frame, cjpeg-cpu-ms/frame, cjpeg-process-cpu-ms/frame and
// ratio = ours/cjpeg (target ≤ 2).

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stills/stills/decode"
	"github.com/stills/stills/encode"
	"github.com/stills/stills/internal/testtool"
)

const encW, encH = 1280, 720

// encodeBenchInputs returns the frame and the path of the same picture as PPM.
func encodeBenchInputs(b *testing.B) (*decode.Frame, string, string) {
	ffmpeg := testtool.Need(b, "ffmpeg")
	dir := b.TempDir()
	yuvPath := filepath.Join(dir, "frame.yuv")
	ppmPath := filepath.Join(dir, "frame.ppm")
	tinyPath := filepath.Join(dir, "tiny.ppm")
	size := fmt.Sprintf("%dx%d", encW, encH)
	cmds := [][]string{
		{"-v", "error", "-f", "lavfi", "-i", "testsrc2=size=" + size, "-frames:v", "1",
			"-vf", "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p", "-f", "rawvideo", "-y", yuvPath},
		{"-v", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", size, "-i", yuvPath,
			"-vf", "scale=in_color_matrix=bt709:in_range=tv:flags=accurate_rnd+full_chroma_int,format=rgb24", "-y", ppmPath},
		{"-v", "error", "-f", "lavfi", "-i", "testsrc2=size=16x16", "-frames:v", "1", "-pix_fmt", "rgb24", "-y", tinyPath},
	}
	for _, args := range cmds {
		if out, err := exec.Command(ffmpeg, args...).CombinedOutput(); err != nil {
			b.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
		}
	}
	yuv, err := os.ReadFile(yuvPath)
	if err != nil {
		b.Fatal(err)
	}
	cw, ch := encW/2, encH/2
	if len(yuv) != encW*encH+2*cw*ch {
		b.Fatalf("ffmpeg wrote %d YUV bytes", len(yuv))
	}
	f := &decode.Frame{Width: encW, Height: encH, ChromaFormat: decode.Chroma420, BitDepthY: 8, BitDepthC: 8,
		YStride: encW, CStride: cw, Colour: decode.ColourInfo{Present: true, MatrixCoefficients: 1}}
	f.Y, f.Cb, f.Cr = make([]uint16, encW*encH), make([]uint16, cw*ch), make([]uint16, cw*ch)
	for i := range f.Y {
		f.Y[i] = uint16(yuv[i])
	}
	for i := range f.Cb {
		f.Cb[i] = uint16(yuv[encW*encH+i])
		f.Cr[i] = uint16(yuv[encW*encH+cw*ch+i])
	}
	return f, ppmPath, tinyPath
}

// cjpegCPU runs cjpeg -quality 80 on path once and returns its CPU time and
// output.
func cjpegCPU(b *testing.B, cjpeg, path string) (time.Duration, []byte) {
	var buf bytes.Buffer
	cmd := exec.Command(cjpeg, "-quality", "80", path)
	cmd.Stdout = &buf
	if err := cmd.Run(); err != nil {
		b.Fatalf("cjpeg: %v", err)
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), buf.Bytes()
}

// median returns the median of d (d is reordered).
func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}

func BenchmarkEncodeJPEG720VsCjpeg(b *testing.B) {
	cjpeg := testtool.Need(b, "cjpeg")
	f, ppm, tiny := encodeBenchInputs(b)
	const runs = 25 // per side, whatever b.N is (CI runs -benchtime 1x)
	e := encode.NewEncoder()
	o := encode.Options{Format: encode.JPEG, Quality: 80}
	dst, err := e.Encode(nil, f, o)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(encW * encH * 3 / 2))
	n := max(b.N, runs)
	// The three measurements are interleaved, so that both sides see the
	// same machine load, and medians are taken, so that a descheduled run
	// does not count.
	ours := make([]time.Duration, n)
	proc := make([]time.Duration, n)
	start := make([]time.Duration, n)
	var cout []byte
	b.ResetTimer()
	for i := 0; i < n; i++ {
		c0 := processCPUTime()
		if dst, err = e.Encode(dst, f, o); err != nil {
			b.Fatal(err)
		}
		ours[i] = processCPUTime() - c0
		b.StopTimer()
		proc[i], cout = cjpegCPU(b, cjpeg, ppm)
		start[i], _ = cjpegCPU(b, cjpeg, tiny)
		b.StartTimer()
	}
	b.StopTimer()
	mo, mp, ms0 := median(ours), median(proc), median(start)
	peer := mp - ms0
	if peer <= 0 {
		peer = mp
	}
	ms := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }
	b.ReportMetric(ms(mo), "ours-cpu-ms/frame")
	b.ReportMetric(ms(peer), "cjpeg-cpu-ms/frame")
	b.ReportMetric(ms(mp), "cjpeg-process-cpu-ms/frame")
	b.ReportMetric(ms(mo)/ms(peer), "ratio")
	b.ReportMetric(float64(len(dst)), "ours-bytes")
	b.ReportMetric(float64(len(cout)), "cjpeg-bytes")
}

// BenchmarkEncodeScaleJPEG1080To720: scaling a 1920×1080 limited BT.709
// frame to 1280×720 and coding it at q80 (CPU ms per frame), beside similar
// work by ffmpeg in one thread: swscale's area filter to full-range 4:2:0
// (no matrix change, which ours also does) and its mjpeg encoder at -q:v 5
// (its own quality scale, close in size to q80), per frame with start-up
// subtracted (40 frames minus 1 frame, over 39).
func BenchmarkEncodeScaleJPEG1080To720(b *testing.B) {
	ffmpeg := testtool.Need(b, "ffmpeg")
	dir := b.TempDir()
	yuvPath := filepath.Join(dir, "f1080.yuv")
	if out, err := exec.Command(ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1920x1080", "-frames:v", "1",
		"-vf", "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p", "-f", "rawvideo", "-y", yuvPath).CombinedOutput(); err != nil {
		b.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	yuv, err := os.ReadFile(yuvPath)
	if err != nil || len(yuv) != 1920*1080*3/2 {
		b.Fatalf("reading %s: %v (%d bytes)", yuvPath, err, len(yuv))
	}
	f := &decode.Frame{Width: 1920, Height: 1080, ChromaFormat: decode.Chroma420, BitDepthY: 8, BitDepthC: 8,
		YStride: 1920, CStride: 960, Colour: decode.ColourInfo{Present: true, MatrixCoefficients: 1}}
	f.Y, f.Cb, f.Cr = make([]uint16, 1920*1080), make([]uint16, 960*540), make([]uint16, 960*540)
	for i := range f.Y {
		f.Y[i] = uint16(yuv[i])
	}
	for i := range f.Cb {
		f.Cb[i], f.Cr[i] = uint16(yuv[1920*1080+i]), uint16(yuv[1920*1080+960*540+i])
	}
	e := encode.NewEncoder()
	o := encode.Options{Format: encode.JPEG, Width: 1280}
	dst, err := e.Encode(nil, f, o)
	if err != nil {
		b.Fatal(err)
	}
	const runs = 20
	n := max(b.N, runs)
	b.ReportAllocs()
	b.ResetTimer()
	c0 := processCPUTime()
	for i := 0; i < n; i++ {
		if dst, err = e.Encode(dst, f, o); err != nil {
			b.Fatal(err)
		}
	}
	ours := (processCPUTime() - c0) / time.Duration(n)
	b.StopTimer()
	// ffmpeg: the same frame looped `frames` times vs once; the difference
	// is the per-frame cost without start-up.
	ffcpu := func(frames int) time.Duration {
		cmd := exec.Command(ffmpeg, "-v", "error", "-threads", "1", "-filter_threads", "1",
			"-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", "1920x1080", "-stream_loop", fmt.Sprint(frames-1), "-i", yuvPath,
			"-vf", "scale=1280:720:flags=area:out_range=pc,format=yuvj420p", "-c:v", "mjpeg", "-q:v", "5", "-f", "null", "-")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("ffmpeg: %v\n%s", err, out)
		}
		return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	const frames = 40
	peer := (ffcpu(frames) - ffcpu(1)) / (frames - 1)
	ms := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }
	b.ReportMetric(ms(ours), "ours-cpu-ms/frame")
	b.ReportMetric(ms(peer), "ffmpeg-cpu-ms/frame")
	b.ReportMetric(ms(ours)/ms(peer), "ratio")
}
