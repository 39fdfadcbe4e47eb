package h264

// Sample filters of §8.7.2.3 and §8.7.2.4 for an edge whose bS is the same
// on all its lines and with no lossless side (keepP and keepQ false): every
// edge of an intra picture (bS is 4 on macroblock edges and 3 inside,
// §8.7.2.1) except next to lossless macroblocks. They do what
// dbkLumaLine/dbkChromaPair do per line, with the bS branch, tC0 and the
// slice bounds taken once per edge rather than once per line: the generic
// functions in deblock.go stay for edges with mixed bS or a kept side.

// The three tests of filterSamplesFlag (|p0-q0| < alpha, |p1-p0| < beta,
// |q1-q0| < beta) are one branch: each difference minus its threshold is
// negative when the test holds (samples and thresholds are below 2^15), so
// the AND of the three is negative exactly when all three hold.

// dbkUniform reports whether the edge can use the functions of this file,
// and its bS.
func dbkUniform(e *dbkEdge) (uint8, bool) {
	b := e.bS[0]
	return b, e.bS == [4]uint8{b, b, b, b} && !e.keepP && !e.keepQ
}

// dbkLumaV filters a vertical luma-style edge (chromaStyleFilteringFlag 0)
// over n rows; pl[off] is q0 of row 0. bS is bs for every row.
func dbkLumaV(pl []uint16, off, stride, n int, bs uint8, e *dbkEdge) {
	alpha, beta, maxV := e.alpha, e.beta, e.maxV
	if bs == 0 || off < 4 || n <= 0 || off+(n-1)*stride+4 > len(pl) {
		return
	}
	if bs < 4 {
		tc0 := e.tc0[bs&3]
		end := off + n*stride
		for o := off; o < end; o += stride {
			s := (*[6]uint16)(pl[o-3 : o+3])
			p0, q0 := int32(s[2]), int32(s[3])
			p1, q1 := int32(s[1]), int32(s[4])
			if (dbkAbs(p0-q0)-alpha)&(dbkAbs(p1-p0)-beta)&(dbkAbs(q1-q0)-beta) >= 0 { // filterSamplesFlag 0 (eq. 8-464): one branch for the three tests
				continue
			}
			p2, q2 := int32(s[0]), int32(s[5])
			apm := (dbkAbs(p2-p0) - beta) >> 31 // -1 when ap < beta
			aqm := (dbkAbs(q2-q0) - beta) >> 31
			tc := tc0 - apm - aqm // equation 8-473
			delta := min(max((((q0-p0)<<2)+(p1-q1)+4)>>3, -tc), tc)
			avg := (p0 + q0 + 1) >> 1
			s[2] = uint16(min(max(p0+delta, 0), maxV))
			s[3] = uint16(min(max(q0-delta, 0), maxV))
			s[1] = uint16(p1 + (min(max((p2+avg-(p1<<1))>>1, -tc0), tc0) & apm))
			s[4] = uint16(q1 + (min(max((q2+avg-(q1<<1))>>1, -tc0), tc0) & aqm))
		}
		return
	}
	strongT := (alpha >> 2) + 2
	end := off + n*stride
	for o := off; o < end; o += stride {
		s := (*[8]uint16)(pl[o-4 : o+4])
		p0, q0 := int32(s[3]), int32(s[4])
		p1, q1 := int32(s[2]), int32(s[5])
		ad := dbkAbs(p0 - q0)
		if (ad-alpha)&(dbkAbs(p1-p0)-beta)&(dbkAbs(q1-q0)-beta) >= 0 { // filterSamplesFlag 0
			continue
		}
		strong := (ad - strongT) >> 31
		// The p side, then the q side (fewer live values: less spilling).
		p2 := int32(s[1])
		pm := (dbkAbs(p2-p0) - beta) >> 31 & strong
		wp0 := (2*p1 + p0 + q1 + 2) >> 2
		sp0 := (p2 + 2*p1 + 2*p0 + 2*q0 + q1 + 4) >> 3
		sp1 := (p2 + p1 + p0 + q0 + 2) >> 2
		sp2 := (2*int32(s[0]) + 3*p2 + p1 + p0 + q0 + 4) >> 3
		s[3] = uint16(wp0 ^ ((wp0 ^ sp0) & pm))
		s[2] = uint16(p1 ^ ((p1 ^ sp1) & pm))
		s[1] = uint16(p2 ^ ((p2 ^ sp2) & pm))
		q2 := int32(s[6])
		qm := (dbkAbs(q2-q0) - beta) >> 31 & strong
		wq0 := (2*q1 + q0 + p1 + 2) >> 2
		sq0 := (p1 + 2*p0 + 2*q0 + 2*q1 + q2 + 4) >> 3
		sq1 := (p0 + q0 + q1 + q2 + 2) >> 2
		sq2 := (2*int32(s[7]) + 3*q2 + q1 + q0 + p0 + 4) >> 3
		s[4] = uint16(wq0 ^ ((wq0 ^ sq0) & qm))
		s[5] = uint16(q1 ^ ((q1 ^ sq1) & qm))
		s[6] = uint16(q2 ^ ((q2 ^ sq2) & qm))
	}
}

