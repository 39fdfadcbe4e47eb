package h264

import (
	"fmt"

	"github.com/stills/stills/decode"
)

// Block geometry of a macroblock (§6.4.3): luma4x4BlkIdx -> position in
// 4x4 units, and back.
var (
	blkX = [16]uint8{0, 1, 0, 1, 2, 3, 2, 3, 0, 1, 0, 1, 2, 3, 2, 3}
	blkY = [16]uint8{0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3}
	// blkAt[y][x] is luma4x4BlkIdx of the block at (x, y) in 4x4 units.
	blkAt = [4][4]uint8{{0, 1, 4, 5}, {2, 3, 6, 7}, {8, 9, 12, 13}, {10, 11, 14, 15}}
)

// chromaQPTable is QPc as a function of qPI for qPI >= 30 (Table 8-15).
var chromaQPTable = [22]int8{29, 30, 31, 32, 32, 33, 34, 34, 35, 35, 36, 36, 37, 37, 37, 38, 38, 38, 39, 39, 39, 39}

// sliceDecoder decodes the slice data of one slice into the picture. It is
// one concrete struct with fixed scratch arrays: nothing in the macroblock
// loop allocates or calls through an interface.
type sliceDecoder struct {
	r        bitReader
	cabac    cabac
	useCabac bool
	rbsp     []byte

	pic      *picture
	sps      *sps
	pps      *pps
	ls       *levelScale
	sliceIdx int32

	mbAddr, mbX, mbY int
	qp               int // QP_Y of the current macroblock
	qpBdY, qpBdC     int
	chromaArrayType  int
	bitDepthY        int
	bitDepthC        int
	maxY, maxC       int32

	cur                *mbInfo
	mbA, mbB, mbC, mbD *mbInfo // neighbouring macroblocks, nil when not available (§6.4.9)
	prevQpDeltaNZ      bool

	// Scratch. The non-zero levels of one block (index in coeffLevel,
	// value) are in cabac.sigPos and cabac.sigVals, for CAVLC too.

	coef4  [3][16][16]int32 // scaled 4x4 coefficients of Y (Cb, Cr in 4:4:4) by luma4x4BlkIdx, raster order
	coef8  [3][4][64]int32  // scaled 8x8 coefficients by luma8x8BlkIdx
	coefC  [2][8][16]int32  // scaled chroma coefficients by chroma4x4BlkIdx
	dcY    [16]int32
	dcC    [2][8]int32
	bypass bool      // TransformBypassModeFlag of the current macroblock
	nzY    [3]uint16 // bit per block (4x4: luma4x4BlkIdx, 8x8: luma8x8BlkIdx) with coefficients, per colour component
	nzC    [2]uint8  // bit per chroma4x4BlkIdx with coefficients (DC or AC), per component
	acC    [2]uint8  // bit per chroma4x4BlkIdx with AC coefficients, per component

	e edge
}

// decodeSlice decodes slice_data() (§7.3.4) of one slice.
func (d *sliceDecoder) decodeSlice(h *sliceHeader) error {
	p := d.pic
	picSize := p.widthMbs * p.heightMbs
	d.mbAddr = h.FirstMbInSlice
	d.qp = d.pps.PicInitQp + h.SliceQPDelta
	d.prevQpDeltaNZ = false
	if d.mbAddr >= picSize {
		return decode.FormatError(fmt.Sprintf("H.264 first_mb_in_slice %d is outside the picture of %d macroblocks", d.mbAddr, picSize))
	}
	if d.useCabac {
		d.r.align() // cabac_alignment_one_bit
		if d.r.bitPos()>>3 >= len(d.rbsp) {
			return decode.FormatError("H.264 CABAC slice data is empty")
		}
		d.cabac.initContexts(d.qp, -1)
		d.cabac.start(d.rbsp, d.r.bitPos()>>3)
	}
	for {
		if p.mbs[d.mbAddr].slice >= 0 {
			return decode.FormatError(fmt.Sprintf("H.264 macroblock %d is coded twice", d.mbAddr))
		}
		if err := d.decodeMB(); err != nil {
			return err
		}
		if d.useCabac {
			if d.cabac.err != nil {
				return decode.FormatError(fmt.Sprintf("H.264 CABAC data of macroblock %d is invalid: %v", d.mbAddr, d.cabac.err))
			}
		} else if d.r.bad() {
			return decode.FormatError(fmt.Sprintf("H.264 CAVLC data of macroblock %d is invalid or truncated", d.mbAddr))
		}
		if p.rows.on {
			p.mbDecoded(d.mbY) // may deblock the rows above (deblock_rows.go)
		}
		if d.useCabac {
			if d.cabac.decodeTerminate() { // end_of_slice_flag
				break
			}
		} else if !d.r.moreRBSPData() {
			break
		}
		d.mbAddr++
		if d.mbAddr >= picSize {
			return decode.FormatError("H.264 slice data runs past the last macroblock")
		}
	}
	return nil
}

