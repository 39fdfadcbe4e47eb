package h264

// ld4 loads four samples as a word, sample i in 16-bit lane i (the compiler
// merges the four loads into one 64-bit load).
func ld4(s *[4]uint16) uint64 {
	return uint64(s[0]) | uint64(s[1])<<16 | uint64(s[2])<<32 | uint64(s[3])<<48
}

// st4 stores the four 16-bit lanes of v as samples (one 64-bit store).
func st4(s *[4]uint16, v uint64) {
	s[0], s[1], s[2], s[3] = uint16(v), uint16(v>>16), uint16(v>>32), uint16(v>>48)
}
