package encode

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stills/stills/decode"
)

func TestOutputSize(t *testing.T) {
	cases := []struct {
		srcW, srcH, sarW, sarH, reqW, reqH int
		w, h                               int
	}{
		{1920, 1080, 0, 0, 0, 0, 1920, 1080},          // neither: source size
		{1920, 1080, 4, 3, 0, 0, 1920, 1080},          // neither: SAR not applied
		{1920, 1080, 0, 0, 640, 480, 640, 480},        // both: stretched
		{1920, 1080, 0, 0, 1280, 0, 1280, 720},        // width only
		{1920, 1080, 0, 0, 0, 360, 640, 360},          // height only
		{640, 480, 0, 0, 100, 0, 100, 75},             // 4:3
		{640, 480, 0, 0, 0, 1, 1, 1},                  // 4/3 → 1.33 rounds to 1
		{640, 480, 0, 0, 1, 0, 1, 1},                  // 0.75 rounds to 1
		{1000, 1, 0, 0, 10, 0, 10, 1},                 // 0.01 → at least 1
		{720, 576, 16, 15, 0, 576, 768, 576},          // PAL 4:3 anamorphic: 720·16/15 = 768
		{720, 576, 64, 45, 1024, 0, 1024, 576},        // PAL 16:9: 720·64/45 = 1024
		{1440, 1080, 4, 3, 1920, 0, 1920, 1080},       // HDV
		{640, 360, 1, 1, 3, 0, 3, 2},                  // 1.6875 → 2
		{2, 16384, 0, 0, 3840, 0, 3840, MaxDimension}, // clamped
	}
	for _, c := range cases {
		w, h := OutputSize(c.srcW, c.srcH, c.sarW, c.sarH, c.reqW, c.reqH)
		if w != c.w || h != c.h {
			t.Errorf("OutputSize(%d,%d, sar %d:%d, req %d,%d) = %dx%d, want %dx%d",
				c.srcW, c.srcH, c.sarW, c.sarH, c.reqW, c.reqH, w, h, c.w, c.h)
		}
	}
}

// TestJPEGQuality: PSNR against the RGB source rises with quality and is at
// least 40 dB at quality 95 on natural-ish content, for a limited-range
// BT.709 source (the conversion path) and a full-range BT.601 one (the
// direct path).
func TestJPEGQuality(t *testing.T) {
	im := naturalRGB(640, 360)
	for _, src := range []struct {
		name string
		m    refMatrix
		mc   uint8
		full bool
	}{{"bt709-limited", ref709, 1, false}, {"bt601-full", ref601, 6, true}} {
		f := frameFromRGB(im, decode.Chroma420, 8, src.m, src.mc, src.full)
		e := NewEncoder()
		prev, prevSize := 0.0, 0
		for _, q := range []int{10, 30, 50, 70, 85, 95} {
			out, err := e.Encode(nil, f, Options{Format: JPEG, Quality: q})
			if err != nil {
				t.Fatal(err)
			}
			p := psnr(t, decodeRGB(t, out, JPEG), im)
			t.Logf("%s q%d: %d bytes, PSNR %.2f dB", src.name, q, len(out), p)
			if p <= prev || len(out) <= prevSize {
				t.Errorf("%s q%d: PSNR %.2f dB, %d bytes; not above the lower quality's %.2f dB, %d bytes",
					src.name, q, p, len(out), prev, prevSize)
			}
			prev, prevSize = p, len(out)
		}
		if prev < 40 {
			t.Errorf("%s: PSNR at q95 is %.2f dB, want ≥ 40", src.name, prev)
		}
	}
}

// TestPNGLossless: the PNG stage loses nothing. A full-range 4:0:0 frame is
// written as a gray PNG whose samples are exactly the frame's, and a
// full-range 4:4:4 frame with neutral chroma as RGB with R=G=B=Y, both on
// noise (incompressible) content.
func TestPNGLossless(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	w, h := 97, 61
	f := &decode.Frame{Width: w, Height: h, BitDepthY: 8, BitDepthC: 8, YStride: w,
		Colour: decode.ColourInfo{Present: true, FullRange: true, MatrixCoefficients: 1}}
	f.Y = make([]uint16, w*h)
	for i := range f.Y {
		f.Y[i] = uint16(r.IntN(256))
	}
	e := NewEncoder()
	out, err := e.Encode(nil, f, Options{Format: PNG})
	if err != nil {
		t.Fatal(err)
	}
	got := decodeRGB(t, out, PNG)
	for i, v := range f.Y {
		if g := got.pix[3*i]; g != uint8(v) {
			t.Fatalf("gray sample %d = %d, want %d", i, g, v)
		}
	}
	f.ChromaFormat = decode.Chroma444
	f.CStride = w
	f.Cb = make([]uint16, w*h)
	f.Cr = make([]uint16, w*h)
	for i := range f.Cb {
		f.Cb[i], f.Cr[i] = 128, 128
	}
	out, err = e.Encode(nil, f, Options{Format: PNG})
	if err != nil {
		t.Fatal(err)
	}
	got = decodeRGB(t, out, PNG)
	for i, v := range f.Y {
		if got.pix[3*i] != uint8(v) || got.pix[3*i+1] != uint8(v) || got.pix[3*i+2] != uint8(v) {
			t.Fatalf("pixel %d = %v, want gray %d", i, got.pix[3*i:3*i+3], v)
		}
	}
}

