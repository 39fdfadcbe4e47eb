package h264

import (
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stills/stills/decode"
)

// The expected samples in these tests were computed by hand from the
// equations of ITU-T H.264 §8.7.2.3 / §8.7.2.4 and Tables 8-15..8-17; the
// arithmetic is written out beside each case. Each pattern puts "walls"
// (steps of at least alpha) on the edges that must not change, so that one
// edge is tested at a time.

// newDbkPicture makes a picture of w x h macroblocks, all in slice 0 with
// the given QP, for the deblocking tests.
func newDbkPicture(w, h int, cf decode.ChromaFormat, bitDepth int, qp int8) *picture {
	p := &picture{
		widthMbs: w, heightMbs: h,
		chromaFormat: cf,
		bitDepthY:    bitDepth, bitDepthC: bitDepth,
	}
	switch cf {
	case decode.Chroma420:
		p.mbWidthC, p.mbHeightC = 8, 8
	case decode.Chroma422:
		p.mbWidthC, p.mbHeightC = 8, 16
	case decode.Chroma444:
		p.mbWidthC, p.mbHeightC = 16, 16
	}
	p.yStride = w * 16
	p.cStride = w * p.mbWidthC
	p.y = make([]uint16, p.yStride*h*16)
	p.cb = make([]uint16, p.cStride*h*p.mbHeightC)
	p.cr = make([]uint16, p.cStride*h*p.mbHeightC)
	p.mbs = make([]mbInfo, w*h)
	for i := range p.mbs {
		p.mbs[i] = mbInfo{slice: 0, mbType: 1, qpY: qp}
	}
	p.slices = []sliceInfo{{}}
	return p
}

// fillRows sets every row of a plane (stride wide) to row.
func fillRows(pl []uint16, stride int, row []uint16) {
	for o := 0; o+stride <= len(pl); o += stride {
		copy(pl[o:o+stride], row)
	}
}

// fillCols sets sample (x, y) of a plane to col[y].
func fillCols(pl []uint16, stride int, col []uint16) {
	for y := range col {
		for x := 0; x < stride; x++ {
			pl[y*stride+x] = col[y]
		}
	}
}

func checkRows(t *testing.T, name string, pl []uint16, stride int, want []uint16) {
	t.Helper()
	for o := 0; o+stride <= len(pl); o += stride {
		for x := 0; x < stride; x++ {
			if pl[o+x] != want[x] {
				t.Fatalf("%s: row %d: got %v, want %v", name, o/stride, pl[o:o+stride], want)
			}
		}
	}
}

func checkCols(t *testing.T, name string, pl []uint16, stride int, want []uint16) {
	t.Helper()
	for y := range want {
		for x := 0; x < stride; x++ {
			if pl[y*stride+x] != want[y] {
				got := make([]uint16, len(want))
				for yy := range want {
					got[yy] = pl[yy*stride+x]
				}
				t.Fatalf("%s: column %d: got %v, want %v", name, x, got, want)
			}
		}
	}
}

