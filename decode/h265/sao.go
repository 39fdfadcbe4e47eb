package h265

// saoHPos and saoVPos give the two neighbours of each edge offset class
// (Table 8-13 / eq. 8-360).
var saoHPos = [4][2]int{{-1, 1}, {0, 0}, {-1, 1}, {1, -1}}
var saoVPos = [4][2]int{{0, 0}, {-1, 1}, {-1, 1}, {-1, 1}}

// applySAO applies sample adaptive offset (§8.7.3) to every CTB, reading
// the deblocked picture from a copy.
func (d *Decoder) applySAO() {
	p := &d.pic
	s := p.sps
	any := false
	for i := range p.sao {
		sp := &p.sao[i]
		if sp.typeIdx[0] != 0 || sp.typeIdx[1] != 0 || sp.typeIdx[2] != 0 {
			any = true
			break
		}
	}
	if !any {
		return
	}
	for c := 0; c < 3; c++ {
		p.saoSrc[c] = grow16(p.saoSrc[c], len(p.planes[c]))
		copy(p.saoSrc[c], p.planes[c])
	}
	checkNoFilter := p.pps.transquantBypass || (s.pcm && s.pcmLoopFilterDisabled)
	for ry := 0; ry < s.picHCtb; ry++ {
		for rx := 0; rx < s.picWCtb; rx++ {
			rs := ry*s.picWCtb + rx
			sp := &p.sao[rs]
			for c := 0; c < 3; c++ {
				if sp.typeIdx[c] == 0 {
					continue
				}
				d.saoCTB(rx, ry, rs, c, sp, checkNoFilter)
			}
		}
	}
}

func (d *Decoder) saoCTB(rx, ry, rs, c int, sp *saoParams, checkNoFilter bool) {
	p := &d.pic
	s := p.sps
	sub := 0
	w, h := p.w, p.h
	bitDepth := s.bitDepthY
	if c > 0 {
		sub = 1
		w, h = p.cw, p.ch
		bitDepth = s.bitDepthC
	}
	ctb := s.ctbSize >> uint(sub)
	x0, y0 := rx*ctb, ry*ctb
	x1, y1 := min(x0+ctb, w), min(y0+ctb, h)
	src := p.saoSrc[c]
	dst := p.planes[c]
	stride := p.stride[c]
	maxV := int32(1)<<uint(bitDepth) - 1
	var off [5]int32
	for i := 0; i < 4; i++ {
		off[i+1] = int32(sp.offset[c][i])
	}
	if sp.typeIdx[c] == 1 {
		var table [32]uint8
		for k := 0; k < 4; k++ {
			table[(k+int(sp.bandPos[c]))&31] = uint8(k + 1)
		}
		shift := uint(bitDepth - 5)
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				if checkNoFilter && p.flags[((y<<sub)>>2)*p.w4+(x<<sub)>>2]&noFilter != 0 {
					continue
				}
				v := int32(src[y*stride+x])
				dst[y*stride+x] = uint16(clip32(v+off[table[v>>shift]], maxV))
			}
		}
		return
	}
	class := sp.eoClass[c]
	hp, vp := saoHPos[class], saoVPos[class]
	hdr := &d.slices[p.ctbHdr[rs]]
	l := s.log2Ctb
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			if checkNoFilter && p.flags[((y<<sub)>>2)*p.w4+(x<<sub)>>2]&noFilter != 0 {
				continue
			}
			skip := false
			var nb [2]int32
			for k := 0; k < 2; k++ {
				xn, yn := x+hp[k], y+vp[k]
				if xn < 0 || yn < 0 || xn >= w || yn >= h {
					skip = true
					break
				}
				if xn < x0 || xn >= x1 || yn < y0 || yn >= y1 {
					// Neighbour in another CTB: slice and tile boundaries.
					xl, yl := xn<<sub, yn<<sub
					rsN := (yl>>l)*s.picWCtb + xl>>l
					if p.ctbSlice[rsN] != p.ctbSlice[rs] {
						zc := p.zs[((y<<sub)>>2)*p.w4+(x<<sub)>>2]
						zn := p.zs[(yl>>2)*p.w4+xl>>2]
						if zn < zc && !hdr.loopFilterAcrossSlices {
							skip = true
							break
						}
						if zc < zn && !d.slices[p.ctbHdr[rsN]].loopFilterAcrossSlices {
							skip = true
							break
						}
					}
					if !p.pps.loopFilterAcrossTiles && p.tileRs[rsN] != p.tileRs[rs] {
						skip = true
						break
					}
				}
				nb[k] = int32(src[yn*stride+xn])
			}
			if skip {
				continue
			}
			v := int32(src[y*stride+x])
			e := 2 + sign32(v-nb[0]) + sign32(v-nb[1])
			switch e {
			case 0, 1:
				e++
			case 2:
				e = 0
			}
			dst[y*stride+x] = uint16(clip32(v+off[e], maxV))
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
