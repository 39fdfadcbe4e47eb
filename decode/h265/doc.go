// Package h265 is a pure-Go intra decoder for ITU-T H.265 (08/2021) | ISO/IEC
// 23008-2 (HEVC): pictures of the Main, Main 10 and Main Still Picture
// profiles (and 4:2:0 up to 12 bits) that are IRAP pictures or whose slices
// are all I slices. P and B slices give decode.ErrNotIntra.
//
// It implements NAL unit, hvcC and parameter set parsing (§7.3, ISO/IEC
// 14496-15 §8.3.3), CABAC (§9.3), the coding quadtree and transform tree
// (§7.3.8), intra prediction with reference substitution, filtering and
// strong intra smoothing (§8.4.4.2), scaling lists, transform skip and the
// inverse transforms (§8.6), PCM and lossless (cu_transquant_bypass) coding
// units, delta QP and chroma QP offsets, multiple and dependent slice
// segments, tiles and wavefront entry points, the deblocking filter (§8.7.2)
// and sample adaptive offset (§8.7.3). Range-extension tools, 4:0:0, 4:2:2
// and 4:4:4 give a decode.UnsupportedError.
//
// Output is bit-exact with ffmpeg's decoder on the x265 corpus of testdata
// (regenerate with testdata/gen.sh) and on randomised x265 settings
// (TestDifferentialFFmpeg). x265 cannot write tiles, dependent slice
// segments or PCM, so those paths are implemented from the standard but not
// yet checked against a reference stream.
//
// Setting the environment variable H265_PANIC makes DecodeAccessUnit re-raise
// an internal panic instead of turning it into an error (for debugging).
package h265
