package h264

// This file is the residual of a CABAC coded I macroblock: residual_luma()
// (§7.3.5.3.1) and the chroma part of residual() (§7.3.5.3) for CABAC,
// with the coded_block_flag ctxIdxInc of §9.3.3.1.1.9 taken from bit masks
// built once per macroblock instead of neighbour look-ups per block. The
// CAVLC paths are residualLuma and residualChroma in slice.go.
//
// A 4x4 block's ctxIdxInc is condTermFlagA + 2*condTermFlagB, the
// coded_block_flag of the block to the left and of the block above (1 for
// an unavailable neighbour of an intra macroblock or for I_PCM, 0 when the
// neighbouring block is not coded). The flags of a component sit in a grid
// of bits one block wider and taller than the macroblock: row 0 holds the
// bottom row of blocks of the macroblock above, column 0 the right column
// of the macroblock to the left, and the block at (x, y) in 4x4 units is
// bit (y+1)*w + x+1, w = 5 for luma and 3 for chroma (4:2:0, 4:2:2). Its
// neighbours are then bits p-1 (A) and p-w (B), and a decoded block sets
// bit p when it has a non-zero coefficient.

// lumaGridPos is the grid bit of luma4x4BlkIdx (w = 5).
var lumaGridPos [16]uint8

func init() {
	for blk := range lumaGridPos {
		lumaGridPos[blk] = (blkY[blk]+1)*5 + blkX[blk] + 1
	}
}

// lumaCbfGrid returns the grid of a luma-coded component (base 0, 16 or 32
// in totalCoeff) with the neighbours' bits set (neighbourLumaCbf).
func (d *sliceDecoder) lumaCbfGrid(base int) uint32 {
	var g uint32
	if m := d.mbA; m == nil || m.mbType == mbTypeIPCM {
		g |= 1<<5 | 1<<10 | 1<<15 | 1<<20
	} else {
		tc := (*[16]uint8)(m.totalCoeff[base:])
		// Right column: blocks 5, 7, 13, 15 (8x8 blocks 1 and 3).
		if m.cbp&2 != 0 {
			g |= uint32(b2i(tc[5] != 0))<<5 | uint32(b2i(tc[7] != 0))<<10
		}
		if m.cbp&8 != 0 {
			g |= uint32(b2i(tc[13] != 0))<<15 | uint32(b2i(tc[15] != 0))<<20
		}
	}
	if m := d.mbB; m == nil || m.mbType == mbTypeIPCM {
		g |= 1<<1 | 1<<2 | 1<<3 | 1<<4
	} else {
		tc := (*[16]uint8)(m.totalCoeff[base:])
		// Bottom row: blocks 10, 11, 14, 15 (8x8 blocks 2 and 3).
		if m.cbp&4 != 0 {
			g |= uint32(b2i(tc[10] != 0))<<1 | uint32(b2i(tc[11] != 0))<<2
		}
		if m.cbp&8 != 0 {
			g |= uint32(b2i(tc[14] != 0))<<3 | uint32(b2i(tc[15] != 0))<<4
		}
	}
	return g
}

// chromaCbfGrid returns the grid (w = 3) of the chroma AC blocks of
// component base (16 Cb, 32 Cr in totalCoeff) with the neighbours' bits set
// (chromaACCbfInc): nBlk is 4 (4:2:0) or 8 (4:2:2).
func (d *sliceDecoder) chromaCbfGrid(base, nBlk int) uint32 {
	var g uint32
	rows := nBlk >> 1
	if m := d.mbA; m == nil || m.mbType == mbTypeIPCM {
		g |= 1<<3 | 1<<6 | 1<<9 | 1<<12
	} else if m.cbp>>4 == 2 {
		// Right column: blocks 1, 3 (and 5, 7 in 4:2:2).
		tc := (*[8]uint8)(m.totalCoeff[base:])
		g |= uint32(b2i(tc[1] != 0))<<3 | uint32(b2i(tc[3] != 0))<<6
		if rows > 2 {
			g |= uint32(b2i(tc[5] != 0))<<9 | uint32(b2i(tc[7] != 0))<<12
		}
	}
	if m := d.mbB; m == nil || m.mbType == mbTypeIPCM {
		g |= 1<<1 | 1<<2
	} else if m.cbp>>4 == 2 {
		// Bottom row: blocks 2, 3 (6, 7 in 4:2:2).
		tc := (*[8]uint8)(m.totalCoeff[base+rows*2-2:])
		g |= uint32(b2i(tc[0] != 0))<<1 | uint32(b2i(tc[1] != 0))<<2
	}
	return g
}

