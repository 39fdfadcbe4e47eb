package h265

// predict performs intra sample prediction (§8.4.4.2) of the nTbS×nTbS
// block of component cIdx at (xTb, yTb) in that component's samples, writing
// the prediction into the picture.
func (d *Decoder) predict(cIdx, xTb, yTb, log2N, mode int) {
	p := &d.pic
	s := p.sps
	n := 1 << log2N
	pl := p.planes[cIdx]
	stride := p.stride[cIdx]
	bitDepth := s.bitDepthY
	sub := 0
	if cIdx > 0 {
		bitDepth = s.bitDepthC
		sub = 1
	}
	// ref[2n] is p[-1][-1]; ref[2n-1-y] is p[-1][y]; ref[2n+1+x] is p[x][-1].
	ref := d.ref[:4*n+1]
	var av [4*64 + 1]bool
	xL, yL := xTb<<sub, yTb<<sub
	unit := 4 >> sub // samples per 4×4 luma block
	any := false
	// Availability (§6.4.1) is the same for every sample of the first n
	// of the left column and of the top row (they lie in one CTB, next to
	// the block and decoded before it), and for every sample of the next
	// n when those all lie in the picture: they are one aligned n×n block
	// (in luma units), contiguous in z-scan order, in one CTB. aL and aT
	// hold these two decisions for the near and far halves.
	N := n << sub
	var aL, aT [2]bool
	aL[0] = d.avail(xL, yL, xL-1, yL)
	aT[0] = d.avail(xL, yL, xL, yL-1)
	farLUniform := yL+2*N <= p.h
	farTUniform := xL+2*N <= p.w
	if farLUniform {
		aL[1] = d.avail(xL, yL, xL-1, yL+N)
	}
	if farTUniform {
		aT[1] = d.avail(xL, yL, xL+N, yL-1)
	}
	// Left column, bottom-most first.
	for k := 0; k < 2*n; k += unit {
		yN := yTb + k
		var a bool
		if k < n {
			a = aL[0]
		} else if farLUniform {
			a = aL[1]
		} else {
			a = d.avail(xL, yL, xL-1, yN<<sub)
		}
		if a {
			any = true
			for j := k; j < k+unit; j++ {
				ref[2*n-1-j] = int32(pl[(yTb+j)*stride+xTb-1])
				av[2*n-1-j] = true
			}
		} else {
			for j := k; j < k+unit; j++ {
				av[2*n-1-j] = false
			}
		}
	}
	if d.avail(xL, yL, xL-1, yL-1) {
		any = true
		ref[2*n] = int32(pl[(yTb-1)*stride+xTb-1])
		av[2*n] = true
	} else {
		av[2*n] = false
	}
	for k := 0; k < 2*n; k += unit {
		xN := xTb + k
		var a bool
		if k < n {
			a = aT[0]
		} else if farTUniform {
			a = aT[1]
		} else {
			a = d.avail(xL, yL, xN<<sub, yL-1)
		}
		if a {
			any = true
			row := pl[(yTb-1)*stride:]
			for j := k; j < k+unit; j++ {
				ref[2*n+1+j] = int32(row[xTb+j])
				av[2*n+1+j] = true
			}
		} else {
			for j := k; j < k+unit; j++ {
				av[2*n+1+j] = false
			}
		}
	}
	// Substitution (§8.4.4.2.2).
	if !any {
		v := int32(1) << uint(bitDepth-1)
		for i := range ref {
			ref[i] = v
		}
	} else {
		if !av[0] {
			i := 1
			for !av[i] {
				i++
			}
			ref[0] = ref[i]
		}
		for i := 1; i <= 4*n; i++ {
			if !av[i] {
				ref[i] = ref[i-1]
			}
		}
	}
	// Filtering (§8.4.4.2.3), luma only for 4:2:0.
	if cIdx == 0 && mode != 1 && n != 4 {
		dist := mode - 26
		if dist < 0 {
			dist = -dist
		}
		if d2 := mode - 10; d2 < 0 && -d2 < dist {
			dist = -d2
		} else if d2 >= 0 && d2 < dist {
			dist = d2
		}
		thres := 0
		switch n {
		case 8:
			thres = 7
		case 16:
			thres = 1
		}
		if dist > thres {
			f := d.reff[:4*n+1]
			tl := ref[2*n]
			bl := ref[0]
			tr := ref[4*n]
			lim := int32(1) << uint(bitDepth-5)
			if s.strongIntraSmoothing && n == 32 && abs32(tl+tr-2*ref[2*n+n]) < lim && abs32(tl+bl-2*ref[2*n-n]) < lim {
				f[2*n] = tl
				for i := 0; i < 2*n-1; i++ {
					// pF[-1][y] and pF[x][-1], y, x = 0..62.
					f[2*n-1-i] = ((63-int32(i))*tl + (int32(i)+1)*bl + 32) >> 6
					f[2*n+1+i] = ((63-int32(i))*tl + (int32(i)+1)*tr + 32) >> 6
				}
				f[0] = bl
				f[4*n] = tr
			} else {
				f[0] = ref[0]
				f[4*n] = ref[4*n]
				for i := 1; i < 4*n; i++ {
					f[i] = (ref[i-1] + 2*ref[i] + ref[i+1] + 2) >> 2
				}
			}
			ref = f
		}
	}
	dst := pl[yTb*stride+xTb:]
	maxV := int32(1)<<uint(bitDepth) - 1
	left := func(y int) int32 { return ref[2*n-1-y] } // p[-1][y], y ≥ -1
	top := func(x int) int32 { return ref[2*n+1+x] }  // p[x][-1], x ≥ -1
	switch {
	case mode == 0: // INTRA_PLANAR (§8.4.4.2.5)
		tr := top(n)
		bl := left(n)
		sh := uint(log2N + 1)
		for y := 0; y < n; y++ {
			row := dst[y*stride : y*stride+n]
			ly := left(y)
			for x := range row {
				v := (int32(n-1-x)*ly + int32(x+1)*tr + int32(n-1-y)*top(x) + int32(y+1)*bl + int32(n)) >> sh
				row[x] = uint16(v)
			}
		}
	case mode == 1: // INTRA_DC (§8.4.4.2.6)
		sum := int32(n)
		for i := 0; i < n; i++ {
			sum += top(i) + left(i)
		}
		dc := sum >> uint(log2N+1)
		for y := 0; y < n; y++ {
			row := dst[y*stride : y*stride+n]
			for x := range row {
				row[x] = uint16(dc)
			}
		}
		if cIdx == 0 && n < 32 {
			dst[0] = uint16((left(0) + 2*dc + top(0) + 2) >> 2)
			for x := 1; x < n; x++ {
				dst[x] = uint16((top(x) + 3*dc + 2) >> 2)
			}
			for y := 1; y < n; y++ {
				dst[y*stride] = uint16((left(y) + 3*dc + 2) >> 2)
			}
		}
	default: // INTRA_ANGULAR (§8.4.4.2.6)
		angle := intraPredAngle[mode]
		var refBuf [3*64 + 1]int32
		rb := refBuf[:]
		const o = 64 // rb[o+x] is ref[x], x from -n to 2n
		if mode >= 18 {
			for x := 0; x <= n; x++ {
				rb[o+x] = top(x - 1)
			}
			if angle < 0 {
				if (n*angle)>>5 < -1 {
					for x := (n * angle) >> 5; x <= -1; x++ {
						rb[o+x] = left(-1 + ((x*invAngle[mode] + 128) >> 8))
					}
				}
			} else {
				for x := n + 1; x <= 2*n; x++ {
					rb[o+x] = top(x - 1)
				}
			}
			for y := 0; y < n; y++ {
				iIdx := ((y + 1) * angle) >> 5
				iFact := int32(((y + 1) * angle) & 31)
				row := dst[y*stride : y*stride+n]
				base := rb[o+iIdx+1:]
				if iFact != 0 {
					for x := range row {
						row[x] = uint16(((32-iFact)*base[x] + iFact*base[x+1] + 16) >> 5)
					}
				} else {
					for x := range row {
						row[x] = uint16(base[x])
					}
				}
			}
			if mode == 26 && cIdx == 0 && n < 32 {
				for y := 0; y < n; y++ {
					dst[y*stride] = uint16(clip32(top(0)+((left(y)-left(-1))>>1), maxV))
				}
			}
		} else {
			for x := 0; x <= n; x++ {
				rb[o+x] = left(x - 1)
			}
			if angle < 0 {
				if (n*angle)>>5 < -1 {
					for x := (n * angle) >> 5; x <= -1; x++ {
						rb[o+x] = top(-1 + ((x*invAngle[mode] + 128) >> 8))
					}
				}
			} else {
				for x := n + 1; x <= 2*n; x++ {
					rb[o+x] = left(x - 1)
				}
			}
			for x := 0; x < n; x++ {
				iIdx := ((x + 1) * angle) >> 5
				iFact := int32(((x + 1) * angle) & 31)
				base := rb[o+iIdx+1:]
				if iFact != 0 {
					for y := 0; y < n; y++ {
						dst[y*stride+x] = uint16(((32-iFact)*base[y] + iFact*base[y+1] + 16) >> 5)
					}
				} else {
					for y := 0; y < n; y++ {
						dst[y*stride+x] = uint16(base[y])
					}
				}
			}
			if mode == 10 && cIdx == 0 && n < 32 {
				for x := 0; x < n; x++ {
					dst[x] = uint16(clip32(left(0)+((top(x)-top(-1))>>1), maxV))
				}
			}
		}
	}
}

func abs32(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

func clip32(v, maxV int32) int32 {
	if v < 0 {
		return 0
	}
	if v > maxV {
		return maxV
	}
	return v
}
