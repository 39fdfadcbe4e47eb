package h265

import "math/bits"

// The 8-, 16- and 32-point inverse DCTs of §8.6.4.2 for sparse blocks.
//
// Most coefficients of a large transform block are zero even when the
// last significant one lies near the far corner (a 32×32 block of the x265
// streams holds ~20 levels in ~10 columns). The first stage therefore
// transforms only the columns that hold a level, summing one basis vector
// per level, and the second stage sums, per row, one basis vector per
// non-zero column; the columns without a level are zero after the first
// stage and never read.
//
// Each output vector is split into its even and odd halves: row k of the
// N-point matrix satisfies M[k][N-1-i] = (-1)^k·M[k][i], so with
//
//	E[i] = Σ_{k even} c[k]·M[k][i],  O[i] = Σ_{k odd} c[k]·M[k][i]  (i < N/2)
//
// the output is y[i] = E[i] + O[i] and y[N-1-i] = E[i] - O[i]. The even
// rows are symmetric again about N/4 (M[k][N/2-1-i] = ±M[k][i], + for k a
// multiple of 4), so E comes from two quarter-length sums
//
//	EE[i] = Σ_{k%4=0} c[k]·M[k][i],  EO[i] = Σ_{k%4=2} c[k]·M[k][i]  (i < N/4)
//
// as E[i] = EE[i] + EO[i] and E[N/2-1-i] = EE[i] - EO[i].
//
// Two lanes of E or O travel in one int64, lane 2j in the low 32 bits and
// lane 2j+1 in the high 32 bits (pack): c·pack(a, b) = pack(c·a, c·b) and
// sums of packs are packs of the sums, exactly, while every lane's sum
// lies in the int32 range. It does: the inputs of both stages are 16-bit
// (clipped levels, eq. 8-321 clipped intermediates), |M| ≤ 90, so any sum
// of up to 32 products and a rounding term is below 32768·90·32 + 2¹¹ < 2³¹.
// The integer sums are only regrouped, so the results equal the matrix
// products of the standard exactly.

// pack returns the two-lane word of (lo, hi).
func pack(lo, hi int32) int64 { return int64(lo) + int64(hi)<<32 }

// basX8, basX16 and basX32 hold the rows of the 8-, 16- and 32-point
// matrices M[k][i] = transMatrix[k·32/N][i] as two-lane words, for
// i < N/2: words j < N/8 are the natural pairs pack(M[k][2j], M[k][2j+1])
// (all that EE and EO need), words N/8 + j the reversed pairs
// pack(M[k][N/2-1-2j], M[k][N/2-2-2j]), so that O's upper lanes line up
// with EE - EO.
var (
	basX8  [8][2]int64
	basX16 [16][4]int64
	basX32 [32][8]int64
)

// basisRow returns row k of the n-point matrix as basX words.
func basisRow(n, k int, row []int64) {
	m := func(i int) int32 { return transMat[k*32/n][i] }
	h, q := n/2, n/8
	for j := 0; j < q; j++ {
		row[j] = pack(m(2*j), m(2*j+1))
		row[q+j] = pack(m(h-1-2*j), m(h-2-2*j))
	}
}

func init() {
	for k := 0; k < 32; k++ {
		basisRow(32, k, basX32[k][:])
	}
	for k := 0; k < 16; k++ {
		basisRow(16, k, basX16[k][:])
	}
	for k := 0; k < 8; k++ {
		basisRow(8, k, basX8[k][:])
	}
}

// rnd7 is the rounding offset of the first stage (64, eq. 8-321) in both
// lanes plus the 2³¹ that splits the lanes (below).
const rnd7 int64 = 64 + 64<<32 + 1<<31

