package h264

import (
	"bytes"
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
	// Each 0x000003 is found with bytes.Index (vectorised in the runtime)
	// rather than by testing every byte; after a removed 0x03 the zero
	// count starts again, as the search restarts after it.
	dst = dst[:0]
	for {
		i := bytes.Index(src, emulationPrevention)
		if i < 0 {
			return append(dst, src...)
		}
		dst = append(dst, src[:i+2]...)
		src = src[i+3:]
	}
}

// emulationPrevention is two zero bytes and an emulation_prevention_three_byte.
var emulationPrevention = []byte{0, 0, 3}

// bitReader reads the bits of an RBSP most significant bit first (§7.2).
//
// Reads never fail: past the end they return zero bits, and bad() reports
// it (and invalid codes, sticky) when callers check once per syntax
// structure (a header, a macroblock). This keeps the per-symbol path free of error returns. The
// next unread bits are kept left-aligned in a 64-bit cache refilled eight
// bytes at a time.
type bitReader struct {
	buf   []byte
	next  int    // index in buf of the next byte to load into cache
	cache uint64 // unread bits, left-aligned; the bits below n are zero
	n     int    // valid bits in cache
	end   int    // bit position of rbsp_stop_one_bit (0 when absent)
	over  bool   // sticky: a code was invalid (bad() also reports reads past the end)
}

func (r *bitReader) init(buf []byte) {
	r.buf = buf
	r.next, r.cache, r.n = 0, 0, 0
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

// bitPos is the position of the next unread bit.
func (r *bitReader) bitPos() int { return r.next*8 - r.n }

// seek moves to bit position p (0 <= p).
func (r *bitReader) seek(p int) {
	r.next, r.cache, r.n = p>>3, 0, 0
	r.refill()
	r.skip(p & 7)
}

// refill loads whole bytes into the cache until it holds at least 57 bits;
// bytes past the end of buf read as zero. Callers refill only when fewer
// than 32 bits are left (0 <= r.n < 32).
func (r *bitReader) refill() {
	if r.next+8 <= len(r.buf) {
		v := binary.BigEndian.Uint64(r.buf[r.next:])
		k := (64 - r.n) >> 3 // whole bytes that fit
		// Both shifts are below 64 (k >= 1, and 8*k <= 64-r.n): the
		// masks only spare the compiler's code for larger counts.
		r.cache |= v >> (uint(64-8*k) & 63) << (uint(64-r.n-8*k) & 63)
		r.n += 8 * k
		r.next += k
		return
	}
	for r.n <= 56 {
		var b byte
		if r.next < len(r.buf) {
			b = r.buf[r.next]
		}
		r.cache |= uint64(b) << uint(56-r.n)
		r.n += 8
		r.next++
	}
}

// refillFrom is refill for a reader whose cache and bit count are held in
// the caller's locals: it stores them, refills and returns the new values.
func (r *bitReader) refillFrom(cache uint64, n int) (uint64, int) {
	r.cache, r.n = cache, n
	r.refill()
	return r.cache, r.n
}

// peek32 returns the next 32 bits without consuming them (zeros past the end).
func (r *bitReader) peek32() uint32 {
	if r.n < 32 {
		r.refill()
	}
	return uint32(r.cache >> 32)
}

// skip consumes n bits that a peek32 has loaded (n <= 32, n <= r.n).
func (r *bitReader) skip(n int) {
	r.cache <<= uint(n)
	r.n -= n
}

// bad reports whether a read ran past the end of the data or a code was
// invalid (sticky).
func (r *bitReader) bad() bool { return r.over || r.next*8-r.n > len(r.buf)*8 }

// u reads n bits, 0 <= n <= 32 (u(n), §7.2).
func (r *bitReader) u(n int) uint32 {
	v := r.peek32() >> uint(32-n) // Go shifts by 32 give 0: u(0) == 0

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
func (r *bitReader) moreRBSPData() bool { return r.bitPos() < r.end }

func (r *bitReader) byteAligned() bool { return r.bitPos()&7 == 0 }

func (r *bitReader) align() { r.skip(r.n & 7) } // r.n%8 == (-bitPos)%8
