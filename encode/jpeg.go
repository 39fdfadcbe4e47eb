package encode

import (
	"math"
	"math/bits"

	"github.com/stills/stills/decode"
)

// Baseline sequential DCT JPEG (ITU-T T.81 Annex F, §F.1) in a JFIF file.

// encodeJPEG scales f to w×h (chroma straight to the 4:2:0 size of the
// JPEG) and codes it at quality q. The colour conversion to JFIF YCbCr is
// done as each block is loaded for its DCT (see jconv), so no converted
// copy of the picture is written.
func (e *Encoder) encodeJPEG(dst []byte, f *decode.Frame, m matrix, w, h, q int, optimize bool) []byte {
	sc := &e.sc
	sc.yh.setup(axisKey{f.Width, w, f.Width, w, 1, 1})
	sc.yv.setup(axisKey{f.Height, h, f.Height, h, 1, 1})
	Y := sc.scale(plane{f.Y, f.YStride, f.Width, f.Height, uint(f.BitDepthY)}, &sc.yh, &sc.yv, &sc.buf[0])
	a := m.toJFIF()
	if f.ChromaFormat == decode.Chroma400 {
		// No chroma: Cb = Cr = neutral, so only the luma term and the
		// offset of a neutral chroma remain.
		a[0][3] += (a[0][1] + a[0][2]) * 128
		cv := newJconv(a, Y.prec, 8)
		return e.jpg.encode(dst, Y, plane{}, plane{}, &cv, q, optimize)
	}
	sw, sh := f.ChromaFormat.SubWidthHeight()
	cw, ch := (w+1)/2, (h+1)/2
	scw, sch := f.ChromaWidth(), f.ChromaHeight()
	sc.ch.setup(axisKey{scw, cw, f.Width, w, sw, 2})
	sc.cv.setup(axisKey{sch, ch, f.Height, h, sh, 2})
	prec := uint(f.BitDepthC)
	Cb := sc.scale(plane{f.Cb, f.CStride, scw, sch, prec}, &sc.ch, &sc.cv, &sc.buf[1])
	Cr := sc.scale(plane{f.Cr, f.CStride, scw, sch, prec}, &sc.ch, &sc.cv, &sc.buf[2])
	cv := newJconv(a, Y.prec, Cb.prec)
	return e.jpg.encode(dst, Y, Cb, Cr, &cv, q, optimize)
}

// jconv maps source samples to DCT inputs: the JFIF sample (T.81 §A.3.1
// level shift applied) times 2^fdctPre, clamped to the 8-bit range but not
// rounded to an integer sample first, so deeper or scaled samples keep their
// precision into the DCT.
//
//	luma:   (k0·Y + cc) >> jconvShift, with cc = k1·Cb + k2·Cr + kb per chroma sample
//	chroma: (c[i][1]·Cb + c[i][2]·Cr + c[i][3]) >> jconvShift
//
// Chroma outputs do not depend on luma (every R'G'B' row has the same luma
// coefficient, so B'−Y' and R'−Y' cancel it). The luma of a source whose
// matrix is not BT.601 takes a share of the chroma, read at the 4:2:0 output
// chroma sample covering the pixel.
type jconv struct {
	k0, k1, k2, kb int
	c11, c12, c13  int
	c21, c22, c23  int
}

// jconvShift is the shift of jconv's fixed-point sums to DCT-input scale.
const jconvShift = colourShift - fdctPre

const (
	dctMax = 255 << fdctPre // largest DCT input before the level shift
	dctMid = 128 << fdctPre // the level shift
)

func newJconv(a [3][4]float64, precY, precC uint) jconv {
	c := fix(a, precY, precC)
	// fix rounds for a shift by colourShift; round for jconvShift instead.
	adj := 1<<(jconvShift-1) - 1<<(colourShift-1)
	return jconv{
		k0: c.c[0][0], k1: c.c[0][1], k2: c.c[0][2], kb: c.c[0][3] + adj,
		c11: c.c[1][1], c12: c.c[1][2], c13: c.c[1][3] + adj,
		c21: c.c[2][1], c22: c.c[2][2], c23: c.c[2][3] + adj,
	}
}

