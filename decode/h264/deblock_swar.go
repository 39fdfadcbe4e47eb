package h264

// The deblocking filter (§8.7) for the common case, four lines at a time:
// 8-bit luma and 4:2:0 (or no) chroma, every macroblock intra (bS 4 on
// macroblock edges, 3 inside, §8.7.2.1) and no lossless macroblock. The
// sample filters of §8.7.2.3/§8.7.2.4 run on uint64 words that hold four
// samples in 16-bit lanes ("SWAR"): lane i of every word is line i of the
// edge. A horizontal edge's lines are columns, which lie side by side in
// memory, so a word is one 64-bit load of four neighbouring samples (the
// compiler merges the four uint16 loads that deblock_gen.go writes out into
// one). A vertical edge's lines are rows: four rows of a 4x4 block are
// loaded as four words and transposed (two rounds of swaps of 16-bit and
// 32-bit halves, tr4 in deblock_gen.go), filtered, transposed back and
// stored.
// Per macroblock the edges come in the order of §8.7 (luma vertical, luma
// horizontal, Cb, Cr), each edge left to right or top to bottom.
//
// Lane arithmetic. Samples are 0..255; every intermediate value of the
// filters is kept in 0..0x7fff by adding a bias before a subtraction, so no
// lane ever borrows from or carries into its neighbour, and a right shift
// of the word is followed by a mask that clears the bits shifted in from
// the lane above, unless only the low byte of the result is used (a select
// with a byte mask, dbkExpand8). A comparison leaves its result in bit 15
// of each lane (dbkLT); b<<1 - b>>15 turns those bits b into whole-lane
// masks for selects (three instructions: LEA, SHR, SUB), dbkExpand8 into
// masks of the low byte. The lane-wise min and max of a clamp are such
// selects, written out by deblock_gen.go.
//
// The results are those of dbkLumaV/dbkLumaH16/dbkChromaV/dbkChromaH8 in
// deblock_uniform.go (TestDeblockSWARMatchesGeneric checks this on random
// pictures); the rest of deblock.go handles every other case.
//
// The edge functions (dbkSWLuma*, dbkSWChroma*) are in deblock_swar_gen.go,
// which deblock_gen.go writes.

//go:generate go run deblock_gen.go

const (
	swL   = 0x0001_0001_0001_0001 // 1 in each lane
	swH   = 0x8000 * swL          // bit 15 of each lane
	swM14 = 0x3fff * swL          // lane mask after >> 2
	swM13 = 0x1fff * swL          // after >> 3
	swFF  = 0x00ff * swL
)

// dbkZip is the first round of a transposition (see tr4 in deblock_gen.go)
// for two words: it returns a0 b0 a2 b2 and a1 b1 a3 b3 (lanes low to
// high), which hold in their low and high halves the pairs (a[i], b[i]) of
// lines 0, 2 and 1, 3. For a vertical edge whose filter changes only p0 and
// q0 this replaces the transposition back.
func dbkZip(a, b uint64) (uint64, uint64) {
	t := (a>>16 ^ b) & 0x0000_ffff_0000_ffff
	return a ^ t<<16, b ^ t
}

// dbkLT has bit 15 of a lane set when |a - b| < t, where c holds
// 0x7fff + t in every lane (t <= 255, a and b <= 255): b + 0x7fff + t - a
// reaches 0x8000 exactly when a - b <= t - 1, and the same the other way.
// The other bits are not meaningful.
func dbkLT(a, b, c uint64) uint64 {
	return (b + c - a) & (a + c - b)
}

// dbkExpand8 turns bit 15 of each lane (other bits clear) into a mask of
// the lane's low byte. A select x ^ (x^y)&m with such a mask takes the low
// byte of y where m is set and leaves x elsewhere: when x is a sample (bits
// 8..15 clear) and the low byte of y is the wanted sample, the result is
// clean whatever y holds above bit 7, so y needs no mask after a shift.
func dbkExpand8(b uint64) uint64 {
	b >>= 15
	return b<<8 - b
}

