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
		// Output per input value: one table of 1<<bitDepth entries.
		lut := d.saoLUT[:1<<uint(bitDepth)]
		for v := range lut {
			lut[v] = uint16(clip32(int32(v)+off[table[v>>shift]], maxV))
		}
		lutA := &d.saoLUT
		mask := uint16(len(lut)-1) & (1<<12 - 1)
		for y := y0; y < y1; y++ {
			base := y*stride + x0
			cur := src[base : base+x1-x0]
			out := dst[base : base+x1-x0]
			out = out[:len(cur)]
			if !checkNoFilter {
				for i, v := range cur {
					out[i] = lutA[v&mask]
				}
				continue
			}
			fl := p.flags[((y<<sub)>>2)*p.w4:]
			for i, v := range cur {
				if fl[((x0+i)<<sub)>>2]&noFilter != 0 {
					continue
				}
				out[i] = lut[v&uint16(len(lut)-1)]
			}
		}
		return
	}
	// offE[2+Sign(s-a)+Sign(s-b)] is SaoOffsetVal[edgeIdx] (eq. 8-363,
	// 8-364); indices 5..7 never occur.
	var offE [8]int32
	for k := 0; k < 5; k++ {
		offE[k] = off[edgeIdx[k]]
	}
	class := sp.eoClass[c]
	hp, vp := saoHPos[class], saoVPos[class]
	offA := vp[0]*stride + hp[0]
	offB := vp[1]*stride + hp[1]
	var ok [3][3]bool // [dy+1][dx+1]: samples of that CTB may be used
	allOK := true
	for dy := -1; dy <= 1; dy++ {
		for dx := -1; dx <= 1; dx++ {
			ok[dy+1][dx+1] = d.saoNeighbourOK(rx+dx, ry+dy, rs)
			allOK = allOK && ok[dy+1][dx+1]
		}
	}
	// Interior samples: both neighbours lie in this CTB and the picture.
	// When all eight neighbouring CTBs exist and may be used, every
	// sample of the CTB is such a sample.
	xs, xe, ys, ye := x0+1, x1-1, y0+1, y1-1
	if allOK {
		xs, xe, ys, ye = x0, x1, y0, y1
	}
	if xe > xs {
		for y := ys; y < ye; y++ {
			base := y*stride + xs
			cnt := xe - xs
			cur := src[base : base+cnt]
			ra := src[base+offA : base+offA+cnt]
			rb := src[base+offB : base+offB+cnt]
			out := dst[base : base+cnt]
			var fl []uint8
			if checkNoFilter {
				fl = p.flags[((y<<sub)>>2)*p.w4:]
			}
			if !checkNoFilter {
				ra, rb, out := ra[:len(cur)], rb[:len(cur)], out[:len(cur)]
				for i, v16 := range cur {
					v := int32(v16)
					k := 2 + sgn(v-int32(ra[i])) + sgn(v-int32(rb[i]))
					out[i] = uint16(clip32(v+offE[k&7], maxV))
				}
				continue
			}
			for i, v16 := range cur {
				v := int32(v16)
				k := 2 + sgn(v-int32(ra[i])) + sgn(v-int32(rb[i]))
				if fl[((xs+i)<<sub)>>2]&noFilter != 0 {
					continue
				}
				out[i] = uint16(clip32(v+off[edgeIdx[k&7]], maxV))
			}
		}
	}
	if allOK {
		return
	}
	// Border samples of the CTB: neighbours may be outside the picture or
	// in a neighbouring CTB across a slice or tile boundary (§8.7.3.2).
	border := func(x, y int) {
		if checkNoFilter && p.flags[((y<<sub)>>2)*p.w4+(x<<sub)>>2]&noFilter != 0 {
			return
		}
		var nb [2]int32
		for k := 0; k < 2; k++ {
			xn, yn := x+hp[k], y+vp[k]
			if xn < 0 || yn < 0 || xn >= w || yn >= h {
				return
			}
			dx, dy := 1, 1
			if xn < x0 {
				dx = 0
			} else if xn >= x1 {
				dx = 2
			}
			if yn < y0 {
				dy = 0
			} else if yn >= y1 {
				dy = 2
			}
			if !ok[dy][dx] {
				return
			}
			nb[k] = int32(src[yn*stride+xn])
		}
		v := int32(src[y*stride+x])
		e := edgeIdx[2+sgn(v-nb[0])+sgn(v-nb[1])]
		dst[y*stride+x] = uint16(clip32(v+off[e], maxV))
	}
	for x := x0; x < x1; x++ {
		border(x, y0)
		if y1-1 > y0 {
			border(x, y1-1)
		}
	}
	for y := y0 + 1; y < y1-1; y++ {
		border(x0, y)
		if x1-1 > x0 {
			border(x1-1, y)
		}
	}
}

// saoNeighbourOK reports whether SAO of CTB rs may read samples of the CTB
// at (nx, ny): it exists, and no slice or tile boundary between them
// forbids it (§8.7.3.2).
func (d *Decoder) saoNeighbourOK(nx, ny, rs int) bool {
	p := &d.pic
	s := p.sps
	if nx < 0 || ny < 0 || nx >= s.picWCtb || ny >= s.picHCtb {
		return false
	}
	rsN := ny*s.picWCtb + nx
	if rsN == rs {
		return true
	}
	if p.ctbSlice[rsN] != p.ctbSlice[rs] {
		if p.rsToTs[rsN] < p.rsToTs[rs] {
			if !d.slices[p.ctbHdr[rs]].loopFilterAcrossSlices {
				return false
			}
		} else if !d.slices[p.ctbHdr[rsN]].loopFilterAcrossSlices {
			return false
		}
	}
	if !p.pps.loopFilterAcrossTiles && p.tileRs[rsN] != p.tileRs[rs] {
		return false
	}
	return true
}

// edgeIdx maps 2 + Sign(s-a) + Sign(s-b) to edgeIdx (eq. 8-363, 8-364).
var edgeIdx = [8]int32{1, 2, 0, 3, 4}

// sgn returns -1, 0 or 1 without branches.
func sgn(x int32) int32 { return x>>31 | int32(uint32(-x)>>31) }

func sign32(v int32) int32 {
	if v > 0 {
		return 1
	}
	if v < 0 {
		return -1
	}
	return 0
}
