package h264

// Reconstruction of one intra macroblock: prediction (§8.3) plus the
// residual (§8.5), written straight into the picture.

func (d *sliceDecoder) reconstruct(i16 bool, mbType int) {
	p := d.pic
	d.reconstructPlane(0, p.y, p.yStride, i16, mbType, d.bitDepthY, d.maxY)
	switch d.chromaArrayType {
	case 1, 2:
		d.reconstructChroma()
	case 3:
		// 4:4:4: Cb and Cr use the luma prediction processes with the
		// luma modes (§8.3.4.5).
		d.reconstructPlane(1, p.cb, p.cStride, i16, mbType, d.bitDepthC, d.maxC)
		d.reconstructPlane(2, p.cr, p.cStride, i16, mbType, d.bitDepthC, d.maxC)
	}
}

// reconstructPlane predicts and reconstructs the 16x16 block of colour
// component comp (luma, or Cb/Cr in 4:4:4) in plane.
func (d *sliceDecoder) reconstructPlane(comp int, plane []uint16, stride int, i16 bool, mbType, bitDepth int, maxV int32) {
	cur := d.cur
	x0, y0 := d.mbX*16, d.mbY*16
	def := int32(1) << uint(bitDepth-1)
	coef4, coef8, nzY := &d.coef4[comp], &d.coef8[comp], d.nzY[comp]
	switch {
	case i16:
		var top, left [16]int32
		var corner int32 = def
		haveTop, haveLeft := d.mbB != nil, d.mbA != nil
		if haveTop {
			row := plane[(y0-1)*stride+x0:]
			for x := 0; x < 16; x++ {
				top[x] = int32(row[x])
			}
		}
		if haveLeft {
			for y := 0; y < 16; y++ {
				left[y] = int32(plane[(y0+y)*stride+x0-1])
			}
		}
		if d.mbD != nil {
			corner = int32(plane[(y0-1)*stride+x0-1])
		}
		dst := plane[y0*stride+x0:]
		mode := (mbType - 1) % 4
		pred16x16(dst, stride, mode, &top, &left, corner, haveTop, haveLeft, bitDepth)
		if d.bypass {
			var res [256]int32
			for blk := 0; blk < 16; blk++ {
				bx, by := 4*int(blkX[blk]), 4*int(blkY[blk])
				for k, v := range coef4[blk] {
					res[(by+k/4)*16+bx+k%4] = v
				}
				coef4[blk] = [16]int32{}
			}
			bypassAdd(dst, stride, res[:], 16, 16, mode, maxV)
			break
		}
		for blk := 0; blk < 16; blk++ {
			if nzY>>blk&1 != 0 {
				off := 4*int(blkY[blk])*stride + 4*int(blkX[blk])
				idct4Add(dst[off:], stride, &coef4[blk], maxV)
			}
		}
	case cur.transform8x8 && d.mbA != nil && d.mbB != nil && d.mbD != nil && !d.bypass:
		// Every 8x8 block has its left, top and top-left neighbours
		// (§6.4.11.2); the top-right ones are those of blocks 0 and 2,
		// and of block 1 when macroblock C is available.
		haveC := d.mbC != nil
		o := y0*stride + x0
		for b8 := 0; b8 < 4; b8++ {
			bo := o + 8*(b8&1) + 8*(b8>>1)*stride
			d.pred8x8Avail(plane, stride, bo, int(cur.predModes[4*b8]), b8 != 3 && (b8 != 1 || haveC))
			if nzY>>b8&1 != 0 {
				idct8Add(plane[bo:], stride, &coef8[b8], maxV)
			}
		}
	case cur.transform8x8:
		for b8 := 0; b8 < 4; b8++ {
			bx, by := b8&1, b8>>1
			haveLeft := bx > 0 || d.mbA != nil
			haveTop := by > 0 || d.mbB != nil
			var haveTR bool
			if by == 0 {
				if bx == 0 {
					haveTR = d.mbB != nil
				} else {
					haveTR = d.mbC != nil
				}
			} else {
				haveTR = bx == 0
			}
			var haveCorner bool
			switch {
			case bx > 0 && by > 0:
				haveCorner = true
			case by > 0:
				haveCorner = d.mbA != nil
			case bx > 0:
				haveCorner = d.mbB != nil
			default:
				haveCorner = d.mbD != nil
			}
			px, py := x0+8*bx, y0+8*by
			dst := plane[py*stride+px:]
			if haveLeft && haveTop && haveCorner {
				d.pred8x8Avail(plane, stride, py*stride+px, int(cur.predModes[4*b8]), haveTR)
			} else {
				d.gatherFilter8(plane, stride, px, py, haveLeft, haveTop, haveTR, haveCorner, def)
				pred8x8(dst, stride, int(cur.predModes[4*b8]), &d.e, haveTop, haveLeft, bitDepth)
			}
			switch {
			case d.bypass:
				bypassAdd(dst, stride, coef8[b8][:], 8, 8, int(cur.predModes[4*b8]), maxV)
				coef8[b8] = [64]int32{}
			case nzY>>b8&1 != 0:
				idct8Add(dst, stride, &coef8[b8], maxV)
			}
		}
	default:
		for blk := 0; blk < 16; blk++ {
			bx, by := int(blkX[blk]), int(blkY[blk])
			haveLeft := bx > 0 || d.mbA != nil
			haveTop := by > 0 || d.mbB != nil
			var haveTR bool
			switch {
			case by == 0 && bx < 3:
				haveTR = d.mbB != nil
			case by == 0:
				haveTR = d.mbC != nil
			case bx == 3:
				haveTR = false
			default:
				haveTR = blkAt[by-1][bx+1] < uint8(blk)
			}
			var haveCorner bool
			switch {
			case bx > 0 && by > 0:
				haveCorner = true
			case by > 0:
				haveCorner = d.mbA != nil
			case bx > 0:
				haveCorner = d.mbB != nil
			default:
				haveCorner = d.mbD != nil
			}
			px, py := x0+4*bx, y0+4*by
			d.gatherEdge4(plane, stride, px, py, haveLeft, haveTop, haveTR, haveCorner, def)
			dst := plane[py*stride+px:]
			pred4x4(dst, stride, int(cur.predModes[blk]), &d.e, haveTop, haveLeft, bitDepth)
			switch {
			case d.bypass:
				bypassAdd(dst, stride, coef4[blk][:], 4, 4, int(cur.predModes[blk]), maxV)
				coef4[blk] = [16]int32{}
			case nzY>>blk&1 != 0:
				idct4Add(dst, stride, &coef4[blk], maxV)
			}
		}
	}
}