// idctAdd implements §8.6.4.2 for an n×n DCT block (n = 8, 16, 32) and
// adds the residual to the prediction in pic, stride apart, clipping to
// 0..maxV (§8.6.7). The levels are in coefT transposed (column x at x·n);
// column x holds levels only in the rows whose bits are set in rows[x],
// and only the columns whose bits are set in cols hold any. tmp is
// scratch.
func idctAdd(coefT, tmp *[32 * 32]int32, rows *[32]uint32, cols uint32, log2N int, bdShift uint, pic []uint16, stride int, maxV int32) {
	eight := bdShift == 12 && maxV == 255
	switch log2N {
	case 3:
		cols8(coefT, tmp, rows, cols)
		if eight {
			rows88(tmp, cols, pic, stride)
		} else {
			rows8(tmp, cols, pic, stride, bdShift, maxV)
		}
	case 4:
		cols16(coefT, tmp, rows, cols)
		if eight {
			rows168(tmp, cols, pic, stride)
		} else {
			rows16(tmp, cols, pic, stride, bdShift, maxV)
		}
	default:
		cols32(coefT, tmp, rows, cols)
		if eight {
			rows328(tmp, cols, pic, stride)
		} else {
			rows32(tmp, cols, pic, stride, bdShift, maxV)
		}
	}
}

// The functions below are unrolled per block size (generated, then
// formatted). The sums stay in registers in the accN functions. The
// lanes of a sum p to which 2³¹ was added (rnd7, rnd) are int32(p) ^ -2³¹
// (low) and p >> 32 (high: the low lane plus 2³¹ lies in 0..2³²-1), the
// final shift folded into the high one's.

// acc8w00 returns words 0..0 of Σ v[k]·basX8[k] over the k whose bits are
// set in m (at most four sums, kept in registers).
//
//go:noinline
func acc8w00(v *[8]int32, m uint32) (a0 int64) {
	for ; m != 0; m &= m - 1 {
		k := bits.TrailingZeros32(m) & 7
		c := int64(v[k])
		b := &basX8[k]
		a0 += c * b[0]
	}
	return
}

// acc8 returns words 0..1 of Σ v[k]·basX8[k] over the k whose bits are
// set in m (at most four sums, kept in registers).
//
//go:noinline
func acc8(v *[8]int32, m uint32) (a0, a1 int64) {
	for ; m != 0; m &= m - 1 {
		k := bits.TrailingZeros32(m) & 7
		c := int64(v[k])
		b := &basX8[k]
		a0 += c * b[0]
		a1 += c * b[1]
	}
	return
}

// acc16w01 returns words 0..1 of Σ v[k]·basX16[k] over the k whose bits are
// set in m (at most four sums, kept in registers).
//
//go:noinline
func acc16w01(v *[16]int32, m uint32) (a0, a1 int64) {
	for ; m != 0; m &= m - 1 {
		k := bits.TrailingZeros32(m) & 15
		c := int64(v[k])
		b := &basX16[k]
		a0 += c * b[0]
		a1 += c * b[1]
	}
	return
}

// acc16 returns words 0..3 of Σ v[k]·basX16[k] over the k whose bits are
// set in m (at most four sums, kept in registers).
//
//go:noinline
func acc16(v *[16]int32, m uint32) (a0, a1, a2, a3 int64) {
	for ; m != 0; m &= m - 1 {
		k := bits.TrailingZeros32(m) & 15
		c := int64(v[k])
		b := &basX16[k]
		a0 += c * b[0]
		a1 += c * b[1]
		a2 += c * b[2]
		a3 += c * b[3]
	}
	return
}

// acc32w03 returns words 0..3 of Σ v[k]·basX32[k] over the k whose bits are
// set in m (at most four sums, kept in registers).
//
//go:noinline
func acc32w03(v *[32]int32, m uint32) (a0, a1, a2, a3 int64) {
	for ; m != 0; m &= m - 1 {
		k := bits.TrailingZeros32(m) & 31
		c := int64(v[k])
		b := &basX32[k]
		a0 += c * b[0]
		a1 += c * b[1]
		a2 += c * b[2]
		a3 += c * b[3]
	}
	return
}

// acc32w47 returns words 4..7 of Σ v[k]·basX32[k] over the k whose bits are
// set in m (at most four sums, kept in registers).
//
//go:noinline
func acc32w47(v *[32]int32, m uint32) (a4, a5, a6, a7 int64) {
	for ; m != 0; m &= m - 1 {
		k := bits.TrailingZeros32(m) & 31
		c := int64(v[k])
		b := &basX32[k]
		a4 += c * b[4]
		a5 += c * b[5]
		a6 += c * b[6]
		a7 += c * b[7]
	}
	return
}