// TestPNGColourExact: a 4:4:4 frame at full size gives, in every pixel, the
// R'G'B' of the reference equations rounded, ±1, for each matrix and range.
func TestPNGColourExact(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	w, h := 64, 48
	for _, c := range []struct {
		m    refMatrix
		mc   uint8
		full bool
	}{{ref601, 6, false}, {ref601, 5, true}, {ref709, 1, false}, {ref709, 1, true}, {ref2020, 9, false}} {
		for _, depth := range []int{8, 10} {
			f := &decode.Frame{Width: w, Height: h, ChromaFormat: decode.Chroma444, BitDepthY: depth, BitDepthC: depth,
				YStride: w, CStride: w, Colour: decode.ColourInfo{Present: true, FullRange: c.full, MatrixCoefficients: c.mc}}
			f.Y, f.Cb, f.Cr = make([]uint16, w*h), make([]uint16, w*h), make([]uint16, w*h)
			for i := range f.Y {
				f.Y[i], f.Cb[i], f.Cr[i] = uint16(r.IntN(1<<depth)), uint16(r.IntN(1<<depth)), uint16(r.IntN(1<<depth))
			}
			out, err := NewEncoder().Encode(nil, f, Options{Format: PNG})
			if err != nil {
				t.Fatal(err)
			}
			got := decodeRGB(t, out, PNG)
			div := math.Ldexp(1, depth-8)
			bad := 0
			for i := range f.Y {
				rr, gg, bb := c.m.yCbCrToRGB(float64(f.Y[i])/div, float64(f.Cb[i])/div, float64(f.Cr[i])/div, c.full)
				for k, v := range [3]float64{rr, gg, bb} {
					want := math.Round(min(max(v, 0), 255))
					if math.Abs(float64(got.pix[3*i+k])-want) > 1 {
						if bad++; bad < 5 {
							t.Errorf("mc %d full %v depth %d: pixel %d channel %d = %d, want %v",
								c.mc, c.full, depth, i, k, got.pix[3*i+k], want)
						}
					}
				}
			}
		}
	}
}

// TestFormatsAndSizes covers every chroma format, bit depths 8 and 10, odd
// sizes and scaling in both directions: the output must decode, have the
// requested size, and show the flat colour of the source in every pixel.
func TestFormatsAndSizes(t *testing.T) {
	sizes := [][2]int{{1, 1}, {3, 5}, {17, 9}, {64, 36}}
	outs := [][2]int{{0, 0}, {1, 1}, {7, 3}, {40, 0}, {0, 130}}
	formats := []decode.ChromaFormat{decode.Chroma400, decode.Chroma420, decode.Chroma422, decode.Chroma444}
	// An orange-ish colour in 8-bit limited BT.601: Y 150, Cb 80, Cr 190.
	const y8, cb8, cr8 = 150, 80, 190
	e := NewEncoder()
	for _, cf := range formats {
		for _, depth := range []int{8, 10} {
			for _, sz := range sizes {
				f := flatFrame(sz[0], sz[1], cf, depth, y8, cb8, cr8)
				cb, cr := float64(cb8), float64(cr8)
				if cf == decode.Chroma400 {
					cb, cr = 128, 128
				}
				wr, wg, wb := ref601.yCbCrToRGB(y8, cb, cr, false)
				want := [3]float64{wr, wg, wb}
				for _, o := range outs {
					for _, format := range []Format{JPEG, PNG} {
						name := fmt.Sprintf("%s/%d-bit/%dx%d→%dx%d/%v", f.PixFmt(), depth, sz[0], sz[1], o[0], o[1], format)
						out, err := e.Encode(nil, f, Options{Format: format, Width: o[0], Height: o[1], Quality: 90})
						if err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						got := decodeRGB(t, out, format)
						ww, hh := OutputSize(sz[0], sz[1], 0, 0, o[0], o[1])
						if got.w != ww || got.h != hh {
							t.Fatalf("%s: decoded %dx%d, want %dx%d", name, got.w, got.h, ww, hh)
						}
						tol := 1.0
						if format == JPEG {
							tol = 3 // two roundings in the JPEG, one in image/jpeg's YCbCr→RGB
						}
						for i := 0; i < ww*hh; i++ {
							for k := 0; k < 3; k++ {
								if math.Abs(float64(got.pix[3*i+k])-math.Round(want[k])) > tol {
									t.Fatalf("%s: pixel %d = %v, want %.1f %.1f %.1f", name, i, got.pix[3*i:3*i+3], wr, wg, wb)
								}
							}
						}
					}
				}
			}
		}
	}
}

