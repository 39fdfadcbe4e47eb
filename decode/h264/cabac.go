package h264

import "encoding/binary"

// This file is the CABAC arithmetic decoding engine of ITU-T H.264 (08/2021)
// §9.3.1.2 and §9.3.3.2 and the context initialisation of §9.3.1.1. The
// binarisations of the syntax elements are in cabac_se.go and
// residual_block_cabac (§7.3.5.3.3) is in cabac_residual.go.
//
// Engine representation. The standard keeps a 9-bit codIRange and a 9-bit
// codIOffset and reads one bit per renormalisation step. Here codIOffset
// sits at a fixed place in a 64-bit window, followed by the next `bits` bits
// of the slice data that have been loaded but not yet read by the
// standard's read_bits(1), then zeros:
//
//	value = codIOffset<<48 | (next bits of the stream)<<(48-bits)
//
// so that comparing codIOffset with codIRange is comparing value with
// codIRange<<48 (a constant shift), and a renormalisation by n bits is
// value <<= n, bits -= n. When bits drops below cabacMinLookahead the window
// is refilled with five bytes at once (bits <= 47 afterwards, value < 2^57).
// Every decision, bypass and terminate renormalises by at most 6 bits, so
// the window never runs dry inside one bin, and the per-bin work reads no
// byte.
//
// Data past the end of the slice reads as zero bits: the last bytes are
// also kept, followed by zeros, in a small tail array, so a refill never
// calls a function (a call in a hot loop makes Go spill every live
// register). Reading such bits (the standard's bitstream pointer passing the
// end of the data) sets the sticky c.err; it is checked at every terminating
// bin (end_of_slice_flag, once per macroblock), at the end of every
// residual block and in pcmPos.

// cabacMinLookahead is the least number of look-ahead bits the window holds
// before any bin is decoded; a bin consumes at most 6 (an LPS with
// codIRange 6 renormalises by 6, Table 9-44).
const cabacMinLookahead = 8

// cabacValueShift is the position of codIOffset in engine.value.
const cabacValueShift = 48

