package encode

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"testing"

	"github.com/stills/stills/decode"
)

// Reference colour maths for tests, written from the standards' equations
// (BT.601/BT.709 Kr,Kb; H.273 §8.3 ranges), independent of colour.go.

type refMatrix struct{ kr, kb float64 }

var (
	ref601  = refMatrix{0.299, 0.114}
	ref709  = refMatrix{0.2126, 0.0722}
	ref2020 = refMatrix{0.2627, 0.0593}
)

// rgbToYCbCr converts R'G'B' in 0..255 to Y'CbCr on the 8-bit scale.
func (m refMatrix) rgbToYCbCr(r, g, b float64, full bool) (y, cb, cr float64) {
	r, g, b = r/255, g/255, b/255
	yy := m.kr*r + (1-m.kr-m.kb)*g + m.kb*b
	pb := (b - yy) / (2 * (1 - m.kb))
	pr := (r - yy) / (2 * (1 - m.kr))
	if full {
		return 255 * yy, 128 + 255*pb, 128 + 255*pr
	}
	return 16 + 219*yy, 128 + 224*pb, 128 + 224*pr
}

// yCbCrToRGB is the inverse, giving unclamped R'G'B' in 0..255.
func (m refMatrix) yCbCrToRGB(y, cb, cr float64, full bool) (r, g, b float64) {
	var yy, pb, pr float64
	if full {
		yy, pb, pr = y/255, (cb-128)/255, (cr-128)/255
	} else {
		yy, pb, pr = (y-16)/219, (cb-128)/224, (cr-128)/224
	}
	r = yy + 2*(1-m.kr)*pr
	b = yy + 2*(1-m.kb)*pb
	g = (yy - m.kr*r - m.kb*b) / (1 - m.kr - m.kb)
	return 255 * r, 255 * g, 255 * b
}

// rgbImage is packed 8-bit RGB.
type rgbImage struct {
	w, h int
	pix  []uint8
}

// naturalRGB makes smooth, textured "natural-ish" content: overlapping
// gradients and low-frequency sinusoids in every channel.
func naturalRGB(w, h int) rgbImage {
	im := rgbImage{w, h, make([]uint8, 3*w*h)}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			r := 128 + 90*math.Sin(2*math.Pi*(1.5*fx+0.3*fy)) + 20*math.Sin(float64(x+y)/9)
			g := 40 + 170*fy + 15*math.Cos(float64(x)/7)*math.Sin(float64(y)/11)
			b := 128 + 100*math.Cos(2*math.Pi*(fx*fy*2)) - 10*math.Sin(float64(x-y)/13)
			o := 3 * (y*w + x)
			im.pix[o] = uint8(math.Round(min(max(r, 0), 255)))
			im.pix[o+1] = uint8(math.Round(min(max(g, 0), 255)))
			im.pix[o+2] = uint8(math.Round(min(max(b, 0), 255)))
		}
	}
	return im
}

// frameFromRGB converts im to a frame of the given chroma format, bit depth,
// matrix and range, averaging chroma over each subsampled cell (centred
// siting).
func frameFromRGB(im rgbImage, cf decode.ChromaFormat, depth int, m refMatrix, mc uint8, full bool) *decode.Frame {
	w, h := im.w, im.h
	f := &decode.Frame{Width: w, Height: h, ChromaFormat: cf, BitDepthY: depth, BitDepthC: depth,
		Colour: decode.ColourInfo{Present: true, FullRange: full, MatrixCoefficients: mc}}
	scale := math.Ldexp(1, depth-8)
	maxV := math.Ldexp(1, depth) - 1
	q := func(v float64) uint16 { return uint16(min(max(math.Round(v*scale), 0), maxV)) }
	ys := make([]float64, w*h)
	cbs := make([]float64, w*h)
	crs := make([]float64, w*h)
	for i := 0; i < w*h; i++ {
		ys[i], cbs[i], crs[i] = m.rgbToYCbCr(float64(im.pix[3*i]), float64(im.pix[3*i+1]), float64(im.pix[3*i+2]), full)
	}
	f.YStride = w + 3 // a stride wider than the picture
	f.Y = make([]uint16, f.YStride*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			f.Y[y*f.YStride+x] = q(ys[y*w+x])
		}
	}
	if cf == decode.Chroma400 {
		return f
	}
	sw, sh := cf.SubWidthHeight()
	cw, ch := f.ChromaWidth(), f.ChromaHeight()
	f.CStride = cw + 1
	f.Cb = make([]uint16, f.CStride*ch)
	f.Cr = make([]uint16, f.CStride*ch)
	for cy := 0; cy < ch; cy++ {
		for cx := 0; cx < cw; cx++ {
			var sb, sr float64
			n := 0
			for y := cy * sh; y < min(cy*sh+sh, h); y++ {
				for x := cx * sw; x < min(cx*sw+sw, w); x++ {
					sb += cbs[y*w+x]
					sr += crs[y*w+x]
					n++
				}
			}
			f.Cb[cy*f.CStride+cx] = q(sb / float64(n))
			f.Cr[cy*f.CStride+cx] = q(sr / float64(n))
		}
	}
	return f
}

