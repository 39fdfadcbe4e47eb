package h264

import (
	"math/rand/v2"
	"testing"
)

// pred16x16Ref is Intra_16x16 prediction (§8.3.3) sample by sample, as
// the standard writes it.
func pred16x16Ref(dst []uint16, stride, mode int, top, left *[16]int32, corner int32, haveTop, haveLeft bool, bitDepth int) {
	maxV := int32(1)<<bitDepth - 1
	for y := 0; y < 16; y++ {
		for x := 0; x < 16; x++ {
			var v int32
			switch mode {
			case 0:
				v = top[x]
			case 1:
				v = left[y]
			case 2:
				var s int32
				switch {
				case haveTop && haveLeft:
					for i := 0; i < 16; i++ {
						s += top[i] + left[i]
					}
					v = (s + 16) >> 5
				case haveLeft:
					for i := 0; i < 16; i++ {
						s += left[i]
					}
					v = (s + 8) >> 4
				case haveTop:
					for i := 0; i < 16; i++ {
						s += top[i]
					}
					v = (s + 8) >> 4
				default:
					v = 1 << (bitDepth - 1)
				}
			default:
				p := func(x, y int) int32 { // p[x,-1], p[-1,y], p[-1,-1]
					switch {
					case x < 0 && y < 0:
						return corner
					case y < 0:
						return top[x]
					}
					return left[y]
				}
				var h, vv int32
				for i := 0; i <= 7; i++ {
					h += int32(i+1) * (p(8+i, -1) - p(6-i, -1))
					vv += int32(i+1) * (p(-1, 8+i) - p(-1, 6-i))
				}
				a := 16 * (p(-1, 15) + p(15, -1))
				b := (5*h + 32) >> 6
				c := (5*vv + 32) >> 6
				v = clip(0, maxV, (a+b*int32(x-7)+c*int32(y-7)+16)>>5)
			}
			dst[y*stride+x] = uint16(v)
		}
	}
}

// TestPred16x16 checks pred16x16 against pred16x16Ref for every mode and
// neighbour availability.
func TestPred16x16(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	const stride = 20
	for iter := 0; iter < 2000; iter++ {
		bitDepth := 8 + r.IntN(7)
		var top, left [16]int32
		for i := range top {
			top[i] = int32(r.IntN(1 << bitDepth))
			left[i] = int32(r.IntN(1 << bitDepth))
		}
		corner := int32(r.IntN(1 << bitDepth))
		mode := iter % 4
		haveTop, haveLeft := r.IntN(2) == 0, r.IntN(2) == 0
		plane := make([]uint16, stride*18)
		for i := range plane {
			plane[i] = uint16(r.IntN(1 << bitDepth))
		}
		want := append([]uint16(nil), plane...)
		got := append([]uint16(nil), plane...)
		pred16x16Ref(want[stride+2:], stride, mode, &top, &left, corner, haveTop, haveLeft, bitDepth)
		pred16x16(got[stride+2:], stride, mode, &top, &left, corner, haveTop, haveLeft, bitDepth)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("iter %d mode %d: sample %d = %d, want %d", iter, mode, i, got[i], want[i])
			}
		}
	}
}