// dctClamp clamps x (a JFIF sample times 2^fdctPre) to the 8-bit range.
// The level shift is applied by the row pass (see gen_fdct.go).
func dctClamp(x int) int {
	if uint(x) > dctMax {
		x = int(^(x >> 63)) & dctMax // negative → 0, too large → dctMax
	}
	return x
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

// fmul multiplies by a 14-bit constant; the floor of the shift biases by at
// most 1/16 of an input level (inputs carry fdctPre = 4 fractional bits).
func fmul(x, c int) int { return (x * c) >> 14 }

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
	quant   [2]quantTab
	clamp   bool // some divisor is 1: quantised values need clamping
	blk     [64]int32
	zz      [64]int32
	blkCb   [64]int32 // chroma row-pass outputs of an MCU
	blkCr   [64]int32
	cc      [64]int     // chroma share of luma per chroma sample of an MCU
	ey      [256]uint16 // edge MCU samples, edges repeated
	ecb     [64]uint16
	ecr     [64]uint16
	w       bitWriter

	// Huffman tables in use (standard, or optimised for the picture).
	dc, ac   [2]*huffEnc
	specs    [4]*huffSpec // DHT order: DC luma, AC luma, DC chroma, AC chroma
	counting bool         // first pass of an optimised encode: count symbols only
	freq     [4][257]int  // symbol counts, specs order; 256 is K.2's reserved point
	opt      [4]huffSpec
	optVals  [4][256]uint8
	optEnc   [4]huffEnc
}

// quantTab holds, per coefficient in natural order, the quantisation
// reciprocal r = 2^qBits/divisor and the interval of scaled coefficients
// that quantise to zero: v is zero iff uint(v+off) ≤ span.
type quantTab struct {
	r    [64]int
	off  [64]int
	span [64]uint
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
			r := int(math.Round(math.Ldexp(1, qBits) / div))
			// q = (v·r + 2^(qBits−1)) >> qBits is 0 exactly for
			// −⌊2^(qBits−1)/r⌋ ≤ v ≤ ⌈2^(qBits−1)/r⌉ − 1.
			lo := (1 << (qBits - 1)) / r
			hi := (1<<(qBits-1)+r-1)/r - 1
			j.quant[t].r[n], j.quant[t].off[n], j.quant[t].span[n] = r, lo, uint(hi+lo)
		}
	}
}

// encode writes a complete JFIF file of Y's size. With Cb.pix == nil the
// image is grayscale (one component); otherwise Cb and Cr have the 4:2:0
// size ((w+1)/2 × (h+1)/2). With optimize, a first pass counts the symbols
// and the picture is coded with Huffman tables made for it (T.81 §K.2).
func (j *jpegEnc) encode(dst []byte, Y, Cb, Cr plane, cv *jconv, q int, optimize bool) []byte {
	j.setQuality(q)
	gray := Cb.pix == nil
	w, h := Y.w, Y.h
	j.dc = [2]*huffEnc{&stdDC[0], &stdDC[1]}
	j.ac = [2]*huffEnc{&stdAC[0], &stdAC[1]}
	j.specs = [4]*huffSpec{&specDCLuma, &specACLuma, &specDCChroma, &specACChroma}
	if optimize {
		j.freq = [4][257]int{}
		j.counting = true
		j.scan(Y, Cb, Cr, cv)
		j.counting = false
		for i := range j.opt {
			if gray && i >= 2 {
				break
			}
			buildHuffman(&j.freq[i], &j.opt[i], &j.optVals[i])
			j.optEnc[i].build(&j.opt[i])
			j.specs[i] = &j.opt[i]
		}
		j.dc = [2]*huffEnc{&j.optEnc[0], &j.optEnc[2]}
		j.ac = [2]*huffEnc{&j.optEnc[1], &j.optEnc[3]}
	}
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
	specs := &j.specs
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
	j.scan(Y, Cb, Cr, cv)
	j.w.finish()
	dst = append(j.w.buf, 0xFF, 0xD9) // EOI
	j.w.buf = nil
	return dst
}

