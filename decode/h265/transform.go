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
// the output is y[i] = E[i] + O[i] and y[N-1-i] = E[i] - O[i].
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

// lanes splits a two-lane word into its lanes.
func lanes(p int64) (lo, hi int32) {
	lo = int32(p)
	hi = int32((p + 1<<31) >> 32)
	return
}

// bas8, bas16 and bas32 hold the left halves of the rows of the 8-, 16-
// and 32-point matrices as two-lane words: basN[k][j] = pack(M[k][2j],
// M[k][2j+1]) with M[k][i] = transMatrix[k·32/N][i].
var (
	bas8  [8][2]int64
	bas16 [16][4]int64
	bas32 [32][8]int64
)

func init() {
	for k := 0; k < 32; k++ {
		for j := 0; j < 8; j++ {
			bas32[k][j] = pack(transMat[k][2*j], transMat[k][2*j+1])
		}
	}
	for k := 0; k < 16; k++ {
		for j := 0; j < 4; j++ {
			bas16[k][j] = pack(transMat[2*k][2*j], transMat[2*k][2*j+1])
		}
	}
	for k := 0; k < 8; k++ {
		for j := 0; j < 2; j++ {
			bas8[k][j] = pack(transMat[4*k][2*j], transMat[4*k][2*j+1])
		}
	}
}

// rnd7 is the rounding offset of the first stage (64, eq. 8-321) in both
// lanes.
const rnd7 int64 = 64 + 64<<32

// idctAdd implements §8.6.4.2 for an n×n DCT block (n = 8, 16, 32) and
// adds the residual to the prediction in pic, stride apart, clipping to
// 0..maxV (§8.6.7). The levels are in coef (row-major, n apart); column x
// holds levels only in the rows whose bits are set in rows[x], and only
// the columns whose bits are set in cols hold any. tmp is scratch.
func idctAdd(coef, tmp *[32 * 32]int32, rows *[32]uint32, cols uint32, log2N int, bdShift uint, pic []uint16, stride int, maxV int32) {
	switch log2N {
	case 3:
		cols8(coef, tmp, rows, cols)
		rows8(tmp, cols, pic, stride, bdShift, maxV)
	case 4:
		cols16(coef, tmp, rows, cols)
		rows16(tmp, cols, pic, stride, bdShift, maxV)
	default:
		cols32(coef, tmp, rows, cols)
		rows32(tmp, cols, pic, stride, bdShift, maxV)
	}
}

// The functions below are unrolled per block size (generated, then
// formatted): the sums of one vector stay in registers.

// cols8 is the first stage of idctAdd for 8×8 blocks: the columns x
// in cols, whose levels lie in the rows of rows[x], into tmp (8 apart),
// clipped to 16 bits (eq. 8-321).
func cols8(coef, tmp *[32 * 32]int32, rows *[32]uint32, cols uint32) {
	for m := cols; m != 0; m &= m - 1 {
		x := bits.TrailingZeros32(m) & 7
		r := rows[x]
		var o0, o1 int64
		for mo := r & 0xaa; mo != 0; mo &= mo - 1 {
			k := bits.TrailingZeros32(mo)
			c := int64(coef[(k<<3+x)&(32*32-1)])
			b := &bas8[k&7]
			o0 += c * b[0]
			o1 += c * b[1]
		}
		e0, e1 := rnd7, rnd7
		for me := r & 0x55; me != 0; me &= me - 1 {
			k := bits.TrailingZeros32(me)
			c := int64(coef[(k<<3+x)&(32*32-1)])
			b := &bas8[k&7]
			e0 += c * b[0]
			e1 += c * b[1]
		}
		lo, hi := lanes(e0 + o0)
		tmp[0*8+x] = clip16(lo >> 7)
		tmp[1*8+x] = clip16(hi >> 7)
		lo, hi = lanes(e0 - o0)
		tmp[7*8+x] = clip16(lo >> 7)
		tmp[6*8+x] = clip16(hi >> 7)
		lo, hi = lanes(e1 + o1)
		tmp[2*8+x] = clip16(lo >> 7)
		tmp[3*8+x] = clip16(hi >> 7)
		lo, hi = lanes(e1 - o1)
		tmp[5*8+x] = clip16(lo >> 7)
		tmp[4*8+x] = clip16(hi >> 7)
	}
}

