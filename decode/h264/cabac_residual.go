package h264

// This file is residual_block_cabac (§7.3.5.3.3) with the ctxIdx
// assignment of its syntax elements (§9.3.3.1.1.9, §9.3.3.1.3, Tables 9-34,
// 9-40, 9-43) for frame and field coded macroblocks (cabac.field).

// MaxCoeffAbsLevelSuffixBits bounds the Exp-Golomb (k = 0) suffix of
// coeff_abs_level_minus1 (UEG0, §9.3.2.3): transform coefficient levels are
// limited to 2^(7+BitDepth) (§7.4.5.3.3) and BitDepth is at most 14, so a
// legal escape has fewer than 22 leading ones; a longer one sets c.err.
const MaxCoeffAbsLevelSuffixBits = 22

// ctxIdxOffset + ctxIdxBlockCatOffset (Tables 9-34 and 9-40) by ctxBlockCat
// (Table 9-42): coded_block_flag, significant_coeff_flag and
// last_significant_coeff_flag of frame coded blocks (sigCtxBaseField and
// lastCtxBaseField for field coded ones), and coeff_abs_level_minus1.
// Categories 5, 9 and 13 (8x8 luma, Cb, Cr) and the 4:4:4 chroma categories
// 6-8 and 10-12 have their own ctxIdxOffsets.
var (
	cbfCtxBase       = [14]uint16{85 + 0, 85 + 4, 85 + 8, 85 + 12, 85 + 16, 1012 + 0, 460 + 0, 460 + 4, 460 + 8, 1012 + 4, 472 + 0, 472 + 4, 472 + 8, 1012 + 8}
	sigCtxBase       = [14]uint16{105 + 0, 105 + 15, 105 + 29, 105 + 44, 105 + 47, 402, 484 + 0, 484 + 15, 484 + 29, 660, 528 + 0, 528 + 15, 528 + 29, 718}
	lastCtxBase      = [14]uint16{166 + 0, 166 + 15, 166 + 29, 166 + 44, 166 + 47, 417, 572 + 0, 572 + 15, 572 + 29, 690, 616 + 0, 616 + 15, 616 + 29, 748}
	sigCtxBaseField  = [14]uint16{277 + 0, 277 + 15, 277 + 29, 277 + 44, 277 + 47, 436, 776 + 0, 776 + 15, 776 + 29, 675, 820 + 0, 820 + 15, 820 + 29, 733}
	lastCtxBaseField = [14]uint16{338 + 0, 338 + 15, 338 + 29, 338 + 44, 338 + 47, 451, 864 + 0, 864 + 15, 864 + 29, 699, 908 + 0, 908 + 15, 908 + 29, 757}
	absCtxBase       = [14]uint16{227 + 0, 227 + 10, 227 + 20, 227 + 30, 227 + 39, 426, 952 + 0, 952 + 10, 952 + 20, 708, 982 + 0, 982 + 10, 982 + 20, 766}
)

// ctxIdxInc of significant_coeff_flag and last_significant_coeff_flag by
// levelListIdx (§9.3.3.1.3): levelListIdx itself for 4x4 blocks,
// Min(levelListIdx/NumC8x8, 2) for chroma DC (ctxBlockCat 3) with NumC8x8 1
// (4:2:0) or 2 (4:2:2), and Table 9-43 for 8x8 blocks.
//
// sigLastCtx[field][cat] (and sigLastCtxDC422[field] for 4:2:2 chroma DC)
// hold, by levelListIdx, the ctxIdx (ctxIdxOffset + ctxIdxBlockCatOffset +
// ctxIdxInc, below 1024) of significant_coeff_flag and of
// last_significant_coeff_flag: one table and no base keep the
// significance-map loop short of registers.
var (
	sigLastCtx      [2][14][64][2]uint16
	sigLastCtxDC422 [2][64][2]uint16
	catIs8x8        = [14]bool{5: true, 9: true, 13: true}
)