// chromaDCCbfBits is condTermFlagN of the Cb (bit 0) and Cr (bit 1) DC
// blocks of neighbour m (chromaDCCbfInc).
func chromaDCCbfBits(m *mbInfo) uint8 {
	switch {
	case m == nil, m.mbType == mbTypeIPCM:
		return 3
	case m.cbp>>4 == 0:
		return 0
	}
	return m.cbfDC >> 1 & 3
}

// residualLumaCABAC is residualLuma for CABAC.
func (d *sliceDecoder) residualLumaCABAC(comp int, i16 bool, cbpLuma int) {
	c := &d.cabac
	cur := d.cur
	qp := d.qp + d.qpBdY
	if comp > 0 {
		qp = d.chromaQP(comp - 1)
	}
	qm := qp % 6
	base := 16 * comp
	cat0 := [3]int{0, 6, 10}[comp] // ctxBlockCat of the DC block (Table 9-42)
	coef4, coef8 := &d.coef4[comp], &d.coef8[comp]
	tc := (*[16]uint8)(cur.totalCoeff[base:])
	var nz uint16
	if i16 {
		n := c.residual(cat0, 16, d.lumaDCCbfInc(comp))
		if n > 0 {
			cur.cbfDC |= 1 << uint(comp)
			var cf [16]int32
			for i, p := range c.sigPos[:n&63] {
				cf[zigzag4x4[p&15]] = c.sigVals[i]
			}
			if !d.bypass {
				lumaDCTransform(&cf, d.ls.ls4[comp][qm][0], qp)
			}
			for i, v := range cf {
				if v != 0 {
					blk := blkAt[i>>2][i&3]
					coef4[blk&15][0] = v
					nz |= 1 << blk
				}
			}
		}
		if cbpLuma != 0 {
			g := d.lumaCbfGrid(base)
			ls := &d.ls.ls4[comp][qm]
			for blk := range 16 {
				p := lumaGridPos[blk]
				n := c.residual(cat0+1, 15, int(g>>(p-1)&1+g>>(p-5)&1*2))
				tc[blk] = uint8(n)
				if n == 0 {
					continue
				}
				g |= 1 << p
				nz |= 1 << blk
				d.scatter4(&coef4[blk], n, 1, ls, qp)
			}
		}
		d.nzY[comp] = nz
		return
	}
	if !cur.transform8x8 {
		g := d.lumaCbfGrid(base)
		ls := &d.ls.ls4[comp][qm]
		for blk := range 16 {
			if cbpLuma>>(blk>>2)&1 == 0 {
				continue
			}
			p := lumaGridPos[blk]
			n := c.residual(cat0+2, 16, int(g>>(p-1)&1+g>>(p-5)&1*2))
			tc[blk] = uint8(n)
			if n == 0 {
				continue
			}
			g |= 1 << p
			nz |= 1 << blk
			d.scatter4(&coef4[blk], n, 0, ls, qp)
		}
		d.nzY[comp] = nz
		return
	}
	ls := &d.ls.ls8[comp][qm]
	for b8 := range 4 {
		if cbpLuma>>b8&1 == 0 {
			continue
		}
		// coded_block_flag of an 8x8 block is present only in 4:4:4.
		inc := -1
		if d.chromaArrayType == 3 {
			inc = d.cbf8x8Inc(base, b8)
		}
		n := c.residual(cat0+5-cat0/6*2, 64, inc) // ctxBlockCat 5, 9, 13
		t := uint8(n)
		tc[4*b8], tc[4*b8+1], tc[4*b8+2], tc[4*b8+3] = t, t, t, t
		if n > 0 {
			nz |= 1 << b8
		}
		d.scatter8(&coef8[b8], n, ls, qp)
	}
	d.nzY[comp] = nz
}

