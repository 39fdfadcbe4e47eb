package h264

// Deblocking interleaved with decoding, one macroblock row behind.
//
// The deblocking filter (§8.7) applies to the decoded picture after intra
// prediction (§8.3), which reads unfiltered samples; filtering macroblock row
// k (the left, top and internal edges of its macroblocks, in raster order)
// changes only rows k-1 (its bottom three lines) and k. Intra prediction of
// a macroblock in row r reads samples of rows r-1 (bottom line, including
// the top-right) and r only. So once rows 0..k+1 are completely decoded and
// rows 0..k-1 deblocked, row k can be deblocked: every macroblock decoded
// later lies in row k+2 or below and never reads row k, and the filtering
// order stays raster order, so the result is that of filtering the whole
// picture afterwards. The samples of row k are then still in the cache the
// decoding of rows k and k+1 left them in.
//
// Slices may end inside a row and come in any order (arbitrary slice order),
// so the decoder counts the decoded macroblocks of each row; a row counts
// once all rows above it are complete. The rows left when the last slice is
// decoded are filtered by finishRows. A picture with an undecoded
// macroblock is rejected by the decoder and never output, so the rows
// filtered before that is known do no harm.

// rowDeblock is the state of the interleaved deblocking of one picture.
type rowDeblock struct {
	on        bool    // filter rows as they complete (some slice has disable_deblocking_filter_idc != 1)
	mbs       []int32 // decoded macroblocks per macroblock row
	decoded   int     // rows 0..decoded-1 are completely decoded
	deblocked int     // rows 0..deblocked-1 are filtered
	d         deblocker
}

// startRows prepares the interleaved deblocking of picture p, which
// setupPicture has just sized; on tells whether the picture is filtered.
func (p *picture) startRows(on bool) {
	r := &p.rows
	if cap(r.mbs) < p.heightMbs {
		r.mbs = make([]int32, p.heightMbs)
	}
	r.mbs = r.mbs[:p.heightMbs]
	clear(r.mbs)
	r.decoded, r.deblocked = 0, 0
	r.on = on && r.d.init(p)
}

// mbDecoded records that a macroblock of row mby has been decoded (once per
// macroblock: the slice decoder rejects a macroblock coded twice) and
// filters the rows that have become ready.
func (p *picture) mbDecoded(mby int) {
	r := &p.rows
	if uint(mby) >= uint(len(r.mbs)) {
		return
	}
	r.mbs[mby]++
	if mby != r.decoded || int(r.mbs[mby]) < p.widthMbs {
		return
	}
	for r.decoded < len(r.mbs) && int(r.mbs[r.decoded]) >= p.widthMbs {
		r.decoded++
	}
	to := r.decoded - 1 // row decoded-1 waits for the row below it
	if r.decoded == p.heightMbs {
		to = r.decoded // nothing is decoded after the last row
	}
	if to > r.deblocked {
		r.d.rows(r.deblocked, to)
		r.deblocked = to
	}
}

// finishRows filters the rows not filtered yet, once every slice of the
// picture is decoded and every macroblock is known to be.
func (p *picture) finishRows() {
	r := &p.rows
	if r.on && r.deblocked < p.heightMbs {
		r.d.rows(r.deblocked, p.heightMbs)
		r.deblocked = p.heightMbs
	}
}
