package h264

// Intra_8x8 prediction (§8.3.2), and Intra_4x4 prediction (§8.3.1.2),
// specialised for their fixed sizes. For 8x8 blocks the
// reference samples are gathered and filtered (§8.3.2.2.1) in one pass, and
// every mode computes the few distinct values of its prediction once, as a
// line, and copies each row of the block from that line: in the
// directional modes of §8.3.2.2.5 to §8.3.2.2.10 the predicted sample
// depends on x+y, x-y, 2x-y, 2y-x or x+2y only, so that row y is the line
// shifted by y (or by 2y). Rows are written through [8]uint16 views, one
// bounds check per block.

// gatherFilter8 loads the reference samples p[x,-1] (x = 0..15), p[-1,y]
// (y = 0..7) and p[-1,-1] of the 8x8 block at (px, py) and filters them
// (§8.3.2.2.1) into d.e. Unavailable top-right samples are replaced by
// p[7,-1] before filtering (§8.3.2.2); other unavailable samples enter the
// filter as def and leave it as 0 (no conforming stream uses them).
func (d *sliceDecoder) gatherFilter8(plane []uint16, stride, px, py int, haveLeft, haveTop, haveTR, haveCorner bool, def int32) {
	const c = edgeC
	var t [18]int32 // t[1+x] = p[x,-1], t[0] = p[-1,-1], t[17] = p[15,-1] again
	var l [10]int32 // l[1+y] = p[-1,y], l[0] = p[-1,-1], l[9] = p[-1,7] again
	e := &d.e
	corner := def
	if haveCorner {
		corner = int32(plane[(py-1)*stride+px-1])
	}
	if haveTop {
		o := (py-1)*stride + px
		row := (*[8]uint16)(plane[o : o+8])
		t[1], t[2], t[3], t[4] = int32(row[0]), int32(row[1]), int32(row[2]), int32(row[3])
		t[5], t[6], t[7], t[8] = int32(row[4]), int32(row[5]), int32(row[6]), int32(row[7])
		if haveTR {
			tr := (*[8]uint16)(plane[o+8 : o+16])
			t[9], t[10], t[11], t[12] = int32(tr[0]), int32(tr[1]), int32(tr[2]), int32(tr[3])
			t[13], t[14], t[15], t[16] = int32(tr[4]), int32(tr[5]), int32(tr[6]), int32(tr[7])
		} else {
			v := t[8]
			t[9], t[10], t[11], t[12], t[13], t[14], t[15], t[16] = v, v, v, v, v, v, v, v
		}
	} else {
		for x := 1; x < 17; x++ {
			t[x] = def
		}
	}
	if haveLeft {
		o := py*stride + px - 1
		_ = plane[o+7*stride]
		l[1], l[2], l[3], l[4] = int32(plane[o]), int32(plane[o+stride]), int32(plane[o+2*stride]), int32(plane[o+3*stride])
		l[5], l[6], l[7], l[8] = int32(plane[o+4*stride]), int32(plane[o+5*stride]), int32(plane[o+6*stride]), int32(plane[o+7*stride])
	} else {
		for y := 1; y < 9; y++ {
			l[y] = def
		}
	}
	t[17], l[9] = t[16], l[8]
	// §8.3.2.2.1: p'[0,-1] and p'[-1,0] use p[-1,-1] when it is available,
	// the sample itself twice otherwise; p'[15,-1] and p'[-1,7] repeat
	// their last sample (t[17], l[9] above).
	if haveCorner {
		t[0], l[0] = corner, corner
	} else {
		t[0], l[0] = t[1], l[1]
	}
	if haveTop {
		// Unrolled: Go does not unroll loops, and the loop control cost
		// as much as the filter.
		e[c+1] = (t[0] + 2*t[1] + t[2] + 2) >> 2
		e[c+2] = (t[1] + 2*t[2] + t[3] + 2) >> 2
		e[c+3] = (t[2] + 2*t[3] + t[4] + 2) >> 2
		e[c+4] = (t[3] + 2*t[4] + t[5] + 2) >> 2
		e[c+5] = (t[4] + 2*t[5] + t[6] + 2) >> 2
		e[c+6] = (t[5] + 2*t[6] + t[7] + 2) >> 2
		e[c+7] = (t[6] + 2*t[7] + t[8] + 2) >> 2
		e[c+8] = (t[7] + 2*t[8] + t[9] + 2) >> 2
		e[c+9] = (t[8] + 2*t[9] + t[10] + 2) >> 2
		e[c+10] = (t[9] + 2*t[10] + t[11] + 2) >> 2
		e[c+11] = (t[10] + 2*t[11] + t[12] + 2) >> 2
		e[c+12] = (t[11] + 2*t[12] + t[13] + 2) >> 2
		e[c+13] = (t[12] + 2*t[13] + t[14] + 2) >> 2
		e[c+14] = (t[13] + 2*t[14] + t[15] + 2) >> 2
		e[c+15] = (t[14] + 2*t[15] + t[16] + 2) >> 2
		e[c+16] = (t[15] + 2*t[16] + t[17] + 2) >> 2
	} else {
		for x := 0; x < 16; x++ {
			e[c+1+x] = 0
		}
	}
	if haveLeft {
		e[c-1] = (l[0] + 2*l[1] + l[2] + 2) >> 2
		e[c-2] = (l[1] + 2*l[2] + l[3] + 2) >> 2
		e[c-3] = (l[2] + 2*l[3] + l[4] + 2) >> 2
		e[c-4] = (l[3] + 2*l[4] + l[5] + 2) >> 2
		e[c-5] = (l[4] + 2*l[5] + l[6] + 2) >> 2
		e[c-6] = (l[5] + 2*l[6] + l[7] + 2) >> 2
		e[c-7] = (l[6] + 2*l[7] + l[8] + 2) >> 2
		e[c-8] = (l[7] + 2*l[8] + l[9] + 2) >> 2
	} else {
		for y := 0; y < 8; y++ {
			e[c-1-y] = 0
		}
	}
	switch {
	case !haveCorner:
		e[c] = 0
	case haveTop && haveLeft:
		e[c] = (t[1] + 2*corner + l[1] + 2) >> 2
	case haveTop:
		e[c] = (3*corner + t[1] + 2) >> 2
	case haveLeft:
		e[c] = (3*corner + l[1] + 2) >> 2
	default:
		e[c] = corner
	}
}

