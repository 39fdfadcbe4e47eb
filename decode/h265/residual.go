package h265

import (
	"math/bits"

	"github.com/stills/stills/decode"
)

// residual parses residual_coding() (§7.3.8.11) for a block of component
// cIdx at (x0, y0) in that component's samples, then scales (§8.6.2,
// §8.6.3), inverse transforms (§8.6.4) and adds it to the prediction
// (§8.6.7).
func (d *Decoder) residual(cIdx, x0, y0, log2N, predMode int) {
	p := &d.pic
	pp := p.pps
	ss := &d.ss
	c := &d.cab
	ctx := &c.ctx
	n := 1 << log2N
	if d.coefDirty {
		d.coef = [32 * 32]int32{}
	}
	d.coefDirty = true
	coef := &d.coef
	transformSkip := false
	if pp.transformSkip && !ss.bypass && log2N == 2 {
		inc := 0
		if cIdx > 0 {
			inc = 1
		}
		transformSkip = c.decodeBin(&ctx[ctxTransformSkip+inc]) == 1
	}
	// last_sig_coeff_x/y_prefix (§9.3.4.2.3).
	var ctxOffset, ctxShift int
	if cIdx == 0 {
		ctxOffset = 3*(log2N-2) + ((log2N - 1) >> 2)
		ctxShift = (log2N + 1) >> 2
	} else {
		ctxOffset = 15
		ctxShift = log2N - 2
	}
	cMax := (log2N << 1) - 1
	lastX := c.prefix(ctxLastX+ctxOffset, uint(ctxShift), cMax)
	lastY := c.prefix(ctxLastY+ctxOffset, uint(ctxShift), cMax)
	// The suffixes (§7.4.9.11) keep LastSignificantCoeffX/Y below n: a
	// prefix p > 3 gives at most (3 + 1)·2^((p>>1)-1) - 1 ≤ n - 1.
	if lastX > 3 {
		k := (lastX >> 1) - 1
		lastX = (1<<k)*(2+(lastX&1)) + c.decodeBypassBits(k)
	}
	if lastY > 3 {
		k := (lastY >> 1) - 1
		lastY = (1<<k)*(2+(lastY&1)) + c.decodeBypassBits(k)
	}
	// scanIdx (§7.4.9.11).
	scanIdx := 0
	if log2N == 2 || (log2N == 3 && cIdx == 0) {
		if predMode >= 6 && predMode <= 14 {
			scanIdx = 2
		} else if predMode >= 22 && predMode <= 30 {
			scanIdx = 1
		}
	}
	if scanIdx == 2 {
		lastX, lastY = lastY, lastX
	}
	log2Sb := log2N - 2
	sbScan := &scanSb[log2Sb][scanIdx]
	posScan := &scanSub[scanIdx]
	// The last sub-block and the last position in it.
	lastSubBlock := int(scanSbInv[log2Sb][scanIdx][((lastY>>2)<<3|lastX>>2)&63])
	lastScanPos := int(scanSubInv[scanIdx][((lastY&3)<<2|lastX&3)&15])
	// Scaling (§8.6.2, §8.6.3) as each level is placed: only the non-zero
	// coefficients are scaled. m is 16 without scaling lists (eq. 8-309)
	// and for transform-skipped blocks larger than 4×4.
	scaled := !ss.bypass
	var sBdShift uint
	var sRnd, sMul int64
	var sF []uint8
	if scaled {
		bitDepth := p.sps.bitDepthY
		var qp int
		if cIdx == 0 {
			qp = ss.qpY + ss.qpBdY
		} else {
			bitDepth = p.sps.bitDepthC
			off := pp.cbQPOffset + ss.hdr.cbQPOffset
			if cIdx == 2 {
				off = pp.crQPOffset + ss.hdr.crQPOffset
			}
			qpi := ss.qpY + off
			if qpi < -ss.qpBdC {
				qpi = -ss.qpBdC
			} else if qpi > 57 {
				qpi = 57
			}
			qp = chromaQP420(qpi) + ss.qpBdC
		}
		sBdShift = uint(bitDepth + log2N - 5)
		sRnd = int64(1) << (sBdShift - 1)
		sMul = levelScale[qp%6] << uint(qp/6)
		sF = p.factor[log2N-2][cIdx]
		if transformSkip && n > 4 {
			sF = nil
		}
		if sF == nil {
			sMul *= 16
		} else {
			sF = sF[:n*n]
		}
	}
	var colMask uint32 // bit x: column x holds a level
	var rowMask uint32 // bit y: row y holds a level
	colRows := &d.colRows
	*colRows = [32]uint32{} // bit y of colRows[x]: (x, y) holds a level
	// sbNbr[scanSb9 of (xS, yS)] says which neighbours of a sub-block are
	// coded (§9.3.4.2.4): bit 0 the one right of it, bit 1 the one below.
	// Coding a sub-block marks its left and upper neighbours' slots; the
	// slots of positions outside the block are never read.
	var sbNbr [128]uint8
	sb9 := &scanSb9[log2Sb][scanIdx]
	greater1Ctx := 1 // carried between sub-blocks (§9.3.4.2.6)
	firstSb := true
	signHidingOn := pp.signDataHiding && !ss.bypass
	cIdx01 := 0
	if cIdx > 0 {
		cIdx01 = 1
	}
	sigTab := &sigCtxTab[cIdx01][log2N-2][scanIdx]
	csbfBase := ctxCodedSubBlock + 2*cIdx01
	g1Base := ctxGreater1 + 16*cIdx01
	g2Base := ctxGreater2 + 4*cIdx01
	sigPos := &c.sigPos // scan positions n with sig_coeff_flag = 1, descending
	// The levels of blocks for idctAdd are stored transposed.
	shY, shX := uint(log2N), uint(0)
	tr := 0
	if n > 4 && scaled {
		shY, shX, tr = 0, uint(log2N), 1
	}
	offs := &posOff[tr][log2N-2]
	for i := lastSubBlock; i >= 0; i-- {
		nSig := 0
		start := 15
		inferDC := false
		if i == lastSubBlock {
			start = lastScanPos - 1
			sigPos[0] = int8(lastScanPos)
			nSig = 1
		} else if i > 0 {
			// coded_sub_block_flag: skip to the next coded sub-block.
			i = c.codedSubBlock(uint8(csbfBase), sb9, &sbNbr, i)
			inferDC = i > 0
		}
		s := sbScan[i&63]
		xS, yS := int(s&7), int(s>>3)
		sbOff := yS<<2<<shY + xS<<2<<shX // (xS·4, yS·4) in coef
		i9 := int(sb9[i&63])
		prevCsbf := int(sbNbr[i9&127] & 3) // right | below<<1
		sbNbr[(i9-1)&127] |= 1
		sbNbr[(i9-9)&127] |= 2
		// sig_coeff_flag (§9.3.4.2.5).
		sbDC := 0
		if i == 0 {
			sbDC = 1
		}
		nSig = c.sigFlags(&sigTab[prevCsbf][sbDC], start, inferDC, nSig)
		if nSig == 0 {
			continue
		}
		// coeff_abs_level_greater1_flag (§9.3.4.2.6) and greater2.
		ctxSet := 0
		if i != 0 && cIdx == 0 {
			ctxSet = 2
		}
		if !firstSb && greater1Ctx == 0 {
			ctxSet++
		}
		firstSb = false
		var g1 uint32
		g1, greater1Ctx = c.greater1Flags(uint8(g1Base+4*ctxSet), min(nSig, 8))
		lastG1 := -1
		g2 := int32(0)
		if g1 != 0 {
			lastG1 = bits.TrailingZeros32(g1)
			g2 = int32(c.decodeBin(&ctx[g2Base+ctxSet]))
		}
		firstSigScanPos := int(sigPos[(nSig-1)&15])
		lastSigScanPos := int(sigPos[0])
		signHidden := signHidingOn && lastSigScanPos-firstSigScanPos > 3
		nSigns := nSig
		if signHidden {
			nSigns--
		}
		signs := uint32(c.decodeBypassBits(nSigns)) << uint(32-nSigns)
		// coeff_abs_level_remaining (§9.3.3.11).
		rice := uint(0)
		var sumAbs int32
		for k := 0; k < nSig; k++ {
			base, thr := int32(1), int32(1)
			if k < 8 {
				base += int32(g1>>uint(k)) & 1
				thr = 2
				if k == lastG1 {
					base += g2
					thr = 3
				}
			}
			if base == thr {
				prefix := 0
				for prefix < 32 && c.decodeBypass() == 1 {
					prefix++
				}
				var rem int32
				if prefix <= 3 {
					rem = int32(prefix<<rice + c.decodeBypassBits(int(rice)))
				} else {
					if prefix-3+int(rice) > 30 {
						d.fail(decode.FormatError("coeff_abs_level_remaining too long"))
						return
					}
					rem = int32((((1 << uint(prefix-3)) + 3 - 1) << rice) + c.decodeBypassBits(prefix-3+int(rice)))
				}
				base += rem
				if base > 3*(1<<rice) && rice < 4 {
					rice++
				}
			}
			sumAbs += base
			pos := posScan[sigPos[k&15]&15]
			xC := xS<<2 + int(pos&3)
			yC := yS<<2 + int(pos>>2)
			idx := sbOff + int(offs[pos&15])
			v := base
			if signHidden && k == nSig-1 {
				if sumAbs&1 == 1 {
					v = -v
				}
			} else {
				if signs&0x80000000 != 0 {
					v = -v
				}
				signs <<= 1
			}
			if scaled {
				m := sMul
				if sF != nil {
					m *= int64(sF[yC*n+xC])
				}
				r := (int64(v)*m + sRnd) >> sBdShift
				if r < -32768 {
					r = -32768
				} else if r > 32767 {
					r = 32767
				}
				v = int32(r)
			}
			coef[idx&(32*32-1)] = v
			colMask |= bit32[xC&31]
			rowMask |= bit32[yC&31]
			colRows[xC&31] |= bit32[yC&31]
		}
	}
	if d.err != nil {
		return
	}
	d.colMask = colMask
	d.reconstruct(cIdx, x0, y0, log2N, transformSkip, bits.Len32(colMask)-1, bits.Len32(rowMask)-1)
}

