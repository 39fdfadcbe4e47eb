package mkv

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/stills/stills/decode"
	"github.com/stills/stills/media"
)

// Demuxer reads one Matroska/WebM input. It implements media.Source. Scan
// and Fragments may be called from several goroutines (they serialise on an
// internal lock); ReadSample only uses ReadAt and runs concurrently.
type Demuxer struct {
	ra     io.ReaderAt
	size   int64
	closer io.Closer

	mu sync.Mutex
	w  window

	first   segment // the first Segment's metadata, read by Open
	cues    []cue   // the first Segment's Cues, video track first
	cueMode bool    // Scan seeks with cues (see cueUsable)

	full  *walkResult                // the whole-file walk, made once
	fullP atomic.Pointer[walkResult] // the same, for ReadSample without the lock

	// The last EBML header and Tracks parsed, to skip reparsing the copies
	// that precede every Segment of GetMedia output.
	lastHeader, lastTracksRaw []byte
	lastTracks                []trackInfo
}

var _ media.Source = (*Demuxer)(nil)

// segment is one Segment's metadata.
type segment struct {
	pos, dataPos int64
	end          int64 // -1 when the size is unknown
	info         segInfo
	tracks       []trackInfo
	video        int // index into tracks of the sampled video track, -1 when none
}

// chooseVideo picks the first H.264/H.265 video track, else the first video
// track, else -1.
func chooseVideo(ts []trackInfo) int {
	for i := range ts {
		if ts[i].Video && ts[i].Codec != decode.CodecUnknown {
			return i
		}
	}
	for i := range ts {
		if ts[i].Video {
			return i
		}
	}
	return -1
}

// Open reads the EBML header and the first Segment's metadata (everything
// before its first Cluster, and Cues named by its SeekHead).
func Open(r io.ReaderAt, size int64) (*Demuxer, error) {
	d := &Demuxer{ra: r, size: size, w: window{ra: r, size: size}}
	if err := d.open(); err != nil {
		if err == errTruncated || err == io.EOF {
			err = &FormatError{Offset: size, Msg: "input ends inside the metadata before the first Cluster"}
		}
		return nil, err
	}
	return d, nil
}