// pred8x8 writes the Intra_8x8 prediction of mode (§8.3.2.2.2 to
// §8.3.2.2.10) to the 8x8 block at dst from the filtered reference samples
// e (layout of edge).
func pred8x8(dst []uint16, stride, mode int, e *edge, haveTop, haveLeft bool, bitDepth int) {
	const c = edgeC
	_ = dst[7*stride+7]
	var line [24]uint16
	switch mode {
	case predVertical:
		var r [8]uint16
		for x := range r {
			r[x] = uint16(e[c+1+x])
		}
		for y := 0; y < 8; y++ {
			*(*[8]uint16)(dst[y*stride : y*stride+8]) = r
		}
		return
	case predHorizontal:
		// Sample stores: a row built on the stack and copied with one wide
		// load would wait for its eight narrow stores (no store
		// forwarding).
		for y := 0; y < 8; y++ {
			v := uint16(e[c-1-y])
			r := (*[8]uint16)(dst[y*stride : y*stride+8])
			r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7] = v, v, v, v, v, v, v, v
		}
		return
	case predDC:
		var s int32
		var dc int32
		switch {
		case haveTop && haveLeft:
			for i := 0; i < 8; i++ {
				s += e[c+1+i] + e[c-1-i]
			}
			dc = (s + 8) >> 4
		case haveLeft:
			for i := 0; i < 8; i++ {
				s += e[c-1-i]
			}
			dc = (s + 4) >> 3
		case haveTop:
			for i := 0; i < 8; i++ {
				s += e[c+1+i]
			}
			dc = (s + 4) >> 3
		default:
			dc = 1 << uint(bitDepth-1)
		}
		// The row is built once: copying a row literal per row made every
		// row's wide load wait for eight narrow stores.
		v := uint16(dc)
		r := [8]uint16{v, v, v, v, v, v, v, v}
		for y := 0; y < 8; y++ {
			*(*[8]uint16)(dst[y*stride : y*stride+8]) = r
		}
		return
	case predDiagDownLeft: // x+y: line[k] for k = x+y
		for k := 0; k < 14; k++ {
			line[k] = uint16(f3(e, c+2+k))
		}
		line[14] = uint16((e[c+15] + 3*e[c+16] + 2) >> 2)
		for y := 0; y < 8; y++ {
			*(*[8]uint16)(dst[y*stride : y*stride+8]) = *(*[8]uint16)(line[y : y+8])
		}
	case predDiagDownRight: // x-y: line[7+x-y]
		for k := 0; k < 15; k++ {
			line[k] = uint16(f3(e, c-7+k))
		}
		for y := 0; y < 8; y++ {
			*(*[8]uint16)(dst[y*stride : y*stride+8]) = *(*[8]uint16)(line[7-y : 15-y])
		}
	case predVerticalRight:
		// Row 2j is even[3-j:], row 2j+1 odd[3-j:]: the top half-sample
		// and full-sample filters at 3+x, the left filtered values below.
		even, odd := line[:11], line[12:23]
		for x := 0; x < 8; x++ {
			even[3+x] = uint16(f2(e, c+x))
			odd[3+x] = uint16(f3(e, c+x))
		}
		even[2], even[1], even[0] = uint16(f3(e, c-1)), uint16(f3(e, c-3)), uint16(f3(e, c-5))
		odd[2], odd[1], odd[0] = uint16(f3(e, c-2)), uint16(f3(e, c-4)), uint16(f3(e, c-6))
		for j := 0; j < 4; j++ {
			*(*[8]uint16)(dst[2*j*stride : 2*j*stride+8]) = *(*[8]uint16)(even[3-j : 11-j])
			*(*[8]uint16)(dst[(2*j+1)*stride : (2*j+1)*stride+8]) = *(*[8]uint16)(odd[3-j : 11-j])
		}
	case predHorizontalDown:
		// Row y is line[2(7-y):]: each row down shifts by two samples.
		for y := 0; y < 8; y++ {
			line[2*(7-y)] = uint16((e[c-y] + e[c-1-y] + 1) >> 1)
			line[2*(7-y)+1] = uint16(f3(e, c-y))
		}
		for k := 0; k < 6; k++ {
			line[16+k] = uint16(f3(e, c+1+k))
		}
		for y := 0; y < 8; y++ {
			*(*[8]uint16)(dst[y*stride : y*stride+8]) = *(*[8]uint16)(line[2*(7-y) : 2*(7-y)+8])
		}
	case predVerticalLeft:
		a, b := line[:12], line[12:24]
		for k := 0; k < 11; k++ {
			a[k] = uint16(f2(e, c+1+k))
			b[k] = uint16(f3(e, c+2+k))
		}
		for j := 0; j < 4; j++ {
			*(*[8]uint16)(dst[2*j*stride : 2*j*stride+8]) = *(*[8]uint16)(a[j : j+8])
			*(*[8]uint16)(dst[(2*j+1)*stride : (2*j+1)*stride+8]) = *(*[8]uint16)(b[j : j+8])
		}
	default: // predHorizontalUp: x+2y, row y is line[2y:]
		for k := 0; k < 6; k++ {
			line[2*k] = uint16((e[c-1-k] + e[c-2-k] + 1) >> 1)
			line[2*k+1] = uint16((e[c-1-k] + 2*e[c-2-k] + e[c-3-k] + 2) >> 2)
		}
		line[12] = uint16((e[c-7] + e[c-8] + 1) >> 1)
		line[13] = uint16((e[c-7] + 3*e[c-8] + 2) >> 2)
		v := uint16(e[c-8])
		for k := 14; k < 22; k++ {
			line[k] = v
		}
		for y := 0; y < 8; y++ {
			*(*[8]uint16)(dst[y*stride : y*stride+8]) = *(*[8]uint16)(line[2*y : 2*y+8])
		}
	}
}

