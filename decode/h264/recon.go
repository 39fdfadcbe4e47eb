package h264

// Reconstruction of one intra macroblock: prediction (§8.3) plus the
// residual (§8.5), written straight into the picture.

func (d *sliceDecoder) reconstruct(i16 bool, mbType int) {
	p := d.pic
	cur := d.cur
	stride := p.yStride
	x0, y0 := d.mbX*16, d.mbY*16
	def := int32(1) << uint(d.bitDepthY-1)
	switch {
	case i16:
		var top, left [16]int32
		var corner int32 = def
		haveTop, haveLeft := d.mbB != nil, d.mbA != nil
		if haveTop {
			row := p.y[(y0-1)*stride+x0:]
			for x := 0; x < 16; x++ {
				top[x] = int32(row[x])
			}
		}
		if haveLeft {
			for y := 0; y < 16; y++ {
				left[y] = int32(p.y[(y0+y)*stride+x0-1])
			}
		}
		if d.mbD != nil {
			corner = int32(p.y[(y0-1)*stride+x0-1])
		}
		dst := p.y[y0*stride+x0:]
		mode := (mbType - 1) % 4
		pred16x16(dst, stride, mode, &top, &left, corner, haveTop, haveLeft, d.bitDepthY)
		if d.bypass {
			var res [256]int32
			for blk := 0; blk < 16; blk++ {
				bx, by := 4*int(blkX[blk]), 4*int(blkY[blk])
				for k, v := range d.coef4[blk] {
					res[(by+k/4)*16+bx+k%4] = v
				}
				d.coef4[blk] = [16]int32{}
			}
			bypassAdd(dst, stride, res[:], 16, 16, mode, d.maxY)
			break
		}
		for blk := 0; blk < 16; blk++ {
			if d.nzY>>blk&1 != 0 {
				off := (y0+4*int(blkY[blk]))*stride + x0 + 4*int(blkX[blk])
				idct4Add(p.y[off:], stride, &d.coef4[blk], d.maxY)
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
			d.gatherEdge(p.y, stride, px, py, 8, haveLeft, haveTop, haveTR, haveCorner, def)
			filter8x8Edge(&d.e, haveTop, haveLeft, haveCorner)
			dst := p.y[py*stride+px:]
			predNxN(dst, stride, 8, int(cur.predModes[4*b8]), &d.e, haveTop, haveLeft, d.bitDepthY)
			switch {
			case d.bypass:
				bypassAdd(dst, stride, d.coef8[b8][:], 8, 8, int(cur.predModes[4*b8]), d.maxY)
				d.coef8[b8] = [64]int32{}
			case d.nzY>>b8&1 != 0:
				idct8Add(dst, stride, &d.coef8[b8], d.maxY)
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
			d.gatherEdge(p.y, stride, px, py, 4, haveLeft, haveTop, haveTR, haveCorner, def)
			dst := p.y[py*stride+px:]
			predNxN(dst, stride, 4, int(cur.predModes[blk]), &d.e, haveTop, haveLeft, d.bitDepthY)
			switch {
			case d.bypass:
				bypassAdd(dst, stride, d.coef4[blk][:], 4, 4, int(cur.predModes[blk]), d.maxY)
				d.coef4[blk] = [16]int32{}
			case d.nzY>>blk&1 != 0:
				idct4Add(dst, stride, &d.coef4[blk], d.maxY)
			}
		}
	}
	if d.chromaArrayType == 1 || d.chromaArrayType == 2 {
		d.reconstructChroma()
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
	for c, plane := range [2][]uint16{p.cb, p.cr} {
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
		nz := d.nzC[c]
		for b := 0; nz != 0; b++ {
			if nz&1 != 0 {
				off := (4*(b>>1))*stride + 4*(b&1)
				idct4Add(dst[off:], stride, &d.coefC[c][b], d.maxC)
			}
			nz >>= 1
		}
	}
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
