package h265

import (
	"math/rand"
	"testing"
)

// The reference below is the straightforward per-segment deblocking filter
// (§8.7.2) that deblock.go replaced: generic in the edge direction, β and
// tC derived per segment.

// deblockReference applies the deblocking filter (§8.7.2) to the whole picture: all
// vertical edges first, then all horizontal edges. Every filtered edge of
// an intra picture has bS = 2 (§8.7.2.4); the edges were recorded in
// picture.flags while decoding.
func (d *Decoder) deblockReference() {
	p := &d.pic
	for dir := 0; dir < 2; dir++ {
		flag := uint8(edgeVer)
		if dir == 1 {
			flag = edgeHor
		}
		for y4 := 0; y4 < p.h4; y4++ {
			for x4 := 0; x4 < p.w4; x4++ {
				i := y4*p.w4 + x4
				if p.flags[i]&flag == 0 {
					continue
				}
				var pi int // the 4×4 block on the P side
				if dir == 0 {
					pi = i - 1
				} else {
					pi = i - p.w4
				}
				d.filterEdgeRef(dir, x4<<2, y4<<2, i, pi)
			}
		}
	}
}

// filterEdgeRef filters the 4-sample luma edge segment whose Q block is the
// 4×4 block i at (x, y) and, on the 16-sample chroma grid, the matching
// 2-sample chroma segments (§8.7.2.5).
func (d *Decoder) filterEdgeRef(dir, x, y, qi, pi int) {
	p := &d.pic
	s := p.sps
	l := s.log2Ctb
	hdr := &d.slices[p.ctbHdr[(y>>l)*s.picWCtb+x>>l]]
	qpQ, qpP := int(p.qp[qi]), int(p.qp[pi])
	noP := p.flags[pi]&noFilter != 0
	noQ := p.flags[qi]&noFilter != 0
	qpL := (qpQ + qpP + 1) >> 1
	// Luma (§8.7.2.5.3, §8.7.2.5.6, §8.7.2.5.7).
	bq := qpL + hdr.betaOffsetDiv2*2
	if bq < 0 {
		bq = 0
	} else if bq > 51 {
		bq = 51
	}
	tq := qpL + 2 + hdr.tcOffsetDiv2*2
	if tq < 0 {
		tq = 0
	} else if tq > 53 {
		tq = 53
	}
	beta := betaTable[bq] << uint(s.bitDepthY-8)
	tc := tcTable[tq] << uint(s.bitDepthY-8)
	stride := p.stride[0]
	var along, across int
	if dir == 0 {
		along, across = stride, 1
	} else {
		along, across = 1, stride
	}
	if tc > 0 || beta > 0 {
		filterLumaRef(p.planes[0], y*stride+x, along, across, beta, tc, noP, noQ, int32(1)<<uint(s.bitDepthY)-1)
	}
	// Chroma (§8.7.2.5.5): edges on the 8-sample chroma grid only.
	pos := x
	if dir == 1 {
		pos = y
	}
	if pos&15 != 0 {
		return
	}
	cs := p.stride[1]
	if dir == 0 {
		along, across = cs, 1
	} else {
		along, across = 1, cs
	}
	maxC := int32(1)<<uint(s.bitDepthC) - 1
	for c := 1; c < 3; c++ {
		off := p.pps.cbQPOffset
		if c == 2 {
			off = p.pps.crQPOffset
		}
		qpi := qpL + off
		qpc := qpi
		if qpi >= 0 {
			qpc = chromaQP420(qpi)
		}
		tq := qpc + 2 + hdr.tcOffsetDiv2*2
		if tq < 0 {
			tq = 0
		} else if tq > 53 {
			tq = 53
		}
		tcC := int32(tcTable[tq] << uint(s.bitDepthC-8))
		if tcC == 0 {
			continue
		}
		pl := p.planes[c]
		base := (y>>1)*cs + x>>1
		for k := 0; k < 2; k++ {
			o := base + k*along
			p0, p1 := int32(pl[o-across]), int32(pl[o-2*across])
			q0, q1 := int32(pl[o]), int32(pl[o+across])
			delta := ((q0-p0)<<2 + p1 - q1 + 4) >> 3
			if delta < -tcC {
				delta = -tcC
			} else if delta > tcC {
				delta = tcC
			}
			if !noP {
				pl[o-across] = uint16(clip32(p0+delta, maxC))
			}
			if !noQ {
				pl[o] = uint16(clip32(q0-delta, maxC))
			}
		}
	}
}

