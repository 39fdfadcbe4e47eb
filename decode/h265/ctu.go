package h265

import "github.com/stills/stills/decode"

// sliceState is the per-slice-segment decoding state of §7.3.8 and §9.3.
type sliceState struct {
	hdr                  *sliceHeader
	hdrIdx               int32
	qpBdY                int
	qpBdC                int
	log2QG               int // Log2MinCuQpDeltaSize
	ctbAddrRs, ctbAddrTs int
	xCtb, yCtb           int

	isCuQpDeltaCoded bool
	cuQpDeltaVal     int
	qpYPred          int
	qpY              int // QpY of the current CU
	lastQpY          int // QpY of the previous CU in decoding order

	// Current CU.
	bypass     bool
	intraSplit bool
	maxTrDepth int
	chromaMode int
	cuX, cuY   int
}

// avail implements the z-scan availability derivation (§6.4.1) for luma
// locations.
func (d *Decoder) avail(xCurr, yCurr, xN, yN int) bool {
	p := &d.pic
	if xN < 0 || yN < 0 || xN >= p.w || yN >= p.h {
		return false
	}
	if p.zs[(yN>>2)*p.w4+xN>>2] > p.zs[(yCurr>>2)*p.w4+xCurr>>2] {
		return false
	}
	l := p.sps.log2Ctb
	if xN>>l == d.ss.xCtb>>l && yN>>l == d.ss.yCtb>>l {
		return true // inside the current CTB
	}
	ctbN := (yN>>l)*p.sps.picWCtb + xN>>l
	if p.ctbSlice[ctbN] != int32(d.ss.hdr.sliceAddrRs) {
		return false
	}
	return p.tileRs[ctbN] == p.tileRs[d.ss.ctbAddrRs]
}

// decodeSliceSegment decodes slice_segment_data() (§7.3.8.1).
func (d *Decoder) decodeSliceSegment(h *sliceHeader, hdrIdx int, rbsp []byte) error {
	p := &d.pic
	s, pp := p.sps, p.pps
	ss := &d.ss
	*ss = sliceState{hdr: h, hdrIdx: int32(hdrIdx)}
	ss.qpBdY = 6 * (s.bitDepthY - 8)
	ss.qpBdC = 6 * (s.bitDepthC - 8)
	ss.log2QG = s.log2Ctb - pp.diffCuQPDeltaDepth
	nCtb := s.picWCtb * s.picHCtb
	ss.ctbAddrRs = h.segmentAddr
	ss.ctbAddrTs = int(p.rsToTs[ss.ctbAddrRs])
	if h.dependent && d.dsValid == false {
		return decode.FormatError("dependent slice segment without its preceding segment")
	}
	d.cab.start(rbsp, h.dataOffset)
	first := true
	for {
		rs := ss.ctbAddrRs
		ts := ss.ctbAddrTs
		x := rs % s.picWCtb
		y := rs / s.picWCtb
		tileStart := ts == 0 || p.tileRs[rs] != p.tileRs[p.tsToRs[ts-1]]
		rowStart := pp.entropySync && x == p.colBd[p.colOf[x]]
		if p.ctbSlice[rs] != -1 {
			return decode.FormatError("CTB decoded twice (overlapping slice segments)")
		}
		p.ctbSlice[rs] = int32(h.sliceAddrRs)
		p.ctbHdr[rs] = int32(hdrIdx)
		// Context variable initialisation and synchronisation (§9.3.1).
		switch {
		case first && !h.dependent, tileStart:
			initContexts(&d.cab.ctx, h.qpY)
			ss.lastQpY = h.qpY
		case rowStart:
			if s.picWCtb > 1 && x+1 < s.picWCtb && y > 0 && p.ctbSlice[rs-s.picWCtb+1] == int32(h.sliceAddrRs) && p.tileRs[rs-s.picWCtb+1] == p.tileRs[rs] {
				d.cab.ctx = d.wppCtx
			} else {
				initContexts(&d.cab.ctx, h.qpY)
			}
			ss.lastQpY = h.qpY
		case first:
			d.cab.ctx = d.dsCtx
			ss.lastQpY = d.dsQpY
		}
		first = false
		ss.xCtb, ss.yCtb = x<<s.log2Ctb, y<<s.log2Ctb
		d.decodeCTU()
		if d.cab.overrun() {
			return decode.FormatError("slice data ends inside a coding tree unit")
		}
		if d.err != nil {
			return d.err
		}
		end := d.cab.decodeTerminate()
		if pp.entropySync && x-p.colBd[p.colOf[x]] == 1 {
			d.wppCtx = d.cab.ctx
		}
		ss.ctbAddrTs++
		if end == 1 {
			d.dsCtx = d.cab.ctx
			d.dsQpY = ss.lastQpY
			d.dsValid = true
			return nil
		}
		if ss.ctbAddrTs >= nCtb {
			return decode.FormatError("slice segment runs past the last CTB of the picture")
		}
		ss.ctbAddrRs = int(p.tsToRs[ss.ctbAddrTs])
		nx := ss.ctbAddrRs % s.picWCtb
		if (pp.tiles && p.tileRs[ss.ctbAddrRs] != p.tileRs[rs]) || (pp.entropySync && nx == p.colBd[p.colOf[nx]]) {
			if d.cab.decodeTerminate() != 1 {
				return decode.FormatError("end_of_subset_one_bit is not 1")
			}
			d.cab.start(rbsp, d.cab.alignedEnd())
		}
	}
}

