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
// sigLastIdx[field][cat] (and sigLastIdxDC422[field] for 4:2:2 chroma DC)
// hold, by levelListIdx, the ctxIdx of significant_coeff_flag and of
// last_significant_coeff_flag relative to the category's
// significant_coeff_flag base (sigCtxBase or sigCtxBaseField): one table and
// one base pointer keep the significance-map loop short of registers. Every
// index is below 128 (the largest is 88 + 14, 4:4:4 chroma 4x4 blocks), and
// every base + 128 stays inside the 1024 contexts (the largest base is 849).
var (
	sigLastIdx      [2][14][64][2]uint8
	sigLastIdxDC422 [2][64][2]uint8
	catIs8x8        = [14]bool{5: true, 9: true, 13: true}
)

func init() {
	for f, bases := range [2][2]*[14]uint16{{&sigCtxBase, &lastCtxBase}, {&sigCtxBaseField, &lastCtxBaseField}} {
		sig8x8 := &sigCoeffFlagInc8x8
		if f == 1 {
			sig8x8 = &sigCoeffFlagInc8x8Field
		}
		for cat := range sigLastIdx[f] {
			lastOff := int(bases[1][cat]) - int(bases[0][cat])
			for i := 0; i < 64; i++ {
				s, l := i, i
				switch {
				case catIs8x8[cat]:
					s, l = int(sig8x8[i]), int(lastCoeffFlagInc8x8[i])
				case cat == 3:
					s, l = min(i, 2), min(i, 2)
					sigLastIdxDC422[f][i] = [2]uint8{uint8(min(i/2, 2)), uint8(lastOff + min(i/2, 2))}
				}
				sigLastIdx[f][cat][i] = [2]uint8{uint8(s), uint8(lastOff + l)}
			}
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
	if c.rec != nil {
		c.record(opResidual, cat, maxNumCoeff, cbfCtxIdxInc, len(coeffLevel))
	}
	if len(coeffLevel) < maxNumCoeff {
		c.setErr(errCABACBlock)
		return 0
	}
	levels := coeffLevel[:max(maxNumCoeff, 0)]
	clear(levels)
	n := c.residual(cat, maxNumCoeff, cbfCtxIdxInc, &c.sigPos, &c.sigVals)
	for j, p := range c.sigPos[:n] {
		levels[int(p)%len(levels)] = c.sigVals[j]
	}
	return n
}

// residualSparse is residualBlock without the dense coeffLevel array: it
// stores the levelListIdx (0..maxNumCoeff-1, ascending) of the n non-zero
// levels in pos[:n] and their values in vals[:n], and returns n. The
// macroblock layer uses it so that it need not rescan coeffLevel.
func (c *cabac) residualSparse(cat, maxNumCoeff, cbfCtxIdxInc int, pos *[64]uint8, vals *[64]int32) int {
	if c.rec != nil {
		c.record(opResidual, cat, maxNumCoeff, cbfCtxIdxInc, maxNumCoeff)
	}
	return c.residual(cat, maxNumCoeff, cbfCtxIdxInc, pos, vals)
}

// residual is residualSparse without the recording.
func (c *cabac) residual(cat, maxNumCoeff, cbfCtxIdxInc int, pos *[64]uint8, vals *[64]int32) int {
	if uint(cat) > 13 || maxNumCoeff < 1 || maxNumCoeff > 64 {
		c.setErr(errCABACBlock)
		return 0
	}
	if cbfCtxIdxInc >= 0 {
		if c.decision(&c.ctx[(int(cbfCtxBase[cat])+cbfCtxIdxInc)&1023]) == 0 {
			return 0
		}
	}

	// Significance map: significant_coeff_flag[i] for i < numCoeff-1, each
	// 1 followed by last_significant_coeff_flag[i]; when no last flag is 1
	// the coefficient numCoeff-1 is significant.
	f, sbase := 0, int(sigCtxBase[cat])
	if c.field {
		f, sbase = 1, int(sigCtxBaseField[cat])
	}
	idx := &sigLastIdx[f][cat]
	if cat == 3 && maxNumCoeff > 4 {
		idx = &sigLastIdxDC422[f]
	}
	e, n := c.sigMap(c.e, (*[128]uint8)(c.ctx[sbase:sbase+128]), idx, maxNumCoeff-1, pos)

	abase := int(absCtxBase[cat])
	x := 0
	if cat == 3 {
		x = 1
	}
	e = c.levels(e, (*[16]uint8)(c.ctx[abase:abase+16]), &levelInc[x], n, vals)
	c.e = e
	if c.overrun(e.bits) {
		c.setErr(errCABACOverrun)
	}
	return n
}

// The two loops of residual_block_cabac are separate functions so that the
// engine state stays in registers: each holds it in three locals and decodes
// every bin with DecodeDecision (or DecodeBypass) written out in place,
// marked by a comment. Go does not inline decision, and a call per bin costs
// about as much as the bin itself. Both use a branch on MPS/LPS rather than
// a branchless mask: the decoded bin steers the loop anyway, and on real
// 1080p slices (BenchmarkCABACReplay1080p) the branch was ~10% faster.

// sigMap decodes significant_coeff_flag and last_significant_coeff_flag for
// levelListIdx 0..numM1-1, with the contexts ctx[idx[i][0]] and
// ctx[idx[i][1]], and stores the scanning positions of the significant
// coefficients in pos. It returns the engine and the count of significant
// coefficients.
func (c *cabac) sigMap(e engine, ctx *[128]uint8, idx *[64][2]uint8, numM1 int, pos *[64]uint8) (engine, int) {
	value, rng, nb := e.value, e.rng, e.bits
	n := 0
	for i := range idx[:numM1] {
		// DecodeDecision on significant_coeff_flag[i]
		sp := &ctx[idx[i][0]&127]
		st := uint64(*sp)
		lps := uint64(cabacLPSRange[(st|rng&0xC0<<1)&511])
		rng -= lps
		scaled := rng << cabacValueShift
		if value < scaled { // MPS: codIRange stays >= 128, RenormD by at most 1
			*sp = cabacNext[st&127]
			sh := 1 - rng>>8
			rng += rng & -sh
			value += value & -sh
			nb -= sh
		} else { // LPS
			value -= scaled
			*sp = cabacNext[st&127|128]
			st ^= 1
			r := uint64(cabacRenorm[lps&511])
			rng = r & 511
			value <<= r >> 9 & 63
			nb -= r >> 9
		}
		if nb < cabacMinLookahead { // refill
			value |= c.word(c.pos) >> 24 << (8 - nb&7)
			nb += 40
			c.pos += 5
		}
		if st&1 == 0 {
			continue
		}
		pos[n&63] = uint8(i)
		n++
		// DecodeDecision on last_significant_coeff_flag[i]
		lp := &ctx[idx[i&63][1]&127]
		st = uint64(*lp)
		lps = uint64(cabacLPSRange[(st|rng&0xC0<<1)&511])
		rng -= lps
		scaled = rng << cabacValueShift
		if value < scaled { // MPS
			*lp = cabacNext[st&127]
			sh := 1 - rng>>8
			rng += rng & -sh
			value += value & -sh
			nb -= sh
		} else { // LPS
			value -= scaled
			*lp = cabacNext[st&127|128]
			st ^= 1
			r := uint64(cabacRenorm[lps&511])
			rng = r & 511
			value <<= r >> 9 & 63
			nb -= r >> 9
		}
		if nb < cabacMinLookahead { // refill
			value |= c.word(c.pos) >> 24 << (8 - nb&7)
			nb += 40
			c.pos += 5
		}
		if st&1 != 0 {
			return engine{value, rng, nb}, n
		}
	}
	pos[n&63] = uint8(numM1)
	return engine{value, rng, nb}, n + 1
}

// levels decodes coeff_abs_level_minus1 (UEG0, signedValFlag 0, uCoff 14,
// §9.3.2.3) and coeff_sign_flag (bypass) of the n significant coefficients,
// in reverse scanning order: vals[j] is the level of the coefficient at
// pos[j]. abs holds the 10 contexts of the block's category and inc is
// levelInc of its category.
func (c *cabac) levels(e engine, abs *[16]uint8, inc *[16]uint8, n int, vals *[64]int32) engine {
	value, rng, nb := e.value, e.rng, e.bits
	state := uint(0)
	for j := n - 1; j >= 0; j-- {
		ap := &abs[inc[state&7]&15] // bin 0
		var lvl int32 = 1
		for {
			// DecodeDecision on *ap
			st := uint64(*ap)
			lps := uint64(cabacLPSRange[(st|rng&0xC0<<1)&511])
			rng -= lps
			scaled := rng << cabacValueShift
			if value < scaled {
				*ap = cabacNext[st&127]
				sh := 1 - rng>>8
				rng += rng & -sh
				value += value & -sh
				nb -= sh
			} else {
				value -= scaled
				*ap = cabacNext[st&127|128]
				st ^= 1
				r := uint64(cabacRenorm[lps&511])
				rng = r & 511
				value <<= r >> 9 & 63
				nb -= r >> 9
			}
			if nb < cabacMinLookahead { // refill
				value |= c.word(c.pos) >> 24 << (8 - nb&7)
				nb += 40
				c.pos += 5
			}
			if st&1 == 0 {
				break
			}
			lvl++
			if lvl == 15 {
				// The prefix is 14 ones: the k = 0 Exp-Golomb suffix follows.
				c.e = engine{value, rng, nb}
				lvl += c.levelSuffix()
				value, rng, nb = c.e.value, c.e.rng, c.e.bits
				break
			}
			ap = &abs[inc[8+state&7]&15] // bins 1..13
		}
		gt1 := 0
		if lvl > 1 {
			gt1 = 1
		}
		state = uint(levelNext[gt1][state&7])
		// DecodeBypass: coeff_sign_flag
		nb--
		value <<= 1
		scaled := rng << cabacValueShift
		m := uint64(int64(scaled-value-1) >> 63)
		value -= scaled & m
		if nb < cabacMinLookahead { // refill
			value |= c.word(c.pos) >> 24 << (8 - nb&7)
			nb += 40
			c.pos += 5
		}
		vals[j&63] = (lvl ^ int32(m)) - int32(m) // negated when the sign flag is 1
	}
	return engine{value, rng, nb}
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
