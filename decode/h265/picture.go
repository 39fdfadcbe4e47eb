package h265

// saoParams holds the SAO parameters of one CTB (§7.4.9.3) for Y, Cb, Cr.
type saoParams struct {
	typeIdx [3]uint8    // 0 off, 1 band, 2 edge
	bandPos [3]uint8    // sao_band_position
	eoClass [3]uint8    // SaoEoClass
	offset  [3][4]int16 // SaoOffsetVal[1..4]
}

// Per 4×4 luma block flags kept for the in-loop filters.
const (
	edgeVer  = 1 << 0 // the left edge is a transform/coding block edge
	edgeHor  = 1 << 1 // the top edge is a transform/coding block edge
	noFilter = 1 << 2 // pcm with pcm_loop_filter_disabled_flag, or cu_transquant_bypass
)

// picture is the decoding state of one picture: sample arrays at full coded
// size and the per-block data that prediction and the loop filters need.
type picture struct {
	sps *sps
	pps *pps

	w, h     int // luma coded size
	cw, ch   int // chroma coded size
	planes   [3][]uint16
	stride   [3]int
	w4, h4   int
	ipm      []uint8 // IntraPredModeY per 4×4 block (DC for PCM)
	qp       []int8  // QpY per 4×4 block
	depth    []uint8 // CtDepth per 4×4 block
	flags    []uint8 // edge* and noFilter per 4×4 block
	zs       []int32 // MinTbAddrZs on the 4×4 grid (§6.5.2)
	ctbSlice []int32 // SliceAddrRs of each CTB, -1 when not decoded
	ctbHdr   []int32 // index into Decoder.slices of each CTB
	sao      []saoParams

	// Tiles (§6.5.1).
	colBd, rowBd []int
	colOf, rowOf []int // tile column/row of each CTB column/row
	rsToTs       []int32
	tsToRs       []int32
	tileRs       []int32 // TileId by raster address

	// Scaling factors m[x][y] (§7.4.5) for the intra matrices, row-major
	// [y*n+x]; nil when scaling lists are off.
	factor [4][3][]uint8
	// factorBuf holds factor's storage, reused from picture to picture.
	factorBuf [4][3][]uint8

	// β and tC of the deblocking filter for the current slice header.
	db dbParams

	// Scratch of intra prediction.
	intra intraScratch

	// Buffers for SAO input (deblocked picture).
	saoSrc [3][]uint16
	// saoUsed and saoNoFilter are saoBegin's decisions for the picture;
	// saoDone is set when deblock has applied SAO too.
	saoUsed     [3]bool
	saoNoFilter bool
	saoDone     bool
	sao8        saoScratch

	// layout is what the tile tables and zs were last derived from; setup
	// derives them again only when it changes (they cost ~13M instructions
	// per 1080p picture and are the same for every picture of a stream).
	layout      layoutKey
	layoutValid bool
}

// layoutKey holds every SPS/PPS value the tile tables (colBd … tileRs) and
// zs depend on.
type layoutKey struct {
	w, h, wCtb, hCtb, log2Ctb int
	tiles, uniform            bool
	nc, nr                    int
	colW                      [MaxTileColumns]int
	rowH                      [MaxTileRows]int
}

func grow16(b []uint16, n int) []uint16 {
	if cap(b) < n {
		return make([]uint16, n)
	}
	return b[:n]
}

func grow8(b []uint8, n int) []uint8 {
	if cap(b) < n {
		return make([]uint8, n)
	}
	return b[:n]
}

func grow32(b []int32, n int) []int32 {
	if cap(b) < n {
		return make([]int32, n)
	}
	return b[:n]
}

// setup prepares the picture for sps/pps, reusing its buffers.
func (p *picture) setup(s *sps, pp *pps) {
	p.sps, p.pps = s, pp
	p.w, p.h = s.width, s.height
	p.cw, p.ch = s.width/2, s.height/2
	p.planes[0] = grow16(p.planes[0], p.w*p.h)
	p.stride[0] = p.w
	for c := 1; c < 3; c++ {
		p.planes[c] = grow16(p.planes[c], p.cw*p.ch)
		p.stride[c] = p.cw
	}
	p.w4, p.h4 = (p.w+3)>>2, (p.h+3)>>2
	n4 := p.w4 * p.h4
	p.ipm = grow8(p.ipm, n4)
	p.depth = grow8(p.depth, n4)
	p.flags = grow8(p.flags, n4)
	if cap(p.qp) < n4 {
		p.qp = make([]int8, n4)
	}
	p.qp = p.qp[:n4]
	for i := range p.flags {
		p.flags[i] = 0
	}
	nCtb := s.picWCtb * s.picHCtb
	p.ctbSlice = grow32(p.ctbSlice, nCtb)
	p.ctbHdr = grow32(p.ctbHdr, nCtb)
	for i := range p.ctbSlice {
		p.ctbSlice[i] = -1
	}
	if cap(p.sao) < nCtb {
		p.sao = make([]saoParams, nCtb)
	}
	p.sao = p.sao[:nCtb]

	key := layoutKey{w: p.w, h: p.h, wCtb: s.picWCtb, hCtb: s.picHCtb, log2Ctb: s.log2Ctb,
		tiles: pp.tiles, uniform: pp.uniformSpacing, nc: pp.numTileCols, nr: pp.numTileRows,
		colW: pp.colWidthMinus1, rowH: pp.rowHeightMinus1}
	if !p.layoutValid || key != p.layout {
		p.layoutValid = false
		p.setupLayout(s, pp)
		p.layout, p.layoutValid = key, true
	}
	p.setupScaling(s, pp)
	p.intra.nbRs = -1
	p.saoDone = false
}