// decodeCTU implements coding_tree_unit() (§7.3.8.2).
func (d *Decoder) decodeCTU() {
	ss := &d.ss
	p := &d.pic
	sp := &p.sao[ss.ctbAddrRs]
	*sp = saoParams{}
	if ss.hdr.saoLuma || ss.hdr.saoChroma {
		d.parseSAO(sp)
	}
	d.codingQuadtree(ss.xCtb, ss.yCtb, p.sps.log2Ctb, 0)
}

// parseSAO implements sao() (§7.3.8.3, §7.4.9.3).
func (d *Decoder) parseSAO(sp *saoParams) {
	ss := &d.ss
	p := &d.pic
	s := p.sps
	rs := ss.ctbAddrRs
	x, y := rs%s.picWCtb, rs/s.picWCtb
	c := &d.cab
	if x > 0 {
		if p.ctbSlice[rs-1] == int32(ss.hdr.sliceAddrRs) && p.tileRs[rs-1] == p.tileRs[rs] {
			if c.decodeBin(&d.cab.ctx[ctxSaoMerge]) == 1 {
				*sp = p.sao[rs-1]
				return
			}
		}
	}
	if y > 0 {
		up := rs - s.picWCtb
		if p.ctbSlice[up] == int32(ss.hdr.sliceAddrRs) && p.tileRs[up] == p.tileRs[rs] {
			if c.decodeBin(&d.cab.ctx[ctxSaoMerge]) == 1 {
				*sp = p.sao[up]
				return
			}
		}
	}
	for cIdx := 0; cIdx < 3; cIdx++ {
		if (cIdx == 0 && !ss.hdr.saoLuma) || (cIdx > 0 && !ss.hdr.saoChroma) {
			continue
		}
		if cIdx == 2 {
			sp.typeIdx[2] = sp.typeIdx[1]
			sp.eoClass[2] = sp.eoClass[1]
		} else {
			t := 0
			if c.decodeBin(&d.cab.ctx[ctxSaoTypeIdx]) == 1 {
				if c.decodeBypass() == 0 {
					t = 1
				} else {
					t = 2
				}
			}
			sp.typeIdx[cIdx] = uint8(t)
		}
		if sp.typeIdx[cIdx] == 0 {
			continue
		}
		bd := s.bitDepthY
		if cIdx > 0 {
			bd = s.bitDepthC
		}
		if bd > 10 {
			bd = 10
		}
		cMax := (1 << (bd - 5)) - 1
		var abs [4]int
		for i := 0; i < 4; i++ {
			v := 0
			for v < cMax && c.decodeBypass() == 1 {
				v++
			}
			abs[i] = v
		}
		if sp.typeIdx[cIdx] == 1 {
			for i := 0; i < 4; i++ {
				if abs[i] != 0 && c.decodeBypass() == 1 {
					abs[i] = -abs[i]
				}
			}
			sp.bandPos[cIdx] = uint8(c.decodeBypassBits(5))
		} else {
			abs[2], abs[3] = -abs[2], -abs[3]
			if cIdx == 0 {
				sp.eoClass[0] = uint8(c.decodeBypassBits(2))
			} else if cIdx == 1 {
				sp.eoClass[1] = uint8(c.decodeBypassBits(2))
			}
		}
		for i := 0; i < 4; i++ {
			sp.offset[cIdx][i] = int16(abs[i])
		}
	}
}

