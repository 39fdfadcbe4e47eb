package encode

import (
	"math"
	"math/bits"

	"github.com/stills/stills/decode"
)

// Baseline sequential DCT JPEG (ITU-T T.81 Annex F, §F.1) in a JFIF file.

// encodeJPEG scales f to w×h, converts it to JFIF YCbCr in padded 8-bit
// planes and codes them at quality q.
func (e *Encoder) encodeJPEG(dst []byte, f *decode.Frame, m matrix, w, h, q int) []byte {
	sc := &e.sc
	sc.yh.setup(axisKey{f.Width, w, f.Width, w, 1, 1})
	sc.yv.setup(axisKey{f.Height, h, f.Height, h, 1, 1})
	Y := sc.scale(plane{f.Y, f.YStride, f.Width, f.Height, uint(f.BitDepthY)}, &sc.yh, &sc.yv, &sc.buf[0])
	pw, ph := (w+15)&^15, (h+15)&^15
	e.y8 = grow(e.y8, pw*ph)
	a := m.toJFIF()
	if f.ChromaFormat == decode.Chroma400 {
		// No chroma: Cb = Cr = neutral, so only the luma term and the
		// offset of a neutral chroma remain.
		a[0][3] += (a[0][1] + a[0][2]) * 128
		c := fix(a, Y.prec, 8)
		lumaOnly(e.y8, pw, Y, c.c[0][0], c.c[0][3])
		pad(e.y8, pw, ph, w, h)
		return e.jpg.encode(dst, e.y8, nil, nil, w, h, pw, q)
	}
	sw, sh := f.ChromaFormat.SubWidthHeight()
	cw, ch := (w+1)/2, (h+1)/2
	scw, sch := f.ChromaWidth(), f.ChromaHeight()
	sc.ch.setup(axisKey{scw, cw, f.Width, w, sw, 2})
	sc.cv.setup(axisKey{sch, ch, f.Height, h, sh, 2})
	prec := uint(f.BitDepthC)
	Cb := sc.scale(plane{f.Cb, f.CStride, scw, sch, prec}, &sc.ch, &sc.cv, &sc.buf[1])
	Cr := sc.scale(plane{f.Cr, f.CStride, scw, sch, prec}, &sc.ch, &sc.cv, &sc.buf[2])
	cpw, cph := pw/2, ph/2
	e.cb8 = grow(e.cb8, cpw*cph)
	e.cr8 = grow(e.cr8, cpw*cph)
	c := fix(a, Y.prec, Cb.prec)
	// Chroma outputs do not depend on luma (every R'G'B' row has the same
	// luma coefficient, so B'−Y' and R'−Y' cancel it); c[1][0], c[2][0] are 0.
	chromaPair(e.cb8, e.cr8, cpw, Cb, Cr, &c)
	if c.c[0][1] == 0 && c.c[0][2] == 0 {
		lumaOnly(e.y8, pw, Y, c.c[0][0], c.c[0][3])
	} else {
		e.cc = grow(e.cc, w+1)
		lumaMixed(e.y8, pw, Y, Cb, Cr, &c, e.cc)
	}
	pad(e.y8, pw, ph, w, h)
	pad(e.cb8, cpw, cph, cw, ch)
	pad(e.cr8, cpw, cph, cw, ch)
	return e.jpg.encode(dst, e.y8, e.cb8, e.cr8, w, h, pw, q)
}

// lumaOnly writes clamp((k·Y + bias) >> colourShift) into the 8-bit plane.
func lumaOnly(dst []uint8, dstStride int, Y plane, k, bias int) {
	if Y.prec == 8 && k == 1<<colourShift && bias == 1<<(colourShift-1) {
		for y := 0; y < Y.h; y++ {
			s := Y.pix[y*Y.stride:][:Y.w]
			d := dst[y*dstStride:][:Y.w]
			for x, v := range s {
				d[x] = clamp8(int(v))
			}
		}
		return
	}
	for y := 0; y < Y.h; y++ {
		s := Y.pix[y*Y.stride:][:Y.w]
		d := dst[y*dstStride:][:Y.w]
		for x, v := range s {
			d[x] = clamp8((k*int(v) + bias) >> colourShift)
		}
	}
}

