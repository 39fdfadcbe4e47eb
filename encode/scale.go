package encode

import "math"

// Separable resampling of one plane: a horizontal pass into a reused
// intermediate buffer, then a vertical pass. Both passes use fixed-point
// weights precomputed per output column and per output row (recomputed only
// when the geometry changes), and keep precBits of precision so that deeper
// samples are rounded to 8 bits once, in the colour stage.

const (
	// weightBits is the fixed-point precision of filter weights: the weights
	// of one output sample sum to exactly 1<<weightBits.
	weightBits = 14
	// precBits is the precision of scaled samples: a value v stands for
	// v/2^(precBits-8) on the 8-bit scale. 14 bits hold a 14-bit input
	// exactly and an 8-bit one with 6 fractional bits.
	precBits = 14
)

// plane is a read-only view of samples with prec significant bits.
type plane struct {
	pix    []uint16
	stride int
	w, h   int
	prec   uint
}

// axisKey is the geometry a set of weights was computed for.
type axisKey struct {
	srcN, dstN       int // plane samples along the axis
	srcLuma, dstLuma int // luma samples along the axis (sets the scale)
	subS, subO       int // chroma subsampling factor of the source and output plane
}

// axis holds the weights of one direction: output sample i reads source
// samples start[i] .. start[i]+taps-1 with weights w[i*taps:(i+1)*taps].
type axis struct {
	key      axisKey
	valid    bool
	identity bool // output sample i is source sample i
	taps     int
	start    []int32
	w        []int32
	w0       []int32   // for taps == 2: the first weight of each output (the second is 1−w0)
	fw       []float64 // scratch for weight computation
}

// setup computes the weights for key unless they are already in place.
//
// Geometry: samples are points at the centres of their cells, and chroma
// samples are taken as centred between the luma samples they cover (JFIF
// siting, also for the H.264/H.265 default "left" 4:2:0 siting: the quarter
// chroma-sample shift this ignores is invisible in a still and lets a frame
// whose size does not change be copied exactly). Output sample i then maps
// to the source position c = (i+0.5)·f − 0.5 with
// f = (srcLuma/dstLuma)·(subO/subS), the number of source samples per
// output sample.
//
// Filter: for f ≤ 1 (same size or upscaling) linear interpolation between
// the two nearest samples; for f > 1 (downscaling) area averaging: each
// source sample is weighted by the length of its overlap with the output
// sample's cell of width f. Area averaging equals linear interpolation as f
// approaches 1 and becomes a box average for large factors, so it never
// aliases the way point sampling or fixed 2-tap bilinear would. Samples
// beyond the picture edge repeat the edge sample.
func (a *axis) setup(k axisKey) {
	if a.valid && a.key == k {
		return
	}
	a.key, a.valid = k, true
	f := float64(k.srcLuma) * float64(k.subO) / (float64(k.dstLuma) * float64(k.subS))
	a.identity = k.srcN == k.dstN && k.srcLuma == k.dstLuma && k.subS == k.subO
	taps := 2
	if f > 1 {
		taps = int(math.Ceil(f)) + 1
	}
	taps = min(taps, k.srcN)
	a.taps = taps
	a.start = grow(a.start, k.dstN)
	a.w = grow(a.w, k.dstN*taps)
	a.fw = grow(a.fw, taps)
	last := k.srcN - 1
	for i := 0; i < k.dstN; i++ {
		c := (float64(i)+0.5)*f - 0.5
		var lo, hi int // range of (unclamped) source indices touched
		if f <= 1 {
			lo = int(math.Floor(c))
			hi = lo + 1
		} else {
			lo = int(math.Floor(c + 0.5 - f/2))
			hi = int(math.Ceil(c+0.5+f/2)) - 1
		}
		s := min(max(lo, 0), last)
		s = min(s, k.srcN-taps)
		fw := a.fw
		clear(fw)
		for j := lo; j <= hi; j++ {
			var wt float64
			if f <= 1 {
				wt = 1 - math.Abs(float64(j)-c)
			} else {
				l := max(c+0.5-f/2, float64(j))
				r := min(c+0.5+f/2, float64(j+1))
				wt = r - l
			}
			if wt <= 0 {
				continue
			}
			jj := min(max(j, 0), last) - s
			if jj < 0 || jj >= taps { // cannot happen: taps covers the span
				jj = min(max(jj, 0), taps-1)
			}
			fw[jj] += wt
		}
		a.start[i] = int32(s)
		normalise(a.w[i*taps:(i+1)*taps], fw)
	}
	a.trim()
	if a.taps == 2 {
		a.w0 = grow(a.w0, k.dstN)
		for i := range a.w0 {
			a.w0[i] = a.w[2*i]
		}
	}
}

