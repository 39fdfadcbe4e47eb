package h264

import (
	"encoding/binary"
	"math/bits"
)

// This file is the CABAC arithmetic decoding engine of ITU-T H.264 (08/2021)
// §9.3.1.2 and §9.3.3.2 and the context initialisation of §9.3.1.1. The
// binarisations of the syntax elements are in cabac_se.go and
// residual_block_cabac (§7.3.5.3.3) is in cabac_residual.go.
//
// Engine representation. The standard keeps a 9-bit codIRange and a 9-bit
// codIOffset and reads one bit per renormalisation step. Here codIOffset
// lives in the top of a 64-bit window together with the next `bits` bits of
// the slice data that have been loaded but not yet read by the standard's
// read_bits(1):
//
//	value = codIOffset<<bits | (next bits of the stream, bits wide)
//
// so that comparing codIOffset with codIRange is comparing value with
// codIRange<<bits, and a renormalisation by n bits is only bits -= n (the
// window does not move). When bits drops below cabacMinLookahead the window
// is refilled with six bytes at once. Every decision, bypass and terminate
// renormalises by at most 6 bits, so the window never runs dry inside one
// bin, and the per-bin work has no bounds-checked byte read.
//
// Data past the end of the slice reads as zero bits. Consuming such bits
// (codIOffset containing padding) sets the sticky c.err; it is detected at
// the next refill and at every terminating bin (end_of_slice_flag, once per
// macroblock).

// cabacMinLookahead is the least number of look-ahead bits the window holds
// before any bin is decoded; a bin consumes at most 6 (an LPS with
// codIRange 6 renormalises by 6, Table 9-44).
const cabacMinLookahead = 8

// cabac is the arithmetic decoding engine and its 1024 context variables.
type cabac struct {
	err error // sticky: set when the slice data ran out or was invalid

	value uint64 // codIOffset<<bits | look-ahead bits (see the file comment)
	rng   uint32 // codIRange, 256..510 between bins
	bits  uint   // look-ahead bits below codIOffset in value

	data  []byte
	pos   int  // next byte of data to load into value
	begin int  // first byte of the arithmetic-coded data (start's pos argument)
	pad   uint // zero bits loaded past the end of data

	// ctx holds the context variables by ctxIdx (§9.3.1.1) as
	// pStateIdx<<1 | valMPS. ctxIdx 276 (end_of_slice_flag) is not used:
	// DecodeTerminate has no context variable.
	ctx [1024]uint8
}

// start initialises the arithmetic decoding engine (§9.3.1.2) on slice data
// data[pos:] (pos is the first byte after cabac_alignment_one_bit).
//
// codIRange is set to 510 and codIOffset to the first 9 bits. A codIOffset
// of 510 or 511 is forbidden by §9.3.1.2; it sets c.err.
func (c *cabac) start(data []byte, pos int) {
	if pos < 0 || pos > len(data) {
		pos = len(data)
		c.setErr(errCABACStart)
	}
	c.data = data
	c.begin = pos
	c.pos = pos
	c.pad = 0
	c.rng = 510
	if pos+8 <= len(data) {
		c.value = binary.BigEndian.Uint64(data[pos:])
		c.pos = pos + 8
	} else {
		var v uint64
		for i := 0; i < 8; i++ {
			v <<= 8
			if c.pos < len(data) {
				v |= uint64(data[c.pos])
				c.pos++
			} else {
				c.pad += 8
			}
		}
		c.value = v
	}
	c.bits = 64 - 9
	if c.value>>c.bits >= 510 {
		c.setErr(errCABACOffset)
		c.value = 0 // keep codIOffset < codIRange so the engine stays sane
	}
}

// refill loads up to six more bytes into the window. It is called when
// bits < cabacMinLookahead, so value < 2^(9+7) and shifting by 48 cannot
// overflow.
func (c *cabac) refill() {
	if c.pad > c.bits && c.err == nil {
		// codIOffset already holds bits that lie past the end of the data.
		c.err = errCABACOverrun
	}
	if p := c.pos; p+8 <= len(c.data) {
		c.value = c.value<<48 | binary.BigEndian.Uint64(c.data[p:])>>16
		c.pos = p + 6
		c.bits += 48
		return
	}
	c.refillSlow()
}

// refillSlow is refill near the end of the data: missing bytes read as zero.
func (c *cabac) refillSlow() {
	for i := 0; i < 6; i++ {
		c.value <<= 8
		if c.pos < len(c.data) {
			c.value |= uint64(c.data[c.pos])
			c.pos++
		} else if c.pad < 1<<20 {
			c.pad += 8
		}
	}
	c.bits += 48
}

func (c *cabac) setErr(err error) {
	if c.err == nil {
		c.err = err
	}
}

// decision is DecodeDecision (§9.3.3.2.1) with the context variable *s:
// codIRange is split by rangeTabLPS (Table 9-44), the state moves by
// transIdxMPS/transIdxLPS (Table 9-45, with the valMPS switch at
// pStateIdx 0) and RenormD (§9.3.3.2.2) shifts the window.
func (c *cabac) decision(s *uint8) uint {
	st := *s
	lps := uint32(cabacLPSRange[st&127][(c.rng>>6)&3])
	rng := c.rng - lps
	scaled := uint64(rng) << (c.bits & 63)
	if c.value < scaled {
		*s = cabacNextMPS[st&127]
		if rng < 256 {
			rng <<= 1
			c.bits--
			if c.bits < cabacMinLookahead {
				c.refill()
			}
		}
		c.rng = rng
		return uint(st & 1)
	}
	c.value -= scaled
	*s = cabacNextLPS[st&127]
	n := uint(bits.LeadingZeros32(lps) - 23) // lps < 256: shift until >= 256
	c.rng = lps << n
	c.bits -= n
	if c.bits < cabacMinLookahead {
		c.refill()
	}
	return uint(st&1) ^ 1
}