// cols8 is the first stage of idctAdd for 8×8 blocks: the columns x
// in cols of the transposed levels coefT (column x at x·8), whose levels
// lie in the rows of rows[x], into tmp (row-major, 8 apart), clipped to
// 16 bits (eq. 8-321).
func cols8(coefT, tmp *[32 * 32]int32, rows *[32]uint32, cols uint32) {
	for m := cols; m != 0; m &= m - 1 {
		x := bits.TrailingZeros32(m) & 7
		col := (*[8]int32)(coefT[x*8:])
		r := rows[x]
		ee0 := acc8w00(col, r&0x11)
		eo0 := acc8w00(col, r&0x44)
		o0, o1 := acc8(col, r&0xaa)
		e, er := ee0+eo0+rnd7, ee0-eo0+rnd7
		p, q := e+o0, e-o0
		tmp[0*8+x] = clip16((int32(p) ^ -1<<31) >> 7)
		tmp[1*8+x] = clip16(int32(p >> 39))
		tmp[7*8+x] = clip16((int32(q) ^ -1<<31) >> 7)
		tmp[6*8+x] = clip16(int32(q >> 39))
		p, q = er+o1, er-o1
		tmp[3*8+x] = clip16((int32(p) ^ -1<<31) >> 7)
		tmp[2*8+x] = clip16(int32(p >> 39))
		tmp[4*8+x] = clip16((int32(q) ^ -1<<31) >> 7)
		tmp[5*8+x] = clip16(int32(q >> 39))
	}
}

// rows8 is the second stage of idctAdd for 8×8 blocks: every row of tmp
// (non-zero in the columns of cols only), added to the prediction.
func rows8(tmp *[32 * 32]int32, cols uint32, pic []uint16, stride int, bdShift uint, maxV int32) {
	sh := bdShift & 31
	sh2 := sh + 32
	rnd := pack(1<<(sh-1), 1<<(sh-1)) + 1<<31 // 2³¹ splits the lanes
	for y := 0; y < 8; y++ {
		row := (*[8]int32)(tmp[y*8:])
		out := (*[8]uint16)(pic[y*stride:])
		ee0 := acc8w00(row, cols&0x11)
		eo0 := acc8w00(row, cols&0x44)
		o0, o1 := acc8(row, cols&0xaa)
		e, er := ee0+eo0+rnd, ee0-eo0+rnd
		p, q := e+o0, e-o0
		out[0] = addClip(out[0], (int32(p)^-1<<31)>>sh, maxV)
		out[1] = addClip(out[1], int32(p>>sh2), maxV)
		out[7] = addClip(out[7], (int32(q)^-1<<31)>>sh, maxV)
		out[6] = addClip(out[6], int32(q>>sh2), maxV)
		p, q = er+o1, er-o1
		out[3] = addClip(out[3], (int32(p)^-1<<31)>>sh, maxV)
		out[2] = addClip(out[2], int32(p>>sh2), maxV)
		out[4] = addClip(out[4], (int32(q)^-1<<31)>>sh, maxV)
		out[5] = addClip(out[5], int32(q>>sh2), maxV)
	}
}

// rows88 is rows8 for 8-bit samples (bdShift 12, maxV 255).
func rows88(tmp *[32 * 32]int32, cols uint32, pic []uint16, stride int) {
	const rnd = 1<<11 + 1<<11<<32 + 1<<31 // 2³¹ splits the lanes
	for y := 0; y < 8; y++ {
		row := (*[8]int32)(tmp[y*8:])
		out := (*[8]uint16)(pic[y*stride:])
		ee0 := acc8w00(row, cols&0x11)
		eo0 := acc8w00(row, cols&0x44)
		o0, o1 := acc8(row, cols&0xaa)
		e, er := ee0+eo0+rnd, ee0-eo0+rnd
		p, q := e+o0, e-o0
		out[0] = addClip(out[0], (int32(p)^-1<<31)>>12, 255)
		out[1] = addClip(out[1], int32(p>>44), 255)
		out[7] = addClip(out[7], (int32(q)^-1<<31)>>12, 255)
		out[6] = addClip(out[6], int32(q>>44), 255)
		p, q = er+o1, er-o1
		out[3] = addClip(out[3], (int32(p)^-1<<31)>>12, 255)
		out[2] = addClip(out[2], int32(p>>44), 255)
		out[4] = addClip(out[4], (int32(q)^-1<<31)>>12, 255)
		out[5] = addClip(out[5], int32(q>>44), 255)
	}
}

