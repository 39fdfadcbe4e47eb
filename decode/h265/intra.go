package h265

// Intra sample prediction (§8.4.4.2).
//
// The reference samples of an n×n block live in one linear array of 4n+1
// entries, in the order of the substitution process (§8.4.4.2.2):
//
//	ref[0]        p[-1][2n-1]   (bottom of the left column)
//	ref[2n-1-y]   p[-1][y]
//	ref[2n]       p[-1][-1]     (corner)
//	ref[2n+1+x]   p[x][-1]
//	ref[4n]       p[2n-1][-1]   (right end of the top row)
//
// so that substitution is one forward pass and the [1 2 1] filter of
// §8.4.4.2.3 runs straight over the array, corner included. The arrays are
// fixed scratch in picture.intra.

// intraScratch holds the reference sample arrays of one block.
type intraScratch struct {
	ref  [4*32 + 1]int32
	filt [4*32 + 1]int32
	// main is the main reference array of angular prediction, main[64+x]
	// being ref[x] of eq. 8-376 ff. for x from -n to 2n.
	main [3*64 + 1]int32
	// avU is the availability of each unit of ref (a 4×4 luma block's
	// worth of samples), in ref order: the left units bottom first, the
	// corner, the top units.
	avU [2*32 + 1]bool
	// nbOK[dy+1][dx+1] is whether the CTB at (dx, dy) from the CTB nbRs
	// may be used for intra prediction (dy = -1, 0; made by fillIntraNb).
	nbRs, nbSlice int
	nbOK          [2][3]bool
}

// availIntra is the z-scan availability (§6.4.1) of the luma location
// (xN, yN) for the block at (xCurr, yCurr) of the current CTB, as avail
// gives it, for the reference sample locations of intra prediction: the
// column left of the block and the row above it, up to twice the block
// size (at most the CTB size) from its top-left corner. A location in another CTB is available only in the CTBs left,
// above-left, above and above-right of the current one (every other CTB of
// the same tile follows it in tile scan; one in another tile is never
// available), and then for all its samples: one decision per CTB and
// slice, cached in nbOK.
func (d *Decoder) availIntra(xCurr, yCurr, xN, yN int) bool {
	p := &d.pic
	if uint(xN) >= uint(p.w) || uint(yN) >= uint(p.h) {
		return false
	}
	l := uint(p.sps.log2Ctb)
	dx := xN>>l - d.ss.xCtb>>l
	dy := yN>>l - d.ss.yCtb>>l
	if dx == 0 && dy == 0 {
		// Inside the CTB, MinTbAddrZs on the 4×4 grid (eq. 6-10) orders
		// like the bit interleave of the 4×4 coordinates in the CTB; that
		// needs no look-up in the picture-sized zs.
		m := 1<<(l-2) - 1
		zN := zSpread[(xN>>2)&m&15] | zSpread[(yN>>2)&m&15]<<1
		zC := zSpread[(xCurr>>2)&m&15] | zSpread[(yCurr>>2)&m&15]<<1
		return zN <= zC
	}
	if dy > 0 || dy < -1 || dx < -1 || dx > 1 || (dy == 0 && dx > 0) {
		return false
	}
	ip := &p.intra
	ip.nbCheck(d)
	return ip.nbOK[dy+1][dx+1]
}

// zSpread[v] has bit i of v at bit 2i (v < 16: a 64×64 CTB has 16 4×4
// columns and rows).
var zSpread = [16]uint8{0, 1, 4, 5, 16, 17, 20, 21, 64, 65, 68, 69, 80, 81, 84, 85}

// nearAvail is the availability (§6.4.1) of the luma locations left,
// above and above-left of the block at (xL, yL) of the current CTB. Within
// the CTB, those blocks precede the block in z-scan; across its left and
// top boundaries nbOK decides.
func (d *Decoder) nearAvail(xL, yL int) (left, top, corner bool) {
	p := &d.pic
	ip := &p.intra
	ip.nbCheck(d)
	mask := 1<<uint(p.sps.log2Ctb) - 1
	inX, inY := xL&mask != 0, yL&mask != 0 // not on the CTB's left/top boundary
	left = inX || (xL > 0 && ip.nbOK[1][0])
	top = inY || (yL > 0 && ip.nbOK[0][1])
	switch {
	case inX && inY:
		corner = true
	case inX:
		corner = yL > 0 && ip.nbOK[0][1]
	case inY:
		corner = xL > 0 && ip.nbOK[1][0]
	default:
		corner = xL > 0 && yL > 0 && ip.nbOK[0][0]
	}
	return
}