// gatherEdge loads the neighbouring samples of an n x n block at (px, py)
// into d.e (§8.3.1.2, §8.3.2.2): unavailable top-right samples are
// replaced by p[n-1,-1]; other unavailable samples by def (never used by a
// conforming stream, but defined).
func (d *sliceDecoder) gatherEdge(plane []uint16, stride, px, py, n int, haveLeft, haveTop, haveTR, haveCorner bool, def int32) {
	e := &d.e
	const c = edgeC
	if haveTop {
		row := plane[(py-1)*stride+px:]
		for x := 0; x < n; x++ {
			e[c+1+x] = int32(row[x])
		}
		if haveTR {
			for x := n; x < 2*n; x++ {
				e[c+1+x] = int32(row[x])
			}
		} else {
			v := e[c+n]
			for x := n; x < 2*n; x++ {
				e[c+1+x] = v
			}
		}
	} else {
		for x := 0; x < 2*n; x++ {
			e[c+1+x] = def
		}
	}
	if haveLeft {
		for y := 0; y < n; y++ {
			e[c-1-y] = int32(plane[(py+y)*stride+px-1])
		}
	} else {
		for y := 0; y < n; y++ {
			e[c-1-y] = def
		}
	}
	if haveCorner {
		e[c] = int32(plane[(py-1)*stride+px-1])
	} else {
		e[c] = def
	}
}