// scan converts, transforms, quantises and codes (or counts) every block
// in scan order.
func (j *jpegEnc) scan(Y, Cb, Cr plane, cv *jconv) {
	gray := Cb.pix == nil
	w, h := Y.w, Y.h
	var dcY, dcCb, dcCr int32
	if gray {
		for by := 0; by < (h+7)/8; by++ {
			for bx := 0; bx < (w+7)/8; bx++ {
				x, y := bx*8, by*8
				if x+8 <= w && y+8 <= h {
					j.grayRows(Y.pix[y*Y.stride+x:], Y.stride, cv.k0, cv.kb)
				} else {
					gather(j.ey[:64], 8, Y, x, y)
					j.grayRows(j.ey[:], 8, cv.k0, cv.kb)
				}
				j.code(&j.blk, 0, &dcY)
			}
		}
	} else {
		for my := 0; my < (h+15)/16; my++ {
			for mx := 0; mx < (w+15)/16; mx++ {
				x, y := mx*16, my*16
				var ys, cbs, crs []uint16
				yst, cst := Y.stride, Cb.stride
				if x+16 <= w && y+16 <= h {
					ys = Y.pix[y*Y.stride+x:]
					cbs = Cb.pix[y/2*Cb.stride+x/2:]
					crs = Cr.pix[y/2*Cr.stride+x/2:]
				} else {
					gather(j.ey[:], 16, Y, x, y)
					gather(j.ecb[:], 8, Cb, x/2, y/2)
					gather(j.ecr[:], 8, Cr, x/2, y/2)
					ys, cbs, crs, yst, cst = j.ey[:], j.ecb[:], j.ecr[:], 16, 8
				}
				j.mcu420(ys, yst, cbs, crs, cst, cv, &dcY, &dcCb, &dcCr)
			}
		}
	}
}

// gather copies the n×n samples of p at (x, y) into dst (n columns),
// repeating the last column and row where the square crosses the edge.
func gather(dst []uint16, n int, p plane, x, y int) {
	for r := 0; r < n; r++ {
		sy := min(y+r, p.h-1)
		row := p.pix[sy*p.stride:][:p.w]
		d := dst[r*n:][:n]
		for c := range d {
			d[c] = row[min(x+c, p.w-1)]
		}
	}
}

// mcu420 converts and codes one 16×16 MCU: four luma blocks, then Cb and Cr
// (T.81 §A.2.3 interleaved order, H=V=2 for luma). Conversion and the row
// pass of the DCT are fused (fdct_gen.go).
func (j *jpegEnc) mcu420(ys []uint16, yst int, cbs, crs []uint16, cst int, cv *jconv, dcY, dcCb, dcCr *int32) {
	j.chromaRows(cbs, crs, cst, cv) // also the chroma share of luma in j.cc
	for b := 0; b < 4; b++ {
		j.lumaRows(ys, yst, (b&1)*8, (b>>1)*8, cv.k0)
		j.code(&j.blk, 0, dcY)
	}
	j.code(&j.blkCb, 1, dcCb)
	j.code(&j.blkCr, 1, dcCr)
}

