package h264

import (
	"math/rand/v2"
	"testing"
)

// idct8AddRef is the 8x8 inverse transform and reconstruction of
// §8.5.13.2 and §8.5.14 as the standard writes it (eq. 8-340 to 8-360):
// the rows, then the columns, then (x+32)>>6 added to the prediction.
func idct8AddRef(dst []uint16, stride int, c *[64]int32, maxV int32) {
	tr := func(x *[8]int32) [8]int32 {
		a0, a4 := x[0]+x[4], x[0]-x[4]
		a2, a6 := (x[2]>>1)-x[6], x[2]+(x[6]>>1)
		b0, b2, b4, b6 := a0+a6, a4+a2, a4-a2, a0-a6
		a1 := -x[3] + x[5] - x[7] - (x[7] >> 1)
		a3 := x[1] + x[7] - x[3] - (x[3] >> 1)
		a5 := -x[1] + x[7] + x[5] + (x[5] >> 1)
		a7 := x[3] + x[5] + x[1] + (x[1] >> 1)
		b1, b7 := a1+(a7>>2), a7-(a1>>2)
		b3, b5 := a3+(a5>>2), (a3>>2)-a5
		return [8]int32{b0 + b7, b2 + b5, b4 + b3, b6 + b1, b6 - b1, b4 - b3, b2 - b5, b0 - b7}
	}
	var g [8][8]int32
	for i := 0; i < 8; i++ {
		g[i] = tr((*[8]int32)(c[i*8 : i*8+8]))
	}
	for j := 0; j < 8; j++ {
		var col [8]int32
		for i := range col {
			col[i] = g[i][j]
		}
		m := tr(&col)
		for i := range col {
			p := &dst[i*stride+j]
			*p = uint16(clip(0, maxV, int32(*p)+(m[i]+32)>>6))
		}
	}
	*c = [64]int32{}
}

// TestIdct8Add checks idct8Add against idct8AddRef on random blocks with
// every kind of sparsity (DC only, rows 0-3 only, rows whose right half
// is zero, dense), at bit depths 8 to 14, including values that clip.
func TestIdct8Add(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	const stride = 11
	for iter := 0; iter < 50000; iter++ {
		bitDepth := 8 + r.IntN(7)
		if iter%2 == 0 {
			bitDepth = 8
		}
		maxV := int32(1)<<bitDepth - 1
		var c [64]int32
		density := r.Float64()
		rowMask := r.IntN(256)
		colMask := r.IntN(256)
		if r.IntN(4) == 0 {
			colMask = 15
		}
		if r.IntN(4) == 0 {
			rowMask = 15
		}
		big := r.IntN(8) == 0
		for i := 0; i < 8; i++ {
			for j := 0; j < 8; j++ {
				if rowMask>>i&1 == 0 || colMask>>j&1 == 0 || r.Float64() >= density {
					continue
				}
				if big {
					c[i*8+j] = int32(r.IntN(1<<(bitDepth+6))) - 1<<(bitDepth+5)
				} else {
					c[i*8+j] = int32(r.IntN(1024)) - 512
				}
			}
		}
		if r.IntN(8) == 0 {
			c = [64]int32{}
			c[0] = int32(r.IntN(4096)) - 2048
		}
		plane := make([]uint16, stride*10)
		for i := range plane {
			plane[i] = uint16(r.IntN(int(maxV) + 1))
		}
		want := append([]uint16(nil), plane...)
		cw := c
		idct8AddRef(want[stride+1:], stride, &cw, maxV)
		got := append([]uint16(nil), plane...)
		cg := c
		idct8Add(got[stride+1:], stride, &cg, maxV)
		if cg != [64]int32{} {
			t.Fatalf("iter %d: coefficients not cleared", iter)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("iter %d (depth %d): sample (%d,%d) = %d, want %d\nc %v", iter, bitDepth, i%stride-1, i/stride-1, got[i], want[i], c)
			}
		}
	}
}