// decodeMB parses macroblock_layer() (§7.3.5) and reconstructs the macroblock.
func (d *sliceDecoder) decodeMB() error {
	p := d.pic
	addr := d.mbAddr
	w := p.widthMbs
	d.mbX, d.mbY = addr%w, addr/w
	cur := &p.mbs[addr]
	*cur = mbInfo{slice: d.sliceIdx}
	d.cur = cur
	d.mbA, d.mbB, d.mbC, d.mbD = nil, nil, nil, nil
	if d.mbX > 0 && p.mbs[addr-1].slice == d.sliceIdx {
		d.mbA = &p.mbs[addr-1]
	}
	if d.mbY > 0 {
		if p.mbs[addr-w].slice == d.sliceIdx {
			d.mbB = &p.mbs[addr-w]
		}
		if d.mbX < w-1 && p.mbs[addr-w+1].slice == d.sliceIdx {
			d.mbC = &p.mbs[addr-w+1]
		}
		if d.mbX > 0 && p.mbs[addr-w-1].slice == d.sliceIdx {
			d.mbD = &p.mbs[addr-w-1]
		}
	}

	// mb_type (Table 7-11).
	var mbType int
	if d.useCabac {
		inc := 0
		if d.mbA != nil && d.mbA.mbType != mbTypeINxN {
			inc++
		}
		if d.mbB != nil && d.mbB.mbType != mbTypeINxN {
			inc++
		}
		mbType = d.cabac.mbTypeI(inc)
		if mbType < 0 || mbType > mbTypeIPCM {
			return decode.FormatError(fmt.Sprintf("H.264 mb_type %d in an I slice", mbType))
		}
	} else {
		mbType = d.r.ueMax(mbTypeIPCM)
	}
	cur.mbType = uint8(mbType)
	if mbType == mbTypeIPCM {
		return d.decodePCM()
	}
	i16 := mbType != mbTypeINxN

	// mb_pred() (§7.3.5.1).
	if !i16 {
		if d.pps.Transform8x8Mode {
			if d.useCabac {
				inc := 0
				if d.mbA != nil && d.mbA.transform8x8 {
					inc++
				}
				if d.mbB != nil && d.mbB.transform8x8 {
					inc++
				}
				cur.transform8x8 = d.cabac.transformSize8x8Flag(inc)
			} else {
				cur.transform8x8 = d.r.flag()
			}
		}
		if d.useCabac {
			d.intraModesCABAC()
		} else {
			step := 1
			if cur.transform8x8 {
				step = 4
			}
			for blk := 0; blk < 16; blk += step {
				prev := d.r.flag()
				var rem int
				if !prev {
					rem = int(d.r.u(3))
				}
				// §8.3.1.1 / §8.3.2.1: the 8x8 case uses the neighbours of
				// the top-left 4x4 block, which are the 4x4 blocks the
				// standard names (luma8x8BlkIdxA*4+1, luma8x8BlkIdxB*4+2).
				mode := d.predIntraMode(blk)
				if !prev {
					if rem < mode {
						mode = rem
					} else {
						mode = rem + 1
					}
				}
				for k := blk; k < blk+step; k++ {
					cur.predModes[k] = int8(mode)
				}
			}
		}
	} else {
		for k := range cur.predModes {
			cur.predModes[k] = predDC
		}
	}
	if d.chromaArrayType == 1 || d.chromaArrayType == 2 {
		var m int
		if d.useCabac {
			inc := 0
			if d.mbA != nil && d.mbA.mbType != mbTypeIPCM && d.mbA.chromaPredMode != 0 {
				inc++
			}
			if d.mbB != nil && d.mbB.mbType != mbTypeIPCM && d.mbB.chromaPredMode != 0 {
				inc++
			}
			m = d.cabac.intraChromaPredMode(inc)
		} else {
			m = d.r.ueMax(3)
		}
		if m < 0 || m > 3 {
			return decode.FormatError("H.264 intra_chroma_pred_mode out of range")
		}
		cur.chromaPredMode = uint8(m)
	}

	// coded_block_pattern (§7.3.5, Table 9-4).
	var cbp int
	if i16 {
		cbp = ((mbType - 1) / 4 % 3) << 4
		if mbType >= 13 {
			cbp |= 15
		}
	} else if d.useCabac {
		a, b := 0x0F, 0x0F
		if d.mbA != nil {
			a = int(d.mbA.cbp)
		}
		if d.mbB != nil {
			b = int(d.mbB.cbp)
		}
		cbp = d.cabac.codedBlockPattern(a, b, d.chromaArrayType == 1 || d.chromaArrayType == 2)
		if cbp < 0 || cbp > 47 {
			return decode.FormatError("H.264 coded_block_pattern out of range")
		}
	} else if d.chromaArrayType == 1 || d.chromaArrayType == 2 {
		cbp = int(intraCBP[d.r.ueMax(47)])
	} else {
		cbp = int(intraCBPGray[d.r.ueMax(15)])
	}
	cur.cbp = uint8(cbp)
	cbpLuma, cbpChroma := cbp&15, cbp>>4

	// mb_qp_delta (§7.4.5): QP_Y wraps within the range of QpBdOffsetY.
	if cbpLuma > 0 || cbpChroma > 0 || i16 {
		var dq int
		if d.useCabac {
			dq = d.cabac.mbQpDelta(d.prevQpDeltaNZ)
		} else {
			dq = int(d.r.se())
		}
		if dq < -(26+d.qpBdY/2) || dq > 25+d.qpBdY/2 {
			return decode.FormatError(fmt.Sprintf("H.264 mb_qp_delta %d out of range in macroblock %d", dq, d.mbAddr))
		}
		d.prevQpDeltaNZ = dq != 0
		d.qp = (d.qp+dq+52+2*d.qpBdY)%(52+d.qpBdY) - d.qpBdY
	} else {
		d.prevQpDeltaNZ = false
	}
	cur.qpY = int8(d.qp)
	// TransformBypassModeFlag (§8.5.12): lossless macroblock.
	d.bypass = d.sps.QpprimeYZeroTransformBypass && d.qp+d.qpBdY == 0

	if d.useCabac {
		d.residualLumaCABAC(0, i16, cbpLuma)
		if d.chromaArrayType == 3 {
			// 4:4:4: Cb and Cr are coded like luma (§7.3.5.3).
			d.residualLumaCABAC(1, i16, cbpLuma)
			d.residualLumaCABAC(2, i16, cbpLuma)
		}
		if d.chromaArrayType == 1 || d.chromaArrayType == 2 {
			d.residualChromaCABAC(cbpChroma)
		}
	} else {
		d.residualLuma(0, i16, cbpLuma)
		if d.chromaArrayType == 3 {
			d.residualLuma(1, i16, cbpLuma)
			d.residualLuma(2, i16, cbpLuma)
		}
		if d.chromaArrayType == 1 || d.chromaArrayType == 2 {
			d.residualChroma(cbpChroma)
		}
	}
	if d.r.bad() {
		return decode.FormatError(fmt.Sprintf("H.264 macroblock %d is invalid or truncated", d.mbAddr))
	}
	d.reconstruct(i16, mbType)
	return nil
}

