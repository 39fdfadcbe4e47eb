package h264

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// This file tests the CABAC decoder against an arithmetic ENCODER written
// here from the informative encoding process of §9.3.4 (EncodeDecision,
// EncodeBypass, EncodeTerminate, EncodeFlush, RenormE, PutBit), with the
// binarisations written from §9.3.2 and the syntax of §7.3.5.

// testEncoder is the CABAC encoding engine of §9.3.4 and a bit writer.
type testEncoder struct {
	low, rng    uint32 // codILow, codIRange
	outstanding int    // bitsOutstanding
	firstBit    bool   // firstBitFlag
	out         []byte
	cur         byte
	nbits       int
	ctx         [1024]uint8 // pStateIdx<<1 | valMPS, as the decoder's
	nbins       int         // bins encoded (for benchmark figures)
	field       bool        // residual blocks use the field coded contexts
}

// initEngine is InitEncoder (§9.3.4.1).
func (e *testEncoder) initEngine() {
	e.low, e.rng, e.outstanding, e.firstBit = 0, 510, 0, true
}

func (e *testEncoder) writeBit(b uint32) {
	e.cur = e.cur<<1 | byte(b&1)
	e.nbits++
	if e.nbits == 8 {
		e.out = append(e.out, e.cur)
		e.cur, e.nbits = 0, 0
	}
}

// alignZero writes zero bits to the next byte boundary
// (pcm_alignment_zero_bit, rbsp_alignment_zero_bit).
func (e *testEncoder) alignZero() {
	for e.nbits != 0 {
		e.writeBit(0)
	}
}

// putBit is PutBit (§9.3.4.2, Figure 9-8).
func (e *testEncoder) putBit(b uint32) {
	if e.firstBit {
		e.firstBit = false
	} else {
		e.writeBit(b)
	}
	for ; e.outstanding > 0; e.outstanding-- {
		e.writeBit(1 - b)
	}
}

// renorm is RenormE (§9.3.4.2, Figure 9-7).
func (e *testEncoder) renorm() {
	for e.rng < 256 {
		switch {
		case e.low < 256:
			e.putBit(0)
		case e.low >= 512:
			e.low -= 512
			e.putBit(1)
		default:
			e.low -= 256
			e.outstanding++
		}
		e.rng <<= 1
		e.low <<= 1
	}
}

// decision is EncodeDecision (§9.3.4.2, Figure 9-6).
func (e *testEncoder) decision(ctxIdx int, bin uint) {
	e.nbins++
	p, mps := e.ctx[ctxIdx]>>1, uint(e.ctx[ctxIdx]&1)
	lps := uint32(rangeTabLPS[p][(e.rng>>6)&3])
	e.rng -= lps
	if bin != mps {
		e.low += e.rng
		e.rng = lps
		if p == 0 {
			mps = 1 - mps
		}
		p = transIdxLPS[p]
	} else if p < 62 {
		p++
	}
	e.ctx[ctxIdx] = p<<1 | uint8(mps)
	e.renorm()
}

// bypass is EncodeBypass (§9.3.4.4, Figure 9-10).
func (e *testEncoder) bypass(bin uint) {
	e.nbins++
	e.low <<= 1
	if bin != 0 {
		e.low += e.rng
	}
	switch {
	case e.low >= 1024:
		e.putBit(1)
		e.low -= 1024
	case e.low < 512:
		e.putBit(0)
	default:
		e.low -= 512
		e.outstanding++
	}
}

// terminate is EncodeTerminate with EncodeFlush (§9.3.4.5, Figures 9-11,
// 9-12). After a 1 the last bit written is the rbsp_stop_one_bit (or the
// bit before pcm_alignment_zero_bit).
func (e *testEncoder) terminate(bin uint) {
	e.nbins++
	e.rng -= 2
	if bin == 0 {
		e.renorm()
		return
	}
	e.low += e.rng
	e.rng = 2
	e.renorm()
	e.putBit(e.low >> 9 & 1)
	// WriteBits(((codILow >> 7) & 3) | 1, 2)
	e.writeBit(e.low >> 8 & 1)
	e.writeBit(1)
}