// dbkLumaH16 filters the 16 columns of a horizontal luma-style edge whose
// q0 of column 0 is pl[off], with bS bs on every column.
func dbkLumaH16(pl []uint16, off, stride int, bs uint8, e *dbkEdge) {
	alpha, beta, maxV := e.alpha, e.beta, e.maxV
	if bs == 0 || off < 4*stride || off+3*stride+16 > len(pl) {
		return
	}
	rp2 := (*[16]uint16)(pl[off-3*stride : off-3*stride+16])
	rp1 := (*[16]uint16)(pl[off-2*stride : off-2*stride+16])
	rp0 := (*[16]uint16)(pl[off-stride : off-stride+16])
	rq0 := (*[16]uint16)(pl[off : off+16])
	rq1 := (*[16]uint16)(pl[off+stride : off+stride+16])
	rq2 := (*[16]uint16)(pl[off+2*stride : off+2*stride+16])
	if bs < 4 {
		tc0 := e.tc0[bs&3]
		for i := 0; i < 16; i++ {
			p0, q0 := int32(rp0[i]), int32(rq0[i])
			p1, q1 := int32(rp1[i]), int32(rq1[i])
			if (dbkAbs(p0-q0)-alpha)&(dbkAbs(p1-p0)-beta)&(dbkAbs(q1-q0)-beta) >= 0 { // filterSamplesFlag 0 (eq. 8-464): one branch for the three tests
				continue
			}
			p2, q2 := int32(rp2[i]), int32(rq2[i])
			apm := (dbkAbs(p2-p0) - beta) >> 31
			aqm := (dbkAbs(q2-q0) - beta) >> 31
			tc := tc0 - apm - aqm
			delta := min(max((((q0-p0)<<2)+(p1-q1)+4)>>3, -tc), tc)
			avg := (p0 + q0 + 1) >> 1
			rp0[i] = uint16(min(max(p0+delta, 0), maxV))
			rq0[i] = uint16(min(max(q0-delta, 0), maxV))
			rp1[i] = uint16(p1 + (min(max((p2+avg-(p1<<1))>>1, -tc0), tc0) & apm))
			rq1[i] = uint16(q1 + (min(max((q2+avg-(q1<<1))>>1, -tc0), tc0) & aqm))
		}
		return
	}
	rp3 := (*[16]uint16)(pl[off-4*stride : off-4*stride+16])
	rq3 := (*[16]uint16)(pl[off+3*stride : off+3*stride+16])
	strongT := (alpha >> 2) + 2
	for i := 0; i < 16; i++ {
		p0, q0 := int32(rp0[i]), int32(rq0[i])
		p1, q1 := int32(rp1[i]), int32(rq1[i])
		ad := dbkAbs(p0 - q0)
		if (ad-alpha)&(dbkAbs(p1-p0)-beta)&(dbkAbs(q1-q0)-beta) >= 0 { // filterSamplesFlag 0
			continue
		}
		strong := (ad - strongT) >> 31
		// The p side, then the q side (fewer live values: less spilling).
		p2 := int32(rp2[i])
		pm := (dbkAbs(p2-p0) - beta) >> 31 & strong
		wp0 := (2*p1 + p0 + q1 + 2) >> 2
		sp0 := (p2 + 2*p1 + 2*p0 + 2*q0 + q1 + 4) >> 3
		sp1 := (p2 + p1 + p0 + q0 + 2) >> 2
		sp2 := (2*int32(rp3[i]) + 3*p2 + p1 + p0 + q0 + 4) >> 3
		rp0[i] = uint16(wp0 ^ ((wp0 ^ sp0) & pm))
		rp1[i] = uint16(p1 ^ ((p1 ^ sp1) & pm))
		rp2[i] = uint16(p2 ^ ((p2 ^ sp2) & pm))
		q2 := int32(rq2[i])
		qm := (dbkAbs(q2-q0) - beta) >> 31 & strong
		wq0 := (2*q1 + q0 + p1 + 2) >> 2
		sq0 := (p1 + 2*p0 + 2*q0 + 2*q1 + q2 + 4) >> 3
		sq1 := (p0 + q0 + q1 + q2 + 2) >> 2
		sq2 := (2*int32(rq3[i]) + 3*q2 + q1 + q0 + p0 + 4) >> 3
		rq0[i] = uint16(wq0 ^ ((wq0 ^ sq0) & qm))
		rq1[i] = uint16(q1 ^ ((q1 ^ sq1) & qm))
		rq2[i] = uint16(q2 ^ ((q2 ^ sq2) & qm))
	}
}

