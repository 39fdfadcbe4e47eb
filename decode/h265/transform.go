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

// oddG16 and oddG32 hold the same odd rows grouped four rows at a time and
// transposed within a group: oddG32[g][k][i] = odd32[4g+i][k], so one
// pointer serves four coefficients.
var (
	oddG16 [2][8][4]int32
	oddG32 [4][16][4]int32
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

// init builds oddG16 and oddG32 from odd16 and odd32 (built above; init
// functions of a file run in order).
func init() {
	for g := 0; g < 2; g++ {
		for k := 0; k < 8; k++ {
			for i := 0; i < 4; i++ {
				oddG16[g][k][i] = odd16[4*g+i][k]
			}
		}
	}
	for g := 0; g < 4; g++ {
		for k := 0; k < 16; k++ {
			for i := 0; i < 4; i++ {
				oddG32[g][k][i] = odd32[4*g+i][k]
			}
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
	// Odd coefficients four at a time (those past last are zero), the
	// eight sums in registers.
	var o0, o1, o2, o3, o4, o5, o6, o7 int32
	for g := 0; 8*g+1 <= last && g < 2; g++ {
		j := 4 * g
		c0, c1, c2, c3 := s[(2*j+1)*st], s[(2*j+3)*st], s[(2*j+5)*st], s[(2*j+7)*st]
		if c0|c1|c2|c3 == 0 {
			continue
		}
		r := &oddG16[g]
		o0 += c0*r[0][0] + c1*r[0][1] + c2*r[0][2] + c3*r[0][3]
		o1 += c0*r[1][0] + c1*r[1][1] + c2*r[1][2] + c3*r[1][3]
		o2 += c0*r[2][0] + c1*r[2][1] + c2*r[2][2] + c3*r[2][3]
		o3 += c0*r[3][0] + c1*r[3][1] + c2*r[3][2] + c3*r[3][3]
		o4 += c0*r[4][0] + c1*r[4][1] + c2*r[4][2] + c3*r[4][3]
		o5 += c0*r[5][0] + c1*r[5][1] + c2*r[5][2] + c3*r[5][3]
		o6 += c0*r[6][0] + c1*r[6][1] + c2*r[6][2] + c3*r[6][3]
		o7 += c0*r[7][0] + c1*r[7][1] + c2*r[7][2] + c3*r[7][3]
	}
	var e [8]int32
	idct8(s, 2*st, &e, last>>1)
	d[0], d[15] = e[0]+o0, e[0]-o0
	d[1], d[14] = e[1]+o1, e[1]-o1
	d[2], d[13] = e[2]+o2, e[2]-o2
	d[3], d[12] = e[3]+o3, e[3]-o3
	d[4], d[11] = e[4]+o4, e[4]-o4
	d[5], d[10] = e[5]+o5, e[5]-o5
	d[6], d[9] = e[6]+o6, e[6]-o6
	d[7], d[8] = e[7]+o7, e[7]-o7
}

// idct32 computes the 32-point inverse DCT of s[0], s[st], … s[31·st].
func idct32(s []int32, st int, d *[32]int32, last int) {
	var e [16]int32
	idct16(s, 2*st, &e, last>>1)
	// Odd coefficients four at a time (those past last are zero), eight
	// sums at a time in registers.
	{
		var a0, a1, a2, a3, a4, a5, a6, a7 int32
		for g := 0; 8*g+1 <= last && g < 4; g++ {
			j := 4 * g
			c0, c1, c2, c3 := s[(2*j+1)*st], s[(2*j+3)*st], s[(2*j+5)*st], s[(2*j+7)*st]
			if c0|c1|c2|c3 == 0 {
				continue
			}
			r := &oddG32[g]
			a0 += c0*r[0][0] + c1*r[0][1] + c2*r[0][2] + c3*r[0][3]
			a1 += c0*r[1][0] + c1*r[1][1] + c2*r[1][2] + c3*r[1][3]
			a2 += c0*r[2][0] + c1*r[2][1] + c2*r[2][2] + c3*r[2][3]
			a3 += c0*r[3][0] + c1*r[3][1] + c2*r[3][2] + c3*r[3][3]
			a4 += c0*r[4][0] + c1*r[4][1] + c2*r[4][2] + c3*r[4][3]
			a5 += c0*r[5][0] + c1*r[5][1] + c2*r[5][2] + c3*r[5][3]
			a6 += c0*r[6][0] + c1*r[6][1] + c2*r[6][2] + c3*r[6][3]
			a7 += c0*r[7][0] + c1*r[7][1] + c2*r[7][2] + c3*r[7][3]
		}
		d[0], d[31] = e[0]+a0, e[0]-a0
		d[1], d[30] = e[1]+a1, e[1]-a1
		d[2], d[29] = e[2]+a2, e[2]-a2
		d[3], d[28] = e[3]+a3, e[3]-a3
		d[4], d[27] = e[4]+a4, e[4]-a4
		d[5], d[26] = e[5]+a5, e[5]-a5
		d[6], d[25] = e[6]+a6, e[6]-a6
		d[7], d[24] = e[7]+a7, e[7]-a7
	}
	{
		var a0, a1, a2, a3, a4, a5, a6, a7 int32
		for g := 0; 8*g+1 <= last && g < 4; g++ {
			j := 4 * g
			c0, c1, c2, c3 := s[(2*j+1)*st], s[(2*j+3)*st], s[(2*j+5)*st], s[(2*j+7)*st]
			if c0|c1|c2|c3 == 0 {
				continue
			}
			r := &oddG32[g]
			a0 += c0*r[8][0] + c1*r[8][1] + c2*r[8][2] + c3*r[8][3]
			a1 += c0*r[9][0] + c1*r[9][1] + c2*r[9][2] + c3*r[9][3]
			a2 += c0*r[10][0] + c1*r[10][1] + c2*r[10][2] + c3*r[10][3]
			a3 += c0*r[11][0] + c1*r[11][1] + c2*r[11][2] + c3*r[11][3]
			a4 += c0*r[12][0] + c1*r[12][1] + c2*r[12][2] + c3*r[12][3]
			a5 += c0*r[13][0] + c1*r[13][1] + c2*r[13][2] + c3*r[13][3]
			a6 += c0*r[14][0] + c1*r[14][1] + c2*r[14][2] + c3*r[14][3]
			a7 += c0*r[15][0] + c1*r[15][1] + c2*r[15][2] + c3*r[15][3]
		}
		d[8], d[23] = e[8]+a0, e[8]-a0
		d[9], d[22] = e[9]+a1, e[9]-a1
		d[10], d[21] = e[10]+a2, e[10]-a2
		d[11], d[20] = e[11]+a3, e[11]-a3
		d[12], d[19] = e[12]+a4, e[12]-a4
		d[13], d[18] = e[13]+a5, e[13]-a5
		d[14], d[17] = e[14]+a6, e[14]-a6
		d[15], d[16] = e[15]+a7, e[15]-a7
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
// Coefficients outside columns 0..maxX and rows 0..maxY are zero, and so
// are the columns x whose bit in d.colMask is clear.
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
		if d.colMask&(1<<uint(x)) == 0 {
			continue // an empty column transforms to zeros
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
			oo := o[:len(row)]
			for x, v := range oo {
				row[x] = uint16(clip32(int32(row[x])+(v+rnd)>>bdShift, maxV))
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