// code runs the column pass of the DCT over blk (rows already
// transformed), quantises and Huffman-codes (or counts) the block with
// tables t (0 luma, 1 chroma). The column pass and quantisation are
// generated (fdct_gen.go) so that every coefficient's position is a
// constant in this, the encoder's hottest code.
func (j *jpegEnc) code(blk *[64]int32, t int, prevDC *int32) {
	// Columns, each output quantised at once (T.81 §A.3.4, rounding to
	// nearest) into its zig-zag position, collecting a mask of the non-zero
	// coefficients.
	zz := &j.zz
	mask := colsQuant(blk, &j.quant[t], zz) // fdct_gen.go
	if j.clamp {
		// Baseline range ±1023 (AC sizes ≤ 10, DC differences ≤ 11 bits):
		// only divisors of 1 can exceed it (|F| ≤ 1024 for 8-bit samples).
		for k := range zz {
			zz[k] = min(max(zz[k], -1023), 1023)
		}
	}
	if j.counting {
		j.count(mask, t, prevDC)
		return
	}
	// DC difference (T.81 §F.1.2.1).
	w := &j.w
	diff := int(zz[0] - *prevDC)
	*prevDC = zz[0]
	{
		s := diff >> 63
		size := uint(bits.Len(uint((diff ^ s) - s)))
		ent := j.dc[t][size]
		w.put(uint64(ent>>8)<<size|uint64((diff+s)&(1<<size-1)), uint(ent&0xff)+size)
	}
	// AC run/size coding (T.81 §F.1.2.2).
	ac := j.ac[t]
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

// count tallies the symbols block would code for zz (T.81 §K.2: the same
// DC categories and AC run/size symbols as §F.1.2).
func (j *jpegEnc) count(mask uint64, t int, prevDC *int32) {
	zz := &j.zz
	dcf, acf := &j.freq[2*t], &j.freq[2*t+1]
	diff := int(zz[0] - *prevDC)
	*prevDC = zz[0]
	s := diff >> 63
	dcf[bits.Len(uint((diff^s)-s))&15]++
	m := mask &^ 1
	last := 0
	for m != 0 {
		k := bits.TrailingZeros64(m)
		run := k - last - 1
		for ; run > 15; run -= 16 {
			acf[0xF0]++
		}
		v := int(zz[k&63])
		s := v >> 63
		acf[(run<<4|bits.Len(uint((v^s)-s)))&0xff]++
		last = k
		m &= m - 1
	}
	if last != 63 {
		acf[0x00]++
	}
}

// buildHuffman makes a Huffman table for the symbol counts freq, with code
// lengths limited to 16 bits and no all-ones code, following T.81 §K.2
// (Figures K.1 code sizes, K.2 count of codes per size, K.3 length
// limiting, K.4 sorting). freq is consumed.
func buildHuffman(freq *[257]int, spec *huffSpec, vals *[256]uint8) {
	var codesize [257]int
	var others [257]int
	for i := range others {
		others[i] = -1
	}
	freq[256] = 1 // reserved point: no code of all 1 bits
	for {
		// V1, V2: least and next least non-zero counts; on ties the larger
		// symbol value, as in the figure's search order.
		v1, v2 := -1, -1
		for i := range freq {
			if freq[i] == 0 {
				continue
			}
			if v1 < 0 || freq[i] <= freq[v1] {
				v2, v1 = v1, i
			} else if v2 < 0 || freq[i] <= freq[v2] {
				v2 = i
			}
		}
		if v2 < 0 {
			break
		}
		freq[v1] += freq[v2]
		freq[v2] = 0
		codesize[v1]++
		for others[v1] >= 0 {
			v1 = others[v1]
			codesize[v1]++
		}
		others[v1] = v2
		codesize[v2]++
		for others[v2] >= 0 {
			v2 = others[v2]
			codesize[v2]++
		}
	}
	var bitsN [33]int // at most 257 symbols: code sizes stay below 33
	for _, c := range codesize {
		if c > 0 {
			bitsN[min(c, 32)]++
		}
	}
	// Figure K.3: move codes longer than 16 bits up the tree.
	for i := 32; i > 16; {
		if bitsN[i] == 0 {
			i--
			continue
		}
		jj := i - 2
		for jj > 0 && bitsN[jj] == 0 {
			jj--
		}
		bitsN[i] -= 2
		bitsN[i-1]++
		bitsN[jj+1] += 2
		bitsN[jj]--
	}
	i := 16
	for i > 0 && bitsN[i] == 0 {
		i--
	}
	bitsN[i]-- // drop the reserved point's code (the longest)
	n := 0
	for l := 1; l <= 16; l++ {
		spec.bits[l-1] = uint8(bitsN[l])
	}
	// Figure K.4: symbols by increasing code size, then by value.
	for size := 1; size <= 32; size++ {
		for v := 0; v < 256; v++ {
			if codesize[v] == size && n < len(vals) {
				vals[n] = uint8(v)
				n++
			}
		}
	}
	spec.vals = vals[:n]
}
