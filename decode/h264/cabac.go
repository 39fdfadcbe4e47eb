package h264

// PLACEHOLDER: the CABAC engine (§9.3) is written in cabac*.go by its owner;
// this file only fixes the method set the macroblock layer calls. Every
// method documents what the caller supplies.

// cabac is the arithmetic decoding engine and its 1024 context variables.
type cabac struct {
	err error // sticky: set when the slice data ran out or was invalid
}

// start initialises the arithmetic decoding engine (§9.3.1.2) on slice data
// data[pos:] (pos is the first byte after cabac_alignment_one_bit).
func (c *cabac) start(data []byte, pos int) {}

// initContexts initialises all context variables (§9.3.1.1) for SliceQPY;
// initIdc is cabac_init_idc, or -1 for I and SI slices.
func (c *cabac) initContexts(sliceQPY, initIdc int) {}

// decodeTerminate decodes a bin with ctxIdx 276 (end_of_slice_flag, and the
// I_PCM bin of mb_type).
func (c *cabac) decodeTerminate() bool { return true }

// pcmPos returns the byte position in data of the first pcm sample after an
// I_PCM mb_type (§9.3.1.2); after reading the samples the caller calls
// start(data, end) again.
func (c *cabac) pcmPos() int { return 0 }

// mbTypeI decodes mb_type in an I slice (ctxIdxOffset 3, Table 9-36);
// ctxIdxInc for the first bin is condTermFlagA + condTermFlagB (§9.3.3.1.1.3),
// computed by the caller. Returns 0..25.
func (c *cabac) mbTypeI(ctxIdxInc int) int { return 0 }

// transformSize8x8Flag decodes transform_size_8x8_flag (ctxIdxOffset 399)
// with the caller's ctxIdxInc (§9.3.3.1.1.10).
func (c *cabac) transformSize8x8Flag(ctxIdxInc int) bool { return false }

// prevIntraPredModeFlag decodes prev_intra4x4_pred_mode_flag /
// prev_intra8x8_pred_mode_flag (ctxIdx 68).
func (c *cabac) prevIntraPredModeFlag() bool { return false }

// remIntraPredMode decodes rem_intra4x4_pred_mode / rem_intra8x8_pred_mode (ctxIdx 69).
func (c *cabac) remIntraPredMode() int { return 0 }

// intraChromaPredMode decodes intra_chroma_pred_mode (ctxIdxOffset 64) with
// the caller's ctxIdxInc for the first bin (§9.3.3.1.1.8).
func (c *cabac) intraChromaPredMode(ctxIdxInc int) int { return 0 }

// codedBlockPattern decodes coded_block_pattern (ctxIdxOffset 73 and 77,
// §9.3.2.6, §9.3.3.1.1.4). cbpA and cbpB are the left and top neighbours'
// effective coded_block_pattern: for an unavailable neighbour pass 0x0F
// (luma bits set, chroma 0); for an I_PCM neighbour pass 0x2F. chromaPresent
// is ChromaArrayType 1 or 2 (the chroma suffix is decoded).
func (c *cabac) codedBlockPattern(cbpA, cbpB int, chromaPresent bool) int { return 0 }

// mbQpDelta decodes mb_qp_delta (ctxIdxOffset 60); prevNonZero is true when
// the previous macroblock in decoding order in the slice had a non-zero
// mb_qp_delta (§9.3.3.1.1.5; the caller applies the skip/PCM/cbp rules).
func (c *cabac) mbQpDelta(prevNonZero bool) int { return 0 }

// residualBlock decodes residual_block_cabac (§7.3.5.3.3) of category cat
// (ctxBlockCat, Table 9-42: 0 Intra16x16DC, 1 Intra16x16AC, 2 Luma4x4,
// 3 ChromaDC, 4 ChromaAC, 5 Luma8x8, 6-9 Cb, 10-13 Cr as in 4:4:4).
// coeffLevel receives maxNumCoeff levels in scanning order (the caller
// places AC blocks at 1..15). cbfCtxIdxInc is the coded_block_flag
// ctxIdxInc from §9.3.3.1.1.9, or -1 when the flag is not present and is
// inferred to be 1 (cat 5 outside 4:4:4). It returns the number of non-zero
// levels (0 when coded_block_flag is 0).
func (c *cabac) residualBlock(coeffLevel []int32, cat, maxNumCoeff, cbfCtxIdxInc int) int {
	return 0
}