// cols16 is the first stage of idctAdd for 16×16 blocks: the columns x
// in cols of the transposed levels coefT (column x at x·16), whose levels
// lie in the rows of rows[x], into tmp (row-major, 16 apart), clipped to
// 16 bits (eq. 8-321).
func cols16(coefT, tmp *[32 * 32]int32, rows *[32]uint32, cols uint32) {
	for m := cols; m != 0; m &= m - 1 {
		x := bits.TrailingZeros32(m) & 15
		col := (*[16]int32)(coefT[x*16:])
		r := rows[x]
		ee0, ee1 := acc16w01(col, r&0x1111)
		eo0, eo1 := acc16w01(col, r&0x4444)
		o0, o1, o2, o3 := acc16(col, r&0xaaaa)
		e, er := ee0+eo0+rnd7, ee0-eo0+rnd7
		p, q := e+o0, e-o0
		tmp[0*16+x] = clip16((int32(p) ^ -1<<31) >> 7)
		tmp[1*16+x] = clip16(int32(p >> 39))
		tmp[15*16+x] = clip16((int32(q) ^ -1<<31) >> 7)
		tmp[14*16+x] = clip16(int32(q >> 39))
		p, q = er+o2, er-o2
		tmp[7*16+x] = clip16((int32(p) ^ -1<<31) >> 7)
		tmp[6*16+x] = clip16(int32(p >> 39))
		tmp[8*16+x] = clip16((int32(q) ^ -1<<31) >> 7)
		tmp[9*16+x] = clip16(int32(q >> 39))
		e, er = ee1+eo1+rnd7, ee1-eo1+rnd7
		p, q = e+o1, e-o1
		tmp[2*16+x] = clip16((int32(p) ^ -1<<31) >> 7)
		tmp[3*16+x] = clip16(int32(p >> 39))
		tmp[13*16+x] = clip16((int32(q) ^ -1<<31) >> 7)
		tmp[12*16+x] = clip16(int32(q >> 39))
		p, q = er+o3, er-o3
		tmp[5*16+x] = clip16((int32(p) ^ -1<<31) >> 7)
		tmp[4*16+x] = clip16(int32(p >> 39))
		tmp[10*16+x] = clip16((int32(q) ^ -1<<31) >> 7)
		tmp[11*16+x] = clip16(int32(q >> 39))
	}
}