// engine is the state of the arithmetic decoding engine. It is a small value
// so that the hot loops (residualBlock) keep it in registers: they copy it to
// locals, decode bins with the body of decision/bypass written in place, and
// store it back.
type engine struct {
	value uint64 // codIOffset<<48 | look-ahead bits (see the file comment)
	rng   uint64 // codIRange, 256..510 between bins
	bits  uint64 // look-ahead bits below codIOffset in value, <= 47
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

	// ctx holds the context variables by ctxIdx (§9.3.1.1) as
	// pStateIdx<<1 | valMPS. ctxIdx 276 (end_of_slice_flag) is not used:
	// DecodeTerminate has no context variable.
	ctx [1024]uint8

	// field selects the significant_coeff_flag and
	// last_significant_coeff_flag contexts of field coded macroblocks
	// (field_pic_flag or mb_field_decoding_flag, Table 9-34); the caller
	// sets it. The decoder of this package decodes frames only and leaves
	// it false.
	field bool

	// Scratch of residualBlock (fields, so that they are not zeroed per
	// block): the scanning positions of the significant coefficients and
	// their levels.
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
	c.tailStart = max(pos, len(data)-8)
	n := copy(c.tail[:], data[c.tailStart:])
	clear(c.tail[n:])
	c.pos = pos + 7
	// The first 56 bits: codIOffset is the first 9 (§9.3.1.2), 47 follow.
	c.e = engine{value: c.word(pos) >> 8 << 1, rng: 510, bits: 56 - 9}
	if c.e.value>>cabacValueShift >= 510 {
		c.setErr(errCABACOffset)
		c.e.value = 0 // keep codIOffset < codIRange so the engine stays sane
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

// overrun reports whether the standard's bitstream pointer has passed the
// end of the data, with nb look-ahead bits in the window.
func (c *cabac) overrun(nb uint64) bool {
	return uint64(c.pos-c.begin)*8-nb > uint64(len(c.data)-c.begin)*8
}

// refill loads five more bytes into the window of e, below the bits < 8
// look-ahead bits it holds; afterwards bits <= 47. value stays below 2^57:
// bypass relies on value and codIRange<<48 being below 2^63.
func (c *cabac) refill(e engine) engine {
	e.value |= c.word(c.pos) >> 24 << (8 - e.bits&7)
	e.bits += 40
	c.pos += 5
	return e
}

func (c *cabac) setErr(err error) {
	if c.err == nil {
		c.err = err
	}
}

// decision is DecodeDecision (§9.3.3.2.1) with the context variable *s:
// codIRange is split by rangeTabLPS (Table 9-44), the state moves by
// transIdxMPS/transIdxLPS (Table 9-45, with the valMPS switch at
// pStateIdx 0) and RenormD (§9.3.3.2.2) shifts the window. After an MPS
// codIRange is at least 128 (rangeTabLPS is below half of codIRange), so
// RenormD shifts by at most one bit (done without a variable shift); after
// an LPS codIRange is rangeTabLPS, and cabacRenorm gives the shifted value
// and the shift. The residual loops
// (cabac_residual.go) hold this same code in place, on locals.
func (c *cabac) decision(s *uint8) uint {
	value, rng, nb := c.e.value, c.e.rng, c.e.bits
	st := uint64(*s)
	lps := uint64(cabacLPSRange[(st|rng&0xC0<<1)&511])
	rng -= lps
	scaled := rng << cabacValueShift
	if value < scaled { // MPS
		*s = cabacNext[st&127]
		sh := 1 - rng>>8 // 1 when codIRange < 256
		rng += rng & -sh
		value += value & -sh
		nb -= sh
	} else { // LPS
		value -= scaled
		*s = cabacNext[st&127|128]
		st ^= 1
		r := uint64(cabacRenorm[lps&511])
		rng = r & 511
		value <<= r >> 9 & 63
		nb -= r >> 9
	}
	if nb < cabacMinLookahead { // refill
		value |= c.word(c.pos) >> 24 << (8 - nb&7)
		nb += 40
		c.pos += 5
	}
	c.e = engine{value, rng, nb}
	return uint(st & 1)
}

// bypass is DecodeBypass (§9.3.3.2.3): codIOffset takes one more bit and is
// compared with the unchanged codIRange. The comparison is a mask (the bin
// is a sign or an Exp-Golomb bit, unpredictable): value and codIRange<<48
// are below 2^63 (see refill), so the sign of scaled-value-1 is
// codIOffset >= codIRange.
func (c *cabac) bypass() uint {
	e := c.e
	e.bits--
	e.value <<= 1
	scaled := e.rng << cabacValueShift
	m := uint64(int64(scaled-e.value-1) >> 63) // all ones for bin 1
	e.value -= scaled & m
	if e.bits < cabacMinLookahead {
		e = c.refill(e)
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
	if c.overrun(e.bits) {
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
		e.bits--
		if e.bits < cabacMinLookahead {
			e = c.refill(e)
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
	read := uint64(c.pos-c.begin)*8 - c.e.bits // bits read by read_bits()
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

// cabacLPSRange is rangeTabLPS (Table 9-44) indexed by
// qCodIRangeIdx<<7 | pStateIdx<<1 | valMPS, so that the index is
// (codIRange & 0xC0)<<1 | packed state.
var cabacLPSRange [512]uint8

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

// cabacRenorm is RenormD (§9.3.3.2.2) of codIRange r < 512 as a table:
// n<<9 | r<<n, where n is the count of doublings that bring r to 256 or more.
// After a decision codIRange is at least 6 (Table 9-44); entries below that
// are unused.
var cabacRenorm [512]uint16

func init() {
	for r := range cabacRenorm {
		n := 0
		for r > 0 && r<<n < 256 {
			n++
		}
		cabacRenorm[r] = uint16(n<<9 | r<<n)
	}
	for s := 0; s < 128; s++ {
		p, mps := uint8(s>>1), uint8(s&1)
		for q := 0; q < 4; q++ {
			cabacLPSRange[q<<7|s] = rangeTabLPS[p][q]
		}
		cabacNext[s] = transIdxMPS(p)<<1 | mps
		lmps := mps
		if p == 0 {
			lmps = 1 - mps
		}
		cabacNext[128+s] = transIdxLPS[p]<<1 | lmps
	}
}
