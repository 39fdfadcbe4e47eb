package h265

// The deblocking filter (§8.7.2).
//
// Every filtered edge of an intra picture has bS = 2 (§8.7.2.4); the edges,
// all on the 8×8 luma grid, were recorded in picture.flags while decoding.
// The standard filters all vertical edges of the picture first, then all
// horizontal ones (§8.7.2.1); deblock does both one CTB row at a time,
// which gives the same result (see deblock). Each 4-sample luma segment and its 2-sample
// chroma segments (on the 16×16 luma grid) are filtered by straight-line
// code specialised for the edge direction, with β and tC looked up per
// QpL in tables made once per slice header (dbParams).

// dbParams holds β and tC (Table 8-12, bS = 2) per QpL for one slice
// header: index QpL+dbQPBias, QpL ≥ -QpBdOffsetY ≥ -48.
type dbParams struct {
	hdr     int32 // index into Decoder.slices, -1 when unset
	log2Ctb uint
	wCtb    int
	beta    [dbQPRange]int32
	tc      [dbQPRange]int32
	tcC     [2][dbQPRange]int32 // Cb, Cr: tC from QpL
	maxY    int32
	maxC    int32
	chroma  bool
}

const (
	dbQPBias  = 64
	dbQPRange = 128
)

// setDBParams fills dp for slice header hi.
func (d *Decoder) setDBParams(dp *dbParams, hi int32) {
	p := &d.pic
	s := p.sps
	hdr := &d.slices[hi]
	dp.hdr = hi
	dp.maxY = int32(1)<<uint(s.bitDepthY) - 1
	dp.maxC = int32(1)<<uint(s.bitDepthC) - 1
	for i := range dp.beta {
		qpL := i - dbQPBias
		bq := min(max(qpL+hdr.betaOffsetDiv2*2, 0), 51)
		tq := min(max(qpL+2+hdr.tcOffsetDiv2*2, 0), 53)
		dp.beta[i] = int32(betaTable[bq] << uint(s.bitDepthY-8))
		dp.tc[i] = int32(tcTable[tq] << uint(s.bitDepthY-8))
		for c := 0; c < 2; c++ {
			off := p.pps.cbQPOffset
			if c == 1 {
				off = p.pps.crQPOffset
			}
			qpi := qpL + off
			qpc := qpi
			if qpi >= 0 {
				qpc = chromaQP420(qpi)
			}
			tq := min(max(qpc+2+hdr.tcOffsetDiv2*2, 0), 53)
			dp.tcC[c][i] = int32(tcTable[tq] << uint(s.bitDepthC-8))
		}
	}
}

// deblock applies the deblocking filter (§8.7.2) to the whole picture and,
// unless the picture uses none, sample adaptive offset (§8.7.3) after it:
// one CTB row at a time, so that each row's samples are filtered while they
// are in the cache. Row r is deblocked (vertical edges, then the horizontal
// edges inside it and on its top boundary, which need the vertical edges of
// rows r-1 and r only), and then SAO is applied to row r-1, whose samples
// and the row below it are final once the top boundary of row r is
// filtered. The result is that of the picture-wide order of §8.7.1.
// applySAO, called next, then has nothing left to do.
func (d *Decoder) deblock() {
	p := &d.pic
	s := p.sps
	dp := &p.db
	dp.hdr = -1
	dp.log2Ctb, dp.wCtb = uint(s.log2Ctb), s.picWCtb
	sao := d.saoBegin()
	ctb4 := s.ctbSize >> 2
	for ry := 0; ry < s.picHCtb; ry++ {
		d.deblockRows(dp, ry*ctb4, min((ry+1)*ctb4, p.h4))
		if sao && ry > 0 {
			d.saoRow(ry - 1)
		}
	}
	if sao {
		d.saoRow(s.picHCtb - 1)
	}
	p.saoDone = true
}

// deblockRows filters the vertical edges of the 4×4 rows y4a..y4b-1 and
// then the horizontal edges at their tops.
func (d *Decoder) deblockRows(dp *dbParams, y4a, y4b int) {
	p := &d.pic
	w4 := p.w4
	// Vertical edges: x a multiple of 8, so x4 even.
	for y4 := y4a; y4 < y4b; y4++ {
		fl := p.flags[y4*w4 : y4*w4+w4]
		for x4 := 2; x4 < len(fl); x4 += 2 {
			if fl[x4]&edgeVer != 0 {
				d.filterEdgeV(dp, x4<<2, y4<<2, y4*w4+x4, y4*w4+x4-1)
			}
		}
	}
	// Horizontal edges: y a multiple of 8 (y4a is even), not 0.
	for y4 := max(y4a, 2); y4 < y4b; y4 += 2 {
		fl := p.flags[y4*w4 : y4*w4+w4]
		for x4, f := range fl {
			if f&edgeHor != 0 {
				d.filterEdgeH(dp, x4<<2, y4<<2, y4*w4+x4, (y4-1)*w4+x4)
			}
		}
	}
}