// dbkChromaV filters a vertical chroma-style edge (chromaStyleFilteringFlag
// 1) over n rows; pl[off] is q0 of row 0. Only p0 and q0 change
// (§8.7.2.3 with tC = tC0 + 1, equations 8-485/8-492 for bS 4).
func dbkChromaV(pl []uint16, off, stride, n int, bs uint8, e *dbkEdge) {
	alpha, beta, maxV := e.alpha, e.beta, e.maxV
	if bs == 0 || off < 2 || n <= 0 || off+(n-1)*stride+2 > len(pl) {
		return
	}
	tc := e.tc0[bs&3] + 1
	for i := 0; i < n; i++ {
		o := off + i*stride
		s := (*[4]uint16)(pl[o-2 : o+2])
		p1, p0, q0, q1 := int32(s[0]), int32(s[1]), int32(s[2]), int32(s[3])
		if (dbkAbs(p0-q0)-alpha)&(dbkAbs(p1-p0)-beta)&(dbkAbs(q1-q0)-beta) >= 0 { // filterSamplesFlag 0 (eq. 8-464): one branch for the three tests
			continue
		}
		if bs < 4 {
			delta := min(max((((q0-p0)<<2)+(p1-q1)+4)>>3, -tc), tc)
			s[1] = uint16(min(max(p0+delta, 0), maxV))
			s[2] = uint16(min(max(q0-delta, 0), maxV))
		} else {
			s[1] = uint16((2*p1 + p0 + q1 + 2) >> 2)
			s[2] = uint16((2*q1 + q0 + p1 + 2) >> 2)
		}
	}
}

// dbkChromaH8 filters the 8 columns (MbWidthC) of a horizontal chroma-style
// edge whose q0 of column 0 is pl[off].
func dbkChromaH8(pl []uint16, off, stride int, bs uint8, e *dbkEdge) {
	alpha, beta, maxV := e.alpha, e.beta, e.maxV
	if bs == 0 || off < 2*stride || off+stride+8 > len(pl) {
		return
	}
	rp1 := (*[8]uint16)(pl[off-2*stride : off-2*stride+8])
	rp0 := (*[8]uint16)(pl[off-stride : off-stride+8])
	rq0 := (*[8]uint16)(pl[off : off+8])
	rq1 := (*[8]uint16)(pl[off+stride : off+stride+8])
	tc := e.tc0[bs&3] + 1
	for i := 0; i < 8; i++ {
		p1, p0, q0, q1 := int32(rp1[i]), int32(rp0[i]), int32(rq0[i]), int32(rq1[i])
		if (dbkAbs(p0-q0)-alpha)&(dbkAbs(p1-p0)-beta)&(dbkAbs(q1-q0)-beta) >= 0 { // filterSamplesFlag 0 (eq. 8-464): one branch for the three tests
			continue
		}
		if bs < 4 {
			delta := min(max((((q0-p0)<<2)+(p1-q1)+4)>>3, -tc), tc)
			rp0[i] = uint16(min(max(p0+delta, 0), maxV))
			rq0[i] = uint16(min(max(q0-delta, 0), maxV))
		} else {
			rp0[i] = uint16((2*p1 + p0 + q1 + 2) >> 2)
			rq0[i] = uint16((2*q1 + q0 + p1 + 2) >> 2)
		}
	}
}

// dbkAllUniform reports whether every edge selected by mask is uniform
// (dbkUniform).
func dbkAllUniform(es *[4]dbkEdge, mask uint8) bool {
	for k := range es {
		if mask>>uint(k)&1 != 0 {
			if _, ok := dbkUniform(&es[k]); !ok {
				return false
			}
		}
	}
	return true
}