// codingQuadtree implements coding_quadtree() (§7.3.8.4).
func (d *Decoder) codingQuadtree(x0, y0, log2Cb, depth int) {
	p := &d.pic
	s := p.sps
	ss := &d.ss
	size := 1 << log2Cb
	var split bool
	if x0+size <= p.w && y0+size <= p.h && log2Cb > s.log2MinCb {
		inc := 0
		if d.avail(x0, y0, x0-1, y0) && int(p.depth[(y0>>2)*p.w4+(x0-1)>>2]) > depth {
			inc++
		}
		if d.avail(x0, y0, x0, y0-1) && int(p.depth[((y0-1)>>2)*p.w4+x0>>2]) > depth {
			inc++
		}
		split = d.cab.decodeBin(&d.cab.ctx[ctxSplitCU+inc]) == 1
	} else {
		split = log2Cb > s.log2MinCb
	}
	if p.pps.cuQPDeltaEnabled && log2Cb >= ss.log2QG {
		ss.isCuQpDeltaCoded = false
		ss.cuQpDeltaVal = 0
		d.startQG(x0, y0)
	}
	if split {
		h := size >> 1
		d.codingQuadtree(x0, y0, log2Cb-1, depth+1)
		if x0+h < p.w {
			d.codingQuadtree(x0+h, y0, log2Cb-1, depth+1)
		}
		if y0+h < p.h {
			d.codingQuadtree(x0, y0+h, log2Cb-1, depth+1)
			if x0+h < p.w {
				d.codingQuadtree(x0+h, y0+h, log2Cb-1, depth+1)
			}
		}
		return
	}
	d.codingUnit(x0, y0, log2Cb, depth)
}

// startQG derives qPY_PRED for the quantization group at (xQg, yQg) (§8.6.1).
func (d *Decoder) startQG(xQg, yQg int) {
	p := &d.pic
	ss := &d.ss
	prev := ss.lastQpY
	l := p.sps.log2Ctb
	qa, qb := prev, prev
	if d.avail(xQg, yQg, xQg-1, yQg) && (xQg-1)>>l == xQg>>l {
		qa = int(p.qp[(yQg>>2)*p.w4+(xQg-1)>>2])
	}
	if d.avail(xQg, yQg, xQg, yQg-1) && (yQg-1)>>l == yQg>>l {
		qb = int(p.qp[((yQg-1)>>2)*p.w4+xQg>>2])
	}
	ss.qpYPred = (qa + qb + 1) >> 1
}

func (d *Decoder) updateQpY() {
	ss := &d.ss
	if !d.pic.pps.cuQPDeltaEnabled {
		ss.qpY = ss.hdr.qpY
		return
	}
	ss.qpY = ((ss.qpYPred+ss.cuQpDeltaVal+52+2*ss.qpBdY)%(52+ss.qpBdY) - ss.qpBdY)
}

func (p *picture) fill4(arr []uint8, x0, y0, size int, v uint8) {
	n := max(size>>2, 1)
	x4, y4 := x0>>2, y0>>2
	nx := min(n, p.w4-x4)
	for j := 0; j < n && y4+j < p.h4; j++ {
		o := (y4+j)*p.w4 + x4
		row := arr[o : o+nx]
		for i := range row {
			row[i] = v
		}
	}
}