// predIntraMode is predIntra4x4PredMode (§8.3.1.1) of block blk, also used
// for predIntra8x8PredMode (§8.3.2.1) with blk = 4*luma8x8BlkIdx.
func (d *sliceDecoder) predIntraMode(blk int) int {
	bx, by := int(blkX[blk]), int(blkY[blk])
	var a, b int8
	if bx > 0 {
		a = d.cur.predModes[blkAt[by][bx-1]]
	} else if d.mbA != nil {
		a = d.mbA.predModes[blkAt[by][3]]
	} else {
		return predDC
	}
	if by > 0 {
		b = d.cur.predModes[blkAt[by-1][bx]]
	} else if d.mbB != nil {
		b = d.mbB.predModes[blkAt[3][bx]]
	} else {
		return predDC
	}
	return int(min(a, b))
}

// decodePCM reads the samples of an I_PCM macroblock (§7.3.5, §8.3.5).
func (d *sliceDecoder) decodePCM() error {
	cur := d.cur
	for k := range cur.predModes {
		cur.predModes[k] = predDC
	}
	for k := range cur.totalCoeff {
		cur.totalCoeff[k] = 16
	}
	cur.cbp = 0x2F
	cur.cbfDC = 7
	cur.qpY = 0
	d.prevQpDeltaNZ = false
	var r *bitReader
	var cr bitReader
	if d.useCabac {
		pos := d.cabac.pcmPos()
		if pos < 0 || pos > len(d.rbsp) {
			return decode.FormatError("H.264 I_PCM samples outside the slice data")
		}
		cr.init(d.rbsp)
		cr.seek(pos * 8)
		r = &cr
	} else {
		r = &d.r
		r.align() // pcm_alignment_zero_bit
	}
	p := d.pic
	y0 := d.mbY*16*p.yStride + d.mbX*16
	for y := 0; y < 16; y++ {
		row := p.y[y0+y*p.yStride : y0+y*p.yStride+16]
		for x := range row {
			row[x] = uint16(r.u(d.bitDepthY))
		}
	}
	if d.chromaArrayType != 0 {
		mw, mh := p.mbWidthC, p.mbHeightC
		c0 := d.mbY*mh*p.cStride + d.mbX*mw
		for _, plane := range [2][]uint16{p.cb, p.cr} {
			for y := 0; y < mh; y++ {
				row := plane[c0+y*p.cStride : c0+y*p.cStride+mw]
				for x := range row {
					row[x] = uint16(r.u(d.bitDepthC))
				}
			}
		}
	}
	if r.bad() {
		return decode.FormatError(fmt.Sprintf("H.264 I_PCM macroblock %d is truncated", d.mbAddr))
	}
	if d.useCabac {
		d.cabac.start(d.rbsp, (r.bitPos()+7)>>3)
	}
	return nil
}