// lumaMixed writes the JFIF luma of a source whose matrix is not BT.601:
// Y' takes a share of the chroma, read at the position of the 4:2:0 output
// chroma sample covering the pixel. cc is scratch of at least Y.w+1 ints.
func lumaMixed(dst []uint8, dstStride int, Y, Cb, Cr plane, c *colour, cc []int) {
	k0, k1, k2, b := c.c[0][0], c.c[0][1], c.c[0][2], c.c[0][3]
	cc = cc[:Y.w+1]
	for y := 0; y < Y.h; y++ {
		s := Y.pix[y*Y.stride:][:Y.w]
		d := dst[y*dstStride:][:len(s)]
		if y&1 == 0 {
			// The chroma share of each pixel, for this row pair.
			cb := Cb.pix[(y>>1)*Cb.stride:][:(Y.w+1)>>1]
			cr := Cr.pix[(y>>1)*Cr.stride:][:len(cb)]
			for i, u := range cb {
				v := k1*int(u) + k2*int(cr[i]) + b
				p := cc[2*i : 2*i+2]
				p[0], p[1] = v, v
			}
		}
		ccs := cc[:len(s)]
		for x, v := range s {
			d[x] = clamp8((k0*int(v) + ccs[x]) >> colourShift)
		}
	}
}

// chromaPair writes the JFIF Cb and Cr planes.
func chromaPair(dcb, dcr []uint8, dstStride int, Cb, Cr plane, c *colour) {
	identity := Cb.prec == 8 && c.c[1][1] == 1<<colourShift && c.c[1][2] == 0 && c.c[1][3] == 1<<(colourShift-1) &&
		c.c[2][2] == 1<<colourShift && c.c[2][1] == 0 && c.c[2][3] == 1<<(colourShift-1)
	b11, b12, b13 := c.c[1][1], c.c[1][2], c.c[1][3]
	b21, b22, b23 := c.c[2][1], c.c[2][2], c.c[2][3]
	for y := 0; y < Cb.h; y++ {
		sb := Cb.pix[y*Cb.stride:][:Cb.w]
		sr := Cr.pix[y*Cr.stride:][:len(sb)]
		db := dcb[y*dstStride:][:len(sb)]
		dr := dcr[y*dstStride:][:len(sb)]
		if identity {
			for x, u := range sb {
				db[x] = clamp8(int(u))
				dr[x] = clamp8(int(sr[x]))
			}
			continue
		}
		for x, u := range sb {
			v := int(sr[x])
			db[x] = clamp8((b11*int(u) + b12*v + b13) >> colourShift)
			dr[x] = clamp8((b21*int(u) + b22*v + b23) >> colourShift)
		}
	}
}

// pad fills the plane beyond w×h (up to the stride and ph rows) by repeating
// the last column and row, so that edge blocks code no false edge.
func pad(p []uint8, stride, ph, w, h int) {
	if w < stride {
		for y := 0; y < h; y++ {
			r := p[y*stride:][:stride]
			v := r[w-1]
			for x := w; x < stride; x++ {
				r[x] = v
			}
		}
	}
	last := p[(h-1)*stride:][:stride]
	for y := h; y < ph; y++ {
		copy(p[y*stride:][:stride], last)
	}
}

// Forward DCT: the scaled 1-D DCT of Arai, Agui and Nakajima (1988), applied
// to rows then columns (T.81 §A.3.3 defines the transform). Its outputs are
// the true coefficients times 8·s(u)·s(v) with s(0)=1, s(k)=√2·cos(kπ/16);
// that scale is folded into the quantisation reciprocals. Integer
// arithmetic: inputs are level-shifted (T.81 §A.3.1) and pre-scaled by
// 2^fdctPre, multipliers have 14 fractional bits; intermediate values stay
// below 2^20, so int32 storage is exact.
const (
	fdctPre = 4
	c0707   = 11585 // round(2^14 · cos(π/4))
	c0382   = 6270  // round(2^14 · cos(3π/8))
	c0541   = 8867  // round(2^14 · (cos(π/8) − cos(3π/8)))
	c1306   = 21407 // round(2^14 · (cos(π/8) + cos(3π/8)))
	qBits   = 31    // precision of quantisation reciprocals
)