// Luma macroblock edge, bS = 4, strong filter (§8.7.2.4). Left MB QP 24,
// right MB QP 36: qPav = (24+36+1)>>1 = 30, indexA = indexB = 30, alpha = 25,
// beta = 8. p3..p0 = 58 59 60 62, q0..q3 = 68 69 71 72:
// |p0-q0| = 6 < 25, |p1-p0| = 2 < 8, |q1-q0| = 1 < 8; ap = 3 < 8, aq = 3 < 8;
// 6 < (25>>2)+2 = 8, so the strong filter on both sides:
//
//	p'0 = (59 + 2*60 + 2*62 + 2*68 + 69 + 4) >> 3 = 512 >> 3 = 64
//	p'1 = (59 + 60 + 62 + 68 + 2) >> 2 = 251 >> 2 = 62
//	p'2 = (2*58 + 3*59 + 60 + 62 + 68 + 4) >> 3 = 487 >> 3 = 60
//	q'0 = (60 + 2*62 + 2*68 + 2*69 + 71 + 4) >> 3 = 533 >> 3 = 66
//	q'1 = (62 + 68 + 69 + 71 + 2) >> 2 = 272 >> 2 = 68
//	q'2 = (2*72 + 3*71 + 69 + 68 + 62 + 4) >> 3 = 560 >> 3 = 70
//
// Walls: MB 0 (QP 24, alpha 12) steps 0|100|200|58; MB 1 (QP 36, alpha 50)
// 72|150|250.
var (
	dbkStrongIn   = []uint16{0, 0, 0, 0, 100, 100, 100, 100, 200, 200, 200, 200, 58, 59, 60, 62, 68, 69, 71, 72, 150, 150, 150, 150, 250, 250, 250, 250, 250, 250, 250, 250}
	dbkStrongWant = []uint16{0, 0, 0, 0, 100, 100, 100, 100, 200, 200, 200, 200, 58, 60, 62, 64, 66, 68, 70, 72, 150, 150, 150, 150, 250, 250, 250, 250, 250, 250, 250, 250}
)

func TestDeblockLumaStrongVertical(t *testing.T) {
	p := newDbkPicture(2, 1, decode.Chroma400, 8, 24)
	p.mbs[1].qpY = 36
	fillRows(p.y, p.yStride, dbkStrongIn)
	deblockPicture(p)
	checkRows(t, "luma bS=4 vertical", p.y, p.yStride, dbkStrongWant)
}

// The same samples across a horizontal macroblock edge (MB 0 above MB 1).
func TestDeblockLumaStrongHorizontal(t *testing.T) {
	p := newDbkPicture(1, 2, decode.Chroma400, 8, 24)
	p.mbs[1].qpY = 36
	fillCols(p.y, p.yStride, dbkStrongIn)
	deblockPicture(p)
	checkCols(t, "luma bS=4 horizontal", p.y, p.yStride, dbkStrongWant)
}

// Luma internal edge x = 4, bS = 3 (§8.7.2.3), QP 30: alpha 25, beta 8,
// tC0 = 2. p3..p0 = 50 52 54 56, q0..q3 = 60 61 63 90: ap = |52-56| = 4 < 8,
// aq = |63-60| = 3 < 8, tC = 2+1+1 = 4;
//
//	delta = Clip3(-4, 4, ((60-56)*4 + (54-61) + 4) >> 3) = 13 >> 3 = 1
//	p'0 = 57, q'0 = 59
//	p'1 = 54 + Clip3(-2, 2, (52 + ((56+60+1)>>1) - 2*54) >> 1) = 54 + (2>>1) = 55
//	q'1 = 61 + Clip3(-2, 2, (63 + 58 - 2*61) >> 1) = 61 + (-1>>1) = 60
//
// The rest is a wall (90|200) and flat 200, which the filter leaves alone.
func TestDeblockLumaNormal(t *testing.T) {
	in := []uint16{50, 52, 54, 56, 60, 61, 63, 90, 200, 200, 200, 200, 200, 200, 200, 200}
	want := []uint16{50, 52, 55, 57, 59, 60, 63, 90, 200, 200, 200, 200, 200, 200, 200, 200}
	p := newDbkPicture(1, 1, decode.Chroma400, 8, 30)
	fillRows(p.y, p.yStride, in)
	deblockPicture(p)
	checkRows(t, "luma bS=3", p.y, p.yStride, want)

	// transform_size_8x8_flag: the edge at x = 4 is not a transform edge.
	p = newDbkPicture(1, 1, decode.Chroma400, 8, 30)
	p.mbs[0].transform8x8 = true
	fillRows(p.y, p.yStride, in)
	deblockPicture(p)
	checkRows(t, "luma 8x8 transform", p.y, p.yStride, in)
}