// lumaNC derives the CAVLC table selector of a luma block (§9.2.1), or of
// a Cb/Cr block of a 4:4:4 macroblock: base is 0, 16 or 32 (the component's
// entries of totalCoeff).
func (d *sliceDecoder) lumaNC(base, blk int) int {
	bx, by := int(blkX[blk]), int(blkY[blk])
	var na, nb int
	availA, availB := true, true
	if bx > 0 {
		na = int(d.cur.totalCoeff[base+int(blkAt[by][bx-1])])
	} else if d.mbA != nil {
		na = int(d.mbA.totalCoeff[base+int(blkAt[by][3])])
	} else {
		availA = false
	}
	if by > 0 {
		nb = int(d.cur.totalCoeff[base+int(blkAt[by-1][bx])])
	} else if d.mbB != nil {
		nb = int(d.mbB.totalCoeff[base+int(blkAt[3][bx])])
	} else {
		availB = false
	}
	switch {
	case availA && availB:
		return (na + nb + 1) >> 1
	case availA:
		return na
	case availB:
		return nb
	}
	return 0
}

// chromaNC is nC of chroma AC block blk of component c (§9.2.1, §6.4.11.5).
func (d *sliceDecoder) chromaNC(c, blk int) int {
	bx, by := blk&1, blk>>1
	maxBy := d.pic.mbHeightC/4 - 1
	base := 16 + 16*c
	var na, nb int
	availA, availB := true, true
	if bx > 0 {
		na = int(d.cur.totalCoeff[base+blk-1])
	} else if d.mbA != nil {
		na = int(d.mbA.totalCoeff[base+by*2+1])
	} else {
		availA = false
	}
	if by > 0 {
		nb = int(d.cur.totalCoeff[base+blk-2])
	} else if d.mbB != nil {
		nb = int(d.mbB.totalCoeff[base+maxBy*2+bx])
	} else {
		availB = false
	}
	switch {
	case availA && availB:
		return (na + nb + 1) >> 1
	case availA:
		return na
	case availB:
		return nb
	}
	return 0
}

// lumaCbfInc is ctxIdxInc of coded_block_flag for a 4x4 block of luma (or
// of Cb/Cr in 4:4:4: base 16 or 32) (ctxBlockCat 1, 2, 7, 8, 11, 12,
// §9.3.3.1.1.9) in an intra slice.
func (d *sliceDecoder) lumaCbfInc(base, blk int) int {
	if !d.useCabac {
		return 0
	}
	bx, by := int(blkX[blk]), int(blkY[blk])
	var a, b int
	if bx > 0 {
		a = b2i(d.cur.totalCoeff[base+int(blkAt[by][bx-1])] != 0)
	} else {
		a = neighbourLumaCbf(d.mbA, base, int(blkAt[by][3]))
	}
	if by > 0 {
		b = b2i(d.cur.totalCoeff[base+int(blkAt[by-1][bx])] != 0)
	} else {
		b = neighbourLumaCbf(d.mbB, base, int(blkAt[3][bx]))
	}
	return a + 2*b
}

