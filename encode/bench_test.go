package encode

import (
	"bytes"
	"image"
	"image/png"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stills/stills/decode"
	"golang.org/x/image/draw"
)

var benchFrames sync.Map // key string → *decode.Frame

func benchFrame(w, h int, cf decode.ChromaFormat, depth int, m refMatrix, mc uint8, full bool) *decode.Frame {
	key := [6]int{w, h, int(cf), depth, int(mc), map[bool]int{false: 0, true: 1}[full]}
	if f, ok := benchFrames.Load(key); ok {
		return f.(*decode.Frame)
	}
	f := frameFromRGB(naturalRGB(w, h), cf, depth, m, mc, full)
	benchFrames.Store(key, f)
	return f
}

func benchEncode(b *testing.B, f *decode.Frame, o Options) {
	e := NewEncoder()
	dst, err := e.Encode(nil, f, o)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(f.Width * f.Height * 3 / 2))
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		dst, err = e.Encode(dst, f, o)
		if err != nil {
			b.Fatal(err)
		}
	}
	reportTimes(b, c0)
}

// cpuTime is the process's user+system CPU time: on a shared machine it is
// a steadier measure than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportTimes(b *testing.B, c0 time.Duration) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ms/image")
	b.ReportMetric(float64((cpuTime()-c0).Nanoseconds())/float64(b.N)/1e6, "cpu-ms/image")
}

// 1280×720 4:2:0 limited-range BT.709 (the common camera case) at q80.
func BenchmarkJPEG720(b *testing.B) {
	benchEncode(b, benchFrame(1280, 720, decode.Chroma420, 8, ref709, 1, false), Options{Format: JPEG})
}

// Full-range BT.601: no colour conversion.
func BenchmarkJPEG720JFIF(b *testing.B) {
	benchEncode(b, benchFrame(1280, 720, decode.Chroma420, 8, ref601, 6, true), Options{Format: JPEG})
}

func BenchmarkJPEG1080To720(b *testing.B) {
	benchEncode(b, benchFrame(1920, 1080, decode.Chroma420, 8, ref709, 1, false), Options{Format: JPEG, Width: 1280})
}

func BenchmarkJPEG720_10bit(b *testing.B) {
	benchEncode(b, benchFrame(1280, 720, decode.Chroma420, 10, ref709, 1, false), Options{Format: JPEG})
}

// BenchmarkScale1080To720 times the scaler alone: the three planes of a
// 1920×1080 4:2:0 frame to the 1280×720 luma and 640×360 chroma planes of a
// 4:2:0 JPEG.
func BenchmarkScale1080To720(b *testing.B) {
	f := benchFrame(1920, 1080, decode.Chroma420, 8, ref709, 1, false)
	var sc scaler
	run := func() {
		sc.yh.setup(axisKey{1920, 1280, 1920, 1280, 1, 1})
		sc.yv.setup(axisKey{1080, 720, 1080, 720, 1, 1})
		sc.ch.setup(axisKey{960, 640, 1920, 1280, 2, 2})
		sc.cv.setup(axisKey{540, 360, 1080, 720, 2, 2})
		sc.scale(plane{f.Y, f.YStride, 1920, 1080, 8}, &sc.yh, &sc.yv, &sc.buf[0])
		sc.scale(plane{f.Cb, f.CStride, 960, 540, 8}, &sc.ch, &sc.cv, &sc.buf[1])
		sc.scale(plane{f.Cr, f.CStride, 960, 540, 8}, &sc.ch, &sc.cv, &sc.buf[2])
	}
	run() // allocate the buffers and weights once
	b.ReportAllocs()
	b.SetBytes(int64(f.Width * f.Height * 3 / 2))
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		run()
	}
	reportTimes(b, c0)
}

func BenchmarkPNG720(b *testing.B) {
	benchEncode(b, benchFrame(1280, 720, decode.Chroma420, 8, ref709, 1, false), Options{Format: PNG})
}

// BenchmarkPNGStdlib720 is the peer for BenchmarkPNG720: image/png at
// BestSpeed with a reused Encoder and BufferPool, given the RGB image our
// encoder produced (so it measures the PNG stage only; compare its ms/image
// with BenchmarkPNG720 minus scaling/colour, and its bytes/image).
func BenchmarkPNGStdlib720(b *testing.B) {
	f := benchFrame(1280, 720, decode.Chroma420, 8, ref709, 1, false)
	out, err := NewEncoder().Encode(nil, f, Options{Format: PNG})
	if err != nil {
		b.Fatal(err)
	}
	src, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		b.Fatal(err)
	}
	rgba := image.NewRGBA(src.Bounds())
	for y := 0; y < 720; y++ {
		for x := 0; x < 1280; x++ {
			rgba.Set(x, y, src.At(x, y))
		}
	}
	enc := png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &pool{}}
	var buf bytes.Buffer
	b.ReportAllocs()
	b.SetBytes(int64(1280 * 720 * 3 / 2))
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		buf.Reset()
		if err := enc.Encode(&buf, rgba); err != nil {
			b.Fatal(err)
		}
	}
	reportTimes(b, c0)
	b.ReportMetric(float64(buf.Len()), "bytes/image")
	b.Logf("ours: %d bytes, image/png BestSpeed: %d bytes", len(out), buf.Len())
}

type pool struct{ b *png.EncoderBuffer }

func (p *pool) Get() *png.EncoderBuffer  { return p.b }
func (p *pool) Put(b *png.EncoderBuffer) { p.b = b }

// BenchmarkScaleXDraw1080To720 is the peer for BenchmarkScale1080To720:
// golang.org/x/image/draw's BiLinear (the filter closest to ours; it also
// widens its support when shrinking) scaling the same picture as an 8-bit
// 4:2:0 image.YCbCr into an image.RGBA, its fast path. It does the colour
// conversion too, which ours leaves to the encoders, so it is an upper
// bound on what using draw would cost.
func BenchmarkScaleXDraw1080To720(b *testing.B) {
	f := benchFrame(1920, 1080, decode.Chroma420, 8, ref709, 1, false)
	src := image.NewYCbCr(image.Rect(0, 0, 1920, 1080), image.YCbCrSubsampleRatio420)
	for y := 0; y < 1080; y++ {
		for x := 0; x < 1920; x++ {
			src.Y[y*src.YStride+x] = uint8(f.Y[y*f.YStride+x])
		}
	}
	for y := 0; y < 540; y++ {
		for x := 0; x < 960; x++ {
			src.Cb[y*src.CStride+x] = uint8(f.Cb[y*f.CStride+x])
			src.Cr[y*src.CStride+x] = uint8(f.Cr[y*f.CStride+x])
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, 1280, 720))
	b.ReportAllocs()
	b.SetBytes(int64(1920 * 1080 * 3 / 2))
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		draw.BiLinear.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	}
	reportTimes(b, c0)
}
