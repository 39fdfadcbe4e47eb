package h264

// Scaling and transformation (§8.5).

// zigzag4x4 maps a 4x4 frame zig-zag scan index to a raster position
// (Table 8-13, field scan not used: frames only).
var zigzag4x4 = [16]uint8{0, 1, 4, 8, 5, 2, 3, 6, 9, 12, 13, 10, 7, 11, 14, 15}

// zigzag8x8 maps an 8x8 frame zig-zag scan index to a raster position (Table 8-14).
var zigzag8x8 = [64]uint8{
	0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63}

// normAdjust4x4 is v of eq. 8-315 (§8.5.9).
var normAdjust4x4 = [6][3]int32{{10, 16, 13}, {11, 18, 14}, {13, 20, 16}, {14, 23, 18}, {16, 25, 20}, {18, 29, 23}}

// normAdjust8x8 is v of eq. 8-318 (§8.5.9).
var normAdjust8x8 = [6][6]int32{
	{20, 18, 32, 19, 25, 24}, {22, 19, 35, 21, 28, 26}, {26, 23, 42, 24, 33, 31},
	{28, 25, 45, 26, 35, 33}, {32, 28, 51, 30, 40, 38}, {36, 32, 58, 34, 46, 43}}

func norm4(m, i, j int) int32 {
	switch {
	case i%2 == 0 && j%2 == 0:
		return normAdjust4x4[m][0]
	case i%2 == 1 && j%2 == 1:
		return normAdjust4x4[m][1]
	}
	return normAdjust4x4[m][2]
}

func norm8(m, i, j int) int32 {
	switch {
	case i%4 == 0 && j%4 == 0:
		return normAdjust8x8[m][0]
	case i%2 == 1 && j%2 == 1:
		return normAdjust8x8[m][1]
	case i%4 == 2 && j%4 == 2:
		return normAdjust8x8[m][2]
	case (i%4 == 0 && j%2 == 1) || (i%2 == 1 && j%4 == 0):
		return normAdjust8x8[m][3]
	case (i%4 == 0 && j%4 == 2) || (i%4 == 2 && j%4 == 0):
		return normAdjust8x8[m][4]
	}
	return normAdjust8x8[m][5]
}

// levelScale holds LevelScale4x4 and LevelScale8x8 (§8.5.9) for the intra
// lists of the active PPS, indexed [list][qP%6][raster position]; 4x4 lists
// 0-2 are Intra Y, Cb, Cr; 8x8 list 0 is Intra Y (1, 2: Cb, Cr for 4:4:4).
type levelScale struct {
	ls4 [3][6][16]int32
	ls8 [3][6][64]int32
}

func (l *levelScale) init(m *scalingMatrix) {
	for list := 0; list < 3; list++ {
		var w4 [16]int32
		for k := 0; k < 16; k++ {
			w4[zigzag4x4[k]] = int32(m.l4[list][k])
		}
		var w8 [64]int32
		for k := 0; k < 64; k++ {
			w8[zigzag8x8[k]] = int32(m.l8[2*list][k])
		}
		for q := 0; q < 6; q++ {
			for p := 0; p < 16; p++ {
				// raster position p: row i = p/4, column j = p%4; the
				// weight matrix is indexed the same way (eq. 8-315).
				l.ls4[list][q][p] = w4[p] * norm4(q, p/4, p%4)
			}
			for p := 0; p < 64; p++ {
				l.ls8[list][q][p] = w8[p] * norm8(q, p/8, p%8)
			}
		}
	}
}