// neighbourLumaCbf is condTermFlagN for block blk of macroblock m.
func neighbourLumaCbf(m *mbInfo, base, blk int) int {
	switch {
	case m == nil, m.mbType == mbTypeIPCM:
		return 1 // unavailable in an intra macroblock, or I_PCM
	case m.cbp>>(blk>>2)&1 == 0:
		return 0 // transBlockN not available
	}
	// A 4x4 block, or an 8x8 block (its four 4x4 entries hold its
	// coefficient count; its coded_block_flag is inferred to be 1 outside
	// 4:4:4 and decoded in 4:4:4).
	return b2i(m.totalCoeff[base+blk] != 0)
}

// cbf8x8Inc is ctxIdxInc of coded_block_flag for an 8x8 block in 4:4:4
// (ctxBlockCat 5, 9, 13): transBlockN is the neighbouring 8x8 block when its
// macroblock uses the 8x8 transform and codes it (§9.3.3.1.1.9).
func (d *sliceDecoder) cbf8x8Inc(base, b8 int) int {
	f := func(m *mbInfo, n8 int) int {
		switch {
		case m == nil, m.mbType == mbTypeIPCM:
			return 1
		case m.cbp>>n8&1 == 0, !m.transform8x8:
			return 0
		}
		return b2i(m.totalCoeff[base+4*n8] != 0)
	}
	var a, b int
	if b8&1 != 0 {
		a = f(d.cur, b8-1)
	} else {
		a = f(d.mbA, b8+1)
	}
	if b8&2 != 0 {
		b = f(d.cur, b8-2)
	} else {
		b = f(d.mbB, b8+2)
	}
	return a + 2*b
}

// lumaDCCbfInc is ctxIdxInc of coded_block_flag for the Intra16x16 DC
// block of component comp (ctxBlockCat 0, 6, 10).
func (d *sliceDecoder) lumaDCCbfInc(comp int) int {
	if !d.useCabac {
		return 0
	}
	f := func(m *mbInfo) int {
		switch {
		case m == nil, m.mbType == mbTypeIPCM:
			return 1
		case m.mbType == mbTypeINxN:
			return 0
		}
		return int(m.cbfDC>>uint(comp)) & 1
	}
	return f(d.mbA) + 2*f(d.mbB)
}

// chromaDCCbfInc is ctxIdxInc of coded_block_flag for a chroma DC block.
func (d *sliceDecoder) chromaDCCbfInc(c int) int {
	f := func(m *mbInfo) int {
		switch {
		case m == nil, m.mbType == mbTypeIPCM:
			return 1
		case m.cbp>>4 == 0:
			return 0
		}
		return int(m.cbfDC>>(1+c)) & 1
	}
	return f(d.mbA) + 2*f(d.mbB)
}

// chromaACCbfInc is ctxIdxInc of coded_block_flag for chroma AC block blk.
func (d *sliceDecoder) chromaACCbfInc(c, blk int) int {
	bx, by := blk&1, blk>>1
	maxBy := d.pic.mbHeightC/4 - 1
	base := 16 + 16*c
	f := func(m *mbInfo, k int) int {
		switch {
		case m == nil, m.mbType == mbTypeIPCM:
			return 1
		case m.cbp>>4 != 2:
			return 0
		}
		return b2i(m.totalCoeff[base+k] != 0)
	}
	var a, b int
	if bx > 0 {
		a = b2i(d.cur.totalCoeff[base+blk-1] != 0)
	} else {
		a = f(d.mbA, by*2+1)
	}
	if by > 0 {
		b = b2i(d.cur.totalCoeff[base+blk-2] != 0)
	} else {
		b = f(d.mbB, maxBy*2+bx)
	}
	return a + 2*b
}