// reconstructChroma predicts both chroma components (§8.3.4) and adds
// their residuals.
func (d *sliceDecoder) reconstructChroma() {
	p := d.pic
	w, h := p.mbWidthC, p.mbHeightC
	stride := p.cStride
	x0, y0 := d.mbX*w, d.mbY*h
	def := int32(1) << uint(d.bitDepthC-1)
	haveTop, haveLeft := d.mbB != nil, d.mbA != nil
	if d.cur.chromaPredMode == 0 && w == 8 && h == 8 && !d.bypass {
		// 4:2:0 DC prediction, the common case.
		o := y0*stride + x0
		d.chromaDCRecon420(0, p.cb, stride, o, haveTop, haveLeft, def)
		d.chromaDCRecon420(1, p.cr, stride, o, haveTop, haveLeft, def)
		return
	}
	if w == 8 && h == 8 && !d.bypass {
		// 4:2:0 horizontal, vertical and plane prediction with the
		// neighbours the mode uses (always, in a conforming stream).
		mode := int(d.cur.chromaPredMode)
		if mode == 1 && haveLeft || mode == 2 && haveTop || mode == 3 && haveTop && haveLeft && d.mbD != nil {
			o := y0*stride + x0
			d.chromaPredRecon420(0, p.cb, stride, o, mode)
			d.chromaPredRecon420(1, p.cr, stride, o, mode)
			return
		}
	}
	for c, plane := range [2][]uint16{p.cb, p.cr} {
		if d.cur.chromaPredMode == 0 && w == 8 && !d.bypass {
			d.chromaDCRecon(c, plane, stride, x0, y0, h, haveTop, haveLeft, def)
			continue
		}
		var top, left [16]int32
		corner := def
		if haveTop {
			row := plane[(y0-1)*stride+x0:]
			for x := 0; x < w; x++ {
				top[x] = int32(row[x])
			}
		}
		if haveLeft {
			for y := 0; y < h; y++ {
				left[y] = int32(plane[(y0+y)*stride+x0-1])
			}
		}
		if d.mbD != nil {
			corner = int32(plane[(y0-1)*stride+x0-1])
		}
		dst := plane[y0*stride+x0:]
		predChroma(dst, stride, w, h, int(d.cur.chromaPredMode), &top, &left, corner, haveTop, haveLeft, d.bitDepthC)
		if d.bypass {
			var res [128]int32
			for b := 0; b < (w/4)*(h/4); b++ {
				bx, by := 4*(b&1), 4*(b>>1)
				for k, v := range d.coefC[c][b] {
					res[(by+k/4)*w+bx+k%4] = v
				}
				d.coefC[c][b] = [16]int32{}
			}
			// intra_chroma_pred_mode 1 is horizontal, 2 vertical.
			mode := -1
			switch d.cur.chromaPredMode {
			case 1:
				mode = predHorizontal
			case 2:
				mode = predVertical
			}
			bypassAdd(dst, stride, res[:w*h], w, h, mode, d.maxC)
			continue
		}
		nz, ac := d.nzC[c], d.acC[c]
		for b := 0; nz != 0; b++ {
			if nz&1 != 0 {
				off := (4*(b>>1))*stride + 4*(b&1)
				if ac&1 != 0 {
					idct4Add(dst[off:], stride, &d.coefC[c][b], d.maxC)
				} else {
					// Only the DC coefficient (§8.5.12.2 with zero AC).
					cf := &d.coefC[c][b]
					dcAdd4(dst[off:], stride, (cf[0]+32)>>6, d.maxC)
					cf[0] = 0
				}
			}
			nz >>= 1
			ac >>= 1
		}
	}
}