// idct4Add applies the 4x4 inverse transform (§8.5.12.2) to the scaled
// coefficients c (raster order, zeroed on return) and adds the residual to
// the prediction in dst (§8.5.14), clipping to maxV. Written out without
// loops, like idct4Const.
func idct4Add(dst []uint16, stride int, c *[16]int32, maxV int32) {
	_ = dst[3*stride+3]
	d0 := (*[4]uint16)(dst[0:4])
	d1 := (*[4]uint16)(dst[stride : stride+4])
	d2 := (*[4]uint16)(dst[2*stride : 2*stride+4])
	d3 := (*[4]uint16)(dst[3*stride : 3*stride+4])
	if uint64(uint32(c[1]))|ld2x32((*[2]int32)(c[2:4]))|ld2x32((*[2]int32)(c[4:6]))|ld2x32((*[2]int32)(c[6:8]))|
		ld2x32((*[2]int32)(c[8:10]))|ld2x32((*[2]int32)(c[10:12]))|ld2x32((*[2]int32)(c[12:14]))|ld2x32((*[2]int32)(c[14:16])) == 0 {
		// Only the DC coefficient: every residual sample is (d00+32)>>6
		// (eq. 8-354 to 8-358 with all other inputs zero).
		r := (c[0] + 32) >> 6
		c[0] = 0
		for _, d := range [4]*[4]uint16{d0, d1, d2, d3} {
			d[0] = clipAdd(d[0], r, maxV)
			d[1] = clipAdd(d[1], r, maxV)
			d[2] = clipAdd(d[2], r, maxV)
			d[3] = clipAdd(d[3], r, maxV)
		}
		return
	}
	// The rounding offset 32 of eq. 8-354..8-358 joins c[0]: it reaches
	// every row-0 output, which is every column's f[0] (see idct8Add).
	// maxV&32|32 is 32 written so that the compiler does not move the
	// constant down to every output.
	x0, x1, x2, x3 := c[0]+(maxV&32|32), c[1], c[2], c[3]
	e0, e1, e2, e3 := x0+x2, x0-x2, (x1>>1)-x3, x1+(x3>>1)
	f00, f01, f02, f03 := e0+e3, e1+e2, e1-e2, e0-e3
	x0, x1, x2, x3 = c[4], c[5], c[6], c[7]
	e0, e1, e2, e3 = x0+x2, x0-x2, (x1>>1)-x3, x1+(x3>>1)
	f10, f11, f12, f13 := e0+e3, e1+e2, e1-e2, e0-e3
	x0, x1, x2, x3 = c[8], c[9], c[10], c[11]
	e0, e1, e2, e3 = x0+x2, x0-x2, (x1>>1)-x3, x1+(x3>>1)
	f20, f21, f22, f23 := e0+e3, e1+e2, e1-e2, e0-e3
	x0, x1, x2, x3 = c[12], c[13], c[14], c[15]
	e0, e1, e2, e3 = x0+x2, x0-x2, (x1>>1)-x3, x1+(x3>>1)
	f30, f31, f32, f33 := e0+e3, e1+e2, e1-e2, e0-e3
	*c = [16]int32{}
	g0, g1, g2, g3 := f00+f20, f00-f20, (f10>>1)-f30, f10+(f30>>1)
	d0[0], d1[0], d2[0], d3[0] = clipAdd(d0[0], (g0+g3)>>6, maxV), clipAdd(d1[0], (g1+g2)>>6, maxV), clipAdd(d2[0], (g1-g2)>>6, maxV), clipAdd(d3[0], (g0-g3)>>6, maxV)
	g0, g1, g2, g3 = f01+f21, f01-f21, (f11>>1)-f31, f11+(f31>>1)
	d0[1], d1[1], d2[1], d3[1] = clipAdd(d0[1], (g0+g3)>>6, maxV), clipAdd(d1[1], (g1+g2)>>6, maxV), clipAdd(d2[1], (g1-g2)>>6, maxV), clipAdd(d3[1], (g0-g3)>>6, maxV)
	g0, g1, g2, g3 = f02+f22, f02-f22, (f12>>1)-f32, f12+(f32>>1)
	d0[2], d1[2], d2[2], d3[2] = clipAdd(d0[2], (g0+g3)>>6, maxV), clipAdd(d1[2], (g1+g2)>>6, maxV), clipAdd(d2[2], (g1-g2)>>6, maxV), clipAdd(d3[2], (g0-g3)>>6, maxV)
	g0, g1, g2, g3 = f03+f23, f03-f23, (f13>>1)-f33, f13+(f33>>1)
	d0[3], d1[3], d2[3], d3[3] = clipAdd(d0[3], (g0+g3)>>6, maxV), clipAdd(d1[3], (g1+g2)>>6, maxV), clipAdd(d2[3], (g1-g2)>>6, maxV), clipAdd(d3[3], (g0-g3)>>6, maxV)
}