// trim drops the weights that are zero for every output sample (the bound
// ⌈f⌉+1 is often one more than needed, e.g. for f = 1.5 every output reads
// exactly 2 samples), so the passes do no useless multiplications.
func (a *axis) trim() {
	t := a.taps
	need := 1
	for i := 0; i < a.key.dstN; i++ {
		first, last := nonzeroSpan(a.w[i*t : (i+1)*t])
		need = max(need, last-first+1)
	}
	if need >= t {
		return
	}
	// Repack in place, front to back: output i's new weights start at
	// i·need ≤ i·t and are read from at or after i·t + (first−shift) ≥ the
	// write position, so nothing is overwritten before it is read.
	for i := 0; i < a.key.dstN; i++ {
		first, _ := nonzeroSpan(a.w[i*t : (i+1)*t])
		s := int(a.start[i]) + first
		shift := max(s+need-a.key.srcN, 0) // keep the window inside the source
		s -= shift
		from := first - shift
		for k := 0; k < need; k++ {
			v := int32(0)
			if from+k < t {
				v = a.w[i*t+from+k]
			}
			a.w[i*need+k] = v
		}
		a.start[i] = int32(s)
	}
	a.taps = need
	a.w = a.w[:a.key.dstN*need]
}

// nonzeroSpan returns the indices of the first and last non-zero weight
// (0, 0 when all are zero).
func nonzeroSpan(w []int32) (first, last int) {
	first, last = -1, 0
	for k, v := range w {
		if v != 0 {
			if first < 0 {
				first = k
			}
			last = k
		}
	}
	return max(first, 0), last
}

// normalise converts float weights to fixed-point weights that sum to
// exactly 1<<weightBits. Each weight is the difference of the rounded
// cumulative sums, so every weight is within one unit of its exact value and
// the rounding error never gathers in one tap (which would move the filter's
// centre for wide area filters).
func normalise(dst []int32, fw []float64) {
	var sum float64
	for _, v := range fw {
		sum += v
	}
	if sum <= 0 {
		clear(dst)
		dst[0] = 1 << weightBits
		return
	}
	var cum float64
	prev := int32(0)
	for j, v := range fw {
		cum += v
		r := int32(math.Round(cum / sum * (1 << weightBits)))
		if j == len(fw)-1 {
			r = 1 << weightBits
		}
		dst[j] = r - prev
		prev = r
	}
}

// scaler holds the weights and buffers of the four axes of a frame.
type scaler struct {
	yh, yv, ch, cv axis
	tmp            []uint16
	buf            [3][]uint16
}

// scale resamples src to dstW×dstH using the weights in ah and av (already
// set up) and returns the result. When both axes are the identity the source
// is returned unchanged (at its own precision); otherwise the result has
// precBits of precision and lives in *buf until the next call.
func (s *scaler) scale(src plane, ah, av *axis, buf *[]uint16) plane {
	if ah.identity && av.identity {
		return src
	}
	dstW, dstH := ah.key.dstN, av.key.dstN
	out := plane{w: dstW, h: dstH, prec: precBits}
	switch {
	case av.identity: // horizontal only, straight into the output
		*buf = grow(*buf, dstW*dstH)
		out.pix, out.stride = *buf, dstW
		for y := 0; y < src.h; y++ {
			hpass(out.pix[y*dstW:(y+1)*dstW], src.pix[y*src.stride:y*src.stride+src.w], ah, src.prec)
		}
		return out
	case ah.identity: // vertical only, straight from the source
		*buf = grow(*buf, dstW*dstH)
		out.pix, out.stride = *buf, dstW
		vpass(out, src, av)
		return out
	}
	*buf = grow(*buf, dstW*dstH)
	out.pix, out.stride = *buf, dstW
	if dstH < src.h {
		// Shrinking vertically: filter columns first, so that the costlier
		// horizontal pass (a gather per output sample) runs on fewer rows.
		s.tmp = grow(s.tmp, src.w*dstH)
		mid := plane{pix: s.tmp, stride: src.w, w: src.w, h: dstH, prec: precBits}
		vpass(mid, src, av)
		for y := 0; y < dstH; y++ {
			hpass(out.pix[y*dstW:(y+1)*dstW], mid.pix[y*src.w:(y+1)*src.w], ah, precBits)
		}
		return out
	}
	s.tmp = grow(s.tmp, dstW*src.h)
	mid := plane{pix: s.tmp, stride: dstW, w: dstW, h: src.h, prec: precBits}
	for y := 0; y < src.h; y++ {
		hpass(mid.pix[y*dstW:(y+1)*dstW], src.pix[y*src.stride:y*src.stride+src.w], ah, src.prec)
	}
	vpass(out, mid, av)
	return out
}

