package h264

import "github.com/stills/stills/decode"

// This file holds the binarisations (§9.3.2) and ctxIdx assignments
// (§9.3.3.1) of the macroblock-layer syntax elements of I slices decoded
// with CABAC. The caller derives the neighbour-dependent ctxIdxInc values
// (§9.3.3.1.1) and passes them in.

// Errors of the CABAC engine, reported through cabac.err.
var (
	errCABACStart   error = decode.FormatError("CABAC: slice data starts past its end")
	errCABACOffset  error = decode.FormatError("CABAC: initial codIOffset is 510 or 511 (§9.3.1.2)")
	errCABACOverrun error = decode.FormatError("CABAC: slice data ended inside the arithmetic-coded data")
	errCABACInitIdc error = decode.FormatError("CABAC: cabac_init_idc out of range 0..2")
	errCABACQpDelta error = decode.FormatError("CABAC: mb_qp_delta longer than MaxMbQpDeltaBins")
	errCABACLevel   error = decode.FormatError("CABAC: coeff_abs_level_minus1 escape longer than MaxCoeffAbsLevelSuffixBits")
	errCABACBlock   error = decode.FormatError("CABAC: residual block category or size out of range")
)

// MaxMbQpDeltaBins bounds the unary code of mb_qp_delta (§9.3.2.7). The
// largest legal value, mb_qp_delta = -(26 + QpBdOffsetY/2) with bit depth 14
// (QpBdOffsetY 36), maps to 2*44 = 88 bins; anything longer is an error.
const MaxMbQpDeltaBins = 2 * (26 + 36/2)

// ctxIdxOffsets of the macroblock-layer syntax elements in I slices
// (Table 9-34).
const (
	ctxMbTypeI           = 3
	ctxMbQpDelta         = 60
	ctxIntraChromaPred   = 64
	ctxPrevIntraPredFlag = 68
	ctxRemIntraPredMode  = 69
	ctxCBPLuma           = 73
	ctxCBPChroma         = 77
	ctxTransform8x8      = 399
)

// mbTypeI decodes mb_type in an I slice (ctxIdxOffset 3, Table 9-36);
// ctxIdxInc for the first bin is condTermFlagA + condTermFlagB (§9.3.3.1.1.3),
// computed by the caller. Returns 0..25.
//
// Bin string (§9.3.2.5, Table 9-36): "0" is I_NxN; "1" then a terminating
// bin (ctxIdx 276) equal to 1 is I_PCM; otherwise the bins are
// coded_block_pattern luma != 0 (ctxIdx 3+3), chroma != 0 (3+4), when that
// is 1 chroma == 2 (3+5), then the two bits of Intra16x16PredMode (3+6,
// 3+7), as assigned by §9.3.3.1.2 for ctxIdxOffset 3.
func (c *cabac) mbTypeI(ctxIdxInc int) int {
	if c.rec != nil {
		c.record(opMbTypeI, ctxIdxInc, 0, 0, 0)
	}
	if c.decision(&c.ctx[(ctxMbTypeI+ctxIdxInc)&1023]) == 0 {
		return mbTypeINxN
	}
	if c.terminate() {
		return mbTypeIPCM
	}
	t := 1 + 12*int(c.decision(&c.ctx[ctxMbTypeI+3]))
	if c.decision(&c.ctx[ctxMbTypeI+4]) != 0 {
		t += 4 + 4*int(c.decision(&c.ctx[ctxMbTypeI+5]))
	}
	t += 2 * int(c.decision(&c.ctx[ctxMbTypeI+6]))
	t += int(c.decision(&c.ctx[ctxMbTypeI+7]))
	return t
}

// transformSize8x8Flag decodes transform_size_8x8_flag (ctxIdxOffset 399)
// with the caller's ctxIdxInc (§9.3.3.1.1.10).
func (c *cabac) transformSize8x8Flag(ctxIdxInc int) bool {
	if c.rec != nil {
		c.record(opTransform8x8, ctxIdxInc, 0, 0, 0)
	}
	return c.decision(&c.ctx[(ctxTransform8x8+ctxIdxInc)&1023]) != 0
}

// prevIntraPredModeFlag decodes prev_intra4x4_pred_mode_flag /
// prev_intra8x8_pred_mode_flag (ctxIdx 68).
func (c *cabac) prevIntraPredModeFlag() bool {
	if c.rec != nil {
		c.record(opPrevIntraPred, 0, 0, 0, 0)
	}
	return c.decision(&c.ctx[ctxPrevIntraPredFlag]) != 0
}