// OpenFile opens a Matroska file; Close closes it.
func OpenFile(path string) (*Demuxer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	d, err := Open(f, st.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	d.closer = f
	return d, nil
}

// Close closes the file opened by OpenFile; otherwise it does nothing.
func (d *Demuxer) Close() error {
	if d.closer != nil {
		return d.closer.Close()
	}
	return nil
}

// maxPreClusterElements bounds the elements Open reads before the first Cluster.
const maxPreClusterElements = 4096

func (d *Demuxer) open() error {
	h, err := d.w.readHeader(0)
	if err != nil || h.id != eidEBML {
		return ErrNotMatroska
	}
	if err := d.readEBMLHeader(h); err != nil {
		return err
	}
	pos := h.end()
	for {
		h, err = d.w.readHeader(pos)
		if err != nil {
			return d.wrapEOF(err, pos, "looking for the Segment")
		}
		if h.id == eidSegment {
			break
		}
		if h.id != eidVoid && h.id != eidCRC32 || h.size == unknownSize {
			return &FormatError{Offset: h.pos, ID: h.id, Msg: "expected a Segment after the EBML header"}
		}
		pos = h.end()
	}
	seg := segment{pos: h.pos, dataPos: h.dataPos(), end: h.end(), info: segInfo{scale: defaultTimecodeScale}, video: -1}
	kvs := false
	cuesPos := int64(-1)
	pos = seg.dataPos
	for i := 0; i < maxPreClusterElements; i++ {
		if seg.end >= 0 && pos >= seg.end {
			break
		}
		h, err = d.w.readHeader(pos)
		if err == io.EOF || err == errTruncated {
			break
		}
		if err != nil {
			return err
		}
		if h.id == eidCluster || h.id == eidEBML || h.id == eidSegment {
			break
		}
		if h.size == unknownSize {
			return &FormatError{Offset: h.pos, ID: h.id, Msg: "unknown size is only allowed for Segment and Cluster"}
		}
		switch h.id {
		case eidInfo, eidTracks, eidTags, eidSeekHead, eidCues:
			elem, err := d.readElem(h)
			if err != nil {
				return err
			}
			switch h.id {
			case eidInfo:
				if seg.info, err = parseInfo(elem, h.pos); err != nil {
					return err
				}
			case eidTracks:
				if err = d.setTracks(&seg, elem, h.pos); err != nil {
					return err
				}
			case eidTags:
				if parseTags(elem[h.hlen:]) != nil {
					kvs = true
				}
			case eidSeekHead:
				if p := cuesPosition(elem); p >= 0 {
					cuesPos = p
				}
			case eidCues:
				if d.cues, err = parseCues(elem, h.pos); err != nil {
					return err
				}
			}
		}
		pos = h.end()
	}
	d.first = seg
	if d.cues == nil && cuesPos >= 0 && seg.dataPos+cuesPos < d.size {
		if h, err := d.w.readHeader(seg.dataPos + cuesPos); err == nil && h.id == eidCues {
			if elem, err := d.readElem(h); err == nil {
				d.cues, _ = parseCues(elem, h.pos) // unusable Cues only cost the seek
			}
		}
	}
	if seg.video >= 0 && len(d.cues) > 0 {
		vn := seg.tracks[seg.video].Number
		vc := d.cues[:0:0]
		for _, c := range d.cues {
			if c.track == vn {
				vc = append(vc, c)
			}
		}
		if len(vc) > 0 {
			d.cues = vc
		}
		sort.SliceStable(d.cues, func(i, j int) bool { return d.cues[i].time < d.cues[j].time })
	}
	// Cues only describe this Segment: use them when it is the only one and
	// its timestamps do not come from Kinesis tags.
	d.cueMode = len(d.cues) > 0 && !kvs && seg.end >= 0 && seg.end >= d.size
	return nil
}

func (d *Demuxer) wrapEOF(err error, pos int64, what string) error {
	if err == io.EOF || err == errTruncated {
		return &FormatError{Offset: pos, Msg: "input ends " + what}
	}
	return err
}

// readElem reads a metadata element whole, header included.
func (d *Demuxer) readElem(h header) ([]byte, error) {
	if h.size == unknownSize {
		return nil, &FormatError{Offset: h.pos, ID: h.id, Msg: "unknown size not allowed for this element"}
	}
	if h.size > MaxMetadataSize {
		return nil, &FormatError{Offset: h.pos, ID: h.id, Msg: fmt.Sprintf("size %d exceeds the limit of %d bytes (MaxMetadataSize)", h.size, MaxMetadataSize)}
	}
	full := header{id: h.id, pos: h.pos, hlen: 0, size: int64(h.hlen) + h.size}
	return d.w.readAll(full, MaxMetadataSize+16)
}

func (d *Demuxer) readEBMLHeader(h header) error {
	if h.size == unknownSize || h.size > 4096 {
		return &FormatError{Offset: h.pos, ID: h.id, Msg: "EBML header too large or of unknown size"}
	}
	elem, err := d.readElem(h)
	if err != nil {
		return err
	}
	// GetMedia output repeats the same header before every Segment.
	if d.lastHeader != nil && bytes.Equal(elem, d.lastHeader) {
		return nil
	}
	if err := parseEBMLHeader(elem, h.pos); err != nil {
		return err
	}
	d.lastHeader = elem
	return nil
}

func (d *Demuxer) setTracks(seg *segment, elem []byte, pos int64) error {
	// Segments of GetMedia output repeat identical Tracks: reuse the parse
	// (a copy: the Annex B detection updates the entries).
	var ts []trackInfo
	if d.lastTracksRaw != nil && bytes.Equal(elem, d.lastTracksRaw) {
		ts = append([]trackInfo(nil), d.lastTracks...)
	} else {
		var err error
		if ts, err = parseTracks(elem, pos); err != nil {
			return err
		}
		d.lastTracksRaw, d.lastTracks = elem, append([]trackInfo(nil), ts...)
	}
	seg.tracks = ts
	seg.video = chooseVideo(ts)
	return nil
}

// clusterRec is one Cluster found by a walk.
type clusterRec struct {
	pos, size int64
	seg       int
	tc        int64 // Cluster timestamp in ns (ticks × TimestampScale), Segment-relative
	tags      *kvsTags
	first, n  int   // its video samples: walk.samples[first : first+n]
	end       int64 // latest end of a block with a known duration (ns, Segment-relative), -1 none
}

// walkResult is the structure found by walking (part of) the input. Sample
// times hold Segment-relative ns until groupFragments turns them into times
// on both timelines.
type walkResult struct {
	segs     []segment
	clusters []clusterRec
	samples  []media.Sample
	frags    []fragRec
	err      error // why the walk stopped early (corrupt data after indexed media), nil at a clean end

	// refSeg is the Segment whose tracks every Index reports: the first
	// with a video track (0 when none has one). prefix[k], for a Segment k
	// whose video CodecPrivate differs from refSeg's, holds its parameter
	// sets framed like the samples, for ReadSample to put before each of
	// its keyframes (nil otherwise).
	refSeg int
	prefix [][]byte
}

// fragRec is one fragment: clusters [c0, c1) of the walk.
type fragRec struct {
	media.Fragment
	c0, c1  int
	seg     int
	s0, s1  int // samples
	hasTags bool
	lastEnd [2]media.Time // latest sample time (+ duration) on each timeline
}

// walker walks elements from a position, collecting clusters and samples.
type walker struct {
	d       *Demuxer
	ctx     context.Context
	res     *walkResult
	seg     int      // current segment index, -1 before the first
	pending *kvsTags // Kinesis tags waiting for the next Cluster
	segCl   int      // index of the last Cluster of the current segment, -1
	// stop, when set, is asked after each Cluster whether to end the walk.
	stop func(c *clusterRec) bool
	lace [MaxLaceFrames]int64 // lace frame sizes, reused
}

func (wk *walker) curSeg() *segment {
	if wk.seg < 0 {
		return nil
	}
	return &wk.res.segs[wk.seg]
}

// walk walks from pos to the end of the input (or until stop says so).
func (wk *walker) walk(pos int64) error {
	w := &wk.d.w
	for count := 0; ; count++ {
		if count&255 == 0 {
			if err := wk.ctx.Err(); err != nil {
				return err
			}
		}
		h, err := w.readHeader(pos)
		if err == io.EOF || err == errTruncated {
			return nil
		}
		if err != nil {
			return err
		}
		switch h.id {
		case eidEBML:
			if err := wk.d.readEBMLHeader(h); err != nil {
				return err
			}
			wk.seg, wk.pending, wk.segCl = -1, nil, -1
			pos = h.end()
			continue
		case eidSegment:
			if len(wk.res.segs) >= MaxSegments {
				return &FormatError{Offset: h.pos, ID: h.id, Msg: fmt.Sprintf("more than %d Segments (MaxSegments)", MaxSegments)}
			}
			s := segment{pos: h.pos, dataPos: h.dataPos(), end: h.end(), info: segInfo{scale: defaultTimecodeScale}, video: -1}
			if n := len(wk.res.segs); n > 0 {
				// A Segment without its own Tracks keeps the previous ones.
				prev := wk.res.segs[n-1]
				s.tracks, s.video = prev.tracks, prev.video
			}
			wk.res.segs = append(wk.res.segs, s)
			wk.seg, wk.pending, wk.segCl = len(wk.res.segs)-1, nil, -1
			pos = h.dataPos()
			continue
		case eidCluster:
			if wk.seg < 0 {
				return &FormatError{Offset: h.pos, ID: h.id, Msg: "Cluster outside a Segment"}
			}
			c, stopNow, err := wk.cluster(h)
			if err != nil {
				return err
			}
			if c == nil { // truncated before the Cluster held anything
				return nil
			}
			if c.size < 0 { // truncated inside the Cluster
				c.size = wk.d.size - c.pos
				return nil
			}
			pos = c.pos + c.size
			if stopNow {
				return nil
			}
			continue
		}
		if h.size == unknownSize {
			return &FormatError{Offset: h.pos, ID: h.id, Msg: "unknown size is only allowed for Segment and Cluster"}
		}
		switch h.id {
		case eidInfo, eidTracks, eidTags:
			s := wk.curSeg()
			if s == nil {
				return &FormatError{Offset: h.pos, ID: h.id, Msg: "element outside a Segment"}
			}
			elem, err := wk.d.readElem(h)
			if err == errTruncated {
				return nil
			}
			if err != nil {
				return err
			}
			switch h.id {
			case eidInfo:
				if s.info, err = parseInfo(elem, h.pos); err != nil {
					return err
				}
			case eidTracks:
				if err := wk.d.setTracks(s, elem, h.pos); err != nil {
					return err
				}
			case eidTags:
				if k := parseTags(elem[h.hlen:]); k != nil {
					if wk.segCl >= 0 && wk.res.clusters[wk.segCl].tags == nil && wk.pending == nil {
						wk.res.clusters[wk.segCl].tags = k // tags written after their Cluster
					} else {
						wk.pending = k
					}
				}
			}
		}
		pos = h.end()
	}
}

// isClusterChild reports whether id may appear inside a Cluster (RFC 9559
// §5.1.3); any other ID ends a Cluster of unknown size.
func isClusterChild(id uint32) bool {
	switch id {
	case eidTimestamp, eidSilentTracks, eidPosition, eidPrevSize, eidSimpleBlock,
		eidBlockGroup, eidEncryptedBlock, eidVoid, eidCRC32:
		return true
	}
	return false
}

// cluster reads one Cluster: its timestamp and block headers, skipping
// payloads. It returns the record (size -1 when the input ends inside it).
func (wk *walker) cluster(h header) (*clusterRec, bool, error) {
	if len(wk.res.clusters) >= MaxClusters {
		return nil, false, &FormatError{Offset: h.pos, ID: h.id, Msg: fmt.Sprintf("more than %d Clusters (MaxClusters)", MaxClusters)}
	}
	seg := wk.curSeg()
	wk.res.clusters = append(wk.res.clusters, clusterRec{pos: h.pos, size: -1, seg: wk.seg, tc: -1, first: len(wk.res.samples), end: -1})
	ci := len(wk.res.clusters) - 1
	c := &wk.res.clusters[ci]
	if wk.pending != nil {
		c.tags, wk.pending = wk.pending, nil
	}
	wk.segCl = ci
	w := &wk.d.w
	end := h.end()
	pos := h.dataPos()
	for {
		if end >= 0 && pos >= end {
			c.size = end - c.pos
			break
		}
		ch, err := w.readHeader(pos)
		if err == io.EOF && end < 0 {
			c.size = pos - c.pos
			break
		}
		if err == io.EOF || err == errTruncated {
			break // the input ends inside the Cluster
		}
		if err != nil {
			return nil, false, err
		}
		if end < 0 && !isClusterChild(ch.id) {
			c.size = pos - c.pos // a Cluster of unknown size ends here
			break
		}
		if ch.size == unknownSize || (end >= 0 && ch.end() > end) {
			return nil, false, &FormatError{Offset: ch.pos, ID: ch.id, Msg: "element runs past the end of its Cluster (or has unknown size)"}
		}
		if (ch.id == eidSimpleBlock && ch.size > MaxBlockSize) || (ch.id == eidBlockGroup && ch.size > MaxBlockGroupSize) {
			return nil, false, &FormatError{Offset: ch.pos, ID: ch.id, Msg: fmt.Sprintf("block of %d bytes exceeds MaxBlockSize (%d)", ch.size, MaxBlockSize)}
		}
		if ch.end() > wk.d.size {
			break // truncated block: drop it
		}
		switch ch.id {
		case eidTimestamp:
			b, err := w.peek(ch.dataPos(), int(min(ch.size, 9)))
			if err != nil {
				return nil, false, err
			}
			v, ok := readUint(b[:min(ch.size, int64(len(b)))])
			if !ok || ch.size > 8 {
				return nil, false, &FormatError{Offset: ch.pos, ID: ch.id, Msg: "Cluster Timestamp longer than 8 bytes"}
			}
			if v > uint64(math.MaxInt64/2/seg.info.scale) {
				return nil, false, &FormatError{Offset: ch.pos, ID: ch.id, Msg: "Cluster Timestamp out of range"}
			}
			c.tc = int64(v) * seg.info.scale
		case eidSimpleBlock:
			if err := wk.block(c, seg, ch.dataPos(), ch.size, true, false, -1); err != nil {
				return nil, false, err
			}
		case eidBlockGroup:
			if err := wk.blockGroup(c, seg, ch); err != nil {
				return nil, false, err
			}
		}
		pos = ch.end()
	}
	if c.tc < 0 {
		c.tc = 0 // a Cluster without blocks may omit its Timestamp; blocks checked below
	}
	c.n = len(wk.res.samples) - c.first
	stop := false
	if wk.stop != nil && c.size >= 0 {
		stop = wk.stop(c)
	}
	return c, stop, nil
}

// blockGroup reads a BlockGroup (RFC 9559 §10.2): its Block header,
// BlockDuration and whether it has a ReferenceBlock.
func (wk *walker) blockGroup(c *clusterRec, seg *segment, g header) error {
	if g.size > MaxBlockGroupSize {
		return &FormatError{Offset: g.pos, ID: g.id, Msg: fmt.Sprintf("BlockGroup of %d bytes exceeds MaxBlockGroupSize", g.size)}
	}
	w := &wk.d.w
	var blockPos, blockSize int64 = -1, 0
	dur := int64(-1)
	ref := false
	for pos := g.dataPos(); pos < g.end(); {
		ch, err := w.readHeader(pos)
		if err != nil {
			if err == io.EOF {
				err = errTruncated
			}
			return wrapAt(err, pos)
		}
		if ch.size == unknownSize || ch.end() > g.end() {
			return &FormatError{Offset: ch.pos, ID: ch.id, Msg: "element runs past the end of its BlockGroup"}
		}
		switch ch.id {
		case eidBlock:
			blockPos, blockSize = ch.dataPos(), ch.size
		case eidBlockDuration:
			b, err := w.peek(ch.dataPos(), int(min(ch.size, 9)))
			if err != nil {
				return wrapAt(err, ch.pos)
			}
			v, ok := readUint(b[:min(ch.size, int64(len(b)))])
			if !ok || ch.size > 8 || v > 1<<40 {
				return &FormatError{Offset: ch.pos, ID: ch.id, Msg: "BlockDuration out of range"}
			}
			dur = int64(v)
		case eidReferenceBlock:
			ref = true
		}
		pos = ch.end()
	}
	if blockPos < 0 {
		return nil // a BlockGroup without a Block carries no frame
	}
	return wk.block(c, seg, blockPos, blockSize, false, !ref, dur)
}

func wrapAt(err error, pos int64) error {
	if err == errTruncated {
		return &FormatError{Offset: pos, Msg: "element runs past the end of the input"}
	}
	return err
}

// maxLaceHeader bounds the lace header of a block (Xiph sizes need one
// byte per 255 bytes of frame).
const maxLaceHeader = 1 << 18

// block reads a SimpleBlock or Block header (RFC 9559 §10.1, §10.3) at pos
// (size bytes of block data). For a SimpleBlock the keyframe flag is in the
// header; for a Block it is key. dur is BlockDuration in ticks or -1.
func (wk *walker) block(c *clusterRec, seg *segment, pos, size int64, simple, key bool, dur int64) error {
	if size > MaxBlockSize {
		return &FormatError{Offset: pos, Msg: fmt.Sprintf("block of %d bytes exceeds MaxBlockSize", size)}
	}
	if size < 4 {
		return nil // too short to hold a header and a frame: skip it
	}
	if c.tc < 0 {
		c.tc = 0 // a Cluster must start with its Timestamp; treat a missing one as 0
	}
	w := &wk.d.w
	b, err := w.peek(pos, int(min(size, 16)))
	if err != nil {
		return wrapAt(err, pos)
	}
	b = b[:min(size, int64(len(b)))]
	track, n := parseVint(b)
	if n == 0 || n+3 > len(b) {
		return &FormatError{Offset: pos, Msg: "invalid block header"}
	}
	rel := int64(int16(uint16(b[n])<<8 | uint16(b[n+1])))
	flags := b[n+2]
	hdr := int64(n + 3)
	if simple {
		key = flags&0x80 != 0
	}
	t := c.tc + rel*seg.info.scale
	lacing := (flags >> 1) & 3
	vi := seg.video
	var ti *trackInfo
	for i := range seg.tracks {
		if seg.tracks[i].Number == track {
			ti = &seg.tracks[i]
			if i != vi {
				vi = -2
			}
			break
		}
	}
	if ti == nil {
		return nil // a block of a track the Tracks element does not list
	}
	if vi == -2 || vi < 0 {
		// Not the sampled track: only its end time matters (fragment duration).
		if dur >= 0 {
			c.end = max(c.end, t+dur*seg.info.scale)
		} else if ti.defaultDuration > 0 {
			frames := int64(1)
			if lacing != 0 && size > hdr {
				lb, err := w.peek(pos+hdr, 1)
				if err != nil {
					return wrapAt(err, pos)
				}
				frames = int64(lb[0]) + 1
			}
			c.end = max(c.end, t+frames*ti.defaultDuration)
		}
		return nil
	}
	// The sampled video track: one sample per frame.
	frames := 1
	payload := pos + hdr
	sizes := wk.lace[:1]
	sizes[0] = size - hdr
	if lacing != 0 {
		if sizes, payload, err = wk.laceSizes(pos, size, hdr, lacing); err != nil {
			return err
		}
		frames = len(sizes)
	}
	var fdur int64
	switch {
	case dur >= 0:
		fdur = dur * seg.info.scale / int64(frames)
		c.end = max(c.end, t+dur*seg.info.scale)
	case ti.defaultDuration > 0:
		fdur = ti.defaultDuration
		c.end = max(c.end, t+int64(frames)*fdur)
	}
	if !ti.formatKnown && sizes[0] >= 4 {
		pb, err := w.peek(payload, 4)
		if err != nil {
			return wrapAt(err, payload)
		}
		wk.detectFormat(ti, pb[:4], sizes[0])
	}
	for i, fs := range sizes {
		if fs > 0 {
			if len(wk.res.samples) >= MaxSamples {
				return &FormatError{Offset: pos, Msg: fmt.Sprintf("more than %d video frames (MaxSamples)", MaxSamples)}
			}
			wk.res.samples = append(wk.res.samples, media.Sample{
				Producer: t + int64(i)*fdur,
				Duration: fdur,
				Keyframe: key,
				Pos:      payload,
				Size:     int32(fs),
			})
		}
		payload += fs
	}
	return nil
}

// detectFormat decides the NAL framing of a video track whose CodecPrivate
// is missing or invalid, from its first payload: an Annex B start code
// means media.AnnexB; otherwise length-prefixed with 4-byte lengths when the
// first length fits the frame (NALLengthSize stays 0 when it does not, and
// the engine reports MEDIA_ERROR).
func (wk *walker) detectFormat(ti *trackInfo, b []byte, frameSize int64) {
	ti.formatKnown = true
	if b[0] == 0 && b[1] == 0 && (b[2] == 1 || b[2] == 0 && b[3] == 1) {
		ti.NALFormat, ti.NALLengthSize = media.AnnexB, 0
		return
	}
	ti.NALFormat = media.LengthPrefixed
	if l := int64(b[0])<<24 | int64(b[1])<<16 | int64(b[2])<<8 | int64(b[3]); l+4 <= frameSize {
		ti.NALLengthSize = 4
	}
}

// laceSizes reads the lace header of a block (RFC 9559 §10.3) and returns the
// frame sizes and the offset of the first frame.
func (wk *walker) laceSizes(pos, size, hdr int64, lacing byte) ([]int64, int64, error) {
	k := min(size-hdr, maxLaceHeader)
	b, err := wk.d.w.peek(pos+hdr, int(k))
	if err != nil {
		return nil, 0, wrapAt(err, pos)
	}
	b = b[:k]
	bad := func(msg string) error { return &FormatError{Offset: pos, Msg: "lacing: " + msg} }
	if len(b) < 1 {
		return nil, 0, bad("no frame count")
	}
	count := int(b[0]) + 1
	sizes := wk.lace[:count]
	i := 1
	var sum int64
	switch lacing {
	case 1: // Xiph: each size but the last as a run of 255s plus a final byte
		for f := 0; f < count-1; f++ {
			var s int64
			for {
				if i >= len(b) {
					return nil, 0, bad("Xiph lace header truncated")
				}
				v := b[i]
				i++
				s += int64(v)
				if v != 255 {
					break
				}
			}
			sizes[f] = s
			sum += s
		}
	case 3: // EBML: the first size as a vint, then signed differences
		for f := 0; f < count-1; f++ {
			v, n := parseVint(b[i:])
			if n == 0 {
				return nil, 0, bad("EBML lace size invalid")
			}
			i += n
			s := int64(v)
			if f > 0 {
				// Signed difference: subtract half the range (RFC 9559 §10.3.3).
				s = sizes[f-1] + int64(v) - (int64(1)<<(7*n-1) - 1)
			}
			if s < 0 || s > size {
				return nil, 0, bad("EBML lace size out of range")
			}
			sizes[f] = s
			sum += s
		}
	case 2: // fixed: equal sizes
		rem := size - hdr - 1
		if rem%int64(count) != 0 {
			return nil, 0, bad("fixed-size lacing does not divide the block evenly")
		}
		for f := range sizes {
			sizes[f] = rem / int64(count)
		}
		return sizes, pos + hdr + 1, nil
	}
	first := pos + hdr + int64(i)
	last := pos + size - first - sum
	if last < 0 {
		return nil, 0, bad("frame sizes exceed the block")
	}
	sizes[count-1] = last
	return sizes, first, nil
}

// groupFragments turns clusters into fragments and sample times into times
// on both timelines (package doc, "Timelines"). ordinals names non-KVS
// fragments by their ordinal; otherwise by their byte offset ("@offset").
func groupFragments(res *walkResult, ordinals bool) {
	res.frags = res.frags[:0]
	var cur *fragRec
	var base, dP, dS int64
	for i := range res.clusters {
		c := &res.clusters[i]
		seg := &res.segs[c.seg]
		var start bool
		switch {
		case cur == nil:
			start = true
		case c.tags != nil:
			start = !(cur.hasTags && c.tags.number != "" && cur.Number == c.tags.number)
		default:
			start = !(cur.hasTags && cur.seg == c.seg)
		}
		if start {
			res.frags = append(res.frags, fragRec{c0: i, seg: c.seg, s0: c.first})
			cur = &res.frags[len(res.frags)-1]
			base = c.tc
			producer := seg.info.dateUTC + c.tc
			server := int64(0)
			hasSrv := false
			if k := c.tags; k != nil {
				cur.hasTags = true
				cur.Number = k.number
				if k.hasProducer {
					producer = k.producer
				}
				server, hasSrv = k.server, k.hasSrv
			}
			if !hasSrv {
				server = producer
			}
			if cur.Number == "" {
				if ordinals {
					cur.Number = strconv.Itoa(len(res.frags) - 1)
				} else {
					cur.Number = "@" + strconv.FormatInt(c.pos, 10)
				}
			}
			cur.Producer, cur.Server = producer, server
			dP, dS = producer-base, server-base
			cur.lastEnd = [2]media.Time{producer, server}
		}
		cur.c1 = i + 1
		cur.s1 = c.first + c.n
		cur.Size += c.size
		if c.end >= 0 {
			cur.Duration = max(cur.Duration, c.end-base)
		}
		fi := int32(len(res.frags) - 1)
		for j := c.first; j < c.first+c.n; j++ {
			s := &res.samples[j]
			t := s.Producer
			s.Producer, s.Server, s.Fragment = t+dP, t+dS, fi
			cur.lastEnd[0] = max(cur.lastEnd[0], s.Producer+s.Duration)
			cur.lastEnd[1] = max(cur.lastEnd[1], s.Server+s.Duration)
		}
	}
}

// Scan implements media.Source.
func (d *Demuxer) Scan(ctx context.Context, tl media.Timeline, from, to media.Time) (*media.Index, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cueMode {
		res, err := d.cueWalk(ctx, from, to)
		if err != nil {
			return nil, err
		}
		if res != nil {
			return d.index(res, tl, from, to), nil
		}
	}
	res, err := d.walkAll(ctx)
	if err != nil {
		return nil, err
	}
	return d.index(res, tl, from, to), nil
}

// walkAll walks the whole input once and caches the result.
func (d *Demuxer) walkAll(ctx context.Context) (*walkResult, error) {
	if d.full != nil {
		return d.full, nil
	}
	res := &walkResult{}
	wk := &walker{d: d, ctx: ctx, res: res, seg: -1, segCl: -1}
	if err := wk.walk(0); err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		if len(res.samples) == 0 {
			return nil, err
		}
		res.err = err // keep what was indexed before the damage
	}
	groupFragments(res, true)
	res.setPrefixes()
	d.full = res
	d.fullP.Store(res)
	return res, nil
}