// flatFrame returns a frame of one colour given on the 8-bit scale.
func flatFrame(w, h int, cf decode.ChromaFormat, depth int, y, cb, cr uint16) *decode.Frame {
	s := uint(depth - 8)
	f := &decode.Frame{Width: w, Height: h, ChromaFormat: cf, BitDepthY: depth, BitDepthC: depth,
		Colour: decode.ColourInfo{Present: true, MatrixCoefficients: 6}}
	f.YStride = w
	f.Y = make([]uint16, w*h)
	for i := range f.Y {
		f.Y[i] = y << s
	}
	if cf != decode.Chroma400 {
		f.CStride = f.ChromaWidth()
		n := f.CStride * f.ChromaHeight()
		f.Cb, f.Cr = make([]uint16, n), make([]uint16, n)
		for i := range f.Cb {
			f.Cb[i], f.Cr[i] = cb<<s, cr<<s
		}
	}
	return f
}

// TestChromaFormatsNatural: natural content in every chroma format (and a
// large odd size) stays close to its RGB source through both formats.
func TestChromaFormatsNatural(t *testing.T) {
	for _, c := range []struct {
		w, h  int
		cf    decode.ChromaFormat
		depth int
	}{
		{320, 180, decode.Chroma420, 8}, {320, 180, decode.Chroma422, 8}, {320, 180, decode.Chroma444, 8},
		{320, 180, decode.Chroma420, 10}, {321, 181, decode.Chroma422, 10}, {1921, 1081, decode.Chroma420, 8},
	} {
		im := naturalRGB(c.w, c.h)
		f := frameFromRGB(im, c.cf, c.depth, ref709, 1, false)
		e := NewEncoder()
		for _, format := range []Format{JPEG, PNG} {
			out, err := e.Encode(nil, f, Options{Format: format, Quality: 95})
			if err != nil {
				t.Fatal(err)
			}
			p := psnr(t, decodeRGB(t, out, format), im)
			limit := 40.0
			if format == PNG {
				limit = 45
			}
			if p < limit {
				t.Errorf("%dx%d %s %v: PSNR %.2f dB, want ≥ %v", c.w, c.h, f.PixFmt(), format, p, limit)
			}
		}
	}
}

// TestScaleGeometry: a linear ramp stays a linear ramp under every filter
// (the weights are symmetric about the mapped position), so an output sample
// must equal the ramp at the position the geometry maps it to.
func TestScaleGeometry(t *testing.T) {
	for _, c := range []struct{ src, dst int }{{300, 200}, {1920, 1280}, {300, 81}, {100, 230}, {64, 64}, {99, 100}, {1000, 7}} {
		src := make([]uint16, c.src)
		for i := range src {
			src[i] = uint16(1000 + i*8)
		}
		var a axis
		a.setup(axisKey{c.src, c.dst, c.src, c.dst, 1, 1})
		dst := make([]uint16, c.dst)
		hpass(dst, src, &a, 14)
		f := float64(c.src) / float64(c.dst)
		for i, v := range dst {
			pos := (float64(i)+0.5)*f - 0.5
			// Skip outputs whose support reaches past an edge (edge
			// samples repeat there, bending the ramp).
			half := max(f, 1) / 2
			if pos-half-1 < 0 || pos+half+1 > float64(c.src-1) {
				continue
			}
			want := 1000 + pos*8
			if math.Abs(float64(v)-want) > 1 {
				t.Errorf("%d→%d: output %d = %d, want %.2f (taps %d)", c.src, c.dst, i, v, want, a.taps)
				break
			}
		}
		// The weights of every output must sum to one.
		for i := 0; i < c.dst; i++ {
			var s int32
			for _, w := range a.w[i*a.taps : (i+1)*a.taps] {
				if w < 0 {
					t.Fatalf("%d→%d: negative weight", c.src, c.dst)
				}
				s += w
			}
			if s != 1<<weightBits {
				t.Fatalf("%d→%d: weights of output %d sum to %d", c.src, c.dst, i, s)
			}
			if st := int(a.start[i]); st < 0 || st+a.taps > c.src {
				t.Fatalf("%d→%d: window %d+%d outside the source", c.src, c.dst, st, a.taps)
			}
		}
	}
}