// decodeRGB decodes a JPEG or PNG with the standard library into packed RGB.
func decodeRGB(t testing.TB, data []byte, format Format) rgbImage {
	t.Helper()
	var img image.Image
	var err error
	if format == JPEG {
		img, err = jpeg.Decode(bytes.NewReader(data))
	} else {
		img, err = png.Decode(bytes.NewReader(data))
	}
	if err != nil {
		t.Fatalf("decoding %v output: %v", format, err)
	}
	b := img.Bounds()
	out := rgbImage{b.Dx(), b.Dy(), make([]uint8, 3*b.Dx()*b.Dy())}
	// Fast paths for the types the decoders return (same conversions as
	// their At methods, without a call and an allocation per pixel).
	switch m := img.(type) {
	case *image.YCbCr:
		for y := 0; y < b.Dy(); y++ {
			for x := 0; x < b.Dx(); x++ {
				yi, ci := m.YOffset(b.Min.X+x, b.Min.Y+y), m.COffset(b.Min.X+x, b.Min.Y+y)
				r, g, bb := color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
				o := 3 * (y*out.w + x)
				out.pix[o], out.pix[o+1], out.pix[o+2] = r, g, bb
			}
		}
		return out
	case *image.Gray:
		for y := 0; y < b.Dy(); y++ {
			for x := 0; x < b.Dx(); x++ {
				v := m.Pix[m.PixOffset(b.Min.X+x, b.Min.Y+y)]
				o := 3 * (y*out.w + x)
				out.pix[o], out.pix[o+1], out.pix[o+2] = v, v, v
			}
		}
		return out
	case *image.RGBA:
		for y := 0; y < b.Dy(); y++ {
			for x := 0; x < b.Dx(); x++ {
				i := m.PixOffset(b.Min.X+x, b.Min.Y+y)
				o := 3 * (y*out.w + x)
				copy(out.pix[o:o+3], m.Pix[i:i+3]) // opaque: no premultiplication
			}
		}
		return out
	}
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			r, g, bb, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			o := 3 * (y*out.w + x)
			out.pix[o], out.pix[o+1], out.pix[o+2] = uint8(r>>8), uint8(g>>8), uint8(bb>>8)
		}
	}
	return out
}

// psnr compares two RGB images of the same size.
func psnr(t testing.TB, a, b rgbImage) float64 {
	t.Helper()
	if a.w != b.w || a.h != b.h {
		t.Fatalf("size %dx%d, want %dx%d", a.w, a.h, b.w, b.h)
	}
	var se float64
	for i := range a.pix {
		d := float64(a.pix[i]) - float64(b.pix[i])
		se += d * d
	}
	mse := se / float64(len(a.pix))
	if mse == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/mse)
}

// meanAbsDiff is the mean absolute difference per sample.
func meanAbsDiff(t testing.TB, a, b rgbImage) float64 {
	t.Helper()
	if a.w != b.w || a.h != b.h {
		t.Fatalf("size %dx%d, want %dx%d", a.w, a.h, b.w, b.h)
	}
	var s float64
	for i := range a.pix {
		s += math.Abs(float64(a.pix[i]) - float64(b.pix[i]))
	}
	return s / float64(len(a.pix))
}