// cueWalk reads the Clusters from the cue point before from to the first
// Cluster after to. It returns nil (and no error) when the Cues do not lead
// to a Cluster, so that Scan falls back to a whole walk.
func (d *Demuxer) cueWalk(ctx context.Context, from, to media.Time) (*walkResult, error) {
	seg := d.first
	scale, date := seg.info.scale, seg.info.dateUTC
	cueT := func(c cue) int64 {
		if c.time > uint64(math.MaxInt64/2/scale) {
			return math.MaxInt64 / 2
		}
		return date + int64(c.time)*scale
	}
	i := sort.Search(len(d.cues), func(i int) bool { return cueT(d.cues[i]) > from }) - 1
	i-- // one cue point earlier: the fragment before the range, for spans and neighbours
	startPos := int64(-1)
	if i >= 0 {
		startPos = seg.dataPos + d.cues[i].cluster
		if h, err := d.w.readHeader(startPos); err != nil || h.id != eidCluster {
			return nil, nil
		}
	}
	res := &walkResult{segs: []segment{seg}}
	res.segs[0].tracks = append([]trackInfo(nil), seg.tracks...)
	after := 0
	wk := &walker{d: d, ctx: ctx, res: res, seg: 0, segCl: -1, stop: func(c *clusterRec) bool {
		if date+c.tc > to {
			after++
		}
		return after >= 1 // the first Cluster after the range is kept as a neighbour
	}}
	var err error
	if startPos < 0 {
		err = wk.walk(seg.dataPos)
	} else {
		err = wk.walk(startPos)
	}
	if err != nil {
		if ctx.Err() != nil || len(res.samples) == 0 {
			return nil, err
		}
		res.err = err
	}
	groupFragments(res, false)
	return res, nil
}

