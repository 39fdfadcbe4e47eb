package h264

import "math/bits"

// MaxLevelPrefix bounds level_prefix (§9.2.2.1): at most 15 in Baseline,
// Main and Extended streams; High profiles allow longer prefixes so that
// levels of deep bit depths fit, but a level_prefix above 26 would give a
// levelCode beyond any coefficient range (§7.4.5.3.2). Longer runs of zeros
// are a corrupt stream.
const MaxLevelPrefix = 26

// residualCAVLC decodes residual_block_cavlc() (§7.3.5.3.2, §9.2) with
// maxNumCoeff coefficients and the given nC (-1: 4:2:0 chroma DC, -2: 4:2:2
// chroma DC). It stores the non-zero levels in d.cabac.sigVals and their
// indices in coeffLevel (0..maxNumCoeff-1) in d.cabac.sigPos, and returns
// TotalCoeff(coeff_token). Errors set r.over; reads past the end show in r.bad().
func (d *sliceDecoder) residualCAVLC(nC, maxNumCoeff int) int {
	r := &d.r
	// The bit reader's cache and count live in locals (cache, n) in this
	// function; r.cache and r.n are synchronised around every call that
	// uses r and before every return.
	cache, n := r.cache, r.n
	if n < 32 {
		cache, n = r.refillFrom(cache, n)
	}
	var tok int
	var t *vlcTable
	switch {
	case nC == -1:
		t = chromaDCTokenVLC
	case nC == -2:
		t = chroma422DCTokenVLC
	case nC < 2:
		t = coeffTokenVLC[0]
	case nC < 4:
		t = coeffTokenVLC[1]
	case nC < 8:
		t = coeffTokenVLC[2]
	default:
		// 6-bit fixed-length code: TotalCoeff-1 and TrailingOnes, with
		// 000011 for no coefficients (Table 9-5, 8 <= nC).
		c := int(cache >> 58)
		cache <<= 6
		n -= 6
		if c == 3 {
			tok = 0
		} else {
			tok = (c>>2+1)<<2 | c&3
			if c&3 > c>>2+1 {
				r.cache, r.n = cache, n
				r.over = true
				return 0
			}
		}
	}
	if t != nil {
		e := t.look(uint32(cache >> 32))
		if e.len <= 0 {
			r.cache, r.n = cache, n
			r.over = true
			return 0
		}
		tok = int(e.val)
		cache <<= uint(e.len)
		n -= int(e.len)
	}
	total := tok >> 2
	t1 := tok & 3
	if total == 0 || total > maxNumCoeff {
		r.cache, r.n = cache, n
		r.over = r.over || total != 0
		return 0
	}
	// The levels go straight to their place in sigVals (level[i] is
	// sigVals[i], the order of the syntax).
	level := &d.cabac.sigVals
	// Levels (§9.2.2).
	suffixLength := 0
	if total > 10 && t1 < 3 {
		suffixLength = 1
	}
	if n < 32 {
		cache, n = r.refillFrom(cache, n)
	}
	// trailing_ones_sign_flag: t1 <= 3 bits.
	for i := 0; i < t1; i++ {
		level[i] = 1 - 2*int32(cache>>63)
		cache <<= 1
	}
	n -= t1
	lf := &levelFast[0]
	if t1 < 3 {
		lf = &levelFast[1] // the first level after fewer than 3 trailing ones
	}
	for i := t1; i < total; i++ {
		if n < 32 {
			cache, n = r.refillFrom(cache, n)
		}
		v := uint32(cache >> 32)
		if e := lf[suffixLength&7][v>>24]; e&0xff != 0 {
			// level_prefix, its 1 and level_suffix within 8 bits: the
			// level and the next suffixLength come from the table.
			level[i] = int32(e) >> 16
			cache <<= e & 0xff
			n -= int(e & 0xff)
			suffixLength = int(e >> 8 & 0xff)
			lf = &levelFast[0]
			continue
		}
		lf = &levelFast[0]
		r.cache, r.n = cache, n
		var levelCode int32
		prefix := bits.LeadingZeros32(v)
		if prefix > MaxLevelPrefix {
			r.over = true
			return 0
		}
		r.skip(prefix + 1)
		levelCode = int32(min(15, prefix) << uint(suffixLength))
		if suffixLength > 0 || prefix >= 14 {
			size := suffixLength
			if prefix == 14 && suffixLength == 0 {
				size = 4
			}
			if prefix >= 15 {
				size = prefix - 3
			}
			if size > 0 {
				levelCode += int32(r.peek32() >> uint(32-size))
				r.skip(size)
			}
		}
		if prefix >= 15 && suffixLength == 0 {
			levelCode += 15
		}
		if prefix >= 16 {
			levelCode += int32(1)<<uint(prefix-3) - 4096
		}
		if i == t1 && t1 < 3 {
			levelCode += 2
		}
		if levelCode&1 == 0 {
			level[i] = (levelCode + 2) >> 1
		} else {
			level[i] = (-levelCode - 1) >> 1
		}
		if suffixLength == 0 {
			suffixLength = 1
		}
		a := level[i]
		a = (a ^ a>>31) - a>>31 // |level|
		if a > 3<<uint(suffixLength-1) && suffixLength < 6 {
			suffixLength++
		}
		cache, n = r.cache, r.n
	}
	// total_zeros and run_before (§9.2.3, §9.2.4).
	zerosLeft := 0
	if total < maxNumCoeff {
		var t *vlcTable
		switch nC {
		case -1:
			t = chromaDCZerosVLC[total-1]
		case -2:
			t = chroma422DCZerosVLC[total-1]
		default:
			t = totalZerosVLC[total-1]
		}
		if n < 32 {
			cache, n = r.refillFrom(cache, n)
		}
		e := t.look(uint32(cache >> 32))
		if e.len <= 0 || int(e.val)+total > maxNumCoeff {
			r.cache, r.n = cache, n
			r.over = true
			return 0
		}
		zerosLeft = int(e.val)
		cache <<= uint(e.len)
		n -= int(e.len)
	}
	// coeffNum for level[i] is (total-1-i) + zeros before it; walk from
	// the highest frequency down.
	pos := total + zerosLeft - 1
	sigPos := &d.cabac.sigPos
	for i := 0; i < total; i++ {
		sigPos[i] = uint8(pos)
		if zerosLeft == 0 {
			// No run_before left to read: the remaining coefficients
			// are at the positions below, one after another.
			for i++; i < total; i++ {
				pos--
				sigPos[i] = uint8(pos)
			}
			break
		}
		run := 0
		if i < total-1 {
			if zerosLeft <= 6 {
				if n < 32 {
					cache, n = r.refillFrom(cache, n)
				}
				e := runBeforeFast[(zerosLeft-1)&7] >> ((cache >> 61) * 8) // zerosLeft is 1..6 here
				run = int(e & 15)
				cache <<= e >> 4 & 15
				n -= int(e >> 4 & 15)
			} else {
				r.cache, r.n = cache, n
				run = r.vlc(runBeforeVLC[6])
				cache, n = r.cache, r.n
			}
			if run > zerosLeft {
				r.cache, r.n = cache, n
				r.over = true
				return 0
			}
			zerosLeft -= run
		}
		pos -= 1 + run
	}
	r.cache, r.n = cache, n
	return total
}