func iabsRef(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

// filterLumaRef makes the decisions of §8.7.2.5.3 for one 4-line luma segment
// and filters it (§8.7.2.5.7). o is the offset of q0 on the first line.
func filterLumaRef(pl []uint16, o, along, across, betaI, tcI int, noP, noQ bool, maxV int32) {
	beta, tc := int32(betaI), int32(tcI)
	at := func(line, i int) int32 { return int32(pl[o+line*along+i*across]) }
	// p_i is at(line, -i-1), q_i is at(line, i).
	dp0 := iabsRef(at(0, -3) - 2*at(0, -2) + at(0, -1))
	dp3 := iabsRef(at(3, -3) - 2*at(3, -2) + at(3, -1))
	dq0 := iabsRef(at(0, 2) - 2*at(0, 1) + at(0, 0))
	dq3 := iabsRef(at(3, 2) - 2*at(3, 1) + at(3, 0))
	dpq0 := dp0 + dq0
	dpq3 := dp3 + dq3
	dp := dp0 + dp3
	dq := dq0 + dq3
	dd := dpq0 + dpq3
	if dd >= beta {
		return
	}
	dSam := func(line int, dpq int32) bool {
		p0, p3 := at(line, -1), at(line, -4)
		q0, q3 := at(line, 0), at(line, 3)
		return 2*dpq < (beta>>2) && iabsRef(p3-p0)+iabsRef(q0-q3) < (beta>>3) && iabsRef(p0-q0) < (5*tc+1)>>1
	}
	strong := dSam(0, dpq0) && dSam(3, dpq3)
	dEp := dp < (beta+(beta>>1))>>3
	dEq := dq < (beta+(beta>>1))>>3
	for k := 0; k < 4; k++ {
		b := o + k*along
		p0, p1, p2, p3 := int32(pl[b-across]), int32(pl[b-2*across]), int32(pl[b-3*across]), int32(pl[b-4*across])
		q0, q1, q2, q3 := int32(pl[b]), int32(pl[b+across]), int32(pl[b+2*across]), int32(pl[b+3*across])
		if strong {
			c2 := 2 * tc
			if !noP {
				pl[b-across] = uint16(clip3Ref(p0-c2, p0+c2, (p2+2*p1+2*p0+2*q0+q1+4)>>3))
				pl[b-2*across] = uint16(clip3Ref(p1-c2, p1+c2, (p2+p1+p0+q0+2)>>2))
				pl[b-3*across] = uint16(clip3Ref(p2-c2, p2+c2, (2*p3+3*p2+p1+p0+q0+4)>>3))
			}
			if !noQ {
				pl[b] = uint16(clip3Ref(q0-c2, q0+c2, (p1+2*p0+2*q0+2*q1+q2+4)>>3))
				pl[b+across] = uint16(clip3Ref(q1-c2, q1+c2, (p0+q0+q1+q2+2)>>2))
				pl[b+2*across] = uint16(clip3Ref(q2-c2, q2+c2, (p0+q0+q1+3*q2+2*q3+4)>>3))
			}
			continue
		}
		delta := (9*(q0-p0) - 3*(q1-p1) + 8) >> 4
		if iabsRef(delta) >= tc*10 {
			continue
		}
		delta = clip3Ref(-tc, tc, delta)
		if !noP {
			pl[b-across] = uint16(clip32(p0+delta, maxV))
			if dEp {
				dp := clip3Ref(-(tc >> 1), tc>>1, (((p2+p0+1)>>1)-p1+delta)>>1)
				pl[b-2*across] = uint16(clip32(p1+dp, maxV))
			}
		}
		if !noQ {
			pl[b] = uint16(clip32(q0-delta, maxV))
			if dEq {
				dq := clip3Ref(-(tc >> 1), tc>>1, (((q2+q0+1)>>1)-q1-delta)>>1)
				pl[b+across] = uint16(clip32(q1+dq, maxV))
			}
		}
	}
}

func clip3Ref(lo, hi, v int32) int32 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// TestDeblockReference checks deblock against deblockReference on random
// pictures: random edges on the 8×8 grid, QPs, pcm/lossless blocks, slices
// with their own β and tC offsets, chroma QP offsets, 8 and 10 bits; and
// deblock followed by SAO row by row against the picture-wide order.
func TestDeblockReference(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for iter := 0; iter < 60; iter++ {
		log2Ctb := 4 + rng.Intn(3)
		bd := 8
		if iter%3 == 2 {
			bd = 10
		}
		w := 8 * (4 + rng.Intn(30))
		h := 8 * (4 + rng.Intn(20))
		ctb := 1 << log2Ctb
		s := &sps{width: w, height: h, bitDepthY: bd, bitDepthC: bd, log2Ctb: log2Ctb, ctbSize: ctb,
			picWCtb: (w + ctb - 1) / ctb, picHCtb: (h + ctb - 1) / ctb}
		pp := &pps{numTileCols: 1, numTileRows: 1, uniformSpacing: true,
			cbQPOffset: rng.Intn(25) - 12, crQPOffset: rng.Intn(25) - 12}
		var d Decoder
		p := &d.pic
		p.setup(s, pp)
		nCtb := s.picWCtb * s.picHCtb
		for rs := 0; rs < nCtb; rs++ {
			if rs == 0 || rng.Intn(5) == 0 {
				d.slices = append(d.slices, sliceHeader{sliceAddrRs: rs,
					betaOffsetDiv2: rng.Intn(13) - 6, tcOffsetDiv2: rng.Intn(13) - 6})
			}
			p.ctbHdr[rs] = int32(len(d.slices) - 1)
			p.ctbSlice[rs] = int32(d.slices[len(d.slices)-1].sliceAddrRs)
		}
		qpMin := -6 * (bd - 8)
		for y4 := 0; y4 < p.h4; y4++ {
			for x4 := 0; x4 < p.w4; x4++ {
				i := y4*p.w4 + x4
				var f uint8
				if x4 > 0 && x4%2 == 0 && rng.Intn(3) != 0 {
					f |= edgeVer
				}
				if y4 > 0 && y4%2 == 0 && rng.Intn(3) != 0 {
					f |= edgeHor
				}
				if rng.Intn(10) == 0 {
					f |= noFilter
				}
				p.flags[i] = f
				p.qp[i] = int8(qpMin + rng.Intn(52-qpMin))
			}
		}
		var want [3][]uint16
		for c := 0; c < 3; c++ {
			pl := p.planes[c]
			for i := range pl {
				v := 128<<uint(bd-8) + rng.Intn(9) - 4
				if i > 0 && rng.Intn(8) != 0 {
					v = int(pl[i-1]) + rng.Intn(3) - 1
				}
				if rng.Intn(50) == 0 {
					v += rng.Intn(41) - 20
				}
				pl[i] = uint16(min(max(v, 0), 1<<uint(bd)-1))
			}
			want[c] = append([]uint16(nil), pl...)
		}
		// SAO after deblocking: deblock interleaves them by CTB rows.
		for i := range p.sao {
			sp := &p.sao[i]
			for c := 0; c < 3; c++ {
				sp.typeIdx[c] = uint8(rng.Intn(3))
				sp.bandPos[c] = uint8(rng.Intn(32))
				sp.eoClass[c] = uint8(rng.Intn(4))
				for k := 0; k < 4; k++ {
					sp.offset[c][k] = int16(rng.Intn(15) - 7)
				}
			}
		}
		got := p.planes
		p.planes = want
		d.deblockReference()
		d.applySAO()
		p.planes = got
		d.deblock()
		d.applySAO()
		for c := 0; c < 3; c++ {
			for i, v := range p.planes[c] {
				if v != want[c][i] {
					t.Fatalf("iter %d (%dx%d bd %d): component %d sample (%d,%d) = %d, want %d",
						iter, w, h, bd, c, i%p.stride[c], i/p.stride[c], v, want[c][i])
				}
			}
		}
	}
}
