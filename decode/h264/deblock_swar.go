package h264

// The deblocking filter (§8.7) for the common case, four lines at a time:
// 8-bit luma and 4:2:0 (or no) chroma, every macroblock intra (bS 4 on
// macroblock edges, 3 inside, §8.7.2.1) and no lossless macroblock. The
// sample filters of §8.7.2.3/§8.7.2.4 run on uint64 words that hold four
// samples in 16-bit lanes ("SWAR"): lane i of every word is line i of the
// edge. A horizontal edge's lines are columns, which lie side by side in
// memory, so a word is one 64-bit load of four neighbouring samples (the
// compiler merges the four uint16 loads of dbkLd4 into one). A vertical
// edge's lines are rows: four rows of a 4x4 block are loaded as four words
// and transposed (dbkTr4), filtered, transposed back and stored.
// Per macroblock the edges come in the order of §8.7 (luma vertical, luma
// horizontal, Cb, Cr), each edge left to right or top to bottom.
//
// Lane arithmetic. Samples are 0..255; every intermediate value of the
// filters is kept in 0..0x7fff by adding a bias before a subtraction, so no
// lane ever borrows from or carries into its neighbour, and a right shift
// of the word is followed by a mask that clears the bits shifted in from
// the lane above. A comparison leaves its result in bit 15 of each lane
// (dbkLT); dbkExpand turns those bits into whole-lane masks for selects.
//
// The results are those of dbkLumaV/dbkLumaH16/dbkChromaV/dbkChromaH8 in
// deblock_uniform.go (TestDeblockSWARMatchesGeneric checks this on random
// pictures); the rest of deblock.go handles every other case.

const (
	swL   = 0x0001_0001_0001_0001 // 1 in each lane
	swH   = 0x8000 * swL          // bit 15 of each lane
	swM15 = 0x7fff * swL          // lane mask after >> 1
	swM14 = 0x3fff * swL          // after >> 2
	swM13 = 0x1fff * swL          // after >> 3
	swFF  = 0x00ff * swL
)

// dbkLd4 loads four samples as a word (sample i in lane i).
func dbkLd4(s *[4]uint16) uint64 {
	return uint64(s[0]) | uint64(s[1])<<16 | uint64(s[2])<<32 | uint64(s[3])<<48
}

// dbkSt4 stores the four lanes of v.
func dbkSt4(s *[4]uint16, v uint64) {
	s[0], s[1], s[2], s[3] = uint16(v), uint16(v>>16), uint16(v>>32), uint16(v>>48)
}

// dbkTr4 transposes the 4x4 block of 16-bit lanes whose rows are a, b, c, d.
func dbkTr4(a, b, c, d uint64) (uint64, uint64, uint64, uint64) {
	const m16, m32 = 0x0000_ffff_0000_ffff, 0x0000_0000_ffff_ffff
	t := (a>>16 ^ b) & m16
	b ^= t
	a ^= t << 16
	t = (c>>16 ^ d) & m16
	d ^= t
	c ^= t << 16
	t = (a>>32 ^ c) & m32
	c ^= t
	a ^= t << 32
	t = (b>>32 ^ d) & m32
	d ^= t
	b ^= t << 32
	return a, b, c, d
}

// dbkLT has bit 15 of a lane set when |a - b| < t, where c holds
// 0x7fff + t in every lane (t <= 255, a and b <= 255): b + 0x7fff + t - a
// reaches 0x8000 exactly when a - b <= t - 1, and the same the other way.
// The other bits are not meaningful.
func dbkLT(a, b, c uint64) uint64 {
	return (b + c - a) & (a + c - b)
}

// dbkExpand turns bit 15 of each lane (other bits clear) into a lane mask.
func dbkExpand(b uint64) uint64 {
	b >>= 15
	return b<<16 - b
}

// dbkMin and dbkMax are lane-wise min and max of lanes below 0x8000.
func dbkMin(x, y uint64) uint64 {
	m := dbkExpand((x | swH - y) & swH) // x >= y
	return x ^ (x^y)&m
}

func dbkMax(x, y uint64) uint64 {
	m := dbkExpand((x | swH - y) & swH) // x >= y
	return y ^ (x^y)&m
}

// dbkClip255 is Clip1 for 8 bits of lanes e holding x + 256 with x in
// -256..511: 0 below 256 (bit 8 and 9 clear), 255 from 512 (bit 9), else
// the low byte.
func dbkClip255(e uint64) uint64 {
	b8, b9 := e>>8&swL, e>>9&swL
	return (e&swFF | b9*0xff) & ((b8 | b9) * 0xff)
}

// dbkSW is the filter parameters of one qPav, in lanes (§8.7.2.2).
type dbkSW struct {
	ca, cb, cs uint64 // 0x7fff + alpha, beta, (alpha>>2)+2, for dbkLT
	tc0        uint64 // tC0 of bS 3 (Table 8-17)
	lo0, hi0   uint64 // 512 -/+ tC0: the p1/q1 clip of luma bS < 4, biased
	loC, hiC   uint64 // 512 -/+ (tC0+1): the delta clip of chroma bS < 4 (tC = tC0 + 1), biased
	ok         bool   // alpha and beta are not 0: some sample may be filtered
}

// dbkSWTab holds dbkSW for qPav 0..51 with one slice's filter offsets.
type dbkSWTab struct {
	offA, offB int
	valid      bool
	e          [52]dbkSW
}

