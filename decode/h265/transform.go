package h265

// Inverse transforms of §8.6.4.2 computed by even/odd decomposition
// ("partial butterflies"): the even rows of the N-point DCT matrix are the
// N/2-point matrix and the odd rows are antisymmetric, so
//
//	y[k] = E[k] + O[k], y[N-1-k] = E[k] - O[k]  (k < N/2)
//
// where E is the N/2-point transform of the even coefficients and O the
// odd coefficients times the left half of the odd rows. Integer sums are
// only regrouped, so the result equals the matrix product exactly.

// Odd rows of the 8-, 16- and 32-point matrices, left halves only.
var (
	odd8  [4][4]int32   // rows 1,3,5,7 of the 8-point matrix
	odd16 [8][8]int32   // rows 1,3,..,15 of the 16-point matrix
	odd32 [16][16]int32 // rows 1,3,..,31 of the 32-point matrix
)

func init() {
	for j := 0; j < 4; j++ {
		for k := 0; k < 4; k++ {
			odd8[j][k] = transMat[(2*j+1)*4][k]
		}
	}
	for j := 0; j < 8; j++ {
		for k := 0; k < 8; k++ {
			odd16[j][k] = transMat[(2*j+1)*2][k]
		}
	}
	for j := 0; j < 16; j++ {
		for k := 0; k < 16; k++ {
			odd32[j][k] = transMat[2*j+1][k]
		}
	}
}

// idct4 is the 4-point inverse DCT of (s0, s1, s2, s3).
func idct4(s0, s1, s2, s3 int32) (int32, int32, int32, int32) {
	e0 := 64 * (s0 + s2)
	e1 := 64 * (s0 - s2)
	o0 := 83*s1 + 36*s3
	o1 := 36*s1 - 83*s3
	return e0 + o0, e1 + o1, e1 - o1, e0 - o0
}

// idct8 computes the 8-point inverse DCT of s[0], s[st], … s[7·st].
// In idct8, idct16 and idct32, s[k·st] is zero for k > last.
func idct8(s []int32, st int, d *[8]int32, last int) {
	var o0, o1, o2, o3 int32
	if last >= 1 {
		// All four odd coefficients at once: those past last are zero.
		c1, c3, c5, c7 := s[st], s[3*st], s[5*st], s[7*st]
		o0 = c1*odd8[0][0] + c3*odd8[1][0] + c5*odd8[2][0] + c7*odd8[3][0]
		o1 = c1*odd8[0][1] + c3*odd8[1][1] + c5*odd8[2][1] + c7*odd8[3][1]
		o2 = c1*odd8[0][2] + c3*odd8[1][2] + c5*odd8[2][2] + c7*odd8[3][2]
		o3 = c1*odd8[0][3] + c3*odd8[1][3] + c5*odd8[2][3] + c7*odd8[3][3]
	}
	e0, e1, e2, e3 := idct4(s[0], s[2*st], s[4*st], s[6*st])
	d[0], d[7] = e0+o0, e0-o0
	d[1], d[6] = e1+o1, e1-o1
	d[2], d[5] = e2+o2, e2-o2
	d[3], d[4] = e3+o3, e3-o3
}

// idct16 computes the 16-point inverse DCT of s[0], s[st], … s[15·st].
func idct16(s []int32, st int, d *[16]int32, last int) {
	var o [8]int32
	// Odd coefficients four at a time (those past last are zero).
	for j := 0; 2*j+1 <= last && j < 8; j += 4 {
		c0, c1, c2, c3 := s[(2*j+1)*st], s[(2*j+3)*st], s[(2*j+5)*st], s[(2*j+7)*st]
		if c0|c1|c2|c3 == 0 {
			continue
		}
		r0, r1, r2, r3 := &odd16[j], &odd16[j+1], &odd16[j+2], &odd16[j+3]
		for k := range o {
			o[k] += c0*r0[k] + c1*r1[k] + c2*r2[k] + c3*r3[k]
		}
	}
	var e [8]int32
	idct8(s, 2*st, &e, last>>1)
	for k := 0; k < 8; k++ {
		d[k] = e[k] + o[k]
		d[15-k] = e[k] - o[k]
	}
}

// idct32 computes the 32-point inverse DCT of s[0], s[st], … s[31·st].
func idct32(s []int32, st int, d *[32]int32, last int) {
	var o [16]int32
	// Odd coefficients four at a time (those past last are zero).
	for j := 0; 2*j+1 <= last && j < 16; j += 4 {
		c0, c1, c2, c3 := s[(2*j+1)*st], s[(2*j+3)*st], s[(2*j+5)*st], s[(2*j+7)*st]
		if c0|c1|c2|c3 == 0 {
			continue
		}
		r0, r1, r2, r3 := &odd32[j], &odd32[j+1], &odd32[j+2], &odd32[j+3]
		for k := range o {
			o[k] += c0*r0[k] + c1*r1[k] + c2*r2[k] + c3*r3[k]
		}
	}
	var e [16]int32
	idct16(s, 2*st, &e, last>>1)
	for k := 0; k < 16; k++ {
		d[k] = e[k] + o[k]
		d[31-k] = e[k] - o[k]
	}
}