// idct4Const is idct4Add for a block whose prediction is the constant
// pred (chroma DC prediction): pred<<6 joins the rounding offset, so the
// prediction is neither written first nor read back. c has AC
// coefficients (no DC-only test). Written out without loops: Go does not
// unroll them, and the loop control and the transposed scratch array cost
// as much as the butterflies.
func idct4Const(dst []uint16, stride int, c *[16]int32, pred, maxV int32) {
	// Rows (eq. 8-338 to 8-345 of §8.5.12.2, here e and f): fRC is row R,
	// column C. The rounding offset and the prediction join c[0] (see
	// idct8Add); pred<<6|32 is pred<<6+32 written so that the compiler
	// does not move the constant 32 down to every output.
	x0, x1, x2, x3 := c[0]+(pred<<6|32), c[1], c[2], c[3]
	e0, e1, e2, e3 := x0+x2, x0-x2, (x1>>1)-x3, x1+(x3>>1)
	f00, f01, f02, f03 := e0+e3, e1+e2, e1-e2, e0-e3
	x0, x1, x2, x3 = c[4], c[5], c[6], c[7]
	e0, e1, e2, e3 = x0+x2, x0-x2, (x1>>1)-x3, x1+(x3>>1)
	f10, f11, f12, f13 := e0+e3, e1+e2, e1-e2, e0-e3
	x0, x1, x2, x3 = c[8], c[9], c[10], c[11]
	e0, e1, e2, e3 = x0+x2, x0-x2, (x1>>1)-x3, x1+(x3>>1)
	f20, f21, f22, f23 := e0+e3, e1+e2, e1-e2, e0-e3
	x0, x1, x2, x3 = c[12], c[13], c[14], c[15]
	e0, e1, e2, e3 = x0+x2, x0-x2, (x1>>1)-x3, x1+(x3>>1)
	f30, f31, f32, f33 := e0+e3, e1+e2, e1-e2, e0-e3
	*c = [16]int32{}
	// Columns (eq. 8-346 to 8-353), each giving one sample of every row.
	_ = dst[3*stride+3]
	d0 := (*[4]uint16)(dst[0:4])
	d1 := (*[4]uint16)(dst[stride : stride+4])
	d2 := (*[4]uint16)(dst[2*stride : 2*stride+4])
	d3 := (*[4]uint16)(dst[3*stride : 3*stride+4])
	g0, g1, g2, g3 := f00+f20, f00-f20, (f10>>1)-f30, f10+(f30>>1)
	d0[0], d1[0], d2[0], d3[0] = clipU(g0+g3, maxV), clipU(g1+g2, maxV), clipU(g1-g2, maxV), clipU(g0-g3, maxV)
	g0, g1, g2, g3 = f01+f21, f01-f21, (f11>>1)-f31, f11+(f31>>1)
	d0[1], d1[1], d2[1], d3[1] = clipU(g0+g3, maxV), clipU(g1+g2, maxV), clipU(g1-g2, maxV), clipU(g0-g3, maxV)
	g0, g1, g2, g3 = f02+f22, f02-f22, (f12>>1)-f32, f12+(f32>>1)
	d0[2], d1[2], d2[2], d3[2] = clipU(g0+g3, maxV), clipU(g1+g2, maxV), clipU(g1-g2, maxV), clipU(g0-g3, maxV)
	g0, g1, g2, g3 = f03+f23, f03-f23, (f13>>1)-f33, f13+(f33>>1)
	d0[3], d1[3], d2[3], d3[3] = clipU(g0+g3, maxV), clipU(g1+g2, maxV), clipU(g1-g2, maxV), clipU(g0-g3, maxV)
}

// clipU is Clip1(v>>6) with one unsigned compare in the common case.
func clipU(v, maxV int32) uint16 {
	v >>= 6
	if uint32(v) > uint32(maxV) {
		v = clip(0, maxV, v)
	}
	return uint16(v)
}

// clipAdd is Clip1(pred + r) (§8.5.14) for a prediction sample p and a
// residual sample r: one unsigned compare in the common case (the sum
// within 0..maxV), the clip only when it is outside.
func clipAdd(p uint16, r, maxV int32) uint16 {
	v := int32(p) + r
	if uint32(v) > uint32(maxV) {
		v = clip(0, maxV, v)
	}
	return uint16(v)
}

// dcAdd4 adds the constant residual r of a 4x4 block whose only non-zero
// coefficient is DC ((d00+32)>>6, eq. 8-354 to 8-358) to dst, clipping to
// maxV.
func dcAdd4(dst []uint16, stride int, r, maxV int32) {
	_ = dst[3*stride+3]
	for y := 0; y < 4; y++ {
		d := (*[4]uint16)(dst[y*stride : y*stride+4])
		d[0] = clipAdd(d[0], r, maxV)
		d[1] = clipAdd(d[1], r, maxV)
		d[2] = clipAdd(d[2], r, maxV)
		d[3] = clipAdd(d[3], r, maxV)
	}
}