// remIntraPredMode decodes rem_intra4x4_pred_mode / rem_intra8x8_pred_mode
// (ctxIdx 69): FL binarisation with cMax 7 (§9.3.2.5), least significant
// bit first.
func (c *cabac) remIntraPredMode() int {
	if c.rec != nil {
		c.record(opRemIntraPred, 0, 0, 0, 0)
	}
	s := &c.ctx[ctxRemIntraPredMode]
	v := c.decision(s)
	v |= c.decision(s) << 1
	v |= c.decision(s) << 2
	return int(v)
}

// intraChromaPredMode decodes intra_chroma_pred_mode (ctxIdxOffset 64) with
// the caller's ctxIdxInc for the first bin (§9.3.3.1.1.8): TU binarisation
// with cMax 3; bins 1 and 2 use ctxIdxInc 3 (§9.3.3.1.2).
func (c *cabac) intraChromaPredMode(ctxIdxInc int) int {
	if c.rec != nil {
		c.record(opChromaPred, ctxIdxInc, 0, 0, 0)
	}
	if c.decision(&c.ctx[(ctxIntraChromaPred+ctxIdxInc)&1023]) == 0 {
		return 0
	}
	s := &c.ctx[ctxIntraChromaPred+3]
	if c.decision(s) == 0 {
		return 1
	}
	return 2 + int(c.decision(s))
}

// codedBlockPattern decodes coded_block_pattern (ctxIdxOffset 73 and 77,
// §9.3.2.6, §9.3.3.1.1.4). cbpA and cbpB are the left and top neighbours'
// effective coded_block_pattern: for an unavailable neighbour pass 0x0F
// (luma bits set, chroma 0); for an I_PCM neighbour pass 0x2F. chromaPresent
// is ChromaArrayType 1 or 2 (the chroma suffix is decoded).
//
// Prefix: FL with cMax 15, bin b8 is the luma 8x8 block b8; its ctxIdxInc is
// condTermFlagA + 2*condTermFlagB where condTermFlagN is 1 when the 8x8 block
// to the left (A) or above (B) has its luma bit clear. The neighbouring
// blocks of b8 (Figure 6-10 layout 0 1 / 2 3) are, for A: left MB block 1,
// this block 0, left MB block 3, this block 2; for B: top MB block 2, top
// MB block 3, this block 0, this block 1.
// Suffix: TU with cMax 2; bin 0 has ctxIdxInc condTermFlagA + 2*condTermFlagB
// with condTermFlagN = CodedBlockPatternChroma_N != 0, bin 1 has 4 + the same
// sum with condTermFlagN = CodedBlockPatternChroma_N == 2.
func (c *cabac) codedBlockPattern(cbpA, cbpB int, chromaPresent bool) int {
	if c.rec != nil {
		c.record(opCBP, cbpA, cbpB, boolArg(chromaPresent), 0)
	}
	// Bit b of each neighbour is 1 when the luma 8x8 block is coded, so
	// condTermFlag is the inverted bit.
	a0 := uint(cbpA>>1&1) ^ 1
	b0 := uint(cbpB>>2&1) ^ 1
	l0 := c.decision(&c.ctx[ctxCBPLuma+a0+2*b0])
	a1 := l0 ^ 1
	b1 := uint(cbpB>>3&1) ^ 1
	l1 := c.decision(&c.ctx[ctxCBPLuma+a1+2*b1])
	a2 := uint(cbpA>>3&1) ^ 1
	b2 := l0 ^ 1
	l2 := c.decision(&c.ctx[ctxCBPLuma+a2+2*b2])
	a3 := l2 ^ 1
	b3 := l1 ^ 1
	l3 := c.decision(&c.ctx[ctxCBPLuma+a3+2*b3])
	cbp := int(l0 | l1<<1 | l2<<2 | l3<<3)
	if !chromaPresent {
		return cbp
	}
	ca, cb := cbpA>>4&3, cbpB>>4&3
	inc := 0
	if ca != 0 {
		inc++
	}
	if cb != 0 {
		inc += 2
	}
	if c.decision(&c.ctx[ctxCBPChroma+inc]) == 0 {
		return cbp
	}
	inc = 4
	if ca == 2 {
		inc++
	}
	if cb == 2 {
		inc += 2
	}
	return cbp | int(1+c.decision(&c.ctx[ctxCBPChroma+inc]))<<4
}