// block reads one residual block into d.cabac.sigPos/sigVals and returns its
// number of non-zero levels. cat is ctxBlockCat; nC the CAVLC selector;
// cbfInc the CABAC coded_block_flag ctxIdxInc (-1: flag not coded).
func (d *sliceDecoder) block(cat, maxNumCoeff, nC, cbfInc int) int {
	if !d.useCabac {
		return d.residualCAVLC(nC, maxNumCoeff)
	}
	// The engine returns the positions and values of the non-zero levels
	// directly (ascending levelListIdx), so nothing is rescanned.
	return d.cabac.residualSparse(cat, maxNumCoeff, cbfInc)
}

// residualLuma parses residual_luma() (§7.3.5.3.1) for colour component
// comp (0 Y; 1 Cb and 2 Cr of a 4:4:4 macroblock) and scales the
// coefficients (§8.5.6 to §8.5.9) into coef4/coef8.
func (d *sliceDecoder) residualLuma(comp int, i16 bool, cbpLuma int) {
	cur := d.cur
	qp := d.qp + d.qpBdY
	if comp > 0 {
		qp = d.chromaQP(comp - 1)
	}
	qm := qp % 6
	base := 16 * comp
	cat0 := [3]int{0, 6, 10}[comp] // ctxBlockCat of the DC block (Table 9-42)
	coef4, coef8 := &d.coef4[comp], &d.coef8[comp]
	nz := &d.nzY[comp]
	*nz = 0
	if i16 {
		n := d.block(cat0, 16, d.lumaNC(base, 0), d.lumaDCCbfInc(comp))
		if n > 0 {
			cur.cbfDC |= 1 << uint(comp)
			var c [16]int32
			for i := 0; i < n; i++ {
				c[zigzag4x4[d.cabac.sigPos[i]&15]] = d.cabac.sigVals[i]
			}
			if !d.bypass {
				lumaDCTransform(&c, d.ls.ls4[comp][qm][0], qp)
			}
			for i := 0; i < 16; i++ {
				if c[i] != 0 {
					blk := blkAt[i>>2][i&3]
					coef4[blk][0] = c[i]
					*nz |= 1 << blk
				}
			}
		}
		if cbpLuma == 0 {
			return
		}
		ls := &d.ls.ls4[comp][qm]
		for blk := 0; blk < 16; blk++ {
			n := d.block(cat0+1, 15, d.lumaNC(base, blk), d.lumaCbfInc(base, blk))
			cur.totalCoeff[base+blk] = uint8(n)
			if n == 0 {
				continue
			}
			*nz |= 1 << blk
			d.scatter4(&coef4[blk], n, 1, ls, qp)
		}
		return
	}
	if !cur.transform8x8 {
		ls := &d.ls.ls4[comp][qm]
		for blk := 0; blk < 16; blk++ {
			if cbpLuma>>(blk>>2)&1 == 0 {
				continue
			}
			n := d.block(cat0+2, 16, d.lumaNC(base, blk), d.lumaCbfInc(base, blk))
			cur.totalCoeff[base+blk] = uint8(n)
			if n == 0 {
				continue
			}
			*nz |= 1 << blk
			d.scatter4(&coef4[blk], n, 0, ls, qp)
		}
		return
	}
	ls := &d.ls.ls8[comp][qm]
	for b8 := 0; b8 < 4; b8++ {
		if cbpLuma>>b8&1 == 0 {
			continue
		}
		if d.useCabac {
			// coded_block_flag of an 8x8 block is present only in 4:4:4.
			inc := -1
			if d.chromaArrayType == 3 {
				inc = d.cbf8x8Inc(base, b8)
			}
			n := d.block([3]int{5, 9, 13}[comp], 64, 0, inc) // ctxBlockCat of 8x8 blocks
			for k := 0; k < 4; k++ {
				cur.totalCoeff[base+4*b8+k] = uint8(n)
			}
			if n > 0 {
				*nz |= 1 << b8
			}
			d.scatter8(&coef8[b8], n, ls, qp)
			continue
		}
		// CAVLC: four interleaved 4x4 scans (§7.3.5.3.1:
		// level8x8[4*i+i4x4] = level4x4[i4x4][i]).
		for i4 := 0; i4 < 4; i4++ {
			blk := 4*b8 + i4
			n := d.residualCAVLC(d.lumaNC(base, blk), 16)
			cur.totalCoeff[base+blk] = uint8(n)
			if n > 0 {
				*nz |= 1 << b8
			}
			for i := 0; i < n; i++ {
				pos := zigzag8x8[(4*int(d.cabac.sigPos[i])+i4)&63]
				coef8[b8][pos] = d.scale8(d.cabac.sigVals[i], ls[pos], qp)
			}
		}
	}
}

