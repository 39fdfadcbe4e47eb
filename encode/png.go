package encode

import (
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"

	"github.com/stills/stills/decode"
)

// PNG (ISO/IEC 15948, W3C PNG 2nd ed.): one IHDR, one IDAT holding a zlib
// stream (RFC 1950/1951) at deflate level 1 (BestSpeed), IEND. Each row
// uses filter type 2 ("Up", §9.2) except the first, which uses type 1
// ("Sub"): measured against image/png's adaptive per-row choice (see
// BenchmarkPNG*), it is faster to filter and compresses video frames about
// as well, because video rows are strongly correlated vertically.

// appendWriter is an io.Writer appending to buf.
type appendWriter struct{ buf []byte }

func (a *appendWriter) Write(p []byte) (int, error) {
	a.buf = append(a.buf, p...)
	return len(p), nil
}

type pngEnc struct {
	zw        *zlib.Writer
	aw        appendWriter
	cur, prev []uint8 // unfiltered rows
	filt      []uint8 // filter type byte + filtered row
}

var pngSig = [8]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}

// encodePNG scales f to w×h, converts it to 8-bit R'G'B' (or gray for 4:0:0)
// and writes a PNG file.
func (e *Encoder) encodePNG(dst []byte, f *decode.Frame, m matrix, w, h int) ([]byte, error) {
	sc := &e.sc
	sc.yh.setup(axisKey{f.Width, w, f.Width, w, 1, 1})
	sc.yv.setup(axisKey{f.Height, h, f.Height, h, 1, 1})
	Y := sc.scale(plane{f.Y, f.YStride, f.Width, f.Height, uint(f.BitDepthY)}, &sc.yh, &sc.yv, &sc.buf[0])
	gray := f.ChromaFormat == decode.Chroma400
	a := m.toRGB()
	for i := range a {
		for j := range a[i] {
			a[i][j] *= 255
		}
	}
	var Cb, Cr plane
	var c colour
	bpp := 3
	if gray {
		bpp = 1
		a[0][3] += (a[0][1] + a[0][2]) * 128
		c = fix(a, Y.prec, 8)
	} else {
		sw, sh := f.ChromaFormat.SubWidthHeight()
		scw, sch := f.ChromaWidth(), f.ChromaHeight()
		sc.ch.setup(axisKey{scw, w, f.Width, w, sw, 1})
		sc.cv.setup(axisKey{sch, h, f.Height, h, sh, 1})
		prec := uint(f.BitDepthC)
		Cb = sc.scale(plane{f.Cb, f.CStride, scw, sch, prec}, &sc.ch, &sc.cv, &sc.buf[1])
		Cr = sc.scale(plane{f.Cr, f.CStride, scw, sch, prec}, &sc.ch, &sc.cv, &sc.buf[2])
		c = fix(a, Y.prec, Cb.prec)
	}
	p := &e.png
	rowLen := bpp * w
	p.cur = grow(p.cur, rowLen)
	p.prev = grow(p.prev, rowLen)
	p.filt = grow(p.filt, rowLen+1)

	dst = append(dst, pngSig[:]...)
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8] = 8 // bit depth
	if gray {
		ihdr[9] = 0
	} else {
		ihdr[9] = 2 // truecolour
	}
	dst = appendChunk(dst, "IHDR", ihdr[:])

	// IDAT: length patched after compression.
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0, 'I', 'D', 'A', 'T')
	p.aw.buf = dst
	if p.zw == nil {
		p.zw, _ = zlib.NewWriterLevel(&p.aw, zlib.BestSpeed) // level is valid: no error
	} else {
		p.zw.Reset(&p.aw)
	}
	for y := 0; y < h; y++ {
		if gray {
			rowGray(p.cur, Y, y, &c)
		} else {
			rowRGB(p.cur, Y, Cb, Cr, y, &c)
		}
		if y == 0 {
			filterSub(p.filt, p.cur, bpp)
		} else {
			filterUp(p.filt, p.cur, p.prev)
		}
		p.zw.Write(p.filt) // appendWriter never fails
		p.cur, p.prev = p.prev, p.cur
	}
	p.zw.Close()
	dst = p.aw.buf
	p.aw.buf = nil
	n := len(dst) - start - 8
	binary.BigEndian.PutUint32(dst[start:], uint32(n))
	dst = binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[start+4:]))
	dst = appendChunk(dst, "IEND", nil)
	return dst, nil
}

// appendChunk appends a PNG chunk (§5.3): length, type, data, CRC-32 of
// type and data.
func appendChunk(dst []byte, typ string, data []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(data)))
	s := len(dst)
	dst = append(dst, typ...)
	dst = append(dst, data...)
	return binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[s:]))
}

// rowRGB converts row y to interleaved R'G'B'.
func rowRGB(d []uint8, Y, Cb, Cr plane, y int, c *colour) {
	sy := Y.pix[y*Y.stride:][:Y.w]
	sb := Cb.pix[y*Cb.stride:][:Y.w]
	sr := Cr.pix[y*Cr.stride:][:Y.w]
	d = d[:3*len(sy)]
	r0, r1, r2, r3 := c.c[0][0], c.c[0][1], c.c[0][2], c.c[0][3]
	g0, g1, g2, g3 := c.c[1][0], c.c[1][1], c.c[1][2], c.c[1][3]
	b0, b1, b2, b3 := c.c[2][0], c.c[2][1], c.c[2][2], c.c[2][3]
	for x := range sy {
		l, u, v := int(sy[x]), int(sb[x]), int(sr[x])
		o := d[3*x : 3*x+3]
		o[0] = clamp8((r0*l + r1*u + r2*v + r3) >> colourShift)
		o[1] = clamp8((g0*l + g1*u + g2*v + g3) >> colourShift)
		o[2] = clamp8((b0*l + b1*u + b2*v + b3) >> colourShift)
	}
}

// rowGray converts row y of a monochrome frame.
func rowGray(d []uint8, Y plane, y int, c *colour) {
	sy := Y.pix[y*Y.stride:][:Y.w]
	d = d[:len(sy)]
	k, b := c.c[0][0], c.c[0][3]
	for x, v := range sy {
		d[x] = clamp8((k*int(v) + b) >> colourShift)
	}
}

// filterSub writes filter type 1: Sub(x) = Raw(x) − Raw(x−bpp) (§9.2).
func filterSub(dst, cur []uint8, bpp int) {
	dst[0] = 1
	d := dst[1:][:len(cur)]
	copy(d[:bpp], cur[:bpp])
	for i := bpp; i < len(cur); i++ {
		d[i] = cur[i] - cur[i-bpp]
	}
}

// filterUp writes filter type 2: Up(x) = Raw(x) − Prior(x) (§9.2).
func filterUp(dst, cur, prev []uint8) {
	dst[0] = 2
	d := dst[1:][:len(cur)]
	prev = prev[:len(cur)]
	for i := range cur {
		d[i] = cur[i] - prev[i]
	}
}
