package annexb

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/bits"
	"os"
	"sync"

	"github.com/stills/stills/decode"
	"github.com/stills/stills/decode/h264"
	"github.com/stills/stills/decode/h265"
	"github.com/stills/stills/media"
)

// Limits on what one stream may make the reader hold or do.
const (
	// MaxAccessUnitSize bounds one access unit (all NAL units of a picture).
	MaxAccessUnitSize = 64 << 20
	// MaxSamples bounds the access units indexed (about 18 hours at 30 fps;
	// the index costs 48 bytes per access unit).
	MaxSamples = 2 << 20
	// MaxParameterSetSize bounds an SPS read for its VUI timing.
	MaxParameterSetSize = 64 << 10
	// DefaultFPS is the frame rate assumed when neither the SPS nor
	// Options.FPS gives one.
	DefaultFPS = 25
)

// Options configure a raw stream.
type Options struct {
	// FPS is the frame rate used when the stream's SPS has no VUI timing
	// information; 0 means DefaultFPS.
	FPS float64
}

// FormatError reports a stream the reader cannot index, with the byte offset.
type FormatError struct {
	Offset int64
	Msg    string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("annexb: at byte %d: %s", e.Offset, e.Msg)
}

// Source is a raw Annex B stream. It implements media.Source. Scan indexes
// the whole stream once (there is no index to seek with) and caches it.
type Source struct {
	ra     io.ReaderAt
	size   int64
	codec  decode.Codec
	opts   Options
	closer io.Closer

	mu    sync.Mutex
	index *media.Index
}

var _ media.Source = (*Source)(nil)

// Open reads a raw stream of the given codec (decode.H264 or decode.H265;
// Detect tells them apart).
func Open(r io.ReaderAt, size int64, codec decode.Codec, opts Options) (*Source, error) {
	if codec != decode.H264 && codec != decode.H265 {
		return nil, fmt.Errorf("annexb: codec %v is not H.264 or H.265", codec)
	}
	if opts.FPS < 0 || opts.FPS > 1000 {
		return nil, fmt.Errorf("annexb: FPS %v out of range (0 to 1000)", opts.FPS)
	}
	return &Source{ra: r, size: size, codec: codec, opts: opts}, nil
}