// residualChromaCABAC is residualChroma for CABAC.
func (d *sliceDecoder) residualChromaCABAC(cbpChroma int) {
	c := &d.cabac
	cur := d.cur
	nBlk := 4
	if d.chromaArrayType == 2 {
		nBlk = 8
	}
	d.nzC = [2]uint8{}
	d.acC = [2]uint8{}
	if cbpChroma&3 == 0 {
		return
	}
	fa, fb := chromaDCCbfBits(d.mbA), chromaDCCbfBits(d.mbB)
	for comp := range 2 {
		n := c.residual(3, nBlk, int(fa>>comp&1+fb>>comp&1*2))
		if n == 0 {
			continue
		}
		cur.cbfDC |= 1 << uint(1+comp)
		var dc [8]int32
		for i, p := range c.sigPos[:n&63] {
			dc[p&7] = c.sigVals[i]
		}
		if nBlk == 4 && !d.bypass {
			d.chromaDC420(comp, &dc)
		} else {
			d.chromaDC(comp, &dc, nBlk)
		}
	}
	if cbpChroma&2 == 0 {
		return
	}
	for comp := range 2 {
		base := 16 + 16*comp
		g := d.chromaCbfGrid(base, nBlk)
		tc := (*[8]uint8)(cur.totalCoeff[base:])
		qp := d.chromaQP(comp)
		ls := &d.ls.ls4[1+comp][qp%6]
		if d.bypass {
			ls = &ones
		}
		ac := c.chromaACBlocks(g, nBlk, tc, &d.coefC[comp], ls, d.newDequant4(qp))
		d.nzC[comp] |= ac
		d.acC[comp] = ac
	}
}

// chromaDC420 is chromaDC for 4:2:0 outside lossless macroblocks: the 2x2
// transform of eq. 8-328 and the scaling of eq. 8-330
// (dcC = ((f * LevelScale4x4(qP % 6, 0, 0)) << (qP / 6)) >> 5). All four
// DC positions are written (a zero where the result is zero: the
// reconstruction clears them after use).
func (d *sliceDecoder) chromaDC420(c int, lv *[8]int32) {
	qp := d.chromaQP(c)
	c0, c1, c2, c3 := lv[0], lv[1], lv[2], lv[3]
	ls := d.ls.ls4[1+c][qp%6][0]
	sh := uint(qp/6) & 31
	f0 := ((c0 + c1 + c2 + c3) * ls << sh) >> 5
	f1 := ((c0 - c1 + c2 - c3) * ls << sh) >> 5
	f2 := ((c0 + c1 - c2 - c3) * ls << sh) >> 5
	f3 := ((c0 - c1 - c2 + c3) * ls << sh) >> 5
	cf := &d.coefC[c&1]
	cf[0][0], cf[1][0], cf[2][0], cf[3][0] = f0, f1, f2, f3
	d.nzC[c&1] |= uint8(b2i(f0 != 0) | b2i(f1 != 0)<<1 | b2i(f2 != 0)<<2 | b2i(f3 != 0)<<3)
}