// gatherEdge4 is gatherEdge for a 4x4 block: p[x,-1] (x = 0..7), p[-1,y]
// (y = 0..3) and p[-1,-1] of the block at (px, py) into d.e, through
// fixed-size views. Unavailable top-right samples are p[3,-1]; other
// unavailable samples are def.
func (d *sliceDecoder) gatherEdge4(plane []uint16, stride, px, py int, haveLeft, haveTop, haveTR, haveCorner bool, def int32) {
	const c = edgeC
	e := &d.e
	if haveTop {
		o := (py-1)*stride + px
		t := (*[4]uint16)(plane[o : o+4])
		e[c+1], e[c+2], e[c+3], e[c+4] = int32(t[0]), int32(t[1]), int32(t[2]), int32(t[3])
		if haveTR {
			tr := (*[4]uint16)(plane[o+4 : o+8])
			e[c+5], e[c+6], e[c+7], e[c+8] = int32(tr[0]), int32(tr[1]), int32(tr[2]), int32(tr[3])
		} else {
			v := int32(t[3])
			e[c+5], e[c+6], e[c+7], e[c+8] = v, v, v, v
		}
	} else {
		e[c+1], e[c+2], e[c+3], e[c+4], e[c+5], e[c+6], e[c+7], e[c+8] = def, def, def, def, def, def, def, def
	}
	if haveLeft {
		o := py*stride + px - 1
		_ = plane[o+3*stride]
		e[c-1], e[c-2], e[c-3], e[c-4] = int32(plane[o]), int32(plane[o+stride]), int32(plane[o+2*stride]), int32(plane[o+3*stride])
	} else {
		e[c-1], e[c-2], e[c-3], e[c-4] = def, def, def, def
	}
	if haveCorner {
		e[c] = int32(plane[(py-1)*stride+px-1])
	} else {
		e[c] = def
	}
}