// idct8Add applies the 8x8 inverse transform (§8.5.13.2) to c (raster,
// zeroed on return) and adds the residual to dst. The row pass
// (idct8Rows) writes its output transposed so that the column pass reads
// contiguous memory; rows that are all zero (most high-frequency rows)
// are skipped. 8-bit samples take idct8Add255; other bit depths, and
// blocks whose residual idct8Add255 cannot hold, idct8Cols.
func idct8Add(dst []uint16, stride int, c *[64]int32, maxV int32) {
	// The rounding offset 32 of eq. 8-360 is added to c[0] once: x0
	// enters every output of a row with weight 1 and no shift, so row 0's
	// outputs, which are every column's x0, carry it to every sample. (Go
	// moves a constant added later in the column pass back to every
	// output.) A row that becomes zero this way transforms to zero, as it
	// should. For 8-bit samples 512<<6 joins it too: every residual
	// comes out of the column pass as r+512 (see idct8Add255), which
	// idct8Cols takes off again (off).
	var t [64]int32
	if maxV == 255 {
		c[0] += 32 + 512<<6
		rows := idct8Rows(c, &t)
		if !idct8Add255(dst, stride, &t, rows) {
			idct8Cols(dst, stride, &t, rows, 512, maxV)
		}
		return
	}
	c[0] += 32
	idct8Cols(dst, stride, &t, idct8Rows(c, &t), 0, maxV)
}

// idct8Rows is the row pass of idct8Add: it transforms the rows of c
// (eq. 8-340 to 8-359) into t, transposed (t[x*8+i] is output x of row
// i), leaves t alone for the rows that are zero, clears c, and returns a
// mask of the non-zero rows.
func idct8Rows(c *[64]int32, t *[64]int32) int {
	rows := 0
	for i := 0; i < 8; i++ {
		r := (*[8]int32)(c[i*8 : i*8+8])
		if ld2x32((*[2]int32)(r[0:2]))|ld2x32((*[2]int32)(r[2:4]))|ld2x32((*[2]int32)(r[4:6]))|ld2x32((*[2]int32)(r[6:8])) == 0 {
			continue
		}
		rows |= 1 << i
		// The row is cleared here; the rows skipped above are zero
		// already, so c is zero on return without clearing all 64
		// coefficients.
		tc := (*[57]int32)(t[i&7:])
		x0, x1, x2, x3, x4, x5, x6, x7 := r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]
		*r = [8]int32{}
		a0 := x0 + x4
		a4 := x0 - x4
		a2 := (x2 >> 1) - x6
		a6 := x2 + (x6 >> 1)
		b0 := a0 + a6
		b2 := a4 + a2
		b4 := a4 - a2
		b6 := a0 - a6
		a1 := -x3 + x5 - x7 - (x7 >> 1)
		a3 := x1 + x7 - x3 - (x3 >> 1)
		a5 := -x1 + x7 + x5 + (x5 >> 1)
		a7 := x3 + x5 + x1 + (x1 >> 1)
		b1 := a1 + (a7 >> 2)
		b7 := a7 - (a1 >> 2)
		b3 := a3 + (a5 >> 2)
		b5 := (a3 >> 2) - a5
		tc[0] = b0 + b7
		tc[8] = b2 + b5
		tc[16] = b4 + b3
		tc[24] = b6 + b1
		tc[32] = b6 - b1
		tc[40] = b4 - b3
		tc[48] = b2 - b5
		tc[56] = b0 - b7
	}
	return rows
}

// ld2x32 returns r[0] and r[1] as one word: Go loads it with one 64-bit
// load, so a row of eight coefficients is tested for zero with four.
func ld2x32(r *[2]int32) uint64 { return uint64(uint32(r[0])) | uint64(uint32(r[1]))<<32 }