func init() {
	for f, bases := range [2][2]*[14]uint16{{&sigCtxBase, &lastCtxBase}, {&sigCtxBaseField, &lastCtxBaseField}} {
		sig8x8 := &sigCoeffFlagInc8x8
		if f == 1 {
			sig8x8 = &sigCoeffFlagInc8x8Field
		}
		for cat := range sigLastCtx[f] {
			sb, lb := bases[0][cat], bases[1][cat]
			for i := 0; i < 64; i++ {
				s, l := i, i
				switch {
				case catIs8x8[cat]:
					s, l = int(sig8x8[i]), int(lastCoeffFlagInc8x8[i])
				case cat == 3:
					s, l = min(i, 2), min(i, 2)
					sigLastCtxDC422[f][i] = [2]uint16{sb + uint16(min(i/2, 2)), lb + uint16(min(i/2, 2))}
				}
				sigLastCtx[f][cat][i] = [2]uint16{sb + uint16(s), lb + uint16(l)}
			}
		}
	}
	for cat := range levelCtx {
		x := 0
		if cat == 3 {
			x = 1
		}
		for s := range levelCtx[cat] {
			levelCtx[cat][s] = absCtxBase[cat] + uint16(levelInc[x][s])
		}
	}
}

// coeff_abs_level_minus1 ctxIdxInc (§9.3.3.1.3) as a state machine over
// the levels decoded so far in the block. State g (0..3) is
// numDecodAbsLevelGt1 == 0 with numDecodAbsLevelEq1 = g (3 meaning 3 or
// more); state 4+g is numDecodAbsLevelGt1 = 1+g (3 meaning 4 or more).
// levelInc[x][state] is the ctxIdxInc of bin 0 and levelInc[x][8+state]
// that of bins 1..13, where x is 1 for ctxBlockCat 3 (whose bins 1..13 use
// 5 + Min(3, numDecodAbsLevelGt1)) and 0 otherwise:
//
//	bin 0:     numDecodAbsLevelGt1 != 0 ? 0 : Min(4, 1 + numDecodAbsLevelEq1)
//	bins 1-13: 5 + Min(4 - (ctxBlockCat == 3), numDecodAbsLevelGt1)
var levelInc = [2][16]uint8{
	{1, 2, 3, 4, 0, 0, 0, 0, 5, 5, 5, 5, 6, 7, 8, 9},
	{1, 2, 3, 4, 0, 0, 0, 0, 5, 5, 5, 5, 6, 7, 8, 8},
}

// levelNext is the next state after a level equal to 1 (levelNext[0]) or
// greater than 1 (levelNext[1]).
var levelNext = [2][8]uint8{
	{1, 2, 3, 3, 4, 5, 6, 7},
	{4, 4, 4, 4, 5, 6, 7, 7},
}

// levelCtx[cat] is levelInc of the category added to its
// coeff_abs_level_minus1 ctxIdxOffset + ctxIdxBlockCatOffset: the ctxIdx
// of bin 0 by state at 0..7, of bins 1..13 at 8..15.
var levelCtx [14][16]uint16

// residualBlock decodes residual_block_cabac (§7.3.5.3.3) of category cat
// (ctxBlockCat, Table 9-42: 0 Intra16x16DC, 1 Intra16x16AC, 2 Luma4x4,
// 3 ChromaDC, 4 ChromaAC, 5 Luma8x8, 6-9 Cb, 10-13 Cr as in 4:4:4).
// coeffLevel receives maxNumCoeff levels in scanning order (the caller
// places AC blocks at 1..15). cbfCtxIdxInc is the coded_block_flag
// ctxIdxInc from §9.3.3.1.1.9, or -1 when the flag is not present and is
// inferred to be 1 (cat 5 outside 4:4:4). It returns the number of non-zero
// levels (0 when coded_block_flag is 0).
//
// maxNumCoeff is 4 or 8 for chroma DC (4:2:0, 4:2:2), 15 for AC blocks, 16
// for 4x4 blocks and 64 for 8x8 blocks; any other value, a cat outside
// 0..13 or a short coeffLevel sets c.err and returns 0.
func (c *cabac) residualBlock(coeffLevel []int32, cat, maxNumCoeff, cbfCtxIdxInc int) int {
	if len(coeffLevel) < maxNumCoeff {
		if c.rec != nil {
			c.record(opResidual, cat, maxNumCoeff, cbfCtxIdxInc, len(coeffLevel))
		}
		c.setErr(errCABACBlock)
		return 0
	}
	levels := coeffLevel[:max(maxNumCoeff, 0)]
	clear(levels)
	n := c.residual(cat, maxNumCoeff, cbfCtxIdxInc)
	for j, p := range c.sigPos[:n] {
		levels[int(p)%len(levels)] = c.sigVals[j]
	}
	return n
}