// chromaQP returns QP'C for component c (0 Cb, 1 Cr) (§8.5.8, Table 8-15).
func (d *sliceDecoder) chromaQP(c int) int {
	off := d.pps.ChromaQpIndexOffset
	if c == 1 {
		off = d.pps.SecondChromaQpIndexOffset
	}
	qpi := d.qp + off
	if qpi < -d.qpBdC {
		qpi = -d.qpBdC
	}
	if qpi > 51 {
		qpi = 51
	}
	qpc := qpi
	if qpi >= 30 {
		qpc = int(chromaQPTable[qpi-30])
	}
	return qpc + d.qpBdC
}

// residualChroma parses the chroma part of residual() (§7.3.5.3) for
// ChromaArrayType 1 and 2 and scales it (§8.5.11, §8.5.12.1).
func (d *sliceDecoder) residualChroma(cbpChroma int) {
	cur := d.cur
	nBlk := 4
	nC := -1
	if d.chromaArrayType == 2 {
		nBlk, nC = 8, -2
	}
	d.nzC = [2]uint8{}
	d.acC = [2]uint8{}
	if cbpChroma&3 != 0 {
		for c := 0; c < 2; c++ {
			inc := 0
			if d.useCabac {
				inc = d.chromaDCCbfInc(c)
			}
			n := d.block(3, nBlk, nC, inc)
			if n == 0 {
				continue
			}
			cur.cbfDC |= 1 << uint(1+c)
			var dc [8]int32
			for i := 0; i < n; i++ {
				dc[d.cabac.sigPos[i]&7] = d.cabac.sigVals[i]
			}
			d.chromaDC(c, &dc, nBlk)
		}
	}
	if cbpChroma&2 == 0 {
		return
	}
	for c := 0; c < 2; c++ {
		qp := d.chromaQP(c)
		ls := &d.ls.ls4[1+c][qp%6]
		for blk := 0; blk < nBlk; blk++ {
			inc := 0
			nc := 0
			if d.useCabac {
				inc = d.chromaACCbfInc(c, blk)
			} else {
				nc = d.chromaNC(c, blk)
			}
			n := d.block(4, 15, nc, inc)
			cur.totalCoeff[16+16*c+blk] = uint8(n)
			if n == 0 {
				continue
			}
			d.nzC[c] |= 1 << uint(blk)
			d.acC[c] |= 1 << uint(blk)
			d.scatter4(&d.coefC[c][blk], n, 1, ls, qp)
		}
	}
}

// chromaDC applies the chroma DC transform and scaling (§8.5.11.1,
// §8.5.11.2) to the levels of component c (in chroma DC scan order) and
// places the results in the DC positions of coefC.
func (d *sliceDecoder) chromaDC(c int, lv *[8]int32, nBlk int) {
	qp := d.chromaQP(c)
	var out [8]int32
	switch {
	case d.bypass && nBlk == 4:
		copy(out[:4], lv[:4])
	case d.bypass:
		// The 2x4 matrix c of eq. 8-330, stored by chroma4x4BlkIdx.
		out = [8]int32{lv[0], lv[2], lv[1], lv[5], lv[3], lv[6], lv[4], lv[7]}
	case nBlk == 4:
		c0, c1, c2, c3 := lv[0], lv[1], lv[2], lv[3]
		f := [4]int32{c0 + c1 + c2 + c3, c0 - c1 + c2 - c3, c0 + c1 - c2 - c3, c0 - c1 - c2 + c3}
		ls := d.ls.ls4[1+c][qp%6][0]
		for i := range f {
			out[i] = ((f[i] * ls) << uint(qp/6)) >> 5
		}
	default:
		// 4:2:2: c is 4 rows x 2 columns (eq. 8-330), f = A4 c A2.
		var m [4][2]int32
		m[0][0], m[0][1] = lv[0], lv[2]
		m[1][0], m[1][1] = lv[1], lv[5]
		m[2][0], m[2][1] = lv[3], lv[6]
		m[3][0], m[3][1] = lv[4], lv[7]
		var t [4][2]int32
		for j := 0; j < 2; j++ {
			a, b, cc, dd := m[0][j], m[1][j], m[2][j], m[3][j]
			t[0][j] = a + b + cc + dd
			t[1][j] = a + b - cc - dd
			t[2][j] = a - b - cc + dd
			t[3][j] = a - b + cc - dd
		}
		qpDC := qp + 3
		ls := d.ls.ls4[1+c][qpDC%6][0]
		for i := 0; i < 4; i++ {
			f0 := t[i][0] + t[i][1]
			f1 := t[i][0] - t[i][1]
			for j, f := range [2]int32{f0, f1} {
				var v int32
				if qpDC >= 36 {
					v = (f * ls) << uint(qpDC/6-6)
				} else {
					v = (f*ls + 1<<uint(5-qpDC/6)) >> uint(6-qpDC/6)
				}
				out[2*i+j] = v
			}
		}
	}
	for b := 0; b < nBlk; b++ {
		if out[b] != 0 {
			d.coefC[c][b][0] = out[b]
			d.nzC[c] |= 1 << uint(b)
		}
	}
}

