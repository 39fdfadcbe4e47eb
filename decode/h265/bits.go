package h265

import "github.com/stills/stills/decode"

// MaxExpGolombBits bounds the leading zero bits of one ue(v)/se(v) code
// (§9.2): no syntax element of H.265 needs more than 32 bits of value.
const MaxExpGolombBits = 31

// unescape copies a NAL unit's payload to dst (reused), dropping the
// emulation_prevention_three_byte of every 00 00 03 sequence (§7.3.1.1,
// §7.4.2). It returns the RBSP.
func unescape(dst, src []byte) []byte {
	dst = dst[:0]
	zeros := 0
	for i := 0; i < len(src); i++ {
		c := src[i]
		if zeros >= 2 && c == 3 {
			zeros = 0
			continue
		}
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
		dst = append(dst, c)
	}
	return dst
}

// bitReader reads an RBSP most significant bit first. Reads past the end
// return zero bits and set the sticky err, checked by the caller once per
// syntax structure.
type bitReader struct {
	b   []byte
	pos int // bit position
	err error
}

func (r *bitReader) init(b []byte) {
	r.b = b
	r.pos = 0
	r.err = nil
}

func (r *bitReader) fail(msg string) {
	if r.err == nil {
		r.err = decode.FormatError(msg)
	}
}

func (r *bitReader) u1() uint32 {
	p := r.pos
	if p>>3 >= len(r.b) {
		r.fail("syntax element runs past the end of the NAL unit")
		return 0
	}
	r.pos++
	return uint32(r.b[p>>3]>>(7-uint(p&7))) & 1
}

func (r *bitReader) flag() bool { return r.u1() != 0 }

// u reads n ≤ 32 bits.
func (r *bitReader) u(n int) uint32 {
	var v uint32
	for i := 0; i < n; i++ {
		v = v<<1 | r.u1()
	}
	return v
}

// ue reads ue(v) (§9.2).
func (r *bitReader) ue() uint32 {
	zeros := 0
	for r.u1() == 0 {
		if r.err != nil {
			return 0
		}
		zeros++
		if zeros > MaxExpGolombBits {
			r.fail("Exp-Golomb code longer than 32 bits")
			return 0
		}
	}
	if zeros == 0 {
		return 0
	}
	return (1<<uint(zeros) - 1) + r.u(zeros)
}

// se reads se(v) (§9.2.2).
func (r *bitReader) se() int32 {
	k := r.ue()
	if k&1 != 0 {
		return int32((k + 1) / 2)
	}
	return -int32(k / 2)
}

// ueMax reads ue(v) and fails when the value exceeds max.
func (r *bitReader) ueMax(max uint32, what string) int {
	v := r.ue()
	if v > max {
		r.fail(what + " out of range")
		return 0
	}
	return int(v)
}

// seRange reads se(v) and fails when the value lies outside [lo, hi].
func (r *bitReader) seRange(lo, hi int32, what string) int {
	v := r.se()
	if v < lo || v > hi {
		r.fail(what + " out of range")
		return 0
	}
	return int(v)
}

func (r *bitReader) skip(n int) {
	r.pos += n
	if r.pos > len(r.b)*8 {
		r.fail("syntax element runs past the end of the NAL unit")
	}
}

func (r *bitReader) byteAligned() bool { return r.pos&7 == 0 }

// moreRBSPData implements more_rbsp_data() (§7.2).
func (r *bitReader) moreRBSPData() bool {
	if r.err != nil || r.pos >= len(r.b)*8 {
		return false
	}
	// Find the last 1 bit (rbsp_stop_one_bit).
	last := len(r.b) - 1
	for last >= 0 && r.b[last] == 0 {
		last--
	}
	if last < 0 {
		return false
	}
	c := r.b[last]
	bit := 0
	for c&1 == 0 {
		c >>= 1
		bit++
	}
	stop := last*8 + 7 - bit
	return r.pos < stop
}