// residualSparse is residualBlock without the dense coeffLevel array: it
// stores the levelListIdx (0..maxNumCoeff-1, ascending) of the n non-zero
// levels in c.sigPos[:n] and their values in c.sigVals[:n], and returns n.
// The macroblock layer uses it so that it need not rescan coeffLevel.
func (c *cabac) residualSparse(cat, maxNumCoeff, cbfCtxIdxInc int) int {
	return c.residual(cat, maxNumCoeff, cbfCtxIdxInc)
}

// residual is residualSparse (the macroblock layer calls it directly).
func (c *cabac) residual(cat, maxNumCoeff, cbfCtxIdxInc int) int {
	if c.rec != nil {
		c.record(opResidual, cat, maxNumCoeff, cbfCtxIdxInc, maxNumCoeff)
	}
	if uint(cat) > 13 || maxNumCoeff < 1 || maxNumCoeff > 64 {
		c.setErr(errCABACBlock)
		return 0
	}
	e := c.e
	if cbfCtxIdxInc >= 0 {
		// DecodeDecision on coded_block_flag, in place (as in decision) so
		// that the engine reaches sigMap in registers.
		value, rs := e.value, e.rng<<cabacValueShift
		k := (int(cbfCtxBase[cat]) + cbfCtxIdxInc) & 1023
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
		// sigMap checks the window first; a return here checks it.
		e = engine{value, rs >> cabacValueShift}
		if st&1 == 0 {
			if uint32(value) == 0 {
				e.value = c.refillValue(value)
			}
			c.e = e
			return 0
		}
	}

	// Significance map: significant_coeff_flag[i] for i < numCoeff-1, each
	// 1 followed by last_significant_coeff_flag[i]; when no last flag is 1
	// the coefficient numCoeff-1 is significant.
	sl := c.sigLast // sigLastCtx[c.field]
	if sl == nil {
		sl = &sigLastCtx[b2i(c.field)] // residual before start
	}
	idx := &sl[cat]
	if cat == 3 && maxNumCoeff > 4 {
		idx = &sigLastCtxDC422[b2i(c.field)]
	}
	var n int
	if catIs8x8[cat] || cat == 3 {
		e, n = c.sigMap(e, idx, maxNumCoeff-1)
	} else {
		e, n = c.sigMap4(e, uint(idx[0][0]), uint(idx[0][1]), min(maxNumCoeff-1, 63))
	}
	e = c.levels(e, &levelCtx[cat], n)
	c.e = e
	if c.overrun(e.value) {
		c.setErr(errCABACOverrun)
	}
	return n
}

// The two loops of residual_block_cabac are separate functions so that the
// engine state stays in registers: each holds it in two locals and decodes
// every bin with DecodeDecision (or DecodeBypass) written out in place,
// marked by a comment. Go does not inline decision, and a call per bin costs
// about as much as the bin itself. Both use a branch on MPS/LPS rather than
// a branchless mask: the decoded bin steers the loop anyway, and on real
// 1080p slices (BenchmarkCABACReplay1080p) the branch was ~10% faster.
// The outputs are fields of c, addressed from c: the loops have few
// registers to spare.

// sigMap decodes significant_coeff_flag and last_significant_coeff_flag for
// levelListIdx 0..numM1-1 (numM1 < 64), with the contexts c.ctx[idx[i][0]]
// and c.ctx[idx[i][1]], and stores the levelListIdx of the significant
// coefficients in c.sigPos. It returns the engine and the count of
// significant coefficients.
//
// The window is checked once per levelListIdx, before its (at most two)
// bins: a check leaves at least 21 look-ahead bits, two bins take at most
// 12. The engine may come in after one unchecked bin (coded_block_flag in
// residual, the marker at bit 37 or below) and the returned engine may
// hold fewer than 21 (the marker at bit 43 or below); levels checks first.
func (c *cabac) sigMap(e engine, idx *[64][2]uint16, numM1 int) (engine, int) {
	value, rs := e.value, e.rng<<cabacValueShift // codIRange scaled as in sigMap4
	ctx := &c.ctx                                // one nil check, not one per bin
	n := 0
	for i := range idx[:numM1] {
		if uint32(value) == 0 { // refill (refillValue)
			lsb := value & -value
			value = value ^ lsb | (c.word(c.pos)>>40<<1|1)*(lsb>>24)
			c.pos += 3
		}
		// DecodeDecision on significant_coeff_flag[i]
		k := idx[i][0] & 1023
		st := ctx[k]
		lps := cabacLPSS[lpsIdx(rs, st)]
		rs -= lps
		if value < rs { // MPS: codIRange stays >= 128, RenormD by at most 1
			ctx[k] = cabacNext[st]
			sh := (rs>>61 ^ 1) & 63 // 1 when codIRange < 256
			rs <<= sh
			value <<= sh
			if st&1 == 0 {
				continue
			}
		} else { // LPS
			value -= rs
			ctx[k] = cabacNextLPS[st]
			sh := uint64(cabacLPSShift[uint8(lps>>cabacValueShift)]) & 63
			rs = lps << sh
			value <<= sh
			if st&1 != 0 {
				continue
			}
		}
		c.sigPos[n&63] = uint8(i)
		n++
		// DecodeDecision on last_significant_coeff_flag[i]
		k = idx[i][1] & 1023
		st = ctx[k]
		lps = cabacLPSS[lpsIdx(rs, st)]
		rs -= lps
		if value < rs { // MPS
			ctx[k] = cabacNext[st]
			sh := (rs>>61 ^ 1) & 63
			rs <<= sh
			value <<= sh
			if st&1 != 0 {
				return engine{value, rs >> cabacValueShift}, n
			}
		} else { // LPS
			value -= rs
			ctx[k] = cabacNextLPS[st]
			sh := uint64(cabacLPSShift[uint8(lps>>cabacValueShift)]) & 63
			rs = lps << sh
			value <<= sh
			if st&1 == 0 {
				return engine{value, rs >> cabacValueShift}, n
			}
		}
	}
	c.sigPos[n&63] = uint8(numM1)
	return engine{value, rs >> cabacValueShift}, n + 1
}