func fmul(x, c int) int { return (x*c + 1<<13) >> 14 }

// aanScale[k] is s(k) above.
var aanScale = func() (s [8]float64) {
	s[0] = 1
	for k := 1; k < 8; k++ {
		s[k] = math.Sqrt2 * math.Cos(float64(k)*math.Pi/16)
	}
	return s
}()

// huffEnc maps a symbol to code<<8 | length.
type huffEnc [256]uint32

// build derives the code of every symbol of s (T.81 Annex C, Figures C.1–C.3).
func (h *huffEnc) build(s *huffSpec) {
	code, k := uint32(0), 0
	for l := 1; l <= 16; l++ {
		for i := 0; i < int(s.bits[l-1]); i++ {
			h[s.vals[k]] = code<<8 | uint32(l)
			code++
			k++
		}
		code <<= 1
	}
}

// Standard tables, built once; read-only afterwards.
var stdDC, stdAC = func() (dc, ac [2]huffEnc) {
	dc[0].build(&specDCLuma)
	dc[1].build(&specDCChroma)
	ac[0].build(&specACLuma)
	ac[1].build(&specACChroma)
	return
}()

// bitWriter packs Huffman codes MSB-first with 0xFF byte stuffing (T.81
// §F.1.2.3, §B.1.1.5). acc holds n pending bits in its low end.
type bitWriter struct {
	buf []byte
	acc uint64
	n   uint
}

// put appends the low n bits of v (n ≤ 32).
func (w *bitWriter) put(v uint64, n uint) {
	w.acc = w.acc<<n | v
	w.n += n
	if w.n >= 32 {
		w.flush32()
	}
}

func (w *bitWriter) flush32() {
	w.n -= 32
	x := uint32(w.acc >> w.n)
	// A byte of x is 0xFF exactly when that byte of ^x is zero.
	if (^x-0x01010101)&x&0x80808080 == 0 {
		w.buf = append(w.buf, byte(x>>24), byte(x>>16), byte(x>>8), byte(x))
		return
	}
	for s := 24; s >= 0; s -= 8 {
		b := byte(x >> uint(s))
		w.buf = append(w.buf, b)
		if b == 0xFF {
			w.buf = append(w.buf, 0)
		}
	}
}

// finish pads the last byte with 1 bits (T.81 §F.1.2.3) and flushes.
func (w *bitWriter) finish() {
	if r := w.n % 8; r != 0 {
		w.put(1<<(8-r)-1, 8-r)
	}
	for w.n >= 8 {
		w.n -= 8
		b := byte(w.acc >> w.n)
		w.buf = append(w.buf, b)
		if b == 0xFF {
			w.buf = append(w.buf, 0)
		}
	}
	w.acc, w.n = 0, 0
}

// jpegEnc codes padded 8-bit planes; it keeps the tables of the last quality.
type jpegEnc struct {
	quality int
	dqt     [2][64]uint8 // quantisation tables in zig-zag order (DQT)
	recipN  [2][64]int32 // 2^qBits / divisor, natural order
	clamp   bool         // some divisor is 1: quantised values need clamping
	blk     [64]int32
	zz      [64]int32
	w       bitWriter
}

