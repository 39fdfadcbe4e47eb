package h264

import (
	"math/rand/v2"
	"testing"
)

// randCoefs fills c with a random residual block: mostly small values,
// sometimes large ones (to reach the clipping paths), with about density
// of the positions non-zero.
func randCoefs(r *rand.Rand, c []int32, density float64, bitDepth int) {
	for i := range c {
		c[i] = 0
		if r.Float64() >= density {
			continue
		}
		switch r.IntN(8) {
		case 0:
			c[i] = int32(r.IntN(1<<(bitDepth+7))) - 1<<(bitDepth+6)
		default:
			c[i] = int32(r.IntN(4096)) - 2048
		}
	}
}

// TestChromaDCRecon420 checks chromaDCRecon420 against predChroma (DC
// mode) followed by idct4Add or the DC-only add per block, for every
// neighbour availability, bit depth and block pattern.
func TestChromaDCRecon420(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const stride = 24
	for iter := 0; iter < 3000; iter++ {
		bitDepth := 8 + r.IntN(7)
		if iter%2 == 0 {
			bitDepth = 8
		}
		maxV := int32(1)<<bitDepth - 1
		def := int32(1) << (bitDepth - 1)
		plane := make([]uint16, stride*20)
		for i := range plane {
			plane[i] = uint16(r.IntN(int(maxV) + 1))
		}
		haveTop, haveLeft := r.IntN(4) != 0, r.IntN(4) != 0
		var d sliceDecoder
		d.maxC = maxV
		c := r.IntN(2)
		nz := uint8(r.IntN(16))
		ac := nz & uint8(r.IntN(16))
		d.nzC[c], d.acC[c] = nz, ac
		for b := 0; b < 4; b++ {
			cf := &d.coefC[c][b]
			switch {
			case ac>>b&1 != 0:
				randCoefs(r, cf[:], 0.5, bitDepth)
				cf[1+r.IntN(15)] = int32(r.IntN(200)) + 1 // AC present
			case nz>>b&1 != 0:
				cf[0] = int32(r.IntN(1<<(bitDepth+6))) - 1<<(bitDepth+5)
			}
		}
		coefs := d.coefC
		const x0, y0 = 8, 8
		o := y0*stride + x0
		got := append([]uint16(nil), plane...)
		d.chromaDCRecon420(c, got, stride, o, haveTop, haveLeft, def)
		if d.coefC[c] != [8][16]int32{} {
			t.Fatalf("iter %d: coefficients not cleared: %v", iter, d.coefC[c])
		}

		want := append([]uint16(nil), plane...)
		var top, left [16]int32
		for i := 0; i < 8; i++ {
			top[i] = int32(want[(y0-1)*stride+x0+i])
			left[i] = int32(want[(y0+i)*stride+x0-1])
		}
		predChroma(want[o:], stride, 8, 8, 0, &top, &left, 0, haveTop, haveLeft, bitDepth)
		addChromaResidualRef(want[o:], stride, (*[4][16]int32)(coefs[c][:4]), nz, ac, maxV)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("iter %d (depth %d, top %v left %v nz %04b ac %04b): sample (%d,%d) = %d, want %d",
					iter, bitDepth, haveTop, haveLeft, nz, ac, i%stride-x0, i/stride-y0, got[i], want[i])
			}
		}
	}
}

// TestIdct4 checks idct4Add and idct4Const against idct4AddRef on random
// blocks and predictions.
func TestIdct4(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const stride = 9
	for iter := 0; iter < 20000; iter++ {
		bitDepth := 8 + r.IntN(7)
		maxV := int32(1)<<bitDepth - 1
		var c [16]int32
		randCoefs(r, c[:], r.Float64(), bitDepth)
		plane := make([]uint16, stride*5)
		for i := range plane {
			plane[i] = uint16(r.IntN(int(maxV) + 1))
		}
		want := append([]uint16(nil), plane...)
		cw := c
		idct4AddRef(want[stride+1:], stride, &cw, maxV)
		got := append([]uint16(nil), plane...)
		cg := c
		idct4Add(got[stride+1:], stride, &cg, maxV)
		if cg != [16]int32{} {
			t.Fatalf("idct4Add: coefficients not cleared")
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("idct4Add iter %d: sample %d = %d, want %d (c %v)", iter, i, got[i], want[i], c)
			}
		}

		pred := int32(r.IntN(int(maxV) + 1))
		want = append(want[:0], plane...)
		for y := 0; y < 4; y++ {
			for x := 0; x < 4; x++ {
				want[(1+y)*stride+1+x] = uint16(pred)
			}
		}
		cw = c
		idct4AddRef(want[stride+1:], stride, &cw, maxV)
		got = append(got[:0], plane...)
		cg = c
		idct4Const(got[stride+1:], stride, &cg, pred, maxV)
		if cg != [16]int32{} {
			t.Fatalf("idct4Const: coefficients not cleared")
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("idct4Const iter %d: sample %d = %d, want %d (pred %d, c %v)", iter, i, got[i], want[i], pred, c)
			}
		}
	}
}

