package h265

// Sample adaptive offset (§8.7.3).
//
// SAO reads the deblocked picture and writes into the planes, one CTB row
// at a time (saoRow, called by deblock right behind the deblocking of the
// next CTB row): the rows it reads are copied to picture.saoSrc first.
// Each CTB and component is filtered as a rectangle without per-sample
// decisions:
//
//   - band offset: one lookup table per CTB (identity except the four
//     bands of sao_band_position, eq. 8-365);
//   - edge offset: the rectangle of samples whose two neighbours of the
//     class lie in the picture; Sign() comes from a table, and for 8-bit
//     samples SaoOffsetVal plus the clipping from one table of 5×256
//     entries per CTB (rows copied from saoClip8), with Sign(s-a) of a
//     row kept from the row above;
//   - samples the standard leaves unmodified inside that rectangle (a
//     neighbour across a slice or tile boundary that forbids filtering,
//     pcm/lossless blocks) are restored from saoSrc afterwards, which
//     touches only CTB borders and those blocks.

// saoHPos and saoVPos give the two neighbours of each edge offset class
// (Table 8-13 / eq. 8-360).
var saoHPos = [4][2]int{{-1, 1}, {0, 0}, {-1, 1}, {1, -1}}
var saoVPos = [4][2]int{{0, 0}, {-1, 1}, {-1, 1}, {-1, 1}}

// edgeIdx maps 2 + Sign(s-a) + Sign(s-b) to edgeIdx (eq. 8-363, 8-364).
var edgeIdx = [8]int32{1, 2, 0, 3, 4}

// saoSign[d&saoSignMask] is Sign(d) for |d| < 4096 (samples of up to 12
// bits): negative d wrap to the upper half.
const saoSignMask = 1<<13 - 1

var saoSign [saoSignMask + 1]int8

// saoSign256 is saoSign times 256.
var saoSign256 [saoSignMask + 1]int16

// saoIdentity[v] is v, the start of every band offset table.
var saoIdentity [1 << 12]uint16

// saoClip8[o+7][v] is Clip3(0, 255, v+o): the rows of saoScratch.edge8 for
// the 8-bit offsets -7..7 (offset_abs < 1<<(Min(bitDepth,10)-5), §7.4.9.3.2).
var saoClip8 [15][256]uint16

func init() {
	for o := -7; o <= 7; o++ {
		saoEdgeTable8(saoClip8[o+7][:], o)
	}
	for i := 1; i < 4096; i++ {
		saoSign[i] = 1
		saoSign[(saoSignMask+1-i)&saoSignMask] = -1
		saoSign256[i] = 256
		saoSign256[(saoSignMask+1-i)&saoSignMask] = -256
	}
	for i := range saoIdentity {
		saoIdentity[i] = uint16(i)
	}
}

// saoScratch holds the per-CTB tables of SAO.
type saoScratch struct {
	// edge8[(2+Sign(s-a)+Sign(s-b))<<8|s] is the edge offset output of an
	// 8-bit sample s (eq. 8-363 ff. with Clip3).
	edge8 [8 << 8]uint16
	// off are the offsets edge8 was made for, when valid.
	off   [8]int32
	valid bool
	// up holds Sign(s-a)*256 of a row for saoEdgeVert8.
	up [64]int16
}

// applySAO applies sample adaptive offset (§8.7.3) to every CTB, unless
// deblock already did.
func (d *Decoder) applySAO() {
	p := &d.pic
	if p.saoDone {
		p.saoDone = false
		return
	}
	if !d.saoBegin() {
		return
	}
	for ry := 0; ry < p.sps.picHCtb; ry++ {
		d.saoRow(ry)
	}
}

// saoBegin prepares SAO of the picture: which components use it, and
// saoSrc. It reports whether any CTB uses SAO.
func (d *Decoder) saoBegin() bool {
	p := &d.pic
	s := p.sps
	p.saoUsed = [3]bool{}
	for i := range p.sao {
		sp := &p.sao[i]
		for c := 0; c < 3; c++ {
			if sp.typeIdx[c] != 0 {
				p.saoUsed[c] = true
			}
		}
	}
	if !p.saoUsed[0] && !p.saoUsed[1] && !p.saoUsed[2] {
		return false
	}
	for c := 0; c < 3; c++ {
		if p.saoUsed[c] {
			p.saoSrc[c] = grow16(p.saoSrc[c], len(p.planes[c]))
		}
	}
	p.saoNoFilter = p.pps.transquantBypass || (s.pcm && s.pcmLoopFilterDisabled)
	return true
}