// setQuality scales the Annex K tables with the IJG formula (libjpeg
// jcparam.c, jpeg_quality_scaling): q < 50 → 5000/q %, else 200−2q %,
// each entry clamped to 1..255 (baseline).
func (j *jpegEnc) setQuality(q int) {
	if j.quality == q {
		return
	}
	j.quality = q
	j.clamp = false
	scale := 200 - 2*q
	if q < 50 {
		scale = 5000 / q
	}
	for t := 0; t < 2; t++ {
		for k := 0; k < 64; k++ {
			n := int(zigzag[k])
			v := (int(baseQuant[t][n])*scale + 50) / 100
			v = min(max(v, 1), 255)
			j.clamp = j.clamp || v == 1
			j.dqt[t][k] = uint8(v)
			div := float64(v) * 8 * aanScale[n/8] * aanScale[n%8] * (1 << fdctPre)
			j.recipN[t][n] = int32(math.Round(math.Ldexp(1, qBits) / div))
		}
	}
}

// encode writes a complete JFIF file. With cb == nil the image is grayscale
// (one component); otherwise Y is 2×2 subsampled relative to Cb and Cr. The
// planes are padded to pw (a multiple of 16) columns and a multiple of 16
// rows.
func (j *jpegEnc) encode(dst, y, cb, cr []uint8, w, h, pw, q int) []byte {
	j.setQuality(q)
	gray := cb == nil
	dst = append(dst,
		0xFF, 0xD8, // SOI
		0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 2, 0, 0, 1, 0, 1, 0, 0, // APP0 JFIF 1.02, 1:1
	)
	// DQT (T.81 §B.2.4.1)
	nt := 2
	if gray {
		nt = 1
	}
	dst = append(dst, 0xFF, 0xDB, 0, byte(2+65*nt))
	for t := 0; t < nt; t++ {
		dst = append(dst, byte(t))
		dst = append(dst, j.dqt[t][:]...)
	}
	// SOF0 (T.81 §B.2.2)
	if gray {
		dst = append(dst, 0xFF, 0xC0, 0, 11, 8, byte(h>>8), byte(h), byte(w>>8), byte(w), 1, 1, 0x11, 0)
	} else {
		dst = append(dst, 0xFF, 0xC0, 0, 17, 8, byte(h>>8), byte(h), byte(w>>8), byte(w), 3,
			1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1)
	}
	// DHT (T.81 §B.2.4.2)
	specs := [4]*huffSpec{&specDCLuma, &specACLuma, &specDCChroma, &specACChroma}
	classes := [4]byte{0x00, 0x10, 0x01, 0x11}
	n := 0
	for i := 0; i < 2*nt; i++ {
		n += 17 + len(specs[i].vals)
	}
	dst = append(dst, 0xFF, 0xC4, byte((n+2)>>8), byte(n+2))
	for i := 0; i < 2*nt; i++ {
		dst = append(dst, classes[i])
		dst = append(dst, specs[i].bits[:]...)
		dst = append(dst, specs[i].vals...)
	}
	// SOS (T.81 §B.2.3)
	if gray {
		dst = append(dst, 0xFF, 0xDA, 0, 8, 1, 1, 0x00, 0, 63, 0)
	} else {
		dst = append(dst, 0xFF, 0xDA, 0, 12, 3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0)
	}
	j.w = bitWriter{buf: dst}
	var dcY, dcCb, dcCr int32
	if gray {
		for by := 0; by < (h+7)/8; by++ {
			for bx := 0; bx < (w+7)/8; bx++ {
				j.block(y[by*8*pw+bx*8:], pw, 0, &dcY)
			}
		}
	} else {
		cpw := pw / 2
		for my := 0; my < (h+15)/16; my++ {
			for mx := 0; mx < (w+15)/16; mx++ {
				o := my*16*pw + mx*16
				j.block(y[o:], pw, 0, &dcY)
				j.block(y[o+8:], pw, 0, &dcY)
				j.block(y[o+8*pw:], pw, 0, &dcY)
				j.block(y[o+8*pw+8:], pw, 0, &dcY)
				oc := my*8*cpw + mx*8
				j.block(cb[oc:], cpw, 1, &dcCb)
				j.block(cr[oc:], cpw, 1, &dcCr)
			}
		}
	}
	j.w.finish()
	dst = append(j.w.buf, 0xFF, 0xD9) // EOI
	j.w.buf = nil
	return dst
}