// codingUnit implements coding_unit() (§7.3.8.5) for intra CUs.
func (d *Decoder) codingUnit(x0, y0, log2Cb, depth int) {
	p := &d.pic
	s := p.sps
	ss := &d.ss
	c := &d.cab
	nCbS := 1 << log2Cb
	ss.cuX, ss.cuY = x0, y0
	ss.bypass = false
	if p.pps.transquantBypass {
		ss.bypass = c.decodeBin(&d.cab.ctx[ctxTransquantBypass]) == 1
	}
	ss.intraSplit = false
	if log2Cb == s.log2MinCb {
		ss.intraSplit = c.decodeBin(&d.cab.ctx[ctxPartMode]) == 0
	}
	p.fill4(p.depth, x0, y0, nCbS, uint8(depth))
	d.updateQpY()
	pcm := false
	if !ss.intraSplit && s.pcm && log2Cb >= s.log2MinPcm && log2Cb <= s.log2MaxPcm {
		pcm = c.decodeTerminate() == 1
	}
	if pcm {
		p.fill4(p.ipm, x0, y0, nCbS, 1)
		d.decodePCM(x0, y0, log2Cb)
		if s.pcmLoopFilterDisabled {
			d.markNoFilter(x0, y0, nCbS)
		}
		d.markEdges(x0, y0, nCbS)
	} else {
		nParts := 1
		pb := nCbS
		if ss.intraSplit {
			nParts = 4
			pb = nCbS >> 1
		}
		var prevFlag [4]int
		for i := 0; i < nParts; i++ {
			prevFlag[i] = c.decodeBin(&d.cab.ctx[ctxPrevIntraLuma])
		}
		for i := 0; i < nParts; i++ {
			xPb := x0 + (i&1)*pb
			yPb := y0 + (i>>1)*pb
			var mode int
			if prevFlag[i] == 1 {
				idx := 0
				if c.decodeBypass() == 1 {
					idx = 1
					if c.decodeBypass() == 1 {
						idx = 2
					}
				}
				mode = d.mpm(xPb, yPb, idx, -1)
			} else {
				mode = d.mpm(xPb, yPb, -1, c.decodeBypassBits(5))
			}
			p.fill4(p.ipm, xPb, yPb, pb, uint8(mode))
		}
		cm := 4
		if c.decodeBin(&d.cab.ctx[ctxIntraChroma]) == 1 {
			cm = c.decodeBypassBits(2)
		}
		lumaMode := int(p.ipm[(y0>>2)*p.w4+x0>>2])
		ss.chromaMode = lumaMode
		if cm != 4 {
			ss.chromaMode = [4]int{0, 26, 10, 1}[cm]
			if ss.chromaMode == lumaMode {
				ss.chromaMode = 34
			}
		}
		ss.maxTrDepth = s.maxTrDepthIntra
		if ss.intraSplit {
			ss.maxTrDepth++
		}
		d.transformTree(x0, y0, x0, y0, log2Cb, 0, 0, false, false)
	}
	if ss.bypass {
		d.markNoFilter(x0, y0, nCbS)
	}
	p.fillQP(x0, y0, nCbS, int8(ss.qpY))
	ss.lastQpY = ss.qpY
}

func (p *picture) fillQP(x0, y0, size int, v int8) {
	n := size >> 2
	x4, y4 := x0>>2, y0>>2
	nx := min(n, p.w4-x4)
	for j := 0; j < n && y4+j < p.h4; j++ {
		o := (y4+j)*p.w4 + x4
		row := p.qp[o : o+nx]
		for i := range row {
			row[i] = v
		}
	}
}

func (d *Decoder) markNoFilter(x0, y0, size int) {
	p := &d.pic
	n := size >> 2
	x4, y4 := x0>>2, y0>>2
	for j := 0; j < n && y4+j < p.h4; j++ {
		row := p.flags[(y4+j)*p.w4:]
		for i := 0; i < n && x4+i < p.w4; i++ {
			row[x4+i] |= noFilter
		}
	}
}

// markEdges records the left and top edges of a transform block for the
// deblocking filter (§8.7.2.3), unless they lie on the picture boundary, a
// slice or tile boundary that must not be filtered, or the slice disables
// deblocking.
func (d *Decoder) markEdges(x0, y0, size int) {
	p := &d.pic
	ss := &d.ss
	if ss.hdr.deblockingDisabled {
		return
	}
	n := size >> 2
	x4, y4 := x0>>2, y0>>2
	if x0 > 0 && x0&7 == 0 && d.edgeAllowed(x0-1, y0) {
		for j := 0; j < n && y4+j < p.h4; j++ {
			p.flags[(y4+j)*p.w4+x4] |= edgeVer
		}
	}
	if y0 > 0 && y0&7 == 0 && d.edgeAllowed(x0, y0-1) {
		row := p.flags[y4*p.w4:]
		for i := 0; i < n && x4+i < p.w4; i++ {
			row[x4+i] |= edgeHor
		}
	}
}