// rows16 is the second stage of idctAdd for 16×16 blocks: every row of tmp
// (non-zero in the columns of cols only), added to the prediction.
func rows16(tmp *[32 * 32]int32, cols uint32, pic []uint16, stride int, bdShift uint, maxV int32) {
	sh := bdShift & 31
	sh2 := sh + 32
	rnd := pack(1<<(sh-1), 1<<(sh-1)) + 1<<31 // 2³¹ splits the lanes
	for y := 0; y < 16; y++ {
		row := (*[16]int32)(tmp[y*16:])
		out := (*[16]uint16)(pic[y*stride:])
		ee0, ee1 := acc16w01(row, cols&0x1111)
		eo0, eo1 := acc16w01(row, cols&0x4444)
		o0, o1, o2, o3 := acc16(row, cols&0xaaaa)
		e, er := ee0+eo0+rnd, ee0-eo0+rnd
		p, q := e+o0, e-o0
		out[0] = addClip(out[0], (int32(p)^-1<<31)>>sh, maxV)
		out[1] = addClip(out[1], int32(p>>sh2), maxV)
		out[15] = addClip(out[15], (int32(q)^-1<<31)>>sh, maxV)
		out[14] = addClip(out[14], int32(q>>sh2), maxV)
		p, q = er+o2, er-o2
		out[7] = addClip(out[7], (int32(p)^-1<<31)>>sh, maxV)
		out[6] = addClip(out[6], int32(p>>sh2), maxV)
		out[8] = addClip(out[8], (int32(q)^-1<<31)>>sh, maxV)
		out[9] = addClip(out[9], int32(q>>sh2), maxV)
		e, er = ee1+eo1+rnd, ee1-eo1+rnd
		p, q = e+o1, e-o1
		out[2] = addClip(out[2], (int32(p)^-1<<31)>>sh, maxV)
		out[3] = addClip(out[3], int32(p>>sh2), maxV)
		out[13] = addClip(out[13], (int32(q)^-1<<31)>>sh, maxV)
		out[12] = addClip(out[12], int32(q>>sh2), maxV)
		p, q = er+o3, er-o3
		out[5] = addClip(out[5], (int32(p)^-1<<31)>>sh, maxV)
		out[4] = addClip(out[4], int32(p>>sh2), maxV)
		out[10] = addClip(out[10], (int32(q)^-1<<31)>>sh, maxV)
		out[11] = addClip(out[11], int32(q>>sh2), maxV)
	}
}

// rows168 is rows16 for 8-bit samples (bdShift 12, maxV 255).
func rows168(tmp *[32 * 32]int32, cols uint32, pic []uint16, stride int) {
	const rnd = 1<<11 + 1<<11<<32 + 1<<31 // 2³¹ splits the lanes
	for y := 0; y < 16; y++ {
		row := (*[16]int32)(tmp[y*16:])
		out := (*[16]uint16)(pic[y*stride:])
		ee0, ee1 := acc16w01(row, cols&0x1111)
		eo0, eo1 := acc16w01(row, cols&0x4444)
		o0, o1, o2, o3 := acc16(row, cols&0xaaaa)
		e, er := ee0+eo0+rnd, ee0-eo0+rnd
		p, q := e+o0, e-o0
		out[0] = addClip(out[0], (int32(p)^-1<<31)>>12, 255)
		out[1] = addClip(out[1], int32(p>>44), 255)
		out[15] = addClip(out[15], (int32(q)^-1<<31)>>12, 255)
		out[14] = addClip(out[14], int32(q>>44), 255)
		p, q = er+o2, er-o2
		out[7] = addClip(out[7], (int32(p)^-1<<31)>>12, 255)
		out[6] = addClip(out[6], int32(p>>44), 255)
		out[8] = addClip(out[8], (int32(q)^-1<<31)>>12, 255)
		out[9] = addClip(out[9], int32(q>>44), 255)
		e, er = ee1+eo1+rnd, ee1-eo1+rnd
		p, q = e+o1, e-o1
		out[2] = addClip(out[2], (int32(p)^-1<<31)>>12, 255)
		out[3] = addClip(out[3], int32(p>>44), 255)
		out[13] = addClip(out[13], (int32(q)^-1<<31)>>12, 255)
		out[12] = addClip(out[12], int32(q>>44), 255)
		p, q = er+o3, er-o3
		out[5] = addClip(out[5], (int32(p)^-1<<31)>>12, 255)
		out[4] = addClip(out[4], int32(p>>44), 255)
		out[10] = addClip(out[10], (int32(q)^-1<<31)>>12, 255)
		out[11] = addClip(out[11], int32(q>>44), 255)
	}
}

