package h264

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// Round trips of every syntax element decoded by cabac_se.go and
// cabac_residual.go: each value is binarised here as §9.3.2 describes, with
// the ctxIdx of §9.3.3.1, encoded by the §9.3.4 test encoder of
// cabac_test.go, and decoded by the method under test.

func (e *testEncoder) encMbTypeI(inc, t int) {
	if t == 0 { // I_NxN: "0"
		e.decision(3+inc, 0)
		return
	}
	e.decision(3+inc, 1)
	if t == 25 { // I_PCM: "1" then terminate 1 (the caller flushes)
		e.terminate(1)
		return
	}
	e.terminate(0)
	// Table 7-11: mb_type 1..24 = 1 + predMode + 4*chroma + 12*(luma != 0).
	pred, chroma, luma := (t-1)%4, (t-1)/4%3, (t-1)/12
	e.decision(3+3, uint(luma))
	e.decision(3+4, b2u(chroma != 0))
	if chroma != 0 {
		e.decision(3+5, b2u(chroma == 2))
	}
	e.decision(3+6, uint(pred>>1))
	e.decision(3+7, uint(pred&1))
}

func (e *testEncoder) encChromaPred(inc, v int) {
	// TU, cMax 3: v ones then a zero unless v == 3.
	for b := 0; b < 3; b++ {
		ctx := 64 + 3
		if b == 0 {
			ctx = 64 + inc
		}
		if b == v {
			e.decision(ctx, 0)
			return
		}
		e.decision(ctx, 1)
	}
}

func (e *testEncoder) encRemIntra(v int) {
	for b := 0; b < 3; b++ { // FL, cMax 7, least significant bit first
		e.decision(69, uint(v>>b&1))
	}
}

// encCBP follows §9.3.3.1.1.4 with the 8x8 blocks located geometrically:
// block b8 is at (b8%2, b8/2); its left/top neighbour is in this macroblock
// or in mbAddrA/mbAddrB.
func (e *testEncoder) encCBP(cbpA, cbpB, cbp int, chroma bool) {
	for b8 := 0; b8 < 4; b8++ {
		x, y := b8%2, b8/2
		var bitA, bitB int
		if x == 0 {
			bitA = cbpA >> (y*2 + 1) & 1
		} else {
			bitA = cbp >> (y * 2) & 1 // already coded bin
		}
		if y == 0 {
			bitB = cbpB >> (2 + x) & 1
		} else {
			bitB = cbp >> x & 1
		}
		inc := 0
		if bitA == 0 {
			inc++
		}
		if bitB == 0 {
			inc += 2
		}
		e.decision(73+inc, uint(cbp>>b8&1))
	}
	if !chroma {
		return
	}
	c, ca, cb := cbp>>4, cbpA>>4&3, cbpB>>4&3
	inc := int(b2u(ca != 0) + 2*b2u(cb != 0))
	e.decision(77+inc, b2u(c != 0))
	if c != 0 {
		inc = 4 + int(b2u(ca == 2)+2*b2u(cb == 2))
		e.decision(77+inc, b2u(c == 2))
	}
}

func (e *testEncoder) encQpDelta(prevNonZero bool, v int) {
	// Table 9-3: v > 0 -> 2v-1, v <= 0 -> -2v; then unary.
	k := -2 * v
	if v > 0 {
		k = 2*v - 1
	}
	for b := 0; b <= k; b++ {
		ctx := 60 + 3
		switch b {
		case 0:
			ctx = 60 + int(b2u(prevNonZero))
		case 1:
			ctx = 60 + 2
		}
		e.decision(ctx, b2u(b < k))
	}
}

func b2u(b bool) uint {
	if b {
		return 1
	}
	return 0
}