// The QP of a luma edge is QPY itself (no chroma mapping, no offset by
// one). Samples of a real x264 picture (QP 23: alpha 10, beta 4, tC0 = 1 for
// bS 3) across the internal horizontal edge y = 4: p2 p1 p0 = 163 51 54,
// q0 q1 q2 = 63 66 151. |p0-q0| = 9 < 10 (QP 22 would give alpha 9 and
// no filtering), |p1-p0| = 3 < 4, |q1-q0| = 3 < 4; ap, aq false, tC = 1:
//
//	delta = Clip3(-1, 1, (9*4 + (51-66) + 4) >> 3) = Clip3(-1, 1, 3) = 1
//	p'0 = 55, q'0 = 62
func TestDeblockLumaQPExact(t *testing.T) {
	col := []uint16{182, 163, 51, 54, 63, 66, 151, 158, 255, 255, 255, 255, 255, 255, 255, 255}
	want := []uint16{182, 163, 51, 55, 62, 66, 151, 158, 255, 255, 255, 255, 255, 255, 255, 255}
	p := newDbkPicture(1, 1, decode.Chroma420, 8, 23)
	p.slices[0].chromaQpIndexOffset = -2
	fillCols(p.y, p.yStride, col)
	deblockPicture(p)
	checkCols(t, "luma QP 23", p.y, p.yStride, want)
}

// 10-bit luma, internal edge, QP 30: alpha = 25<<2 = 100, beta = 8<<2 = 32,
// tC0 = 2<<2 = 8 (§8.7.2.2, equations 8-465, 8-466, 8-468).
// p3..p0 = 200 208 216 224, q0..q3 = 240 244 252 360: |p1-p0| = 8 < 32
// (an 8-bit beta of 8 would stop here), ap = 16 < 32, aq = 12 < 32, tC = 10;
//
//	delta = Clip3(-10, 10, (16*4 + (216-244) + 4) >> 3) = 40 >> 3 = 5
//	p'0 = 229, q'0 = 235
//	p'1 = 216 + Clip3(-8, 8, (208 + 232 - 432) >> 1) = 216 + 4 = 220
//	q'1 = 244 + Clip3(-8, 8, (252 + 232 - 488) >> 1) = 244 - 2 = 242
func TestDeblockLuma10Bit(t *testing.T) {
	in := []uint16{200, 208, 216, 224, 240, 244, 252, 360, 800, 800, 800, 800, 800, 800, 800, 800}
	want := []uint16{200, 208, 220, 229, 235, 242, 252, 360, 800, 800, 800, 800, 800, 800, 800, 800}
	p := newDbkPicture(1, 1, decode.Chroma400, 10, 30)
	fillRows(p.y, p.yStride, in)
	deblockPicture(p)
	checkRows(t, "10-bit luma", p.y, p.yStride, want)
}

// 4:2:0 chroma macroblock edge, bS = 4 (chroma filter, §8.7.2.4), luma QPs
// 24 | 36 as in the strong luma case.
//
// Cb, chroma_qp_index_offset 0: QPC(24) = 24, QPC(36) = 34 (Table 8-15);
// qPav = (24+34+1)>>1 = 29: alpha 22, beta 7. p1 p0 = 100 106, q0 q1 = 110 111:
//
//	p'0 = (2*100 + 106 + 111 + 2) >> 2 = 419 >> 2 = 104
//	q'0 = (2*111 + 110 + 100 + 2) >> 2 = 434 >> 2 = 108
//
// Cr, second_chroma_qp_index_offset 2: QPC(26) = 26, QPC(38) = 35;
// qPav = 31: alpha 28, beta 8. p1 p0 = 100 107 (|p1-p0| = 7 < 8; the Cb
// beta of 7 would refuse it), q0 q1 = 110 111:
//
//	p'0 = (200 + 107 + 111 + 2) >> 2 = 105,  q'0 = (222 + 110 + 100 + 2) >> 2 = 108
//
// Walls: MB 0 0|100 (alpha 12 for Cb, 15 for Cr), MB 1 111|200 (alpha 40, 45).
func TestDeblockChroma420(t *testing.T) {
	p := newDbkPicture(2, 1, decode.Chroma420, 8, 24)
	p.mbs[1].qpY = 36
	p.slices[0].chromaQpIndexOffset = 0
	p.slices[0].secondChromaQpIndexOffset = 2
	fillRows(p.y, p.yStride, make([]uint16, 32))
	fillRows(p.cb, p.cStride, []uint16{0, 0, 0, 0, 100, 100, 100, 106, 110, 111, 111, 111, 200, 200, 200, 200})
	fillRows(p.cr, p.cStride, []uint16{0, 0, 0, 0, 100, 100, 100, 107, 110, 111, 111, 111, 200, 200, 200, 200})
	deblockPicture(p)
	checkRows(t, "Cb", p.cb, p.cStride, []uint16{0, 0, 0, 0, 100, 100, 100, 104, 108, 111, 111, 111, 200, 200, 200, 200})
	checkRows(t, "Cr", p.cr, p.cStride, []uint16{0, 0, 0, 0, 100, 100, 100, 105, 108, 111, 111, 111, 200, 200, 200, 200})
}