// idct8Cols is the column pass of idct8Add (eq. 8-340 to 8-360 on the
// columns of t, whose non-zero rows are in rows), adding each residual
// minus off to the prediction in dst (§8.5.14). When only row 0 is
// non-zero (a DC-only block among them) every column's input is
// (x, 0, ..., 0), whose transform is x in all eight outputs, so the column
// pass reduces to adding the row-pass output to every row.
func idct8Cols(dst []uint16, stride int, t *[64]int32, rows int, off, maxV int32) {
	_ = dst[7*stride+7]
	d0 := (*[8]uint16)(dst[0:8])
	d1 := (*[8]uint16)(dst[stride : stride+8])
	d2 := (*[8]uint16)(dst[2*stride : 2*stride+8])
	d3 := (*[8]uint16)(dst[3*stride : 3*stride+8])
	d4 := (*[8]uint16)(dst[4*stride : 4*stride+8])
	d5 := (*[8]uint16)(dst[5*stride : 5*stride+8])
	d6 := (*[8]uint16)(dst[6*stride : 6*stride+8])
	d7 := (*[8]uint16)(dst[7*stride : 7*stride+8])
	if rows <= 1 {
		if rows == 1 {
			var v [8]int32
			for j := range v {
				v[j] = t[j*8]>>6 - off
			}
			for _, d := range [8]*[8]uint16{d0, d1, d2, d3, d4, d5, d6, d7} {
				for x := range d {
					d[x] = clipAdd(d[x], v[x], maxV)
				}
			}
		}
		return
	}
	if rows < 1<<4 {
		// Only rows 0-3 are non-zero, so every column's x4..x7 are zero:
		// the column pass of eq. 8-340 to 8-359 with those terms dropped.
		for j := 0; j < 8; j++ {
			f := (*[4]int32)(t[j*8 : j*8+4])
			x0, x1, x2, x3 := f[0], f[1], f[2], f[3]
			b0 := x0 + x2
			b6 := x0 - x2
			b2 := x0 + (x2 >> 1)
			b4 := x0 - (x2 >> 1)
			a1 := -x3
			a3 := x1 - x3 - (x3 >> 1)
			a5 := -x1
			a7 := x3 + x1 + (x1 >> 1)
			b1 := a1 + (a7 >> 2)
			b7 := a7 - (a1 >> 2)
			b3 := a3 + (a5 >> 2)
			b5 := (a3 >> 2) - a5
			d0[j] = clipAdd(d0[j], (b0+b7)>>6-off, maxV)
			d1[j] = clipAdd(d1[j], (b2+b5)>>6-off, maxV)
			d2[j] = clipAdd(d2[j], (b4+b3)>>6-off, maxV)
			d3[j] = clipAdd(d3[j], (b6+b1)>>6-off, maxV)
			d4[j] = clipAdd(d4[j], (b6-b1)>>6-off, maxV)
			d5[j] = clipAdd(d5[j], (b4-b3)>>6-off, maxV)
			d6[j] = clipAdd(d6[j], (b2-b5)>>6-off, maxV)
			d7[j] = clipAdd(d7[j], (b0-b7)>>6-off, maxV)
		}
		return
	}
	for j := 0; j < 8; j++ {
		// Column j (eq. 8-340 to 8-359 on t[j*8:j*8+8]), added to the
		// prediction (§8.5.14).
		f := (*[8]int32)(t[j*8 : j*8+8])
		x0, x1, x2, x3, x4, x5, x6, x7 := f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]
		a0 := x0 + x4
		a4 := x0 - x4
		a2 := (x2 >> 1) - x6
		a6 := x2 + (x6 >> 1)
		b0 := a0 + a6
		b2 := a4 + a2
		b4 := a4 - a2
		b6 := a0 - a6
		a1 := -x3 + x5 - x7 - (x7 >> 1)
		a3 := x1 + x7 - x3 - (x3 >> 1)
		a5 := -x1 + x7 + x5 + (x5 >> 1)
		a7 := x3 + x5 + x1 + (x1 >> 1)
		b1 := a1 + (a7 >> 2)
		b7 := a7 - (a1 >> 2)
		b3 := a3 + (a5 >> 2)
		b5 := (a3 >> 2) - a5
		d0[j] = clipAdd(d0[j], (b0+b7)>>6-off, maxV)
		d1[j] = clipAdd(d1[j], (b2+b5)>>6-off, maxV)
		d2[j] = clipAdd(d2[j], (b4+b3)>>6-off, maxV)
		d3[j] = clipAdd(d3[j], (b6+b1)>>6-off, maxV)
		d4[j] = clipAdd(d4[j], (b6-b1)>>6-off, maxV)
		d5[j] = clipAdd(d5[j], (b4-b3)>>6-off, maxV)
		d6[j] = clipAdd(d6[j], (b2-b5)>>6-off, maxV)
		d7[j] = clipAdd(d7[j], (b0-b7)>>6-off, maxV)
	}
}