// setupLayout derives the tile tables and zs for s and pp.
func (p *picture) setupLayout(s *sps, pp *pps) {
	nCtb := s.picWCtb * s.picHCtb
	n4 := p.w4 * p.h4
	// Tiles: column and row boundaries (eq. 6-3, 6-4).
	nc, nr := pp.numTileCols, pp.numTileRows
	p.colBd = append(p.colBd[:0], 0)
	p.rowBd = append(p.rowBd[:0], 0)
	for i := 0; i < nc; i++ {
		var w int
		if pp.uniformSpacing || !pp.tiles {
			w = ((i+1)*s.picWCtb)/nc - (i*s.picWCtb)/nc
		} else if i < nc-1 {
			w = pp.colWidthMinus1[i] + 1
		} else {
			w = s.picWCtb - p.colBd[i]
		}
		p.colBd = append(p.colBd, p.colBd[i]+w)
	}
	for j := 0; j < nr; j++ {
		var h int
		if pp.uniformSpacing || !pp.tiles {
			h = ((j+1)*s.picHCtb)/nr - (j*s.picHCtb)/nr
		} else if j < nr-1 {
			h = pp.rowHeightMinus1[j] + 1
		} else {
			h = s.picHCtb - p.rowBd[j]
		}
		p.rowBd = append(p.rowBd, p.rowBd[j]+h)
	}
	p.colOf = p.colOf[:0]
	for i := 0; i < nc; i++ {
		for x := p.colBd[i]; x < p.colBd[i+1]; x++ {
			p.colOf = append(p.colOf, i)
		}
	}
	p.rowOf = p.rowOf[:0]
	for j := 0; j < nr; j++ {
		for y := p.rowBd[j]; y < p.rowBd[j+1]; y++ {
			p.rowOf = append(p.rowOf, j)
		}
	}
	// CtbAddrRsToTs and TileId (eq. 6-5 to 6-7).
	p.rsToTs = grow32(p.rsToTs, nCtb)
	p.tsToRs = grow32(p.tsToRs, nCtb)
	p.tileRs = grow32(p.tileRs, nCtb)
	for rs := 0; rs < nCtb; rs++ {
		tbX, tbY := rs%s.picWCtb, rs/s.picWCtb
		tx, ty := p.colOf[tbX], p.rowOf[tbY]
		v := 0
		for i := 0; i < tx; i++ {
			v += (p.rowBd[ty+1] - p.rowBd[ty]) * (p.colBd[i+1] - p.colBd[i])
		}
		for j := 0; j < ty; j++ {
			v += s.picWCtb * (p.rowBd[j+1] - p.rowBd[j])
		}
		v += (tbY-p.rowBd[ty])*(p.colBd[tx+1]-p.colBd[tx]) + tbX - p.colBd[tx]
		p.rsToTs[rs] = int32(v)
		p.tsToRs[v] = int32(rs)
		p.tileRs[rs] = int32(ty*nc + tx)
	}
	// MinTbAddrZs on the 4×4 grid (eq. 6-10).
	p.zs = grow32(p.zs, n4)
	sh := s.log2Ctb - 2
	for y := 0; y < p.h4; y++ {
		for x := 0; x < p.w4; x++ {
			rs := (y>>sh)*s.picWCtb + x>>sh
			v := int(p.rsToTs[rs]) << (2 * sh)
			for i := 0; i < sh; i++ {
				m := 1 << i
				if m&x != 0 {
					v += m * m
				}
				if m&y != 0 {
					v += 2 * m * m
				}
			}
			p.zs[y*p.w4+x] = int32(v)
		}
	}
}

// setupScaling derives the scaling factors m[x][y] (§7.4.5) for s and pp.
func (p *picture) setupScaling(s *sps, pp *pps) {
	// Scaling factors (§7.4.5).
	for sz := 0; sz < 4; sz++ {
		for m := 0; m < 3; m++ {
			p.factor[sz][m] = nil
		}
	}
	if s.scalingListEnabled {
		sl := &s.scaling
		if pp.scalingListPresent {
			sl = &pp.scaling
		}
		for sz := 0; sz < 4; sz++ {
			n := 4 << sz
			for m := 0; m < 3; m++ {
				f := grow8(p.factorBuf[sz][m], n*n)
				p.factorBuf[sz][m] = f
				if sz == 0 {
					for i, pos := range scanPos[2][0] {
						f[int(pos[1])*4+int(pos[0])] = sl.list[0][m][i]
					}
				} else {
					rep := n / 8
					for i, pos := range scanPos[3][0] {
						for j := 0; j < rep; j++ {
							for k := 0; k < rep; k++ {
								f[(int(pos[1])*rep+j)*n+int(pos[0])*rep+k] = sl.list[sz][m][i]
							}
						}
					}
					if sz >= 2 {
						f[0] = sl.dc[sz][m]
					}
				}
				p.factor[sz][m] = f
			}
		}
	}
}