// Residual contexts, written out from Table 9-34 (ctxIdxOffset by syntax
// element, ctxBlockCat range and frame/field coding) and Table 9-40
// (ctxIdxBlockCatOffset).
func testResidualCtx(cat int, field bool) (cbf, sig, last, abs int) {
	catOffCBF := [14]int{0, 4, 8, 12, 16, 0, 0, 4, 8, 4, 0, 4, 8, 8}
	catOffSig := [14]int{0, 15, 29, 44, 47, 0, 0, 15, 29, 0, 0, 15, 29, 0}
	catOffAbs := [14]int{0, 10, 20, 30, 39, 0, 0, 10, 20, 0, 0, 10, 20, 0}
	switch {
	case cat < 5:
		cbf, sig, last, abs = 85, 105, 166, 227
	case cat == 5:
		cbf, sig, last, abs = 1012, 402, 417, 426
	case cat < 9:
		cbf, sig, last, abs = 460, 484, 572, 952
	case cat == 9:
		cbf, sig, last, abs = 1012, 660, 690, 708
	case cat < 13:
		cbf, sig, last, abs = 472, 528, 616, 982
	default:
		cbf, sig, last, abs = 1012, 718, 748, 766
	}
	if field {
		switch {
		case cat < 5:
			sig, last = 277, 338
		case cat == 5:
			sig, last = 436, 451
		case cat < 9:
			sig, last = 776, 864
		case cat == 9:
			sig, last = 675, 699
		case cat < 13:
			sig, last = 820, 908
		default:
			sig, last = 733, 757
		}
	}
	return cbf + catOffCBF[cat], sig + catOffSig[cat], last + catOffSig[cat], abs + catOffAbs[cat]
}

// encResidual writes residual_block_cabac (§7.3.5.3.3) for levels.
func (e *testEncoder) encResidual(levels []int32, cat, cbfInc int) {
	cbfCtx, sigCtx, lastCtx, absCtx := testResidualCtx(cat, e.field)
	n := len(levels)
	lastNZ := -1
	for i, v := range levels {
		if v != 0 {
			lastNZ = i
		}
	}
	if cbfInc >= 0 {
		e.decision(cbfCtx+cbfInc, b2u(lastNZ >= 0))
		if lastNZ < 0 {
			return
		}
	}
	is8x8 := cat == 5 || cat == 9 || cat == 13
	for i := 0; i < n-1; i++ {
		sInc, lInc := i, i
		switch {
		case is8x8 && e.field:
			sInc, lInc = int(sigCoeffFlagInc8x8Field[i]), int(lastCoeffFlagInc8x8[i])
		case is8x8:
			sInc, lInc = int(sigCoeffFlagInc8x8[i]), int(lastCoeffFlagInc8x8[i])
		case cat == 3:
			numC8x8 := n / 4
			sInc = min(i/numC8x8, 2)
			lInc = sInc
		}
		e.decision(sigCtx+sInc, b2u(levels[i] != 0))
		if levels[i] != 0 {
			e.decision(lastCtx+lInc, b2u(i == lastNZ))
			if i == lastNZ {
				break
			}
		}
	}
	gt1, eq1 := 0, 0
	for i := lastNZ; i >= 0; i-- {
		v := levels[i]
		if v == 0 {
			continue
		}
		a := int(v)
		if a < 0 {
			a = -a
		}
		m1 := a - 1
		// UEG0, uCoff 14: TU prefix of Min(m1, 14), then EG0 of m1-14.
		for b := 0; b < 14; b++ {
			inc := 5 + min(gt1, 4-int(b2u(cat == 3)))
			if b == 0 {
				inc = 0
				if gt1 == 0 {
					inc = min(4, 1+eq1)
				}
			}
			if b == m1 {
				e.decision(absCtx+inc, 0)
				break
			}
			e.decision(absCtx+inc, 1)
		}
		if m1 >= 14 {
			s, k := m1-14, 0
			for s >= 1<<k {
				e.bypass(1)
				s -= 1 << k
				k++
			}
			e.bypass(0)
			for k--; k >= 0; k-- {
				e.bypass(uint(s >> k & 1))
			}
		}
		e.bypass(b2u(v < 0))
		if a == 1 {
			eq1++
		} else {
			gt1++
		}
	}
}

