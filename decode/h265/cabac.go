package h265

import "encoding/binary"

// Context variable indices for I slices (§9.3.2.2, Tables 9-5 to 9-37).
const (
	ctxSaoMerge         = 0
	ctxSaoTypeIdx       = 1
	ctxSplitCU          = 2  // 3
	ctxTransquantBypass = 5  // 1
	ctxPartMode         = 6  // 1
	ctxPrevIntraLuma    = 7  // 1
	ctxIntraChroma      = 8  // 1
	ctxSplitTransform   = 9  // 3
	ctxCbfLuma          = 12 // 2
	ctxCbfChroma        = 14 // 5
	ctxTransformSkip    = 19 // 2
	ctxLastX            = 21 // 18
	ctxLastY            = 39 // 18
	ctxCodedSubBlock    = 57 // 4
	ctxSigCoeff         = 61 // 44
	ctxGreater1         = 105
	ctxGreater2         = 129
	ctxCuQPDelta        = 135 // 2
	numCtx              = 137
)

// initValueI holds initValue for initType 0 (the only one an I slice uses),
// in the order of the ctx constants above (Tables 9-5 to 9-37).
var initValueI = [numCtx]uint8{
	153,           // sao_merge
	200,           // sao_type_idx
	139, 141, 157, // split_cu_flag
	154,           // cu_transquant_bypass_flag
	184,           // part_mode
	184,           // prev_intra_luma_pred_flag
	63,            // intra_chroma_pred_mode
	153, 138, 138, // split_transform_flag
	111, 141, // cbf_luma
	94, 138, 182, 154, 154, // cbf_cb, cbf_cr
	139, 139, // transform_skip_flag
	110, 110, 124, 125, 140, 153, 125, 127, 140, 109, 111, 143, 127, 111, 79, 108, 123, 63, // last_x_prefix
	110, 110, 124, 125, 140, 153, 125, 127, 140, 109, 111, 143, 127, 111, 79, 108, 123, 63, // last_y_prefix
	91, 171, 134, 141, // coded_sub_block_flag
	111, 111, 125, 110, 110, 94, 124, 108, 124, 107, 125, 141, 179, 153, 125, 107, 125, 141, 179, 153, 125, 107, 125, 141, 179, 153, 125, 140, 139, 182, 182, 152, 136, 152, 136, 153, 136, 139, 111, 136, 139, 111, 141, 111, // sig_coeff_flag
	140, 92, 137, 138, 140, 152, 138, 139, 153, 74, 149, 92, 139, 107, 122, 152, 140, 179, 166, 182, 140, 227, 122, 197, // greater1
	138, 153, 136, 167, 152, 152, // greater2
	154, 154, // cu_qp_delta_abs
}

// rangeTabLps is Table 9-52, indexed [pStateIdx][qRangeIdx].
var rangeTabLps = [64][4]uint8{
	{128, 176, 208, 240}, {128, 167, 197, 227}, {128, 158, 187, 216}, {123, 150, 178, 205},
	{116, 142, 169, 195}, {111, 135, 160, 185}, {105, 128, 152, 175}, {100, 122, 144, 166},
	{95, 116, 137, 158}, {90, 110, 130, 150}, {85, 104, 123, 142}, {81, 99, 117, 135},
	{77, 94, 111, 128}, {73, 89, 105, 122}, {69, 85, 100, 116}, {66, 80, 95, 110},
	{62, 76, 90, 104}, {59, 72, 86, 99}, {56, 69, 81, 94}, {53, 65, 77, 89},
	{51, 62, 73, 85}, {48, 59, 69, 80}, {46, 56, 66, 76}, {43, 53, 63, 72},
	{41, 50, 59, 69}, {39, 48, 56, 65}, {37, 45, 54, 62}, {35, 43, 51, 59},
	{33, 41, 48, 56}, {32, 39, 46, 53}, {30, 37, 43, 50}, {29, 35, 41, 48},
	{27, 33, 39, 45}, {26, 31, 37, 43}, {24, 30, 35, 41}, {23, 28, 33, 39},
	{22, 27, 32, 37}, {21, 26, 30, 35}, {20, 24, 29, 33}, {19, 23, 27, 31},
	{18, 22, 26, 30}, {17, 21, 25, 28}, {16, 20, 23, 27}, {15, 19, 22, 25},
	{14, 18, 21, 24}, {14, 17, 20, 23}, {13, 16, 19, 22}, {12, 15, 18, 21},
	{12, 14, 17, 20}, {11, 14, 16, 19}, {11, 13, 15, 18}, {10, 12, 15, 17},
	{10, 12, 14, 16}, {9, 11, 13, 15}, {9, 11, 12, 14}, {8, 10, 12, 14},
	{8, 9, 11, 13}, {7, 9, 11, 12}, {7, 9, 10, 12}, {7, 8, 10, 11},
	{6, 8, 9, 11}, {6, 7, 9, 10}, {6, 7, 8, 9}, {2, 2, 2, 2},
}

