// Package encode scales decoded frames and encodes them as JPEG or PNG, in
// pure Go.
//
// Standards: ITU-T T.81 | ISO/IEC 10918-1 (baseline sequential JPEG, Annex F
// coding, Annex K tables) in a JFIF 1.02 file; PNG (ISO/IEC 15948 / W3C PNG
// 2nd ed.) with a zlib (RFC 1950) / deflate (RFC 1951) stream; colour
// equations of ITU-T H.273 §8.3 with the BT.601, BT.709 and BT.2020
// coefficients.
//
// Decisions are documented at the code that implements them; see OutputSize,
// matrixOf, axis.setup and the file comments of jpeg.go and png.go.
package encode