// finishSlice ends the slice after end_of_slice_flag = 1: the stop bit was
// written by terminate, alignment zero bits follow.
func (e *testEncoder) finishSlice() []byte {
	e.alignZero()
	return e.out
}

// op is one bin of a random engine test.
type op struct {
	kind int // 0 decision, 1 bypass, 2 terminate (0)
	ctx  int
	bin  uint
}

func randomOps(r *rand.Rand, n int) []op {
	ops := make([]op, n)
	// A skewed source per context makes long MPS runs and rare LPS, like
	// real data, and also exercises the low-probability states.
	var bias [16]float64
	for i := range bias {
		bias[i] = r.Float64()
	}
	for i := range ops {
		switch k := r.IntN(20); {
		case k < 15:
			c := r.IntN(16)
			var b uint
			if r.Float64() < bias[c] {
				b = 1
			}
			ops[i] = op{0, 100 + c, b}
		case k < 19:
			ops[i] = op{1, 0, uint(r.IntN(2))}
		default:
			ops[i] = op{2, 0, 0}
		}
	}
	return ops
}

func TestCABACEngineRoundTrip(t *testing.T) {
	for seed := uint64(1); seed <= 200; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		ops := randomOps(r, 1+r.IntN(3000))
		var e testEncoder
		var states [1024]uint8
		for i := range states {
			states[i] = uint8(r.IntN(126)) // pStateIdx 0..62, either valMPS
		}
		e.ctx = states
		prefix := []byte{0x25, 0xB8, 0x00} // slice header bytes before the CABAC data
		e.out = append(e.out, prefix...)
		e.initEngine()
		for _, o := range ops {
			switch o.kind {
			case 0:
				e.decision(o.ctx, o.bin)
			case 1:
				e.bypass(o.bin)
			case 2:
				e.terminate(0)
			}
		}
		e.terminate(1)
		data := e.finishSlice()

		var d cabac
		d.ctx = states
		d.start(data, len(prefix))
		for i, o := range ops {
			var got uint
			switch o.kind {
			case 0:
				got = d.decision(&d.ctx[o.ctx])
			case 1:
				got = d.bypass()
			case 2:
				if d.decodeTerminate() {
					got = 1
				}
			}
			if got != o.bin {
				t.Fatalf("seed %d: bin %d (kind %d ctx %d): got %d, want %d", seed, i, o.kind, o.ctx, got, o.bin)
			}
		}
		if !d.decodeTerminate() {
			t.Fatalf("seed %d: end_of_slice_flag not 1", seed)
		}
		if d.err != nil {
			t.Fatalf("seed %d: err %v", seed, d.err)
		}
		if d.ctx != e.ctx {
			t.Fatalf("seed %d: context states differ from the encoder's", seed)
		}
		// The stop bit is the last bit read: the next byte boundary is the end.
		if p := d.pcmPos(); p != len(data) {
			t.Fatalf("seed %d: position after the stop bit %d, want %d", seed, p, len(data))
		}
	}
}

// TestCABACPCM checks the engine around an I_PCM macroblock: pcmPos after
// the terminating bin, and re-initialisation after the samples (§9.3.1.2).
func TestCABACPCM(t *testing.T) {
	for seed := uint64(1); seed <= 50; seed++ {
		r := rand.New(rand.NewPCG(seed, 9))
		before, after := randomOps(r, r.IntN(200)), randomOps(r, r.IntN(200))
		pcm := make([]byte, 1+r.IntN(400))
		for i := range pcm {
			pcm[i] = byte(r.IntN(256))
		}
		var e testEncoder
		e.initEngine()
		run := func(ops []op) {
			for _, o := range ops {
				switch o.kind {
				case 0:
					e.decision(o.ctx, o.bin)
				case 1:
					e.bypass(o.bin)
				case 2:
					e.terminate(0)
				}
			}
		}
		start := e.ctx
		run(before)
		e.terminate(1) // mb_type I_PCM
		e.alignZero()
		pcmAt := len(e.out)
		e.out = append(e.out, pcm...)
		e.initEngine()
		run(after)
		e.terminate(1)
		data := e.finishSlice()

		var d cabac
		d.ctx = start
		d.start(data, 0)
		check := func(ops []op) {
			for i, o := range ops {
				var got uint
				switch o.kind {
				case 0:
					got = d.decision(&d.ctx[o.ctx])
				case 1:
					got = d.bypass()
				case 2:
					if d.decodeTerminate() {
						got = 1
					}
				}
				if got != o.bin {
					t.Fatalf("seed %d: bin %d: got %d, want %d", seed, i, got, o.bin)
				}
			}
		}
		check(before)
		if !d.decodeTerminate() {
			t.Fatalf("seed %d: I_PCM bin not 1", seed)
		}
		p := d.pcmPos()
		if p != pcmAt {
			t.Fatalf("seed %d: pcmPos %d, want %d", seed, p, pcmAt)
		}
		if !bytes.Equal(data[p:p+len(pcm)], pcm) {
			t.Fatalf("seed %d: pcm samples differ", seed)
		}
		d.start(data, p+len(pcm))
		check(after)
		if !d.decodeTerminate() || d.err != nil {
			t.Fatalf("seed %d: end of slice: err %v", seed, d.err)
		}
	}
}