// seOp is one syntax element of the random slice.
type seOp struct {
	kind       int
	inc, a, b  int
	flag       bool
	cat, nCoef int
	levels     []int32
}

func randomLevels(r *rand.Rand, n int, mustCode bool) []int32 {
	lv := make([]int32, n)
	density := r.Float64()
	for i := range lv {
		if r.Float64() < density {
			var a int32
			switch x := r.IntN(10); {
			case x < 6:
				a = 1
			case x < 9:
				a = 2 + r.Int32N(14)
			default:
				a = 16 + r.Int32N(1<<uint(r.IntN(17)))
			}
			if r.IntN(2) == 0 {
				a = -a
			}
			lv[i] = a
		}
	}
	if mustCode && lv[n-1] == 0 && r.IntN(2) == 0 {
		lv[r.IntN(n)] = 1
	}
	if mustCode {
		nz := false
		for _, v := range lv {
			nz = nz || v != 0
		}
		if !nz {
			lv[r.IntN(n)] = -3
		}
	}
	return lv
}

var catSizes = [14][]int{{16}, {15}, {16}, {4, 8}, {15}, {64}, {16}, {15}, {16}, {64}, {16}, {15}, {16}, {64}}

func randomSE(r *rand.Rand) seOp {
	o := seOp{kind: r.IntN(9)}
	switch o.kind {
	case 8: // the prev/rem intra pred mode pairs of a macroblock
		o.nCoef = 4 + 12*r.IntN(2)
		o.levels = make([]int32, o.nCoef)
		for i := range o.levels {
			o.levels[i] = -1
			if r.IntN(3) == 0 {
				o.levels[i] = r.Int32N(8)
			}
		}
	case 0: // mb_type
		o.inc = r.IntN(3)
		o.a = r.IntN(25) // 0..24 (I_PCM ends the engine; TestCABACPCM covers it)
	case 1:
		o.inc = r.IntN(3)
		o.flag = r.IntN(2) == 0
	case 2:
		o.flag = r.IntN(3) == 0
		o.a = r.IntN(8)
	case 3:
		o.inc = r.IntN(3)
		o.a = r.IntN(4)
	case 4:
		cbps := []int{0x0F, 0x2F, 0, 0x1F, 0x25}
		o.a = cbps[r.IntN(len(cbps))]
		if r.IntN(2) == 0 {
			o.a = r.IntN(48)
		}
		o.b = r.IntN(48)
		o.flag = r.IntN(4) != 0
		o.nCoef = r.IntN(16)
		if o.flag {
			o.nCoef |= r.IntN(3) << 4
		}
	case 5:
		o.flag = r.IntN(2) == 0
		o.a = r.IntN(2*MaxMbQpDeltaBins/2) - MaxMbQpDeltaBins/2
	default:
		o.cat = r.IntN(14)
		sizes := catSizes[o.cat]
		o.nCoef = sizes[r.IntN(len(sizes))]
		o.inc = r.IntN(4)
		if (o.cat == 5) && r.IntN(2) == 0 {
			o.inc = -1
		}
		coded := o.inc < 0 || r.IntN(5) != 0
		if coded {
			o.levels = randomLevels(r, o.nCoef, true)
		} else {
			o.levels = make([]int32, o.nCoef)
		}
	}
	return o
}

