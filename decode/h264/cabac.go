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
// sits at a fixed place in a 64-bit window, followed by the next bits of the
// slice data that have been loaded but not yet read by the standard's
// read_bits(1) (the look-ahead), then a single marker bit 1, then zeros:
//
//	value = codIOffset<<53 | look-ahead<<(m+1) | 1<<m
//
// so that comparing codIOffset with codIRange is comparing value with
// codIRange<<53 (a constant shift), and a renormalisation by n bits is
// value <<= n: the marker moves up with the look-ahead, and the number of
// look-ahead bits is 52-m, m the marker's position (the count of trailing
// zeros). No bit counter is kept, which leaves the hot loops one more
// register.
//
// Between bins the marker is at bit 31 or below (uint32(value) != 0), so at
// least 21 look-ahead bits are loaded. A decision, bypass or terminate
// renormalises by at most 6 bits (an LPS with codIRange 6, Table 9-44), so
// up to three bins can be decoded before the window is checked. When
// uint32(value) == 0 the marker is at bit 32..47 and refill loads three more
// bytes below the look-ahead (from the marker's place down), with the
// marker below them (bit 8..23). The
// per-bin work reads no byte. value stays below 2^62 (bypass relies on value
// and codIRange<<53 being below 2^63 after its shift).
//
// Data past the end of the slice reads as zero bits: the last bytes are
// also kept, followed by zeros, in a small tail array, so a refill never
// calls a function (a call in a hot loop makes Go spill every live
// register). Reading such bits (the standard's bitstream pointer passing the
// end of the data) sets the sticky c.err; it is checked at every terminating
// bin (end_of_slice_flag, once per macroblock), at the end of every
// residual block and in pcmPos.

// cabacValueShift is the position of codIOffset in engine.value.
const cabacValueShift = 53

// engine is the state of the arithmetic decoding engine. It is a small value
// so that the hot loops (residual) keep it in registers: they copy it to
// locals, decode bins with the body of decision/bypass written in place, and
// store it back.
type engine struct {
	value uint64 // codIOffset<<53 | look-ahead bits | marker (see the file comment)
	rng   uint64 // codIRange, 256..510 between bins
}

// cabac is the arithmetic decoding engine and its 1024 context variables.
type cabac struct {
	err error // sticky: set when the slice data ran out or was invalid

	e engine

	data      []byte
	pos       int      // next byte of data to load into the window (may pass len(data))
	begin     int      // first byte of the arithmetic-coded data (start's pos argument)
	tailStart int      // data[tailStart:] is copied to tail
	tail      [32]byte // the last (up to 8) bytes of data, then zeros
	overLimit uint64   // len(data)*8 + 52 (see overrun)

	// ctx holds the context variables by ctxIdx (§9.3.1.1) as
	// pStateIdx<<1 | valMPS. ctxIdx 276 (end_of_slice_flag) is not used:
	// DecodeTerminate has no context variable.
	ctx [1024]uint8

	// field selects the significant_coeff_flag and
	// last_significant_coeff_flag contexts of field coded macroblocks
	// (field_pic_flag or mb_field_decoding_flag, Table 9-34); the caller
	// sets it before start. The decoder of this package decodes frames
	// only and leaves it false.
	field bool

	// sigLast is sigLastCtx[field], set by start.
	sigLast *[14][64][2]uint16

	// Output of residual (fields of c, so that the hot loops address them
	// from c without a register of their own, and they are not zeroed per
	// block): the levelListIdx of the significant coefficients, ascending,
	// and their levels. The CAVLC decoder writes the same arrays.
	sigPos  [64]uint8
	sigVals [64]int32

	rec *[]cabacCall // when not nil, calls are recorded (cabac_trace.go)
}