// TestCABACOverrun checks that running past the end of the data sets the
// sticky error and that decoding still terminates.
func TestCABACOverrun(t *testing.T) {
	var d cabac
	d.initContexts(26, -1)
	d.start([]byte{0x12, 0x34}, 0)
	for i := 0; i < 1000; i++ {
		d.bypass()
	}
	d.decodeTerminate() // the overrun check runs once per macroblock
	if d.err == nil {
		t.Fatal("1000 bypass bins from 2 bytes: no error")
	}
	// A complete slice that fits its data has no error, even though the
	// engine loads bytes ahead of what it reads.
	var e testEncoder
	e.initEngine()
	e.bypass(1)
	e.terminate(1)
	data := e.finishSlice()
	d.initContexts(26, -1)
	d.start(data, 0)
	if d.bypass() != 1 || !d.decodeTerminate() || d.err != nil {
		t.Fatalf("short slice %x: err %v", data, d.err)
	}
	// The same slice cut before its stop bit is an overrun.
	d.initContexts(26, -1)
	d.start(data[:len(data)-1], 0)
	d.bypass()
	d.decodeTerminate()
	if len(data) > 1 && d.err == nil {
		t.Fatalf("slice %x cut to %d bytes: no error", data, len(data)-1)
	}
	// Start past the end.
	d = cabac{}
	d.start(data, len(data)+1)
	if d.err == nil {
		t.Fatal("start past the end: no error")
	}
	// codIOffset 510/511 is forbidden.
	d = cabac{}
	d.start([]byte{0xFF, 0x80}, 0)
	if d.err == nil {
		t.Fatal("codIOffset 511: no error")
	}
}