// rows8 is the second stage of idctAdd for 8×8 blocks: every row of tmp
// (non-zero in the columns of cols only), added to the prediction.
func rows8(tmp *[32 * 32]int32, cols uint32, pic []uint16, stride int, bdShift uint, maxV int32) {
	sh := bdShift & 31
	rnd := pack(1<<(sh-1), 1<<(sh-1))
	for y := 0; y < 8; y++ {
		row := (*[8]int32)(tmp[y*8:])
		var o0, o1 int64
		for mo := cols & 0xaa; mo != 0; mo &= mo - 1 {
			k := bits.TrailingZeros32(mo)
			c := int64(row[k&7])
			b := &bas8[k&7]
			o0 += c * b[0]
			o1 += c * b[1]
		}
		e0, e1 := rnd, rnd
		for me := cols & 0x55; me != 0; me &= me - 1 {
			k := bits.TrailingZeros32(me)
			c := int64(row[k&7])
			b := &bas8[k&7]
			e0 += c * b[0]
			e1 += c * b[1]
		}
		out := (*[8]uint16)(pic[y*stride:])
		lo, hi := lanes(e0 + o0)
		out[0] = addClip(out[0], lo>>sh, maxV)
		out[1] = addClip(out[1], hi>>sh, maxV)
		lo, hi = lanes(e0 - o0)
		out[7] = addClip(out[7], lo>>sh, maxV)
		out[6] = addClip(out[6], hi>>sh, maxV)
		lo, hi = lanes(e1 + o1)
		out[2] = addClip(out[2], lo>>sh, maxV)
		out[3] = addClip(out[3], hi>>sh, maxV)
		lo, hi = lanes(e1 - o1)
		out[5] = addClip(out[5], lo>>sh, maxV)
		out[4] = addClip(out[4], hi>>sh, maxV)
	}
}

// cols16 is the first stage of idctAdd for 16×16 blocks: the columns x
// in cols, whose levels lie in the rows of rows[x], into tmp (16 apart),
// clipped to 16 bits (eq. 8-321).
func cols16(coef, tmp *[32 * 32]int32, rows *[32]uint32, cols uint32) {
	for m := cols; m != 0; m &= m - 1 {
		x := bits.TrailingZeros32(m) & 15
		r := rows[x]
		var o0, o1, o2, o3 int64
		for mo := r & 0xaaaa; mo != 0; mo &= mo - 1 {
			k := bits.TrailingZeros32(mo)
			c := int64(coef[(k<<4+x)&(32*32-1)])
			b := &bas16[k&15]
			o0 += c * b[0]
			o1 += c * b[1]
			o2 += c * b[2]
			o3 += c * b[3]
		}
		e0, e1, e2, e3 := rnd7, rnd7, rnd7, rnd7
		for me := r & 0x5555; me != 0; me &= me - 1 {
			k := bits.TrailingZeros32(me)
			c := int64(coef[(k<<4+x)&(32*32-1)])
			b := &bas16[k&15]
			e0 += c * b[0]
			e1 += c * b[1]
			e2 += c * b[2]
			e3 += c * b[3]
		}
		lo, hi := lanes(e0 + o0)
		tmp[0*16+x] = clip16(lo >> 7)
		tmp[1*16+x] = clip16(hi >> 7)
		lo, hi = lanes(e0 - o0)
		tmp[15*16+x] = clip16(lo >> 7)
		tmp[14*16+x] = clip16(hi >> 7)
		lo, hi = lanes(e1 + o1)
		tmp[2*16+x] = clip16(lo >> 7)
		tmp[3*16+x] = clip16(hi >> 7)
		lo, hi = lanes(e1 - o1)
		tmp[13*16+x] = clip16(lo >> 7)
		tmp[12*16+x] = clip16(hi >> 7)
		lo, hi = lanes(e2 + o2)
		tmp[4*16+x] = clip16(lo >> 7)
		tmp[5*16+x] = clip16(hi >> 7)
		lo, hi = lanes(e2 - o2)
		tmp[11*16+x] = clip16(lo >> 7)
		tmp[10*16+x] = clip16(hi >> 7)
		lo, hi = lanes(e3 + o3)
		tmp[6*16+x] = clip16(lo >> 7)
		tmp[7*16+x] = clip16(hi >> 7)
		lo, hi = lanes(e3 - o3)
		tmp[9*16+x] = clip16(lo >> 7)
		tmp[8*16+x] = clip16(hi >> 7)
	}
}