// 4:2:2 chroma has a horizontal edge at chroma row 8 (and 4, 12), which 4:2:0
// does not. QP 30, offset 0: QPC = 29, alpha 22, beta 7, tC0(29, bS 3) = 2,
// tC = tC0 + 1 = 3 (chroma). p1 p0 = 100 102 (rows 6, 7), q0 q1 = 110 111
// (rows 8, 9):
//
//	delta = Clip3(-3, 3, (8*4 + (100-111) + 4) >> 3) = Clip3(-3, 3, 25 >> 3) = 3
//	p'0 = 105, q'0 = 107
func TestDeblockChroma422(t *testing.T) {
	col := []uint16{0, 0, 0, 0, 100, 100, 100, 102, 110, 111, 111, 111, 200, 200, 200, 200}
	want := []uint16{0, 0, 0, 0, 100, 100, 100, 105, 107, 111, 111, 111, 200, 200, 200, 200}
	p := newDbkPicture(1, 1, decode.Chroma422, 8, 30)
	fillCols(p.cb, p.cStride, col)
	fillCols(p.cr, p.cStride, col)
	deblockPicture(p)
	checkCols(t, "4:2:2 Cb", p.cb, p.cStride, want)
	checkCols(t, "4:2:2 Cr", p.cr, p.cStride, want)

	// In 4:2:0 the same rows belong to two macroblocks (8 chroma rows each),
	// so row 8 is a macroblock edge: bS = 4, chroma filter:
	//	p'0 = (200 + 102 + 111 + 2) >> 2 = 103, q'0 = (222 + 110 + 100 + 2) >> 2 = 108
	// and the internal edges at rows 4 and 12 are walls.
	p = newDbkPicture(1, 2, decode.Chroma420, 8, 30)
	fillCols(p.cb, p.cStride, col)
	deblockPicture(p)
	want420 := []uint16{0, 0, 0, 0, 100, 100, 100, 103, 108, 111, 111, 111, 200, 200, 200, 200}
	checkCols(t, "4:2:0 Cb", p.cb, p.cStride, want420)
}

// disable_deblocking_filter_idc: 1 filters nothing; 2 keeps the edges
// between slices; 0 filters across slices.
func TestDeblockIdc(t *testing.T) {
	for _, tc := range []struct {
		name   string
		idc    uint8
		slices [2]int32
		want   []uint16
	}{
		{"idc0 one slice", 0, [2]int32{0, 0}, dbkStrongWant},
		{"idc0 two slices", 0, [2]int32{0, 1}, dbkStrongWant},
		{"idc1", 1, [2]int32{0, 0}, dbkStrongIn},
		{"idc2 one slice", 2, [2]int32{0, 0}, dbkStrongWant},
		{"idc2 two slices", 2, [2]int32{0, 1}, dbkStrongIn},
	} {
		p := newDbkPicture(2, 1, decode.Chroma400, 8, 24)
		p.mbs[1].qpY = 36
		p.slices = []sliceInfo{{disableDeblockingFilterIdc: tc.idc}, {disableDeblockingFilterIdc: tc.idc}}
		p.mbs[0].slice, p.mbs[1].slice = tc.slices[0], tc.slices[1]
		fillRows(p.y, p.yStride, dbkStrongIn)
		deblockPicture(p)
		checkRows(t, tc.name, p.y, p.yStride, tc.want)
	}
}