// sigMap4 is sigMap for the 4x4 categories other than chroma DC, whose
// ctxIdxInc is levelListIdx itself: the contexts are sbase+i and lbase+i,
// without a table (sbase and lbase come from sigLastCtx). They are indexed
// in c.ctx directly (an offset from c, which is in a register anyway).
//
// Inside the loop codIRange is held scaled, rs = codIRange<<53, so that it
// is compared with value directly: qCodIRangeIdx is rs>>59&3, the LPS range
// comes scaled from cabacLPSS, and after an MPS RenormD doubles both when
// rs < 256<<53 (a shift by rs>>61 ^ 1).
func (c *cabac) sigMap4(e engine, sbase, lbase uint, numM1 int) (engine, int) {
	value, rs := e.value, e.rng<<cabacValueShift
	ctx := &c.ctx
	n := 0
	for i := 0; i < numM1; i++ {
		if uint32(value) == 0 { // refill (refillValue)
			lsb := value & -value
			value = value ^ lsb | (c.word(c.pos)>>40<<1|1)*(lsb>>24)
			c.pos += 3
		}
		// DecodeDecision on significant_coeff_flag[i]
		k := (sbase + uint(i)) & 1023
		st := ctx[k]
		lps := cabacLPSS[lpsIdx(rs, st)]
		rs -= lps
		if value < rs { // MPS: codIRange stays >= 128, RenormD by at most 1
			ctx[k] = cabacNext[st]
			sh := (rs>>61 ^ 1) & 63 // 1 when codIRange < 256
			rs <<= sh
			value <<= sh
			if st&1 == 0 {
				continue
			}
		} else { // LPS
			value -= rs
			ctx[k] = cabacNextLPS[st]
			sh := uint64(cabacLPSShift[uint8(lps>>cabacValueShift)]) & 63
			rs = lps << sh
			value <<= sh
			if st&1 != 0 {
				continue
			}
		}
		c.sigPos[n&63] = uint8(i)
		n++
		// DecodeDecision on last_significant_coeff_flag[i]
		k = (lbase + uint(i)) & 1023
		st = ctx[k]
		lps = cabacLPSS[lpsIdx(rs, st)]
		rs -= lps
		if value < rs { // MPS
			ctx[k] = cabacNext[st]
			sh := (rs>>61 ^ 1) & 63
			rs <<= sh
			value <<= sh
			if st&1 != 0 {
				return engine{value, rs >> cabacValueShift}, n
			}
		} else { // LPS
			value -= rs
			ctx[k] = cabacNextLPS[st]
			sh := uint64(cabacLPSShift[uint8(lps>>cabacValueShift)]) & 63
			rs = lps << sh
			value <<= sh
			if st&1 == 0 {
				return engine{value, rs >> cabacValueShift}, n
			}
		}
	}
	c.sigPos[n&63] = uint8(numM1)
	return engine{value, rs >> cabacValueShift}, n + 1
}