// rows16 is the second stage of idctAdd for 16×16 blocks: every row of tmp
// (non-zero in the columns of cols only), added to the prediction.
func rows16(tmp *[32 * 32]int32, cols uint32, pic []uint16, stride int, bdShift uint, maxV int32) {
	sh := bdShift & 31
	rnd := pack(1<<(sh-1), 1<<(sh-1))
	for y := 0; y < 16; y++ {
		row := (*[16]int32)(tmp[y*16:])
		var o0, o1, o2, o3 int64
		for mo := cols & 0xaaaa; mo != 0; mo &= mo - 1 {
			k := bits.TrailingZeros32(mo)
			c := int64(row[k&15])
			b := &bas16[k&15]
			o0 += c * b[0]
			o1 += c * b[1]
			o2 += c * b[2]
			o3 += c * b[3]
		}
		e0, e1, e2, e3 := rnd, rnd, rnd, rnd
		for me := cols & 0x5555; me != 0; me &= me - 1 {
			k := bits.TrailingZeros32(me)
			c := int64(row[k&15])
			b := &bas16[k&15]
			e0 += c * b[0]
			e1 += c * b[1]
			e2 += c * b[2]
			e3 += c * b[3]
		}
		out := (*[16]uint16)(pic[y*stride:])
		lo, hi := lanes(e0 + o0)
		out[0] = addClip(out[0], lo>>sh, maxV)
		out[1] = addClip(out[1], hi>>sh, maxV)
		lo, hi = lanes(e0 - o0)
		out[15] = addClip(out[15], lo>>sh, maxV)
		out[14] = addClip(out[14], hi>>sh, maxV)
		lo, hi = lanes(e1 + o1)
		out[2] = addClip(out[2], lo>>sh, maxV)
		out[3] = addClip(out[3], hi>>sh, maxV)
		lo, hi = lanes(e1 - o1)
		out[13] = addClip(out[13], lo>>sh, maxV)
		out[12] = addClip(out[12], hi>>sh, maxV)
		lo, hi = lanes(e2 + o2)
		out[4] = addClip(out[4], lo>>sh, maxV)
		out[5] = addClip(out[5], hi>>sh, maxV)
		lo, hi = lanes(e2 - o2)
		out[11] = addClip(out[11], lo>>sh, maxV)
		out[10] = addClip(out[10], hi>>sh, maxV)
		lo, hi = lanes(e3 + o3)
		out[6] = addClip(out[6], lo>>sh, maxV)
		out[7] = addClip(out[7], hi>>sh, maxV)
		lo, hi = lanes(e3 - o3)
		out[9] = addClip(out[9], lo>>sh, maxV)
		out[8] = addClip(out[8], hi>>sh, maxV)
	}
}