// filterEdgeV filters the vertical edge segment whose Q block is the 4×4
// block qi at (x, y): 4 luma lines and, on the 16-sample grid, 2 lines of
// each chroma plane.
func (d *Decoder) filterEdgeV(dp *dbParams, x, y, qi, pi int) {
	p := &d.pic
	// β, tC and the pcm/lossless exclusions (edgeParams, inlined).
	if hi := p.ctbHdr[(y>>dp.log2Ctb)*dp.wCtb+x>>dp.log2Ctb]; hi != dp.hdr {
		d.setDBParams(dp, hi)
	}
	qIdx := ((int(p.qp[qi])+int(p.qp[pi])+1)>>1 + dbQPBias) & (dbQPRange - 1)
	noP, noQ := p.flags[pi]&noFilter != 0, p.flags[qi]&noFilter != 0
	beta, tc := dp.beta[qIdx], dp.tc[qIdx]
	if tc > 0 || beta > 0 {
		stride := p.stride[0]
		filterLumaV(p.planes[0][(y*stride+x)-4:], stride, beta, tc, noP, noQ, dp.maxY)
	}
	if x&15 != 0 {
		return
	}
	cs := p.stride[1]
	o := (y>>1)*cs + x>>1
	for c := 0; c < 2; c++ {
		tcC := dp.tcC[c][qIdx]
		if tcC == 0 {
			continue
		}
		pl := p.planes[1+c]
		// Two lines: p1 p0 q0 q1 at r[0:4] and r[cs:cs+4].
		r := pl[o-2 : o+cs+2]
		r0, r1 := r[0:4], r[cs:cs+4]
		d0 := min(max(((int32(r0[2])-int32(r0[1]))<<2+int32(r0[0])-int32(r0[3])+4)>>3, -tcC), tcC)
		d1 := min(max(((int32(r1[2])-int32(r1[1]))<<2+int32(r1[0])-int32(r1[3])+4)>>3, -tcC), tcC)
		if !noP {
			r0[1] = uint16(clip32(int32(r0[1])+d0, dp.maxC))
			r1[1] = uint16(clip32(int32(r1[1])+d1, dp.maxC))
		}
		if !noQ {
			r0[2] = uint16(clip32(int32(r0[2])-d0, dp.maxC))
			r1[2] = uint16(clip32(int32(r1[2])-d1, dp.maxC))
		}
	}
}

// filterEdgeH is filterEdgeV for a horizontal edge.
func (d *Decoder) filterEdgeH(dp *dbParams, x, y, qi, pi int) {
	p := &d.pic
	// β, tC and the pcm/lossless exclusions (edgeParams, inlined).
	if hi := p.ctbHdr[(y>>dp.log2Ctb)*dp.wCtb+x>>dp.log2Ctb]; hi != dp.hdr {
		d.setDBParams(dp, hi)
	}
	qIdx := ((int(p.qp[qi])+int(p.qp[pi])+1)>>1 + dbQPBias) & (dbQPRange - 1)
	noP, noQ := p.flags[pi]&noFilter != 0, p.flags[qi]&noFilter != 0
	beta, tc := dp.beta[qIdx], dp.tc[qIdx]
	if tc > 0 || beta > 0 {
		stride := p.stride[0]
		filterLumaH(p.planes[0], y*stride+x, stride, beta, tc, noP, noQ, dp.maxY)
	}
	if y&15 != 0 {
		return
	}
	cs := p.stride[1]
	o := (y>>1)*cs + x>>1
	for c := 0; c < 2; c++ {
		tcC := dp.tcC[c][qIdx]
		if tcC == 0 {
			continue
		}
		pl := p.planes[1+c]
		rp1 := pl[o-2*cs : o-2*cs+2]
		rp0 := pl[o-cs : o-cs+2]
		rq0 := pl[o : o+2]
		rq1 := pl[o+cs : o+cs+2]
		d0 := min(max(((int32(rq0[0])-int32(rp0[0]))<<2+int32(rp1[0])-int32(rq1[0])+4)>>3, -tcC), tcC)
		d1 := min(max(((int32(rq0[1])-int32(rp0[1]))<<2+int32(rp1[1])-int32(rq1[1])+4)>>3, -tcC), tcC)
		if !noP {
			rp0[0] = uint16(clip32(int32(rp0[0])+d0, dp.maxC))
			rp0[1] = uint16(clip32(int32(rp0[1])+d1, dp.maxC))
		}
		if !noQ {
			rq0[0] = uint16(clip32(int32(rq0[0])-d0, dp.maxC))
			rq0[1] = uint16(clip32(int32(rq0[1])-d1, dp.maxC))
		}
	}
}