// intraModesCABAC decodes the Intra4x4PredMode or Intra8x8PredMode of the
// current I_NxN macroblock (§7.3.5.1, §8.3.1.1, §8.3.2.1) into
// cur.predModes.
//
// predIntra4x4PredMode is Min(intraMxMPredModeA, intraMxMPredModeB), or
// DC when the macroblock of A or B is not available (predIntraMode). The
// modes sit in a 5x5 grid like the coded_block_flag bits: row 0 the bottom
// row of the macroblock above, column 0 the right column of the macroblock
// to the left, -1 where that macroblock is not available; the block at
// (x, y) is at (y+1)*5 + x+1, A at one before, B at five before.
func (d *sliceDecoder) intraModesCABAC() {
	var rem [16]int8
	d.cabac.intraPredModes(16-12*b2i(d.cur.transform8x8), &rem)
	d.setIntraModes(&rem)
}

// setIntraModes sets cur.predModes from the rem_intra_pred_mode values of
// intraPredModes (-1 for prev_intra_pred_mode_flag 1).
func (d *sliceDecoder) setIntraModes(rem *[16]int8) {
	cur := d.cur
	mA, mB := d.mbA, d.mbB
	if !cur.transform8x8 {
		var g [32]int8 // 25 used; indexed &31
		if mA == nil {
			g[5], g[10], g[15], g[20] = -1, -1, -1, -1
		} else {
			g[5], g[10], g[15], g[20] = mA.predModes[5], mA.predModes[7], mA.predModes[13], mA.predModes[15]
		}
		if mB == nil {
			g[1], g[2], g[3], g[4] = -1, -1, -1, -1
		} else {
			g[1], g[2], g[3], g[4] = mB.predModes[10], mB.predModes[11], mB.predModes[14], mB.predModes[15]
		}
		for blk := range 16 {
			p := lumaGridPos[blk]
			mode := min(g[(p-1)&31], g[(p-5)&31])
			if mode < 0 {
				mode = predDC
			}
			if r := rem[blk]; r >= 0 {
				mode = r + int8(b2i(r >= mode))
			}
			g[p&31] = mode
			cur.predModes[blk] = mode
		}
		return
	}
	// 8x8 blocks in a 3x3 grid (bit (y+1)*3 + x+1 for 8x8 block (x, y)):
	// the neighbours of an 8x8 block's top-left 4x4 block are the 4x4
	// blocks the standard names (luma8x8BlkIdxA*4+1, luma8x8BlkIdxB*4+2),
	// which for a neighbouring macroblock are its 4x4 blocks 5 and 13
	// (A) or 10 and 14 (B).
	var g [16]int8 // 9 used
	if mA == nil {
		g[3], g[6] = -1, -1
	} else {
		g[3], g[6] = mA.predModes[5], mA.predModes[13]
	}
	if mB == nil {
		g[1], g[2] = -1, -1
	} else {
		g[1], g[2] = mB.predModes[10], mB.predModes[14]
	}
	for b8 := range 4 {
		p := (b8>>1+1)*3 + b8&1 + 1
		mode := min(g[(p-1)&15], g[(p-3)&15])
		if mode < 0 {
			mode = predDC
		}
		if r := rem[b8]; r >= 0 {
			mode = r + int8(b2i(r >= mode))
		}
		g[p&15] = mode
		m := (*[4]int8)(cur.predModes[4*b8:])
		m[0], m[1], m[2], m[3] = mode, mode, mode, mode
	}
}

