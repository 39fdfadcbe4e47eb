package h264

import "github.com/stills/stills/decode"

// The deblocking filter process, ITU-T H.264 (08/2021) §8.7, for frame
// pictures (MbaffFrameFlag == 0, field_pic_flag == 0: field and MBAFF
// coding are rejected before a picture reaches this file).
//
// Layout of one edge as the filter sees it (§8.7.2, Figure 8-11): the
// samples p3 p2 p1 p0 | q0 q1 q2 q3 run across the edge, p on the left (or
// above) in the macroblock or block already passed, q in the current one.
// A vertical edge is filtered row by row, a horizontal edge column by column.
//
// Work per picture: macroblocks in raster order; in each, the luma vertical
// edges left to right, then the luma horizontal edges top to bottom, then
// the same for Cb and then Cr (§8.7). Every edge reads the samples the
// previous edges already filtered. Nothing here allocates.

// dbkAlpha is Table 8-16: alpha' by indexA.
var dbkAlpha = [52]uint8{
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	4, 4, 5, 6, 7, 8, 9, 10, 12, 13, 15, 17, 20, 22, 25, 28,
	32, 36, 40, 45, 50, 56, 63, 71, 80, 90, 101, 113, 127, 144, 162, 182,
	203, 226, 255, 255,
}

// dbkBeta is Table 8-16: beta' by indexB.
var dbkBeta = [52]uint8{
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 6, 6, 7, 7, 8, 8,
	9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15, 16, 16,
	17, 17, 18, 18,
}

