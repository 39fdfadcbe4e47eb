package h264

// Intra prediction (§8.3). The NxN modes (4x4 and 8x8) work on one edge
// array e holding the neighbouring samples around a centre index:
//
//	e[edgeC-1-y] = p[-1, y]   left column, y = 0..N-1
//	e[edgeC]     = p[-1,-1]   corner
//	e[edgeC+1+x] = p[x, -1]   top row, x = 0..2N-1
//
// With this layout the diagonal modes of §8.3.1.2.4 to §8.3.1.2.9 (and
// their 8x8 versions in §8.3.2.2.5 to §8.3.2.2.10) are one 3-tap or 2-tap
// filter at an index computed from x and y.

const edgeC = 16

type edge [edgeC + 17]int32

// Intra4x4PredMode / Intra8x8PredMode values (Table 8-2, 8-3).
const (
	predVertical = iota
	predHorizontal
	predDC
	predDiagDownLeft
	predDiagDownRight
	predVerticalRight
	predHorizontalDown
	predVerticalLeft
	predHorizontalUp
)

func f3(e *edge, k int) int32 { return (e[k-1] + 2*e[k] + e[k+1] + 2) >> 2 }
func f2(e *edge, k int) int32 { return (e[k] + e[k+1] + 1) >> 1 }

// predNxN writes the n x n (4 or 8) intra prediction of the given mode to
// dst (row stride stride). haveTop/haveLeft tell which neighbours exist (for
// DC); the caller has already substituted unavailable samples.
func predNxN(dst []uint16, stride, n, mode int, e *edge, haveTop, haveLeft bool, bitDepth int) {
	const c = edgeC
	switch mode {
	case predVertical:
		for y := 0; y < n; y++ {
			row := dst[y*stride : y*stride+n]
			for x := range row {
				row[x] = uint16(e[c+1+x])
			}
		}
		return
	case predHorizontal:
		for y := 0; y < n; y++ {
			v := uint16(e[c-1-y])
			row := dst[y*stride : y*stride+n]
			for x := range row {
				row[x] = v
			}
		}
		return
	case predDC:
		var s int32
		shift := 2
		if n == 8 {
			shift = 3
		}
		var dc int32
		switch {
		case haveTop && haveLeft:
			for i := 0; i < n; i++ {
				s += e[c+1+i] + e[c-1-i]
			}
			dc = (s + int32(n)) >> uint(shift+1)
		case haveLeft:
			for i := 0; i < n; i++ {
				s += e[c-1-i]
			}
			dc = (s + int32(n>>1)) >> uint(shift)
		case haveTop:
			for i := 0; i < n; i++ {
				s += e[c+1+i]
			}
			dc = (s + int32(n>>1)) >> uint(shift)
		default:
			dc = 1 << uint(bitDepth-1)
		}
		for y := 0; y < n; y++ {
			row := dst[y*stride : y*stride+n]
			for x := range row {
				row[x] = uint16(dc)
			}
		}
		return
	}
	// The diagonal modes: one loop per mode, the per-sample case split
	// of the standard kept inside.
	switch mode {
	case predDiagDownLeft:
		for y := 0; y < n; y++ {
			row := dst[y*stride : y*stride+n]
			for x := range row {
				if x+y < 2*n-2 {
					row[x] = uint16(f3(e, c+2+x+y))
				}
			}
		}
		dst[(n-1)*stride+n-1] = uint16((e[c+1+2*n-2] + 3*e[c+1+2*n-1] + 2) >> 2)
	case predDiagDownRight:
		for y := 0; y < n; y++ {
			row := dst[y*stride : y*stride+n]
			for x := range row {
				row[x] = uint16(f3(e, c+x-y))
			}
		}
	case predVerticalRight:
		for y := 0; y < n; y++ {
			row := dst[y*stride : y*stride+n]
			for x := range row {
				var v int32
				z := 2*x - y
				switch {
				case z >= 0 && z&1 == 0:
					v = f2(e, c+x-(y>>1))
				case z >= 0:
					v = f3(e, c+x-(y>>1))
				case z == -1:
					v = f3(e, c)
				default:
					v = f3(e, c-y+2*x+1)
				}
				row[x] = uint16(v)
			}
		}
	case predHorizontalDown:
		for y := 0; y < n; y++ {
			row := dst[y*stride : y*stride+n]
			for x := range row {
				var v int32
				z := 2*y - x
				switch {
				case z >= 0 && z&1 == 0:
					v = (e[c-y+(x>>1)] + e[c-1-y+(x>>1)] + 1) >> 1
				case z >= 0:
					v = f3(e, c-y+(x>>1))
				case z == -1:
					v = f3(e, c)
				default:
					v = f3(e, c+x-2*y-1)
				}
				row[x] = uint16(v)
			}
		}
	case predVerticalLeft:
		for y := 0; y < n; y++ {
			row := dst[y*stride : y*stride+n]
			if y&1 == 0 {
				for x := range row {
					row[x] = uint16(f2(e, c+1+x+(y>>1)))
				}
			} else {
				for x := range row {
					row[x] = uint16(f3(e, c+2+x+(y>>1)))
				}
			}
		}
	default: // predHorizontalUp
		for y := 0; y < n; y++ {
			row := dst[y*stride : y*stride+n]
			for x := range row {
				var v int32
				z := x + 2*y
				k := y + (x >> 1)
				switch {
				case z > 2*n-3:
					v = e[c-n]
				case z == 2*n-3:
					v = (e[c-1-(n-2)] + 3*e[c-n] + 2) >> 2
				case z&1 == 0:
					v = (e[c-1-k] + e[c-2-k] + 1) >> 1
				default:
					v = (e[c-1-k] + 2*e[c-2-k] + e[c-3-k] + 2) >> 2
				}
				row[x] = uint16(v)
			}
		}
	}
}