// edgeAllowed reports whether an edge between the current CTB's block and
// the neighbouring sample (xN, yN) may be filtered (§8.7.2.3: slice and tile
// boundaries).
func (d *Decoder) edgeAllowed(xN, yN int) bool {
	p := &d.pic
	ss := &d.ss
	l := p.sps.log2Ctb
	ctbN := (yN>>l)*p.sps.picWCtb + xN>>l
	if ctbN == ss.ctbAddrRs {
		return true
	}
	if p.ctbSlice[ctbN] != int32(ss.hdr.sliceAddrRs) && !ss.hdr.loopFilterAcrossSlices {
		return false
	}
	if p.tileRs[ctbN] != p.tileRs[ss.ctbAddrRs] && !p.pps.loopFilterAcrossTiles {
		return false
	}
	return true
}

// mpm derives IntraPredModeY (§8.4.2) from mpm_idx (idx ≥ 0) or
// rem_intra_luma_pred_mode (rem ≥ 0).
func (d *Decoder) mpm(xPb, yPb, idx, rem int) int {
	p := &d.pic
	a, b := 1, 1
	if d.avail(xPb, yPb, xPb-1, yPb) {
		a = int(p.ipm[(yPb>>2)*p.w4+(xPb-1)>>2])
	}
	if yPb-1 >= (yPb>>p.sps.log2Ctb)<<p.sps.log2Ctb && d.avail(xPb, yPb, xPb, yPb-1) {
		b = int(p.ipm[((yPb-1)>>2)*p.w4+xPb>>2])
	}
	var cand [3]int
	if a == b {
		if a < 2 {
			cand = [3]int{0, 1, 26}
		} else {
			cand = [3]int{a, 2 + ((a + 29) % 32), 2 + ((a - 2 + 1) % 32)}
		}
	} else {
		cand[0], cand[1] = a, b
		switch {
		case a != 0 && b != 0:
			cand[2] = 0
		case a != 1 && b != 1:
			cand[2] = 1
		default:
			cand[2] = 26
		}
	}
	if idx >= 0 {
		return cand[idx]
	}
	if cand[0] > cand[1] {
		cand[0], cand[1] = cand[1], cand[0]
	}
	if cand[0] > cand[2] {
		cand[0], cand[2] = cand[2], cand[0]
	}
	if cand[1] > cand[2] {
		cand[1], cand[2] = cand[2], cand[1]
	}
	mode := rem
	for i := 0; i < 3; i++ {
		if mode >= cand[i] {
			mode++
		}
	}
	return mode
}

// decodePCM reads pcm_sample() (§7.3.8.7) and reconstructs it (§8.4.4.1...).
func (d *Decoder) decodePCM(x0, y0, log2Cb int) {
	p := &d.pic
	s := p.sps
	c := &d.cab
	pos := c.alignedEnd()
	var r bitReader
	r.init(c.b)
	r.pos = pos * 8
	n := 1 << log2Cb
	shY := uint(s.bitDepthY - s.pcmBitDepthY)
	pl := p.planes[0]
	for y := 0; y < n; y++ {
		row := pl[(y0+y)*p.stride[0]+x0:]
		for x := 0; x < n; x++ {
			row[x] = uint16(r.u(s.pcmBitDepthY)) << shY
		}
	}
	shC := uint(s.bitDepthC - s.pcmBitDepthC)
	for cIdx := 1; cIdx < 3; cIdx++ {
		pl := p.planes[cIdx]
		for y := 0; y < n/2; y++ {
			row := pl[(y0/2+y)*p.stride[cIdx]+x0/2:]
			for x := 0; x < n/2; x++ {
				row[x] = uint16(r.u(s.pcmBitDepthC)) << shC
			}
		}
	}
	if r.err != nil {
		d.fail(decode.FormatError("PCM samples run past the end of the slice"))
		return
	}
	c.start(c.b, (r.pos+7)>>3)
}