// bit32[i] is 1<<i (a load instead of a shift by a variable count, which
// would tie up CX in the coefficient loop).
var bit32 [32]uint32

// posOff[t][log2N-2][x | y<<2] is the offset of position (x, y) of a
// sub-block in coef: y·n + x, or x·n + y for t = 1 (transposed).
var posOff [2][4][16]uint16

func init() {
	for i := range bit32 {
		bit32[i] = 1 << i
	}
	for l := 0; l < 4; l++ {
		for p := 0; p < 16; p++ {
			x, y := p&3, p>>2
			posOff[0][l][p] = uint16(y<<(l+2) + x)
			posOff[1][l][p] = uint16(x<<(l+2) + y)
		}
	}
}

// sigFlags decodes the sig_coeff_flags of a sub-block (§7.3.8.11) at scan
// positions start down to 0, with the context indices tab[n] (§9.3.4.2.5),
// and appends the positions whose flag is 1 to c.sigPos from index nSig;
// it returns the new count. With inferDC the flag at position 0 is
// inferred to be 1, not decoded, when no other flag of the sub-block is 1.
// This is the decoder's hottest loop: DecodeDecision (§9.3.4.3.2) runs
// inline on local copies of the engine state.
func (c *cabac) sigFlags(tab *[16]uint8, start int, inferDC bool, nSig int) int {
	val, nb, rng := c.val, c.nb, c.rng
	n0 := nSig
	for nn := start; nn >= 0; nn-- {
		if nn == 0 && inferDC && nSig == n0 {
			c.sigPos[nSig&15] = 0 // inferred
			nSig++
			break
		}
		ci := tab[nn&15]
		st := c.ctx[ci]
		lps := uint32(lps4[st][rng>>6&3])
		rng -= lps
		scaled := uint64(rng) << (uint(nb) & 63)
		bin := st & 1
		if val < scaled {
			c.ctx[ci] = nextMps[st]
			sh := 1 - rng>>8 // RenormD: one doubling below 256
			rng += rng & -sh
			nb -= int(sh)
		} else {
			val -= scaled
			bin ^= 1
			c.ctx[ci] = nextLps[st]
			rng = uint32(renormRng[lps])
			nb -= int(renormShift[lps])
		}
		if nb < 8 {
			c.val, c.nb = val, nb
			c.refill()
			val, nb = c.val, c.nb
		}
		c.sigPos[nSig&15] = int8(nn)
		nSig += int(bin)
	}
	c.val, c.nb, c.rng = val, nb, rng
	return nSig
}

