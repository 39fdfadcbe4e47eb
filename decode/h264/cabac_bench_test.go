package h264

import (
	"math/rand/v2"
	"testing"
)

// benchSlice is a synthetic slice of residual blocks whose statistics
// resemble a 1080p intra picture at QP ~26: most 4x4 blocks hold a few
// levels near the start of the scan, mostly +-1, with rare escapes.
type benchBlock struct {
	cat, n, inc int
}

func makeBenchSlice(nblocks int) (data []byte, blocks []benchBlock, bins int) {
	r := rand.New(rand.NewPCG(42, 42))
	var d cabac
	d.initContexts(26, -1)
	var e testEncoder
	e.ctx = d.ctx
	e.initEngine()
	for i := 0; i < nblocks; i++ {
		b := benchBlock{cat: 2, n: 16, inc: r.IntN(4)}
		switch x := r.IntN(20); {
		case x < 2:
			b = benchBlock{cat: 5, n: 64, inc: -1}
		case x < 4:
			b = benchBlock{cat: 4, n: 15, inc: r.IntN(4)}
		case x < 5:
			b = benchBlock{cat: 3, n: 4, inc: r.IntN(4)}
		}
		lv := make([]int32, b.n)
		coded := b.inc < 0 || r.IntN(10) < 7
		if coded {
			scale := 3.0 / float64(b.n)
			if b.n == 64 {
				scale = 10.0 / 64
			}
			for j := range lv {
				if r.Float64() < 0.8-float64(j)*scale*0.25 {
					a := int32(1)
					switch x := r.IntN(100); {
					case x < 20:
						a = 2 + r.Int32N(3)
					case x < 23:
						a = 5 + r.Int32N(40)
					}
					if r.IntN(2) == 0 {
						a = -a
					}
					lv[j] = a
				}
			}
			if b.inc < 0 {
				lv[0] |= 1
			}
		}
		e.encResidual(lv, b.cat, b.inc)
		blocks = append(blocks, b)
	}
	e.terminate(1)
	return e.finishSlice(), blocks, e.nbins
}

// BenchmarkCABACResidual decodes the synthetic slice with residualBlock.
func BenchmarkCABACResidual(b *testing.B) {
	data, blocks, bins := makeBenchSlice(20000)
	var d cabac
	coef := make([]int32, 64)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		d.initContexts(26, -1)
		d.start(data, 0)
		for _, bl := range blocks {
			d.residualBlock(coef, bl.cat, bl.n, bl.inc)
		}
		if !d.decodeTerminate() || d.err != nil {
			b.Fatal("slice did not end at its stop bit", d.err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(bins), "ns/bin")
}