// block transforms, quantises and Huffman-codes the 8×8 block whose top-left
// sample is p[0], with tables t (0 luma, 1 chroma). The row pass, column
// pass and quantisation are written out (no calls) because this is the
// encoder's hottest code.
func (j *jpegEnc) block(p []uint8, stride, t int, prevDC *int32) {
	blk := &j.blk
	// Rows: level shift (T.81 §A.3.1), pre-scale, 1-D AAN DCT.
	for r := 0; r < 8; r++ {
		s := p[r*stride:][:8]
		s0, s1, s2, s3, s4, s5, s6, s7 := int(s[0]), int(s[1]), int(s[2]), int(s[3]), int(s[4]), int(s[5]), int(s[6]), int(s[7])
		tmp0, tmp7 := (s0+s7-256)<<fdctPre, (s0-s7)<<fdctPre
		tmp1, tmp6 := (s1+s6-256)<<fdctPre, (s1-s6)<<fdctPre
		tmp2, tmp5 := (s2+s5-256)<<fdctPre, (s2-s5)<<fdctPre
		tmp3, tmp4 := (s3+s4-256)<<fdctPre, (s3-s4)<<fdctPre
		d := blk[r*8:][:8]
		// Even part.
		tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
		tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2
		d[0] = int32(tmp10 + tmp11)
		d[4] = int32(tmp10 - tmp11)
		z1 := fmul(tmp12+tmp13, c0707)
		d[2] = int32(tmp13 + z1)
		d[6] = int32(tmp13 - z1)
		// Odd part.
		tmp10, tmp11, tmp12 = tmp4+tmp5, tmp5+tmp6, tmp6+tmp7
		z5 := fmul(tmp10-tmp12, c0382)
		z2 := fmul(tmp10, c0541) + z5
		z4 := fmul(tmp12, c1306) + z5
		z3 := fmul(tmp11, c0707)
		z11, z13 := tmp7+z3, tmp7-z3
		d[5] = int32(z13 + z2)
		d[3] = int32(z13 - z2)
		d[1] = int32(z11 + z4)
		d[7] = int32(z11 - z4)
	}
	// Columns, each output quantised at once (T.81 §A.3.4, rounding to
	// nearest) into its zig-zag position, collecting a mask of the non-zero
	// coefficients.
	zz := &j.zz
	mask := colsQuant(blk, &j.recipN[t], zz) // fdct_gen.go
	if j.clamp {
		// Baseline range ±1023 (AC sizes ≤ 10, DC differences ≤ 11 bits):
		// only divisors of 1 can exceed it (|F| ≤ 1024 for 8-bit samples).
		for k := range zz {
			zz[k] = min(max(zz[k], -1023), 1023)
		}
	}
	// DC difference (T.81 §F.1.2.1).
	w := &j.w
	diff := int(zz[0] - *prevDC)
	*prevDC = zz[0]
	{
		s := diff >> 63
		size := uint(bits.Len(uint((diff ^ s) - s)))
		ent := stdDC[t][size]
		w.put(uint64(ent>>8)<<size|uint64((diff+s)&(1<<size-1)), uint(ent&0xff)+size)
	}
	// AC run/size coding (T.81 §F.1.2.2).
	ac := &stdAC[t]
	m := mask &^ 1
	last := 0
	for m != 0 {
		k := bits.TrailingZeros64(m)
		run := k - last - 1
		for run > 15 {
			ent := ac[0xF0] // ZRL
			w.put(uint64(ent>>8), uint(ent&0xff))
			run -= 16
		}
		v := int(zz[k&63])
		s := v >> 63
		size := uint(bits.Len(uint((v ^ s) - s)))
		ent := ac[(run<<4|int(size))&0xff]
		w.put(uint64(ent>>8)<<size|uint64((v+s)&(1<<size-1)), uint(ent&0xff)+size)
		last = k
		m &= m - 1
	}
	if last != 63 {
		ent := ac[0x00] // EOB
		w.put(uint64(ent>>8), uint(ent&0xff))
	}
}
