package h264

import (
	"math/rand/v2"
	"testing"
)

// TestPred8x8 checks gatherFilter8 and pred8x8 against the generic
// gatherEdge, filter8x8Edge and predNxN for every mode and neighbour
// availability on random samples.
func TestPred8x8(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const stride = 32
	for iter := 0; iter < 200; iter++ {
		plane := make([]uint16, stride*24)
		for i := range plane {
			plane[i] = uint16(r.IntN(1024))
		}
		for avail := 0; avail < 16; avail++ {
			haveLeft, haveTop, haveTR, haveCorner := avail&1 != 0, avail&2 != 0, avail&4 != 0, avail&8 != 0
			for mode := 0; mode < 9; mode++ {
				var d1, d2 sliceDecoder
				want := append([]uint16(nil), plane...)
				got := append([]uint16(nil), plane...)
				d1.gatherEdge(want, stride, 8, 8, 8, haveLeft, haveTop, haveTR, haveCorner, 512)
				filter8x8Edge(&d1.e, haveTop, haveLeft, haveCorner)
				predNxN(want[8*stride+8:], stride, 8, mode, &d1.e, haveTop, haveLeft, 10)
				d2.gatherFilter8(got, stride, 8, 8, haveLeft, haveTop, haveTR, haveCorner, 512)
				if d1.e != d2.e {
					t.Fatalf("avail %b: filtered edge\n got %v\nwant %v", avail, d2.e, d1.e)
				}
				pred8x8(got[8*stride+8:], stride, mode, &d2.e, haveTop, haveLeft, 10)
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("avail %b mode %d: sample (%d,%d) = %d, want %d", avail, mode, i%stride-8, i/stride-8, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestPred4x4 checks gatherEdge4 and pred4x4 against the generic
// gatherEdge and predNxN.
func TestPred4x4(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const stride = 16
	for iter := 0; iter < 200; iter++ {
		plane := make([]uint16, stride*12)
		for i := range plane {
			plane[i] = uint16(r.IntN(4096))
		}
		for avail := 0; avail < 16; avail++ {
			haveLeft, haveTop, haveTR, haveCorner := avail&1 != 0, avail&2 != 0, avail&4 != 0, avail&8 != 0
			for mode := 0; mode < 9; mode++ {
				var d1, d2 sliceDecoder
				want := append([]uint16(nil), plane...)
				got := append([]uint16(nil), plane...)
				d1.gatherEdge(want, stride, 4, 4, 4, haveLeft, haveTop, haveTR, haveCorner, 2048)
				predNxN(want[4*stride+4:], stride, 4, mode, &d1.e, haveTop, haveLeft, 12)
				d2.gatherEdge4(got, stride, 4, 4, haveLeft, haveTop, haveTR, haveCorner, 2048)
				if d1.e != d2.e {
					t.Fatalf("avail %b: edge\n got %v\nwant %v", avail, d2.e, d1.e)
				}
				pred4x4(got[4*stride+4:], stride, mode, &d2.e, haveTop, haveLeft, 12)
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("avail %b mode %d: sample (%d,%d) = %d, want %d", avail, mode, i%stride-4, i/stride-4, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestPred8x8Avail checks pred8x8Avail, the path for blocks whose left,
// top and top-left neighbours are all available, against gatherFilter8
// and pred8x8 for every mode, with and without the top-right samples, at
// bit depths 8 and 14.
func TestPred8x8Avail(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	const stride = 40
	for iter := 0; iter < 400; iter++ {
		bitDepth := 8
		if iter%2 == 1 {
			bitDepth = 14
		}
		plane := make([]uint16, stride*24)
		for i := range plane {
			plane[i] = uint16(r.IntN(1 << bitDepth))
			if iter%4 == 3 {
				plane[i] = uint16(1<<bitDepth - 1 - r.IntN(4)) // near the lane limits
			}
		}
		for _, haveTR := range []bool{false, true} {
			for mode := 0; mode < 9; mode++ {
				var d1, d2 sliceDecoder
				want := append([]uint16(nil), plane...)
				got := append([]uint16(nil), plane...)
				d1.gatherFilter8(want, stride, 8, 8, true, true, haveTR, true, 1<<(bitDepth-1))
				pred8x8(want[8*stride+8:], stride, mode, &d1.e, true, true, bitDepth)
				d2.pred8x8Avail(got, stride, 8*stride+8, mode, haveTR)
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("iter %d TR %v mode %d: sample (%d,%d) = %d, want %d", iter, haveTR, mode, i%stride-8, i/stride-8, got[i], want[i])
					}
				}
			}
		}
	}
}
