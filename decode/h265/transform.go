package h265

// Inverse transforms of §8.6.4.2 computed by even/odd decomposition
// ("partial butterflies"): the even rows of the N-point DCT matrix are the
// N/2-point matrix and the odd rows are antisymmetric, so
//
//	y[k] = E[k] + O[k], y[N-1-k] = E[k] - O[k]  (k < N/2)
//
// where E is the N/2-point transform of the even coefficients and O the
// odd coefficients times the left half of the odd rows. Integer sums are
// only regrouped, so the result equals the matrix product exactly.

// idct computes the n-point inverse DCT of s[0..n) into d[0..n), using
// rows transMat[j*step]. Coefficients above last are zero.
func idct(s, d *[32]int32, n, step, last int) {
	if n == 4 {
		s0, s1, s2, s3 := s[0], s[1], s[2], s[3]
		e0 := 64 * (s0 + s2)
		e1 := 64 * (s0 - s2)
		o0 := 83*s1 + 36*s3
		o1 := 36*s1 - 83*s3
		d[0] = e0 + o0
		d[1] = e1 + o1
		d[2] = e1 - o1
		d[3] = e0 - o0
		return
	}
	if last < 4 {
		// Few coefficients: the matrix product directly.
		for k := 0; k < n; k++ {
			d[k] = 0
		}
		for j := 0; j <= last; j++ {
			c := s[j]
			if c == 0 {
				continue
			}
			row := transMat[j*step][:n]
			dd := d[:n]
			for k, m := range row {
				dd[k] += c * m
			}
		}
		return
	}
	h := n >> 1
	var o [16]int32
	for j := 1; j <= last && j < n; j += 2 {
		c := s[j]
		if c == 0 {
			continue
		}
		row := &transMat[j*step]
		for k := 0; k < h; k++ {
			o[k] += c * row[k]
		}
	}
	var se, e [32]int32
	for j := 0; j < h; j++ {
		se[j] = s[2*j]
	}
	idct(&se, &e, h, step*2, last>>1)
	for k := 0; k < h; k++ {
		d[k] = e[k] + o[k]
		d[n-1-k] = e[k] - o[k]
	}
}

// inverseTransform implements the two-stage transformation of §8.6.4.2:
// columns first, clipping to 16 bits (eq. 8-321), then rows with bdShift.
// Coefficients outside columns 0..maxX and rows 0..maxY are zero.
func (d *Decoder) inverseTransform(coef, res []int32, log2N int, dst bool, bdShift uint, maxX, maxY int) {
	if log2N == 2 {
		if dst {
			dst4x4(coef, res, bdShift)
		} else {
			idct4x4(coef, res, bdShift)
		}
		return
	}
	if maxX == 0 && maxY == 0 {
		// DC only: every residual sample is the same (eq. 8-319 to 8-322).
		n := 1 << log2N
		v := clip16((64*coef[0] + 64) >> 7)
		r := (64*v + int32(1)<<(bdShift-1)) >> bdShift
		for i := range res[:n*n] {
			res[i] = r
		}
		return
	}
	n := 1 << log2N
	tmp := d.tmp[:n*n]
	step := 32 >> uint(log2N)
	var s, o [32]int32
	// Columns.
	for x := 0; x < n; x++ {
		if x > maxX {
			for y := 0; y < n; y++ {
				tmp[y*n+x] = 0
			}
			continue
		}
		for j := 0; j < n; j++ {
			s[j] = coef[j*n+x]
		}
		if dst {
			dst4(&s, &o)
		} else {
			idct(&s, &o, n, step, maxY)
		}
		for y := 0; y < n; y++ {
			v := (o[y] + 64) >> 7
			if v < -32768 {
				v = -32768
			} else if v > 32767 {
				v = 32767
			}
			tmp[y*n+x] = v
		}
	}
	// Rows.
	rnd := int32(1) << (bdShift - 1)
	for y := 0; y < n; y++ {
		copy(s[:n], tmp[y*n:y*n+n])
		if dst {
			dst4(&s, &o)
		} else {
			idct(&s, &o, n, step, maxX)
		}
		out := res[y*n : y*n+n]
		for x := range out {
			out[x] = (o[x] + rnd) >> bdShift
		}
	}
}

// dst4 is the 4-point inverse DST-VII (eq. 8-314): d[k] = Σ_j transMatrix[j][k]·s[j].
func dst4(s, d *[32]int32) {
	for k := 0; k < 4; k++ {
		d[k] = dstMat[0][k]*s[0] + dstMat[1][k]*s[1] + dstMat[2][k]*s[2] + dstMat[3][k]*s[3]
	}
}

// idct4x4 is inverseTransform for 4×4 DCT blocks (both stages unrolled).
func idct4x4(c, res []int32, bdShift uint) {
	var t [16]int32
	for x := 0; x < 4; x++ {
		s0, s1, s2, s3 := c[x], c[4+x], c[8+x], c[12+x]
		e0 := 64 * (s0 + s2)
		e1 := 64 * (s0 - s2)
		o0 := 83*s1 + 36*s3
		o1 := 36*s1 - 83*s3
		t[x] = clip16((e0 + o0 + 64) >> 7)
		t[4+x] = clip16((e1 + o1 + 64) >> 7)
		t[8+x] = clip16((e1 - o1 + 64) >> 7)
		t[12+x] = clip16((e0 - o0 + 64) >> 7)
	}
	rnd := int32(1) << (bdShift - 1)
	for y := 0; y < 4; y++ {
		s0, s1, s2, s3 := t[y*4], t[y*4+1], t[y*4+2], t[y*4+3]
		e0 := 64 * (s0 + s2)
		e1 := 64 * (s0 - s2)
		o0 := 83*s1 + 36*s3
		o1 := 36*s1 - 83*s3
		r := res[y*4 : y*4+4]
		r[0] = (e0 + o0 + rnd) >> bdShift
		r[1] = (e1 + o1 + rnd) >> bdShift
		r[2] = (e1 - o1 + rnd) >> bdShift
		r[3] = (e0 - o0 + rnd) >> bdShift
	}
}

// dst4x4 is inverseTransform for 4×4 luma intra DST blocks.
func dst4x4(c, res []int32, bdShift uint) {
	var t [16]int32
	for x := 0; x < 4; x++ {
		s0, s1, s2, s3 := c[x], c[4+x], c[8+x], c[12+x]
		t[x] = clip16((29*s0 + 74*s1 + 84*s2 + 55*s3 + 64) >> 7)
		t[4+x] = clip16((55*s0 + 74*s1 - 29*s2 - 84*s3 + 64) >> 7)
		t[8+x] = clip16((74*s0 - 74*s2 + 74*s3 + 64) >> 7)
		t[12+x] = clip16((84*s0 - 74*s1 + 55*s2 - 29*s3 + 64) >> 7)
	}
	rnd := int32(1) << (bdShift - 1)
	for y := 0; y < 4; y++ {
		s0, s1, s2, s3 := t[y*4], t[y*4+1], t[y*4+2], t[y*4+3]
		r := res[y*4 : y*4+4]
		r[0] = (29*s0 + 74*s1 + 84*s2 + 55*s3 + rnd) >> bdShift
		r[1] = (55*s0 + 74*s1 - 29*s2 - 84*s3 + rnd) >> bdShift
		r[2] = (74*s0 - 74*s2 + 74*s3 + rnd) >> bdShift
		r[3] = (84*s0 - 74*s1 + 55*s2 - 29*s3 + rnd) >> bdShift
	}
}

func clip16(v int32) int32 {
	if v < -32768 {
		return -32768
	}
	if v > 32767 {
		return 32767
	}
	return v
}