// FilterOffsetA/B come from the slice of the current (q) macroblock. In the
// strong case (qPav 30) with FilterOffsetB = -12, indexB = 18 and beta = 2:
// |p1-p0| = 2 fails and the edge is left alone.
func TestDeblockOffsets(t *testing.T) {
	p := newDbkPicture(2, 1, decode.Chroma400, 8, 24)
	p.mbs[1].qpY = 36
	p.slices = []sliceInfo{{}, {filterOffsetB: -12}}
	p.mbs[1].slice = 1
	fillRows(p.y, p.yStride, dbkStrongIn)
	deblockPicture(p)
	checkRows(t, "FilterOffsetB -12", p.y, p.yStride, dbkStrongIn)

	// FilterOffsetA = -12 on the current slice: indexA = 18, alpha = 5, and
	// |p0-q0| = 6 >= 5 stops the edge.
	p = newDbkPicture(2, 1, decode.Chroma400, 8, 24)
	p.mbs[1].qpY = 36
	p.slices = []sliceInfo{{}, {filterOffsetA: -12}}
	p.mbs[1].slice = 1
	fillRows(p.y, p.yStride, dbkStrongIn)
	deblockPicture(p)
	checkRows(t, "FilterOffsetA -12", p.y, p.yStride, dbkStrongIn)

	// The same offsets on the left slice only do not matter.
	p = newDbkPicture(2, 1, decode.Chroma400, 8, 24)
	p.mbs[1].qpY = 36
	p.slices = []sliceInfo{{filterOffsetA: -12, filterOffsetB: -12}, {}}
	p.mbs[1].slice = 1
	fillRows(p.y, p.yStride, dbkStrongIn)
	deblockPicture(p)
	checkRows(t, "offsets of the p slice", p.y, p.yStride, dbkStrongWant)
}

// A lossless macroblock (qpprime_y_zero_transform_bypass_flag, QP'Y = 0)
// keeps its samples; its neighbour is still filtered. Left MB QP 0 (lossless),
// right QP 51: qPav = 26, alpha 15, beta 6. p3..p0 = 58 59 60 62,
// q0..q3 = 68 69 71 72: |p0-q0| = 6 < 15, ap = 3 < 6, aq = 3 < 6,
// 6 < (15>>2)+2 = 5 is false, so the bS = 4 filter without the strong branch:
//
//	q'0 = (2*69 + 68 + 60 + 2) >> 2 = 268 >> 2 = 67, p side unchanged.
//
// Without the lossless rule p'0 would be (2*60 + 62 + 69 + 2) >> 2 = 63.
// Only q0 is checked on the right: MB 1 (QP 51) filters its own internal
// edges too, which may change q1..q3.
func TestDeblockLossless(t *testing.T) {
	in := []uint16{0, 0, 0, 0, 100, 100, 100, 100, 200, 200, 200, 200, 58, 59, 60, 62, 68, 69, 71, 72, 72, 72, 72, 72, 72, 72, 72, 72, 72, 72, 72, 72}
	p := newDbkPicture(2, 1, decode.Chroma400, 8, 0)
	p.qpprimeYZeroTransformBypass = true
	p.mbs[1].qpY = 51
	fillRows(p.y, p.yStride, in)
	deblockPicture(p)
	row := p.y[:32]
	for x := 0; x < 16; x++ {
		if row[x] != in[x] {
			t.Fatalf("lossless MB changed at x=%d: got %v", x, row)
		}
	}
	if row[16] != 67 {
		t.Fatalf("q0 of the lossy neighbour: got %d, want 67 (row %v)", row[16], row)
	}

	// The same across a horizontal macroblock edge (MB 0 above MB 1).
	p = newDbkPicture(1, 2, decode.Chroma400, 8, 0)
	p.qpprimeYZeroTransformBypass = true
	p.mbs[1].qpY = 51
	fillCols(p.y, p.yStride, in)
	deblockPicture(p)
	for x := 0; x < 16; x++ {
		for y := 0; y < 16; y++ {
			if p.y[y*16+x] != in[y] {
				t.Fatalf("lossless MB changed at (%d,%d): got %d, want %d", x, y, p.y[y*16+x], in[y])
			}
		}
		if got := p.y[16*16+x]; got != 67 {
			t.Fatalf("column %d: q0 of the lossy neighbour: got %d, want 67", x, got)
		}
	}
}