// pred4x4 writes the Intra_4x4 prediction of mode (§8.3.1.2.1 to
// §8.3.1.2.9) to the 4x4 block at dst from the reference samples e, with
// the lines of pred8x8.
func pred4x4(dst []uint16, stride, mode int, e *edge, haveTop, haveLeft bool, bitDepth int) {
	const c = edgeC
	_ = dst[3*stride+3]
	var line [12]uint16
	switch mode {
	case predVertical:
		r := [4]uint16{uint16(e[c+1]), uint16(e[c+2]), uint16(e[c+3]), uint16(e[c+4])}
		for y := 0; y < 4; y++ {
			*(*[4]uint16)(dst[y*stride : y*stride+4]) = r
		}
		return
	case predHorizontal:
		for y := 0; y < 4; y++ {
			v := uint16(e[c-1-y])
			r := (*[4]uint16)(dst[y*stride : y*stride+4])
			r[0], r[1], r[2], r[3] = v, v, v, v
		}
		return
	case predDC:
		var dc int32
		switch {
		case haveTop && haveLeft:
			dc = (e[c+1] + e[c+2] + e[c+3] + e[c+4] + e[c-1] + e[c-2] + e[c-3] + e[c-4] + 4) >> 3
		case haveLeft:
			dc = (e[c-1] + e[c-2] + e[c-3] + e[c-4] + 2) >> 2
		case haveTop:
			dc = (e[c+1] + e[c+2] + e[c+3] + e[c+4] + 2) >> 2
		default:
			dc = 1 << uint(bitDepth-1)
		}
		v := uint16(dc)
		r := [4]uint16{v, v, v, v}
		for y := 0; y < 4; y++ {
			*(*[4]uint16)(dst[y*stride : y*stride+4]) = r
		}
		return
	case predDiagDownLeft: // x+y
		for k := 0; k < 6; k++ {
			line[k] = uint16(f3(e, c+2+k))
		}
		line[6] = uint16((e[c+7] + 3*e[c+8] + 2) >> 2)
		for y := 0; y < 4; y++ {
			*(*[4]uint16)(dst[y*stride : y*stride+4]) = *(*[4]uint16)(line[y : y+4])
		}
	case predDiagDownRight: // x-y
		for k := 0; k < 7; k++ {
			line[k] = uint16(f3(e, c-3+k))
		}
		for y := 0; y < 4; y++ {
			*(*[4]uint16)(dst[y*stride : y*stride+4]) = *(*[4]uint16)(line[3-y : 7-y])
		}
	case predVerticalRight:
		even, odd := line[:5], line[6:11]
		for x := 0; x < 4; x++ {
			even[1+x] = uint16(f2(e, c+x))
			odd[1+x] = uint16(f3(e, c+x))
		}
		even[0], odd[0] = uint16(f3(e, c-1)), uint16(f3(e, c-2))
		for j := 0; j < 2; j++ {
			*(*[4]uint16)(dst[2*j*stride : 2*j*stride+4]) = *(*[4]uint16)(even[1-j : 5-j])
			*(*[4]uint16)(dst[(2*j+1)*stride : (2*j+1)*stride+4]) = *(*[4]uint16)(odd[1-j : 5-j])
		}
	case predHorizontalDown:
		for y := 0; y < 4; y++ {
			line[2*(3-y)] = uint16((e[c-y] + e[c-1-y] + 1) >> 1)
			line[2*(3-y)+1] = uint16(f3(e, c-y))
		}
		line[8], line[9] = uint16(f3(e, c+1)), uint16(f3(e, c+2))
		for y := 0; y < 4; y++ {
			*(*[4]uint16)(dst[y*stride : y*stride+4]) = *(*[4]uint16)(line[2*(3-y) : 2*(3-y)+4])
		}
	case predVerticalLeft:
		a, b := line[:6], line[6:12]
		for k := 0; k < 5; k++ {
			a[k] = uint16(f2(e, c+1+k))
			b[k] = uint16(f3(e, c+2+k))
		}
		for j := 0; j < 2; j++ {
			*(*[4]uint16)(dst[2*j*stride : 2*j*stride+4]) = *(*[4]uint16)(a[j : j+4])
			*(*[4]uint16)(dst[(2*j+1)*stride : (2*j+1)*stride+4]) = *(*[4]uint16)(b[j : j+4])
		}
	default: // predHorizontalUp: x+2y
		line[0] = uint16((e[c-1] + e[c-2] + 1) >> 1)
		line[1] = uint16((e[c-1] + 2*e[c-2] + e[c-3] + 2) >> 2)
		line[2] = uint16((e[c-2] + e[c-3] + 1) >> 1)
		line[3] = uint16((e[c-2] + 2*e[c-3] + e[c-4] + 2) >> 2)
		line[4] = uint16((e[c-3] + e[c-4] + 1) >> 1)
		line[5] = uint16((e[c-3] + 3*e[c-4] + 2) >> 2)
		v := uint16(e[c-4])
		line[6], line[7], line[8], line[9] = v, v, v, v
		for y := 0; y < 4; y++ {
			*(*[4]uint16)(dst[y*stride : y*stride+4]) = *(*[4]uint16)(line[2*y : 2*y+4])
		}
	}
}