// idct8Add255 is the column pass of idct8Add for 8-bit samples, whose
// residuals r carry +512 (see idct8Add). The column pass stores r+512 as
// uint16 in res, row by row; when every r+512 is in 0..1023 (always, in a
// conforming stream: the standard bounds the transform's values by
// 2^(7+bitDepth), §8.5.13.2) the prediction is added four samples at a
// time in 16-bit lanes of a uint64 (p + r + 512 is below 2^11, so no
// lane carries), and a row whose sums all lie in 512..767 (no clipping:
// bits 8-15 of each lane are 2) is stored without testing each sample.
// It returns false, having written nothing, when a residual is out of
// range; idct8Cols then does the block.
func idct8Add255(dst []uint16, stride int, t *[64]int32, rows int) bool {
	// A row of sums p+r+512 needs no clipping when bits 8-15 of every
	// lane are 2; subtracting two then leaves p+r.
	const two, hi8 = 0x0200 * rep16, 0xff00 * rep16
	var res [64]uint16
	var acc int32
	switch {
	case rows <= 1:
		// Only row 0 (see idct8Cols): every row of the residual is the
		// row-pass output.
		v0, v1, v2, v3 := t[0]>>6, t[8]>>6, t[16]>>6, t[24]>>6
		v4, v5, v6, v7 := t[32]>>6, t[40]>>6, t[48]>>6, t[56]>>6
		if uint32(v0|v1|v2|v3|v4|v5|v6|v7) >= 1024 {
			return false
		}
		q0 := uint64(v0) | uint64(v1)<<16 | uint64(v2)<<32 | uint64(v3)<<48
		q1 := uint64(v4) | uint64(v5)<<16 | uint64(v6)<<32 | uint64(v7)<<48
		o := 0
		for y := 0; y < 8; y++ {
			d := (*[8]uint16)(dst[o : o+8])
			v0 := ld4((*[4]uint16)(d[0:4])) + q0
			v1 := ld4((*[4]uint16)(d[4:8])) + q1
			if ((v0^two)|(v1^two))&hi8 != 0 {
				v0, v1 = clipLanes255(v0), clipLanes255(v1)
			}
			st4((*[4]uint16)(d[0:4]), v0-two)
			st4((*[4]uint16)(d[4:8]), v1-two)
			o += stride
		}
		return true
	case rows < 1<<4:
		// Rows 0-3 only: x4..x7 of every column are zero.
		for j := 0; j < 8; j++ {
			f := (*[4]int32)(t[j*8 : j*8+4])
			x0, x1, x2, x3 := f[0], f[1], f[2], f[3]
			b0 := x0 + x2
			b6 := x0 - x2
			b2 := x0 + (x2 >> 1)
			b4 := x0 - (x2 >> 1)
			a1 := -x3
			a3 := x1 - x3 - (x3 >> 1)
			a5 := -x1
			a7 := x3 + x1 + (x1 >> 1)
			b1 := a1 + (a7 >> 2)
			b7 := a7 - (a1 >> 2)
			b3 := a3 + (a5 >> 2)
			b5 := (a3 >> 2) - a5
			r0, r1, r2, r3 := (b0+b7)>>6, (b2+b5)>>6, (b4+b3)>>6, (b6+b1)>>6
			r4, r5, r6, r7 := (b6-b1)>>6, (b4-b3)>>6, (b2-b5)>>6, (b0-b7)>>6
			acc |= r0 | r1 | r2 | r3 | r4 | r5 | r6 | r7
			rc := (*[57]uint16)(res[j&7:])
			rc[0], rc[8], rc[16], rc[24] = uint16(r0), uint16(r1), uint16(r2), uint16(r3)
			rc[32], rc[40], rc[48], rc[56] = uint16(r4), uint16(r5), uint16(r6), uint16(r7)
		}
	default:
		for j := 0; j < 8; j++ {
			f := (*[8]int32)(t[j*8 : j*8+8])
			x0, x1, x2, x3, x4, x5, x6, x7 := f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]
			a0 := x0 + x4
			a4 := x0 - x4
			a2 := (x2 >> 1) - x6
			a6 := x2 + (x6 >> 1)
			b0 := a0 + a6
			b2 := a4 + a2
			b4 := a4 - a2
			b6 := a0 - a6
			a1 := -x3 + x5 - x7 - (x7 >> 1)
			a3 := x1 + x7 - x3 - (x3 >> 1)
			a5 := -x1 + x7 + x5 + (x5 >> 1)
			a7 := x3 + x5 + x1 + (x1 >> 1)
			b1 := a1 + (a7 >> 2)
			b7 := a7 - (a1 >> 2)
			b3 := a3 + (a5 >> 2)
			b5 := (a3 >> 2) - a5
			r0, r1, r2, r3 := (b0+b7)>>6, (b2+b5)>>6, (b4+b3)>>6, (b6+b1)>>6
			r4, r5, r6, r7 := (b6-b1)>>6, (b4-b3)>>6, (b2-b5)>>6, (b0-b7)>>6
			acc |= r0 | r1 | r2 | r3 | r4 | r5 | r6 | r7
			rc := (*[57]uint16)(res[j&7:])
			rc[0], rc[8], rc[16], rc[24] = uint16(r0), uint16(r1), uint16(r2), uint16(r3)
			rc[32], rc[40], rc[48], rc[56] = uint16(r4), uint16(r5), uint16(r6), uint16(r7)
		}
	}
	if uint32(acc) >= 1024 {
		return false
	}
	o := 0
	for y := 0; y < 8; y++ {
		d := (*[8]uint16)(dst[o : o+8])
		r := (*[8]uint16)(res[8*y : 8*y+8])
		v0 := ld4((*[4]uint16)(d[0:4])) + ld4((*[4]uint16)(r[0:4]))
		v1 := ld4((*[4]uint16)(d[4:8])) + ld4((*[4]uint16)(r[4:8]))
		if ((v0^two)|(v1^two))&hi8 != 0 {
			v0, v1 = clipLanes255(v0), clipLanes255(v1)
		}
		st4((*[4]uint16)(d[0:4]), v0-two)
		st4((*[4]uint16)(d[4:8]), v1-two)
		o += stride
	}
	return true
}