// codedSubBlock decodes coded_sub_block_flag (§7.3.8.11) for the
// sub-blocks i, i-1, … 1 in scan order sbScan until one is 1, and returns
// its index, or 0 when none is (sub-block 0 is inferred coded). The
// context (§9.3.4.2.4) is base plus whether the sub-block right of or
// below it is coded (nbr at its scanSb9 slot sb9[i]); DecodeDecision
// inline as in sigFlags.
func (c *cabac) codedSubBlock(base uint8, sb9 *[64]uint8, nbr *[128]uint8, i int) int {
	val, nb, rng := c.val, c.nb, c.rng
	for ; i > 0; i-- {
		v := nbr[sb9[i&63]&127]
		ci := base + (v|v>>1)&1
		st := c.ctx[ci]
		lps := uint32(lps4[st][rng>>6&3])
		rng -= lps
		scaled := uint64(rng) << (uint(nb) & 63)
		bin := st & 1
		if val < scaled {
			c.ctx[ci] = nextMps[st]
			sh := 1 - rng>>8
			rng += rng & -sh
			nb -= int(sh)
		} else {
			val -= scaled
			bin ^= 1
			c.ctx[ci] = nextLps[st]
			rng = uint32(renormRng[lps])
			nb -= int(renormShift[lps])
		}
		if nb < 8 {
			c.val, c.nb = val, nb
			c.refill()
			val, nb = c.val, c.nb
		}
		if bin == 1 {
			break
		}
	}
	c.val, c.nb, c.rng = val, nb, rng
	return i
}