// An undecoded macroblock (slice -1) is neither filtered nor filtered against.
func TestDeblockUndecoded(t *testing.T) {
	p := newDbkPicture(2, 1, decode.Chroma400, 8, 24)
	p.mbs[1].qpY = 36
	p.mbs[0].slice = -1
	fillRows(p.y, p.yStride, dbkStrongIn)
	deblockPicture(p)
	checkRows(t, "undecoded left", p.y, p.yStride, dbkStrongIn)
}

func BenchmarkDeblock1080p(b *testing.B) {
	p := newDbkPicture(120, 68, decode.Chroma420, 8, 30)
	// A smooth ramp with mild noise: most edges are filtered.
	seed := uint32(1)
	for i := range p.y {
		seed = seed*1664525 + 1013904223
		p.y[i] = uint16(100 + (i%p.yStride)/64 + int(seed>>29))
	}
	for i := range p.cb {
		seed = seed*1664525 + 1013904223
		p.cb[i] = uint16(120 + int(seed>>30))
		p.cr[i] = uint16(130 + int(seed>>30))
	}
	b.ReportAllocs()
	b.ResetTimer()
	c0 := dbkCPUTime()
	for i := 0; i < b.N; i++ {
		deblockPicture(p)
	}
	// CPU time as well as wall time: the machines are shared.
	b.ReportMetric(float64(dbkCPUTime()-c0)/float64(b.N)/1e6, "cpu-ms/op")
}

// dbkCPUTime is this process's user+sys CPU time.
func dbkCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// 4:4:4 chroma edges use the luma filter (chromaStyleFilteringFlag = 0) with
// the chroma QP. The strong case on Cb: QPC(24) = 24, QPC(36) = 34, qPav =
// 29: alpha 22, beta 7; |p0-q0| = 6 < (22>>2)+2 = 7, ap = aq = 3 < 7, so the
// strong filter gives the same samples as the luma case (the chroma filter
// would change p0 and q0 only). Walls: MB 0 alpha 12, MB 1 alpha 40.
func TestDeblockChroma444(t *testing.T) {
	p := newDbkPicture(2, 1, decode.Chroma444, 8, 24)
	p.mbs[1].qpY = 36
	fillRows(p.cb, p.cStride, dbkStrongIn)
	deblockPicture(p)
	checkRows(t, "4:4:4 Cb", p.cb, p.cStride, dbkStrongWant)
}