// index selects the fragments that overlap [from, to] on tl, plus one
// neighbour on each side of each, and returns them as a media.Index.
func (d *Demuxer) index(res *walkResult, tl media.Timeline, from, to media.Time) *media.Index {
	k := 0
	if tl == media.ServerTime {
		k = 1
	}
	n := len(res.frags)
	keep := make([]bool, n)
	for i := range res.frags {
		f := &res.frags[i]
		start := f.Producer
		if k == 1 {
			start = f.Server
		}
		end := max(f.lastEnd[k], start+f.Duration)
		if start <= to && end >= from {
			keep[i] = true
			if i > 0 {
				keep[i-1] = true
			}
			if i+1 < n {
				keep[i+1] = true
			}
		}
	}
	idx := &media.Index{Video: -1}
	for i := range res.frags {
		if !keep[i] {
			continue
		}
		f := &res.frags[i]
		fi := int32(len(idx.Fragments))
		idx.Fragments = append(idx.Fragments, f.Fragment)
		for _, s := range res.samples[f.s0:f.s1] {
			s.Fragment = fi
			idx.Samples = append(idx.Samples, s)
		}
	}
	if len(res.segs) > 0 {
		seg := &res.segs[res.refSeg]
		for _, t := range seg.tracks {
			idx.Tracks = append(idx.Tracks, t.Track)
		}
		idx.Video = seg.video
	} else {
		for _, t := range d.first.tracks {
			idx.Tracks = append(idx.Tracks, t.Track)
		}
		idx.Video = d.first.video
	}
	return idx
}