// TestBitDepth10: a 10-bit frame holding an 8-bit frame's values ×4 encodes
// to the same picture (deeper samples are rounded to 8 bits once).
func TestBitDepth10(t *testing.T) {
	im := naturalRGB(200, 120)
	f8 := frameFromRGB(im, decode.Chroma420, 8, ref709, 1, false)
	f10 := *f8
	f10.BitDepthY, f10.BitDepthC = 10, 10
	f10.Y, f10.Cb, f10.Cr = shifted(f8.Y, 2), shifted(f8.Cb, 2), shifted(f8.Cr, 2)
	e := NewEncoder()
	for _, o := range []Options{{Format: PNG}, {Format: PNG, Width: 150}, {Format: JPEG, Quality: 90}} {
		a, err := e.Encode(nil, f8, o)
		if err != nil {
			t.Fatal(err)
		}
		b, err := e.Encode(nil, &f10, o)
		if err != nil {
			t.Fatal(err)
		}
		ia, ib := decodeRGB(t, a, o.Format), decodeRGB(t, b, o.Format)
		if d := meanAbsDiff(t, ia, ib); d > 0.05 {
			t.Errorf("%+v: 10-bit output differs from 8-bit by %.3f on average", o, d)
		}
	}
}

func shifted(p []uint16, s uint) []uint16 {
	q := make([]uint16, len(p))
	for i, v := range p {
		q[i] = v << s
	}
	return q
}

// TestZeroAllocs: steady-state encoding allocates nothing.
func TestZeroAllocs(t *testing.T) {
	f := frameFromRGB(naturalRGB(320, 180), decode.Chroma420, 8, ref709, 1, false)
	for _, o := range []Options{{Format: JPEG}, {Format: JPEG, Width: 200}, {Format: JPEG, OptimizeHuffman: true},
		{Format: PNG}, {Format: PNG, Height: 100}} {
		e := NewEncoder()
		dst, err := e.Encode(nil, f, o)
		if err != nil {
			t.Fatal(err)
		}
		n := testing.AllocsPerRun(5, func() { dst, _ = e.Encode(dst, f, o) })
		if n != 0 {
			t.Errorf("%+v: %.1f allocations per image, want 0", o, n)
		}
	}
}

func TestErrors(t *testing.T) {
	good := flatFrame(16, 16, decode.Chroma420, 8, 100, 128, 128)
	e := NewEncoder()
	for _, o := range []Options{{Format: 7}, {Quality: -1}, {Quality: 101}, {Width: -1}, {Height: MaxDimension + 1}, {Width: MaxDimension, Height: MaxDimension}} {
		if _, err := e.Encode(nil, good, o); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("%+v: err %v, want ErrInvalidOptions", o, err)
		}
	}
	bad := []func(f *decode.Frame){
		func(f *decode.Frame) { f.Y = f.Y[:len(f.Y)-1] },
		func(f *decode.Frame) { f.Cr = f.Cr[:3] },
		func(f *decode.Frame) { f.YStride = 3 },
		func(f *decode.Frame) { f.CStride = 0 },
		func(f *decode.Frame) { f.BitDepthY = 16 },
		func(f *decode.Frame) { f.BitDepthC = 7 },
		func(f *decode.Frame) { f.Width = 0 },
		func(f *decode.Frame) { f.Height = MaxDimension + 1 },
		func(f *decode.Frame) { f.ChromaFormat = 9 },
		func(f *decode.Frame) { f.Width = 17 },         // wider than its stride
		func(f *decode.Frame) { f.YStride = 1 << 62 },  // stride·rows overflows
		func(f *decode.Frame) { f.CStride = -1 << 40 }, // negative stride
	}
	for i, mod := range bad {
		f := *good
		mod(&f)
		if _, err := e.Encode(nil, &f, Options{}); !errors.Is(err, ErrInvalidFrame) {
			t.Errorf("bad frame %d: err %v, want ErrInvalidFrame", i, err)
		}
	}
	if _, err := e.Encode(nil, good, Options{Format: PNG, Quality: 500}); err != nil {
		t.Errorf("PNG ignores the JPEG quality, got %v", err)
	}
	if _, err := e.Encode(nil, nil, Options{}); !errors.Is(err, ErrInvalidFrame) {
		t.Errorf("nil frame: err %v", err)
	}
	f := *good
	f.Colour = decode.ColourInfo{Present: true, MatrixCoefficients: 0}
	var ue UnsupportedError
	if _, err := e.Encode(nil, &f, Options{}); !errors.As(err, &ue) {
		t.Errorf("GBR frame: err %v, want UnsupportedError", err)
	}
	// Out-of-range sample values (a decoder bug) still encode without panic.
	f = *good
	f.Y = make([]uint16, len(good.Y))
	for i := range f.Y {
		f.Y[i] = 0xFFFF
	}
	for _, o := range []Options{{Format: JPEG}, {Format: PNG, Width: 5}} {
		if _, err := e.Encode(nil, &f, o); err != nil {
			t.Errorf("out-of-range samples %+v: %v", o, err)
		}
	}
}