// dbkTC0 is Table 8-17: tC0' by indexA and bS (columns bS = 1, 2, 3;
// column 0 is unused and zero).
var dbkTC0 = [52][4]uint8{
	{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, // 0..16
	{0, 0, 0, 1}, {0, 0, 0, 1}, {0, 0, 0, 1}, {0, 0, 0, 1}, // 17..20
	{0, 0, 1, 1}, {0, 0, 1, 1}, {0, 1, 1, 1}, {0, 1, 1, 1}, // 21..24
	{0, 1, 1, 1}, {0, 1, 1, 1}, {0, 1, 1, 2}, {0, 1, 1, 2}, // 25..28
	{0, 1, 1, 2}, {0, 1, 1, 2}, {0, 1, 2, 3}, {0, 1, 2, 3}, // 29..32
	{0, 2, 2, 3}, {0, 2, 2, 4}, {0, 2, 3, 4}, {0, 2, 3, 4}, // 33..36
	{0, 3, 3, 5}, {0, 3, 4, 6}, {0, 3, 4, 6}, {0, 4, 5, 7}, // 37..40
	{0, 4, 5, 8}, {0, 4, 6, 9}, {0, 5, 7, 10}, {0, 6, 8, 11}, // 41..44
	{0, 6, 8, 13}, {0, 7, 10, 14}, {0, 8, 11, 16}, {0, 9, 12, 18}, // 45..48
	{0, 10, 13, 20}, {0, 11, 15, 23}, {0, 13, 17, 25}, // 49..51
}

// dbkChromaQPTab is Table 8-15: QPC for qPI = 30..51 (below 30, QPC = qPI).
var dbkChromaQPTab = [22]int8{
	29, 30, 31, 32, 32, 33, 34, 34, 35, 35, 36, 36, 37, 37, 37, 38, 38, 38, 39, 39, 39, 39,
}

// dbkChromaQP maps a macroblock's QPY to the QPC its chroma edges use in
// §8.7.2.2: qPI = Clip3(-QpBdOffsetC, 51, QPY + qPOffset), then Table 8-15
// (§8.5.8, equation 8-313). The result is QPC, not QP'C.
func dbkChromaQP(qpY, qpOffset, qpBdOffsetC int) int {
	qpi := qpY + qpOffset
	if qpi < -qpBdOffsetC {
		qpi = -qpBdOffsetC
	}
	if qpi > 51 {
		qpi = 51
	}
	if qpi < 30 {
		return qpi
	}
	return int(dbkChromaQPTab[qpi-30])
}

// dbkEdge holds what the sample filters need for one edge (§8.7.2.1–8.7.2.4),
// computed once per edge.
type dbkEdge struct {
	alpha, beta int32    // alpha and beta of Table 8-16, scaled to the bit depth
	tc0         [4]int32 // tC0 by bS (1..3) of Table 8-17, scaled to the bit depth
	maxV        int32    // (1 << BitDepth) - 1, for Clip1
	// bS by 4-luma-sample segment along the edge (§8.7.2.1). For frame
	// coding bS is constant over each 4-sample segment of a luma edge.
	bS [4]uint8
	// keepP, keepQ: the p (q) side is a lossless macroblock
	// (qpprime_y_zero_transform_bypass_flag == 1 and QP'Y == 0), whose
	// samples the filter does not modify (§8.7.2, last paragraph).
	keepP, keepQ bool
	// keepPMask, keepQMask: -1 when keepP (keepQ), else 0; set by set().
	keepPMask, keepQMask int32
}

// set derives alpha, beta and tC0 for an edge from qPav and the current
// slice's filter offsets, and the keep masks from keepP and keepQ (set
// those first), (§8.7.2.2, equations 8-460..8-463 and 8-469/8-470).
// It reports false when no sample of the edge can be filtered (alpha or
// beta is 0, so filterSamplesFlag is 0 everywhere).
func (e *dbkEdge) set(qPav, offA, offB, bitDepth int) bool {
	indexA := qPav + offA
	if indexA < 0 {
		indexA = 0
	} else if indexA > 51 {
		indexA = 51
	}
	indexB := qPav + offB
	if indexB < 0 {
		indexB = 0
	} else if indexB > 51 {
		indexB = 51
	}
	sh := uint(bitDepth - 8)
	e.alpha = int32(dbkAlpha[indexA]) << sh
	e.beta = int32(dbkBeta[indexB]) << sh
	if e.alpha == 0 || e.beta == 0 {
		return false
	}
	t := &dbkTC0[indexA]
	e.tc0 = [4]int32{0, int32(t[1]) << sh, int32(t[2]) << sh, int32(t[3]) << sh}
	e.maxV = 1<<uint(bitDepth) - 1
	e.keepPMask, e.keepQMask = 0, 0
	if e.keepP {
		e.keepPMask = -1
	}
	if e.keepQ {
		e.keepQMask = -1
	}
	return true
}

// dbkAbs is |x| without a branch.
func dbkAbs(x int32) int32 {
	m := x >> 31
	return (x ^ m) - m
}

// dbkNoSWAR turns the four-lines-at-a-time path (deblock_swar.go) off;
// tests set it to compare that path with the general one.
var dbkNoSWAR bool

// deblocker holds the per-picture state of the deblocking filter: set up
// by init, then used by rows for the macroblock rows in raster order.
type deblocker struct {
	p           *picture
	qpBdOffsetY int
	qpBdOffsetC int
	chromaStyle bool   // ChromaArrayType is 1 or 2: chroma edges use the chroma filter (chromaStyleFilteringFlag)
	subW, subH  int    // SubWidthC, SubHeightC
	hasChroma   bool   // chroma planes are filtered
	swar        bool   // the picture takes deblockSWARRows (dbkSWEligible)
	sink        uint16 // deblocker.touch's loads

	// State of deblockSWARRows kept from one call to the next: the
	// parameters of the slice of the last macroblock filtered.
	cur    int32        // that slice's index; -1 before the first
	cvalid bool         // cmap and coff are set
	coff   [2]int       // chroma_qp_index_offset, second_chroma_qp_index_offset of cmap
	cmap   [2][64]uint8 // QPC by QPY (0..51) for Cb and Cr (Table 8-15, qPOffset of the slice)
	csame  bool         // cmap[0] and cmap[1] are the same (the two offsets are)
	tab    dbkSWTab     // sample filter parameters for the slice's offsets
}

// deblockPicture applies the deblocking filter process (§8.7) to a fully
// decoded picture in place, using p.mbs and p.slices. Macroblocks with
// slice == -1 (never decoded) are left as they are, and so are the edges
// they share with decoded ones.
func deblockPicture(p *picture) {
	var d deblocker
	if d.init(p) {
		d.rows(0, p.heightMbs)
	}
}

// init prepares d to filter picture p. It reports false when p is not a
// picture this filter can address (the core never makes one); rows must not
// be called then.
func (d *deblocker) init(p *picture) bool {
	if p.widthMbs <= 0 || p.heightMbs <= 0 || len(p.mbs) < p.widthMbs*p.heightMbs ||
		p.yStride < 16*p.widthMbs || len(p.y) < p.yStride*16*p.heightMbs ||
		p.bitDepthY < 8 || p.bitDepthY > 14 {
		return false
	}
	d.p = p
	d.qpBdOffsetY = 6 * (p.bitDepthY - 8)
	d.qpBdOffsetC = 6 * (p.bitDepthC - 8)
	d.chromaStyle, d.subW, d.subH = false, 0, 0
	d.cur, d.cvalid = -1, false
	hasChroma := p.chromaFormat != decode.Chroma400 && p.mbWidthC > 0 && p.mbHeightC > 0
	if hasChroma {
		sw, sh := p.chromaFormat.SubWidthHeight()
		need := p.cStride * p.mbHeightC * p.heightMbs
		if sw == 0 || p.mbWidthC != 16/sw || p.mbHeightC != 16/sh || p.cStride < p.mbWidthC*p.widthMbs ||
			len(p.cb) < need || len(p.cr) < need || p.bitDepthC < 8 || p.bitDepthC > 14 {
			hasChroma = false // inconsistent chroma geometry: filter luma only
		}
	}
	if hasChroma {
		d.subW, d.subH = p.chromaFormat.SubWidthHeight()
		d.chromaStyle = p.chromaFormat != decode.Chroma444
	}
	d.hasChroma = hasChroma
	d.swar = dbkSWEligible(p, hasChroma) && !dbkNoSWAR
	return true
}

// rows filters the macroblocks of rows from..to-1 (0 <= from <= to <=
// heightMbs). Filtering the whole picture in several calls with adjacent
// ranges, top to bottom, gives the result of one call: the order of the
// macroblocks is raster order either way (§8.7).
func (d *deblocker) rows(from, to int) {
	p := d.p
	from, to = max(from, 0), min(to, p.heightMbs)
	if d.swar {
		d.deblockSWARRows(from, to)
		return
	}
	for addr := from * p.widthMbs; addr < to*p.widthMbs; addr++ {
		d.mb(addr, d.hasChroma)
	}
}

// lumaQP is the qPp/qPq of §8.7.2.2 for a luma edge: 0 for I_PCM, else QPY.
func (d *deblocker) lumaQP(mb *mbInfo) int {
	if mb.mbType == mbTypeIPCM {
		return 0
	}
	return int(mb.qpY)
}

// lossless reports whether a macroblock is coded with the transform bypass
// (qpprime_y_zero_transform_bypass_flag == 1 and QP'Y == 0, §8.7.2).
func (d *deblocker) lossless(mb *mbInfo) bool {
	return d.p.qpprimeYZeroTransformBypass && int(mb.qpY)+d.qpBdOffsetY == 0
}

// intraBS derives bS (§8.7.2.1) for an edge between two macroblocks of
// intra slices of a frame: 4 on a macroblock edge, 3 inside a macroblock.
// P-slice rules (mixedModeEdgeFlag, coefficients, motion) plug in here.
func intraBS(mbEdge bool) [4]uint8 {
	if mbEdge {
		return [4]uint8{4, 4, 4, 4}
	}
	return [4]uint8{3, 3, 3, 3}
}

// mb filters the edges of the macroblock at address addr (§8.7, the steps
// for one macroblock).
func (d *deblocker) mb(addr int, hasChroma bool) {
	p := d.p
	mb := &p.mbs[addr]
	if mb.slice < 0 || int(mb.slice) >= len(p.slices) {
		return
	}
	sl := &p.slices[mb.slice]
	idc := sl.disableDeblockingFilterIdc
	if idc == 1 {
		return
	}
	mbx, mby := addr%p.widthMbs, addr/p.widthMbs
	// filterLeftMbEdgeFlag / filterTopMbEdgeFlag: no edge at the picture
	// border; with idc 2 none towards another slice (mbAddrA/B not
	// available, §6.4.9). An undecoded neighbour is never filtered against.
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
	offA, offB := int(sl.filterOffsetA), int(sl.filterOffsetB)
	keepQ := d.lossless(mb)

	// Luma (chromaEdgeFlag = 0).
	var es [4]dbkEdge
	mask := d.edges(&es, mb, left, dbkLumaQP, p.bitDepthY, offA, offB, keepQ, 4)
	org := mby*16*p.yStride + mbx*16
	if mask != 0 {
		dbkLumaVEdges(p.y, org, p.yStride, &es, mask)
	}
	mask = d.edges(&es, mb, top, dbkLumaQP, p.bitDepthY, offA, offB, keepQ, 4)
	for k := 0; k < 4; k++ {
		if mask>>uint(k)&1 != 0 {
			dbkLumaH(p.y, org+4*k*p.yStride, p.yStride, &es[k])
		}
	}
	if !hasChroma {
		return
	}
	// Chroma (chromaEdgeFlag = 1): Cb with chroma_qp_index_offset, Cr with
	// second_chroma_qp_index_offset.
	d.chroma(p.cb, int(sl.chromaQpIndexOffset), mb, left, top, mbx, mby, offA, offB, keepQ)
	d.chroma(p.cr, int(sl.secondChromaQpIndexOffset), mb, left, top, mbx, mby, offA, offB, keepQ)
}

// edges prepares the n edges (4 luma-style, or MbWidthC/4 or MbHeightC/4
// chroma-style) of one direction of a macroblock: edge 0 is the macroblock
// edge towards nb (nil when it is not filtered), edges 1..n-1 are inside.
// qpOff == dbkLumaQP selects luma QPs, otherwise chroma QPs with that
// chroma_qp_index_offset. It returns a bit mask of the edges that may
// filter a sample. A luma-style edge set honours
// transform_size_8x8_flag (n == 4 with luma rules).
func (d *deblocker) edges(es *[4]dbkEdge, mb, nb *mbInfo, qpOff, bitDepth, offA, offB int, keepQ bool, n int) uint8 {
	var mask uint8
	if nb != nil {
		e := &es[0]
		e.keepP, e.keepQ = d.lossless(nb), keepQ
		if e.set((d.edgeQP(nb, qpOff)+d.edgeQP(mb, qpOff)+1)>>1, offA, offB, bitDepth) {
			e.bS = intraBS(true)
			mask = 1
		}
	}
	// The internal edges share one QP (the current macroblock's), so one
	// set of parameters.
	in := &es[1]
	in.keepP, in.keepQ = keepQ, keepQ
	if !in.set(d.edgeQP(mb, qpOff), offA, offB, bitDepth) {
		return mask
	}
	in.bS = intraBS(false)
	skipOdd := mb.transform8x8 && n == 4 && (qpOff == dbkLumaQP || !d.chromaStyle)
	for k := 1; k < n; k++ {
		if k&1 == 1 && skipOdd {
			continue
		}
		if k > 1 {
			es[k] = *in
		}
		mask |= 1 << uint(k)
	}
	return mask
}

// edgeQP is qPp or qPq of §8.7.2.2 for macroblock m: QPY for luma edges
// (qpOff == dbkLumaQP), else QPC with chroma_qp_index_offset qpOff.
func (d *deblocker) edgeQP(m *mbInfo, qpOff int) int {
	if qpOff == dbkLumaQP {
		return d.lumaQP(m)
	}
	return dbkChromaQP(d.lumaQP(m), qpOff, d.qpBdOffsetC)
}

// dbkLumaQP selects luma QPs in edges (chroma offsets are any int8).
const dbkLumaQP = -1 << 10

// chroma filters the edges of one chroma plane of a macroblock. For
// ChromaArrayType 1 and 2 the chroma filter (chromaStyleFilteringFlag = 1)
// runs on the edges of the 4x4 chroma transform blocks: vertical at x = 0, 4
// and horizontal at y = 0, 4 (and 8, 12 for 4:2:2, whose chroma is 16 rows
// high). For ChromaArrayType 3 the edges and filters are those of luma,
// including the transform_size_8x8_flag rule. bS of a chroma sample is the
// bS of the luma sample at (SubWidthC*x, SubHeightC*y) (§8.7.2.1); the QP is
// QPC of each side, averaged (§8.7.2.2).
func (d *deblocker) chroma(pl []uint16, qpOff int, mb, left, top *mbInfo, mbx, mby, offA, offB int, keepQ bool) {
	p := d.p
	cs := p.cStride
	org := mby*p.mbHeightC*cs + mbx*p.mbWidthC
	var es [4]dbkEdge
	if !d.chromaStyle {
		mask := d.edges(&es, mb, left, qpOff, p.bitDepthC, offA, offB, keepQ, 4)
		if mask != 0 {
			dbkLumaVEdges(pl, org, cs, &es, mask)
		}
		mask = d.edges(&es, mb, top, qpOff, p.bitDepthC, offA, offB, keepQ, 4)
		for k := 0; k < 4; k++ {
			if mask>>uint(k)&1 != 0 {
				dbkLumaH(pl, org+4*k*cs, cs, &es[k])
			}
		}
		return
	}
	// 4:2:0 and 4:2:2: MbWidthC is 8, so the vertical edges are x = 0, 4;
	// horizontal edges every 4 rows of MbHeightC (8 or 16). Rows of a
	// vertical edge map to luma rows SubHeightC*k, columns of a horizontal
	// edge to luma columns SubWidthC*k: the bS segment is (k*Sub)>>2.
	segV := uint(2) // rows per bS segment: 4 luma rows = 4/SubHeightC chroma rows
	if d.subH == 2 {
		segV = 1
	}
	mask := d.edges(&es, mb, left, qpOff, p.bitDepthC, offA, offB, keepQ, p.mbWidthC/4)
	if mask != 0 {
		dbkChromaVEdges(pl, org, cs, p.mbHeightC, segV, &es, mask)
	}
	mask = d.edges(&es, mb, top, qpOff, p.bitDepthC, offA, offB, keepQ, p.mbHeightC/4)
	for k := 0; k < p.mbHeightC/4; k++ {
		if mask>>uint(k)&1 != 0 {
			dbkChromaH(pl, org+4*k*cs, cs, &es[k])
		}
	}
}

// dbkLumaVEdges filters the vertical luma-style edges x = 4k (bit k of
// mask) of a 16-row macroblock whose top-left sample is pl[org]. A vertical
// edge reads and writes only its own row, so the rows are taken one by one
// and, within a row, the edges left to right: the order of §8.7 with
// sequential memory access.
func dbkLumaVEdges(pl []uint16, org, stride int, es *[4]dbkEdge, mask uint8) {
	if dbkAllUniform(es, mask) {
		// Rows are independent for vertical edges: edge by edge over the
		// 16 rows gives the same samples as row by row.
		for k := 0; k < 4; k++ {
			if mask>>uint(k)&1 != 0 {
				dbkLumaV(pl, org+4*k, stride, 16, es[k].bS[0], &es[k])
			}
		}
		return
	}
	// Each row is taken from p3 of the first edge filtered: from x = -4
	// when the macroblock edge is filtered, else from x = 0 (the picture's
	// left border may be there).
	sh := 0
	if mask&1 != 0 {
		sh = 4
	}
	for i := 0; i < 16; i++ {
		o := org + i*stride
		row := pl[o-sh : o+16 : o+16]
		seg := i >> 2
		for k := 0; k < 4; k++ {
			if mask>>uint(k)&1 == 0 {
				continue
			}
			e := &es[k]
			bs := e.bS[seg]
			if bs == 0 {
				continue
			}
			s := (*[8]uint16)(row[4*k+sh-4 : 4*k+sh+4])
			if e.keepP || e.keepQ {
				save := *s
				dbkLumaLine(s, bs, e)
				if e.keepP {
					copy(s[:4], save[:4])
				}
				if e.keepQ {
					copy(s[4:], save[4:])
				}
				continue
			}
			dbkLumaLine(s, bs, e)
		}
	}
}

// dbkLumaLine filters one line p3 p2 p1 p0 q0 q1 q2 q3 of a luma-style edge
// (chromaStyleFilteringFlag == 0): filterSamplesFlag (equation 8-464),
// then §8.7.2.3 for bS < 4 or §8.7.2.4 for bS == 4. The conditions ap < beta,
// aq < beta and the strong-filter test are turned into masks (-1 true, 0
// false) rather than branches: they are unpredictable on real pictures.
func dbkLumaLine(s *[8]uint16, bs uint8, e *dbkEdge) {
	alpha, beta := e.alpha, e.beta
	p0, q0 := int32(s[3]), int32(s[4])
	p1, q1 := int32(s[2]), int32(s[5])
	if dbkAbs(p0-q0) >= alpha || dbkAbs(p1-p0) >= beta || dbkAbs(q1-q0) >= beta {
		return
	}
	p2, q2 := int32(s[1]), int32(s[6])
	apm := (dbkAbs(p2-p0) - beta) >> 31 // -1 when ap < beta
	aqm := (dbkAbs(q2-q0) - beta) >> 31
	if bs < 4 {
		tc0 := e.tc0[bs&3]
		tc := tc0 - apm - aqm // tC0 + (ap < beta) + (aq < beta), equation 8-473
		delta := min(max((((q0-p0)<<2)+(p1-q1)+4)>>3, -tc), tc)
		avg := (p0 + q0 + 1) >> 1
		s[3] = uint16(min(max(p0+delta, 0), e.maxV))
		s[4] = uint16(min(max(q0-delta, 0), e.maxV))
		s[2] = uint16(p1 + (min(max((p2+avg-(p1<<1))>>1, -tc0), tc0) & apm))
		s[5] = uint16(q1 + (min(max((q2+avg-(q1<<1))>>1, -tc0), tc0) & aqm))
		return
	}
	strong := (dbkAbs(p0-q0) - ((alpha >> 2) + 2)) >> 31 // -1 when |p0-q0| < (alpha>>2)+2
	pm, qm := apm&strong, aqm&strong
	p3, q3 := int32(s[0]), int32(s[7])
	wp0 := (2*p1 + p0 + q1 + 2) >> 2
	wq0 := (2*q1 + q0 + p1 + 2) >> 2
	sp0 := (p2 + 2*p1 + 2*p0 + 2*q0 + q1 + 4) >> 3
	sp1 := (p2 + p1 + p0 + q0 + 2) >> 2
	sp2 := (2*p3 + 3*p2 + p1 + p0 + q0 + 4) >> 3
	sq0 := (p1 + 2*p0 + 2*q0 + 2*q1 + q2 + 4) >> 3
	sq1 := (p0 + q0 + q1 + q2 + 2) >> 2
	sq2 := (2*q3 + 3*q2 + q1 + q0 + p0 + 4) >> 3
	s[3] = uint16(wp0 ^ ((wp0 ^ sp0) & pm))
	s[2] = uint16(p1 ^ ((p1 ^ sp1) & pm))
	s[1] = uint16(p2 ^ ((p2 ^ sp2) & pm))
	s[4] = uint16(wq0 ^ ((wq0 ^ sq0) & qm))
	s[5] = uint16(q1 ^ ((q1 ^ sq1) & qm))
	s[6] = uint16(q2 ^ ((q2 ^ sq2) & qm))
}

// dbkLumaH filters the 16 columns of a horizontal luma-style edge whose q0
// of column 0 is pl[off]; the same equations as dbkLumaLine, inline.
func dbkLumaH(pl []uint16, off, stride int, e *dbkEdge) {
	if bs, ok := dbkUniform(e); ok {
		dbkLumaH16(pl, off, stride, bs, e)
		return
	}
	if e.keepP || e.keepQ {
		dbkLumaHKeep(pl, off, stride, e)
		return
	}
	alpha, beta, maxV := e.alpha, e.beta, e.maxV
	rp3 := pl[off-4*stride : off-4*stride+16]
	rp2 := pl[off-3*stride : off-3*stride+16]
	rp1 := pl[off-2*stride : off-2*stride+16]
	rp0 := pl[off-stride : off-stride+16]
	rq0 := pl[off : off+16]
	rq1 := pl[off+stride : off+stride+16]
	rq2 := pl[off+2*stride : off+2*stride+16]
	rq3 := pl[off+3*stride : off+3*stride+16]
	for i := 0; i < 16; i++ {
		bs := e.bS[i>>2]
		if bs == 0 {
			continue
		}
		p0, q0 := int32(rp0[i]), int32(rq0[i])
		p1, q1 := int32(rp1[i]), int32(rq1[i])
		if dbkAbs(p0-q0) >= alpha || dbkAbs(p1-p0) >= beta || dbkAbs(q1-q0) >= beta {
			continue
		}
		p2, q2 := int32(rp2[i]), int32(rq2[i])
		apm := (dbkAbs(p2-p0) - beta) >> 31
		aqm := (dbkAbs(q2-q0) - beta) >> 31
		if bs < 4 {
			tc0 := e.tc0[bs&3]
			tc := tc0 - apm - aqm
			delta := min(max((((q0-p0)<<2)+(p1-q1)+4)>>3, -tc), tc)
			avg := (p0 + q0 + 1) >> 1
			rp0[i] = uint16(min(max(p0+delta, 0), maxV))
			rq0[i] = uint16(min(max(q0-delta, 0), maxV))
			rp1[i] = uint16(p1 + (min(max((p2+avg-(p1<<1))>>1, -tc0), tc0) & apm))
			rq1[i] = uint16(q1 + (min(max((q2+avg-(q1<<1))>>1, -tc0), tc0) & aqm))
			continue
		}
		strong := (dbkAbs(p0-q0) - ((alpha >> 2) + 2)) >> 31
		pm, qm := apm&strong, aqm&strong
		p3, q3 := int32(rp3[i]), int32(rq3[i])
		wp0 := (2*p1 + p0 + q1 + 2) >> 2
		wq0 := (2*q1 + q0 + p1 + 2) >> 2
		sp0 := (p2 + 2*p1 + 2*p0 + 2*q0 + q1 + 4) >> 3
		sp1 := (p2 + p1 + p0 + q0 + 2) >> 2
		sp2 := (2*p3 + 3*p2 + p1 + p0 + q0 + 4) >> 3
		sq0 := (p1 + 2*p0 + 2*q0 + 2*q1 + q2 + 4) >> 3
		sq1 := (p0 + q0 + q1 + q2 + 2) >> 2
		sq2 := (2*q3 + 3*q2 + q1 + q0 + p0 + 4) >> 3
		rp0[i] = uint16(wp0 ^ ((wp0 ^ sp0) & pm))
		rp1[i] = uint16(p1 ^ ((p1 ^ sp1) & pm))
		rp2[i] = uint16(p2 ^ ((p2 ^ sp2) & pm))
		rq0[i] = uint16(wq0 ^ ((wq0 ^ sq0) & qm))
		rq1[i] = uint16(q1 ^ ((q1 ^ sq1) & qm))
		rq2[i] = uint16(q2 ^ ((q2 ^ sq2) & qm))
	}
}

// dbkLumaHKeep is dbkLumaH for an edge with a lossless side: each column
// is gathered, filtered by dbkLumaLine and written back except on the kept
// side.
func dbkLumaHKeep(pl []uint16, off, stride int, e *dbkEdge) {
	for i := 0; i < 16; i++ {
		bs := e.bS[i>>2]
		if bs == 0 {
			continue
		}
		var s [8]uint16
		for j := range s {
			s[j] = pl[off+(j-4)*stride+i]
		}
		dbkLumaLine(&s, bs, e)
		for j := range s {
			if j < 4 && !e.keepP || j >= 4 && !e.keepQ {
				pl[off+(j-4)*stride+i] = s[j]
			}
		}
	}
}

// dbkChromaVEdges filters the vertical chroma-style edges x = 4k (bit k of
// mask; MbWidthC is 8, so k is 0 or 1) of an n-row chroma macroblock, row
// by row as dbkLumaVEdges does. Row i uses bS segment i>>segShift.
func dbkChromaVEdges(pl []uint16, org, stride, n int, segShift uint, es *[4]dbkEdge, mask uint8) {
	if dbkAllUniform(es, mask&3) {
		for k := 0; k < 2; k++ {
			if mask>>uint(k)&1 != 0 {
				dbkChromaV(pl, org+4*k, stride, n, es[k].bS[0], &es[k])
			}
		}
		return
	}
	sh := 0
	if mask&1 != 0 {
		sh = 2
	}
	for i := 0; i < n; i++ {
		o := org + i*stride
		row := pl[o-sh : o+8 : o+8]
		seg := (i >> segShift) & 3
		for k := 0; k < 2; k++ {
			if mask>>uint(k)&1 == 0 {
				continue
			}
			e := &es[k]
			bs := e.bS[seg]
			if bs == 0 {
				continue
			}
			s := (*[4]uint16)(row[4*k+sh-2 : 4*k+sh+2])
			p1, p0, q0, q1 := int32(s[0]), int32(s[1]), int32(s[2]), int32(s[3])
			np0, nq0 := dbkChromaPair(p1, p0, q0, q1, bs, e)
			s[1], s[2] = uint16(np0), uint16(nq0)
		}
	}
}

// dbkChromaPair returns p'0 and q'0 of the chroma filter
// (chromaStyleFilteringFlag == 1: tC = tC0 + 1 for bS < 4, §8.7.2.3;
// equations 8-485/8-492 for bS == 4, §8.7.2.4), or p0 and q0 unchanged when
// filterSamplesFlag is 0 (equation 8-464) or the side is kept (lossless).
// The choice is made with masks, not branches.
func dbkChromaPair(p1, p0, q0, q1 int32, bs uint8, e *dbkEdge) (int32, int32) {
	// -1 when |p0-q0| < alpha && |p1-p0| < beta && |q1-q0| < beta.
	f := (dbkAbs(p0-q0) - e.alpha) >> 31 & (dbkAbs(p1-p0) - e.beta) >> 31 & (dbkAbs(q1-q0) - e.beta) >> 31
	var np0, nq0 int32
	if bs < 4 {
		tc := e.tc0[bs&3] + 1
		delta := min(max((((q0-p0)<<2)+(p1-q1)+4)>>3, -tc), tc)
		np0, nq0 = min(max(p0+delta, 0), e.maxV), min(max(q0-delta, 0), e.maxV)
	} else {
		np0, nq0 = (2*p1+p0+q1+2)>>2, (2*q1+q0+p1+2)>>2
	}
	fp, fq := f&^e.keepPMask, f&^e.keepQMask
	return p0 ^ ((p0 ^ np0) & fp), q0 ^ ((q0 ^ nq0) & fq)
}

// dbkChromaH filters the 8 columns (MbWidthC) of a horizontal edge with the
// chroma filter. Column i uses bS segment i>>1 (SubWidthC is 2).
func dbkChromaH(pl []uint16, off, stride int, e *dbkEdge) {
	if bs, ok := dbkUniform(e); ok {
		dbkChromaH8(pl, off, stride, bs, e)
		return
	}
	rp1 := (*[8]uint16)(pl[off-2*stride : off-2*stride+8])
	rp0 := (*[8]uint16)(pl[off-stride : off-stride+8])
	rq0 := (*[8]uint16)(pl[off : off+8])
	rq1 := (*[8]uint16)(pl[off+stride : off+stride+8])
	for i := 0; i < 8; i++ {
		bs := e.bS[i>>1]
		if bs == 0 {
			continue
		}
		np0, nq0 := dbkChromaPair(int32(rp1[i]), int32(rp0[i]), int32(rq0[i]), int32(rq1[i]), bs, e)
		rp0[i], rq0[i] = uint16(np0), uint16(nq0)
	}
}