// cols32 is the first stage of idctAdd for 32×32 blocks: the columns x
// in cols of the transposed levels coefT (column x at x·32), whose levels
// lie in the rows of rows[x], into tmp (row-major, 32 apart), clipped to
// 16 bits (eq. 8-321).
func cols32(coefT, tmp *[32 * 32]int32, rows *[32]uint32, cols uint32) {
	for m := cols; m != 0; m &= m - 1 {
		x := bits.TrailingZeros32(m) & 31
		col := (*[32]int32)(coefT[x*32:])
		r := rows[x]
		ee0, ee1, ee2, ee3 := acc32w03(col, r&0x11111111)
		eo0, eo1, eo2, eo3 := acc32w03(col, r&0x44444444)
		o0, o1, o2, o3 := acc32w03(col, r&0xaaaaaaaa)
		o4, o5, o6, o7 := acc32w47(col, r&0xaaaaaaaa)
		e, er := ee0+eo0+rnd7, ee0-eo0+rnd7
		p, q := e+o0, e-o0
		tmp[0*32+x] = clip16((int32(p) ^ -1<<31) >> 7)
		tmp[1*32+x] = clip16(int32(p >> 39))
		tmp[31*32+x] = clip16((int32(q) ^ -1<<31) >> 7)
		tmp[30*32+x] = clip16(int32(q >> 39))
		p, q = er+o4, er-o4
		tmp[15*32+x] = clip16((int32(p) ^ -1<<31) >> 7)
		tmp[14*32+x] = clip16(int32(p >> 39))
		tmp[16*32+x] = clip16((int32(q) ^ -1<<31) >> 7)
		tmp[17*32+x] = clip16(int32(q >> 39))
		e, er = ee1+eo1+rnd7, ee1-eo1+rnd7
		p, q = e+o1, e-o1
		tmp[2*32+x] = clip16((int32(p) ^ -1<<31) >> 7)
		tmp[3*32+x] = clip16(int32(p >> 39))
		tmp[29*32+x] = clip16((int32(q) ^ -1<<31) >> 7)
		tmp[28*32+x] = clip16(int32(q >> 39))
		p, q = er+o5, er-o5
		tmp[13*32+x] = clip16((int32(p) ^ -1<<31) >> 7)
		tmp[12*32+x] = clip16(int32(p >> 39))
		tmp[18*32+x] = clip16((int32(q) ^ -1<<31) >> 7)
		tmp[19*32+x] = clip16(int32(q >> 39))
		e, er = ee2+eo2+rnd7, ee2-eo2+rnd7
		p, q = e+o2, e-o2
		tmp[4*32+x] = clip16((int32(p) ^ -1<<31) >> 7)
		tmp[5*32+x] = clip16(int32(p >> 39))
		tmp[27*32+x] = clip16((int32(q) ^ -1<<31) >> 7)
		tmp[26*32+x] = clip16(int32(q >> 39))
		p, q = er+o6, er-o6
		tmp[11*32+x] = clip16((int32(p) ^ -1<<31) >> 7)
		tmp[10*32+x] = clip16(int32(p >> 39))
		tmp[20*32+x] = clip16((int32(q) ^ -1<<31) >> 7)
		tmp[21*32+x] = clip16(int32(q >> 39))
		e, er = ee3+eo3+rnd7, ee3-eo3+rnd7
		p, q = e+o3, e-o3
		tmp[6*32+x] = clip16((int32(p) ^ -1<<31) >> 7)
		tmp[7*32+x] = clip16(int32(p >> 39))
		tmp[25*32+x] = clip16((int32(q) ^ -1<<31) >> 7)
		tmp[24*32+x] = clip16(int32(q >> 39))
		p, q = er+o7, er-o7
		tmp[9*32+x] = clip16((int32(p) ^ -1<<31) >> 7)
		tmp[8*32+x] = clip16(int32(p >> 39))
		tmp[22*32+x] = clip16((int32(q) ^ -1<<31) >> 7)
		tmp[23*32+x] = clip16(int32(q >> 39))
	}
}