// prefix decodes a truncated unary last_sig_coeff_x/y_prefix (§9.3.3.1)
// of at most cMax bins, bin i with the context base + i>>shift
// (§9.3.4.2.3), DecodeDecision inline as in sigFlags.
func (c *cabac) prefix(base int, shift uint, cMax int) int {
	val, nb, rng := c.val, c.nb, c.rng
	i := 0
	for ; i < cMax; i++ {
		ci := uint8(base + i>>(shift&7))
		st := c.ctx[ci]
		lps := uint32(lps4[st][rng>>6&3])
		rng -= lps
		scaled := uint64(rng) << (uint(nb) & 63)
		bin := st & 1
		if val < scaled {
			c.ctx[ci] = nextMps[st]
			sh := 1 - rng>>8
			rng += rng & -sh
			nb -= int(sh)
		} else {
			val -= scaled
			bin ^= 1
			c.ctx[ci] = nextLps[st]
			rng = uint32(renormRng[lps])
			nb -= int(renormShift[lps])
		}
		if nb < 8 {
			c.val, c.nb = val, nb
			c.refill()
			val, nb = c.val, c.nb
		}
		if bin == 0 {
			break
		}
	}
	c.val, c.nb, c.rng = val, nb, rng
	return i
}

// greater1Next[greater1Ctx][flag] is the next greater1Ctx (§9.3.4.2.6).
var greater1Next = [4][2]uint8{{0, 0}, {2, 0}, {3, 0}, {3, 0}}

// greater1Flags decodes the first n (≤ 8) coeff_abs_level_greater1_flags
// of a sub-block with the contexts base+greater1Ctx (§9.3.4.2.6). It
// returns the flags (bit k for the k-th level) and the final greater1Ctx.
func (c *cabac) greater1Flags(base uint8, n int) (flags uint32, g1c int) {
	val, nb, rng := c.val, c.nb, c.rng
	g1c = 1
	for k := 0; k < n; k++ {
		ci := base + uint8(g1c)
		st := c.ctx[ci]
		lps := uint32(lps4[st][rng>>6&3])
		rng -= lps
		scaled := uint64(rng) << (uint(nb) & 63)
		bin := st & 1
		if val < scaled {
			c.ctx[ci] = nextMps[st]
			sh := 1 - rng>>8 // RenormD: one doubling below 256
			rng += rng & -sh
			nb -= int(sh)
		} else {
			val -= scaled
			bin ^= 1
			c.ctx[ci] = nextLps[st]
			rng = uint32(renormRng[lps])
			nb -= int(renormShift[lps])
		}
		if nb < 8 {
			c.val, c.nb = val, nb
			c.refill()
			val, nb = c.val, c.nb
		}
		flags |= uint32(bin) << uint(k&31)
		g1c = int(greater1Next[g1c&3][bin&1])
	}
	c.val, c.nb, c.rng = val, nb, rng
	return flags, g1c
}