func iabs(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

// lumaD gives dp and dq of one line p2..p0 q0..q2 (eq. 8-350 ff.).
func lumaD(p2, p1, p0, q0, q1, q2 int32) (dp, dq int32) {
	return iabs(p2 - 2*p1 + p0), iabs(q2 - 2*q1 + q0)
}

// dSam is the strong filter decision of one line (eq. 8-355 ff.).
func dSam(p3, p0, q0, q3, dpq, beta, tc int32) bool {
	return 2*dpq < beta>>2 && iabs(p3-p0)+iabs(q0-q3) < beta>>3 && iabs(p0-q0) < (5*tc+1)>>1
}

// filterLumaV filters one 4-line luma segment of a vertical edge
// (§8.7.2.5.7). pl[0:8] is line 0 (p3..p0 q0..q3), lines are stride apart.
func filterLumaV(pl []uint16, stride int, beta, tc int32, noP, noQ bool, maxV int32) {
	l0 := pl[0:8]
	l3 := pl[3*stride : 3*stride+8]
	dp0, dq0 := lumaD(int32(l0[1]), int32(l0[2]), int32(l0[3]), int32(l0[4]), int32(l0[5]), int32(l0[6]))
	dp3, dq3 := lumaD(int32(l3[1]), int32(l3[2]), int32(l3[3]), int32(l3[4]), int32(l3[5]), int32(l3[6]))
	// Decisions of §8.7.2.5.3 from lines 0 and 3.
	dpq0, dpq3 := dp0+dq0, dp3+dq3
	if dpq0+dpq3 >= beta {
		return
	}
	strong := dSam(int32(l0[0]), int32(l0[3]), int32(l0[4]), int32(l0[7]), dpq0, beta, tc) &&
		dSam(int32(l3[0]), int32(l3[3]), int32(l3[4]), int32(l3[7]), dpq3, beta, tc)
	side := (beta + beta>>1) >> 3
	dEp, dEq := dp0+dp3 < side, dq0+dq3 < side
	if strong {
		c2 := 2 * tc
		for k := 0; k < 4; k++ {
			r := pl[k*stride : k*stride+8]
			p3, p2, p1, p0 := int32(r[0]), int32(r[1]), int32(r[2]), int32(r[3])
			q0, q1, q2, q3 := int32(r[4]), int32(r[5]), int32(r[6]), int32(r[7])
			if !noP {
				r[3] = uint16(clip3(p0-c2, p0+c2, (p2+2*p1+2*p0+2*q0+q1+4)>>3))
				r[2] = uint16(clip3(p1-c2, p1+c2, (p2+p1+p0+q0+2)>>2))
				r[1] = uint16(clip3(p2-c2, p2+c2, (2*p3+3*p2+p1+p0+q0+4)>>3))
			}
			if !noQ {
				r[4] = uint16(clip3(q0-c2, q0+c2, (p1+2*p0+2*q0+2*q1+q2+4)>>3))
				r[5] = uint16(clip3(q1-c2, q1+c2, (p0+q0+q1+q2+2)>>2))
				r[6] = uint16(clip3(q2-c2, q2+c2, (p0+q0+q1+3*q2+2*q3+4)>>3))
			}
		}
		return
	}
	for k := 0; k < 4; k++ {
		r := pl[k*stride : k*stride+8]
		p2, p1, p0 := int32(r[1]), int32(r[2]), int32(r[3])
		q0, q1, q2 := int32(r[4]), int32(r[5]), int32(r[6])
		delta := (9*(q0-p0) - 3*(q1-p1) + 8) >> 4
		if iabs(delta) >= tc*10 {
			continue
		}
		delta = clip3(-tc, tc, delta)
		if !noP {
			r[3] = uint16(clip32(p0+delta, maxV))
			if dEp {
				dp := clip3(-(tc >> 1), tc>>1, (((p2+p0+1)>>1)-p1+delta)>>1)
				r[2] = uint16(clip32(p1+dp, maxV))
			}
		}
		if !noQ {
			r[4] = uint16(clip32(q0-delta, maxV))
			if dEq {
				dq := clip3(-(tc >> 1), tc>>1, (((q2+q0+1)>>1)-q1-delta)>>1)
				r[5] = uint16(clip32(q1+dq, maxV))
			}
		}
	}
}

// filterLumaH filters one 4-column luma segment of a horizontal edge
// (§8.7.2.5.7). o is the offset of q0 of column 0.
func filterLumaH(pl []uint16, o, stride int, beta, tc int32, noP, noQ bool, maxV int32) {
	rp3 := pl[o-4*stride : o-4*stride+4]
	rp2 := pl[o-3*stride : o-3*stride+4]
	rp1 := pl[o-2*stride : o-2*stride+4]
	rp0 := pl[o-stride : o-stride+4]
	rq0 := pl[o : o+4]
	rq1 := pl[o+stride : o+stride+4]
	rq2 := pl[o+2*stride : o+2*stride+4]
	rq3 := pl[o+3*stride : o+3*stride+4]
	dp0, dq0 := lumaD(int32(rp2[0]), int32(rp1[0]), int32(rp0[0]), int32(rq0[0]), int32(rq1[0]), int32(rq2[0]))
	dp3, dq3 := lumaD(int32(rp2[3]), int32(rp1[3]), int32(rp0[3]), int32(rq0[3]), int32(rq1[3]), int32(rq2[3]))
	// Decisions of §8.7.2.5.3 from lines 0 and 3.
	dpq0, dpq3 := dp0+dq0, dp3+dq3
	if dpq0+dpq3 >= beta {
		return
	}
	strong := dSam(int32(rp3[0]), int32(rp0[0]), int32(rq0[0]), int32(rq3[0]), dpq0, beta, tc) &&
		dSam(int32(rp3[3]), int32(rp0[3]), int32(rq0[3]), int32(rq3[3]), dpq3, beta, tc)
	side := (beta + beta>>1) >> 3
	dEp, dEq := dp0+dp3 < side, dq0+dq3 < side
	if strong {
		c2 := 2 * tc
		for k := 0; k < 4; k++ {
			p3, p2, p1, p0 := int32(rp3[k]), int32(rp2[k]), int32(rp1[k]), int32(rp0[k])
			q0, q1, q2, q3 := int32(rq0[k]), int32(rq1[k]), int32(rq2[k]), int32(rq3[k])
			if !noP {
				rp0[k] = uint16(clip3(p0-c2, p0+c2, (p2+2*p1+2*p0+2*q0+q1+4)>>3))
				rp1[k] = uint16(clip3(p1-c2, p1+c2, (p2+p1+p0+q0+2)>>2))
				rp2[k] = uint16(clip3(p2-c2, p2+c2, (2*p3+3*p2+p1+p0+q0+4)>>3))
			}
			if !noQ {
				rq0[k] = uint16(clip3(q0-c2, q0+c2, (p1+2*p0+2*q0+2*q1+q2+4)>>3))
				rq1[k] = uint16(clip3(q1-c2, q1+c2, (p0+q0+q1+q2+2)>>2))
				rq2[k] = uint16(clip3(q2-c2, q2+c2, (p0+q0+q1+3*q2+2*q3+4)>>3))
			}
		}
		return
	}
	for k := 0; k < 4; k++ {
		p2, p1, p0 := int32(rp2[k]), int32(rp1[k]), int32(rp0[k])
		q0, q1, q2 := int32(rq0[k]), int32(rq1[k]), int32(rq2[k])
		delta := (9*(q0-p0) - 3*(q1-p1) + 8) >> 4
		if iabs(delta) >= tc*10 {
			continue
		}
		delta = clip3(-tc, tc, delta)
		if !noP {
			rp0[k] = uint16(clip32(p0+delta, maxV))
			if dEp {
				dp := clip3(-(tc >> 1), tc>>1, (((p2+p0+1)>>1)-p1+delta)>>1)
				rp1[k] = uint16(clip32(p1+dp, maxV))
			}
		}
		if !noQ {
			rq0[k] = uint16(clip32(q0-delta, maxV))
			if dEq {
				dq := clip3(-(tc >> 1), tc>>1, (((q2+q0+1)>>1)-q1-delta)>>1)
				rq1[k] = uint16(clip32(q1+dq, maxV))
			}
		}
	}
}

func clip3(lo, hi, v int32) int32 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}