// rows32 is the second stage of idctAdd for 32×32 blocks: every row of tmp
// (non-zero in the columns of cols only), added to the prediction.
func rows32(tmp *[32 * 32]int32, cols uint32, pic []uint16, stride int, bdShift uint, maxV int32) {
	sh := bdShift & 31
	sh2 := sh + 32
	rnd := pack(1<<(sh-1), 1<<(sh-1)) + 1<<31 // 2³¹ splits the lanes
	for y := 0; y < 32; y++ {
		row := (*[32]int32)(tmp[y*32:])
		out := (*[32]uint16)(pic[y*stride:])
		ee0, ee1, ee2, ee3 := acc32w03(row, cols&0x11111111)
		eo0, eo1, eo2, eo3 := acc32w03(row, cols&0x44444444)
		o0, o1, o2, o3 := acc32w03(row, cols&0xaaaaaaaa)
		o4, o5, o6, o7 := acc32w47(row, cols&0xaaaaaaaa)
		e, er := ee0+eo0+rnd, ee0-eo0+rnd
		p, q := e+o0, e-o0
		out[0] = addClip(out[0], (int32(p)^-1<<31)>>sh, maxV)
		out[1] = addClip(out[1], int32(p>>sh2), maxV)
		out[31] = addClip(out[31], (int32(q)^-1<<31)>>sh, maxV)
		out[30] = addClip(out[30], int32(q>>sh2), maxV)
		p, q = er+o4, er-o4
		out[15] = addClip(out[15], (int32(p)^-1<<31)>>sh, maxV)
		out[14] = addClip(out[14], int32(p>>sh2), maxV)
		out[16] = addClip(out[16], (int32(q)^-1<<31)>>sh, maxV)
		out[17] = addClip(out[17], int32(q>>sh2), maxV)
		e, er = ee1+eo1+rnd, ee1-eo1+rnd
		p, q = e+o1, e-o1
		out[2] = addClip(out[2], (int32(p)^-1<<31)>>sh, maxV)
		out[3] = addClip(out[3], int32(p>>sh2), maxV)
		out[29] = addClip(out[29], (int32(q)^-1<<31)>>sh, maxV)
		out[28] = addClip(out[28], int32(q>>sh2), maxV)
		p, q = er+o5, er-o5
		out[13] = addClip(out[13], (int32(p)^-1<<31)>>sh, maxV)
		out[12] = addClip(out[12], int32(p>>sh2), maxV)
		out[18] = addClip(out[18], (int32(q)^-1<<31)>>sh, maxV)
		out[19] = addClip(out[19], int32(q>>sh2), maxV)
		e, er = ee2+eo2+rnd, ee2-eo2+rnd
		p, q = e+o2, e-o2
		out[4] = addClip(out[4], (int32(p)^-1<<31)>>sh, maxV)
		out[5] = addClip(out[5], int32(p>>sh2), maxV)
		out[27] = addClip(out[27], (int32(q)^-1<<31)>>sh, maxV)
		out[26] = addClip(out[26], int32(q>>sh2), maxV)
		p, q = er+o6, er-o6
		out[11] = addClip(out[11], (int32(p)^-1<<31)>>sh, maxV)
		out[10] = addClip(out[10], int32(p>>sh2), maxV)
		out[20] = addClip(out[20], (int32(q)^-1<<31)>>sh, maxV)
		out[21] = addClip(out[21], int32(q>>sh2), maxV)
		e, er = ee3+eo3+rnd, ee3-eo3+rnd
		p, q = e+o3, e-o3
		out[6] = addClip(out[6], (int32(p)^-1<<31)>>sh, maxV)
		out[7] = addClip(out[7], int32(p>>sh2), maxV)
		out[25] = addClip(out[25], (int32(q)^-1<<31)>>sh, maxV)
		out[24] = addClip(out[24], int32(q>>sh2), maxV)
		p, q = er+o7, er-o7
		out[9] = addClip(out[9], (int32(p)^-1<<31)>>sh, maxV)
		out[8] = addClip(out[8], int32(p>>sh2), maxV)
		out[22] = addClip(out[22], (int32(q)^-1<<31)>>sh, maxV)
		out[23] = addClip(out[23], int32(q>>sh2), maxV)
	}
}

