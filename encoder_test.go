package stills

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/stills/stills/decode"
)

// The default encoder is package encode, reached through the adapter: the
// format and the requested size must arrive.
func TestDefaultEncoder(t *testing.T) {
	const w, h = 64, 48
	f := &decode.Frame{Width: w, Height: h, ChromaFormat: decode.Chroma420, BitDepthY: 8, BitDepthC: 8,
		Y: make([]uint16, w*h), Cb: make([]uint16, w*h/4), Cr: make([]uint16, w*h/4), YStride: w, CStride: w / 2}
	for i := range f.Y {
		f.Y[i] = uint16(16 + i%200)
	}
	for i := range f.Cb {
		f.Cb[i], f.Cr[i] = 128, 128
	}
	enc := defaultEncoder()
	for _, c := range []struct {
		o      EncodeOptions
		decode func([]byte) (image.Image, error)
		w, h   int
	}{
		{EncodeOptions{Format: JPEG, Quality: 90, Width: 32}, func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }, 32, 24},
		{EncodeOptions{Format: PNG, Quality: 80}, func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }, 64, 48},
		{EncodeOptions{Format: PNG, Width: 10, Height: 100}, func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }, 10, 100},
	} {
		out, err := enc.Encode(nil, f, c.o)
		if err != nil {
			t.Fatalf("%+v: %v", c.o, err)
		}
		img, err := c.decode(out)
		if err != nil {
			t.Fatalf("%+v: output does not decode as %s: %v", c.o, c.o.Format, err)
		}
		if b := img.Bounds(); b.Dx() != c.w || b.Dy() != c.h {
			t.Errorf("%+v: %dx%d, want %dx%d", c.o, b.Dx(), b.Dy(), c.w, c.h)
		}
	}
}