// chromaPredRecon420 predicts one component of a 4:2:0 macroblock at
// offset o of plane with intra_chroma_pred_mode 1 (horizontal, §8.3.4.2),
// 2 (vertical, §8.3.4.3) or 3 (plane, §8.3.4.4, with xCF = yCF = 0), all
// of whose neighbours the caller has checked are available, and adds the
// residual.
func (d *sliceDecoder) chromaPredRecon420(c int, plane []uint16, stride, o, mode int) {
	blk := plane[o : o+7*stride+8]
	maxV := d.maxC
	switch mode {
	case 1:
		l := plane[o-1 : o+7*stride]
		_ = l[7*stride]
		fillRow8(blk[0:8], uint64(l[0])*rep16)
		fillRow8(blk[stride:stride+8], uint64(l[stride])*rep16)
		fillRow8(blk[2*stride:2*stride+8], uint64(l[2*stride])*rep16)
		fillRow8(blk[3*stride:3*stride+8], uint64(l[3*stride])*rep16)
		fillRow8(blk[4*stride:4*stride+8], uint64(l[4*stride])*rep16)
		fillRow8(blk[5*stride:5*stride+8], uint64(l[5*stride])*rep16)
		fillRow8(blk[6*stride:6*stride+8], uint64(l[6*stride])*rep16)
		fillRow8(blk[7*stride:7*stride+8], uint64(l[7*stride])*rep16)
	case 2:
		t := (*[8]uint16)(plane[o-stride : o-stride+8])
		w0, w1 := ld4((*[4]uint16)(t[0:4])), ld4((*[4]uint16)(t[4:8]))
		fillBlock8(blk, stride, w0, w1)
	default:
		// t[1+x] = p[x,-1], t[0] = p[-1,-1]; l[(1+y)*stride] = p[-1,y].
		t := (*[9]uint16)(plane[o-stride-1 : o-stride+8])
		l := plane[o-stride-1 : o+7*stride]
		_ = l[8*stride]
		hh := 1*(int32(t[5])-int32(t[3])) + 2*(int32(t[6])-int32(t[2])) +
			3*(int32(t[7])-int32(t[1])) + 4*(int32(t[8])-int32(t[0]))
		vv := 1*(int32(l[5*stride])-int32(l[3*stride])) + 2*(int32(l[6*stride])-int32(l[2*stride])) +
			3*(int32(l[7*stride])-int32(l[stride])) + 4*(int32(l[8*stride])-int32(l[0]))
		a := 16 * (int32(l[8*stride]) + int32(t[8]))
		b := (34*hh + 32) >> 6
		cc := (34*vv + 32) >> 6
		base := a - 3*b - 3*cc + 16
		for y := 0; y < 8; y++ {
			r := (*[8]uint16)(blk[y*stride : y*stride+8])
			v := base
			for x := range r {
				r[x] = uint16(clip(0, maxV, v>>5))
				v += b
			}
			base += cc
		}
	}
	cf := &d.coefC[c&1]
	nz, ac := d.nzC[c&1], d.acC[c&1]
	for b := 0; nz != 0 && b < 4; b++ {
		if nz&1 != 0 {
			dst := blk[4*(b>>1)*stride+4*(b&1):]
			if ac&1 != 0 {
				idct4Add(dst, stride, &cf[b], maxV)
			} else {
				// Only the DC coefficient (§8.5.12.2 with zero AC).
				dcAdd4(dst, stride, (cf[b][0]+32)>>6, maxV)
				cf[b][0] = 0
			}
		}
		nz >>= 1
		ac >>= 1
	}
}