// start initialises the arithmetic decoding engine (§9.3.1.2) on slice data
// data[pos:] (pos is the first byte after cabac_alignment_one_bit).
//
// codIRange is set to 510 and codIOffset to the first 9 bits. A codIOffset
// of 510 or 511 is forbidden by §9.3.1.2; it sets c.err.
func (c *cabac) start(data []byte, pos int) {
	if c.rec != nil {
		// A copy: decoders reuse their RBSP buffers.
		*c.rec = append(*c.rec, cabacCall{op: opStart, a: int32(pos), data: append([]byte(nil), data...)})
	}
	if pos < 0 || pos > len(data) {
		pos = len(data)
		c.setErr(errCABACStart)
	}
	c.data = data
	c.begin = pos
	c.overLimit = uint64(len(data))*8 + 52
	c.sigLast = &sigLastCtx[b2i(c.field)]
	c.tailStart = max(pos, len(data)-8)
	n := copy(c.tail[:], data[c.tailStart:])
	clear(c.tail[n:])
	c.pos = pos + 6
	// The first 48 bits: codIOffset is the first 9 (§9.3.1.2), 39 follow,
	// then the marker at bit 13.
	c.e = engine{value: c.word(pos)>>16<<14 | 1<<13, rng: 510}
	if c.e.value>>cabacValueShift >= 510 {
		c.setErr(errCABACOffset)
		c.e.value = 1 << 13 // keep codIOffset < codIRange so the engine stays sane
	}
}

// word returns the 8 bytes of data at p, big-endian, with zeros past the
// end. p is at least c.begin.
func (c *cabac) word(p int) uint64 {
	d := c.data
	if uint(p+8) > uint(len(d)) {
		d = c.tail[:]
		p = min(max(p-c.tailStart, 0), 24)
	}
	return binary.BigEndian.Uint64(d[p:])
}

// lookahead returns the count of look-ahead bits in value (52 minus the
// marker's position).
func lookahead(value uint64) uint64 {
	return 52 - uint64(bits.TrailingZeros64(value))
}

// overrun reports whether the standard's bitstream pointer has passed the
// end of the data, with the window value: whether the bits read,
// (pos-begin)*8 - lookahead(value), exceed (len(data)-begin)*8, that is
// pos*8 + TrailingZeros64(value) > len(data)*8 + 52.
func (c *cabac) overrun(value uint64) bool {
	return uint64(c.pos)*8+uint64(bits.TrailingZeros64(value)) > c.overLimit
}

// refillValue loads three more bytes into the window value, whose marker is
// at bit m, 32..47 (uint32(value) == 0): the bytes go just below the
// look-ahead, at bits m-23..m, and the new marker at bit m-24. The hot loops hold this same
// code in place.
func (c *cabac) refillValue(value uint64) uint64 {
	lsb := value & -value // the marker, 1<<m
	value = value ^ lsb | (c.word(c.pos)>>40<<1|1)*(lsb>>24)
	c.pos += 3
	return value
}

func (c *cabac) setErr(err error) {
	if c.err == nil {
		c.err = err
	}
}

// decision is DecodeDecision (§9.3.3.2.1) with the context variable *s:
// codIRange is split by rangeTabLPS (Table 9-44), the state moves by
// transIdxMPS/transIdxLPS (Table 9-45, with the valMPS switch at
// pStateIdx 0) and RenormD (§9.3.3.2.2) shifts the window. codIRange is
// held scaled (rs = codIRange << 53) while the bin is decoded, so that it is
// compared with value directly and its LPS range comes from cabacLPSS.
// After an MPS codIRange is at least 128 (rangeTabLPS is below half of
// codIRange), so RenormD shifts by at most one bit, rs>>61 ^ 1; after an
// LPS codIRange is rangeTabLPS, and cabacLPSShift gives the shift. The
// residual loops (cabac_residual.go) hold this same code in place, on
// locals.
func (c *cabac) decision(s *uint8) uint {
	value, rs := c.e.value, c.e.rng<<cabacValueShift // codIRange scaled as in sigMap4
	st := *s
	lps := cabacLPSS[lpsIdx(rs, st)]
	rs -= lps
	if value < rs { // MPS
		*s = cabacNext[st]
		sh := (rs>>61 ^ 1) & 63 // 1 when codIRange < 256
		rs <<= sh
		value <<= sh
	} else { // LPS
		value -= rs
		*s = cabacNextLPS[st]
		st ^= 1
		sh := uint64(cabacLPSShift[uint8(lps>>cabacValueShift)]) & 63
		rs = lps << sh
		value <<= sh
	}
	if uint32(value) == 0 {
		value = c.refillValue(value)
	}
	c.e = engine{value, rs >> cabacValueShift}
	return uint(st & 1)
}