// The common case of Intra_8x8 prediction: p[-1,-1], p[x,-1] (x = 0..7)
// and p[-1,y] (y = 0..7) all available (every block not on the top or
// left edge of the picture or of a slice). The DC, vertical and horizontal
// modes (most blocks) filter only the samples they use (§8.3.2.2.1) and
// write the block directly; the top samples are filtered four at a time
// in 16-bit lanes of a uint64, as the deblocking filter does
// (deblock_swar.go): t[x-1] + 2*t[x] + t[x+1] + 2 is below 4*2^14, so no
// lane carries into the next, and after >>2 a mask clears the two bits
// shifted in from the lane above.

// rep16 has 1 in each 16-bit lane: v*rep16 repeats v in every lane.
const rep16 = 0x0001_0001_0001_0001

// filterTop8 returns p'[x,-1] for x = 0..3 and 4..7 (§8.3.2.2.1, eq.
// 8-79..8-81 with p[-1,-1] available), sample x in lane x%4, from the
// samples p[-1,-1]..p[7,-1] at top[0:9] and p[8,-1] in t8 (the top-right
// sample, or p[7,-1] when it is not available).
func filterTop8(top *[9]uint16, t8 uint16) (uint64, uint64) {
	l0 := ld4((*[4]uint16)(top[0:4])) // p[x-1,-1], x = 0..3
	c0 := ld4((*[4]uint16)(top[1:5])) // p[x,-1]
	r0 := ld4((*[4]uint16)(top[2:6])) // p[x+1,-1]
	l1 := ld4((*[4]uint16)(top[4:8])) // p[x-1,-1], x = 4..7
	c1 := ld4((*[4]uint16)(top[5:9])) // p[x,-1]
	r1 := c1>>16 | uint64(t8)<<48     // p[x+1,-1]
	f0 := (l0 + c0<<1 + r0 + 2*rep16) >> 2 & (0x3fff * rep16)
	f1 := (l1 + c1<<1 + r1 + 2*rep16) >> 2 & (0x3fff * rep16)
	return f0, f1
}