// dbkClip255 is Clip1 for 8 bits of lanes e holding x + 256 with x in
// -256..511: 0 below 256 (bit 8 and 9 clear), 255 from 512 (bit 9), else
// the low byte.
func dbkClip255(e uint64) uint64 {
	b8, b9 := e>>8&swL, e>>9&swL
	return (e&swFF | b9*0xff) & ((b8 | b9) * 0xff)
}

// dbkSW is the filter parameters of one qPav, in lanes (§8.7.2.2).
// Its size is 64 bytes, so that indexing a table of them is a shift.
type dbkSW struct {
	ca, cb, cs uint64 // 0x7fff + alpha, beta, (alpha>>2)+2, for dbkLT
	lo0, hi0   uint64 // 512 -/+ tC0 (of bS 3, Table 8-17): the delta clips of luma bS < 4, biased
	loC, hiC   uint64 // 512 -/+ (tC0+1): the delta clip of chroma bS < 4 (tC = tC0 + 1), biased
	ok         bool   // alpha and beta are not 0: some sample may be filtered
}

// dbkSWTab holds dbkSW for qPav 0..51 with one slice's filter offsets. It
// has 64 entries (the last 12 unused) so that an index masked with 63 needs
// no bounds check.
type dbkSWTab struct {
	offA, offB int
	valid      bool
	e          [64]dbkSW
}

// set fills the table for the filter offsets offA and offB (8-bit samples).
func (t *dbkSWTab) set(offA, offB int) {
	t.offA, t.offB, t.valid = offA, offB, true
	for q := range 52 {
		indexA := min(max(q+offA, 0), 51)
		indexB := min(max(q+offB, 0), 51)
		alpha, beta := uint64(dbkAlpha[indexA]), uint64(dbkBeta[indexB])
		tc0 := uint64(dbkTC0[indexA][3])
		t.e[q] = dbkSW{
			ca:  (0x7fff + alpha) * swL,
			cb:  (0x7fff + beta) * swL,
			cs:  (0x7fff + alpha>>2 + 2) * swL,
			lo0: (512 - tc0) * swL,
			hi0: (512 + tc0) * swL,
			loC: (511 - tc0) * swL,
			hiC: (513 + tc0) * swL,
			ok:  alpha != 0 && beta != 0,
		}
	}
}

// dbkSWEligible reports whether deblocker.rows may use deblockSWARRows: 8-bit
// samples, 4:2:0 or 4:0:0 (hasChroma false), no lossless macroblocks.
func dbkSWEligible(p *picture, hasChroma bool) bool {
	if p.bitDepthY != 8 || p.qpprimeYZeroTransformBypass {
		return false
	}
	return !hasChroma || p.bitDepthC == 8 && p.mbWidthC == 8 && p.mbHeightC == 8
}

// deblockSWARRows is deblocker.rows for a picture dbkSWEligible accepts;
// the plane sizes have been checked by init. Macroblocks whose QPs are out
// of range (never made by the slice decoder) take the general path.
func (d *deblocker) deblockSWARRows(from, to int) {
	p := d.p
	hasChroma := d.hasChroma
	tab, cmap := &d.tab, &d.cmap
	for mby := from; mby < to; mby++ {
		for mbx := 0; mbx < p.widthMbs; mbx++ {
			addr := mby*p.widthMbs + mbx
			mb := &p.mbs[addr]
			if mb.slice < 0 || int(mb.slice) >= len(p.slices) {
				continue
			}
			sl := &p.slices[mb.slice]
			idc := sl.disableDeblockingFilterIdc
			if idc == 1 {
				continue
			}
			if mb.slice != d.cur {
				d.cur = mb.slice
				offA, offB := int(sl.filterOffsetA), int(sl.filterOffsetB)
				if !tab.valid || tab.offA != offA || tab.offB != offB {
					tab.set(offA, offB)
				}
				for c, off := range [2]int{int(sl.chromaQpIndexOffset), int(sl.secondChromaQpIndexOffset)} {
					if !d.cvalid || d.coff[c] != off {
						d.coff[c] = off
						for q := range cmap[c] {
							cmap[c][q] = uint8(dbkChromaQP(q, off, 0))
						}
					}
				}
				d.cvalid = true
				d.csame = d.coff[0] == d.coff[1]
			}
			// As in deblocker.mb: no edge at the picture border, towards an
			// undecoded macroblock or, with idc 2, towards another slice.
			var left, top *mbInfo
			if mbx > 0 {
				left = &p.mbs[addr-1]
				if left.slice < 0 || (idc == 2 && left.slice != mb.slice) {
					left = nil
				}
			}
			if mby > 0 {
				top = &p.mbs[addr-p.widthMbs]
				if top.slice < 0 || (idc == 2 && top.slice != mb.slice) {
					top = nil
				}
			}
			qp := d.lumaQP(mb)
			qpL, qpT := qp, qp
			if left != nil {
				qpL = d.lumaQP(left)
			}
			if top != nil {
				qpT = d.lumaQP(top)
			}
			if uint(qp) > 51 || uint(qpL) > 51 || uint(qpT) > 51 {
				d.mb(addr, hasChroma)
				continue
			}
			d.swMB(tab, cmap, mb, left, top, qp, qpL, qpT, mbx, mby, hasChroma)
			if mbx+2 < p.widthMbs {
				d.touch(mbx+2, mby, hasChroma)
			}
		}
	}
}

