// Package h265 is a pure-Go intra decoder for ITU-T H.265 (08/2021) | ISO/IEC
// 23008-2 (HEVC): Main, Main 10 and Main Still Picture profile pictures that
// are IRAP or whose slices are all I slices.
//
// It implements NAL unit and parameter set parsing (§7.3), CABAC (§9.3),
// the coding quadtree and transform tree (§7.3.8), intra prediction
// (§8.4.4.2), scaling and inverse transforms (§8.6), the deblocking filter
// (§8.7.2) and sample adaptive offset (§8.7.3), with tiles, wavefront
// parallel processing entry points, multiple and dependent slice segments,
// PCM, transform skip, scaling lists and lossless (cu_transquant_bypass)
// coding units. Range-extension tools and chroma formats other than 4:2:0
// give a decode.UnsupportedError.
package h265