// lane4Sum is the sum of the four 16-bit lanes of w, each below 2^14: the
// product's top lane collects all four, and no partial sum below it
// reaches 2^16.
func lane4Sum(w uint64) int32 { return int32((w * rep16) >> 48) }

// pred8x8Avail predicts the 8x8 block at offset o of plane with mode when
// p[-1,-1], p[x,-1] (x = 0..7) and p[-1,y] (y = 0..7) are available;
// haveTR tells whether p[8..15,-1] are. Modes other than DC, vertical and
// horizontal go through gatherFilter8 and pred8x8.
func (d *sliceDecoder) pred8x8Avail(plane []uint16, stride, o, mode int, haveTR bool) {
	blk := plane[o : o+7*stride+8]
	switch mode {
	case predVertical, predDC:
		top := (*[9]uint16)(plane[o-stride-1 : o-stride+8])
		t8 := top[8]
		if haveTR {
			t8 = plane[o-stride+8]
		}
		f0, f1 := filterTop8(top, t8)
		if mode == predDC {
			// §8.3.2.2.4 with both neighbours: (sum of p'[x,-1] and
			// p'[-1,y] + 8) >> 4.
			l := plane[o-stride-1 : o+7*stride]
			_ = l[8*stride]
			c, l0, l1, l2, l3 := int32(l[0]), int32(l[stride]), int32(l[2*stride]), int32(l[3*stride]), int32(l[4*stride])
			l4, l5, l6, l7 := int32(l[5*stride]), int32(l[6*stride]), int32(l[7*stride]), int32(l[8*stride])
			s := (c+2*l0+l1+2)>>2 + (l0+2*l1+l2+2)>>2 + (l1+2*l2+l3+2)>>2 + (l2+2*l3+l4+2)>>2 +
				(l3+2*l4+l5+2)>>2 + (l4+2*l5+l6+2)>>2 + (l5+2*l6+l7+2)>>2 + (l6+3*l7+2)>>2
			dc := uint64((s + lane4Sum(f0) + lane4Sum(f1) + 8) >> 4)
			f0 = dc * rep16
			f1 = f0
		}
		fillBlock8(blk, stride, f0, f1)
	case predHorizontal:
		// §8.3.2.2.3: row y is p'[-1,y].
		l := plane[o-stride-1 : o+7*stride]
		_ = l[8*stride]
		c, l0, l1, l2, l3 := int32(l[0]), int32(l[stride]), int32(l[2*stride]), int32(l[3*stride]), int32(l[4*stride])
		l4, l5, l6, l7 := int32(l[5*stride]), int32(l[6*stride]), int32(l[7*stride]), int32(l[8*stride])
		fillRow8(blk[0:8], uint64((c+2*l0+l1+2)>>2)*rep16)
		fillRow8(blk[stride:stride+8], uint64((l0+2*l1+l2+2)>>2)*rep16)
		fillRow8(blk[2*stride:2*stride+8], uint64((l1+2*l2+l3+2)>>2)*rep16)
		fillRow8(blk[3*stride:3*stride+8], uint64((l2+2*l3+l4+2)>>2)*rep16)
		fillRow8(blk[4*stride:4*stride+8], uint64((l3+2*l4+l5+2)>>2)*rep16)
		fillRow8(blk[5*stride:5*stride+8], uint64((l4+2*l5+l6+2)>>2)*rep16)
		fillRow8(blk[6*stride:6*stride+8], uint64((l5+2*l6+l7+2)>>2)*rep16)
		fillRow8(blk[7*stride:7*stride+8], uint64((l6+3*l7+2)>>2)*rep16)
	case predDiagDownLeft, predVerticalLeft:
		// §8.3.2.2.5: pred[x,y] = line[x+y] with line[k] = (p'[k,-1] +
		// 2*p'[k+1,-1] + p'[k+2,-1] + 2) >> 2, and p'[16,-1] taken as
		// p'[15,-1] for line[14] (x = y = 7). The filtered top row
		// p'[0..15,-1] is f0..f3 (four samples each), the line l0..l3,
		// and row y is the line from sample y on. §8.3.2.2.8 (vertical
		// left): row 2j is (p'[k,-1] + p'[k+1,-1] + 1) >> 1 from k = j on,
		// row 2j+1 the same line as above from j on.
		top := (*[9]uint16)(plane[o-stride-1 : o-stride+8])
		var f2, f3 uint64
		var t8 uint16
		if haveTR {
			tr := (*[9]uint16)(plane[o-stride+7 : o-stride+16]) // p[7..15,-1]
			t8 = tr[1]
			f2, f3 = filterTop8(tr, tr[8])
		} else {
			// p[8..15,-1] are p[7,-1]: so are p'[8..15,-1].
			t8 = top[8]
			f2 = uint64(t8) * rep16
			f3 = f2
		}
		f0, f1 := filterTop8(top, t8)
		const m14 = 0x3fff * rep16
		f4 := f3 >> 48 * rep16 // p'[15,-1] repeated
		l0 := (f0 + (f0>>16|f1<<48)<<1 + (f0>>32 | f1<<32) + 2*rep16) >> 2 & m14
		l1 := (f1 + (f1>>16|f2<<48)<<1 + (f1>>32 | f2<<32) + 2*rep16) >> 2 & m14
		l2 := (f2 + (f2>>16|f3<<48)<<1 + (f2>>32 | f3<<32) + 2*rep16) >> 2 & m14
		if mode == predVerticalLeft {
			const m15 = 0x7fff * rep16
			a0 := (f0 + (f0>>16 | f1<<48) + rep16) >> 1 & m15
			a1 := (f1 + (f1>>16 | f2<<48) + rep16) >> 1 & m15
			a2 := (f2 + (f2>>16 | f3<<48) + rep16) >> 1 & m15
			fillRow8x2(blk[0:8], a0, a1)
			fillRow8x2(blk[stride:stride+8], l0, l1)
			fillRow8x2(blk[2*stride:2*stride+8], a0>>16|a1<<48, a1>>16|a2<<48)
			fillRow8x2(blk[3*stride:3*stride+8], l0>>16|l1<<48, l1>>16|l2<<48)
			fillRow8x2(blk[4*stride:4*stride+8], a0>>32|a1<<32, a1>>32|a2<<32)
			fillRow8x2(blk[5*stride:5*stride+8], l0>>32|l1<<32, l1>>32|l2<<32)
			fillRow8x2(blk[6*stride:6*stride+8], a0>>48|a1<<16, a1>>48|a2<<16)
			fillRow8x2(blk[7*stride:7*stride+8], l0>>48|l1<<16, l1>>48|l2<<16)
			return
		}
		l3 := (f3 + (f3>>16|f4<<48)<<1 + (f3>>32 | f4<<32) + 2*rep16) >> 2 & m14
		fillRow8x2(blk[0:8], l0, l1)
		fillRow8x2(blk[stride:stride+8], l0>>16|l1<<48, l1>>16|l2<<48)
		fillRow8x2(blk[2*stride:2*stride+8], l0>>32|l1<<32, l1>>32|l2<<32)
		fillRow8x2(blk[3*stride:3*stride+8], l0>>48|l1<<16, l1>>48|l2<<16)
		fillRow8x2(blk[4*stride:4*stride+8], l1, l2)
		fillRow8x2(blk[5*stride:5*stride+8], l1>>16|l2<<48, l2>>16|l3<<48)
		fillRow8x2(blk[6*stride:6*stride+8], l1>>32|l2<<32, l2>>32|l3<<32)
		fillRow8x2(blk[7*stride:7*stride+8], l1>>48|l2<<16, l2>>48|l3<<16)
	default:
		d.gatherFilter8Avail(plane, stride, o, haveTR)
		pred8x8(blk, stride, mode, &d.e, true, true, 8)
	}
}