// clipLanes255 clips each 16-bit lane of v (p+r+512, below 2^11) to
// 512..767, that is p+r to 0..255.
func clipLanes255(v uint64) uint64 {
	var w uint64
	for i := 0; i < 64; i += 16 {
		w |= uint64(min(max(v>>i&0xffff, 512), 767)) << i
	}
	return w
}

// scale4x4 is eq. 8-336/8-337: d = c*LevelScale4x4 scaled by qP/6.
func scale4x4(c int32, ls int32, qp int) int32 {
	if qp >= 24 {
		return (c * ls) << uint(qp/6-4)
	}
	return (c*ls + 1<<uint(3-qp/6)) >> uint(4-qp/6)
}

// scale8x8 is eq. 8-338/8-339.
func scale8x8(c int32, ls int32, qp int) int32 {
	if qp >= 36 {
		return (c * ls) << uint(qp/6-6)
	}
	return (c*ls + 1<<uint(5-qp/6)) >> uint(6-qp/6)
}

// lumaDC applies the Intra16x16 DC transform and scaling (§8.5.10) to the
// 16 DC levels c (raster 4x4 order) and stores each result in the DC
// position of the 4x4 block it belongs to: dc[blkRaster].
func lumaDCTransform(c *[16]int32, ls int32, qp int) {
	var t [16]int32
	for i := 0; i < 4; i++ {
		a, b, cc, d := c[i*4], c[i*4+1], c[i*4+2], c[i*4+3]
		t[i*4] = a + b + cc + d
		t[i*4+1] = a + b - cc - d
		t[i*4+2] = a - b - cc + d
		t[i*4+3] = a - b + cc - d
	}
	for j := 0; j < 4; j++ {
		a, b, cc, d := t[j], t[4+j], t[8+j], t[12+j]
		f := [4]int32{a + b + cc + d, a + b - cc - d, a - b - cc + d, a - b + cc - d}
		for i := 0; i < 4; i++ {
			v := f[i]
			if qp >= 36 {
				v = (v * ls) << uint(qp/6-6)
			} else {
				v = (v*ls + 1<<uint(5-qp/6)) >> uint(6-qp/6)
			}
			c[i*4+j] = v
		}
	}
}
