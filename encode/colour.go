package encode

import (
	"math"

	"github.com/stills/stills/decode"
)

// Colour conversion. Matrix coefficients follow ITU-T H.273 §8.3 (equations
// for MatrixCoefficients 1, 4, 5, 6, 7, 9, 10) with Kr/Kb from BT.601,
// BT.709 and BT.2020; quantisation ranges follow H.273 §8.3 (limited:
// Y 16..235, C 16..240 scaled by 2^(BitDepth−8); full: 0..2^BitDepth−1).
// The output of JPEG is JFIF YCbCr (full-range BT.601, JFIF 1.02 §7); the
// output of PNG is R'G'B' (the transfer function is kept: no linearisation,
// as every player does).

// matrix describes the source signal.
type matrix struct {
	kr, kb float64
	full   bool
	name   string
}

// matrixOf picks the source matrix and range from the frame's colour info.
// Unspecified (2), reserved or absent matrix_coefficients default by picture
// height: BT.709 for 720 rows and more (HD), BT.601 below (SD), as ffmpeg,
// browsers and players guess.
func matrixOf(f *decode.Frame) (matrix, error) {
	m := matrix{full: f.Colour.FullRange}
	mc := uint8(2)
	if f.Colour.Present {
		mc = f.Colour.MatrixCoefficients
	}
	switch mc {
	case 0:
		return m, UnsupportedError("matrix_coefficients 0 (GBR: R'G'B' coded as Y/Cb/Cr planes)")
	case 1:
		m.kr, m.kb, m.name = 0.2126, 0.0722, "BT.709"
	case 4:
		m.kr, m.kb, m.name = 0.30, 0.11, "FCC"
	case 5, 6:
		m.kr, m.kb, m.name = 0.299, 0.114, "BT.601"
	case 7:
		m.kr, m.kb, m.name = 0.212, 0.087, "SMPTE 240M"
	case 9, 10:
		// 10 (constant luminance) has no linear form; NCL is the close
		// approximation every decoder without CL support uses.
		m.kr, m.kb, m.name = 0.2627, 0.0593, "BT.2020"
	default:
		if f.Height >= 720 {
			m.kr, m.kb, m.name = 0.2126, 0.0722, "BT.709 (default for HD)"
		} else {
			m.kr, m.kb, m.name = 0.299, 0.114, "BT.601 (default for SD)"
		}
	}
	return m, nil
}

// isJFIF reports whether the source is already full-range BT.601 (no
// conversion needed for JPEG).
func (m matrix) isJFIF() bool { return m.full && m.kr == 0.299 && m.kb == 0.114 }

// toRGB returns the affine map from 8-bit-scale source Y'CbCr (inputs
// Y, Cb, Cr, as values on the 0..255 scale) to R'G'B' in 0..1:
// rgb[i] = a[i][0]·Y + a[i][1]·Cb + a[i][2]·Cr + a[i][3].
func (m matrix) toRGB() (a [3][4]float64) {
	oy, sy, sc := 0.0, 255.0, 255.0
	if !m.full {
		oy, sy, sc = 16, 219, 224
	}
	kg := 1 - m.kr - m.kb
	// y = (Y-oy)/sy, pb = (Cb-128)/sc, pr = (Cr-128)/sc
	// R = y + 2(1-kr) pr; B = y + 2(1-kb) pb; G = (y - kr R - kb B)/kg.
	rcr := 2 * (1 - m.kr)
	bcb := 2 * (1 - m.kb)
	gcb := -m.kb * bcb / kg
	gcr := -m.kr * rcr / kg
	row := func(cy, ccb, ccr float64) [4]float64 {
		return [4]float64{cy / sy, ccb / sc, ccr / sc, -cy*oy/sy - (ccb+ccr)*128/sc}
	}
	a[0] = row(1, 0, rcr)
	a[1] = row(1, gcb, gcr)
	a[2] = row(1, bcb, 0)
	return a
}

// toJFIF returns the affine map from 8-bit-scale source Y'CbCr to JFIF
// Y'CbCr on the 0..255 scale (JFIF 1.02 §7: full-range BT.601).
func (m matrix) toJFIF() (a [3][4]float64) {
	rgb := m.toRGB()
	const kr, kb = 0.299, 0.114
	const kg = 1 - kr - kb
	for j := 0; j < 4; j++ {
		r, g, b := rgb[0][j], rgb[1][j], rgb[2][j]
		y := kr*r + kg*g + kb*b
		a[0][j] = 255 * y
		a[1][j] = 255 * (b - y) / 1.772
		a[2][j] = 255 * (r - y) / 1.402
	}
	a[1][3] += 128
	a[2][3] += 128
	return a
}

// colourShift is the fixed-point precision of colour coefficients.
const colourShift = 20

// colour is an affine map in fixed point for inputs of given precisions:
// out[i] = clamp((c[i][0]·Y + c[i][1]·Cb + c[i][2]·Cr + c[i][3]) >> colourShift).
type colour struct {
	c [3][4]int
}

// fix converts the 8-bit-scale map a to fixed point for luma samples of
// precY bits and chroma samples of precC bits (rounding bias included).
func fix(a [3][4]float64, precY, precC uint) colour {
	var c colour
	sy := math.Ldexp(1, colourShift-int(precY-8))
	sc := math.Ldexp(1, colourShift-int(precC-8))
	for i := 0; i < 3; i++ {
		c.c[i][0] = int(math.Round(a[i][0] * sy))
		c.c[i][1] = int(math.Round(a[i][1] * sc))
		c.c[i][2] = int(math.Round(a[i][2] * sc))
		c.c[i][3] = int(math.Round(a[i][3]*(1<<colourShift))) + 1<<(colourShift-1)
	}
	return c
}

// clamp8 returns v clamped to 0..255.
func clamp8(v int) uint8 {
	if uint(v) <= 255 {
		return uint8(v)
	}
	if v < 0 {
		return 0
	}
	return 255
}