func TestCABACSyntaxElementsRoundTrip(t *testing.T) {
	for seed := uint64(1); seed <= 300; seed++ {
		r := rand.New(rand.NewPCG(seed, 3))
		ops := make([]seOp, 1+r.IntN(150))
		for i := range ops {
			ops[i] = randomSE(r)
		}
		qp := r.IntN(52)
		var d cabac
		d.initContexts(qp, -1)
		var e testEncoder
		e.ctx = d.ctx
		// Every third slice is field coded (Table 9-34's field ctxIdx).
		e.field = seed%3 == 0
		d.field = e.field
		e.initEngine()
		for _, o := range ops {
			switch o.kind {
			case 0:
				e.encMbTypeI(o.inc, o.a)
			case 1:
				e.decision(399+o.inc, b2u(o.flag))
			case 2:
				e.decision(68, b2u(o.flag))
				if !o.flag {
					e.encRemIntra(o.a)
				}
			case 3:
				e.encChromaPred(o.inc, o.a)
			case 4:
				e.encCBP(o.a, o.b, o.nCoef, o.flag)
			case 5:
				e.encQpDelta(o.flag, o.a)
			case 8:
				for _, v := range o.levels {
					e.decision(68, b2u(v < 0))
					if v >= 0 {
						e.encRemIntra(int(v))
					}
				}
			default:
				e.encResidual(o.levels, o.cat, o.inc)
			}
			e.terminate(0) // end_of_slice_flag between the elements
		}
		e.terminate(1)
		data := e.finishSlice()

		d.start(data, 0)
		coef := make([]int32, 64)
		for i, o := range ops {
			var got, want string
			switch o.kind {
			case 0:
				got, want = fmt.Sprint(d.mbTypeI(o.inc)), fmt.Sprint(o.a)
			case 1:
				got, want = fmt.Sprint(d.transformSize8x8Flag(o.inc)), fmt.Sprint(o.flag)
			case 2:
				f := d.prevIntraPredModeFlag()
				got, want = fmt.Sprint(f), fmt.Sprint(o.flag)
				if !f && !o.flag {
					got, want = fmt.Sprint(d.remIntraPredMode()), fmt.Sprint(o.a)
				}
			case 3:
				got, want = fmt.Sprint(d.intraChromaPredMode(o.inc)), fmt.Sprint(o.a)
			case 4:
				got, want = fmt.Sprint(d.codedBlockPattern(o.a, o.b, o.flag)), fmt.Sprint(o.nCoef)
			case 5:
				got, want = fmt.Sprint(d.mbQpDelta(o.flag)), fmt.Sprint(o.a)
			case 8:
				rem := [16]int8{0: 99, 4: 99, 15: 99}
				d.intraPredModes(o.nCoef, &rem)
				got, want = fmt.Sprint(rem[:o.nCoef], rem[o.nCoef%16]), fmt.Sprint(o.levels, 99)
				if o.nCoef == 16 {
					want = fmt.Sprint(o.levels, o.levels[0])
				}
			default:
				for j := range coef {
					coef[j] = 99 // must be overwritten
				}
				n := d.residualBlock(coef, o.cat, o.nCoef, o.inc)
				nz := 0
				for _, v := range o.levels {
					if v != 0 {
						nz++
					}
				}
				got = fmt.Sprint(n, coef[:o.nCoef])
				want = fmt.Sprint(nz, o.levels)
				if coef[o.nCoef%64] != 99 && o.nCoef < 64 {
					got += " (wrote past maxNumCoeff)"
				}
			}
			if got != want {
				t.Fatalf("seed %d element %d (kind %d, %+v):\n got %s\nwant %s", seed, i, o.kind, o, got, want)
			}
			if d.decodeTerminate() {
				t.Fatalf("seed %d element %d: early end of slice", seed, i)
			}
		}
		if !d.decodeTerminate() || d.err != nil {
			t.Fatalf("seed %d: end of slice: err %v", seed, d.err)
		}
		if d.ctx != e.ctx {
			t.Fatalf("seed %d: context states differ from the encoder's", seed)
		}
	}
}

// TestCABACResidualBadArgs checks the argument guards of residualBlock.
func TestCABACResidualBadArgs(t *testing.T) {
	var d cabac
	d.initContexts(26, -1)
	d.start([]byte{0, 0, 0, 0}, 0)
	coef := make([]int32, 16)
	for _, tc := range []struct{ cat, n int }{{14, 16}, {-1, 16}, {2, 0}, {2, 65}, {5, 64}} {
		d.err = nil
		if n := d.residualBlock(coef, tc.cat, tc.n, 0); n != 0 || d.err == nil {
			t.Errorf("cat %d maxNumCoeff %d: n %d err %v, want 0 and an error", tc.cat, tc.n, n, d.err)
		}
	}
}