// saoRow applies SAO to CTB row ry, whose deblocked samples and those of
// the sample row below it are final. SAO reads the deblocked picture: the
// rows of CTB row ry and the row below are copied to saoSrc first; the row
// above was copied with CTB row ry-1, before SAO changed it.
func (d *Decoder) saoRow(ry int) {
	p := &d.pic
	s := p.sps
	for c := 0; c < 3; c++ {
		if !p.saoUsed[c] {
			continue
		}
		ctb, h := s.ctbSize, p.h
		if c > 0 {
			ctb, h = ctb>>1, p.ch
		}
		y0, y1 := ry*ctb, min((ry+1)*ctb+1, h)
		stride := p.stride[c]
		copy(p.saoSrc[c][y0*stride:y1*stride], p.planes[c][y0*stride:y1*stride])
	}
	for rx := 0; rx < s.picWCtb; rx++ {
		rs := ry*s.picWCtb + rx
		sp := &p.sao[rs]
		for c := 0; c < 3; c++ {
			if sp.typeIdx[c] == 0 {
				continue
			}
			d.saoCTB(rx, ry, rs, c, sp, p.saoNoFilter)
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
	var off [5]int32
	for i := 0; i < 4; i++ {
		off[i+1] = int32(sp.offset[c][i])
	}
	if off == [5]int32{} {
		// Every SaoOffsetVal is 0: the output is the deblocked picture,
		// which the plane already holds.
		return
	}
	if sp.typeIdx[c] == 1 {
		saoBand(&d.saoLUT, src, dst, stride, x0, y0, x1, y1, bitDepth, int(sp.bandPos[c]), &off)
	} else {
		d.saoEdge(rx, ry, rs, c, int(sp.eoClass[c]), x0, y0, x1, y1, w, h, bitDepth, &off)
	}
	if checkNoFilter {
		// pcm_loop_filter_disabled_flag / cu_transquant_bypass_flag
		// samples keep their deblocked value (§8.7.3.1).
		u := 4 >> uint(sub) // samples per 4×4 luma block
		for by := y0; by < y1; by += u {
			fl := p.flags[((by<<sub)>>2)*p.w4:]
			for bx := x0; bx < x1; bx += u {
				if fl[(bx<<sub)>>2]&noFilter == 0 {
					continue
				}
				for y := by; y < min(by+u, y1); y++ {
					o := y*stride + bx
					e := min(bx+u, x1) - bx
					copy(dst[o:o+e], src[o:o+e])
				}
			}
		}
	}
}

// saoBand applies band offset (eq. 8-365 ff.) to the rectangle [x0,x1)×[y0,y1).
func saoBand(lutA *[1 << 12]uint16, src, dst []uint16, stride, x0, y0, x1, y1, bitDepth, bandPos int, off *[5]int32) {
	n := 1 << uint(bitDepth)
	lut := lutA[:n]
	copy(lut, saoIdentity[:n])
	shift := uint(bitDepth - 5)
	maxV := int32(n - 1)
	for k := 0; k < 4; k++ {
		band := (k + bandPos) & 31
		o := off[k+1]
		seg := lut[band<<shift : (band+1)<<shift]
		for i := range seg {
			seg[i] = uint16(clip32(int32(band<<shift+i)+o, maxV))
		}
	}
	// Samples are below 1<<bitDepth, so lut[:n] is all they index; the
	// mask only keeps the index provably in the array.
	for y := y0; y < y1; y++ {
		base := y*stride + x0
		saoBandRow(dst[base:base+x1-x0], src[base:base+x1-x0], lutA[:])
	}
}

// saoBandRow maps cur through lut (4096 entries) into out, four samples per
// step.
func saoBandRow(out, cur []uint16, lut []uint16) {
	out = out[:len(cur)]
	lut = lut[:1<<12]
	i := 0
	for ; i+4 <= len(cur); i += 4 {
		c := cur[i : i+4 : i+4]
		o := out[i : i+4 : i+4]
		o[0] = lut[c[0]&(1<<12-1)]
		o[1] = lut[c[1]&(1<<12-1)]
		o[2] = lut[c[2]&(1<<12-1)]
		o[3] = lut[c[3]&(1<<12-1)]
	}
	for ; i < len(cur); i++ {
		out[i] = lut[cur[i]&(1<<12-1)]
	}
}

// saoEdge applies edge offset of class class (eq. 8-360 ff.) to the CTB
// rectangle [x0,x1)×[y0,y1) of a w×h component plane.
func (d *Decoder) saoEdge(rx, ry, rs, c, class, x0, y0, x1, y1, w, h, bitDepth int, off *[5]int32) {
	p := &d.pic
	src := p.saoSrc[c]
	dst := p.planes[c]
	stride := p.stride[c]
	hp, vp := saoHPos[class], saoVPos[class]
	offA := vp[0]*stride + hp[0]
	offB := vp[1]*stride + hp[1]
	// Samples whose neighbour lies outside the picture are unmodified:
	// leave them out of the rectangle.
	xs, xe, ys, ye := x0, x1, y0, y1
	if class != 1 {
		xs, xe = max(xs, 1), min(xe, w-1)
	}
	if class != 0 {
		ys, ye = max(ys, 1), min(ye, h-1)
	}
	if xs >= xe || ys >= ye {
		return
	}
	cnt := xe - xs
	// offE[2+Sign(s-a)+Sign(s-b)] is SaoOffsetVal[edgeIdx] (eq. 8-363,
	// 8-364).
	var offE [8]int32
	for k := 0; k < 5; k++ {
		offE[k] = off[edgeIdx[k]]
	}
	if bitDepth == 8 {
		t := &p.sao8.edge8
		if !p.sao8.valid || p.sao8.off != offE {
			// Consecutive CTBs often share their offsets: build the
			// table only when they change.
			for k := 0; k < 5; k++ {
				row := t[k<<8 : (k+1)<<8]
				if o := offE[k]; o >= -7 && o <= 7 {
					copy(row, saoClip8[o+7][:])
				} else {
					saoEdgeTable8(row, int(o))
				}
			}
			p.sao8.off, p.sao8.valid = offE, true
		}
		if class == 0 {
			for y := ys; y < ye; y++ {
				base := y*stride + xs
				saoEdgeRowH8(dst[base:base+cnt], src[base-1:base+cnt+1], t[:])
			}
		} else {
			saoEdgeVert8(dst, src, stride, xs, xe, ys, ye, hp[0], t[:], &p.sao8.up)
		}
	} else {
		maxV := int32(1)<<uint(bitDepth) - 1
		for y := ys; y < ye; y++ {
			base := y*stride + xs
			saoEdgeRow(dst[base:base+cnt], src[base:base+cnt], src[base+offA:base+offA+cnt], src[base+offB:base+offB+cnt], &offE, maxV)
		}
	}
	// Slice and tile boundaries (§8.7.3.2): a sample whose neighbour lies
	// in a CTB that may not be used keeps its deblocked value. Only the
	// samples on the CTB's border have neighbours in other CTBs.
	var ok [3][3]bool // [dy+1][dx+1]
	allOK := true
	for dy := -1; dy <= 1; dy++ {
		for dx := -1; dx <= 1; dx++ {
			nx, ny := rx+dx, ry+dy
			if nx < 0 || ny < 0 || nx >= p.sps.picWCtb || ny >= p.sps.picHCtb {
				// Outside the picture: excluded by the rectangle.
				ok[dy+1][dx+1] = true
				continue
			}
			ok[dy+1][dx+1] = d.saoNeighbourOK(nx, ny, rs)
			allOK = allOK && ok[dy+1][dx+1]
		}
	}
	if allOK {
		return
	}
	restore := func(x, y int) {
		for k := 0; k < 2; k++ {
			xn, yn := x+hp[k], y+vp[k]
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
				dst[y*stride+x] = src[y*stride+x]
				return
			}
		}
	}
	for x := xs; x < xe; x++ {
		restore(x, ys)
		if ye-1 > ys {
			restore(x, ye-1)
		}
	}
	for y := ys + 1; y < ye-1; y++ {
		restore(xs, y)
		if xe-1 > xs {
			restore(xe-1, y)
		}
	}
}

// saoEdgeRow applies edge offset to one row of samples of any bit depth:
// cur are the samples, ra and rb their two neighbours of the class.
func saoEdgeRow(out, cur, ra, rb []uint16, offE *[8]int32, maxV int32) {
	ra, rb, out = ra[:len(cur)], rb[:len(cur)], out[:len(cur)]
	for i, v := range cur {
		k := 2 + int(saoSign[(v-ra[i])&saoSignMask]) + int(saoSign[(v-rb[i])&saoSignMask])
		out[i] = uint16(clip32(int32(v)+offE[k&7], maxV))
	}
}

// saoEdgeTable8 sets row[v] to Clip3(0, 255, v+o) for v = 0..255.
func saoEdgeTable8(row []uint16, o int) {
	row = row[:256]
	o = min(max(o, -256), 256)
	// v+o < 0 for v < lo, v+o > 255 for v >= hi.
	lo, hi := max(-o, 0), min(256-o, 256)
	for v := range row[:lo] {
		row[v] = 0
	}
	mid := row[lo:hi]
	for i := range mid {
		mid[i] = uint16(lo + i + o)
	}
	for i := range row[hi:] {
		row[hi+i] = 255
	}
}

// saoEdgeRowH8 applies 8-bit edge offset of class 0 (horizontal) to one
// row: r[i+1] is the sample of out[i], t the table of saoScratch.edge8.
// Sign(s-a) of a sample is -Sign(s-b) of the sample before it.
func saoEdgeRowH8(out, r []uint16, t []uint16) {
	if len(r) < 2 {
		return
	}
	nx := r[2:]
	out = out[:len(nx)]
	sg := saoSign256[:saoSignMask+1]
	t = t[:8<<8]
	cur := r[1]
	sl := int(sg[(cur-r[0])&saoSignMask])
	for i, next := range nx {
		sr := int(sg[(cur-next)&saoSignMask])
		// 512 + 256*(Sign(s-a)+Sign(s-b)) + s
		out[i] = t[(sl+sr+int(cur)+512)&(8<<8-1)]
		sl = -sr
		cur = next
	}
}

// saoEdgeVert8 applies 8-bit edge offset of class 1, 2 or 3 to the
// rectangle [xs,xe)×[ys,ye): neighbour a is at (x+dx, y-1), b at
// (x-dx, y+1). Sign(s-a) of a row is -Sign(s-b) of the row above, kept in
// up (scaled by 256) from row to row; only the one entry that no sample of
// the row above provides is computed afresh.
func saoEdgeVert8(dst, src []uint16, stride, xs, xe, ys, ye, dx int, t []uint16, upBuf *[64]int16) {
	cnt := xe - xs
	up := upBuf[:cnt]
	sg := saoSign256[:saoSignMask+1]
	t = t[:8<<8]
	base := ys*stride + xs
	cur := src[base : base+cnt]
	above := src[base-stride+dx : base-stride+dx+cnt]
	above, up = above[:len(cur)], up[:len(cur)]
	for i, v := range cur {
		up[i] = sg[(v-above[i])&saoSignMask]
	}
	for y := ys; y < ye; y++ {
		base := y*stride + xs
		cur := src[base : base+cnt]
		below := src[base+stride-dx : base+stride-dx+cnt]
		out := dst[base : base+cnt]
		switch dx {
		case 0:
			saoRowV8(out, cur, below, up, t)
		case -1:
			// The next row's entry i+1 is -down of sample i; its entry
			// 0 is Sign(s(xs, y+1) - s(xs-1, y)).
			saoRowD8(out, cur, below, up, t, sg[(src[base+stride]-src[base-1])&saoSignMask])
		default:
			// The next row's entry i-1 is -down of sample i; its last
			// entry is Sign(s(xe-1, y+1) - s(xe, y)).
			saoRowA8(out, cur, below, up, t)
			up[len(up)-1] = sg[(src[base+stride+cnt-1]-src[base+cnt])&saoSignMask]
		}
	}
}

// saoRowV8 is one row of saoEdgeVert8 for class 1.
//
//go:noinline
func saoRowV8(out, cur, below []uint16, u []int16, t []uint16) {
	below, out, u = below[:len(cur)], out[:len(cur)], u[:len(cur)]
	t = t[:8<<8]
	for i, v := range cur {
		down := saoSign256[(v-below[i])&saoSignMask]
		out[i] = t[(int(u[i])+int(down)+int(v)+512)&(8<<8-1)]
		u[i] = -down
	}
}

// saoRowD8 is one row of saoEdgeVert8 for class 2; carry is the next
// row's first entry of u.
//
//go:noinline
func saoRowD8(out, cur, below []uint16, u []int16, t []uint16, carry int16) {
	below, out, u = below[:len(cur)], out[:len(cur)], u[:len(cur)]
	t = t[:8<<8]
	for i, v := range cur {
		down := saoSign256[(v-below[i])&saoSignMask]
		out[i] = t[(int(u[i])+int(down)+int(v)+512)&(8<<8-1)]
		u[i] = carry
		carry = -down
	}
}

// saoRowA8 is one row of saoEdgeVert8 for class 3, but for the last entry
// of u.
func saoRowA8(out, cur, below []uint16, u []int16, t []uint16) {
	if len(cur) == 0 {
		return
	}
	below, out, u = below[:len(cur)], out[:len(cur)], u[:len(cur)]
	t = t[:8<<8]
	v := cur[0]
	down := saoSign256[(v-below[0])&saoSignMask]
	out[0] = t[(int(u[0])+int(down)+int(v)+512)&(8<<8-1)]
	for i := 1; i < len(cur); i++ {
		v := cur[i]
		down := saoSign256[(v-below[i])&saoSignMask]
		out[i] = t[(int(u[i])+int(down)+int(v)+512)&(8<<8-1)]
		u[i-1] = -down
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