// Lossless macroblocks keep their chroma too. Left MB QP 0 (lossless), right
// QP 51: QPC 0 and 39, qPav = 20, alpha 7, beta 3. Cb p1 p0 = 100 98,
// q0 q1 = 104 106: |p0-q0| = 6 < 7, |p1-p0| = 2 < 3, |q1-q0| = 2 < 3, bS 4:
// p'0 would be (2*100 + 98 + 106 + 2) >> 2 = 101, but the p side is kept.
func TestDeblockLosslessChroma(t *testing.T) {
	in := []uint16{100, 100, 100, 100, 100, 100, 100, 98, 104, 106, 106, 106, 106, 106, 106, 106}
	for _, keep := range []bool{true, false} {
		p := newDbkPicture(2, 1, decode.Chroma420, 8, 0)
		p.qpprimeYZeroTransformBypass = keep
		p.mbs[1].qpY = 51
		fillRows(p.cb, p.cStride, in)
		deblockPicture(p)
		want := uint16(98)
		if !keep {
			want = 101
		}
		for y := 0; y < 8; y++ {
			if got := p.cb[y*p.cStride+7]; got != want {
				t.Fatalf("lossless %v: Cb p0 of row %d: got %d, want %d", keep, y, got, want)
			}
		}
	}
}

// The four-lines-at-a-time path (deblock_swar.go) gives the samples of the
// general one on random 8-bit 4:2:0 and 4:0:0 pictures: random QPs,
// I_PCM, transform_size_8x8_flag, slices with their own filter offsets,
// chroma QP offsets and disable_deblocking_filter_idc, undecoded
// macroblocks and out-of-range QPs, and samples from flat to noisy and
// near 0 and 255 so that every branch of the filters is taken.
func TestDeblockSWARMatchesGeneric(t *testing.T) {
	seed := uint32(7)
	rnd := func(n int) int {
		seed = seed*1664525 + 1013904223
		return int(seed>>8) % n
	}
	for iter := 0; iter < 1000; iter++ {
		cf := decode.Chroma420
		if iter%5 == 4 {
			cf = decode.Chroma400
		}
		w, h := 1+rnd(5), 1+rnd(4)
		p := newDbkPicture(w, h, cf, 8, 0)
		nsl := 1 + rnd(3)
		p.slices = make([]sliceInfo, nsl)
		for i := range p.slices {
			p.slices[i] = sliceInfo{
				disableDeblockingFilterIdc: uint8([]int{0, 0, 0, 2, 1}[rnd(5)]),
				filterOffsetA:              int8(2 * (rnd(13) - 6)),
				filterOffsetB:              int8(2 * (rnd(13) - 6)),
				chromaQpIndexOffset:        int8(rnd(25) - 12),
				secondChromaQpIndexOffset:  int8(rnd(25) - 12),
			}
			if rnd(2) == 0 { // the usual case: Cb and Cr filtered alike (dbkSWChromaMB)
				p.slices[i].secondChromaQpIndexOffset = p.slices[i].chromaQpIndexOffset
			}
		}
		sl := 0
		for i := range p.mbs {
			if i > 0 && rnd(6) == 0 && sl+1 < nsl {
				sl++
			}
			m := &p.mbs[i]
			m.slice = int32(sl)
			m.qpY = int8(20 + rnd(32))
			if rnd(4) == 0 {
				m.qpY = int8(rnd(52))
			}
			m.transform8x8 = rnd(2) == 0
			if rnd(20) == 0 {
				m.mbType = mbTypeIPCM
			}
			switch rnd(40) {
			case 0:
				m.slice = -1 // never decoded: not filtered, not filtered against
			case 1:
				m.qpY = int8(52 + rnd(20)) // out of range (never made by the decoder): the general path
			case 2:
				m.qpY = int8(-1 - rnd(20))
			}
		}
		// Per 4x4 block a base level and a noise amplitude.
		fill := func(pl []uint16, stride int) {
			rows := len(pl) / stride
			var base, amp [64][64]int
			for by := 0; by < (rows+3)/4; by++ {
				for bx := 0; bx < (stride+3)/4; bx++ {
					switch rnd(10) {
					case 0:
						base[by][bx] = rnd(256)
					case 1, 2:
						base[by][bx] = 240 + rnd(16) // Clip1 at 255
					case 3:
						base[by][bx] = rnd(16) // Clip1 at 0
					default:
						base[by][bx] = 100 + rnd(40)
					}
					amp[by][bx] = []int{1, 2, 4, 8, 30, 256}[rnd(6)]
				}
			}
			for y := 0; y < rows; y++ {
				for x := 0; x < stride; x++ {
					v := base[y/4][x/4] + rnd(amp[y/4][x/4]) - amp[y/4][x/4]/2
					pl[y*stride+x] = uint16(min(max(v, 0), 255))
				}
			}
		}
		fill(p.y, p.yStride)
		if cf != decode.Chroma400 {
			fill(p.cb, p.cStride)
			fill(p.cr, p.cStride)
		}
		q := *p
		q.y = append([]uint16(nil), p.y...)
		q.cb = append([]uint16(nil), p.cb...)
		q.cr = append([]uint16(nil), p.cr...)
		deblockPicture(p)
		dbkNoSWAR = true
		deblockPicture(&q)
		dbkNoSWAR = false
		for _, c := range []struct {
			name   string
			a, b   []uint16
			stride int
		}{{"Y", p.y, q.y, p.yStride}, {"Cb", p.cb, q.cb, p.cStride}, {"Cr", p.cr, q.cr, p.cStride}} {
			for i := range c.a {
				if c.a[i] != c.b[i] {
					t.Fatalf("iteration %d (%dx%d MBs): %s sample (%d,%d): SWAR %d, general %d", iter, w, h, c.name, i%c.stride, i/c.stride, c.a[i], c.b[i])
				}
			}
		}
	}
}

