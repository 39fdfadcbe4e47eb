package h264

import "github.com/stills/stills/decode"

// This file holds the data shared by the parts of the decoder that are
// written in separate files: the macroblock layer and reconstruction
// (slice.go, mb.go, ...), the CABAC engine (cabac*.go) and the deblocking
// filter (deblock.go). Change it with care: all three depend on it.

// mbTypeIPCM is mb_type I_PCM in an I slice (Table 7-11). 0 is I_NxN and
// 1..24 are the I_16x16 types.
const (
	mbTypeINxN = 0
	mbTypeIPCM = 25
)

// mbInfo is what later macroblocks (neighbour derivation, CAVLC nC, CABAC
// ctxIdxInc) and the deblocking filter need to know of a decoded macroblock.
type mbInfo struct {
	slice          int32 // index into picture.slices; -1 while not decoded
	mbType         uint8 // I-slice mb_type, Table 7-11
	transform8x8   bool  // transform_size_8x8_flag
	cbp            uint8 // coded_block_pattern: bits 0-3 luma 8x8 blocks, bits 4-5 CodedBlockPatternChroma
	qpY            int8  // QP_Y (without QpBdOffsetY); 0 for I_PCM
	chromaPredMode uint8 // intra_chroma_pred_mode
	// predModes holds Intra4x4PredMode (or Intra8x8PredMode, copied to the
	// four 4x4 blocks of each 8x8) by luma4x4BlkIdx (Figure 6-10); 2 (DC)
	// for I_16x16 and I_PCM macroblocks, as §8.3.1.1 needs.
	predModes [16]int8
	// totalCoeff is TotalCoeff(coeff_token) (CAVLC) or the count of non-zero
	// coefficients (CABAC) of each 4x4 block: luma by luma4x4BlkIdx at 0..15,
	// Cb at 16.., Cr at 32.. (chroma4x4BlkIdx for 4:2:0/4:2:2, luma-style
	// indexing for 4:4:4). An I_PCM macroblock has 16 everywhere.
	totalCoeff [48]uint8
	// cbfDC holds the CABAC coded_block_flag of the DC blocks: bit 0 luma
	// (Intra16x16DCLevel), bit 1 Cb DC, bit 2 Cr DC.
	cbfDC uint8
}

// sliceInfo holds the per-slice values the deblocking filter needs (§8.7).
type sliceInfo struct {
	disableDeblockingFilterIdc uint8 // 0, 1 or 2
	filterOffsetA              int8  // slice_alpha_c0_offset_div2 << 1
	filterOffsetB              int8  // slice_beta_offset_div2 << 1
	chromaQpIndexOffset        int8  // PPS chroma_qp_index_offset (Cb)
	secondChromaQpIndexOffset  int8  // PPS second_chroma_qp_index_offset (Cr)
}

// picture is the decoder's working frame at the full coded size (a whole
// number of macroblocks), samples as uint16 for every bit depth.
type picture struct {
	widthMbs, heightMbs int
	chromaFormat        decode.ChromaFormat
	bitDepthY           int
	bitDepthC           int
	// mbWidthC, mbHeightC: chroma samples per macroblock (8x8 for 4:2:0,
	// 8x16 for 4:2:2, 16x16 for 4:4:4, 0 for 4:0:0).
	mbWidthC, mbHeightC int
	// qpprimeYZeroTransformBypass is the SPS flag: lossless macroblocks
	// (QP'Y == 0) are not deblocked (§8.7).
	qpprimeYZeroTransformBypass bool

	y, cb, cr        []uint16
	yStride, cStride int // samples per row: widthMbs*16 and widthMbs*mbWidthC

	mbs    []mbInfo // widthMbs*heightMbs, raster order
	slices []sliceInfo

	rows rowDeblock // deblocking while decoding (deblock_rows.go)
}