func (d *Decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// transformTree implements transform_tree() (§7.3.8.8).
func (d *Decoder) transformTree(x0, y0, xBase, yBase, log2Size, depth, blkIdx int, parentCb, parentCr bool) {
	p := &d.pic
	s := p.sps
	ss := &d.ss
	c := &d.cab
	var split bool
	if log2Size <= s.log2MaxTb && log2Size > s.log2MinTb && depth < ss.maxTrDepth && !(ss.intraSplit && depth == 0) {
		split = c.decodeBin(&d.cab.ctx[ctxSplitTransform+5-log2Size]) == 1
	} else {
		split = log2Size > s.log2MaxTb || (ss.intraSplit && depth == 0)
	}
	cbfCb, cbfCr := parentCb, parentCr
	if log2Size > 2 {
		cbfCb, cbfCr = false, false
		if depth == 0 || parentCb {
			cbfCb = c.decodeBin(&d.cab.ctx[ctxCbfChroma+depth]) == 1
		}
		if depth == 0 || parentCr {
			cbfCr = c.decodeBin(&d.cab.ctx[ctxCbfChroma+depth]) == 1
		}
	}
	if split {
		h := 1 << (log2Size - 1)
		d.transformTree(x0, y0, x0, y0, log2Size-1, depth+1, 0, cbfCb, cbfCr)
		d.transformTree(x0+h, y0, x0, y0, log2Size-1, depth+1, 1, cbfCb, cbfCr)
		d.transformTree(x0, y0+h, x0, y0, log2Size-1, depth+1, 2, cbfCb, cbfCr)
		d.transformTree(x0+h, y0+h, x0, y0, log2Size-1, depth+1, 3, cbfCb, cbfCr)
		return
	}
	inc := 0
	if depth == 0 {
		inc = 1
	}
	cbfLuma := c.decodeBin(&d.cab.ctx[ctxCbfLuma+inc]) == 1
	d.transformUnit(x0, y0, xBase, yBase, log2Size, blkIdx, cbfLuma, cbfCb, cbfCr)
}

// transformUnit implements transform_unit() (§7.3.8.10) and reconstructs
// the blocks (§8.4.4.1).
func (d *Decoder) transformUnit(x0, y0, xBase, yBase, log2Size, blkIdx int, cbfLuma, cbfCb, cbfCr bool) {
	p := &d.pic
	ss := &d.ss
	c := &d.cab
	d.markEdges(x0, y0, 1<<log2Size)
	if (cbfLuma || cbfCb || cbfCr) && p.pps.cuQPDeltaEnabled && !ss.isCuQpDeltaCoded {
		v := 0
		for v < 5 && c.decodeBin(&d.cab.ctx[ctxCuQPDelta+min(v, 1)]) == 1 {
			v++
		}
		if v == 5 {
			k := 0
			for k < 32 && c.decodeBypass() == 1 {
				v += 1 << k
				k++
			}
			if k == 32 {
				d.fail(decode.FormatError("cu_qp_delta_abs suffix too long"))
				return
			}
			v += c.decodeBypassBits(k)
		}
		if v != 0 && c.decodeBypass() == 1 {
			v = -v
		}
		if v < -(26+ss.qpBdY/2) || v > 25+ss.qpBdY/2 {
			d.fail(decode.FormatError("CuQpDeltaVal out of range"))
			return
		}
		ss.isCuQpDeltaCoded = true
		ss.cuQpDeltaVal = v
		d.updateQpY()
	}
	lumaMode := int(p.ipm[(y0>>2)*p.w4+x0>>2])
	d.predict(0, x0, y0, log2Size, lumaMode)
	if cbfLuma {
		d.residual(0, x0, y0, log2Size, lumaMode)
	}
	if log2Size > 2 {
		for cIdx := 1; cIdx < 3; cIdx++ {
			d.predict(cIdx, x0>>1, y0>>1, log2Size-1, ss.chromaMode)
			if (cIdx == 1 && cbfCb) || (cIdx == 2 && cbfCr) {
				d.residual(cIdx, x0>>1, y0>>1, log2Size-1, ss.chromaMode)
			}
		}
	} else if blkIdx == 3 {
		for cIdx := 1; cIdx < 3; cIdx++ {
			d.predict(cIdx, xBase>>1, yBase>>1, 2, ss.chromaMode)
			if (cIdx == 1 && cbfCb) || (cIdx == 2 && cbfCr) {
				d.residual(cIdx, xBase>>1, yBase>>1, 2, ss.chromaMode)
			}
		}
	}
}