// gatherFilter8Avail is gatherFilter8 for the 8x8 block at offset o of
// plane when p[-1,-1], p[x,-1] (x = 0..7) and p[-1,y] are available, with
// the filter of §8.3.2.2.1 written out for that case.
func (d *sliceDecoder) gatherFilter8Avail(plane []uint16, stride, o int, haveTR bool) {
	const c = edgeC
	e := &d.e
	top := (*[9]uint16)(plane[o-stride-1 : o-stride+8]) // p[-1,-1], p[0..7,-1]
	t0, t1, t2, t3, t4 := int32(top[0]), int32(top[1]), int32(top[2]), int32(top[3]), int32(top[4])
	t5, t6, t7, t8 := int32(top[5]), int32(top[6]), int32(top[7]), int32(top[8])
	t9, t10, t11, t12, t13, t14, t15, t16 := t8, t8, t8, t8, t8, t8, t8, t8
	if haveTR {
		tr := (*[8]uint16)(plane[o-stride+8 : o-stride+16])
		t9, t10, t11, t12 = int32(tr[0]), int32(tr[1]), int32(tr[2]), int32(tr[3])
		t13, t14, t15, t16 = int32(tr[4]), int32(tr[5]), int32(tr[6]), int32(tr[7])
	}
	// e[c+1+x] = p'[x,-1]: here tK is p[K-1,-1].
	e[c+1] = (t0 + 2*t1 + t2 + 2) >> 2
	e[c+2] = (t1 + 2*t2 + t3 + 2) >> 2
	e[c+3] = (t2 + 2*t3 + t4 + 2) >> 2
	e[c+4] = (t3 + 2*t4 + t5 + 2) >> 2
	e[c+5] = (t4 + 2*t5 + t6 + 2) >> 2
	e[c+6] = (t5 + 2*t6 + t7 + 2) >> 2
	e[c+7] = (t6 + 2*t7 + t8 + 2) >> 2
	e[c+8] = (t7 + 2*t8 + t9 + 2) >> 2
	e[c+9] = (t8 + 2*t9 + t10 + 2) >> 2
	e[c+10] = (t9 + 2*t10 + t11 + 2) >> 2
	e[c+11] = (t10 + 2*t11 + t12 + 2) >> 2
	e[c+12] = (t11 + 2*t12 + t13 + 2) >> 2
	e[c+13] = (t12 + 2*t13 + t14 + 2) >> 2
	e[c+14] = (t13 + 2*t14 + t15 + 2) >> 2
	e[c+15] = (t14 + 2*t15 + t16 + 2) >> 2
	e[c+16] = (t15 + 3*t16 + 2) >> 2
	// e[c-1-y] = p'[-1,y]: l[(1+y)*stride] is p[-1,y], l[0] p[-1,-1].
	l := plane[o-stride-1 : o+7*stride]
	_ = l[8*stride]
	l0, l1, l2, l3 := int32(l[stride]), int32(l[2*stride]), int32(l[3*stride]), int32(l[4*stride])
	l4, l5, l6, l7 := int32(l[5*stride]), int32(l[6*stride]), int32(l[7*stride]), int32(l[8*stride])
	e[c] = (t1 + 2*t0 + l0 + 2) >> 2
	e[c-1] = (t0 + 2*l0 + l1 + 2) >> 2
	e[c-2] = (l0 + 2*l1 + l2 + 2) >> 2
	e[c-3] = (l1 + 2*l2 + l3 + 2) >> 2
	e[c-4] = (l2 + 2*l3 + l4 + 2) >> 2
	e[c-5] = (l3 + 2*l4 + l5 + 2) >> 2
	e[c-6] = (l4 + 2*l5 + l6 + 2) >> 2
	e[c-7] = (l5 + 2*l6 + l7 + 2) >> 2
	e[c-8] = (l6 + 3*l7 + 2) >> 2
}