// nbCheck makes nbOK if it is not for the current CTB and slice.
func (ip *intraScratch) nbCheck(d *Decoder) {
	if ip.nbRs != d.ss.ctbAddrRs || ip.nbSlice != d.ss.hdr.sliceAddrRs {
		d.fillIntraNb()
	}
}

// fillIntraNb decides nbOK for the current CTB: the neighbouring CTB must
// lie in the picture, belong to the current slice and to the current tile.
func (d *Decoder) fillIntraNb() {
	p := &d.pic
	s := p.sps
	ip := &p.intra
	rs := d.ss.ctbAddrRs
	cx, cy := rs%s.picWCtb, rs/s.picWCtb
	for dy := -1; dy <= 0; dy++ {
		for dx := -1; dx <= 1; dx++ {
			nx, ny := cx+dx, cy+dy
			ok := false
			if nx >= 0 && ny >= 0 && nx < s.picWCtb && (dy < 0 || dx < 0) {
				rsN := ny*s.picWCtb + nx
				ok = p.ctbSlice[rsN] == int32(d.ss.hdr.sliceAddrRs) && p.tileRs[rsN] == p.tileRs[rs]
			}
			ip.nbOK[dy+1][dx+1] = ok
		}
	}
	ip.nbRs, ip.nbSlice = rs, d.ss.hdr.sliceAddrRs
}

// intraFilterThres[log2N] is intraHorVerDistThres[nTbS] (Table 8-3); the
// entries for 4×4 are above any distance (no filtering).
var intraFilterThres = [6]int{2: 99, 3: 7, 4: 1, 5: 0}

