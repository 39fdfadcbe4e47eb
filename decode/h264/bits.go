package h264

import (
	"encoding/binary"
	"math/bits"
)

// MaxExpGolombLeadingZeros bounds the prefix of an Exp-Golomb code (§9.1):
// 31 leading zero bits code values up to 2^32-2, more than any syntax
// element may take; a longer prefix is a corrupt stream.
const MaxExpGolombLeadingZeros = 31

// unescapeRBSP appends to dst[:0] the RBSP of a NAL unit payload (the bytes
// after the NAL unit header) with every emulation_prevention_three_byte
// removed (§7.3.1, §7.4.1). dst is reused when it has room.
func unescapeRBSP(dst, src []byte) []byte {
	dst = dst[:0]
	zeros := 0
	start := 0
	for i := 0; i < len(src); i++ {
		b := src[i]
		if zeros >= 2 && b == 3 {
			dst = append(dst, src[start:i]...)
			start = i + 1
			zeros = 0
			continue
		}
		if b == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return append(dst, src[start:]...)
}

// bitReader reads the bits of an RBSP most significant bit first (§7.2).
//
// Reads never fail: past the end they return zero bits and set the sticky
// flag over, which callers check once per syntax structure (a header, a
// macroblock). This keeps the per-symbol path free of error returns.
type bitReader struct {
	buf  []byte
	pos  int  // bit position of the next read
	end  int  // bit position of rbsp_stop_one_bit (len(buf)*8 when absent)
	over bool // sticky: a read ran past end of data, or a code was invalid
}

func (r *bitReader) init(buf []byte) {
	r.buf = buf
	r.pos = 0
	r.over = false
	// The stop bit is the last 1 bit of the RBSP (§7.3.2.11); trailing
	// cabac_zero_words are zero bytes after it.
	n := len(buf)
	for n > 0 && buf[n-1] == 0 {
		n--
	}
	if n == 0 {
		r.end = 0
		return
	}
	r.end = n*8 - 1 - bits.TrailingZeros8(buf[n-1])
}

// peek32 returns the next 32 bits without consuming them (zeros past the end).
func (r *bitReader) peek32() uint32 {
	p := r.pos >> 3
	var v uint64
	if p+8 <= len(r.buf) {
		v = binary.BigEndian.Uint64(r.buf[p:])
	} else {
		for i := 0; i < 8; i++ {
			v <<= 8
			if p+i < len(r.buf) {
				v |= uint64(r.buf[p+i])
			}
		}
	}
	return uint32(v << uint(r.pos&7) >> 32)
}

func (r *bitReader) skip(n int) {
	r.pos += n
	if r.pos > len(r.buf)*8 {
		r.over = true
	}
}

// u reads n bits, 0 <= n <= 32 (u(n), §7.2).
func (r *bitReader) u(n int) uint32 {
	if n == 0 {
		return 0
	}
	v := r.peek32() >> uint(32-n)
	r.skip(n)
	return v
}

func (r *bitReader) flag() bool { return r.u(1) != 0 }

// ue reads an unsigned Exp-Golomb code ue(v) (§9.1).
func (r *bitReader) ue() uint32 {
	v := r.peek32()
	lz := bits.LeadingZeros32(v)
	if lz < 16 {
		r.skip(2*lz + 1)
		return v>>uint(31-2*lz) - 1
	}
	if lz > MaxExpGolombLeadingZeros {
		r.over = true
		r.skip(32)
		return 0
	}
	r.skip(lz + 1)
	return uint32((uint64(1)<<uint(lz) - 1) + uint64(r.u(lz)))
}

// se reads a signed Exp-Golomb code se(v) (§9.1.1).
func (r *bitReader) se() int32 {
	k := r.ue()
	if k&1 != 0 {
		return int32((k + 1) >> 1)
	}
	return -int32(k >> 1)
}

// ueMax reads ue(v) and marks the stream invalid when the value exceeds max.
func (r *bitReader) ueMax(max uint32) int {
	v := r.ue()
	if v > max {
		r.over = true
		return int(max)
	}
	return int(v)
}

// seRange reads se(v) and marks the stream invalid outside [lo, hi].
func (r *bitReader) seRange(lo, hi int32) int {
	v := r.se()
	if v < lo || v > hi {
		r.over = true
		return int(lo)
	}
	return int(v)
}

// moreRBSPData is more_rbsp_data() (§7.2).
func (r *bitReader) moreRBSPData() bool { return r.pos < r.end }

func (r *bitReader) byteAligned() bool { return r.pos&7 == 0 }

func (r *bitReader) align() { r.pos = (r.pos + 7) &^ 7 }