// transIdxLps is Table 9-53 (transIdxMps is pStateIdx+1 capped at 62).
var transIdxLps = [64]uint8{
	0, 0, 1, 2, 2, 4, 4, 5, 6, 7, 8, 9, 9, 11, 11, 12,
	13, 13, 15, 15, 16, 16, 18, 18, 19, 19, 21, 21, 22, 22, 23, 24,
	24, 25, 26, 26, 27, 27, 28, 29, 29, 30, 30, 30, 31, 32, 32, 33,
	33, 33, 34, 34, 35, 35, 35, 36, 36, 36, 37, 37, 37, 38, 38, 63,
}

// A context is stored as pStateIdx<<1 | valMps. The tables below give the
// next context after an MPS or an LPS and the LPS ranges by qRangeIdx.
// They have 256 entries so that indexing by a uint8 context needs no
// bounds check; contexts are always below 128, entries 128..255 unused.
var (
	nextMps [256]uint8
	nextLps [256]uint8
	lps4    [256][4]uint8 // [ctx][qRangeIdx]
)

// renormRng[r] and renormShift[r] are codIRange r < 256 doubled until it
// reaches 256 and the number of doublings: RenormD (§9.3.4.3.3) after an
// LPS, whose range is rangeTabLps (6..240).
var (
	renormRng   [256]uint16
	renormShift [256]uint8
)

func init() {
	for s := 0; s < 64; s++ {
		for m := 0; m < 2; m++ {
			c := s<<1 | m
			n := s + 1
			if s >= 62 {
				n = s
			}
			nextMps[c] = uint8(n<<1 | m)
			mm := m
			if s == 0 {
				mm = 1 - m
			}
			nextLps[c] = uint8(int(transIdxLps[s])<<1 | mm)
			for q := 0; q < 4; q++ {
				lps4[c][q] = rangeTabLps[s][q]
			}
		}
	}
}

// contexts holds the context variables, indexed by the ctx constants above.
// It has 256 entries so that indexing it by a uint8 needs no bounds check;
// entries numCtx..255 are unused.
type contexts [256]uint8

func init() {
	for r := 1; r < 256; r++ {
		v, n := r, 0
		for v < 256 {
			v <<= 1
			n++
		}
		renormRng[r], renormShift[r] = uint16(v), uint8(n)
	}
}

// initContexts implements §9.3.2.2 for SliceQpY qp.
func initContexts(ctx *contexts, qp int) {
	if qp < 0 {
		qp = 0
	} else if qp > 51 {
		qp = 51
	}
	for i, v := range initValueI {
		m := int(v>>4)*5 - 45
		n := int(v&15)<<3 - 16
		pre := (m*qp)>>4 + n
		if pre < 1 {
			pre = 1
		} else if pre > 126 {
			pre = 126
		}
		if pre <= 63 {
			ctx[i] = uint8((63 - pre) << 1)
		} else {
			ctx[i] = uint8((pre-64)<<1 | 1)
		}
	}
}

// cabac is the arithmetic decoding engine (§9.3.4.3). The 9-bit ivlOffset
// is kept as val >> nb; the nb bits below it are read ahead. Reading past
// the end of the data feeds zero bits; consumed() then exceeds the data
// length, which the slice decoder reports as an error once per CTU.
type cabac struct {
	b   []byte
	pos int // next byte to load (may exceed len(b))
	val uint64
	nb  int
	rng uint32
	bad bool // the initial offset was invalid

	// ctx holds the context variables; sigPos is sigFlags' output. Both
	// live here so that the hot loops address them from c, without
	// registers of their own.
	ctx    contexts
	sigPos [16]int8
}