// touch reads one sample of every cache line the edges of the macroblock
// at (mbx, mby) will load, so that the loads of the filters two macroblocks
// later find them in the cache: Go has no prefetch instruction, and the
// picture is larger than the caches nearest the core. A 64-byte line holds
// a row of two macroblocks of luma and four of chroma (Go aligns large
// slices; where a plane's rows are not a multiple of 64 bytes some lines
// are missed, which only costs time), so luma is touched for even mbx and
// chroma every fourth. The sum goes to d.sink so that the loads are kept.
func (d *deblocker) touch(mbx, mby int, hasChroma bool) {
	p := d.p
	ys := p.yStride
	o := mby*16*ys + mbx*16
	lo, hi := o-4*ys, o+16*ys
	if mby == 0 {
		lo = o
	}
	var s uint16
	if mbx&1 == 0 && lo >= 0 && hi <= len(p.y) { // a cache line holds a row of two macroblocks
		y := p.y[lo:hi]
		for i := 0; i < len(y); i += ys {
			s += y[i]
		}
	}
	if hasChroma && mbx&3 == 0 {
		cs := p.cStride
		o := mby*8*cs + mbx*8
		lo, hi := o-2*cs, o+8*cs
		if mby == 0 {
			lo = o
		}
		if lo >= 0 && hi <= len(p.cb) && hi <= len(p.cr) {
			cb, cr := p.cb[lo:hi], p.cr[lo:hi]
			for i := 0; i < len(cb) && i < len(cr); i += cs {
				s += cb[i] + cr[i]
			}
		}
	}
	d.sink += s
}

// swMB filters the edges of one macroblock (§8.7): luma vertical, luma
// horizontal, then the same for Cb and Cr. qp, qpL and qpT are the QPs
// (lumaQP) of the macroblock and of its left and top neighbours (nil when
// their edge is not filtered), all in 0..51.
func (d *deblocker) swMB(tab *dbkSWTab, cmap *[2][64]uint8, mb, left, top *mbInfo, qp, qpL, qpT, mbx, mby int, hasChroma bool) {
	p := d.p
	kI, kL, kT := dbkSWEdges(tab, qp, qpL, qpT, left != nil, top != nil)
	ys := p.yStride
	org := mby*16*ys + mbx*16
	switch {
	case kL != nil && kI != nil && kT != nil && mb.transform8x8:
		dbkSWLumaMB8(p.y, org, ys, kL, kI, kT)
	case kL != nil && kI != nil && kT != nil:
		dbkSWLumaMB4(p.y, org, ys, kL, kI, kT)
	default:
		dbkSWLuma(p.y, org, ys, mb.transform8x8, kL, kI, kT)
	}
	if !hasChroma {
		return
	}
	cs := p.cStride
	corg := mby*8*cs + mbx*8
	m := &cmap[0]
	kI, kL, kT = dbkSWEdges(tab, int(m[qp&63]), int(m[qpL&63]), int(m[qpT&63]), left != nil, top != nil)
	if kL != nil && kI != nil && kT != nil && d.csame {
		dbkSWChromaMB(p.cb, p.cr, corg, cs, kL, kI, kT)
		return
	}
	dbkSWChroma(p.cb, corg, cs, kL, kI, kT)
	if !d.csame {
		m = &cmap[1]
		kI, kL, kT = dbkSWEdges(tab, int(m[qp&63]), int(m[qpL&63]), int(m[qpT&63]), left != nil, top != nil)
	}
	dbkSWChroma(p.cr, corg, cs, kL, kI, kT)
}