// scatter4 scales the n levels of cabac.sigVals (eq. 8-336/8-337; copied
// unchanged in a lossless macroblock, §8.5.12.1) into the raster positions
// of dst given by the 4x4 zig-zag scan of cabac.sigPos+first (first is 1 for
// AC blocks, whose levels start at scanning position 1). The qP branch and
// the shift are taken once per block, not per coefficient.
func (d *sliceDecoder) scatter4(dstp *[16]int32, n, first int, lsp *[16]int32, qp int) {
	// Slices of known length 16 (one nil check, not one per access) and
	// the scan from first taken as a table.
	dst, ls := dstp[:], lsp[:]
	zz := &zigzag4x4From[first&1]
	idx := &d.cabac.sigPos
	vals := d.cabac.sigVals[:min(max(n, 0), 16)]
	switch {
	case d.bypass:
		for i, v := range vals {
			dst[zz[idx[i]&15]&15] = v
		}
	case qp >= 24:
		sh := uint(qp/6-4) & 31
		for i, v := range vals {
			pos := zz[idx[i]&15] & 15
			dst[pos] = (v * ls[pos]) << sh
		}
	default:
		sh := uint(4-qp/6) & 31
		rnd := int32(1) << (sh - 1)
		for i, v := range vals {
			pos := zz[idx[i]&15] & 15
			dst[pos] = (v*ls[pos] + rnd) >> sh
		}
	}
}

// zigzag4x4From[first][k] is zigzag4x4[k+first]: the raster position of
// levelListIdx k of a block whose levels start at scanning position first
// (1 for AC blocks); the entry past the end is unused.
var zigzag4x4From = [2][16]uint8{
	{0, 1, 4, 8, 5, 2, 3, 6, 9, 12, 13, 10, 7, 11, 14, 15},
	{1, 4, 8, 5, 2, 3, 6, 9, 12, 13, 10, 7, 11, 14, 15, 0},
}

// scatter8 is scatter4 for an 8x8 block (eq. 8-338/8-339) in 8x8 zig-zag
// scan.
func (d *sliceDecoder) scatter8(dstp *[64]int32, n int, lsp *[64]int32, qp int) {
	dst, ls := dstp[:], lsp[:]
	idx := &d.cabac.sigPos
	vals := d.cabac.sigVals[:min(max(n, 0), 64)]
	switch {
	case d.bypass:
		for i, v := range vals {
			dst[zigzag8x8[idx[i]&63]&63] = v
		}
	case qp >= 36:
		sh := uint(qp/6-6) & 31
		for i, v := range vals {
			pos := zigzag8x8[idx[i]&63] & 63
			dst[pos] = (v * ls[pos]) << sh
		}
	default:
		sh := uint(6-qp/6) & 31
		rnd := int32(1) << (sh - 1)
		for i, v := range vals {
			pos := zigzag8x8[idx[i]&63] & 63
			dst[pos] = (v*ls[pos] + rnd) >> sh
		}
	}
}

// scale4 scales a 4x4 coefficient (eq. 8-336/8-337), or passes it through
// in a lossless macroblock (§8.5.12.1: TransformBypassModeFlag).
func (d *sliceDecoder) scale4(c, ls int32, qp int) int32 {
	if d.bypass {
		return c
	}
	return scale4x4(c, ls, qp)
}

func (d *sliceDecoder) scale8(c, ls int32, qp int) int32 {
	if d.bypass {
		return c
	}
	return scale8x8(c, ls, qp)
}
