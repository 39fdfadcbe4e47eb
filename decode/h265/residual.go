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
	ctx := &d.ctx
	n := 1 << log2N
	coef := d.coef[:n*n]
	if d.coefDirty {
		d.coef = [32 * 32]int32{}
	}
	d.coefDirty = true
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
	lastX := 0
	for lastX < cMax && c.decodeBin(&ctx[ctxLastX+ctxOffset+(lastX>>ctxShift)]) == 1 {
		lastX++
	}
	lastY := 0
	for lastY < cMax && c.decodeBin(&ctx[ctxLastY+ctxOffset+(lastY>>ctxShift)]) == 1 {
		lastY++
	}
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
	sbScan := scanPos[log2Sb][scanIdx]
	posScan := scanPos[2][scanIdx]
	// Find the last sub-block and position.
	lastSubBlock := -1
	lastScanPos := 0
	for i := len(sbScan) - 1; i >= 0 && lastSubBlock < 0; i-- {
		xS, yS := int(sbScan[i][0]), int(sbScan[i][1])
		if lastX>>2 != xS || lastY>>2 != yS {
			continue
		}
		for k := 15; k >= 0; k-- {
			if int(posScan[k][0]) == lastX&3 && int(posScan[k][1]) == lastY&3 {
				lastSubBlock, lastScanPos = i, k
				break
			}
		}
	}
	if lastSubBlock < 0 {
		d.fail(decode.FormatError("last significant coefficient outside the transform block"))
		return
	}
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
	maxX, maxY := 0, 0
	var colMask uint32 // bit x: column x holds a level
	colRows := &d.colRows
	*colRows = [32]uint32{} // bit y of colRows[x]: (x, y) holds a level
	var csbf [8][8]uint8    // coded_sub_block_flag[xS][yS] as [yS][xS]
	sbW := 1 << log2Sb
	greater1Ctx := 1 // carried between sub-blocks (§9.3.4.2.6)
	firstSb := true
	signHidingOn := pp.signDataHiding && !ss.bypass
	sigBase := ctxSigCoeff
	cIdx01 := 0
	if cIdx > 0 {
		sigBase += 27
		cIdx01 = 1
	}
	for i := lastSubBlock; i >= 0; i-- {
		xS, yS := int(sbScan[i][0]), int(sbScan[i][1])
		inferSbDc := false
		coded := true
		if i < lastSubBlock && i > 0 {
			csbfCtx := 0
			if xS+1 < sbW && csbf[yS][xS+1] != 0 {
				csbfCtx = 1
			}
			if yS+1 < sbW && csbf[yS+1][xS] != 0 {
				csbfCtx = 1
			}
			if cIdx > 0 {
				csbfCtx += 2
			}
			coded = c.decodeBin(&ctx[ctxCodedSubBlock+csbfCtx]) == 1
			inferSbDc = true
		}
		if coded {
			csbf[yS][xS] = 1
		}
		// sig_coeff_flag (§9.3.4.2.5).
		var sigPos [16]int8 // scan positions n with sig_coeff_flag = 1, descending
		nSig := 0
		startN := 15
		if i == lastSubBlock {
			startN = lastScanPos - 1
			sigPos[0] = int8(lastScanPos)
			nSig = 1
		}
		if coded {
			prevCsbf := 0
			if xS+1 < sbW && csbf[yS][xS+1] != 0 {
				prevCsbf = 1
			}
			if yS+1 < sbW && csbf[yS+1][xS] != 0 {
				prevCsbf |= 2
			}
			sbDC := 0
			if xS == 0 && yS == 0 {
				sbDC = 1
			}
			tab := &sigCtxTab[cIdx01][log2N-2][scanIdx][prevCsbf][sbDC]
			// The hottest loop of the decoder: DecodeDecision
			// (§9.3.4.3.2) inlined on local copies of the engine state.
			sctx := ctx[sigBase : sigBase+42]
			val, nb, rng := c.val, c.nb, c.rng
			for nn := startN; nn >= 0; nn-- {
				if nn == 0 && inferSbDc {
					sigPos[nSig] = 0
					nSig++
					break
				}
				cp := &sctx[tab[nn&15]]
				st := *cp
				lps := uint32(lpsTab[(rng>>6)&3][st])
				rng -= lps
				scaled := uint64(rng) << uint(nb)
				var bin uint8
				if val < scaled {
					bin = st & 1
					*cp = nextMps[st]
					if rng < 256 {
						rng <<= 1
						nb--
					}
				} else {
					val -= scaled
					bin = st&1 ^ 1
					*cp = nextLps[st]
					k := bits.LeadingZeros32(lps) - 23
					rng = lps << uint(k)
					nb -= k
				}
				if nb < 8 {
					c.val, c.nb = val, nb
					c.refill()
					val, nb = c.val, c.nb
				}
				if bin == 1 {
					sigPos[nSig&15] = int8(nn)
					nSig++
					inferSbDc = false
				}
			}
			c.val, c.nb, c.rng = val, nb, rng
		}
		if nSig == 0 {
			continue
		}
		// coeff_abs_level_greater1_flag (§9.3.4.2.6).
		ctxSet := 0
		if i != 0 && cIdx == 0 {
			ctxSet = 2
		}
		if !firstSb && greater1Ctx == 0 {
			ctxSet++
		}
		firstSb = false
		greater1Ctx = 1
		var absLvl [16]int32
		lastG1 := -1
		g1Base := ctxGreater1
		if cIdx > 0 {
			g1Base += 16
		}
		nG1 := min(nSig, 8)
		// DecodeDecision (§9.3.4.3.2) inlined on local engine state, as
		// for sig_coeff_flag above.
		g1ctx := ctx[g1Base+ctxSet*4 : g1Base+ctxSet*4+4]
		val, nb, rng := c.val, c.nb, c.rng
		for k := 0; k < nG1; k++ {
			cp := &g1ctx[greater1Ctx&3]
			st := *cp
			lps := uint32(lpsTab[(rng>>6)&3][st])
			rng -= lps
			scaled := uint64(rng) << uint(nb)
			var f int
			if val < scaled {
				f = int(st & 1)
				*cp = nextMps[st]
				if rng < 256 {
					rng <<= 1
					nb--
				}
			} else {
				val -= scaled
				f = int(st&1) ^ 1
				*cp = nextLps[st]
				sh := bits.LeadingZeros32(lps) - 23
				rng = lps << uint(sh)
				nb -= sh
			}
			if nb < 8 {
				c.val, c.nb = val, nb
				c.refill()
				val, nb = c.val, c.nb
			}
			absLvl[k] = 1 + int32(f)
			if f == 1 {
				greater1Ctx = 0
				if lastG1 < 0 {
					lastG1 = k
				}
			} else if greater1Ctx > 0 && greater1Ctx < 3 {
				greater1Ctx++
			}
		}
		c.val, c.nb, c.rng = val, nb, rng
		for k := nG1; k < nSig; k++ {
			absLvl[k] = 1
		}
		if lastG1 >= 0 {
			g2 := ctxGreater2 + ctxSet
			if cIdx > 0 {
				g2 += 4
			}
			absLvl[lastG1] += int32(c.decodeBin(&ctx[g2]))
		}
		firstSigScanPos := int(sigPos[nSig-1])
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
			base := absLvl[k]
			thr := int32(1)
			if k < 8 {
				thr = 2
				if k == lastG1 {
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
			nPos := int(sigPos[k])
			xC := xS<<2 + int(posScan[nPos][0])
			yC := yS<<2 + int(posScan[nPos][1])
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
			coef[yC*n+xC] = v
			colMask |= 1 << uint(xC&31)
			colRows[xC&31] |= 1 << uint(yC&31)
			if xC > maxX {
				maxX = xC
			}
			if yC > maxY {
				maxY = yC
			}
		}
	}
	if d.err != nil {
		return
	}
	d.colMask = colMask
	d.reconstruct(cIdx, x0, y0, log2N, transformSkip, maxX, maxY)
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
			clear(coef[:(maxY+1)*n])
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
// is sigCtx of sig_coeff_flag at scan position n of a sub-block (§9.3.4.2.5,
// without the 27 offset of chroma).
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
							sigCtxTab[c][l][scanIdx][prev][dc][n] = uint8(sigCtxOf(c, log2N, scanIdx, prev, dc == 1, xP, yP))
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
