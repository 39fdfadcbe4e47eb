// Package h264 is a pure-Go decoder for the intra pictures of ITU-T H.264
// (08/2021) | ISO/IEC 14496-10 streams.
//
// It decodes every intra coding tool of the Constrained Baseline, Baseline
// (without FMO/ASO), Main, High, High 10 and High 4:2:2 profiles for frame
// pictures: CAVLC (§9.2) and CABAC (§9.3) entropy coding, I_NxN with 4x4 and
// 8x8 transforms, I_16x16 and I_PCM macroblocks (§7.3.5), the intra
// prediction processes of §8.3, scaling and transforms of §8.5, and the
// deblocking filter of §8.7 (deblock.go), including High 4:4:4 Predictive
// intra pictures and lossless macroblocks (§8.5.15). 4:0:0, 4:2:0, 4:2:2
// and 4:4:4 sampling and bit depths 8 to 14 share one code path: samples
// are uint16 everywhere.
//
// Pictures containing P, B or SP slices give decode.ErrNotIntra. Field
// pictures, MBAFF frames, separate colour planes, slice groups (FMO), data
// partitioning and SI slices give a decode.UnsupportedError, never a wrong
// picture.
//
// Files:
//
//	bits.go      RBSP extraction (§7.4.1) and the bit reader (§7.2, §9.1)
//	ps.go        sequence and picture parameter sets (§7.3.2.1, §7.3.2.2, Annex E)
//	header.go    slice header (§7.3.3) and picture order count (§8.2.1)
//	slice.go     slice data and macroblock layer (§7.3.4, §7.3.5)
//	cavlc.go     CAVLC residual blocks (§9.2)
//	cabac.go, cabac_se.go, cabac_residual.go, cabac_tables.go  CABAC engine,
//	             syntax elements and residual blocks (§9.3)
//	intra.go     intra prediction (§8.3)
//	intra8x8.go  Intra_8x8 and Intra_4x4 prediction specialised by size (§8.3.1.2, §8.3.2)
//	recon.go     prediction plus residual per macroblock (§8.3, §8.5.14, §8.5.15)
//	vlc.go, cavlc_tables.go  CAVLC code tables (Tables 9-4, 9-5, 9-7 to 9-10)
//	transform.go scaling and inverse transforms (§8.5)
//	deblock.go, deblock_uniform.go, deblock_swar.go  deblocking filter (§8.7)
//	deblock_rows.go  deblocking each macroblock row as soon as the row below
//	             it is decoded, while its samples are still in the cache
//	au.go        access unit boundaries (§7.4.1.2.3)
//	decoder.go   the decode.Decoder implementation
package h264
