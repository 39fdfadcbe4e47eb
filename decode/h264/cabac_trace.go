package h264

// Recording of the calls the macroblock layer makes into the CABAC decoder,
// for the replay benchmark and test in cabac_bench_test.go: with c.rec set,
// every method appends its arguments on entry. Replaying the calls on the
// same slice data decodes exactly the same bins without the rest of the
// decoder. c.rec is nil outside tests; the cost is one predictable branch per
// syntax element.

// Recorded operations (cabacCall.op).
const (
	opStart = iota
	opInitContexts
	opTerminate
	opPCMPos
	opMbTypeI
	opTransform8x8
	opPrevIntraPred
	opRemIntraPred
	opChromaPred
	opCBP
	opQpDelta
	opResidual
)

// cabacCall is one recorded call and its arguments.
type cabacCall struct {
	op         uint8
	a, b, x, y int32
	data       []byte // opStart: the slice data
}

func (c *cabac) record(op uint8, a, b, x, y int) {
	*c.rec = append(*c.rec, cabacCall{op: op, a: int32(a), b: int32(b), x: int32(x), y: int32(y)})
}

func boolArg(b bool) int {
	if b {
		return 1
	}
	return 0
}
