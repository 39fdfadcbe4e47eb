package h264

import (
	"testing"
)

// FuzzCABAC feeds arbitrary bytes to the arithmetic decoding engine and
// decodes a mix of I-slice syntax elements and residual blocks of every
// ctxBlockCat from them. It checks that decoding ends (the element count is
// bounded, and data past the end reads as zeros), never panics, and that the
// decoded values stay in their ranges.
func FuzzCABAC(f *testing.F) {
	f.Add([]byte{26, 0x00, 0x00, 0x00, 0x00})
	f.Add([]byte{51, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Add([]byte{0, 0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0, 0x11, 0x22, 0x33})
	// A slice written by the §9.3.4 test encoder: residual blocks with
	// escapes, so the fuzzer starts from valid arithmetic-coded data.
	var e testEncoder
	var d cabac
	d.initContexts(30, -1)
	e.ctx = d.ctx
	e.initEngine()
	e.encResidual([]int32{5, -1, 0, 0, 300, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}, 2, 1)
	e.encResidual([]int32{-70000, 0, 1, 1}, 3, 0)
	e.terminate(1)
	f.Add(append([]byte{30}, e.finishSlice()...))

	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		var c cabac
		c.initContexts(int(data[0])%52, int(data[0]>>6)-1)
		c.start(data, 1)
		coef := make([]int32, 64)
		sizes := [14]int{16, 15, 16, 4, 15, 64, 16, 15, 16, 64, 16, 15, 16, 64}
		for i := 0; i < 400; i++ {
			if t := c.mbTypeI(i % 3); t < 0 || t > 25 {
				panic("mb_type out of range")
			} else if t == mbTypeIPCM {
				p := c.pcmPos()
				if p < 0 || p > len(data) {
					panic("pcmPos out of range")
				}
				c.start(data, min(p+384, len(data)))
			}
			if cbp := c.codedBlockPattern(i&0x2F, (i*7)&0x2F, i&1 == 0); cbp < 0 || cbp > 47 {
				panic("coded_block_pattern out of range")
			}
			if v := c.mbQpDelta(i&1 == 1); v < -MaxMbQpDeltaBins || v > MaxMbQpDeltaBins {
				panic("mb_qp_delta out of range")
			}
			var rem [16]int8
			c.intraPredModes(4+12*(i&1), &rem)
			for _, r := range rem {
				if r < -1 || r > 7 {
					panic("rem_intra_pred_mode out of range")
				}
			}
			cat := i % 14
			n := sizes[cat]
			if cat == 3 && i&16 != 0 {
				n = 8
			}
			inc := i % 4
			if cat == 5 && i&32 != 0 {
				inc = -1
			}
			if nz := c.residualBlock(coef, cat, n, inc); nz < 0 || nz > n {
				panic("residual count out of range")
			}
			if c.decodeTerminate() {
				return
			}
		}
	})
}