// hpass filters one row: dst[i] = Σ w·src[start[i]+k], from prec bits to
// precBits. Weights are non-negative, so no clamping is needed.
func hpass(dst, src []uint16, a *axis, prec uint) {
	sh := prec & 63 // (acc >> weightBits) << (precBits-prec) == acc >> prec
	rnd := 1 << (sh - 1)
	start, w := a.start[:len(dst)], a.w
	switch a.taps {
	case 1:
		for i := range dst {
			dst[i] = uint16((int(src[start[i]])*int(w[i]) + rnd) >> sh)
		}
	case 2:
		// w0·s0 + (1−w0)·s1 = (s0−s1)·w0 + s1·2^weightBits: one multiply.
		// Scaling by m = 2^(precBits−prec) instead of shifting by prec
		// keeps the shift constant (a variable shift costs register moves).
		w0 := a.w0[:len(dst)]
		if prec == precBits { // the usual case: the intermediate plane
			for i := range dst {
				p := int(start[i])
				s0, s1 := int(src[p]), int(src[p+1])
				dst[i] = uint16(((s0-s1)*int(w0[i]) + s1<<weightBits + 1<<(weightBits-1)) >> weightBits)
			}
			return
		}
		m := 1 << (precBits - prec)
		k := m << weightBits
		for i := range dst {
			p := int(start[i])
			s0, s1 := int(src[p]), int(src[p+1])
			dst[i] = uint16(((s0-s1)*int(w0[i])*m + s1*k + 1<<(weightBits-1)) >> weightBits)
		}
	case 3:
		w = w[:3*len(dst)]
		for i := range dst {
			s := src[start[i]:]
			s = s[:3]
			ww := w[3*i : 3*i+3]
			dst[i] = uint16((int(s[0])*int(ww[0]) + int(s[1])*int(ww[1]) + int(s[2])*int(ww[2]) + rnd) >> sh)
		}
	default:
		t := a.taps
		for i := range dst {
			s := src[int(start[i]):][:t]
			ww := w[i*t : i*t+t]
			acc := rnd
			for k, v := range s {
				acc += int(v) * int(ww[k])
			}
			dst[i] = uint16(acc >> sh)
		}
	}
}

// vpass filters columns: row y of dst is Σ w·(row start[y]+k of src).
func vpass(dst, src plane, a *axis) {
	sh := src.prec & 63
	rnd := 1 << (sh - 1)
	t := a.taps
	w := dst.w
	for y := 0; y < dst.h; y++ {
		d := dst.pix[y*dst.stride : y*dst.stride+w]
		r := int(a.start[y])
		ww := a.w[y*t : y*t+t]
		switch t {
		case 1:
			r0 := src.pix[r*src.stride:][:w]
			w0 := int(ww[0])
			for x := range d {
				d[x] = uint16((int(r0[x])*w0 + rnd) >> sh)
			}
		case 2:
			r0 := src.pix[r*src.stride:][:len(d)]
			r1 := src.pix[(r+1)*src.stride:][:len(d)]
			m := 1 << (precBits - src.prec) // see hpass
			w0, k := int(ww[0])*m, m<<weightBits
			for x := range d {
				s0, s1 := int(r0[x]), int(r1[x])
				d[x] = uint16(((s0-s1)*w0 + s1*k + 1<<(weightBits-1)) >> weightBits)
			}
		case 3:
			r0 := src.pix[r*src.stride:][:w]
			r1 := src.pix[(r+1)*src.stride:][:w]
			r2 := src.pix[(r+2)*src.stride:][:w]
			w0, w1, w2 := int(ww[0]), int(ww[1]), int(ww[2])
			for x := range d {
				d[x] = uint16((int(r0[x])*w0 + int(r1[x])*w1 + int(r2[x])*w2 + rnd) >> sh)
			}
		default:
			for x := range d {
				acc := rnd
				for k := 0; k < t; k++ {
					acc += int(src.pix[(r+k)*src.stride+x]) * int(ww[k])
				}
				d[x] = uint16(acc >> sh)
			}
		}
	}
}