// reconstruct transforms the scaled coefficients in d.coef (§8.6.4) and
// adds the residual to the predicted block (§8.6.7); with
// cu_transquant_bypass the levels themselves are the residual.
func (d *Decoder) reconstruct(cIdx, x0, y0, log2N int, transformSkip bool, maxX, maxY int) {
	p := &d.pic
	s := p.sps
	ss := &d.ss
	n := 1 << log2N
	coef := d.coef[:n*n]
	bitDepth := s.bitDepthY
	if cIdx > 0 {
		bitDepth = s.bitDepthC
	}
	res := d.res[:n*n]
	if ss.bypass {
		copy(res, coef)
	} else {
		// The levels were scaled as they were parsed (residual, scaling).
		bdShift2 := uint(20 - bitDepth)
		if !transformSkip && maxX == 0 && maxY == 0 && !(cIdx == 0 && n == 4) {
			// DC only: one residual value for the whole block (§8.6.4.2
			// with a single non-zero coefficient), added directly.
			t := clip16((64*coef[0] + 64) >> 7)
			r := (64*t + int32(1)<<(bdShift2-1)) >> bdShift2
			coef[0] = 0
			d.coefDirty = false
			pl := p.planes[cIdx]
			stride := p.stride[cIdx]
			maxV := int32(1)<<uint(bitDepth) - 1
			for y := 0; y < n; y++ {
				row := pl[(y0+y)*stride+x0 : (y0+y)*stride+x0+n]
				for x := range row {
					row[x] = uint16(clip32(int32(row[x])+r, maxV))
				}
			}
			return
		}
		if transformSkip {
			r := int32(1) << (bdShift2 - 1)
			for i, v := range coef {
				res[i] = (v<<7 + r) >> bdShift2
			}
		} else if n > 4 {
			// The last stage adds to the prediction itself.
			stride := p.stride[cIdx]
			pic := p.planes[cIdx][y0*stride+x0:]
			idctAdd(&d.coef, &d.tmp, &d.colRows, d.colMask, log2N, bdShift2, pic, stride, int32(1)<<uint(bitDepth)-1)
			clear(coef[:(maxX+1)*n]) // transposed (residual)
			d.coefDirty = false
			return
		} else if cIdx == 0 {
			dst4x4(coef, res, bdShift2)
		} else {
			idct4x4(coef, res, bdShift2)
		}
	}
	clear(coef[:(maxY+1)*n])
	d.coefDirty = false
	pl := p.planes[cIdx]
	stride := p.stride[cIdx]
	maxV := int32(1)<<uint(bitDepth) - 1
	for y := 0; y < n; y++ {
		row := pl[(y0+y)*stride+x0 : (y0+y)*stride+x0+n]
		rr := res[y*n : y*n+n]
		for x := range row {
			row[x] = uint16(clip32(int32(row[x])+rr[x], maxV))
		}
	}
}

// sigCtxTab[cIdx>0][log2TrafoSize-2][scanIdx][prevCsbf][sub-block is (0,0)][n]
// is the context index (ctxSigCoeff plus sigCtx, §9.3.4.2.5, plus 27 for
// chroma) of sig_coeff_flag at scan position n of a sub-block.
var sigCtxTab [2][4][3][4][2][16]uint8

// buildSigCtxTab fills sigCtxTab; tables.go's init calls it after scanPos.
func buildSigCtxTab() {
	for c := 0; c < 2; c++ {
		for l := 0; l < 4; l++ {
			log2N := l + 2
			for scanIdx := 0; scanIdx < 3; scanIdx++ {
				for prev := 0; prev < 4; prev++ {
					for dc := 0; dc < 2; dc++ {
						for n := 0; n < 16; n++ {
							xP, yP := int(scanPos[2][scanIdx][n][0]), int(scanPos[2][scanIdx][n][1])
							sigCtxTab[c][l][scanIdx][prev][dc][n] = uint8(ctxSigCoeff + 27*c + sigCtxOf(c, log2N, scanIdx, prev, dc == 1, xP, yP))
						}
					}
				}
			}
		}
	}
}

func sigCtxOf(cIdx, log2N, scanIdx, prevCsbf int, sbDC bool, xP, yP int) int {
	if log2N == 2 {
		return int(ctxIdxMap4x4[(yP<<2)+xP])
	}
	if sbDC && xP == 0 && yP == 0 {
		return 0
	}
	sigCtx := 0
	switch prevCsbf {
	case 0:
		switch s := xP + yP; {
		case s == 0:
			sigCtx = 2
		case s < 3:
			sigCtx = 1
		}
	case 1:
		if yP == 0 {
			sigCtx = 2
		} else if yP == 1 {
			sigCtx = 1
		}
	case 2:
		if xP == 0 {
			sigCtx = 2
		} else if xP == 1 {
			sigCtx = 1
		}
	default:
		sigCtx = 2
	}
	if cIdx == 0 {
		if !sbDC {
			sigCtx += 3
		}
		if log2N == 3 {
			if scanIdx == 0 {
				sigCtx += 9
			} else {
				sigCtx += 15
			}
		} else {
			sigCtx += 21
		}
	} else {
		if log2N == 3 {
			sigCtx += 9
		} else {
			sigCtx += 12
		}
	}
	return sigCtx
}
