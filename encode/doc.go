// Package encode scales decoded frames (decode.Frame) and encodes them as
// JPEG or PNG, in pure Go.
//
// Standards: ITU-T T.81 | ISO/IEC 10918-1 (baseline sequential DCT JPEG:
// §A.3 DCT and quantisation, Annex F Huffman coding, Annex K tables) in a
// JFIF 1.02 file; PNG (ISO/IEC 15948, W3C PNG 2nd edition) with a zlib
// (RFC 1950) / deflate (RFC 1951) stream; colour equations of ITU-T H.273
// §8.3 with the Kr/Kb of BT.601, BT.709 and BT.2020.
//
// # Pipeline
//
// Encode validates the frame and options, derives the output size
// (OutputSize), scales each plane separately straight from the frame's
// uint16 samples, then converts colour and codes:
//
//   - JPEG: luma is scaled to W×H and both chroma planes straight to the
//     4:2:0 size ⌈W/2⌉×⌈H/2⌉, whatever the source chroma format (4:2:0,
//     4:2:2 and 4:4:4 are all resampled, 4:0:0 gives a one-component
//     grayscale JPEG). The conversion to JFIF YCbCr is applied while each
//     8×8 block is loaded for its DCT, so no converted copy of the picture
//     is made.
//   - PNG: luma and both chroma planes are scaled to W×H (chroma upsampled
//     by the same filter) and converted to 8-bit R'G'B' row by row, which
//     is filtered and deflated at once (4:0:0 gives a grayscale PNG).
//
// # Decisions
//
// Output size: see OutputSize. When neither dimension is requested the
// output has the cropped coded size and the SAR is ignored (as the AWS
// service does); when exactly one is requested the other follows the
// displayed aspect ratio, SAR included, so an anamorphic 720×576 16:9 frame
// asked for at width 1024 comes out 1024×576.
//
// Scaling (scale.go): separable, fixed point (weights of 14 bits summing
// exactly to 1, samples carried with 14 bits of precision between passes),
// weights computed once per geometry and reused. Upscaling and 1:1 use
// linear interpolation; downscaling uses area averaging (each source
// sample weighted by its overlap with the output pixel), which equals
// linear interpolation near 1× and a box filter for large factors, so
// nothing aliases; on the same YUV it matches ffmpeg's swscale with
// flags=area (shrinking) and flags=bilinear (enlarging) to within rounding
// (TestScaleAgainstFFmpeg). Weights that are zero for every output are
// dropped (an exact 1.5× reduction reads 2 samples per output, not 3).
// When the height
// shrinks the vertical pass runs first, so that the costlier horizontal
// pass sees fewer rows. Samples are taken at pixel centres and chroma as
// centred on its luma (JFIF siting); the H.264/H.265 default 4:2:0 siting is
// a quarter chroma sample to the left, a shift invisible in a still that
// this ignores, so that a frame that is not resized is not resampled at all.
// golang.org/x/image/draw was measured and not used: its BiLinear scaler
// works on 8-bit image.Image values (so deeper samples would be rounded
// before scaling) and, on the same 1920×1080 → 1280×720 picture
// (BenchmarkScaleXDraw1080To720 beside BenchmarkScale1080To720), took about
// 15 times the CPU time of this scaler and allocated 44 MB per call.
//
// Bit depth: samples deeper than 8 bits are never rounded before the end:
// the scaler keeps 14 bits, the PNG colour stage rounds once to 8 bits, and
// the JPEG path feeds the DCT with 4 fractional bits (8-bit samples are a
// special case of the same code).
//
// Colour (colour.go): matrix_coefficients 1 is BT.709, 5 and 6 BT.601, 9
// (and 10, approximated) BT.2020, 4 FCC and 7 SMPTE 240M. Unspecified (2),
// reserved or absent values default by picture height: BT.709 for 720 rows
// and more, BT.601 below, as ffmpeg and players guess. 0 (GBR) returns an
// UnsupportedError. Range follows video_full_range_flag (limited when
// absent). JPEG wants full-range BT.601 YCbCr (JFIF): a fixed-point 3×3
// affine map from the source YCbCr does the range expansion and the matrix
// change in one step (the identity for full-range BT.601 sources). PNG gets
// R'G'B' through the source's matrix and range, clamped; the transfer
// function is passed through (no linearisation), as every player does.
// TestColourAgainstFFmpeg checks both outputs against ffmpeg's own
// conversion of the same YUV, and TestColourControls that the check catches
// a BT.601/BT.709 mix-up and a range error.
//
// JPEG (jpeg.go): baseline, 8-bit, 4:2:0 (H=V=2 for luma), quality 1–100
// with the IJG scaling of the Annex K tables (libjpeg's
// jpeg_quality_scaling; DefaultQuality 80), so file sizes match cjpeg at the
// same quality. Forward DCT: the integer Arai–Agui–Nakajima scaled DCT,
// with its output scale folded into 31-bit quantisation reciprocals
// (rounding to nearest). The row pass is fused with the colour conversion
// of the samples it reads, and the column pass with quantisation; both are
// generated (gen_fdct.go → fdct_gen.go) so that every coefficient's
// zig-zag position is a constant. Since most coefficients quantise to zero,
// each is first compared with the exact interval of values that quantise
// to zero, and only the others are multiplied, stored and flagged in a
// 64-bit mask of non-zero coefficients, which the Huffman coder walks with
// bits.TrailingZeros64. Huffman coding uses the standard Annex K.3 tables
// or, with
// Options.OptimizeHuffman, tables built for the picture by the §K.2
// procedure from a first counting pass (smaller files for twice the
// transform work); a 64-bit bit buffer is flushed 32 bits at a time with
// 0xFF stuffing detected per word. No restart markers.
// Edge blocks repeat the last column and row.
//
// PNG (png.go): a direct writer (IHDR, one IDAT, IEND) around
// compress/zlib at BestSpeed with a reused compressor; rows use filter Sub
// for the first row and Up for the others. BenchmarkPNG720 against
// BenchmarkPNGStdlib720 (image/png, BestSpeed, reused Encoder and
// BufferPool, on the same RGB) measured it about twice as fast at the same
// size (image/png's adaptive per-row filter choice costs time and buys
// nothing on video frames, and it needs an RGBA copy of the picture).
//
// # Resources
//
// An Encoder keeps every buffer (weights, intermediate planes, row buffers,
// the zlib compressor) and reuses it; with a reused dst, encoding
// same-sized frames allocates nothing (TestZeroAllocs). An Encoder is not
// safe for concurrent use: use one per worker. Input sizes are bounded by
// MaxDimension and output area by MaxPixels; frames whose planes are too
// small for their declared geometry give ErrInvalidFrame, never a panic.
package encode