// set fills the table for the filter offsets offA and offB (8-bit samples).
func (t *dbkSWTab) set(offA, offB int) {
	t.offA, t.offB, t.valid = offA, offB, true
	for q := range t.e {
		indexA := min(max(q+offA, 0), 51)
		indexB := min(max(q+offB, 0), 51)
		alpha, beta := uint64(dbkAlpha[indexA]), uint64(dbkBeta[indexB])
		tc0 := uint64(dbkTC0[indexA][3])
		t.e[q] = dbkSW{
			ca:  (0x7fff + alpha) * swL,
			cb:  (0x7fff + beta) * swL,
			cs:  (0x7fff + alpha>>2 + 2) * swL,
			tc0: tc0 * swL,
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
func (d *deblocker) swMB(tab *dbkSWTab, cmap *[2][52]uint8, mb, left, top *mbInfo, qp, qpL, qpT, mbx, mby int, hasChroma bool) {
	p := d.p
	kI := &tab.e[qp]
	var kL, kT *dbkSW
	if left != nil {
		if k := &tab.e[(qpL+qp+1)>>1]; k.ok {
			kL = k
		}
	}
	if top != nil {
		if k := &tab.e[(qpT+qp+1)>>1]; k.ok {
			kT = k
		}
	}
	if !kI.ok {
		kI = nil
	}
	ys := p.yStride
	org := mby*16*ys + mbx*16
	switch {
	case kL != nil && kI != nil && mb.transform8x8:
		dbkSWLumaV8(p.y, org, ys, kL, kI)
	case kL != nil && kI != nil:
		dbkSWLumaV16(p.y, org, ys, kL, kI)
	case kL != nil:
		dbkSWLumaV4(p.y, org, ys, kL)
	}
	if kI != nil && kL == nil {
		if mb.transform8x8 {
			dbkSWLumaV3(p.y, org+8, ys, kI)
		} else {
			dbkSWLumaV3(p.y, org+4, ys, kI)
			dbkSWLumaV3(p.y, org+8, ys, kI)
			dbkSWLumaV3(p.y, org+12, ys, kI)
		}
	}
	if kT != nil {
		dbkSWLumaH4(p.y, org, ys, kT)
	}
	if kI != nil {
		if mb.transform8x8 {
			dbkSWLumaH3(p.y, org+8*ys, ys, kI)
		} else {
			dbkSWLumaH3(p.y, org+4*ys, ys, kI)
			dbkSWLumaH3(p.y, org+8*ys, ys, kI)
			dbkSWLumaH3(p.y, org+12*ys, ys, kI)
		}
	}
	if !hasChroma {
		return
	}
	cs := p.cStride
	corg := mby*8*cs + mbx*8
	for c := 0; c < 2; c++ {
		pl := p.cb
		if c == 1 {
			pl = p.cr
		}
		m := &cmap[c]
		qpc := int(m[qp])
		kI := &tab.e[qpc]
		var kL, kT *dbkSW
		if left != nil {
			if k := &tab.e[(int(m[qpL])+qpc+1)>>1]; k.ok {
				kL = k
			}
		}
		if top != nil {
			if k := &tab.e[(int(m[qpT])+qpc+1)>>1]; k.ok {
				kT = k
			}
		}
		switch {
		case kL != nil && kI.ok:
			dbkSWChromaV43(pl, corg, cs, kL, kI)
		case kL != nil:
			dbkSWChromaV4(pl, corg, cs, kL)
		case kI.ok:
			dbkSWChromaV3(pl, corg+4, cs, kI)
		}
		switch {
		case kT != nil && kI.ok:
			dbkSWChromaH43(pl, corg, cs, kT, kI)
		case kT != nil:
			dbkSWChromaH4(pl, corg, cs, kT)
		case kI.ok:
			dbkSWChromaH3(pl, corg+4*cs, cs, kI)
		}
	}
}

// The sample filters below are written out in each edge function rather
// than called: a call would make the compiler spill and reload every live
// value around it, which costs more than the filter of four lines. The
// copies of one filter are the same text (bS 4 luma, bS 3 luma, bS 4
// chroma, bS 3 chroma); TestDeblockSWARMatchesGeneric checks all of them,
// so change them together. Past the filterSamplesFlag test of a group of
// four lines (skipped as a whole when no line is filtered) the filters
// have no data-dependent branch but the rare Clip1 one: the strong-filter
// and ap/aq cases are selected by lane masks, which is faster on real
// pictures than branches that mispredict.
//
// Edges that touch disjoint samples are filtered in one pass (the two
// vertical edges of a transform_size_8x8_flag macroblock, the two vertical
// or horizontal edges of a chroma block), which loads each row or column
// group once; the four vertical edges of a 4x4-transform macroblock share
// one transposition per group of rows.

// dbkSWLumaV4 filters a vertical luma edge with bS 4 over the 16 rows of
// a macroblock; pl[off] is q0 of row 0. Four rows at a time, p3..p0 and
// q0..q3 of each row are loaded as two words and transposed so that a word
// holds one column of the four rows; what changed is transposed back and
// stored.
func dbkSWLumaV4(pl []uint16, off, stride int, k *dbkSW) {
	for o := off; o < off+16*stride; o += 4 * stride {
		r0 := (*[8]uint16)(pl[o-4 : o+4])
		r1 := (*[8]uint16)(pl[o+stride-4 : o+stride+4])
		r2 := (*[8]uint16)(pl[o+2*stride-4 : o+2*stride+4])
		r3 := (*[8]uint16)(pl[o+3*stride-4 : o+3*stride+4])
		p3, p2, p1, p0 := dbkTr4(dbkLd4((*[4]uint16)(r0[0:4])), dbkLd4((*[4]uint16)(r1[0:4])), dbkLd4((*[4]uint16)(r2[0:4])), dbkLd4((*[4]uint16)(r3[0:4])))
		q0, q1, q2, q3 := dbkTr4(dbkLd4((*[4]uint16)(r0[4:8])), dbkLd4((*[4]uint16)(r1[4:8])), dbkLd4((*[4]uint16)(r2[4:8])), dbkLd4((*[4]uint16)(r3[4:8])))
		// bS 4 (§8.7.2.4): p3..q3 in, np2..nq2 out.
		f := dbkLT(p0, q0, k.ca) & dbkLT(p1, p0, k.cb) & dbkLT(q1, q0, k.cb) & swH // filterSamplesFlag (8-464)
		if f == 0 {
			continue
		}
		fs := f & dbkLT(p0, q0, k.cs) // and |p0 - q0| < (alpha >> 2) + 2
		fm := dbkExpand(f)
		pm := dbkExpand(fs & dbkLT(p2, p0, k.cb)) // ap < beta: strong p side
		qm := dbkExpand(fs & dbkLT(q2, q0, k.cb))
		// Otherwise p'0 = (2*p1 + p0 + q1 + 2) >> 2 (equation 8-479), q'0 alike.
		np0 := (p1<<1 + p0 + q1 + 2*swL) >> 2 & swM14
		nq0 := (q1<<1 + q0 + p1 + 2*swL) >> 2 & swM14
		np1, np2 := p1, p2
		{
			a := p1 + p0 + q0
			sp0 := (p2 + a<<1 + q1 + 4*swL) >> 3 & swM13      // equation 8-473
			sp1 := (p2 + a + 2*swL) >> 2 & swM14              // 8-474
			sp2 := ((p3+p2)<<1 + p2 + a + 4*swL) >> 3 & swM13 // 8-475
			np0 ^= (np0 ^ sp0) & pm
			np1 ^= (np1 ^ sp1) & pm
			np2 ^= (np2 ^ sp2) & pm
		}
		nq1, nq2 := q1, q2
		{
			a := q1 + q0 + p0
			sq0 := (q2 + a<<1 + p1 + 4*swL) >> 3 & swM13      // 8-480
			sq1 := (q2 + a + 2*swL) >> 2 & swM14              // 8-481
			sq2 := ((q3+q2)<<1 + q2 + a + 4*swL) >> 3 & swM13 // 8-482
			nq0 ^= (nq0 ^ sq0) & qm
			nq1 ^= (nq1 ^ sq1) & qm
			nq2 ^= (nq2 ^ sq2) & qm
		}
		np0 = p0 ^ (p0^np0)&fm
		nq0 = q0 ^ (q0^nq0)&fm
		a, b, c, d := dbkTr4(p3, np2, np1, np0)
		dbkSt4((*[4]uint16)(r0[0:4]), a)
		dbkSt4((*[4]uint16)(r1[0:4]), b)
		dbkSt4((*[4]uint16)(r2[0:4]), c)
		dbkSt4((*[4]uint16)(r3[0:4]), d)
		a, b, c, d = dbkTr4(nq0, nq1, nq2, q3)
		dbkSt4((*[4]uint16)(r0[4:8]), a)
		dbkSt4((*[4]uint16)(r1[4:8]), b)
		dbkSt4((*[4]uint16)(r2[4:8]), c)
		dbkSt4((*[4]uint16)(r3[4:8]), d)
	}
}

// dbkSWLumaV3 is dbkSWLumaV4 for bS 3. Only p2..q2 are read and p1..q1
// written: p1 p0 q0 q1 of four rows are one transposed 4x4 block, p2 and q2
// are gathered sample by sample.
func dbkSWLumaV3(pl []uint16, off, stride int, k *dbkSW) {
	for o := off; o < off+16*stride; o += 4 * stride {
		r0 := (*[6]uint16)(pl[o-3 : o+3])
		r1 := (*[6]uint16)(pl[o+stride-3 : o+stride+3])
		r2 := (*[6]uint16)(pl[o+2*stride-3 : o+2*stride+3])
		r3 := (*[6]uint16)(pl[o+3*stride-3 : o+3*stride+3])
		p1, p0, q0, q1 := dbkTr4(dbkLd4((*[4]uint16)(r0[1:5])), dbkLd4((*[4]uint16)(r1[1:5])), dbkLd4((*[4]uint16)(r2[1:5])), dbkLd4((*[4]uint16)(r3[1:5])))
		p2 := uint64(r0[0]) | uint64(r1[0])<<16 | uint64(r2[0])<<32 | uint64(r3[0])<<48
		q2 := uint64(r0[5]) | uint64(r1[5])<<16 | uint64(r2[5])<<32 | uint64(r3[5])<<48
		// bS 3 (§8.7.2.3, chromaStyleFilteringFlag 0): p2..q2 in, np1..nq1 out.
		f := dbkLT(p0, q0, k.ca) & dbkLT(p1, p0, k.cb) & dbkLT(q1, q0, k.cb) & swH // filterSamplesFlag (8-464)
		if f == 0 {
			continue
		}
		ap := f & dbkLT(p2, p0, k.cb) // ap < beta (and filtered), bit 15
		aq := f & dbkLT(q2, q0, k.cb)
		tc := k.tc0 + ap>>15 + aq>>15 // equation 8-468
		// delta = Clip3(-tC, tC, (((q0 - p0) << 2) + (p1 - q1) + 4) >> 3),
		// biased by 512 (4096 before the shift).
		d := (q0<<2 + p1 + (4096+4)*swL - p0<<2 - q1) >> 3 & swM13
		d = dbkMax(dbkMin(d, 512*swL+tc), 512*swL-tc)
		fm := dbkExpand(f)
		// p'0 = Clip1(p0 + delta), q'0 = Clip1(q0 - delta) (8-470, 8-471); the
		// lanes hold the results + 256, which need no clipping when all are in
		// 256..511.
		ep, eq := p0+d-256*swL, q0+768*swL-d
		if ((ep^0x100*swL)|(eq^0x100*swL))&(0xff00*swL) != 0 {
			ep, eq = dbkClip255(ep), dbkClip255(eq)
		}
		np0 := p0 ^ (p0^ep&swFF)&fm
		nq0 := q0 ^ (q0^eq&swFF)&fm
		np1, nq1 := p1, q1
		{
			// p'1 = p1 + Clip3(-tC0, tC0, (p2 + ((p0 + q0 + 1) >> 1) - (p1 << 1)) >> 1)
			// when ap < beta (8-472), biased by 512; q'1 alike (8-477).
			avg := (p0 + q0 + swL) >> 1 & swM15
			{
				x := (p2 + avg + 1024*swL - p1<<1) >> 1 & swM15
				x = dbkMax(dbkMin(x, k.hi0), k.lo0)
				np1 ^= (np1 ^ (p1 + x - 512*swL)) & dbkExpand(ap)
			}
			{
				x := (q2 + avg + 1024*swL - q1<<1) >> 1 & swM15
				x = dbkMax(dbkMin(x, k.hi0), k.lo0)
				nq1 ^= (nq1 ^ (q1 + x - 512*swL)) & dbkExpand(aq)
			}
		}
		a, b, c, d := dbkTr4(np1, np0, nq0, nq1)
		dbkSt4((*[4]uint16)(r0[1:5]), a)
		dbkSt4((*[4]uint16)(r1[1:5]), b)
		dbkSt4((*[4]uint16)(r2[1:5]), c)
		dbkSt4((*[4]uint16)(r3[1:5]), d)
	}
}

// dbkSWLumaH4 filters the 16 columns of a horizontal luma edge with bS 4
// whose q0 of column 0 is pl[off], four columns at a time.
func dbkSWLumaH4(pl []uint16, off, stride int, k *dbkSW) {
	r0 := (*[16]uint16)(pl[off-4*stride : off-4*stride+16])
	r1 := (*[16]uint16)(pl[off-3*stride : off-3*stride+16])
	r2 := (*[16]uint16)(pl[off-2*stride : off-2*stride+16])
	r3 := (*[16]uint16)(pl[off-stride : off-stride+16])
	r4 := (*[16]uint16)(pl[off : off+16])
	r5 := (*[16]uint16)(pl[off+stride : off+stride+16])
	r6 := (*[16]uint16)(pl[off+2*stride : off+2*stride+16])
	r7 := (*[16]uint16)(pl[off+3*stride : off+3*stride+16])
	for x := 0; x < 16; x += 4 {
		p3, p2 := dbkLd4((*[4]uint16)(r0[x:x+4])), dbkLd4((*[4]uint16)(r1[x:x+4]))
		p1, p0 := dbkLd4((*[4]uint16)(r2[x:x+4])), dbkLd4((*[4]uint16)(r3[x:x+4]))
		q0, q1 := dbkLd4((*[4]uint16)(r4[x:x+4])), dbkLd4((*[4]uint16)(r5[x:x+4]))
		q2, q3 := dbkLd4((*[4]uint16)(r6[x:x+4])), dbkLd4((*[4]uint16)(r7[x:x+4]))
		// bS 4 (§8.7.2.4): p3..q3 in, np2..nq2 out.
		f := dbkLT(p0, q0, k.ca) & dbkLT(p1, p0, k.cb) & dbkLT(q1, q0, k.cb) & swH // filterSamplesFlag (8-464)
		if f == 0 {
			continue
		}
		fs := f & dbkLT(p0, q0, k.cs) // and |p0 - q0| < (alpha >> 2) + 2
		fm := dbkExpand(f)
		pm := dbkExpand(fs & dbkLT(p2, p0, k.cb)) // ap < beta: strong p side
		qm := dbkExpand(fs & dbkLT(q2, q0, k.cb))
		// Otherwise p'0 = (2*p1 + p0 + q1 + 2) >> 2 (equation 8-479), q'0 alike.
		np0 := (p1<<1 + p0 + q1 + 2*swL) >> 2 & swM14
		nq0 := (q1<<1 + q0 + p1 + 2*swL) >> 2 & swM14
		np1, np2 := p1, p2
		{
			a := p1 + p0 + q0
			sp0 := (p2 + a<<1 + q1 + 4*swL) >> 3 & swM13      // equation 8-473
			sp1 := (p2 + a + 2*swL) >> 2 & swM14              // 8-474
			sp2 := ((p3+p2)<<1 + p2 + a + 4*swL) >> 3 & swM13 // 8-475
			np0 ^= (np0 ^ sp0) & pm
			np1 ^= (np1 ^ sp1) & pm
			np2 ^= (np2 ^ sp2) & pm
		}
		nq1, nq2 := q1, q2
		{
			a := q1 + q0 + p0
			sq0 := (q2 + a<<1 + p1 + 4*swL) >> 3 & swM13      // 8-480
			sq1 := (q2 + a + 2*swL) >> 2 & swM14              // 8-481
			sq2 := ((q3+q2)<<1 + q2 + a + 4*swL) >> 3 & swM13 // 8-482
			nq0 ^= (nq0 ^ sq0) & qm
			nq1 ^= (nq1 ^ sq1) & qm
			nq2 ^= (nq2 ^ sq2) & qm
		}
		np0 = p0 ^ (p0^np0)&fm
		nq0 = q0 ^ (q0^nq0)&fm
		dbkSt4((*[4]uint16)(r1[x:x+4]), np2)
		dbkSt4((*[4]uint16)(r2[x:x+4]), np1)
		dbkSt4((*[4]uint16)(r3[x:x+4]), np0)
		dbkSt4((*[4]uint16)(r4[x:x+4]), nq0)
		dbkSt4((*[4]uint16)(r5[x:x+4]), nq1)
		dbkSt4((*[4]uint16)(r6[x:x+4]), nq2)
	}
}

// dbkSWLumaH3 is dbkSWLumaH4 for bS 3.
func dbkSWLumaH3(pl []uint16, off, stride int, k *dbkSW) {
	r1 := (*[16]uint16)(pl[off-3*stride : off-3*stride+16])
	r2 := (*[16]uint16)(pl[off-2*stride : off-2*stride+16])
	r3 := (*[16]uint16)(pl[off-stride : off-stride+16])
	r4 := (*[16]uint16)(pl[off : off+16])
	r5 := (*[16]uint16)(pl[off+stride : off+stride+16])
	r6 := (*[16]uint16)(pl[off+2*stride : off+2*stride+16])
	for x := 0; x < 16; x += 4 {
		p2, p1 := dbkLd4((*[4]uint16)(r1[x:x+4])), dbkLd4((*[4]uint16)(r2[x:x+4]))
		p0, q0 := dbkLd4((*[4]uint16)(r3[x:x+4])), dbkLd4((*[4]uint16)(r4[x:x+4]))
		q1, q2 := dbkLd4((*[4]uint16)(r5[x:x+4])), dbkLd4((*[4]uint16)(r6[x:x+4]))
		// bS 3 (§8.7.2.3, chromaStyleFilteringFlag 0): p2..q2 in, np1..nq1 out.
		f := dbkLT(p0, q0, k.ca) & dbkLT(p1, p0, k.cb) & dbkLT(q1, q0, k.cb) & swH // filterSamplesFlag (8-464)
		if f == 0 {
			continue
		}
		ap := f & dbkLT(p2, p0, k.cb) // ap < beta (and filtered), bit 15
		aq := f & dbkLT(q2, q0, k.cb)
		tc := k.tc0 + ap>>15 + aq>>15 // equation 8-468
		// delta = Clip3(-tC, tC, (((q0 - p0) << 2) + (p1 - q1) + 4) >> 3),
		// biased by 512 (4096 before the shift).
		d := (q0<<2 + p1 + (4096+4)*swL - p0<<2 - q1) >> 3 & swM13
		d = dbkMax(dbkMin(d, 512*swL+tc), 512*swL-tc)
		fm := dbkExpand(f)
		// p'0 = Clip1(p0 + delta), q'0 = Clip1(q0 - delta) (8-470, 8-471); the
		// lanes hold the results + 256, which need no clipping when all are in
		// 256..511.
		ep, eq := p0+d-256*swL, q0+768*swL-d
		if ((ep^0x100*swL)|(eq^0x100*swL))&(0xff00*swL) != 0 {
			ep, eq = dbkClip255(ep), dbkClip255(eq)
		}
		np0 := p0 ^ (p0^ep&swFF)&fm
		nq0 := q0 ^ (q0^eq&swFF)&fm
		np1, nq1 := p1, q1
		{
			// p'1 = p1 + Clip3(-tC0, tC0, (p2 + ((p0 + q0 + 1) >> 1) - (p1 << 1)) >> 1)
			// when ap < beta (8-472), biased by 512; q'1 alike (8-477).
			avg := (p0 + q0 + swL) >> 1 & swM15
			{
				x := (p2 + avg + 1024*swL - p1<<1) >> 1 & swM15
				x = dbkMax(dbkMin(x, k.hi0), k.lo0)
				np1 ^= (np1 ^ (p1 + x - 512*swL)) & dbkExpand(ap)
			}
			{
				x := (q2 + avg + 1024*swL - q1<<1) >> 1 & swM15
				x = dbkMax(dbkMin(x, k.hi0), k.lo0)
				nq1 ^= (nq1 ^ (q1 + x - 512*swL)) & dbkExpand(aq)
			}
		}
		dbkSt4((*[4]uint16)(r2[x:x+4]), np1)
		dbkSt4((*[4]uint16)(r3[x:x+4]), np0)
		dbkSt4((*[4]uint16)(r4[x:x+4]), nq0)
		dbkSt4((*[4]uint16)(r5[x:x+4]), nq1)
	}
}

// dbkSWChromaV4 filters a vertical chroma edge with bS 4 over the 8 rows
// of a 4:2:0 macroblock; pl[off] is q0 of row 0. p1 p0 q0 q1 of four rows
// are one transposed 4x4 block.
func dbkSWChromaV4(pl []uint16, off, stride int, k *dbkSW) {
	for o := off; o < off+8*stride; o += 4 * stride {
		s0 := (*[4]uint16)(pl[o-2 : o+2])
		s1 := (*[4]uint16)(pl[o+stride-2 : o+stride+2])
		s2 := (*[4]uint16)(pl[o+2*stride-2 : o+2*stride+2])
		s3 := (*[4]uint16)(pl[o+3*stride-2 : o+3*stride+2])
		p1, p0, q0, q1 := dbkTr4(dbkLd4(s0), dbkLd4(s1), dbkLd4(s2), dbkLd4(s3))
		// Chroma, bS 4: p'0 and q'0 of equations 8-479/8-486.
		f := dbkLT(p0, q0, k.ca) & dbkLT(p1, p0, k.cb) & dbkLT(q1, q0, k.cb) & swH // filterSamplesFlag (8-464)
		if f == 0 {
			continue
		}
		fm := dbkExpand(f)
		np0 := (p1<<1 + p0 + q1 + 2*swL) >> 2 & swM14
		nq0 := (q1<<1 + q0 + p1 + 2*swL) >> 2 & swM14
		np0 = p0 ^ (p0^np0)&fm
		nq0 = q0 ^ (q0^nq0)&fm
		a, b, c, d := dbkTr4(p1, np0, nq0, q1)
		dbkSt4(s0, a)
		dbkSt4(s1, b)
		dbkSt4(s2, c)
		dbkSt4(s3, d)
	}
}

// dbkSWChromaV3 filters a vertical chroma edge with bS 3 over the 8 rows
// of a 4:2:0 macroblock; pl[off] is q0 of row 0. p1 p0 q0 q1 of four rows
// are one transposed 4x4 block.
func dbkSWChromaV3(pl []uint16, off, stride int, k *dbkSW) {
	for o := off; o < off+8*stride; o += 4 * stride {
		s0 := (*[4]uint16)(pl[o-2 : o+2])
		s1 := (*[4]uint16)(pl[o+stride-2 : o+stride+2])
		s2 := (*[4]uint16)(pl[o+2*stride-2 : o+2*stride+2])
		s3 := (*[4]uint16)(pl[o+3*stride-2 : o+3*stride+2])
		p1, p0, q0, q1 := dbkTr4(dbkLd4(s0), dbkLd4(s1), dbkLd4(s2), dbkLd4(s3))
		// Chroma, bS 3: §8.7.2.3 with tC = tC0 + 1, delta biased by 512.
		f := dbkLT(p0, q0, k.ca) & dbkLT(p1, p0, k.cb) & dbkLT(q1, q0, k.cb) & swH // filterSamplesFlag (8-464)
		if f == 0 {
			continue
		}
		fm := dbkExpand(f)
		d := (q0<<2 + p1 + (4096+4)*swL - p0<<2 - q1) >> 3 & swM13
		d = dbkMax(dbkMin(d, k.hiC), k.loC)
		// p'0 = Clip1(p0 + delta), q'0 = Clip1(q0 - delta) (8-470, 8-471); the
		// lanes hold the results + 256, which need no clipping when all are in
		// 256..511.
		ep, eq := p0+d-256*swL, q0+768*swL-d
		if ((ep^0x100*swL)|(eq^0x100*swL))&(0xff00*swL) != 0 {
			ep, eq = dbkClip255(ep), dbkClip255(eq)
		}
		np0 := p0 ^ (p0^ep&swFF)&fm
		nq0 := q0 ^ (q0^eq&swFF)&fm
		a, b, c, d := dbkTr4(p1, np0, nq0, q1)
		dbkSt4(s0, a)
		dbkSt4(s1, b)
		dbkSt4(s2, c)
		dbkSt4(s3, d)
	}
}

// dbkSWChromaH4 filters the 8 columns of a horizontal chroma edge with bS
// 4 whose q0 of column 0 is pl[off].
func dbkSWChromaH4(pl []uint16, off, stride int, k *dbkSW) {
	r0 := (*[8]uint16)(pl[off-2*stride : off-2*stride+8])
	r1 := (*[8]uint16)(pl[off-stride : off-stride+8])
	r2 := (*[8]uint16)(pl[off : off+8])
	r3 := (*[8]uint16)(pl[off+stride : off+stride+8])
	for x := 0; x < 8; x += 4 {
		p1, p0 := dbkLd4((*[4]uint16)(r0[x:x+4])), dbkLd4((*[4]uint16)(r1[x:x+4]))
		q0, q1 := dbkLd4((*[4]uint16)(r2[x:x+4])), dbkLd4((*[4]uint16)(r3[x:x+4]))
		// Chroma, bS 4: p'0 and q'0 of equations 8-479/8-486.
		f := dbkLT(p0, q0, k.ca) & dbkLT(p1, p0, k.cb) & dbkLT(q1, q0, k.cb) & swH // filterSamplesFlag (8-464)
		if f == 0 {
			continue
		}
		fm := dbkExpand(f)
		np0 := (p1<<1 + p0 + q1 + 2*swL) >> 2 & swM14
		nq0 := (q1<<1 + q0 + p1 + 2*swL) >> 2 & swM14
		np0 = p0 ^ (p0^np0)&fm
		nq0 = q0 ^ (q0^nq0)&fm
		dbkSt4((*[4]uint16)(r1[x:x+4]), np0)
		dbkSt4((*[4]uint16)(r2[x:x+4]), nq0)
	}
}

// dbkSWChromaH3 filters the 8 columns of a horizontal chroma edge with bS
// 3 whose q0 of column 0 is pl[off].
func dbkSWChromaH3(pl []uint16, off, stride int, k *dbkSW) {
	r0 := (*[8]uint16)(pl[off-2*stride : off-2*stride+8])
	r1 := (*[8]uint16)(pl[off-stride : off-stride+8])
	r2 := (*[8]uint16)(pl[off : off+8])
	r3 := (*[8]uint16)(pl[off+stride : off+stride+8])
	for x := 0; x < 8; x += 4 {
		p1, p0 := dbkLd4((*[4]uint16)(r0[x:x+4])), dbkLd4((*[4]uint16)(r1[x:x+4]))
		q0, q1 := dbkLd4((*[4]uint16)(r2[x:x+4])), dbkLd4((*[4]uint16)(r3[x:x+4]))
		// Chroma, bS 3: §8.7.2.3 with tC = tC0 + 1, delta biased by 512.
		f := dbkLT(p0, q0, k.ca) & dbkLT(p1, p0, k.cb) & dbkLT(q1, q0, k.cb) & swH // filterSamplesFlag (8-464)
		if f == 0 {
			continue
		}
		fm := dbkExpand(f)
		d := (q0<<2 + p1 + (4096+4)*swL - p0<<2 - q1) >> 3 & swM13
		d = dbkMax(dbkMin(d, k.hiC), k.loC)
		// p'0 = Clip1(p0 + delta), q'0 = Clip1(q0 - delta) (8-470, 8-471); the
		// lanes hold the results + 256, which need no clipping when all are in
		// 256..511.
		ep, eq := p0+d-256*swL, q0+768*swL-d
		if ((ep^0x100*swL)|(eq^0x100*swL))&(0xff00*swL) != 0 {
			ep, eq = dbkClip255(ep), dbkClip255(eq)
		}
		np0 := p0 ^ (p0^ep&swFF)&fm
		nq0 := q0 ^ (q0^eq&swFF)&fm
		dbkSt4((*[4]uint16)(r1[x:x+4]), np0)
		dbkSt4((*[4]uint16)(r2[x:x+4]), nq0)
	}
}

// dbkSWChromaV43 filters both vertical chroma edges of a 4:2:0 macroblock
// whose q0 of row 0 of the left edge is pl[off]: x = 0 with bS 4 (kL) and
// x = 4 with bS 3 (kI). They touch different samples (x = 0 reads columns
// -2..1, x = 4 columns 2..5), so one pass over the rows does both.
func dbkSWChromaV43(pl []uint16, off, stride int, kL, kI *dbkSW) {
	for o := off; o < off+8*stride; o += 4 * stride {
		r0 := (*[8]uint16)(pl[o-2 : o+6])
		r1 := (*[8]uint16)(pl[o+stride-2 : o+stride+6])
		r2 := (*[8]uint16)(pl[o+2*stride-2 : o+2*stride+6])
		r3 := (*[8]uint16)(pl[o+3*stride-2 : o+3*stride+6])
		{
			k := kL
			p1, p0, q0, q1 := dbkTr4(dbkLd4((*[4]uint16)(r0[0:4])), dbkLd4((*[4]uint16)(r1[0:4])), dbkLd4((*[4]uint16)(r2[0:4])), dbkLd4((*[4]uint16)(r3[0:4])))
			// Chroma, bS 4: p'0 and q'0 of equations 8-479/8-486.
			f := dbkLT(p0, q0, k.ca) & dbkLT(p1, p0, k.cb) & dbkLT(q1, q0, k.cb) & swH // filterSamplesFlag (8-464)
			if f != 0 {
				fm := dbkExpand(f)
				np0 := (p1<<1 + p0 + q1 + 2*swL) >> 2 & swM14
				nq0 := (q1<<1 + q0 + p1 + 2*swL) >> 2 & swM14
				np0 = p0 ^ (p0^np0)&fm
				nq0 = q0 ^ (q0^nq0)&fm
				a, b, c, d := dbkTr4(p1, np0, nq0, q1)
				dbkSt4((*[4]uint16)(r0[0:4]), a)
				dbkSt4((*[4]uint16)(r1[0:4]), b)
				dbkSt4((*[4]uint16)(r2[0:4]), c)
				dbkSt4((*[4]uint16)(r3[0:4]), d)
			}
		}
		{
			k := kI
			p1, p0, q0, q1 := dbkTr4(dbkLd4((*[4]uint16)(r0[4:8])), dbkLd4((*[4]uint16)(r1[4:8])), dbkLd4((*[4]uint16)(r2[4:8])), dbkLd4((*[4]uint16)(r3[4:8])))
			// Chroma, bS 3: §8.7.2.3 with tC = tC0 + 1, delta biased by 512.
			f := dbkLT(p0, q0, k.ca) & dbkLT(p1, p0, k.cb) & dbkLT(q1, q0, k.cb) & swH // filterSamplesFlag (8-464)
			if f != 0 {
				fm := dbkExpand(f)
				d := (q0<<2 + p1 + (4096+4)*swL - p0<<2 - q1) >> 3 & swM13
				d = dbkMax(dbkMin(d, k.hiC), k.loC)
				// p'0 = Clip1(p0 + delta), q'0 = Clip1(q0 - delta) (8-470, 8-471); the
				// lanes hold the results + 256, which need no clipping when all are in
				// 256..511.
				ep, eq := p0+d-256*swL, q0+768*swL-d
				if ((ep^0x100*swL)|(eq^0x100*swL))&(0xff00*swL) != 0 {
					ep, eq = dbkClip255(ep), dbkClip255(eq)
				}
				np0 := p0 ^ (p0^ep&swFF)&fm
				nq0 := q0 ^ (q0^eq&swFF)&fm
				a, b, c, d := dbkTr4(p1, np0, nq0, q1)
				dbkSt4((*[4]uint16)(r0[4:8]), a)
				dbkSt4((*[4]uint16)(r1[4:8]), b)
				dbkSt4((*[4]uint16)(r2[4:8]), c)
				dbkSt4((*[4]uint16)(r3[4:8]), d)
			}
		}
	}
}

// dbkSWLumaV8 filters both vertical luma edges of a macroblock with
// transform_size_8x8_flag whose top-left sample is pl[off]: x = 0 with bS
// 4 (kL) and x = 8 with bS 3 (kI). They touch different samples (x = 0
// columns -4..3, x = 8 columns 5..10), so one pass over the rows does both.
func dbkSWLumaV8(pl []uint16, off, stride int, kL, kI *dbkSW) {
	for o := off; o < off+16*stride; o += 4 * stride {
		r0 := (*[16]uint16)(pl[o-4 : o+12])
		r1 := (*[16]uint16)(pl[o+stride-4 : o+stride+12])
		r2 := (*[16]uint16)(pl[o+2*stride-4 : o+2*stride+12])
		r3 := (*[16]uint16)(pl[o+3*stride-4 : o+3*stride+12])
		{
			k := kL
			p3, p2, p1, p0 := dbkTr4(dbkLd4((*[4]uint16)(r0[0:4])), dbkLd4((*[4]uint16)(r1[0:4])), dbkLd4((*[4]uint16)(r2[0:4])), dbkLd4((*[4]uint16)(r3[0:4])))
			q0, q1, q2, q3 := dbkTr4(dbkLd4((*[4]uint16)(r0[4:8])), dbkLd4((*[4]uint16)(r1[4:8])), dbkLd4((*[4]uint16)(r2[4:8])), dbkLd4((*[4]uint16)(r3[4:8])))
			// bS 4 (§8.7.2.4): p3..q3 in, np2..nq2 out.
			f := dbkLT(p0, q0, k.ca) & dbkLT(p1, p0, k.cb) & dbkLT(q1, q0, k.cb) & swH // filterSamplesFlag (8-464)
			if f != 0 {
				fs := f & dbkLT(p0, q0, k.cs) // and |p0 - q0| < (alpha >> 2) + 2
				fm := dbkExpand(f)
				pm := dbkExpand(fs & dbkLT(p2, p0, k.cb)) // ap < beta: strong p side
				qm := dbkExpand(fs & dbkLT(q2, q0, k.cb))
				// Otherwise p'0 = (2*p1 + p0 + q1 + 2) >> 2 (equation 8-479), q'0 alike.
				np0 := (p1<<1 + p0 + q1 + 2*swL) >> 2 & swM14
				nq0 := (q1<<1 + q0 + p1 + 2*swL) >> 2 & swM14
				np1, np2 := p1, p2
				{
					a := p1 + p0 + q0
					sp0 := (p2 + a<<1 + q1 + 4*swL) >> 3 & swM13      // equation 8-473
					sp1 := (p2 + a + 2*swL) >> 2 & swM14              // 8-474
					sp2 := ((p3+p2)<<1 + p2 + a + 4*swL) >> 3 & swM13 // 8-475
					np0 ^= (np0 ^ sp0) & pm
					np1 ^= (np1 ^ sp1) & pm
					np2 ^= (np2 ^ sp2) & pm
				}
				nq1, nq2 := q1, q2
				{
					a := q1 + q0 + p0
					sq0 := (q2 + a<<1 + p1 + 4*swL) >> 3 & swM13      // 8-480
					sq1 := (q2 + a + 2*swL) >> 2 & swM14              // 8-481
					sq2 := ((q3+q2)<<1 + q2 + a + 4*swL) >> 3 & swM13 // 8-482
					nq0 ^= (nq0 ^ sq0) & qm
					nq1 ^= (nq1 ^ sq1) & qm
					nq2 ^= (nq2 ^ sq2) & qm
				}
				np0 = p0 ^ (p0^np0)&fm
				nq0 = q0 ^ (q0^nq0)&fm
				a, b, c, d := dbkTr4(p3, np2, np1, np0)
				dbkSt4((*[4]uint16)(r0[0:4]), a)
				dbkSt4((*[4]uint16)(r1[0:4]), b)
				dbkSt4((*[4]uint16)(r2[0:4]), c)
				dbkSt4((*[4]uint16)(r3[0:4]), d)
				a, b, c, d = dbkTr4(nq0, nq1, nq2, q3)
				dbkSt4((*[4]uint16)(r0[4:8]), a)
				dbkSt4((*[4]uint16)(r1[4:8]), b)
				dbkSt4((*[4]uint16)(r2[4:8]), c)
				dbkSt4((*[4]uint16)(r3[4:8]), d)
			}
		}
		{
			k := kI
			p1, p0, q0, q1 := dbkTr4(dbkLd4((*[4]uint16)(r0[10:14])), dbkLd4((*[4]uint16)(r1[10:14])), dbkLd4((*[4]uint16)(r2[10:14])), dbkLd4((*[4]uint16)(r3[10:14])))
			p2 := uint64(r0[9]) | uint64(r1[9])<<16 | uint64(r2[9])<<32 | uint64(r3[9])<<48
			q2 := uint64(r0[14]) | uint64(r1[14])<<16 | uint64(r2[14])<<32 | uint64(r3[14])<<48
			// bS 3 (§8.7.2.3, chromaStyleFilteringFlag 0): p2..q2 in, np1..nq1 out.
			f := dbkLT(p0, q0, k.ca) & dbkLT(p1, p0, k.cb) & dbkLT(q1, q0, k.cb) & swH // filterSamplesFlag (8-464)
			if f != 0 {
				ap := f & dbkLT(p2, p0, k.cb) // ap < beta (and filtered), bit 15
				aq := f & dbkLT(q2, q0, k.cb)
				tc := k.tc0 + ap>>15 + aq>>15 // equation 8-468
				// delta = Clip3(-tC, tC, (((q0 - p0) << 2) + (p1 - q1) + 4) >> 3),
				// biased by 512 (4096 before the shift).
				d := (q0<<2 + p1 + (4096+4)*swL - p0<<2 - q1) >> 3 & swM13
				d = dbkMax(dbkMin(d, 512*swL+tc), 512*swL-tc)
				fm := dbkExpand(f)
				// p'0 = Clip1(p0 + delta), q'0 = Clip1(q0 - delta) (8-470, 8-471); the
				// lanes hold the results + 256, which need no clipping when all are in
				// 256..511.
				ep, eq := p0+d-256*swL, q0+768*swL-d
				if ((ep^0x100*swL)|(eq^0x100*swL))&(0xff00*swL) != 0 {
					ep, eq = dbkClip255(ep), dbkClip255(eq)
				}
				np0 := p0 ^ (p0^ep&swFF)&fm
				nq0 := q0 ^ (q0^eq&swFF)&fm
				np1, nq1 := p1, q1
				{
					// p'1 = p1 + Clip3(-tC0, tC0, (p2 + ((p0 + q0 + 1) >> 1) - (p1 << 1)) >> 1)
					// when ap < beta (8-472), biased by 512; q'1 alike (8-477).
					avg := (p0 + q0 + swL) >> 1 & swM15
					{
						x := (p2 + avg + 1024*swL - p1<<1) >> 1 & swM15
						x = dbkMax(dbkMin(x, k.hi0), k.lo0)
						np1 ^= (np1 ^ (p1 + x - 512*swL)) & dbkExpand(ap)
					}
					{
						x := (q2 + avg + 1024*swL - q1<<1) >> 1 & swM15
						x = dbkMax(dbkMin(x, k.hi0), k.lo0)
						nq1 ^= (nq1 ^ (q1 + x - 512*swL)) & dbkExpand(aq)
					}
				}
				a, b, c, d := dbkTr4(np1, np0, nq0, nq1)
				dbkSt4((*[4]uint16)(r0[10:14]), a)
				dbkSt4((*[4]uint16)(r1[10:14]), b)
				dbkSt4((*[4]uint16)(r2[10:14]), c)
				dbkSt4((*[4]uint16)(r3[10:14]), d)
			}
		}
	}
}

// dbkSWChromaH43 filters both horizontal chroma edges of a 4:2:0
// macroblock whose q0 of column 0 of the top edge is pl[off]: y = 0 with bS
// 4 (kT) and y = 4 with bS 3 (kI), which touch different rows (-2..1 and
// 2..5), in one pass over the columns.
func dbkSWChromaH43(pl []uint16, off, stride int, kT, kI *dbkSW) {
	t0 := (*[8]uint16)(pl[off-2*stride : off-2*stride+8])
	t1 := (*[8]uint16)(pl[off-stride : off-stride+8])
	t2 := (*[8]uint16)(pl[off : off+8])
	t3 := (*[8]uint16)(pl[off+stride : off+stride+8])
	m0 := (*[8]uint16)(pl[off+2*stride : off+2*stride+8])
	m1 := (*[8]uint16)(pl[off+3*stride : off+3*stride+8])
	m2 := (*[8]uint16)(pl[off+4*stride : off+4*stride+8])
	m3 := (*[8]uint16)(pl[off+5*stride : off+5*stride+8])
	for x := 0; x < 8; x += 4 {
		{
			k := kT
			p1, p0 := dbkLd4((*[4]uint16)(t0[x:x+4])), dbkLd4((*[4]uint16)(t1[x:x+4]))
			q0, q1 := dbkLd4((*[4]uint16)(t2[x:x+4])), dbkLd4((*[4]uint16)(t3[x:x+4]))
			// Chroma, bS 4: p'0 and q'0 of equations 8-479/8-486.
			f := dbkLT(p0, q0, k.ca) & dbkLT(p1, p0, k.cb) & dbkLT(q1, q0, k.cb) & swH // filterSamplesFlag (8-464)
			if f != 0 {
				fm := dbkExpand(f)
				np0 := (p1<<1 + p0 + q1 + 2*swL) >> 2 & swM14
				nq0 := (q1<<1 + q0 + p1 + 2*swL) >> 2 & swM14
				np0 = p0 ^ (p0^np0)&fm
				nq0 = q0 ^ (q0^nq0)&fm
				dbkSt4((*[4]uint16)(t1[x:x+4]), np0)
				dbkSt4((*[4]uint16)(t2[x:x+4]), nq0)
			}
		}
		{
			k := kI
			p1, p0 := dbkLd4((*[4]uint16)(m0[x:x+4])), dbkLd4((*[4]uint16)(m1[x:x+4]))
			q0, q1 := dbkLd4((*[4]uint16)(m2[x:x+4])), dbkLd4((*[4]uint16)(m3[x:x+4]))
			// Chroma, bS 3: §8.7.2.3 with tC = tC0 + 1, delta biased by 512.
			f := dbkLT(p0, q0, k.ca) & dbkLT(p1, p0, k.cb) & dbkLT(q1, q0, k.cb) & swH // filterSamplesFlag (8-464)
			if f != 0 {
				fm := dbkExpand(f)
				d := (q0<<2 + p1 + (4096+4)*swL - p0<<2 - q1) >> 3 & swM13
				d = dbkMax(dbkMin(d, k.hiC), k.loC)
				// p'0 = Clip1(p0 + delta), q'0 = Clip1(q0 - delta) (8-470, 8-471); the
				// lanes hold the results + 256, which need no clipping when all are in
				// 256..511.
				ep, eq := p0+d-256*swL, q0+768*swL-d
				if ((ep^0x100*swL)|(eq^0x100*swL))&(0xff00*swL) != 0 {
					ep, eq = dbkClip255(ep), dbkClip255(eq)
				}
				np0 := p0 ^ (p0^ep&swFF)&fm
				nq0 := q0 ^ (q0^eq&swFF)&fm
				dbkSt4((*[4]uint16)(m1[x:x+4]), np0)
				dbkSt4((*[4]uint16)(m2[x:x+4]), nq0)
			}
		}
	}
}

// dbkSWLumaV16 filters the four vertical luma edges of a macroblock without
// transform_size_8x8_flag whose top-left sample is pl[off]: x = 0 with bS
// 4 (kL), then x = 4, 8 and 12 with bS 3 (kI). Each edge reads what the one
// before it wrote, so each group of four rows is transposed once into the
// columns c0..c19 (x = -4..15), filtered edge by edge and transposed back.
func dbkSWLumaV16(pl []uint16, off, stride int, kL, kI *dbkSW) {
	for o := off; o < off+16*stride; o += 4 * stride {
		r0 := (*[20]uint16)(pl[o-4 : o+16])
		r1 := (*[20]uint16)(pl[o+stride-4 : o+stride+16])
		r2 := (*[20]uint16)(pl[o+2*stride-4 : o+2*stride+16])
		r3 := (*[20]uint16)(pl[o+3*stride-4 : o+3*stride+16])
		c0, c1, c2, c3 := dbkTr4(dbkLd4((*[4]uint16)(r0[0:4])), dbkLd4((*[4]uint16)(r1[0:4])), dbkLd4((*[4]uint16)(r2[0:4])), dbkLd4((*[4]uint16)(r3[0:4])))
		c4, c5, c6, c7 := dbkTr4(dbkLd4((*[4]uint16)(r0[4:8])), dbkLd4((*[4]uint16)(r1[4:8])), dbkLd4((*[4]uint16)(r2[4:8])), dbkLd4((*[4]uint16)(r3[4:8])))
		c8, c9, c10, c11 := dbkTr4(dbkLd4((*[4]uint16)(r0[8:12])), dbkLd4((*[4]uint16)(r1[8:12])), dbkLd4((*[4]uint16)(r2[8:12])), dbkLd4((*[4]uint16)(r3[8:12])))
		c12, c13, c14, c15 := dbkTr4(dbkLd4((*[4]uint16)(r0[12:16])), dbkLd4((*[4]uint16)(r1[12:16])), dbkLd4((*[4]uint16)(r2[12:16])), dbkLd4((*[4]uint16)(r3[12:16])))
		c16, c17, c18, c19 := dbkTr4(dbkLd4((*[4]uint16)(r0[16:20])), dbkLd4((*[4]uint16)(r1[16:20])), dbkLd4((*[4]uint16)(r2[16:20])), dbkLd4((*[4]uint16)(r3[16:20])))
		{
			k := kL
			p3, p2, p1, p0, q0, q1, q2, q3 := c0, c1, c2, c3, c4, c5, c6, c7
			// bS 4 (§8.7.2.4): p3..q3 in, np2..nq2 out.
			f := dbkLT(p0, q0, k.ca) & dbkLT(p1, p0, k.cb) & dbkLT(q1, q0, k.cb) & swH // filterSamplesFlag (8-464)
			if f != 0 {
				fs := f & dbkLT(p0, q0, k.cs) // and |p0 - q0| < (alpha >> 2) + 2
				fm := dbkExpand(f)
				pm := dbkExpand(fs & dbkLT(p2, p0, k.cb)) // ap < beta: strong p side
				qm := dbkExpand(fs & dbkLT(q2, q0, k.cb))
				// Otherwise p'0 = (2*p1 + p0 + q1 + 2) >> 2 (equation 8-479), q'0 alike.
				np0 := (p1<<1 + p0 + q1 + 2*swL) >> 2 & swM14
				nq0 := (q1<<1 + q0 + p1 + 2*swL) >> 2 & swM14
				np1, np2 := p1, p2
				{
					a := p1 + p0 + q0
					sp0 := (p2 + a<<1 + q1 + 4*swL) >> 3 & swM13      // equation 8-473
					sp1 := (p2 + a + 2*swL) >> 2 & swM14              // 8-474
					sp2 := ((p3+p2)<<1 + p2 + a + 4*swL) >> 3 & swM13 // 8-475
					np0 ^= (np0 ^ sp0) & pm
					np1 ^= (np1 ^ sp1) & pm
					np2 ^= (np2 ^ sp2) & pm
				}
				nq1, nq2 := q1, q2
				{
					a := q1 + q0 + p0
					sq0 := (q2 + a<<1 + p1 + 4*swL) >> 3 & swM13      // 8-480
					sq1 := (q2 + a + 2*swL) >> 2 & swM14              // 8-481
					sq2 := ((q3+q2)<<1 + q2 + a + 4*swL) >> 3 & swM13 // 8-482
					nq0 ^= (nq0 ^ sq0) & qm
					nq1 ^= (nq1 ^ sq1) & qm
					nq2 ^= (nq2 ^ sq2) & qm
				}
				np0 = p0 ^ (p0^np0)&fm
				nq0 = q0 ^ (q0^nq0)&fm
				c1, c2, c3, c4, c5, c6 = np2, np1, np0, nq0, nq1, nq2
			}
		}
		{
			k := kI
			p2, p1, p0, q0, q1, q2 := c5, c6, c7, c8, c9, c10
			// bS 3 (§8.7.2.3, chromaStyleFilteringFlag 0): p2..q2 in, np1..nq1 out.
			f := dbkLT(p0, q0, k.ca) & dbkLT(p1, p0, k.cb) & dbkLT(q1, q0, k.cb) & swH // filterSamplesFlag (8-464)
			if f != 0 {
				ap := f & dbkLT(p2, p0, k.cb) // ap < beta (and filtered), bit 15
				aq := f & dbkLT(q2, q0, k.cb)
				tc := k.tc0 + ap>>15 + aq>>15 // equation 8-468
				// delta = Clip3(-tC, tC, (((q0 - p0) << 2) + (p1 - q1) + 4) >> 3),
				// biased by 512 (4096 before the shift).
				d := (q0<<2 + p1 + (4096+4)*swL - p0<<2 - q1) >> 3 & swM13
				d = dbkMax(dbkMin(d, 512*swL+tc), 512*swL-tc)
				fm := dbkExpand(f)
				// p'0 = Clip1(p0 + delta), q'0 = Clip1(q0 - delta) (8-470, 8-471); the
				// lanes hold the results + 256, which need no clipping when all are in
				// 256..511.
				ep, eq := p0+d-256*swL, q0+768*swL-d
				if ((ep^0x100*swL)|(eq^0x100*swL))&(0xff00*swL) != 0 {
					ep, eq = dbkClip255(ep), dbkClip255(eq)
				}
				np0 := p0 ^ (p0^ep&swFF)&fm
				nq0 := q0 ^ (q0^eq&swFF)&fm
				np1, nq1 := p1, q1
				{
					// p'1 = p1 + Clip3(-tC0, tC0, (p2 + ((p0 + q0 + 1) >> 1) - (p1 << 1)) >> 1)
					// when ap < beta (8-472), biased by 512; q'1 alike (8-477).
					avg := (p0 + q0 + swL) >> 1 & swM15
					{
						x := (p2 + avg + 1024*swL - p1<<1) >> 1 & swM15
						x = dbkMax(dbkMin(x, k.hi0), k.lo0)
						np1 ^= (np1 ^ (p1 + x - 512*swL)) & dbkExpand(ap)
					}
					{
						x := (q2 + avg + 1024*swL - q1<<1) >> 1 & swM15
						x = dbkMax(dbkMin(x, k.hi0), k.lo0)
						nq1 ^= (nq1 ^ (q1 + x - 512*swL)) & dbkExpand(aq)
					}
				}
				c6, c7, c8, c9 = np1, np0, nq0, nq1
			}
		}
		{
			k := kI
			p2, p1, p0, q0, q1, q2 := c9, c10, c11, c12, c13, c14
			// bS 3 (§8.7.2.3, chromaStyleFilteringFlag 0): p2..q2 in, np1..nq1 out.
			f := dbkLT(p0, q0, k.ca) & dbkLT(p1, p0, k.cb) & dbkLT(q1, q0, k.cb) & swH // filterSamplesFlag (8-464)
			if f != 0 {
				ap := f & dbkLT(p2, p0, k.cb) // ap < beta (and filtered), bit 15
				aq := f & dbkLT(q2, q0, k.cb)
				tc := k.tc0 + ap>>15 + aq>>15 // equation 8-468
				// delta = Clip3(-tC, tC, (((q0 - p0) << 2) + (p1 - q1) + 4) >> 3),
				// biased by 512 (4096 before the shift).
				d := (q0<<2 + p1 + (4096+4)*swL - p0<<2 - q1) >> 3 & swM13
				d = dbkMax(dbkMin(d, 512*swL+tc), 512*swL-tc)
				fm := dbkExpand(f)
				// p'0 = Clip1(p0 + delta), q'0 = Clip1(q0 - delta) (8-470, 8-471); the
				// lanes hold the results + 256, which need no clipping when all are in
				// 256..511.
				ep, eq := p0+d-256*swL, q0+768*swL-d
				if ((ep^0x100*swL)|(eq^0x100*swL))&(0xff00*swL) != 0 {
					ep, eq = dbkClip255(ep), dbkClip255(eq)
				}
				np0 := p0 ^ (p0^ep&swFF)&fm
				nq0 := q0 ^ (q0^eq&swFF)&fm
				np1, nq1 := p1, q1
				{
					// p'1 = p1 + Clip3(-tC0, tC0, (p2 + ((p0 + q0 + 1) >> 1) - (p1 << 1)) >> 1)
					// when ap < beta (8-472), biased by 512; q'1 alike (8-477).
					avg := (p0 + q0 + swL) >> 1 & swM15
					{
						x := (p2 + avg + 1024*swL - p1<<1) >> 1 & swM15
						x = dbkMax(dbkMin(x, k.hi0), k.lo0)
						np1 ^= (np1 ^ (p1 + x - 512*swL)) & dbkExpand(ap)
					}
					{
						x := (q2 + avg + 1024*swL - q1<<1) >> 1 & swM15
						x = dbkMax(dbkMin(x, k.hi0), k.lo0)
						nq1 ^= (nq1 ^ (q1 + x - 512*swL)) & dbkExpand(aq)
					}
				}
				c10, c11, c12, c13 = np1, np0, nq0, nq1
			}
		}
		{
			k := kI
			p2, p1, p0, q0, q1, q2 := c13, c14, c15, c16, c17, c18
			// bS 3 (§8.7.2.3, chromaStyleFilteringFlag 0): p2..q2 in, np1..nq1 out.
			f := dbkLT(p0, q0, k.ca) & dbkLT(p1, p0, k.cb) & dbkLT(q1, q0, k.cb) & swH // filterSamplesFlag (8-464)
			if f != 0 {
				ap := f & dbkLT(p2, p0, k.cb) // ap < beta (and filtered), bit 15
				aq := f & dbkLT(q2, q0, k.cb)
				tc := k.tc0 + ap>>15 + aq>>15 // equation 8-468
				// delta = Clip3(-tC, tC, (((q0 - p0) << 2) + (p1 - q1) + 4) >> 3),
				// biased by 512 (4096 before the shift).
				d := (q0<<2 + p1 + (4096+4)*swL - p0<<2 - q1) >> 3 & swM13
				d = dbkMax(dbkMin(d, 512*swL+tc), 512*swL-tc)
				fm := dbkExpand(f)
				// p'0 = Clip1(p0 + delta), q'0 = Clip1(q0 - delta) (8-470, 8-471); the
				// lanes hold the results + 256, which need no clipping when all are in
				// 256..511.
				ep, eq := p0+d-256*swL, q0+768*swL-d
				if ((ep^0x100*swL)|(eq^0x100*swL))&(0xff00*swL) != 0 {
					ep, eq = dbkClip255(ep), dbkClip255(eq)
				}
				np0 := p0 ^ (p0^ep&swFF)&fm
				nq0 := q0 ^ (q0^eq&swFF)&fm
				np1, nq1 := p1, q1
				{
					// p'1 = p1 + Clip3(-tC0, tC0, (p2 + ((p0 + q0 + 1) >> 1) - (p1 << 1)) >> 1)
					// when ap < beta (8-472), biased by 512; q'1 alike (8-477).
					avg := (p0 + q0 + swL) >> 1 & swM15
					{
						x := (p2 + avg + 1024*swL - p1<<1) >> 1 & swM15
						x = dbkMax(dbkMin(x, k.hi0), k.lo0)
						np1 ^= (np1 ^ (p1 + x - 512*swL)) & dbkExpand(ap)
					}
					{
						x := (q2 + avg + 1024*swL - q1<<1) >> 1 & swM15
						x = dbkMax(dbkMin(x, k.hi0), k.lo0)
						nq1 ^= (nq1 ^ (q1 + x - 512*swL)) & dbkExpand(aq)
					}
				}
				c14, c15, c16, c17 = np1, np0, nq0, nq1
			}
		}
		var a, b, c, d uint64
		a, b, c, d = dbkTr4(c0, c1, c2, c3)
		dbkSt4((*[4]uint16)(r0[0:4]), a)
		dbkSt4((*[4]uint16)(r1[0:4]), b)
		dbkSt4((*[4]uint16)(r2[0:4]), c)
		dbkSt4((*[4]uint16)(r3[0:4]), d)
		a, b, c, d = dbkTr4(c4, c5, c6, c7)
		dbkSt4((*[4]uint16)(r0[4:8]), a)
		dbkSt4((*[4]uint16)(r1[4:8]), b)
		dbkSt4((*[4]uint16)(r2[4:8]), c)
		dbkSt4((*[4]uint16)(r3[4:8]), d)
		a, b, c, d = dbkTr4(c8, c9, c10, c11)
		dbkSt4((*[4]uint16)(r0[8:12]), a)
		dbkSt4((*[4]uint16)(r1[8:12]), b)
		dbkSt4((*[4]uint16)(r2[8:12]), c)
		dbkSt4((*[4]uint16)(r3[8:12]), d)
		a, b, c, d = dbkTr4(c12, c13, c14, c15)
		dbkSt4((*[4]uint16)(r0[12:16]), a)
		dbkSt4((*[4]uint16)(r1[12:16]), b)
		dbkSt4((*[4]uint16)(r2[12:16]), c)
		dbkSt4((*[4]uint16)(r3[12:16]), d)
		a, b, c, d = dbkTr4(c16, c17, c18, c19)
		dbkSt4((*[4]uint16)(r0[16:20]), a)
		dbkSt4((*[4]uint16)(r1[16:20]), b)
		dbkSt4((*[4]uint16)(r2[16:20]), c)
		dbkSt4((*[4]uint16)(r3[16:20]), d)
	}
}