// cols32 is the first stage of idctAdd for 32×32 blocks: the columns x
// in cols, whose levels lie in the rows of rows[x], into tmp (32 apart),
// clipped to 16 bits (eq. 8-321).
func cols32(coef, tmp *[32 * 32]int32, rows *[32]uint32, cols uint32) {
	for m := cols; m != 0; m &= m - 1 {
		x := bits.TrailingZeros32(m) & 31
		r := rows[x]
		var o0, o1, o2, o3, o4, o5, o6, o7 int64
		for mo := r & 0xaaaaaaaa; mo != 0; mo &= mo - 1 {
			k := bits.TrailingZeros32(mo)
			c := int64(coef[(k<<5+x)&(32*32-1)])
			b := &bas32[k&31]
			o0 += c * b[0]
			o1 += c * b[1]
			o2 += c * b[2]
			o3 += c * b[3]
			o4 += c * b[4]
			o5 += c * b[5]
			o6 += c * b[6]
			o7 += c * b[7]
		}
		e0, e1, e2, e3, e4, e5, e6, e7 := rnd7, rnd7, rnd7, rnd7, rnd7, rnd7, rnd7, rnd7
		for me := r & 0x55555555; me != 0; me &= me - 1 {
			k := bits.TrailingZeros32(me)
			c := int64(coef[(k<<5+x)&(32*32-1)])
			b := &bas32[k&31]
			e0 += c * b[0]
			e1 += c * b[1]
			e2 += c * b[2]
			e3 += c * b[3]
			e4 += c * b[4]
			e5 += c * b[5]
			e6 += c * b[6]
			e7 += c * b[7]
		}
		lo, hi := lanes(e0 + o0)
		tmp[0*32+x] = clip16(lo >> 7)
		tmp[1*32+x] = clip16(hi >> 7)
		lo, hi = lanes(e0 - o0)
		tmp[31*32+x] = clip16(lo >> 7)
		tmp[30*32+x] = clip16(hi >> 7)
		lo, hi = lanes(e1 + o1)
		tmp[2*32+x] = clip16(lo >> 7)
		tmp[3*32+x] = clip16(hi >> 7)
		lo, hi = lanes(e1 - o1)
		tmp[29*32+x] = clip16(lo >> 7)
		tmp[28*32+x] = clip16(hi >> 7)
		lo, hi = lanes(e2 + o2)
		tmp[4*32+x] = clip16(lo >> 7)
		tmp[5*32+x] = clip16(hi >> 7)
		lo, hi = lanes(e2 - o2)
		tmp[27*32+x] = clip16(lo >> 7)
		tmp[26*32+x] = clip16(hi >> 7)
		lo, hi = lanes(e3 + o3)
		tmp[6*32+x] = clip16(lo >> 7)
		tmp[7*32+x] = clip16(hi >> 7)
		lo, hi = lanes(e3 - o3)
		tmp[25*32+x] = clip16(lo >> 7)
		tmp[24*32+x] = clip16(hi >> 7)
		lo, hi = lanes(e4 + o4)
		tmp[8*32+x] = clip16(lo >> 7)
		tmp[9*32+x] = clip16(hi >> 7)
		lo, hi = lanes(e4 - o4)
		tmp[23*32+x] = clip16(lo >> 7)
		tmp[22*32+x] = clip16(hi >> 7)
		lo, hi = lanes(e5 + o5)
		tmp[10*32+x] = clip16(lo >> 7)
		tmp[11*32+x] = clip16(hi >> 7)
		lo, hi = lanes(e5 - o5)
		tmp[21*32+x] = clip16(lo >> 7)
		tmp[20*32+x] = clip16(hi >> 7)
		lo, hi = lanes(e6 + o6)
		tmp[12*32+x] = clip16(lo >> 7)
		tmp[13*32+x] = clip16(hi >> 7)
		lo, hi = lanes(e6 - o6)
		tmp[19*32+x] = clip16(lo >> 7)
		tmp[18*32+x] = clip16(hi >> 7)
		lo, hi = lanes(e7 + o7)
		tmp[14*32+x] = clip16(lo >> 7)
		tmp[15*32+x] = clip16(hi >> 7)
		lo, hi = lanes(e7 - o7)
		tmp[17*32+x] = clip16(lo >> 7)
		tmp[16*32+x] = clip16(hi >> 7)
	}
}