// levelCodeTab gives levelCode (before the trailing-ones adjustment) and the
// bit count of level_prefix, its terminating 1 and level_suffix when they
// fit in the next 8 bits (§9.2.2.1, level_prefix < 14 so that
// levelSuffixSize is suffixLength): [suffixLength][next 8 bits]. len 0:
// decode the long way.
var levelCodeTab [7][256]struct {
	code int16
	len  uint8
}

// levelFast is levelCodeTab carried through to the end of one level
// (§9.2.2.1): [adj][suffixLength][next 8 bits] gives levelVal, the bit count
// and the suffixLength for the next level, where adj is 1 for the first
// level after fewer than 3 trailing ones (levelCode += 2). len 0: decode the
// long way. suffixLength is at most 6; index 7 is unused. An entry is one
// word (one load): levelVal in bits 16..31 (signed), the next suffixLength
// in bits 8..15 and the bit count in bits 0..7.
var levelFast [2][8][256]uint32

func init() {
	for s := 0; s < 7; s++ {
		for i := 1; i < 256; i++ {
			prefix := bits.LeadingZeros8(uint8(i))
			n := prefix + 1 + s
			if n > 8 {
				continue
			}
			suffix := (i >> uint(8-n)) & (1<<uint(s) - 1)
			levelCodeTab[s][i].code = int16(prefix<<uint(s) + suffix)
			levelCodeTab[s][i].len = uint8(n)
		}
	}
	for adj := 0; adj < 2; adj++ {
		for s := 0; s < 7; s++ {
			for i, e := range levelCodeTab[s] {
				if e.len == 0 {
					continue
				}
				levelCode := int32(e.code) + int32(2*adj)
				var lv int32
				if levelCode&1 == 0 {
					lv = (levelCode + 2) >> 1
				} else {
					lv = (-levelCode - 1) >> 1
				}
				next := max(s, 1)
				if a := max(lv, -lv); a > 3<<uint(next-1) && next < 6 {
					next++
				}
				levelFast[adj][s][i] = uint32(lv)<<16 | uint32(next)<<8 | uint32(e.len)
			}
		}
	}
}
