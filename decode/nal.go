package decode

import "bytes"

// MaxNALUnitsPerAccessUnit bounds the NAL units taken from one access unit;
// real encoders write at most a few hundred (one per slice plus headers).
const MaxNALUnitsPerAccessUnit = 4096

// SplitAnnexB appends to dst the NAL units of an Annex B byte stream (start
// codes 00 00 01 or 00 00 00 01), as sub-slices of b without the start codes
// and without trailing zero bytes. Bytes before the first start code are
// ignored. At most MaxNALUnitsPerAccessUnit units are returned; ok is false
// when more were present.
func SplitAnnexB(dst [][]byte, b []byte) (nals [][]byte, ok bool) {
	start := -1
	i := 0
	n := len(b)
	for i+2 < n {
		// Find 00 00 01.
		if b[i+2] > 1 {
			i += 3
			continue
		}
		if b[i] == 0 && b[i+1] == 0 && b[i+2] == 1 {
			if start >= 0 {
				end := i
				for end > start && b[end-1] == 0 {
					end--
				}
				if end > start {
					if len(dst) >= MaxNALUnitsPerAccessUnit {
						return dst, false
					}
					dst = append(dst, b[start:end])
				}
			}
			i += 3
			start = i
			continue
		}
		i++
	}
	if start >= 0 && start < n {
		end := n
		for end > start && b[end-1] == 0 {
			end--
		}
		if end > start {
			if len(dst) >= MaxNALUnitsPerAccessUnit {
				return dst, false
			}
			dst = append(dst, b[start:end])
		}
	}
	return dst, true
}

// SplitLengthPrefixed appends to dst the NAL units of a sample in which each
// unit is preceded by its size in lengthSize (1, 2 or 4) big-endian bytes,
// as avcC and hvcC samples are. It returns a FormatError when a length runs
// past the end of b.
func SplitLengthPrefixed(dst [][]byte, b []byte, lengthSize int) ([][]byte, error) {
	if lengthSize != 1 && lengthSize != 2 && lengthSize != 4 && lengthSize != 3 {
		return dst, FormatError("NAL length size must be 1, 2, 3 or 4")
	}
	for len(b) > 0 {
		if len(b) < lengthSize {
			return dst, FormatError("truncated NAL length prefix")
		}
		var l uint64
		for k := 0; k < lengthSize; k++ {
			l = l<<8 | uint64(b[k])
		}
		b = b[lengthSize:]
		if l > uint64(len(b)) {
			return dst, FormatError("NAL unit length runs past the end of the sample")
		}
		if l > 0 {
			if len(dst) >= MaxNALUnitsPerAccessUnit {
				return dst, FormatError("too many NAL units in one sample")
			}
			dst = append(dst, b[:l])
		}
		b = b[l:]
	}
	return dst, nil
}

// NextNAL returns the first NAL unit of the Annex B byte stream b (B.1.2),
// without its start code and trailing zero bytes, and the bytes after it;
// nal is nil when b holds no further unit. Unlike SplitAnnexB it has no
// count limit, so whole files can be walked with it:
//
//	for nal, rest := decode.NextNAL(b); nal != nil; nal, rest = decode.NextNAL(rest) { … }
func NextNAL(b []byte) (nal, rest []byte) {
	for {
		i := bytes.Index(b, startCode)
		if i < 0 {
			return nil, nil
		}
		b = b[i+3:]
		j := bytes.Index(b, startCode)
		if j < 0 {
			j = len(b)
		}
		end := j
		for end > 0 && b[end-1] == 0 {
			end--
		}
		if end > 0 {
			return b[:end], b[j:]
		}
		b = b[j:]
	}
}

var startCode = []byte{0, 0, 1}