// predict performs intra sample prediction (§8.4.4.2) of the nTbS×nTbS
// block of component cIdx at (xTb, yTb) in that component's samples, writing
// the prediction into the picture.
func (d *Decoder) predict(cIdx, xTb, yTb, log2N, mode int) {
	p := &d.pic
	s := p.sps
	n := 1 << log2N
	bitDepth := s.bitDepthY
	if cIdx > 0 {
		bitDepth = s.bitDepthC
	}
	ip := &p.intra
	ref := d.intraRefs(cIdx, xTb, yTb, log2N, bitDepth)
	// Filtering (§8.4.4.2.3), luma only for 4:2:0.
	if cIdx == 0 && mode != 1 {
		dist := min(abs(mode-26), abs(mode-10))
		if dist > intraFilterThres[log2N] {
			ref = filterRefs(&ip.filt, ref, n, bitDepth, s.strongIntraSmoothing)
		}
	}
	pl := p.planes[cIdx]
	stride := p.stride[cIdx]
	// The block lies inside the plane (coding blocks tile the coded
	// picture), so dst holds all n rows; the row slices below check that.
	dst := pl[yTb*stride+xTb:]
	edge := cIdx == 0 && n < 32 // boundary filters of eq. 8-369, 8-379, 8-387
	switch mode {
	case 0:
		predPlanar(dst, stride, ref, log2N)
	case 1:
		predDC(dst, stride, ref, log2N, edge)
	default:
		d.predAngular(dst, stride, ref, log2N, mode, edge, int32(1)<<uint(bitDepth)-1)
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// intraRefs gathers the reference samples p[x][y] of the block into
// p.intra.ref and substitutes the unavailable ones (§8.4.4.2.2). It returns
// ref[:4n+1].
func (d *Decoder) intraRefs(cIdx, xTb, yTb, log2N, bitDepth int) []int32 {
	p := &d.pic
	ip := &p.intra
	n := 1 << log2N
	ref := ip.ref[:4*n+1]
	pl := p.planes[cIdx]
	stride := p.stride[cIdx]
	sub := 0
	if cIdx > 0 {
		sub = 1
	}
	xL, yL := xTb<<sub, yTb<<sub
	unit := 4 >> sub     // samples per 4×4 luma block
	nu := (2 * n) / unit // units per side
	avU := ip.avU[:2*nu+1]
	// Availability (§6.4.1) is the same for every sample of the first n
	// of the left column and of the top row (they lie in one CTB, next to
	// the block and decoded before it), and for every sample of the next
	// n when those all lie in the picture: they are one aligned n×n block
	// (in luma units), contiguous in z-scan order, in one CTB.
	N := n << sub
	aL0, aT0, aC := d.nearAvail(xL, yL)
	var aL1, aT1 bool
	farL := yL+2*N <= p.h
	farT := xL+2*N <= p.w
	if farL {
		aL1 = d.availIntra(xL, yL, xL-1, yL+N)
	}
	if farT {
		aT1 = d.availIntra(xL, yL, xL+N, yL-1)
	}
	if farL && farT {
		// Near and far halves are uniform: five segments of ref.
		return intraRefsUniform(ref, pl, stride, xTb, yTb, n, bitDepth, aL1, aL0, aC, aT0, aT1)
	}
	half := nu / 2
	// Left column: unit k (k = 0 at the top) is avU[nu-1-k].
	for k := 0; k < half; k++ {
		avU[nu-1-k] = aL0
	}
	for k := half; k < nu; k++ {
		a := aL1
		if !farL {
			a = d.availIntra(xL, yL, xL-1, (yTb+k*unit)<<sub)
		}
		avU[nu-1-k] = a
	}
	avU[nu] = aC
	for k := 0; k < half; k++ {
		avU[nu+1+k] = aT0
	}
	for k := half; k < nu; k++ {
		a := aT1
		if !farT {
			a = d.availIntra(xL, yL, (xTb+k*unit)<<sub, yL-1)
		}
		avU[nu+1+k] = a
	}
	// Gather the available samples. Every unit's samples lie in the plane
	// when the unit is available (avail checks the picture bounds).
	for k := 0; k < nu; k++ {
		if !avU[nu-1-k] {
			continue
		}
		y := yTb + k*unit
		col := pl[y*stride+xTb-1:]
		r := ref[2*n-k*unit-unit : 2*n-k*unit]
		for j := range r {
			r[len(r)-1-j] = int32(col[j*stride])
		}
	}
	if aC {
		ref[2*n] = int32(pl[(yTb-1)*stride+xTb-1])
	}
	for k := 0; k < nu; k++ {
		if !avU[nu+1+k] {
			continue
		}
		o := (yTb-1)*stride + xTb + k*unit
		src := pl[o : o+unit]
		r := ref[2*n+1+k*unit : 2*n+1+k*unit+unit]
		r = r[:len(src)]
		for j, v := range src {
			r[j] = int32(v)
		}
	}
	// Substitution (§8.4.4.2.2), one unit at a time.
	first := -1
	for i, a := range avU {
		if a {
			first = i
			break
		}
	}
	if first < 0 {
		v := int32(1) << uint(bitDepth-1)
		for i := range ref {
			ref[i] = v
		}
		return ref
	}
	// start of unit i in ref
	start := func(i int) int {
		if i <= nu {
			return i * unit
		}
		return 2*n + 1 + (i-nu-1)*unit
	}
	end := func(i int) int {
		if i < nu {
			return i*unit + unit
		}
		if i == nu {
			return 2*n + 1
		}
		return 2*n + 1 + (i-nu)*unit
	}
	v := ref[start(first)]
	for i := 0; i < first; i++ {
		for j := start(i); j < end(i); j++ {
			ref[j] = v
		}
	}
	for i := first + 1; i < len(avU); i++ {
		if avU[i] {
			continue
		}
		s := start(i)
		v := ref[s-1]
		r := ref[s:end(i)]
		for j := range r {
			r[j] = v
		}
	}
	return ref
}

// intraRefsUniform gathers and substitutes ref when each of its five
// segments (far left, near left, corner, near top, far top; n, n, 1, n, n
// samples in ref order) is available or not as a whole.
func intraRefsUniform(ref []int32, pl []uint16, stride, xTb, yTb, n, bitDepth int, aFL, aL, aC, aT, aFT bool) []int32 {
	ref = ref[:4*n+1]
	// Left column, p[-1][y] at ref[2n-1-y]: one strided walk over the
	// available rows.
	if aL {
		y0, y1 := 0, n
		if aFL {
			y1 = 2 * n
		}
		gatherColumn(ref[2*n-y1:2*n-y0], pl[yTb*stride+xTb-1:], stride)
	} else if aFL {
		// Cannot happen for z-scan order (the far left block follows
		// the near one), but handle it as the standard says.
		col := pl[(yTb+n)*stride+xTb-1:]
		for y := n; y < 2*n; y++ {
			ref[2*n-1-y] = int32(col[(y-n)*stride])
		}
	}
	if aC {
		ref[2*n] = int32(pl[(yTb-1)*stride+xTb-1])
	}
	if aT || aFT {
		x0, x1 := 0, 2*n
		if !aT {
			x0 = n
		} else if !aFT {
			x1 = n
		}
		o := (yTb-1)*stride + xTb
		src := pl[o+x0 : o+x1]
		r := ref[2*n+1+x0 : 2*n+1+x1]
		r = r[:len(src)]
		for i, v := range src {
			r[i] = int32(v)
		}
	}
	if aFL && aL && aC && aT && aFT {
		return ref
	}
	type seg struct {
		lo, hi int
		a      bool
	}
	segs := [5]seg{{0, n, aFL}, {n, 2 * n, aL}, {2 * n, 2*n + 1, aC}, {2*n + 1, 3*n + 1, aT}, {3*n + 1, 4*n + 1, aFT}}
	first := -1
	for i := range segs {
		if segs[i].a {
			first = i
			break
		}
	}
	if first < 0 {
		v := int32(1) << uint(bitDepth-1)
		for i := range ref {
			ref[i] = v
		}
		return ref
	}
	if first > 0 {
		v := ref[segs[first].lo]
		r := ref[:segs[first].lo]
		for i := range r {
			r[i] = v
		}
	}
	for i := first + 1; i < len(segs); i++ {
		sg := segs[i]
		if sg.a {
			continue
		}
		v := ref[sg.lo-1]
		r := ref[sg.lo:sg.hi]
		for j := range r {
			r[j] = v
		}
	}
	return ref
}

// gatherColumn sets r[len(r)-1-y] to col[y*stride]: a left reference
// column, bottom sample first.
func gatherColumn(r []int32, col []uint16, stride int) {
	o := (len(r) - 1) * stride
	if len(r) == 0 || o >= len(col) {
		return // never for a block inside the plane; keeps col[o] checked once
	}
	col = col[:o+1]
	for i := range r {
		r[i] = int32(col[o])
		o -= stride
	}
}

// filterRefs filters the reference samples (§8.4.4.2.3) into f: the [1 2 1]
// filter, or bi-linear strong intra smoothing for 32×32 luma blocks with
// smooth references (eq. 8-361 ff.).
func filterRefs(f *[4*32 + 1]int32, ref []int32, n, bitDepth int, strongSmoothing bool) []int32 {
	out := f[:len(ref)]
	last := len(ref) - 1
	tl := ref[2*n]
	bl := ref[0]
	tr := ref[last]
	lim := int32(1) << uint(bitDepth-5)
	if strongSmoothing && n == 32 && abs32(tl+tr-2*ref[2*n+n]) < lim && abs32(tl+bl-2*ref[2*n-n]) < lim {
		out[2*n] = tl
		for i := 0; i < 2*n-1; i++ {
			// pF[-1][y] and pF[x][-1], y, x = 0..62.
			out[2*n-1-i] = ((63-int32(i))*tl + (int32(i)+1)*bl + 32) >> 6
			out[2*n+1+i] = ((63-int32(i))*tl + (int32(i)+1)*tr + 32) >> 6
		}
		out[0] = bl
		out[last] = tr
		return out
	}
	out[0] = bl
	out[last] = tr
	prev, cur := ref[0], ref[1]
	in := ref[2:]
	o := out[1 : 1+len(in)]
	for i, next := range in {
		o[i] = (prev + 2*cur + next + 2) >> 2
		prev, cur = cur, next
	}
	return out
}

// predPlanar is INTRA_PLANAR (§8.4.4.2.5, eq. 8-367), evaluated
// incrementally: the vertical part of each column changes by
// p[-1][nTbS] - p[x][-1] from row to row, the horizontal part of each row
// by p[nTbS][-1] - p[-1][y] from column to column.
func predPlanar(dst []uint16, stride int, ref []int32, log2N int) {
	n := 1 << log2N
	top := ref[2*n+1 : 2*n+1+n] // p[x][-1]
	tr := ref[3*n+1]            // p[nTbS][-1]
	bl := ref[n-1]              // p[-1][nTbS]
	var vert, dv [32]int32
	vt := vert[:len(top)]
	dt := dv[:len(top)]
	for x, t := range top {
		vt[x] = int32(n-1)*t + bl + int32(n)
		dt[x] = bl - t
	}
	sh := uint(log2N + 1)
	// Two rows per pass (n is even): the vertical parts are loaded and
	// stored once for both.
	for y := 0; y < n; y += 2 {
		l0, l1 := ref[2*n-1-y], ref[2*n-2-y] // p[-1][y], p[-1][y+1]
		h0, h1 := int32(n-1)*l0+tr, int32(n-1)*l1+tr
		dh0, dh1 := tr-l0, tr-l1
		row0 := dst[y*stride : y*stride+n]
		row1 := dst[(y+1)*stride : (y+1)*stride+n]
		row0, row1 = row0[:len(vt)], row1[:len(vt)]
		for x, v := range vt {
			d := dt[x]
			row0[x] = uint16((v + h0) >> sh)
			row1[x] = uint16((v + d + h1) >> sh)
			vt[x] = v + 2*d
			h0 += dh0
			h1 += dh1
		}
	}
}

// predDC is INTRA_DC (§8.4.4.2.6), with the edge filter of eq. 8-369 ff.
// when edge is set.
func predDC(dst []uint16, stride int, ref []int32, log2N int, edge bool) {
	n := 1 << log2N
	sum := int32(n)
	for _, v := range ref[n : 2*n] { // p[-1][y], y = n-1..0
		sum += v
	}
	top := ref[2*n+1 : 3*n+1]
	for _, v := range top {
		sum += v
	}
	dc := sum >> uint(log2N+1)
	dc16 := uint16(dc)
	row0 := dst[:n]
	for x := range row0 {
		row0[x] = dc16
	}
	copyRows(dst, stride, n)
	if !edge {
		return
	}
	row := dst[:n]
	row[0] = uint16((ref[2*n-1] + 2*dc + top[0] + 2) >> 2)
	for x := 1; x < len(row) && x < len(top); x++ {
		row[x] = uint16((top[x] + 3*dc + 2) >> 2)
	}
	for y := 1; y < n; y++ {
		dst[y*stride] = uint16((ref[2*n-1-y] + 3*dc + 2) >> 2)
	}
}

// predAngular is INTRA_ANGULAR2..34 (§8.4.4.2.6, eq. 8-376 ff.).
func (d *Decoder) predAngular(dst []uint16, stride int, ref []int32, log2N, mode int, edge bool, maxV int32) {
	ip := &d.pic.intra
	n := 1 << log2N
	angle := intraPredAngle[mode]
	const o = 64 // main[o+x] is ref[x] of the equations, x from -n to 2n
	m := ip.main[:]
	if mode >= 18 {
		// Vertical modes: the main reference is the top row.
		copy(m[o:o+2*n+1], ref[2*n:4*n+1])
		if angle < 0 {
			if lo := (n * angle) >> 5; lo < -1 {
				inv := invAngle[mode]
				for x := lo; x <= -1; x++ {
					m[o+x] = ref[2*n-((x*inv+128)>>8)] // p[-1][-1+((x*invAngle+128)>>8)]
				}
			}
		}
		if angle == 0 {
			// Pure vertical (mode 26): copies of the top row.
			top := m[o+1 : o+1+n]
			row0 := dst[:len(top)]
			for x, v := range top {
				row0[x] = uint16(v)
			}
			copyRows(dst, stride, n)
			if edge {
				tl := ref[2*n]
				t0 := ref[2*n+1]
				for y := 0; y < n; y++ {
					dst[y*stride] = uint16(clip32(t0+((ref[2*n-1-y]-tl)>>1), maxV))
				}
			}
			return
		}
		for y := 0; y < n; y++ {
			pos := (y + 1) * angle
			iIdx := pos >> 5
			iFact := int32(pos & 31)
			row := dst[y*stride : y*stride+n]
			b := m[o+iIdx+1 : o+iIdx+1+n+1]
			if iFact == 0 {
				b = b[:len(row)]
				for x := range row {
					row[x] = uint16(b[x])
				}
				continue
			}
			// ((32-f)*a + f*b + 16) >> 5 is a + ((f*(b-a) + 16) >> 5).
			b0 := b[:len(row)]
			b1 := b[1 : len(row)+1]
			for x := range row {
				a := b0[x]
				row[x] = uint16(a + (iFact*(b1[x]-a)+16)>>5)
			}
		}
		return
	}
	// Horizontal modes: the main reference is the left column; the
	// prediction is the transpose of the vertical case.
	for x := 0; x <= 2*n; x++ {
		m[o+x] = ref[2*n-x]
	}
	if angle < 0 {
		if lo := (n * angle) >> 5; lo < -1 {
			inv := invAngle[mode]
			for x := lo; x <= -1; x++ {
				m[o+x] = ref[2*n+((x*inv+128)>>8)] // p[-1+((x*invAngle+128)>>8)][-1]
			}
		}
	}
	if angle == 0 {
		// Pure horizontal (mode 10): each row is p[-1][y].
		for y := 0; y < n; y++ {
			v := uint16(m[o+1+y])
			row := dst[y*stride : y*stride+n]
			for x := range row {
				row[x] = v
			}
		}
		if edge {
			tl := ref[2*n]
			l0 := ref[2*n-1]
			row := dst[:n]
			top := ref[2*n+1 : 2*n+1+n]
			top = top[:len(row)]
			for x := range row {
				row[x] = uint16(clip32(l0+((top[x]-tl)>>1), maxV))
			}
		}
		return
	}
	for x := 0; x < n; x++ {
		pos := (x + 1) * angle
		iIdx := pos >> 5
		iFact := int32(pos & 31)
		b := m[o+iIdx+1 : o+iIdx+1+n+1]
		col := dst[x:]
		if iFact == 0 {
			for y, v := range b[:n] {
				col[y*stride] = uint16(v)
			}
			continue
		}
		b0 := b[:n]
		b1 := b[1 : n+1]
		for y, a := range b0 {
			col[y*stride] = uint16(a + (iFact*(b1[y]-a)+16)>>5)
		}
	}
}

// copyRows copies the first n samples of dst to the next n-1 rows.
func copyRows(dst []uint16, stride, n int) {
	switch n {
	case 4:
		r0 := dst[:4]
		for y := 1; y < 4; y++ {
			r := dst[y*stride : y*stride+4]
			r[0], r[1], r[2], r[3] = r0[0], r0[1], r0[2], r0[3]
		}
	case 8:
		r0 := dst[:8]
		for y := 1; y < 8; y++ {
			r := dst[y*stride : y*stride+8]
			r[0], r[1], r[2], r[3] = r0[0], r0[1], r0[2], r0[3]
			r[4], r[5], r[6], r[7] = r0[4], r0[5], r0[6], r0[7]
		}
	case 16:
		// Array assignments compile to inline vector moves, not a
		// memmove call per row.
		r0 := *(*[16]uint16)(dst)
		for y := 1; y < 16; y++ {
			*(*[16]uint16)(dst[y*stride:]) = r0
		}
	case 32:
		a := *(*[16]uint16)(dst)
		b := *(*[16]uint16)(dst[16:])
		for y := 1; y < 32; y++ {
			r := dst[y*stride:]
			*(*[16]uint16)(r) = a
			*(*[16]uint16)(r[16:]) = b
		}
	default:
		row0 := dst[:n]
		for y := 1; y < n; y++ {
			copy(dst[y*stride:y*stride+n], row0)
		}
	}
}

func abs32(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

func clip32(v, maxV int32) int32 {
	if v < 0 {
		return 0
	}
	if v > maxV {
		return maxV
	}
	return v
}