// TestOptimizeHuffman: optimised tables change only the entropy coding, so
// the decoded picture must be identical to the standard-table one, and the
// file must not be larger. Flat content (a single symbol per table), gray,
// quality 100 (the largest coefficients) and odd sizes included.
func TestOptimizeHuffman(t *testing.T) {
	frames := map[string]*decode.Frame{
		"natural":   frameFromRGB(naturalRGB(333, 187), decode.Chroma420, 8, ref709, 1, false),
		"flat":      flatFrame(40, 24, decode.Chroma420, 8, 120, 100, 150),
		"gray":      frameFromRGB(naturalRGB(99, 45), decode.Chroma400, 8, ref601, 6, true),
		"one-pixel": flatFrame(1, 1, decode.Chroma444, 10, 16, 128, 128),
	}
	r := rand.New(rand.NewPCG(5, 6))
	noise := flatFrame(64, 64, decode.Chroma444, 8, 0, 0, 0)
	for i := range noise.Y {
		noise.Y[i], noise.Cb[i], noise.Cr[i] = uint16(r.IntN(256)), uint16(r.IntN(256)), uint16(r.IntN(256))
	}
	frames["noise"] = noise
	e := NewEncoder()
	for name, f := range frames {
		for _, q := range []int{5, 80, 100} {
			std, err := e.Encode(nil, f, Options{Format: JPEG, Quality: q})
			if err != nil {
				t.Fatal(err)
			}
			opt, err := e.Encode(nil, f, Options{Format: JPEG, Quality: q, OptimizeHuffman: true})
			if err != nil {
				t.Fatal(err)
			}
			a, b := decodeRGB(t, std, JPEG), decodeRGB(t, opt, JPEG)
			if d := meanAbsDiff(t, a, b); d != 0 {
				t.Errorf("%s q%d: optimised tables change the decoded picture (mean diff %.3f)", name, q, d)
			}
			if len(opt) > len(std) {
				t.Errorf("%s q%d: optimised %d bytes > standard %d bytes", name, q, len(opt), len(std))
			}
			t.Logf("%s q%d: standard %d bytes, optimised %d bytes", name, q, len(std), len(opt))
		}
	}
}

// TestBuildHuffmanLimit: counts in a Fibonacci-like progression force code
// lengths beyond 16 bits before the §K.3 adjustment; the result must be a
// complete prefix code of at most 16-bit codes, none all ones.
func TestBuildHuffmanLimit(t *testing.T) {
	var freq [257]int
	a, b := 1, 1
	for i := 0; i < 40; i++ {
		freq[i] = a
		a, b = b, a+b
	}
	var spec huffSpec
	var vals [256]uint8
	buildHuffman(&freq, &spec, &vals)
	if len(spec.vals) != 40 {
		t.Fatalf("%d symbols coded, want 40", len(spec.vals))
	}
	// Kraft sum of the codes plus the missing all-ones code must be 1.
	kraft := 0.0
	n := 0
	for l, c := range spec.bits {
		kraft += float64(c) * math.Ldexp(1, -(l+1))
		n += int(c)
	}
	if n != 40 {
		t.Fatalf("bits count %d codes, want 40", n)
	}
	last := 15
	for spec.bits[last] == 0 {
		last--
	}
	if kraft+math.Ldexp(1, -(last+1)) != 1 {
		t.Errorf("Kraft sum %v + one reserved code of %d bits ≠ 1: not a complete code", kraft, last+1)
	}
	var h huffEnc
	h.build(&spec)
	for _, v := range spec.vals {
		l := h[v] & 0xff
		if h[v]>>8 == 1<<l-1 {
			t.Errorf("symbol %d has the all-ones code", v)
		}
	}
}