// OpenFile opens a raw stream file; the codec is detected from its content.
func OpenFile(path string, opts Options) (*Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	head := make([]byte, min(st.Size(), DetectSize))
	if _, err := f.ReadAt(head, 0); err != nil && err != io.EOF {
		f.Close()
		return nil, err
	}
	c := Detect(head)
	if c == decode.CodecUnknown {
		f.Close()
		return nil, fmt.Errorf("annexb: %s: %w", path, media.ErrUnsupportedContainer)
	}
	s, err := Open(f, st.Size(), c, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	s.closer = f
	return s, nil
}

// Codec is the stream's codec.
func (s *Source) Codec() decode.Codec { return s.codec }

// Close closes the file opened by OpenFile.
func (s *Source) Close() error {
	if s.closer != nil {
		return s.closer.Close()
	}
	return nil
}

// Scan implements media.Source: it returns every access unit (the stream is
// one fragment, so it overlaps any range that touches it).
func (s *Source) Scan(ctx context.Context, tl media.Timeline, from, to media.Time) (*media.Index, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.index == nil {
		idx, err := s.scan(ctx)
		if err != nil {
			return nil, err
		}
		s.index = idx
	}
	idx := *s.index
	idx.Tracks = append([]media.Track(nil), s.index.Tracks...)
	idx.Fragments = append([]media.Fragment(nil), s.index.Fragments...)
	idx.Samples = append([]media.Sample(nil), s.index.Samples...)
	return &idx, nil
}

// ReadSample implements media.Source: the access unit's bytes, start codes included.
func (s *Source) ReadSample(ctx context.Context, sm *media.Sample, dst []byte) ([]byte, error) {
	if sm.Size < 0 || sm.Size > MaxAccessUnitSize || sm.Pos < 0 || sm.Pos+int64(sm.Size) > s.size {
		return dst[:0], fmt.Errorf("annexb: sample at byte %d (%d bytes) lies outside the %d-byte stream", sm.Pos, sm.Size, s.size)
	}
	n := int(sm.Size)
	if cap(dst) < n {
		dst = make([]byte, n)
	}
	dst = dst[:n]
	m, err := s.ra.ReadAt(dst, sm.Pos)
	if m == n {
		return dst, nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return dst[:0], fmt.Errorf("annexb: reading access unit at byte %d: %w", sm.Pos, err)
}

// chunkSize is how much of the stream scan reads at once.
const chunkSize = 1 << 20

// headerBytes is how much of each NAL unit's start scan looks at.
const headerBytes = 12

// splitter holds the access-unit state of scan.
type splitter struct {
	codec            decode.Codec
	auPos            int64 // start of the open access unit, -1 before the first start code
	hasVCL, key      bool
	allIntra         bool // every slice of the open access unit so far is I or SI (H.264)
	samples          []media.Sample
	num, den         uint64 // frame duration = num/den ns, 0 until known
	width, height    int
	timingFromStream bool
}

// nal handles the NAL unit whose start code begins at sc, with its first
// header bytes h (fewer at the end of the stream).
func (sp *splitter) nal(sc int64, h []byte) error {
	if len(h) == 0 {
		return nil
	}
	var vcl, key, startsAU bool
	if sp.codec == decode.H264 {
		t := h[0] & 0x1F
		vcl = t >= 1 && t <= 5
		key = t == 5
		switch {
		case t == 6 || t == 7 || t == 8 || t == 9 || (t >= 14 && t <= 18):
			startsAU = true
		case vcl:
			// first_mb_in_slice is ue(v); it is 0 exactly when its first bit is 1.
			startsAU = len(h) > 1 && h[1]&0x80 != 0
		}
	} else {
		t := (h[0] >> 1) & 0x3F
		vcl = t <= 31
		key = t >= 16 && t <= 23
		switch {
		case t >= 32 && t <= 35, t == 39, t >= 41 && t <= 44, t >= 48 && t <= 55:
			startsAU = true
		case vcl:
			startsAU = len(h) > 2 && h[2]&0x80 != 0 // first_slice_segment_in_pic_flag
		}
	}
	if sp.auPos < 0 {
		sp.auPos = sc
	} else if startsAU && sp.hasVCL {
		if err := sp.emit(sc); err != nil {
			return err
		}
		sp.auPos = sc
	}
	if vcl {
		if !sp.hasVCL {
			sp.allIntra = true
		}
		sp.hasVCL = true
		if key {
			sp.key = true
		}
		if sp.codec == decode.H264 && !intraSlice264(h) {
			sp.allIntra = false
		}
	}
	return nil
}

// intraSlice264 reports whether an H.264 slice NAL unit (header h, its first
// bytes) has slice_type I or SI (§7.4.3, Table 7-6): first_mb_in_slice and
// slice_type are the first two ue(v) of the slice header.
func intraSlice264(h []byte) bool {
	var rbsp [headerBytes]byte
	n, zeros := 0, 0
	for _, c := range h[1:] { // drop emulation_prevention_three_byte (§7.4.1)
		if zeros >= 2 && c == 3 {
			zeros = 0
			continue
		}
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
		rbsp[n] = c
		n++
	}
	br := bitReader{b: rbsp[:n]}
	br.ue() // first_mb_in_slice
	st := br.ue()
	if br.over {
		return false
	}
	return st == 2 || st == 4 || st == 7 || st == 9
}

// bitReader reads Exp-Golomb codes (§9.1) from a few bytes; over is set
// when it runs out.
type bitReader struct {
	b    []byte
	pos  int
	over bool
}

func (r *bitReader) bit() uint32 {
	if r.pos >= len(r.b)*8 {
		r.over = true
		return 0
	}
	v := uint32(r.b[r.pos>>3]>>(7-r.pos&7)) & 1
	r.pos++
	return v
}

func (r *bitReader) ue() uint32 {
	lz := 0
	for r.bit() == 0 {
		if r.over || lz >= 31 {
			r.over = true
			return 0
		}
		lz++
	}
	var v uint32
	for i := 0; i < lz; i++ {
		v = v<<1 | r.bit()
	}
	return 1<<lz - 1 + v
}

// emit closes the open access unit at end.
func (sp *splitter) emit(end int64) error {
	if !sp.hasVCL {
		return nil
	}
	if end-sp.auPos > MaxAccessUnitSize {
		return &FormatError{Offset: sp.auPos, Msg: fmt.Sprintf("access unit of %d bytes exceeds MaxAccessUnitSize", end-sp.auPos)}
	}
	if len(sp.samples) >= MaxSamples {
		return &FormatError{Offset: sp.auPos, Msg: fmt.Sprintf("more than %d access units (MaxSamples)", MaxSamples)}
	}
	key := sp.key || (sp.codec == decode.H264 && sp.allIntra)
	sp.samples = append(sp.samples, media.Sample{Keyframe: key, Pos: sp.auPos, Size: int32(end - sp.auPos)})
	sp.hasVCL, sp.key, sp.allIntra = false, false, false
	return nil
}

// sps takes the timing (and picture size) from the first SPS that has them.
// The decoders' own SPS parsers are used rather than mp4ff's: these bytes are
// untrusted, and mp4ff allocates whatever a hostile count asks for (a fuzzed
// SPS made it exhaust memory).
func (sp *splitter) sps(b []byte) {
	var info decode.SequenceInfo
	var err error
	if sp.codec == decode.H264 {
		info, err = h264.ParseSPS(b)
	} else {
		info, _ = h265.ParseSPS(b) // size and timing even when unsupported
	}
	if err != nil || info.Width <= 0 {
		return
	}
	if sp.width == 0 {
		sp.width, sp.height = info.Width, info.Height
	}
	if info.FrameTicks > 0 && info.TimeScale > 0 {
		sp.setTiming(info.FrameTicks, info.TimeScale)
	}
}

// setTiming sets a frame duration of ticks/scale seconds when it is a
// plausible frame rate (0.1 to 1000 frames per second).
func (sp *splitter) setTiming(ticks, scale uint64) {
	if sp.timingFromStream || ticks > 1<<33 || scale > 1<<32 {
		return
	}
	if ticks*1000 < scale || ticks > scale*10 {
		return
	}
	sp.num, sp.den, sp.timingFromStream = ticks*1_000_000_000, scale, true
}

// timeOf is the time of access unit i: i × num / den ns, saturating.
func (sp *splitter) timeOf(i int) int64 {
	hi, lo := bits.Mul64(uint64(i), sp.num)
	if hi >= sp.den {
		return 1<<63 - 1
	}
	q, _ := bits.Div64(hi, lo, sp.den)
	if q > 1<<62 {
		return 1 << 62
	}
	return int64(q)
}

// scan indexes the whole stream.
func (s *Source) scan(ctx context.Context) (*media.Index, error) {
	sp := &splitter{codec: s.codec, auPos: -1}
	buf := make([]byte, min(chunkSize+headerBytes+3, s.size))
	var spsStart int64 = -1 // start (after the start code) of an SPS whose end is not yet known
	var hdr [headerBytes]byte
	for off := int64(0); off < s.size; off += chunkSize {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n, err := s.ra.ReadAt(buf[:min(int64(len(buf)), s.size-off)], off)
		if n < int(min(int64(len(buf)), s.size-off)) {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("annexb: reading at byte %d: %w", off, err)
		}
		b := buf[:n]
		limit := min(chunkSize, n) // start codes beginning in this chunk
		for i := 0; i < limit; {
			j := bytes.Index(b[i:], []byte{0, 0, 1})
			if j < 0 || i+j >= limit {
				break
			}
			sc := off + int64(i+j)
			if spsStart >= 0 {
				sp.readSPS(s.ra, spsStart, sc)
				spsStart = -1
			}
			start := sc + 3
			h := hdr[:0]
			if k := i + j + 3; k+headerBytes <= n {
				h = b[k : k+headerBytes]
			} else if start < s.size {
				m, _ := s.ra.ReadAt(hdr[:min(headerBytes, s.size-start)], start)
				h = hdr[:m]
			}
			if err := sp.nal(sc, h); err != nil {
				return nil, err
			}
			if len(h) > 0 && isSPS(s.codec, h[0]) {
				spsStart = start
			}
			i += j + 3
		}
	}
	if spsStart >= 0 {
		sp.readSPS(s.ra, spsStart, s.size)
	}
	if sp.auPos >= 0 {
		if err := sp.emit(s.size); err != nil {
			return nil, err
		}
	}
	if !sp.timingFromStream {
		fps := s.opts.FPS
		if fps <= 0 {
			fps = DefaultFPS
		}
		// ns per frame as a fraction with a microsecond-exact numerator.
		sp.num, sp.den = uint64(1e15), uint64(fps*1e6+0.5)
	}
	for i := range sp.samples {
		t := sp.timeOf(i)
		sp.samples[i].Producer, sp.samples[i].Server = t, t
		sp.samples[i].Duration = sp.timeOf(i+1) - t
	}
	tr := media.Track{Number: 1, Codec: s.codec, Video: true, NALFormat: media.AnnexB, Width: sp.width, Height: sp.height}
	if s.codec == decode.H264 {
		tr.CodecID = "H.264 Annex B"
	} else {
		tr.CodecID = "H.265 Annex B"
	}
	frag := media.Fragment{Number: "0", Duration: sp.timeOf(len(sp.samples)), Size: s.size}
	return &media.Index{Tracks: []media.Track{tr}, Video: 0, Fragments: []media.Fragment{frag}, Samples: sp.samples}, nil
}

func isSPS(c decode.Codec, h0 byte) bool {
	if c == decode.H264 {
		return h0&0x1F == 7
	}
	return (h0>>1)&0x3F == 33
}

// readSPS reads the SPS in [start, end) (trailing zeros trimmed) for timing.
func (sp *splitter) readSPS(ra io.ReaderAt, start, end int64) {
	if sp.timingFromStream || end-start > MaxParameterSetSize || end <= start {
		return
	}
	b := make([]byte, end-start)
	if n, _ := ra.ReadAt(b, start); n != len(b) {
		return
	}
	b = bytes.TrimRight(b, "\x00")
	sp.sps(b)
}
