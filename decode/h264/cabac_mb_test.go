package h264

import (
	"math/rand/v2"
	"testing"
)

// randomNeighbour returns nil, an I_PCM macroblock or an intra macroblock
// with a random coded_block_pattern and random coefficient counts (zero
// where the pattern says the block is not coded, as the decoder leaves them).
func randomNeighbour(r *rand.Rand) *mbInfo {
	switch r.IntN(6) {
	case 0:
		return nil
	case 1:
		m := &mbInfo{mbType: mbTypeIPCM, cbp: 0x2F, cbfDC: 7}
		for k := range m.totalCoeff {
			m.totalCoeff[k] = 16
		}
		return m
	}
	m := &mbInfo{mbType: uint8(r.IntN(mbTypeIPCM)), cbp: uint8(r.IntN(48)), cbfDC: uint8(r.IntN(8))}
	for k := range m.totalCoeff {
		if k < 16 && m.cbp>>(k>>2)&1 == 0 || k >= 16 && k < 48 && m.cbp>>4 != 2 && r.IntN(2) == 0 {
			continue
		}
		if r.IntN(2) == 0 {
			m.totalCoeff[k] = uint8(1 + r.IntN(16))
		}
	}
	return m
}

// TestCABACCbfGrid checks the coded_block_flag ctxIdxInc of the bit grids
// (lumaCbfGrid, chromaCbfGrid, chromaDCCbfBits) against the per-block
// derivations (lumaCbfInc, chromaACCbfInc, chromaDCCbfInc) on random
// neighbourhoods, blocks decoded in order.
func TestCABACCbfGrid(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for trial := 0; trial < 20000; trial++ {
		nBlk := 4 + 4*r.IntN(2)
		d := &sliceDecoder{useCabac: true, pic: &picture{mbHeightC: 2 * nBlk}}
		d.mbA, d.mbB = randomNeighbour(r), randomNeighbour(r)
		cur := &mbInfo{}
		d.cur = cur
		for comp := 0; comp < 3; comp++ {
			base := 16 * comp
			g := d.lumaCbfGrid(base)
			for blk := 0; blk < 16; blk++ {
				p := lumaGridPos[blk]
				got := int(g>>(p-1)&1 + g>>(p-5)&1*2)
				if want := d.lumaCbfInc(base, blk); got != want {
					t.Fatalf("trial %d: luma comp %d blk %d: grid inc %d, lumaCbfInc %d", trial, comp, blk, got, want)
				}
				if r.IntN(2) == 0 {
					cur.totalCoeff[base+blk] = uint8(1 + r.IntN(16))
					g |= 1 << p
				}
			}
		}
		*cur = mbInfo{}
		fa, fb := chromaDCCbfBits(d.mbA), chromaDCCbfBits(d.mbB)
		for c := 0; c < 2; c++ {
			if got, want := int(fa>>c&1+fb>>c&1*2), d.chromaDCCbfInc(c); got != want {
				t.Fatalf("trial %d: chroma DC %d: grid inc %d, chromaDCCbfInc %d", trial, c, got, want)
			}
			base := 16 + 16*c
			g := d.chromaCbfGrid(base, nBlk)
			for blk := 0; blk < nBlk; blk++ {
				p := (blk>>1+1)*3 + blk&1 + 1
				got := int(g>>(p-1)&1 + g>>(p-3)&1*2)
				if want := d.chromaACCbfInc(c, blk); got != want {
					t.Fatalf("trial %d: chroma %d blk %d (nBlk %d): grid inc %d, chromaACCbfInc %d", trial, c, blk, nBlk, got, want)
				}
				if r.IntN(2) == 0 {
					cur.totalCoeff[base+blk] = uint8(1 + r.IntN(15))
					g |= 1 << p
				}
			}
		}
	}
}

// TestCABACChromaDC420 checks chromaDC420 against chromaDC on random levels
// and quantisers.
func TestCABACChromaDC420(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	var m scalingMatrix
	for i := range m.l4 {
		for k := range m.l4[i] {
			m.l4[i][k] = uint8(1 + r.IntN(255))
		}
	}
	var ls levelScale
	ls.init(&m)
	for trial := 0; trial < 20000; trial++ {
		d := &sliceDecoder{ls: &ls, pps: &pps{}, qpBdC: 6 * r.IntN(3), chromaArrayType: 1}
		d.qp = r.IntN(52+d.qpBdC) - d.qpBdC
		d.pps.ChromaQpIndexOffset = r.IntN(25) - 12
		d.pps.SecondChromaQpIndexOffset = r.IntN(25) - 12
		var lv [8]int32
		for i := 0; i < 4; i++ {
			if r.IntN(2) == 0 {
				lv[i] = r.Int32N(401) - 200
			}
		}
		for c := 0; c < 2; c++ {
			d.coefC, d.nzC = [2][8][16]int32{}, [2]uint8{}
			in := lv
			d.chromaDC(c, &in, 4)
			want, wantNZ := d.coefC, d.nzC
			d.coefC, d.nzC = [2][8][16]int32{}, [2]uint8{}
			in = lv
			d.chromaDC420(c, &in)
			if d.coefC != want || d.nzC != wantNZ {
				t.Fatalf("trial %d: chromaDC420 differs from chromaDC (qp %d, levels %v)", trial, d.qp, lv)
			}
		}
	}
}