// filter8x8Edge applies the reference sample filtering of §8.3.2.2.1 to the
// 8x8 edge e in place (16 top samples, 8 left, corner).
func filter8x8Edge(e *edge, haveTop, haveLeft, haveCorner bool) {
	const c = edgeC
	var f edge
	if haveTop {
		if haveCorner {
			f[c+1] = (e[c] + 2*e[c+1] + e[c+2] + 2) >> 2
		} else {
			f[c+1] = (3*e[c+1] + e[c+2] + 2) >> 2
		}
		for x := 1; x < 15; x++ {
			f[c+1+x] = (e[c+x] + 2*e[c+1+x] + e[c+2+x] + 2) >> 2
		}
		f[c+16] = (e[c+15] + 3*e[c+16] + 2) >> 2
	}
	if haveCorner {
		switch {
		case haveTop && haveLeft:
			f[c] = (e[c+1] + 2*e[c] + e[c-1] + 2) >> 2
		case haveTop:
			f[c] = (3*e[c] + e[c+1] + 2) >> 2
		case haveLeft:
			f[c] = (3*e[c] + e[c-1] + 2) >> 2
		default:
			f[c] = e[c]
		}
	}
	if haveLeft {
		if haveCorner {
			f[c-1] = (e[c] + 2*e[c-1] + e[c-2] + 2) >> 2
		} else {
			f[c-1] = (3*e[c-1] + e[c-2] + 2) >> 2
		}
		for y := 1; y < 7; y++ {
			f[c-1-y] = (e[c-y] + 2*e[c-1-y] + e[c-2-y] + 2) >> 2
		}
		f[c-8] = (e[c-7] + 3*e[c-8] + 2) >> 2
	}
	*e = f
}

// pred16x16 writes the Intra_16x16 prediction (§8.3.3) of mode for the
// macroblock at dst. top is p[x,-1], left p[-1,y], corner p[-1,-1].
func pred16x16(dst []uint16, stride, mode int, top, left *[16]int32, corner int32,
	haveTop, haveLeft bool, bitDepth int) {
	maxV := int32(1)<<uint(bitDepth) - 1
	switch mode {
	case 0: // vertical
		// Rows are stored as four 64-bit words (sample i of a word in
		// lane i).
		var w [4]uint64
		for i := range w {
			t := (*[4]int32)(top[4*i : 4*i+4])
			w[i] = uint64(uint16(t[0])) | uint64(uint16(t[1]))<<16 | uint64(uint16(t[2]))<<32 | uint64(uint16(t[3]))<<48
		}
		for y := 0; y < 16; y++ {
			fillRow16(dst[y*stride:y*stride+16], w[0], w[1], w[2], w[3])
		}
	case 1: // horizontal
		for y := 0; y < 16; y++ {
			v := uint64(uint16(left[y])) * rep16
			fillRow16(dst[y*stride:y*stride+16], v, v, v, v)
		}
	case 2: // DC
		var s int32
		var dc int32
		switch {
		case haveTop && haveLeft:
			for i := 0; i < 16; i++ {
				s += top[i] + left[i]
			}
			dc = (s + 16) >> 5
		case haveLeft:
			for i := 0; i < 16; i++ {
				s += left[i]
			}
			dc = (s + 8) >> 4
		case haveTop:
			for i := 0; i < 16; i++ {
				s += top[i]
			}
			dc = (s + 8) >> 4
		default:
			dc = 1 << uint(bitDepth-1)
		}
		v := uint64(uint16(dc)) * rep16
		for y := 0; y < 16; y++ {
			fillRow16(dst[y*stride:y*stride+16], v, v, v, v)
		}
	default: // plane
		var h, v int32
		for i := 0; i < 8; i++ {
			t0, l0 := corner, corner
			if i < 7 {
				t0, l0 = top[6-i], left[6-i]
			}
			h += int32(i+1) * (top[8+i] - t0)
			v += int32(i+1) * (left[8+i] - l0)
		}
		a := 16 * (left[15] + top[15])
		b := (5*h + 32) >> 6
		c := (5*v + 32) >> 6
		for y := 0; y < 16; y++ {
			row := dst[y*stride : y*stride+16]
			base := a + c*int32(y-7) + 16
			for x := range row {
				row[x] = uint16(clip(0, maxV, (base+b*int32(x-7))>>5))
			}
		}
	}
}