// chromaACBlocks decodes the coded_block_flag and residual_block_cabac
// (ctxBlockCat 4, maxNumCoeff 15) of the nBlk (4 or 8) chroma AC blocks of
// one component in order, and scales their levels into coef (scatter4 with
// the shifts of q). g is the component's coded_block_flag grid
// (chromaCbfGrid); tc receives the count of levels of each block. It
// returns the mask of the blocks with levels.
//
// It is residual (cabac_residual.go) for a run of blocks: the
// coded_block_flag decision is written out on the engine in locals, and
// sigMap4 and levels are called directly, so that a block costs no call of
// residual and no reload of the macroblock's state. The window is checked
// before each coded_block_flag, and the overrun once after the blocks
// (their count is bounded, and data past the end reads as zeros).
func (c *cabac) chromaACBlocks(g uint32, nBlk int, tc *[8]uint8, coef *[8][16]int32, ls *[16]int32, q dequant) uint8 {
	var mask uint8
	sl := c.sigLast
	if sl == nil {
		sl = &sigLastCtx[b2i(c.field)] // before start
	}
	sbase, lbase := uint(sl[4][0][0]), uint(sl[4][0][1])
	e := c.e
	for blk := range min(nBlk, 8) {
		p := (blk>>1+1)*3 + blk&1 + 1
		inc := int(g>>(p-1)&1 + g>>(p-3)&1*2)
		if c.rec != nil {
			c.record(opResidual, 4, 15, inc, 15)
		}
		value, rs := e.value, e.rng<<cabacValueShift
		if uint32(value) == 0 { // refill (refillValue)
			lsb := value & -value
			value = value ^ lsb | (c.word(c.pos)>>40<<1|1)*(lsb>>24)
			c.pos += 3
		}
		// DecodeDecision on coded_block_flag (ctxIdx 85 + 16 + inc), as
		// in residual.
		k := (int(cbfCtxBase[4]) + inc) & 1023
		st := c.ctx[k]
		lps := cabacLPSS[lpsIdx(rs, st)]
		rs -= lps
		if value < rs {
			c.ctx[k] = cabacNext[st]
			sh := (rs>>61 ^ 1) & 63
			rs <<= sh
			value <<= sh
		} else {
			value -= rs
			c.ctx[k] = cabacNextLPS[st]
			st ^= 1
			sh := uint64(cabacLPSShift[uint8(lps>>cabacValueShift)]) & 63
			rs = lps << sh
			value <<= sh
		}
		e = engine{value, rs >> cabacValueShift}
		if st&1 == 0 {
			tc[blk] = 0
			continue
		}
		var n int
		e, n = c.sigMap4(e, sbase, lbase, 14)
		e = c.levels(e, &levelCtx[4], n)
		tc[blk] = uint8(n)
		g |= 1 << p
		mask |= 1 << blk
		c.scatterAC(&coef[blk], n, ls, q)
	}
	if uint32(e.value) == 0 { // refill
		e.value = c.refillValue(e.value)
	}
	c.e = e
	if c.overrun(e.value) {
		c.setErr(errCABACOverrun)
	}
	return mask
}

// dequant holds the scaling of §8.5.12.1 for one quantiser and one block
// size as two shifts:
//
//	d = ((c * LevelScale) << up + rnd) >> down
//
// which for 4x4 blocks (eq. 8-336, 8-337) is (c*LS) << (qP/6-4) when
// qP >= 24 and (c*LS + 2^(3-qP/6)) >> (4-qP/6) otherwise. In a lossless
// macroblock (TransformBypassModeFlag, §8.5.12.1) the coefficients are
// copied: up = down = rnd = 0 and LevelScale is ones.
type dequant struct {
	up, down uint8
	rnd      int32
}

// ones is the LevelScale of a lossless macroblock.
var ones = [16]int32{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}

// newDequant4 returns the dequant of qP for 4x4 blocks; d.bypass gives the
// identity.
func (d *sliceDecoder) newDequant4(qp int) dequant {
	if d.bypass {
		return dequant{}
	}
	e := qp/6 - 4
	if e >= 0 {
		return dequant{up: uint8(e)}
	}
	return dequant{down: uint8(-e), rnd: 1 << (-e - 1)}
}

// scatterAC is scatter4 for an AC block (levels from scanning position 1)
// with the shifts of q.
//
//go:noinline
func (c *cabac) scatterAC(dst *[16]int32, n int, ls *[16]int32, q dequant) {
	up, down, rnd := q.up&31, q.down&31, q.rnd
	for i, v := range c.sigVals[:min(n, 15)] {
		pos := zigzag4x4From[1][c.sigPos[i]&15] & 15
		dst[pos] = (v*ls[pos]<<up + rnd) >> down
	}
}
