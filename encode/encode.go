package encode

import (
	"errors"
	"fmt"

	"github.com/stills/stills/decode"
)

// Format selects the output image format.
type Format uint8

const (
	JPEG Format = iota // baseline JFIF, 4:2:0 (grayscale for 4:0:0 frames)
	PNG                // 8-bit RGB (grayscale for 4:0:0 frames)
)

func (f Format) String() string {
	switch f {
	case JPEG:
		return "JPEG"
	case PNG:
		return "PNG"
	}
	return fmt.Sprintf("Format(%d)", uint8(f))
}

// DefaultQuality is the JPEG quality used when Options.Quality is 0 (the
// GetImages default, SPEC §1).
const DefaultQuality = 80

// MaxDimension bounds the width and height of both the input frame and the
// output image. It is above every H.264/H.265 level limit (8192 luma samples
// per side at level 6.2) and the GetImages request limit (3840×2160), and
// keeps JPEG's 16-bit size fields and all index arithmetic far from overflow.
const MaxDimension = 16384

// MaxPixels bounds the output image area (32 Mpixel, four 3840×2160
// pictures): a derived dimension (one side given, the other following an
// extreme aspect ratio) cannot make the encoder allocate without limit. An
// Encoder's buffers take about 6 bytes per output pixel for PNG (three
// full-size 16-bit planes) and 3 for JPEG, plus the source-sized
// intermediate plane of a two-pass resize.
const MaxPixels = 1 << 25

// Options selects the output format, JPEG quality and output size.
type Options struct {
	Format  Format
	Quality int // JPEG 1..100, 0 means DefaultQuality; ignored for PNG
	// Width, Height: output size; 0 = derive (see OutputSize).
	Width, Height int
	// OptimizeHuffman codes a JPEG with Huffman tables made for the picture
	// (T.81 §K.2) instead of the standard Annex K tables: a few per cent
	// smaller, about twice the transform work.
	OptimizeHuffman bool
}

// ErrInvalidOptions reports Options the encoder cannot honour (unknown
// format, quality outside 1..100, negative or too large size).
var ErrInvalidOptions = errors.New("encode: invalid options")

// ErrInvalidFrame reports a Frame whose geometry, bit depth or plane sizes
// are inconsistent (a bug in the producer of the frame, never a property of
// the stream).
var ErrInvalidFrame = errors.New("encode: invalid frame")

// UnsupportedError reports a valid frame property the encoder does not
// handle (for example matrix_coefficients 0, GBR).
type UnsupportedError string

func (e UnsupportedError) Error() string { return "encode: unsupported: " + string(e) }

// OutputSize returns the output image size for a source of srcW×srcH luma
// samples (the cropped frame size) with sample aspect ratio sarW:sarH
// (0:0 or any non-positive value = unknown, taken as 1:1) and a requested
// size reqW×reqH (0 = not given):
//
//   - both given: exactly reqW×reqH (the picture is stretched);
//   - one given: the other is derived from the source's displayed aspect
//     ratio, (srcW·sarW)/(srcH·sarH), rounded to nearest (halves up), at
//     least 1 and at most MaxDimension;
//   - neither: srcW×srcH. The SAR is deliberately not applied here: the
//     answer is the coded picture after cropping, like the AWS service, and
//     an anamorphic source is only resampled when the caller asks for a size.
func OutputSize(srcW, srcH, sarW, sarH, reqW, reqH int) (w, h int) {
	if reqW > 0 && reqH > 0 {
		return reqW, reqH
	}
	if reqW <= 0 && reqH <= 0 {
		return srcW, srcH
	}
	if srcW <= 0 || srcH <= 0 {
		return max(reqW, 1), max(reqH, 1)
	}
	if sarW <= 0 || sarH <= 0 {
		sarW, sarH = 1, 1
	}
	// Displayed aspect = num/den.
	num := int64(srcW) * int64(sarW)
	den := int64(srcH) * int64(sarH)
	if reqW > 0 {
		return reqW, derive(int64(reqW), den, num)
	}
	return derive(int64(reqH), num, den), reqH
}

// derive returns round(v·a/b) clamped to [1, MaxDimension].
func derive(v, a, b int64) int {
	if v > MaxDimension {
		v = MaxDimension
	}
	if a > 1<<31 || b > 1<<31 { // keep v·a within int64
		a >>= 16
		b >>= 16
		if b == 0 {
			b = 1
		}
	}
	r := (2*v*a + b) / (2 * b)
	return int(min(max(r, 1), MaxDimension))
}