// bypass is DecodeBypass (§9.3.3.2.3): codIOffset takes one more bit and is
// compared with the unchanged codIRange. The comparison is a mask (the bin
// is a sign or an Exp-Golomb bit, unpredictable): value and codIRange<<53
// are below 2^63 (see the file comment), so the sign of scaled-value-1 is
// codIOffset >= codIRange.
func (c *cabac) bypass() uint {
	e := c.e
	e.value <<= 1
	scaled := e.rng << cabacValueShift
	m := uint64(int64(scaled-e.value-1) >> 63) // all ones for bin 1
	e.value -= scaled & m
	if uint32(e.value) == 0 {
		e.value = c.refillValue(e.value)
	}
	c.e = e
	return uint(m & 1)
}

// decodeTerminate decodes a bin with ctxIdx 276 (end_of_slice_flag, and the
// I_PCM bin of mb_type) by DecodeTerminate (§9.3.3.2.2.3). When it returns
// true nothing is renormalised: the last bit read is the rbsp_stop_one_bit
// (end of slice) or the bit before pcm_alignment_zero_bit (I_PCM).
func (c *cabac) decodeTerminate() bool {
	if c.rec != nil {
		c.record(opTerminate, 0, 0, 0, 0)
	}
	return c.terminate()
}

// terminate is decodeTerminate without the recording (mbTypeI calls it).
func (c *cabac) terminate() bool {
	e := c.e
	if c.overrun(e.value) {
		// Checked here, once per macroblock.
		c.setErr(errCABACOverrun)
	}
	e.rng -= 2
	scaled := e.rng << cabacValueShift
	if e.value >= scaled {
		c.e = e
		return true
	}
	if e.rng < 256 {
		e.rng <<= 1
		e.value <<= 1
		if uint32(e.value) == 0 {
			e.value = c.refillValue(e.value)
		}
	}
	c.e = e
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
	if c.rec != nil {
		c.record(opPCMPos, 0, 0, 0, 0)
	}
	read := uint64(c.pos-c.begin)*8 - lookahead(c.e.value) // bits read by read_bits()
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
	if c.rec != nil {
		c.record(opInitContexts, sliceQPY, initIdc, 0, 0)
	}
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

// cabacLPSS is rangeTabLPS shifted to the place of codIRange in the window
// (<< cabacValueShift), for loops that keep codIRange scaled (rs =
// codIRange << 53): the entry of packed state st and qCodIRangeIdx q is at
// q<<8 | st, so that its index is rs>>51&0x300 | st (lpsIdx). Entries of
// st 128..255 are unused.
var cabacLPSS [1024]uint64

// lpsIdx is the index in cabacLPSS of the LPS range for the scaled
// codIRange rs and the packed state st.
func lpsIdx(rs uint64, st uint8) uint64 {
	return rs>>51&0x300 | uint64(st)
}

// cabacNextLPS is cabacNext[128+state]: the packed state after an LPS
// (entries 128..255 unused).
var cabacNextLPS [256]uint8

// cabacNext is the packed state after a bin: index state for an MPS and
// 128+state for an LPS. transIdxMPS and transIdxLPS of Table 9-45, and for
// an LPS at pStateIdx 0 valMPS = 1 - valMPS (§9.3.3.2.1.1).
var cabacNext [256]uint8

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

// cabacLPSShift is the shift of RenormD (§9.3.3.2.2) after an LPS, by
// codIRange = rangeTabLPS (6..240): the count of doublings that bring it to
// 256 or more (entries below 6 are unused).
var cabacLPSShift [256]uint8

func init() {
	for r := range cabacLPSShift {
		n := 0
		for r > 0 && r<<n < 256 {
			n++
		}
		cabacLPSShift[r] = uint8(n)
	}
	for s := 0; s < 128; s++ {
		p, mps := uint8(s>>1), uint8(s&1)
		for q := 0; q < 4; q++ {
			cabacLPSS[q<<8|s] = uint64(rangeTabLPS[p][q]) << cabacValueShift
		}
		cabacNext[s] = transIdxMPS(p)<<1 | mps
		lmps := mps
		if p == 0 {
			lmps = 1 - mps
		}
		cabacNext[128+s] = transIdxLPS[p]<<1 | lmps
		cabacNextLPS[s] = cabacNext[128+s]
	}
}