// rows328 is rows32 for 8-bit samples (bdShift 12, maxV 255).
func rows328(tmp *[32 * 32]int32, cols uint32, pic []uint16, stride int) {
	const rnd = 1<<11 + 1<<11<<32 + 1<<31 // 2³¹ splits the lanes
	for y := 0; y < 32; y++ {
		row := (*[32]int32)(tmp[y*32:])
		out := (*[32]uint16)(pic[y*stride:])
		ee0, ee1, ee2, ee3 := acc32w03(row, cols&0x11111111)
		eo0, eo1, eo2, eo3 := acc32w03(row, cols&0x44444444)
		o0, o1, o2, o3 := acc32w03(row, cols&0xaaaaaaaa)
		o4, o5, o6, o7 := acc32w47(row, cols&0xaaaaaaaa)
		e, er := ee0+eo0+rnd, ee0-eo0+rnd
		p, q := e+o0, e-o0
		out[0] = addClip(out[0], (int32(p)^-1<<31)>>12, 255)
		out[1] = addClip(out[1], int32(p>>44), 255)
		out[31] = addClip(out[31], (int32(q)^-1<<31)>>12, 255)
		out[30] = addClip(out[30], int32(q>>44), 255)
		p, q = er+o4, er-o4
		out[15] = addClip(out[15], (int32(p)^-1<<31)>>12, 255)
		out[14] = addClip(out[14], int32(p>>44), 255)
		out[16] = addClip(out[16], (int32(q)^-1<<31)>>12, 255)
		out[17] = addClip(out[17], int32(q>>44), 255)
		e, er = ee1+eo1+rnd, ee1-eo1+rnd
		p, q = e+o1, e-o1
		out[2] = addClip(out[2], (int32(p)^-1<<31)>>12, 255)
		out[3] = addClip(out[3], int32(p>>44), 255)
		out[29] = addClip(out[29], (int32(q)^-1<<31)>>12, 255)
		out[28] = addClip(out[28], int32(q>>44), 255)
		p, q = er+o5, er-o5
		out[13] = addClip(out[13], (int32(p)^-1<<31)>>12, 255)
		out[12] = addClip(out[12], int32(p>>44), 255)
		out[18] = addClip(out[18], (int32(q)^-1<<31)>>12, 255)
		out[19] = addClip(out[19], int32(q>>44), 255)
		e, er = ee2+eo2+rnd, ee2-eo2+rnd
		p, q = e+o2, e-o2
		out[4] = addClip(out[4], (int32(p)^-1<<31)>>12, 255)
		out[5] = addClip(out[5], int32(p>>44), 255)
		out[27] = addClip(out[27], (int32(q)^-1<<31)>>12, 255)
		out[26] = addClip(out[26], int32(q>>44), 255)
		p, q = er+o6, er-o6
		out[11] = addClip(out[11], (int32(p)^-1<<31)>>12, 255)
		out[10] = addClip(out[10], int32(p>>44), 255)
		out[20] = addClip(out[20], (int32(q)^-1<<31)>>12, 255)
		out[21] = addClip(out[21], int32(q>>44), 255)
		e, er = ee3+eo3+rnd, ee3-eo3+rnd
		p, q = e+o3, e-o3
		out[6] = addClip(out[6], (int32(p)^-1<<31)>>12, 255)
		out[7] = addClip(out[7], int32(p>>44), 255)
		out[25] = addClip(out[25], (int32(q)^-1<<31)>>12, 255)
		out[24] = addClip(out[24], int32(q>>44), 255)
		p, q = er+o7, er-o7
		out[9] = addClip(out[9], (int32(p)^-1<<31)>>12, 255)
		out[8] = addClip(out[8], int32(p>>44), 255)
		out[22] = addClip(out[22], (int32(q)^-1<<31)>>12, 255)
		out[23] = addClip(out[23], int32(q>>44), 255)
	}
}

// addClip returns sample p plus residual r clipped to 0..maxV (§8.6.7).
func addClip(p uint16, r, maxV int32) uint16 {
	v := int32(p) + r
	if uint32(v) > uint32(maxV) {
		v = ^v >> 31 & maxV // 0 below the range, maxV above
	}
	return uint16(v)
}

// idct4x4 is §8.6.4.2 for 4×4 DCT blocks (both stages unrolled).
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

// dst4x4 is §8.6.4.2 for 4×4 luma intra DST blocks (DST-VII, eq. 8-314).
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