// idct4AddRef is the 4x4 inverse transform and reconstruction of
// §8.5.12.2 and §8.5.14 as the standard writes it.
func idct4AddRef(dst []uint16, stride int, c *[16]int32, maxV int32) {
	var f, h [16]int32
	for i := 0; i < 4; i++ {
		d := c[i*4 : i*4+4]
		e0, e1 := d[0]+d[2], d[0]-d[2]
		e2, e3 := (d[1]>>1)-d[3], d[1]+(d[3]>>1)
		f[i*4], f[i*4+1], f[i*4+2], f[i*4+3] = e0+e3, e1+e2, e1-e2, e0-e3
	}
	for j := 0; j < 4; j++ {
		g0, g1 := f[j]+f[8+j], f[j]-f[8+j]
		g2, g3 := (f[4+j]>>1)-f[12+j], f[4+j]+(f[12+j]>>1)
		h[j], h[4+j], h[8+j], h[12+j] = g0+g3, g1+g2, g1-g2, g0-g3
	}
	for y := 0; y < 4; y++ {
		for x := 0; x < 4; x++ {
			p := &dst[y*stride+x]
			*p = uint16(clip(0, maxV, int32(*p)+(h[y*4+x]+32)>>6))
		}
	}
	*c = [16]int32{}
}

// addChromaResidualRef adds the residual of the four 4x4 blocks of an 8x8
// chroma block at dst, the straightforward way: idct4AddRef for the blocks
// with AC coefficients (bits of ac), the DC-only add for the others with a
// coefficient (bits of nz). coefs is not changed.
func addChromaResidualRef(dst []uint16, stride int, coefs *[4][16]int32, nz, ac uint8, maxV int32) {
	for b := 0; b < 4; b++ {
		off := 4*(b>>1)*stride + 4*(b&1)
		cf := coefs[b]
		switch {
		case ac>>b&1 != 0:
			idct4AddRef(dst[off:], stride, &cf, maxV)
		case nz>>b&1 != 0:
			dcAdd4(dst[off:], stride, (cf[0]+32)>>6, maxV)
		}
	}
}

// TestChromaPredRecon420 checks chromaPredRecon420 (horizontal, vertical
// and plane prediction of a 4:2:0 macroblock with its residual) against
// predChroma followed by idct4AddRef or the DC-only add per block.
func TestChromaPredRecon420(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	const stride = 24
	for iter := 0; iter < 3000; iter++ {
		bitDepth := 8 + r.IntN(7)
		if iter%2 == 0 {
			bitDepth = 8
		}
		maxV := int32(1)<<bitDepth - 1
		plane := make([]uint16, stride*20)
		for i := range plane {
			plane[i] = uint16(r.IntN(int(maxV) + 1))
			if iter%8 == 1 {
				plane[i] = uint16(int(maxV) * r.IntN(2)) // extremes: plane prediction clips
			}
		}
		mode := 1 + iter%3
		var d sliceDecoder
		d.maxC = maxV
		c := r.IntN(2)
		nz := uint8(r.IntN(16))
		ac := nz & uint8(r.IntN(16))
		d.nzC[c], d.acC[c] = nz, ac
		for b := 0; b < 4; b++ {
			cf := &d.coefC[c][b]
			switch {
			case ac>>b&1 != 0:
				randCoefs(r, cf[:], 0.5, bitDepth)
				cf[1+r.IntN(15)] = int32(r.IntN(200)) + 1
			case nz>>b&1 != 0:
				cf[0] = int32(r.IntN(1<<(bitDepth+6))) - 1<<(bitDepth+5)
			}
		}
		coefs := d.coefC
		const x0, y0 = 8, 8
		o := y0*stride + x0
		got := append([]uint16(nil), plane...)
		d.chromaPredRecon420(c, got, stride, o, mode)
		if d.coefC[c] != [8][16]int32{} {
			t.Fatalf("iter %d: coefficients not cleared", iter)
		}

		want := append([]uint16(nil), plane...)
		var top, left [16]int32
		for i := 0; i < 8; i++ {
			top[i] = int32(want[(y0-1)*stride+x0+i])
			left[i] = int32(want[(y0+i)*stride+x0-1])
		}
		corner := int32(want[(y0-1)*stride+x0-1])
		predChroma(want[o:], stride, 8, 8, mode, &top, &left, corner, true, true, bitDepth)
		addChromaResidualRef(want[o:], stride, (*[4][16]int32)(coefs[c][:4]), nz, ac, maxV)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("iter %d (mode %d, depth %d, nz %04b ac %04b): sample (%d,%d) = %d, want %d",
					iter, mode, bitDepth, nz, ac, i%stride-x0, i/stride-y0, got[i], want[i])
			}
		}
	}
}
