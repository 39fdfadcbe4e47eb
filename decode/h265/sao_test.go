package h265

import (
	"math/rand"
	"testing"
)

// saoReference applies SAO (§8.7.3) one sample at a time, straight from the
// standard, reading src and writing dst.
func (d *Decoder) saoReference(src, dst [3][]uint16) {
	p := &d.pic
	s := p.sps
	checkNoFilter := p.pps.transquantBypass || (s.pcm && s.pcmLoopFilterDisabled)
	for c := 0; c < 3; c++ {
		sub, w, h, bd := 0, p.w, p.h, s.bitDepthY
		if c > 0 {
			sub, w, h, bd = 1, p.cw, p.ch, s.bitDepthC
		}
		maxV := int32(1)<<uint(bd) - 1
		stride := p.stride[c]
		ctb := s.ctbSize >> uint(sub)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				rx, ry := x/ctb, y/ctb
				rs := ry*s.picWCtb + rx
				sp := &p.sao[rs]
				v := int32(src[c][y*stride+x])
				dst[c][y*stride+x] = uint16(v)
				if sp.typeIdx[c] == 0 {
					continue
				}
				if checkNoFilter && p.flags[((y<<sub)>>2)*p.w4+(x<<sub)>>2]&noFilter != 0 {
					continue
				}
				var o int32
				if sp.typeIdx[c] == 1 {
					band := int(v >> uint(bd-5))
					for k := 0; k < 4; k++ {
						if (k+int(sp.bandPos[c]))&31 == band {
							o = int32(sp.offset[c][k])
						}
					}
				} else {
					class := sp.eoClass[c]
					edge := int32(2)
					skip := false
					for k := 0; k < 2; k++ {
						xn, yn := x+saoHPos[class][k], y+saoVPos[class][k]
						if xn < 0 || yn < 0 || xn >= w || yn >= h || !d.saoNeighbourOK(xn/ctb, yn/ctb, rs) {
							skip = true
							break
						}
						edge += sign32(v - int32(src[c][yn*stride+xn]))
					}
					if skip {
						continue
					}
					if e := edgeIdx[edge]; e != 0 {
						o = int32(sp.offset[c][e-1])
					}
				}
				dst[c][y*stride+x] = uint16(clip32(v+o, maxV))
			}
		}
	}
}

func sign32(v int32) int32 {
	if v > 0 {
		return 1
	}
	if v < 0 {
		return -1
	}
	return 0
}

// TestSAOReference checks applySAO (rectangles, tables, restored borders)
// against saoReference on random pictures with slices, tiles, filtering
// across them on or off, and pcm/lossless blocks: paths that x265 streams
// do not all reach.
func TestSAOReference(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
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
			picWCtb: (w + ctb - 1) / ctb, picHCtb: (h + ctb - 1) / ctb,
			pcm: rng.Intn(2) == 0, pcmLoopFilterDisabled: rng.Intn(2) == 0}
		pp := &pps{numTileCols: 1, numTileRows: 1, uniformSpacing: true,
			transquantBypass: rng.Intn(4) == 0, loopFilterAcrossTiles: rng.Intn(2) == 0}
		if s.picWCtb >= 2 && s.picHCtb >= 2 && rng.Intn(2) == 0 {
			pp.tiles = true
			pp.numTileCols, pp.numTileRows = 2, 2
		}
		var d Decoder
		p := &d.pic
		p.setup(s, pp)
		// Slices: runs of CTBs in tile scan, each with its own
		// slice_loop_filter_across_slices_enabled_flag.
		nCtb := s.picWCtb * s.picHCtb
		d.slices = d.slices[:0]
		for ts := 0; ts < nCtb; ts++ {
			if ts == 0 || rng.Intn(6) == 0 {
				d.slices = append(d.slices, sliceHeader{sliceAddrRs: int(p.tsToRs[ts]), loopFilterAcrossSlices: rng.Intn(2) == 0})
			}
			rs := p.tsToRs[ts]
			p.ctbHdr[rs] = int32(len(d.slices) - 1)
			p.ctbSlice[rs] = int32(d.slices[len(d.slices)-1].sliceAddrRs)
		}
		for i := range p.flags {
			if rng.Intn(8) == 0 {
				p.flags[i] |= noFilter
			}
		}
		maxOff := 1<<uint(min(bd, 10)-5) - 1
		for i := range p.sao {
			sp := &p.sao[i]
			for c := 0; c < 3; c++ {
				sp.typeIdx[c] = uint8(rng.Intn(3))
				sp.bandPos[c] = uint8(rng.Intn(32))
				sp.eoClass[c] = uint8(rng.Intn(4))
				for k := 0; k < 4; k++ {
					sp.offset[c][k] = int16(rng.Intn(2*maxOff+1) - maxOff)
				}
			}
		}
		var src, want [3][]uint16
		for c := 0; c < 3; c++ {
			pl := p.planes[c]
			// Smooth noise, so that every edge category occurs.
			for i := range pl {
				v := 128<<uint(bd-8) + rng.Intn(9) - 4
				if i > 0 && rng.Intn(4) != 0 {
					v = int(pl[i-1]) + rng.Intn(5) - 2
				}
				pl[i] = uint16(min(max(v, 0), 1<<uint(bd)-1))
			}
			if rng.Intn(10) == 0 {
				pl[rng.Intn(len(pl))] = uint16(1<<uint(bd) - 1)
				pl[rng.Intn(len(pl))] = 0
			}
			src[c] = append([]uint16(nil), pl...)
			want[c] = make([]uint16, len(pl))
		}
		d.saoReference(src, want)
		d.applySAO()
		for c := 0; c < 3; c++ {
			for i, v := range p.planes[c] {
				if v != want[c][i] {
					t.Fatalf("iter %d (%dx%d ctb %d bd %d tiles %v): component %d sample (%d,%d) = %d, want %d (src %d)",
						iter, w, h, ctb, bd, pp.tiles, c, i%p.stride[c], i/p.stride[c], v, want[c][i], src[c][i])
				}
			}
		}
	}
}