// ReadSample implements media.Source: it reads the payload of s into dst.
func (d *Demuxer) ReadSample(ctx context.Context, s *media.Sample, dst []byte) ([]byte, error) {
	if s.Size < 0 || s.Size > MaxBlockSize || s.Pos < 0 || s.Pos+int64(s.Size) > d.size {
		return dst[:0], fmt.Errorf("mkv: sample at byte %d (%d bytes) lies outside the input of %d bytes", s.Pos, s.Size, d.size)
	}
	var prefix []byte
	if s.Keyframe {
		if res := d.fullP.Load(); res != nil && len(res.prefix) > 0 {
			k := sort.Search(len(res.segs), func(i int) bool { return res.segs[i].pos > s.Pos }) - 1
			if k >= 0 {
				prefix = res.prefix[k]
			}
		}
	}
	n := len(prefix) + int(s.Size)
	if cap(dst) < n {
		dst = make([]byte, n)
	}
	dst = dst[:n]
	copy(dst, prefix)
	m, err := d.ra.ReadAt(dst[len(prefix):], s.Pos)
	if m == int(s.Size) {
		return dst, nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return dst[:0], fmt.Errorf("mkv: reading sample at byte %d: %w", s.Pos, err)
}

// setPrefixes chooses refSeg and, for each Segment whose video track has
// other parameter sets than refSeg's (a producer restarted with a new
// resolution in GetMedia output), frames those parameter sets for
// ReadSample: the engine configures its decoder from Index.Tracks (refSeg's
// record), and in-band parameter sets before a keyframe replace them.
// Segments whose framing differs from refSeg's get no prefix.
func (res *walkResult) setPrefixes() {
	res.refSeg = 0
	for k := range res.segs {
		if res.segs[k].video >= 0 {
			res.refSeg = k
			break
		}
	}
	if len(res.segs) < 2 || res.segs[res.refSeg].video < 0 {
		return
	}
	ref := &res.segs[res.refSeg].tracks[res.segs[res.refSeg].video]
	for k := range res.segs {
		seg := &res.segs[k]
		if seg.video < 0 {
			continue
		}
		t := &seg.tracks[seg.video]
		if t.Codec != ref.Codec || t.CodecPrivate == nil || bytes.Equal(t.CodecPrivate, ref.CodecPrivate) ||
			t.NALFormat != ref.NALFormat || t.NALLengthSize != ref.NALLengthSize {
			continue
		}
		p := media.FrameParameterSets(t.Codec, t.CodecPrivate, t.NALFormat, t.NALLengthSize)
		if p == nil {
			continue
		}
		if res.prefix == nil {
			res.prefix = make([][]byte, len(res.segs))
		}
		res.prefix[k] = p
	}
}

// ByteRange is a range of bytes of the input.
type ByteRange struct {
	Pos, Size int64
}

// FragmentRange is one fragment of the input as the fragment store ingests it.
type FragmentRange struct {
	media.Fragment
	// Clusters are the Cluster elements of the fragment, header included,
	// in file order. A Cluster of unknown size ends where its last child
	// ended (its size field still says "unknown").
	Clusters []ByteRange
	// Segment is the index of the Segment holding the fragment (0-based,
	// counting Segments from the start of the input).
	Segment int
	// Tracks are the Segment's tracks; Video indexes the sampled one (-1 none).
	Tracks []media.Track
	Video  int
	// TimecodeScale is the Segment's TimestampScale in ns per tick.
	TimecodeScale int64
	// DateUTC is the Segment's DateUTC in ns since the Unix epoch, 0 when absent.
	DateUTC int64
	// KVSTags reports that the times come from Kinesis Video tags.
	KVSTags bool
	// Samples and Keyframes count the fragment's video frames.
	Samples, Keyframes int
	// FirstSample indexes the fragment's first frame in the Samples result.
	FirstSample int
}

// Fragments walks the whole input (once; the walk is cached) and returns
// every fragment in file order with the video samples of all of them
// (Sample.Fragment indexes the returned fragments). err reports damage that
// ended the walk early after media was indexed (what precedes it is
// returned); a failure before any media is returned as the error alone.
func (d *Demuxer) Fragments(ctx context.Context) ([]FragmentRange, []media.Sample, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	res, err := d.walkAll(ctx)
	if err != nil {
		return nil, nil, err
	}
	out := make([]FragmentRange, len(res.frags))
	for i := range res.frags {
		f := &res.frags[i]
		seg := &res.segs[f.seg]
		fr := FragmentRange{Fragment: f.Fragment, Segment: f.seg, Video: seg.video,
			TimecodeScale: seg.info.scale, DateUTC: seg.info.dateUTC, KVSTags: f.hasTags,
			Samples: f.s1 - f.s0, FirstSample: f.s0}
		for _, c := range res.clusters[f.c0:f.c1] {
			fr.Clusters = append(fr.Clusters, ByteRange{Pos: c.pos, Size: c.size})
		}
		for _, t := range seg.tracks {
			fr.Tracks = append(fr.Tracks, t.Track)
		}
		for _, s := range res.samples[f.s0:f.s1] {
			if s.Keyframe {
				fr.Keyframes++
			}
		}
		out[i] = fr
	}
	return out, append([]media.Sample(nil), res.samples...), res.err
}