// mbQpDelta decodes mb_qp_delta (ctxIdxOffset 60); prevNonZero is true when
// the previous macroblock in decoding order in the slice had a non-zero
// mb_qp_delta (§9.3.3.1.1.5; the caller applies the skip/PCM/cbp rules).
//
// Binarisation (§9.3.2.7): U of the mapped value of Table 9-3 (k > 0 maps
// to (-1)^(k+1) * Ceil(k/2)). Bin 0 has ctxIdxInc prevNonZero, bin 1 has 2,
// later bins 3 (§9.3.3.1.2). More than MaxMbQpDeltaBins ones set c.err.
func (c *cabac) mbQpDelta(prevNonZero bool) int {
	if c.rec != nil {
		c.record(opQpDelta, boolArg(prevNonZero), 0, 0, 0)
	}
	inc := 0
	if prevNonZero {
		inc = 1
	}
	if c.decision(&c.ctx[ctxMbQpDelta+inc]) == 0 {
		return 0
	}
	k := 1
	if c.decision(&c.ctx[ctxMbQpDelta+2]) != 0 {
		k = 2
		s := &c.ctx[ctxMbQpDelta+3]
		for c.decision(s) != 0 {
			k++
			if k > MaxMbQpDeltaBins {
				c.setErr(errCABACQpDelta)
				return 0
			}
		}
	}
	if k&1 != 0 {
		return (k + 1) / 2
	}
	return -(k / 2)
}

// opIntraPredModes is the recorded operation of intraPredModes
// (cabac_trace.go lists the others).
const opIntraPredModes = opResidual + 1

// intraPredModes decodes the n (4 or 16) pairs of
// prev_intra{4x4,8x8}_pred_mode_flag (ctxIdx 68) and, when the flag is 0,
// rem_intra{4x4,8x8}_pred_mode (ctxIdx 69, FL with cMax 7, least
// significant bit first) of mb_pred() (§7.3.5.1) with the engine and the two
// context variables in locals: rem[i] is the rem_intra_pred_mode of block
// i, or -1 when prev_intra_pred_mode_flag is 1. Each bin is DecodeDecision
// written out as in decision; the window is checked before the flag and
// before the three bins of rem (at most 18 bits, of the 21 a check leaves).
func (c *cabac) intraPredModes(n int, rem *[16]int8) {
	if c.rec != nil {
		c.record(opIntraPredModes, n, 0, 0, 0)
	}
	value, rs := c.e.value, c.e.rng<<cabacValueShift
	stP, stR := c.ctx[ctxPrevIntraPredFlag], c.ctx[ctxRemIntraPredMode]
	for i := range rem[:min(max(n, 0), 16)] {
		if uint32(value) == 0 { // refill (refillValue)
			lsb := value & -value
			value = value ^ lsb | (c.word(c.pos)>>40<<1|1)*(lsb>>24)
			c.pos += 3
		}
		// DecodeDecision on prev_intra_pred_mode_flag
		lps := cabacLPSS[lpsIdx(rs, stP)]
		rs -= lps
		var bin uint8
		if value < rs {
			bin = stP & 1
			stP = cabacNext[stP]
			sh := (rs>>61 ^ 1) & 63
			rs <<= sh
			value <<= sh
		} else {
			value -= rs
			bin = stP&1 ^ 1
			stP = cabacNextLPS[stP]
			sh := uint64(cabacLPSShift[uint8(lps>>cabacValueShift)]) & 63
			rs = lps << sh
			value <<= sh
		}
		if bin != 0 {
			rem[i] = -1
			continue
		}
		if uint32(value) == 0 { // refill
			lsb := value & -value
			value = value ^ lsb | (c.word(c.pos)>>40<<1|1)*(lsb>>24)
			c.pos += 3
		}
		var r int8
		for b := range 3 {
			// DecodeDecision on bin b of rem_intra_pred_mode
			lps := cabacLPSS[lpsIdx(rs, stR)]
			rs -= lps
			if value < rs {
				r |= int8(stR&1) << b
				stR = cabacNext[stR]
				sh := (rs>>61 ^ 1) & 63
				rs <<= sh
				value <<= sh
			} else {
				value -= rs
				r |= int8(stR&1^1) << b
				stR = cabacNextLPS[stR]
				sh := uint64(cabacLPSShift[uint8(lps>>cabacValueShift)]) & 63
				rs = lps << sh
				value <<= sh
			}
		}
		rem[i] = r
	}
	if uint32(value) == 0 { // refill
		lsb := value & -value
		value = value ^ lsb | (c.word(c.pos)>>40<<1|1)*(lsb>>24)
		c.pos += 3
	}
	c.ctx[ctxPrevIntraPredFlag], c.ctx[ctxRemIntraPredMode] = stP, stR
	c.e = engine{value, rs >> cabacValueShift}
}