// dbkSWLuma filters the luma edges of a macroblock at pl[org] (§8.7):
// vertical, then horizontal; kI, kL and kT are as dbkSWEdges returns them
// (dbkSWLumaMB8 and dbkSWLumaMB4 do the case where none is nil).
func dbkSWLuma(pl []uint16, org, ys int, t8 bool, kL, kI, kT *dbkSW) {
	switch {
	case kL != nil && kI != nil && t8:
		dbkSWLumaV8(pl, org, ys, kL, kI)
	case kL != nil && kI != nil:
		dbkSWLumaV16(pl, org, ys, kL, kI)
	case kL != nil:
		dbkSWLumaV4(pl, org, ys, kL)
	case kI != nil && t8:
		dbkSWLumaV3(pl, org+8, ys, kI)
	case kI != nil:
		dbkSWLumaV3(pl, org+4, ys, kI)
		dbkSWLumaV3(pl, org+8, ys, kI)
		dbkSWLumaV3(pl, org+12, ys, kI)
	}
	if kT != nil {
		dbkSWLumaH4(pl, org, ys, kT)
	}
	if kI != nil {
		if t8 {
			dbkSWLumaH3(pl, org+8*ys, ys, kI)
		} else {
			dbkSWLumaH3(pl, org+4*ys, ys, kI)
			dbkSWLumaH3(pl, org+8*ys, ys, kI)
			dbkSWLumaH3(pl, org+12*ys, ys, kI)
		}
	}
}

// dbkSWEdges returns the parameters of the internal, left and top edges of
// a macroblock whose QP (of the plane) is q and whose neighbours' are qL
// and qT, or nil for an edge that is not filtered: a neighbour that is not
// there (hasL, hasT false) or parameters that filter no sample (qPav of
// §8.7.2.2). The QPs are in 0..51, so the masks with 63 change nothing
// (they spare the bounds checks).
func dbkSWEdges(tab *dbkSWTab, q, qL, qT int, hasL, hasT bool) (kI, kL, kT *dbkSW) {
	e := &tab.e
	if k := &e[q&63]; k.ok {
		kI = k
	}
	if k := &e[(qL+q+1)>>1&63]; hasL && k.ok {
		kL = k
	}
	if k := &e[(qT+q+1)>>1&63]; hasT && k.ok {
		kT = k
	}
	return kI, kL, kT
}

// dbkSWChroma filters the edges of one 4:2:0 chroma block at pl[corg]
// (§8.7): vertical, then horizontal; kI, kL and kT are as dbkSWEdges
// returns them.
func dbkSWChroma(pl []uint16, corg, cs int, kL, kI, kT *dbkSW) {
	switch {
	case kL != nil && kI != nil:
		dbkSWChromaV43(pl, corg, cs, kL, kI)
	case kL != nil:
		dbkSWChromaV4(pl, corg, cs, kL)
	case kI != nil:
		dbkSWChromaV3(pl, corg+4, cs, kI)
	}
	switch {
	case kT != nil && kI != nil:
		dbkSWChromaH43(pl, corg, cs, kT, kI)
	case kT != nil:
		dbkSWChromaH4(pl, corg, cs, kT)
	case kI != nil:
		dbkSWChromaH3(pl, corg+4*cs, cs, kI)
	}
}