// bypass is DecodeBypass (§9.3.3.2.3): codIOffset takes one more bit and is
// compared with the unchanged codIRange.
func (c *cabac) bypass() uint {
	c.bits--
	scaled := uint64(c.rng) << (c.bits & 63)
	var b uint
	if c.value >= scaled {
		c.value -= scaled
		b = 1
	}
	if c.bits < cabacMinLookahead {
		c.refill()
	}
	return b
}

// decodeTerminate decodes a bin with ctxIdx 276 (end_of_slice_flag, and the
// I_PCM bin of mb_type) by DecodeTerminate (§9.3.3.2.2.3). When it returns
// true nothing is renormalised: the last bit read is the rbsp_stop_one_bit
// (end of slice) or the bit before pcm_alignment_zero_bit (I_PCM).
func (c *cabac) decodeTerminate() bool {
	if c.pad > c.bits {
		// codIOffset holds bits past the end of the data. Checked here,
		// once per macroblock, as well as at every refill.
		c.setErr(errCABACOverrun)
	}
	c.rng -= 2
	scaled := uint64(c.rng) << (c.bits & 63)
	if c.value >= scaled {
		return true
	}
	if c.rng < 256 {
		c.rng <<= 1
		c.bits--
		if c.bits < cabacMinLookahead {
			c.refill()
		}
	}
	return false
}

// pcmPos returns the byte position in data of the first pcm sample after an
// I_PCM mb_type (§9.3.1.2); after reading the samples the caller calls
// start(data, end) again.
//
// After DecodeTerminate returned 1 the standard's bitstream pointer is just
// past the last bit read into codIOffset; pcm_alignment_zero_bits then run to
// the next byte boundary (§7.3.5).
func (c *cabac) pcmPos() int {
	loaded := uint(c.pos-c.begin)*8 + c.pad // bits moved into the window
	read := loaded - c.bits                 // bits read by read_bits()
	p := c.begin + int((read+7)/8)
	if p > len(c.data) {
		c.setErr(errCABACOverrun)
		p = len(c.data)
	}
	return p
}

// initContexts initialises all context variables (§9.3.1.1) for SliceQPY;
// initIdc is cabac_init_idc, or -1 for I and SI slices.
//
// It is called once at the start of each slice (before start) and clears the
// sticky error of the previous slice; start does not, because it is also
// called after the samples of an I_PCM macroblock.
//
// For each ctxIdx, with (m, n) from Tables 9-12 to 9-33:
//
//	preCtxState = Clip3(1, 126, ((m * Clip3(0, 51, SliceQPY)) >> 4) + n)
//	preCtxState <= 63: pStateIdx = 63 - preCtxState, valMPS = 0
//	otherwise:         pStateIdx = preCtxState - 64, valMPS = 1
func (c *cabac) initContexts(sliceQPY, initIdc int) {
	c.err = nil
	if initIdc < -1 || initIdc > 2 {
		c.setErr(errCABACInitIdc)
		initIdc = -1
	}
	qp := min(max(sliceQPY, 0), 51)
	tab := &cabacInitMN[initIdc+1]
	for i := range c.ctx {
		m, n := int(tab[i][0]), int(tab[i][1])
		pre := min(max((m*qp)>>4+n, 1), 126)
		if pre <= 63 {
			c.ctx[i] = uint8(63-pre) << 1
		} else {
			c.ctx[i] = uint8(pre-64)<<1 | 1
		}
	}
}

// cabacLPSRange is rangeTabLPS (Table 9-44) indexed by the packed state
// pStateIdx<<1 | valMPS, so the decision needs no shift.
var cabacLPSRange [128][4]uint8

// cabacNextMPS and cabacNextLPS are the packed states after an MPS and an
// LPS bin: transIdxMPS and transIdxLPS of Table 9-45, and for an LPS at
// pStateIdx 0 valMPS = 1 - valMPS (§9.3.3.2.1.1).
var cabacNextMPS, cabacNextLPS [128]uint8

// transIdxLPS is Table 9-45 (transIdxMPS is min(pStateIdx+1, 62), with 63
// staying 63).
var transIdxLPS = [64]uint8{
	0, 0, 1, 2, 2, 4, 4, 5, 6, 7, 8, 9, 9, 11, 11, 12,
	13, 13, 15, 15, 16, 16, 18, 18, 19, 19, 21, 21, 22, 22, 23, 24,
	24, 25, 26, 26, 27, 27, 28, 29, 29, 30, 30, 30, 31, 32, 32, 33,
	33, 33, 34, 34, 35, 35, 35, 36, 36, 36, 37, 37, 37, 38, 38, 63,
}

func transIdxMPS(p uint8) uint8 {
	if p < 62 {
		return p + 1
	}
	return p
}

func init() {
	for s := 0; s < 128; s++ {
		p, mps := uint8(s>>1), uint8(s&1)
		cabacLPSRange[s] = rangeTabLPS[p]
		cabacNextMPS[s] = transIdxMPS(p)<<1 | mps
		lmps := mps
		if p == 0 {
			lmps = 1 - mps
		}
		cabacNextLPS[s] = transIdxLPS[p]<<1 | lmps
	}
}