// BenchmarkDeblockFile deblocks the pictures of the Annex B file named by
// $H264_FILE (skipped without it), decoded once without the filter: the
// real sample statistics of a stream, with the SWAR path (deblock_swar.go)
// and with the general one. Restoring the unfiltered samples before each
// picture is timed too (a copy, the same in both; copy-only times it).
func BenchmarkDeblockFile(b *testing.B) {
	fn := os.Getenv("H264_FILE")
	if fn == "" {
		b.Skip("set H264_FILE to an Annex B file")
	}
	data, err := os.ReadFile(fn)
	if err != nil {
		b.Fatal(err)
	}
	type saved struct {
		p         picture
		y, cb, cr []uint16
	}
	var pics []saved
	skipLoopFilter = true
	d := NewDecoder()
	for _, au := range SplitAccessUnits(annexBNALs(data)) {
		if _, err := d.DecodeAccessUnit(au); err != nil {
			skipLoopFilter = false
			b.Fatal(err)
		}
		s := saved{p: d.pic}
		s.p.mbs = append([]mbInfo(nil), d.pic.mbs...)
		s.p.slices = append([]sliceInfo(nil), d.pic.slices...)
		s.y = append([]uint16(nil), d.pic.y...)
		s.cb = append([]uint16(nil), d.pic.cb...)
		s.cr = append([]uint16(nil), d.pic.cr...)
		s.p.y = append([]uint16(nil), s.y...)
		s.p.cb = append([]uint16(nil), s.cb...)
		s.p.cr = append([]uint16(nil), s.cr...)
		pics = append(pics, s)
	}
	skipLoopFilter = false
	for _, c := range []struct {
		name           string
		noSWAR, noFilt bool
	}{{"swar", false, false}, {"general", true, false}, {"copy-only", false, true}} {
		b.Run(c.name, func(b *testing.B) {
			dbkNoSWAR = c.noSWAR
			defer func() { dbkNoSWAR = false }()
			b.ReportAllocs()
			c0 := dbkCPUTime()
			for i := 0; i < b.N; i++ {
				s := &pics[i%len(pics)]
				copy(s.p.y, s.y)
				copy(s.p.cb, s.cb)
				copy(s.p.cr, s.cr)
				if !c.noFilt {
					deblockPicture(&s.p)
				}
			}
			b.ReportMetric(float64(dbkCPUTime()-c0)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}