// TestCABACIntraModes checks setIntraModes against predIntraMode (the
// per-block derivation of §8.3.1.1 and §8.3.2.1) on random neighbours and
// rem_intra_pred_mode values.
func TestCABACIntraModes(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 9))
	nb := func() *mbInfo {
		if r.IntN(4) == 0 {
			return nil
		}
		m := &mbInfo{}
		for k := range m.predModes {
			m.predModes[k] = int8(r.IntN(9))
		}
		return m
	}
	for trial := 0; trial < 20000; trial++ {
		d := &sliceDecoder{mbA: nb(), mbB: nb()}
		t8 := r.IntN(2) == 0
		var rem [16]int8
		for i := range rem {
			rem[i] = -1
			if r.IntN(2) == 0 {
				rem[i] = int8(r.IntN(8))
			}
		}
		want := &mbInfo{transform8x8: t8}
		d.cur = want
		step := 1 + 3*b2i(t8)
		for blk := 0; blk < 16; blk += step {
			mode := d.predIntraMode(blk)
			if r := int(rem[blk/step]); r >= 0 {
				if r < mode {
					mode = r
				} else {
					mode = r + 1
				}
			}
			for k := blk; k < blk+step; k++ {
				want.predModes[k] = int8(mode)
			}
		}
		got := &mbInfo{transform8x8: t8}
		d.cur = got
		d.setIntraModes(&rem)
		if got.predModes != want.predModes {
			t.Fatalf("trial %d (8x8 %v): setIntraModes %v, predIntraMode %v", trial, t8, got.predModes, want.predModes)
		}
	}
}

// TestCABACChromaACBlocks checks chromaACBlocks against residual and
// scatter4 block by block (the coded_block_flag ctxIdxInc from the grid,
// as residualChroma derives it) on random slice data, quantisers and
// scaling lists, lossless macroblocks included: the same levels, counts,
// context states and engine.
func TestCABACChromaACBlocks(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 23))
	var m scalingMatrix
	for i := range m.l4 {
		for k := range m.l4[i] {
			m.l4[i][k] = uint8(1 + r.IntN(255))
		}
	}
	var ls levelScale
	ls.init(&m)
	data := make([]byte, 64)
	for trial := 0; trial < 5000; trial++ {
		for i := range data {
			data[i] = byte(r.Uint32())
			if r.IntN(3) == 0 {
				data[i] = 0
			}
		}
		d := &sliceDecoder{ls: &ls, bypass: r.IntN(8) == 0}
		d.cabac.initContexts(r.IntN(52), -1)
		d.cabac.start(data, 0)
		nBlk := 4 + 4*r.IntN(2)
		g0 := uint32(r.IntN(1 << 15))
		qp := r.IntN(52 + 36)
		lsp := &ls.ls4[1+r.IntN(2)][qp%6]

		// The general path.
		want := d.cabac
		var wantTC [8]uint8
		var wantCoef [8][16]int32
		var wantMask uint8
		g := g0
		for blk := 0; blk < nBlk; blk++ {
			p := (blk>>1+1)*3 + blk&1 + 1
			n := want.residual(4, 15, int(g>>(p-1)&1+g>>(p-3)&1*2))
			wantTC[blk] = uint8(n)
			if n > 0 {
				g |= 1 << p
				wantMask |= 1 << blk
				d.cabac.sigPos, d.cabac.sigVals = want.sigPos, want.sigVals
				d.scatter4(&wantCoef[blk], n, 1, lsp, qp)
			}
		}

		got := &d.cabac
		var gotTC [8]uint8
		var gotCoef [8][16]int32
		l := lsp
		if d.bypass {
			l = &ones
		}
		gotMask := got.chromaACBlocks(g0, nBlk, &gotTC, &gotCoef, l, d.newDequant4(qp))
		if gotMask != wantMask || gotTC != wantTC || gotCoef != wantCoef || got.ctx != want.ctx || got.e != want.e || got.pos != want.pos || (got.err == nil) != (want.err == nil) {
			t.Fatalf("trial %d (nBlk %d, qp %d, bypass %v): chromaACBlocks mask %b counts %v, residual+scatter4 mask %b counts %v; coefficients equal %v, contexts equal %v, engine %v vs %v",
				trial, nBlk, qp, d.bypass, gotMask, gotTC, wantMask, wantTC, gotCoef == wantCoef, got.ctx == want.ctx, got.e, want.e)
		}
	}
}