// Encoder scales and encodes frames. It holds buffers that are reused from
// one call to the next, so a steady stream of same-sized frames allocates
// nothing. An Encoder is not safe for concurrent use: use one per worker.
type Encoder struct {
	sc  scaler  // weights and intermediate planes
	jpg jpegEnc // quantisation tables and bit writer
	png pngEnc  // deflate state and row buffers
}

// NewEncoder returns an Encoder with no buffers allocated yet.
func NewEncoder() *Encoder { return &Encoder{} }

// Encode scales f to the size derived from o (see OutputSize), converts it to
// the colour space of the output format, encodes it and appends the image to
// dst[:0]. The frame is only read.
func (e *Encoder) Encode(dst []byte, f *decode.Frame, o Options) (out []byte, err error) {
	defer func() {
		// Last line of defence: every index below is bounds-checked by
		// checkFrame; a bug must still not take down a server.
		if r := recover(); r != nil {
			out, err = dst[:0], fmt.Errorf("encode: internal error: %v", r)
		}
	}()
	if err := checkFrame(f); err != nil {
		return dst[:0], err
	}
	if o.Format != JPEG && o.Format != PNG {
		return dst[:0], fmt.Errorf("%w: unknown format %d", ErrInvalidOptions, o.Format)
	}
	q := o.Quality
	if q == 0 {
		q = DefaultQuality
	}
	if o.Format == JPEG && (q < 1 || q > 100) { // ignored for PNG (SPEC §1)
		return dst[:0], fmt.Errorf("%w: JPEG quality %d outside 1..100", ErrInvalidOptions, o.Quality)
	}
	if o.Width < 0 || o.Height < 0 || o.Width > MaxDimension || o.Height > MaxDimension {
		return dst[:0], fmt.Errorf("%w: size %dx%d outside 0..%d", ErrInvalidOptions, o.Width, o.Height, MaxDimension)
	}
	w, h := OutputSize(f.Width, f.Height, f.SARWidth, f.SARHeight, o.Width, o.Height)
	if w*h > MaxPixels {
		return dst[:0], fmt.Errorf("%w: output %dx%d exceeds %d pixels", ErrInvalidOptions, w, h, MaxPixels)
	}
	m, err := matrixOf(f)
	if err != nil {
		return dst[:0], err
	}
	if o.Format == JPEG {
		return e.encodeJPEG(dst[:0], f, m, w, h, q, o.OptimizeHuffman), nil
	}
	return e.encodePNG(dst[:0], f, m, w, h)
}

// checkFrame verifies that every sample the encoder will read lies inside the
// frame's slices.
func checkFrame(f *decode.Frame) error {
	if f == nil {
		return fmt.Errorf("%w: nil frame", ErrInvalidFrame)
	}
	if f.Width < 1 || f.Height < 1 || f.Width > MaxDimension || f.Height > MaxDimension {
		return fmt.Errorf("%w: size %dx%d outside 1..%d", ErrInvalidFrame, f.Width, f.Height, MaxDimension)
	}
	if f.BitDepthY < 8 || f.BitDepthY > 14 {
		return fmt.Errorf("%w: luma bit depth %d outside 8..14", ErrInvalidFrame, f.BitDepthY)
	}
	if !planeFits(len(f.Y), f.YStride, f.Width, f.Height) {
		return fmt.Errorf("%w: luma plane of %d samples, stride %d, too small for %dx%d",
			ErrInvalidFrame, len(f.Y), f.YStride, f.Width, f.Height)
	}
	switch f.ChromaFormat {
	case decode.Chroma400:
		return nil
	case decode.Chroma420, decode.Chroma422, decode.Chroma444:
	default:
		return fmt.Errorf("%w: chroma format %d", ErrInvalidFrame, f.ChromaFormat)
	}
	if f.BitDepthC < 8 || f.BitDepthC > 14 {
		return fmt.Errorf("%w: chroma bit depth %d outside 8..14", ErrInvalidFrame, f.BitDepthC)
	}
	cw, ch := f.ChromaWidth(), f.ChromaHeight()
	if !planeFits(len(f.Cb), f.CStride, cw, ch) || !planeFits(len(f.Cr), f.CStride, cw, ch) {
		return fmt.Errorf("%w: chroma planes of %d/%d samples, stride %d, too small for %dx%d",
			ErrInvalidFrame, len(f.Cb), len(f.Cr), f.CStride, cw, ch)
	}
	return nil
}

// planeFits reports whether h rows of w samples, stride apart, lie within n
// samples, without overflow for any stride.
func planeFits(n, stride, w, h int) bool {
	if stride < w || n < w {
		return false
	}
	return h == 1 || stride <= (n-w)/(h-1)
}

// grow returns b resliced to n elements, reallocating only when its capacity
// is short. The contents are not preserved.
func grow[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n)
	}
	return b[:n]
}