// chromaDCRecon is the DC prediction of one chroma component of a
// macroblock 8 samples wide (4:2:0 and 4:2:2, §8.3.4.1 to §8.3.4.3) with
// the residual: each 4x4 block is filled with its DC value, plus the
// residual's constant when the block has only a DC coefficient, or gets
// the transformed residual added to the constant (idct4Const) when it has
// AC coefficients; no sample is read back. The neighbour sums are computed once per component.
func (d *sliceDecoder) chromaDCRecon(c int, plane []uint16, stride, x0, y0, h int, haveTop, haveLeft bool, def int32) {
	var st [2]int32
	var sl [4]int32
	if haveTop {
		t := (*[8]uint16)(plane[(y0-1)*stride+x0 : (y0-1)*stride+x0+8])
		st[0] = int32(t[0]) + int32(t[1]) + int32(t[2]) + int32(t[3])
		st[1] = int32(t[4]) + int32(t[5]) + int32(t[6]) + int32(t[7])
	}
	nby := h >> 2 // 2 or 4
	if haveLeft {
		for by := 0; by < nby; by++ {
			o := (y0+4*by)*stride + x0 - 1
			_ = plane[o+3*stride]
			sl[by&3] = int32(plane[o]) + int32(plane[o+stride]) + int32(plane[o+2*stride]) + int32(plane[o+3*stride])
		}
	}
	nz, ac := d.nzC[c], d.acC[c]
	maxV := d.maxC
	for b := 0; b < 2*nby; b++ {
		bx, by := b&1, b>>1
		t, l := st[bx], sl[by&3]
		dc := def
		// §8.3.4.1: blocks on the diagonal (and the top-left one) use
		// both neighbours; blocks of the top row prefer the top, blocks of
		// the left column the left.
		switch {
		case bx == by || (bx > 0 && by > 0):
			switch {
			case haveTop && haveLeft:
				dc = (t + l + 4) >> 3
			case haveLeft:
				dc = (l + 2) >> 2
			case haveTop:
				dc = (t + 2) >> 2
			}
		case by == 0: // bx > 0
			switch {
			case haveTop:
				dc = (t + 2) >> 2
			case haveLeft:
				dc = (l + 2) >> 2
			}
		default: // bx == 0, by > 0
			switch {
			case haveLeft:
				dc = (l + 2) >> 2
			case haveTop:
				dc = (t + 2) >> 2
			}
		}
		cf := &d.coefC[c][b]
		if nz>>b&1 != 0 && ac>>b&1 == 0 {
			dc = clip(0, maxV, dc+(cf[0]+32)>>6)
			cf[0] = 0
		}
		o := (y0+4*by)*stride + x0 + 4*bx
		if ac>>b&1 != 0 {
			idct4Const(plane[o:], stride, cf, dc, maxV)
			continue
		}
		_ = plane[o+3*stride+3]
		v := uint16(dc)
		for y := 0; y < 4; y++ {
			r := (*[4]uint16)(plane[o+y*stride : o+y*stride+4])
			r[0], r[1], r[2], r[3] = v, v, v, v
		}
	}
}

// chromaDCRecon420 is chromaDCRecon for a 4:2:0 macroblock (8x8 chroma
// samples, four 4x4 blocks) at offset o of plane, written out block by
// block.
func (d *sliceDecoder) chromaDCRecon420(c int, plane []uint16, stride, o int, haveTop, haveLeft bool, def int32) {
	// §8.3.4.1 to §8.3.4.3 with 4:2:0: blocks 0 and 3 use both
	// neighbours when both exist; block 1 (top right) prefers the top,
	// block 2 (bottom left) the left.
	dc0, dc1, dc2, dc3 := def, def, def, def
	var st0, st1, sl0, sl1 int32
	if haveTop {
		t := (*[8]uint16)(plane[o-stride : o-stride+8])
		st0 = int32(t[0]) + int32(t[1]) + int32(t[2]) + int32(t[3])
		st1 = int32(t[4]) + int32(t[5]) + int32(t[6]) + int32(t[7])
	}
	if haveLeft {
		l := plane[o-1 : o+7*stride]
		_ = l[7*stride]
		sl0 = int32(l[0]) + int32(l[stride]) + int32(l[2*stride]) + int32(l[3*stride])
		sl1 = int32(l[4*stride]) + int32(l[5*stride]) + int32(l[6*stride]) + int32(l[7*stride])
	}
	switch {
	case haveTop && haveLeft:
		dc0, dc1, dc2, dc3 = (st0+sl0+4)>>3, (st1+2)>>2, (sl1+2)>>2, (st1+sl1+4)>>3
	case haveTop:
		dc0, dc1 = (st0+2)>>2, (st1+2)>>2
		dc2, dc3 = dc0, dc1
	case haveLeft:
		dc0, dc2 = (sl0+2)>>2, (sl1+2)>>2
		dc1, dc3 = dc0, dc2
	}
	// Blocks with a DC coefficient only are constant (the residual of
	// §8.5.12.2 is (c[0]+32)>>6 everywhere); blocks with AC coefficients
	// are filled too, then overwritten by idct4Const, which does not read
	// them: eight rows of two 64-bit stores cost less than a test per
	// block and row.
	cf := &d.coefC[c&1]
	nz, ac := d.nzC[c&1], d.acC[c&1]
	maxV := d.maxC
	if nz&^ac != 0 {
		if nz&^ac&1 != 0 {
			dc0 = clip(0, maxV, dc0+(cf[0][0]+32)>>6)
			cf[0][0] = 0
		}
		if nz&^ac&2 != 0 {
			dc1 = clip(0, maxV, dc1+(cf[1][0]+32)>>6)
			cf[1][0] = 0
		}
		if nz&^ac&4 != 0 {
			dc2 = clip(0, maxV, dc2+(cf[2][0]+32)>>6)
			cf[2][0] = 0
		}
		if nz&^ac&8 != 0 {
			dc3 = clip(0, maxV, dc3+(cf[3][0]+32)>>6)
			cf[3][0] = 0
		}
	}
	blk := plane[o : o+7*stride+8]
	const rep = 0x0001_0001_0001_0001
	w0, w1 := uint64(uint16(dc0))*rep, uint64(uint16(dc1))*rep
	w2, w3 := uint64(uint16(dc2))*rep, uint64(uint16(dc3))*rep
	fillRow8x2(blk[0:8], w0, w1)
	fillRow8x2(blk[stride:stride+8], w0, w1)
	fillRow8x2(blk[2*stride:2*stride+8], w0, w1)
	fillRow8x2(blk[3*stride:3*stride+8], w0, w1)
	fillRow8x2(blk[4*stride:4*stride+8], w2, w3)
	fillRow8x2(blk[5*stride:5*stride+8], w2, w3)
	fillRow8x2(blk[6*stride:6*stride+8], w2, w3)
	fillRow8x2(blk[7*stride:7*stride+8], w2, w3)
	if ac != 0 {
		if ac&1 != 0 {
			idct4Const(blk, stride, &cf[0], dc0, maxV)
		}
		if ac&2 != 0 {
			idct4Const(blk[4:], stride, &cf[1], dc1, maxV)
		}
		if ac&4 != 0 {
			idct4Const(blk[4*stride:], stride, &cf[2], dc2, maxV)
		}
		if ac&8 != 0 {
			idct4Const(blk[4*stride+4:], stride, &cf[3], dc3, maxV)
		}
	}
}