// start implements §9.3.2.5 at byte offset pos of b.
func (c *cabac) start(b []byte, pos int) {
	c.b = b
	c.pos = pos
	c.val = 0
	c.nb = -9
	c.rng = 510
	c.refill()
	// §9.3.2.5: a conforming bitstream never starts with ivlOffset 510 or
	// 511; hostile data that does would break the engine's invariant
	// offset < range, so it is reported as an overrun.
	c.bad = c.val>>uint(c.nb) >= 510
}

// refill reads ahead until more than 47 bits are buffered.
//
//go:noinline
func (c *cabac) refill() {
	// Fast path: the k bytes needed from one big-endian 8-byte load (k < 8
	// keeps the shifts below 64; val holds nb+9 < 64-8k bits).
	if k := (55 - c.nb) >> 3; k < 8 && c.pos >= 0 && c.pos+8 <= len(c.b) {
		w := binary.BigEndian.Uint64(c.b[c.pos:])
		c.val = c.val<<uint(8*k) | w>>uint(64-8*k)
		c.pos += k
		c.nb += 8 * k
		return
	}
	for c.nb <= 47 {
		var x byte
		if c.pos < len(c.b) {
			x = c.b[c.pos]
		}
		c.pos++
		c.val = c.val<<8 | uint64(x)
		c.nb += 8
	}
}

// consumed returns the number of bits the engine has read from b (9 at
// start plus one per renormalisation shift), counted from b[0].
func (c *cabac) consumed() int { return c.pos*8 - c.nb }

// overrun reports whether the engine read past the end of its data.
func (c *cabac) overrun() bool { return c.bad || c.consumed() > len(c.b)*8 }

// alignedEnd returns the byte offset after the bits consumed so far, which
// is where PCM samples or the next substream start after a terminating bin
// equal to 1 (§9.3.4.3.5).
func (c *cabac) alignedEnd() int { return (c.consumed() + 7) >> 3 }

// decodeBin implements DecodeDecision (§9.3.4.3.2) with RenormD
// (§9.3.4.3.3): after an MPS codIRange is at least 128, so one doubling at
// most; after an LPS it is rangeTabLps, renormalised by table.
func (c *cabac) decodeBin(ctx *uint8) int {
	val, nb, rng := c.val, c.nb, c.rng
	s := *ctx
	lps := uint32(lps4[s][rng>>6&3])
	rng -= lps
	scaled := uint64(rng) << (uint(nb) & 63)
	bin := int(s & 1)
	if val < scaled {
		*ctx = nextMps[s]
		sh := 1 - rng>>8
		rng += rng & -sh
		nb -= int(sh)
	} else {
		val -= scaled
		bin ^= 1
		*ctx = nextLps[s]
		rng = uint32(renormRng[lps])
		nb -= int(renormShift[lps])
	}
	c.val, c.nb, c.rng = val, nb, rng
	if nb < 8 {
		c.refill()
	}
	return bin
}

// decodeBypass implements DecodeBypass (§9.3.4.3.4).
func (c *cabac) decodeBypass() int {
	c.nb--
	scaled := uint64(c.rng) << (uint(c.nb) & 63)
	bin := 0
	if c.val >= scaled {
		c.val -= scaled
		bin = 1
	}
	if c.nb < 8 {
		c.refill()
	}
	return bin
}

// decodeBypassBits decodes n ≤ 32 bypass bins as a fixed-length value.
// k bins at once are the k-bit quotient of the offset extended by the next
// k bits and the range: the same long division DecodeBypass performs bit by
// bit (§9.3.4.3.4).
func (c *cabac) decodeBypassBits(n int) int {
	v := 0
	for n > 0 {
		k := n
		if k > 16 {
			k = 16
		}
		if c.nb < k+8 {
			c.refill()
		}
		c.nb -= k
		scaled := uint64(c.rng) << uint(c.nb)
		q := c.val / scaled
		if q >= 1<<uint(k) { // only after an invalid start (c.bad)
			q = 1<<uint(k) - 1
		}
		c.val -= q * scaled
		v = v<<uint(k) | int(q)
		n -= k
	}
	return v
}

// decodeTerminate implements DecodeTerminate (§9.3.4.3.5).
func (c *cabac) decodeTerminate() int {
	c.rng -= 2
	scaled := uint64(c.rng) << uint(c.nb)
	if c.val >= scaled {
		return 1
	}
	if c.rng < 256 {
		c.rng <<= 1
		c.nb--
		if c.nb < 8 {
			c.refill()
		}
	}
	return 0
}
