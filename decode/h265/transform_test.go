package h265

import (
	"math/rand"
	"testing"
)

// refIdctAdd is §8.6.4.2 and §8.6.7 written as the standard states them:
// two matrix products with the intermediate clipping of eq. 8-321. The
// levels c are transposed (c[x·n+y] is the level at column x, row y).
func refIdctAdd(c []int32, log2N int, bdShift uint, pic []uint16, stride int, maxV int32) {
	n := 1 << log2N
	step := 32 >> log2N
	var e, g [32 * 32]int64
	for x := 0; x < n; x++ {
		for y := 0; y < n; y++ {
			var s int64
			for k := 0; k < n; k++ {
				s += int64(transMat[k*step][y]) * int64(c[x*n+k]) // transposed
			}
			e[y*n+x] = int64(clip16(int32((s + 64) >> 7)))
		}
	}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			var s int64
			for k := 0; k < n; k++ {
				s += int64(transMat[k*step][x]) * e[y*n+k]
			}
			g[y*n+x] = (s + 1<<(bdShift-1)) >> bdShift
		}
	}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			v := int64(pic[y*stride+x]) + g[y*n+x]
			v = max(0, min(v, int64(maxV)))
			pic[y*stride+x] = uint16(v)
		}
	}
}

// TestIdctAdd compares idctAdd with the matrix products on random sparse
// and dense blocks, including levels at the 16-bit limits.
func TestIdctAdd(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	var coef, tmp [32 * 32]int32
	for iter := 0; iter < 3000; iter++ {
		log2N := 3 + iter%3
		n := 1 << log2N
		bitDepth := []int{8, 10, 12}[rng.Intn(3)]
		bdShift := uint(20 - bitDepth)
		maxV := int32(1)<<bitDepth - 1
		coef = [32 * 32]int32{}
		var rows [32]uint32
		var cols uint32
		nz := 1 + rng.Intn(n*n/[]int{1, 4, 16}[rng.Intn(3)])
		for i := 0; i < nz; i++ {
			x, y := rng.Intn(n), rng.Intn(n)
			if rng.Intn(3) == 0 {
				x, y = rng.Intn(4), rng.Intn(4)
			}
			var v int32
			switch rng.Intn(4) {
			case 0:
				v = -32768
			case 1:
				v = 32767
			default:
				v = int32(rng.Intn(2001) - 1000)
			}
			coef[x*n+y] = v // transposed
			rows[x] |= 1 << y
			cols |= 1 << x
		}
		stride := n + rng.Intn(8)
		pic := make([]uint16, stride*n)
		for i := range pic {
			pic[i] = uint16(rng.Intn(int(maxV) + 1))
		}
		want := append([]uint16(nil), pic...)
		refIdctAdd(coef[:n*n], log2N, bdShift, want, stride, maxV)
		idctAdd(&coef, &tmp, &rows, cols, log2N, bdShift, pic, stride, maxV)
		for i := range pic {
			if pic[i] != want[i] {
				t.Fatalf("iter %d: n=%d bitDepth %d: sample (%d,%d) = %d, want %d", iter, n, bitDepth, i%stride, i/stride, pic[i], want[i])
			}
		}
	}
}