// fillRow8x2 stores w0 to samples 0-3 of r and w1 to samples 4-7 (sample i
// of a half in lane i).
func fillRow8x2(r []uint16, w0, w1 uint64) {
	st4((*[4]uint16)(r[0:4]), w0)
	st4((*[4]uint16)(r[4:8]), w1)
}

// fillBlock8 fills the 8 rows of the 8x8 block at blk with the lanes of
// w0 (samples 0-3) and w1 (samples 4-7).
func fillBlock8(blk []uint16, stride int, w0, w1 uint64) {
	// Written out: a loop over the rows costs more than the call.
	fillRow8x2(blk[0:8], w0, w1)
	fillRow8x2(blk[stride:stride+8], w0, w1)
	fillRow8x2(blk[2*stride:2*stride+8], w0, w1)
	fillRow8x2(blk[3*stride:3*stride+8], w0, w1)
	fillRow8x2(blk[4*stride:4*stride+8], w0, w1)
	fillRow8x2(blk[5*stride:5*stride+8], w0, w1)
	fillRow8x2(blk[6*stride:6*stride+8], w0, w1)
	fillRow8x2(blk[7*stride:7*stride+8], w0, w1)
}

// fillRow8 stores the four lanes of w to samples 0-3 and 4-7 of r.
func fillRow8(r []uint16, w uint64) {
	st4((*[4]uint16)(r[0:4]), w)
	st4((*[4]uint16)(r[4:8]), w)
}

// bypassAdd adds the residual r (w x h, raster) of a lossless macroblock to
// the prediction in dst (§8.5.15): for vertical (mode 0) and horizontal
// (mode 1) prediction the residual is first accumulated down the columns or
// along the rows.
func bypassAdd(dst []uint16, stride int, r []int32, w, h, mode int, maxV int32) {
	switch mode {
	case predVertical:
		for y := 1; y < h; y++ {
			for x := 0; x < w; x++ {
				r[y*w+x] += r[(y-1)*w+x]
			}
		}
	case predHorizontal:
		for y := 0; y < h; y++ {
			for x := 1; x < w; x++ {
				r[y*w+x] += r[y*w+x-1]
			}
		}
	}
	for y := 0; y < h; y++ {
		row := dst[y*stride : y*stride+w]
		for x := range row {
			row[x] = uint16(clip(0, maxV, int32(row[x])+r[y*w+x]))
		}
	}
}