// fillRow16 stores the lanes of w0..w3 to samples 0-3, 4-7, 8-11 and
// 12-15 of r.
func fillRow16(r []uint16, w0, w1, w2, w3 uint64) {
	q := (*[16]uint16)(r)
	st4((*[4]uint16)(q[0:4]), w0)
	st4((*[4]uint16)(q[4:8]), w1)
	st4((*[4]uint16)(q[8:12]), w2)
	st4((*[4]uint16)(q[12:16]), w3)
}

// predChroma writes the chroma intra prediction (§8.3.4) of one chroma
// macroblock of w x h samples (8x8 or 8x16). mode is intra_chroma_pred_mode.
func predChroma(dst []uint16, stride, w, h, mode int, top, left *[16]int32, corner int32,
	haveTop, haveLeft bool, bitDepth int) {
	maxV := int32(1)<<uint(bitDepth) - 1
	switch mode {
	case 0: // DC, per 4x4 chroma block (§8.3.4.1 to 8.3.4.3)
		def := int32(1) << uint(bitDepth-1)
		for by := 0; by < h; by += 4 {
			for bx := 0; bx < w; bx += 4 {
				var st, sl int32
				for i := 0; i < 4; i++ {
					st += top[bx+i]
					sl += left[by+i]
				}
				dc := def
				both := (st + sl + 4) >> 3
				ot := (st + 2) >> 2
				ol := (sl + 2) >> 2
				switch {
				case (bx == 0 && by == 0) || (bx > 0 && by > 0):
					switch {
					case haveTop && haveLeft:
						dc = both
					case haveLeft:
						dc = ol
					case haveTop:
						dc = ot
					}
				case bx > 0 && by == 0:
					switch {
					case haveTop:
						dc = ot
					case haveLeft:
						dc = ol
					}
				default: // bx == 0, by > 0
					switch {
					case haveLeft:
						dc = ol
					case haveTop:
						dc = ot
					}
				}
				for y := by; y < by+4; y++ {
					row := dst[y*stride+bx : y*stride+bx+4]
					for x := range row {
						row[x] = uint16(dc)
					}
				}
			}
		}
	case 1: // horizontal
		for y := 0; y < h; y++ {
			row := dst[y*stride : y*stride+w]
			v := uint16(left[y])
			for x := range row {
				row[x] = v
			}
		}
	case 2: // vertical
		for y := 0; y < h; y++ {
			row := dst[y*stride : y*stride+w]
			for x := range row {
				row[x] = uint16(top[x])
			}
		}
	default: // plane
		xCF := 4 * b2i(w == 16)
		yCF := 4 * b2i(h == 16)
		var hh, vv int32
		for x := 0; x <= 3+xCF; x++ {
			t0 := corner
			if 2+xCF-x >= 0 {
				t0 = top[2+xCF-x]
			}
			hh += int32(x+1) * (top[4+xCF+x] - t0)
		}
		for y := 0; y <= 3+yCF; y++ {
			l0 := corner
			if 2+yCF-y >= 0 {
				l0 = left[2+yCF-y]
			}
			vv += int32(y+1) * (left[4+yCF+y] - l0)
		}
		a := 16 * (left[h-1] + top[w-1])
		b := ((34-29*int32(b2i(w == 16)))*hh + 32) >> 6
		c := ((34-29*int32(b2i(h == 16)))*vv + 32) >> 6
		for y := 0; y < h; y++ {
			row := dst[y*stride : y*stride+w]
			base := a + c*int32(y-3-yCF) + 16
			for x := range row {
				row[x] = uint16(clip(0, maxV, (base+b*int32(x-3-xCF))>>5))
			}
		}
	}
}

func clip(lo, hi, v int32) int32 { return min(max(v, lo), hi) }