// rows32 is the second stage of idctAdd for 32×32 blocks: every row of tmp
// (non-zero in the columns of cols only), added to the prediction.
func rows32(tmp *[32 * 32]int32, cols uint32, pic []uint16, stride int, bdShift uint, maxV int32) {
	sh := bdShift & 31
	rnd := pack(1<<(sh-1), 1<<(sh-1))
	for y := 0; y < 32; y++ {
		row := (*[32]int32)(tmp[y*32:])
		var o0, o1, o2, o3, o4, o5, o6, o7 int64
		for mo := cols & 0xaaaaaaaa; mo != 0; mo &= mo - 1 {
			k := bits.TrailingZeros32(mo)
			c := int64(row[k&31])
			b := &bas32[k&31]
			o0 += c * b[0]
			o1 += c * b[1]
			o2 += c * b[2]
			o3 += c * b[3]
			o4 += c * b[4]
			o5 += c * b[5]
			o6 += c * b[6]
			o7 += c * b[7]
		}
		e0, e1, e2, e3, e4, e5, e6, e7 := rnd, rnd, rnd, rnd, rnd, rnd, rnd, rnd
		for me := cols & 0x55555555; me != 0; me &= me - 1 {
			k := bits.TrailingZeros32(me)
			c := int64(row[k&31])
			b := &bas32[k&31]
			e0 += c * b[0]
			e1 += c * b[1]
			e2 += c * b[2]
			e3 += c * b[3]
			e4 += c * b[4]
			e5 += c * b[5]
			e6 += c * b[6]
			e7 += c * b[7]
		}
		out := (*[32]uint16)(pic[y*stride:])
		lo, hi := lanes(e0 + o0)
		out[0] = addClip(out[0], lo>>sh, maxV)
		out[1] = addClip(out[1], hi>>sh, maxV)
		lo, hi = lanes(e0 - o0)
		out[31] = addClip(out[31], lo>>sh, maxV)
		out[30] = addClip(out[30], hi>>sh, maxV)
		lo, hi = lanes(e1 + o1)
		out[2] = addClip(out[2], lo>>sh, maxV)
		out[3] = addClip(out[3], hi>>sh, maxV)
		lo, hi = lanes(e1 - o1)
		out[29] = addClip(out[29], lo>>sh, maxV)
		out[28] = addClip(out[28], hi>>sh, maxV)
		lo, hi = lanes(e2 + o2)
		out[4] = addClip(out[4], lo>>sh, maxV)
		out[5] = addClip(out[5], hi>>sh, maxV)
		lo, hi = lanes(e2 - o2)
		out[27] = addClip(out[27], lo>>sh, maxV)
		out[26] = addClip(out[26], hi>>sh, maxV)
		lo, hi = lanes(e3 + o3)
		out[6] = addClip(out[6], lo>>sh, maxV)
		out[7] = addClip(out[7], hi>>sh, maxV)
		lo, hi = lanes(e3 - o3)
		out[25] = addClip(out[25], lo>>sh, maxV)
		out[24] = addClip(out[24], hi>>sh, maxV)
		lo, hi = lanes(e4 + o4)
		out[8] = addClip(out[8], lo>>sh, maxV)
		out[9] = addClip(out[9], hi>>sh, maxV)
		lo, hi = lanes(e4 - o4)
		out[23] = addClip(out[23], lo>>sh, maxV)
		out[22] = addClip(out[22], hi>>sh, maxV)
		lo, hi = lanes(e5 + o5)
		out[10] = addClip(out[10], lo>>sh, maxV)
		out[11] = addClip(out[11], hi>>sh, maxV)
		lo, hi = lanes(e5 - o5)
		out[21] = addClip(out[21], lo>>sh, maxV)
		out[20] = addClip(out[20], hi>>sh, maxV)
		lo, hi = lanes(e6 + o6)
		out[12] = addClip(out[12], lo>>sh, maxV)
		out[13] = addClip(out[13], hi>>sh, maxV)
		lo, hi = lanes(e6 - o6)
		out[19] = addClip(out[19], lo>>sh, maxV)
		out[18] = addClip(out[18], hi>>sh, maxV)
		lo, hi = lanes(e7 + o7)
		out[14] = addClip(out[14], lo>>sh, maxV)
		out[15] = addClip(out[15], hi>>sh, maxV)
		lo, hi = lanes(e7 - o7)
		out[17] = addClip(out[17], lo>>sh, maxV)
		out[16] = addClip(out[16], hi>>sh, maxV)
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