// idctN runs the n-point (8, 16, 32) inverse DCT of s[0], s[st], … into d.
func idctN(s []int32, st, n int, d *[32]int32, last int) {
	switch n {
	case 8:
		idct8(s, st, (*[8]int32)(d[:8]), last)
	case 16:
		idct16(s, st, (*[16]int32)(d[:16]), last)
	default:
		idct32(s, st, d, last)
	}
}

// inverseTransform implements the two-stage transformation of §8.6.4.2:
// columns first, clipping to 16 bits (eq. 8-321), then rows with bdShift.
// Coefficients outside columns 0..maxX and rows 0..maxY are zero.
func (d *Decoder) inverseTransform(coef, res []int32, log2N int, dst bool, bdShift uint, maxX, maxY int, pic []uint16, stride int, maxV int32) {
	if log2N == 2 {
		if dst {
			dst4x4(coef, res, bdShift)
		} else {
			idct4x4(coef, res, bdShift)
		}
		return
	}
	n := 1 << log2N
	tmp := d.tmp[:n*n]
	var o [32]int32
	// Columns (only 0..maxX can be non-zero).
	for i := range tmp {
		tmp[i] = 0
	}
	for x := 0; x <= maxX; x++ {
		empty := true
		for j := 0; j <= maxY; j++ {
			if coef[j*n+x] != 0 {
				empty = false
				break
			}
		}
		if empty {
			continue
		}
		idctN(coef[x:], n, n, &o, maxY)
		for y := 0; y < n; y++ {
			tmp[y*n+x] = clip16((o[y] + 64) >> 7)
		}
	}
	// Rows, added to the prediction in pic (stride apart) when it is not
	// nil (§8.6.7), else written to res.
	rnd := int32(1) << (bdShift - 1)
	for y := 0; y < n; y++ {
		idctN(tmp[y*n:], 1, n, &o, maxX)
		if pic != nil {
			row := pic[y*stride : y*stride+n]
			for x := range row {
				row[x] = uint16(clip32(int32(row[x])+(o[x]+rnd)>>bdShift, maxV))
			}
			continue
		}
		out := res[y*n : y*n+n]
		for x := range out {
			out[x] = (o[x] + rnd) >> bdShift
		}
	}
}

// idct4x4 is inverseTransform for 4×4 DCT blocks (both stages unrolled).
func idct4x4(c, res []int32, bdShift uint) {
	var t [16]int32
	for x := 0; x < 4; x++ {
		s0, s1, s2, s3 := c[x], c[4+x], c[8+x], c[12+x]
		e0 := 64 * (s0 + s2)
		e1 := 64 * (s0 - s2)
		o0 := 83*s1 + 36*s3
		o1 := 36*s1 - 83*s3
		t[x] = clip16((e0 + o0 + 64) >> 7)
		t[4+x] = clip16((e1 + o1 + 64) >> 7)
		t[8+x] = clip16((e1 - o1 + 64) >> 7)
		t[12+x] = clip16((e0 - o0 + 64) >> 7)
	}
	rnd := int32(1) << (bdShift - 1)
	for y := 0; y < 4; y++ {
		s0, s1, s2, s3 := t[y*4], t[y*4+1], t[y*4+2], t[y*4+3]
		e0 := 64 * (s0 + s2)
		e1 := 64 * (s0 - s2)
		o0 := 83*s1 + 36*s3
		o1 := 36*s1 - 83*s3
		r := res[y*4 : y*4+4]
		r[0] = (e0 + o0 + rnd) >> bdShift
		r[1] = (e1 + o1 + rnd) >> bdShift
		r[2] = (e1 - o1 + rnd) >> bdShift
		r[3] = (e0 - o0 + rnd) >> bdShift
	}
}

// dst4x4 is inverseTransform for 4×4 luma intra DST blocks.
func dst4x4(c, res []int32, bdShift uint) {
	var t [16]int32
	for x := 0; x < 4; x++ {
		s0, s1, s2, s3 := c[x], c[4+x], c[8+x], c[12+x]
		t[x] = clip16((29*s0 + 74*s1 + 84*s2 + 55*s3 + 64) >> 7)
		t[4+x] = clip16((55*s0 + 74*s1 - 29*s2 - 84*s3 + 64) >> 7)
		t[8+x] = clip16((74*s0 - 74*s2 + 74*s3 + 64) >> 7)
		t[12+x] = clip16((84*s0 - 74*s1 + 55*s2 - 29*s3 + 64) >> 7)
	}
	rnd := int32(1) << (bdShift - 1)
	for y := 0; y < 4; y++ {
		s0, s1, s2, s3 := t[y*4], t[y*4+1], t[y*4+2], t[y*4+3]
		r := res[y*4 : y*4+4]
		r[0] = (29*s0 + 74*s1 + 84*s2 + 55*s3 + rnd) >> bdShift
		r[1] = (55*s0 + 74*s1 - 29*s2 - 84*s3 + rnd) >> bdShift
		r[2] = (74*s0 - 74*s2 + 74*s3 + rnd) >> bdShift
		r[3] = (84*s0 - 74*s1 + 55*s2 - 29*s3 + rnd) >> bdShift
	}
}

func clip16(v int32) int32 {
	if v < -32768 {
		return -32768
	}
	if v > 32767 {
		return 32767
	}
	return v
}