// TestCABACInitContexts checks §9.3.1.1 at a few QPs against values worked
// out by hand from the formula and the (m, n) of Tables 9-12 to 9-33.
func TestCABACInitContexts(t *testing.T) {
	cases := []struct {
		qp, idc, ctxIdx int
		pState, valMPS  uint8
	}{
		// ctxIdx 0 (m 20, n -15), QP 26: (520>>4) - 15 = 17 -> pStateIdx 46, MPS 0.
		{26, -1, 0, 46, 0},
		// ctxIdx 1 (2, 54), QP 26: 3 + 54 = 57 -> 6, 0.
		{26, -1, 1, 6, 0},
		// ctxIdx 64 (-9, 83), QP 30: floor(-270/16) = -17, 66 -> 2, 1.
		{30, -1, 64, 2, 1},
		// ctxIdx 60 (0, 41), QP 0: 41 -> 22, 0.
		{0, -1, 60, 22, 0},
		// ctxIdx 1012 (-3, 70), QP 51: floor(-153/16) = -10, 60 -> 3, 0.
		{51, -1, 1012, 3, 0},
		// ctxIdx 402 (-17, 120), QP 51: floor(-867/16) = -55, 65 -> 1, 1.
		{51, -1, 402, 1, 1},
		// ctxIdx 6 (-28, 127), QP 0: 127 clipped to 126 -> 62, 1.
		{0, -1, 6, 62, 1},
		// SliceQPY below 0 (high bit depth) counts as 0.
		{-12, -1, 6, 62, 1},
		// SliceQPY above 51 counts as 51: ctxIdx 0: (1020>>4) - 15 = 48 -> 15, 0.
		{60, -1, 0, 15, 0},
		// ctxIdx 399 (31, 21), QP 40: 77 + 21 = 98 -> 34, 1.
		{40, -1, 399, 34, 1},
		// ctxIdx 105 (-7, 93), QP 22: floor(-154/16) = -10, 83 -> 19, 1.
		{22, -1, 105, 19, 1},
		// ctxIdx 227 (-3, 71), QP 28: floor(-84/16) = -6, 65 -> 1, 1.
		{28, -1, 227, 1, 1},
		// ctxIdx 460 (-17, 123), QP 37: floor(-629/16) = -40, 83 -> 19, 1.
		{37, -1, 460, 19, 1},
		// P slices, cabac_init_idc 0, ctxIdx 11 (23, 33), QP 26: 37 + 33 = 70 -> 6, 1.
		{26, 0, 11, 6, 1},
		// cabac_init_idc 2, ctxIdx 0 is shared with I (20, -15): QP 26 -> 46, 0.
		{26, 2, 0, 46, 0},
	}
	var d cabac
	for _, tc := range cases {
		d.initContexts(tc.qp, tc.idc)
		got := d.ctx[tc.ctxIdx]
		if got>>1 != tc.pState || got&1 != tc.valMPS {
			t.Errorf("QP %d idc %d ctxIdx %d: pStateIdx %d valMPS %d, want %d %d",
				tc.qp, tc.idc, tc.ctxIdx, got>>1, got&1, tc.pState, tc.valMPS)
		}
	}
	if d.err != nil {
		t.Fatal(d.err)
	}
}

// TestCABACTables spot-checks the numeric tables against the standard.
func TestCABACTables(t *testing.T) {
	rows := map[int][4]uint8{
		0: {128, 176, 208, 240}, 1: {128, 167, 197, 227}, 2: {128, 158, 187, 216},
		60: {6, 8, 9, 11}, 61: {6, 7, 9, 10}, 62: {6, 7, 8, 9}, 63: {2, 2, 2, 2},
	}
	for p, want := range rows {
		if rangeTabLPS[p] != want {
			t.Errorf("rangeTabLPS[%d] = %v, want %v", p, rangeTabLPS[p], want)
		}
	}
	// Table 9-33 (ctxIdx 1012..1023, I slices) repeats one group of four.
	for i := 1012; i < 1024; i++ {
		want := [4][2]int8{{-3, 70}, {-8, 93}, {-10, 90}, {-30, 127}}[(i-1012)%4]
		if cabacInitMN[0][i] != want {
			t.Errorf("I-slice (m,n) of ctxIdx %d = %v, want %v", i, cabacInitMN[0][i], want)
		}
	}
	// Table 9-43: frame coded significant_coeff_flag ctxIdxInc for the first
	// and last levelListIdx, last_significant_coeff_flag boundaries.
	if sigCoeffFlagInc8x8[0] != 0 || sigCoeffFlagInc8x8[22] != 6 || sigCoeffFlagInc8x8[62] != 12 {
		t.Errorf("sigCoeffFlagInc8x8 %v", sigCoeffFlagInc8x8)
	}
	// Table 9-43, field coded column.
	if sigCoeffFlagInc8x8Field[0] != 0 || sigCoeffFlagInc8x8Field[2] != 1 || sigCoeffFlagInc8x8Field[17] != 9 ||
		sigCoeffFlagInc8x8Field[62] != 14 {
		t.Errorf("sigCoeffFlagInc8x8Field %v", sigCoeffFlagInc8x8Field)
	}
	if lastCoeffFlagInc8x8[0] != 0 || lastCoeffFlagInc8x8[15] != 1 || lastCoeffFlagInc8x8[16] != 2 ||
		lastCoeffFlagInc8x8[48] != 5 || lastCoeffFlagInc8x8[62] != 8 {
		t.Errorf("lastCoeffFlagInc8x8 %v", lastCoeffFlagInc8x8)
	}
}