// levels decodes coeff_abs_level_minus1 (UEG0, signedValFlag 0, uCoff 14,
// §9.3.2.3) and coeff_sign_flag (bypass) of the n significant coefficients,
// in reverse scanning order: c.sigVals[j] is the level of the coefficient
// at c.sigPos[j]. tab is levelCtx of the block's category.
//
// The window is checked before each coefficient's first bin and before
// each further prefix bin: the sign follows at most one unchecked decision.
// The returned engine is checked (the marker at bit 31 or below).
func (c *cabac) levels(e engine, tab *[16]uint16, n int) engine {
	value, rs := e.value, e.rng<<cabacValueShift // codIRange scaled as in sigMap4
	ctx := &c.ctx                                // one nil check, not one per bin
	_ = tab[0]                                   // likewise
	state := uint(0)
	for j := n - 1; j >= 0; j-- {
		if uint32(value) == 0 { // refill
			lsb := value & -value
			value = value ^ lsb | (c.word(c.pos)>>40<<1|1)*(lsb>>24)
			c.pos += 3
		}
		// DecodeDecision on bin 0 of coeff_abs_level_minus1
		k := tab[state&7] & 1023
		st := ctx[k]
		lps := cabacLPSS[lpsIdx(rs, st)]
		rs -= lps
		var lvl int32 = 1
		// Each arm goes to the sign when the bin is 0 (the level is 1).
		if value < rs {
			ctx[k] = cabacNext[st]
			sh := (rs>>61 ^ 1) & 63
			rs <<= sh
			value <<= sh
			if st&1 == 0 {
				state = uint(levelNext[0][state&7])
				goto sign
			}
		} else {
			value -= rs
			ctx[k] = cabacNextLPS[st]
			sh := uint64(cabacLPSShift[uint8(lps>>cabacValueShift)]) & 63
			rs = lps << sh
			value <<= sh
			if st&1 != 0 {
				state = uint(levelNext[0][state&7])
				goto sign
			}
		}
		{
			// Bins 1..13 share one context: its state stays in st across
			// them and is stored once, so that a bin does not wait for the
			// previous bin's store to reach the load.
			k = tab[8+state&7] & 1023
			state = uint(levelNext[1][state&7])
			st := ctx[k]
			for lvl = 2; ; lvl++ {
				if lvl == 15 {
					// The prefix is 14 ones: the k = 0 Exp-Golomb suffix follows.
					c.e = engine{value, rs >> cabacValueShift}
					lvl += c.levelSuffix()
					value, rs = c.e.value, c.e.rng<<cabacValueShift
					break
				}
				if uint32(value) == 0 { // refill
					lsb := value & -value
					value = value ^ lsb | (c.word(c.pos)>>40<<1|1)*(lsb>>24)
					c.pos += 3
				}
				// DecodeDecision on the context state st
				lps := cabacLPSS[lpsIdx(rs, st)]
				rs -= lps
				if value < rs {
					bin := st & 1
					st = cabacNext[st]
					sh := (rs>>61 ^ 1) & 63
					rs <<= sh
					value <<= sh
					if bin == 0 {
						break
					}
				} else {
					value -= rs
					bin := st&1 ^ 1
					st = cabacNextLPS[st]
					sh := uint64(cabacLPSShift[uint8(lps>>cabacValueShift)]) & 63
					rs = lps << sh
					value <<= sh
					if bin == 0 {
						break
					}
				}
			}
			ctx[k] = st
		}
	sign:
		// DecodeBypass: coeff_sign_flag
		value <<= 1
		m := uint64(int64(rs-value-1) >> 63)
		value -= rs & m
		c.sigVals[j&63] = (lvl ^ int32(m)) - int32(m) // negated when the sign flag is 1
	}
	if uint32(value) == 0 { // refill
		lsb := value & -value
		value = value ^ lsb | (c.word(c.pos)>>40<<1|1)*(lsb>>24)
		c.pos += 3
	}
	return engine{value, rs >> cabacValueShift}
}

// levelSuffix decodes the k = 0 Exp-Golomb suffix of coeff_abs_level_minus1
// (§9.3.2.3) with bypass bins.
func (c *cabac) levelSuffix() int32 {
	var v int32
	k := uint(0)
	for c.bypass() != 0 {
		v += 1 << k
		k++
		if k >= MaxCoeffAbsLevelSuffixBits {
			c.setErr(errCABACLevel)
			return v
		}
	}
	for k > 0 {
		k--
		v += int32(c.bypass()) << k
	}
	return v
}
