package mp4in

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"strconv"

	mp4bits "github.com/Eyevinn/mp4ff/bits"
	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/stills/stills/decode"
	"github.com/stills/stills/media"
)

// Limits on what a file may make the reader hold.
const (
	// MaxBoxSize bounds a top-level box other than mdat (moov, moof...),
	// which mp4ff reads into memory whole.
	MaxBoxSize = 256 << 20
	// MaxSamples bounds the samples of the video track (about 18 hours at
	// 30 fps; the index costs 48 bytes per sample).
	MaxSamples = 2 << 20
	// MaxSampleSize bounds one sample.
	MaxSampleSize = 64 << 20
	// MaxTopLevelBoxes bounds the top-level boxes of a file.
	MaxTopLevelBoxes = 1 << 20
)

// FormatError reports an MP4 file this package cannot index.
type FormatError struct {
	Offset int64 // byte offset of the box concerned, -1 when unknown
	Msg    string
}

func (e *FormatError) Error() string {
	if e.Offset < 0 {
		return "mp4in: " + e.Msg
	}
	return fmt.Sprintf("mp4in: box at byte %d: %s", e.Offset, e.Msg)
}

// ErrNotMP4: the input does not start with an MP4 box (ftyp, styp, moov, moof...).
var ErrNotMP4 = errors.New("mp4in: not an MP4 file (no ftyp/styp/moov/moof box at the start)")

// Source is an MP4 file. It implements media.Source. Open reads the boxes
// (not the media data) and indexes the video track.
type Source struct {
	ra      io.ReaderAt
	size    int64
	closer  io.Closer
	idx     *media.Index
	fragEnd []media.Time // end of each fragment's last sample (ns)
	moovRaw []byte       // the moov box as stored (for verbatim avcC/hvcC records)
}

var _ media.Source = (*Source)(nil)

// topBox is a top-level box found by the pre-scan.
type topBox struct {
	typ       string
	pos, size int64
}

// knownTop are the top-level box types Sniff accepts as the first box.
var knownTop = map[string]bool{"ftyp": true, "styp": true, "moov": true, "moof": true, "free": true, "skip": true, "mdat": true, "wide": true, "sidx": true, "pdin": true}

// Sniff reports whether b, the start of a file, looks like an MP4 file: a
// box of a known top-level type with a plausible size.
func Sniff(b []byte) bool {
	if len(b) < 8 {
		return false
	}
	size := binary.BigEndian.Uint32(b)
	return knownTop[string(b[4:8])] && (size == 0 || size == 1 || size >= 8)
}

// scanTop lists the top-level boxes, checking their sizes against the file.
func scanTop(ra io.ReaderAt, size int64) ([]topBox, error) {
	var out []topBox
	var hdr [16]byte
	for pos := int64(0); pos < size; {
		if len(out) >= MaxTopLevelBoxes {
			return nil, &FormatError{Offset: pos, Msg: fmt.Sprintf("more than %d top-level boxes", MaxTopLevelBoxes)}
		}
		if size-pos < 8 {
			break // trailing bytes shorter than a box header
		}
		n, _ := ra.ReadAt(hdr[:min(16, size-pos)], pos)
		if n < 8 {
			return nil, &FormatError{Offset: pos, Msg: "cannot read box header"}
		}
		bs := int64(binary.BigEndian.Uint32(hdr[:]))
		typ := string(hdr[4:8])
		switch bs {
		case 0:
			bs = size - pos // to the end of the file
		case 1:
			if n < 16 {
				return nil, &FormatError{Offset: pos, Msg: "truncated 64-bit box size"}
			}
			v := binary.BigEndian.Uint64(hdr[8:])
			if v > 1<<62 {
				return nil, &FormatError{Offset: pos, Msg: fmt.Sprintf("box %q size %d out of range", typ, v)}
			}
			bs = int64(v)
		}
		if bs < 8 {
			return nil, &FormatError{Offset: pos, Msg: fmt.Sprintf("box %q has invalid size %d", typ, bs)}
		}
		if pos+bs > size {
			if typ == "mdat" && len(out) > 0 {
				// A truncated mdat: keep what precedes; samples past the end are dropped.
				out = append(out, topBox{typ, pos, size - pos})
				break
			}
			return nil, &FormatError{Offset: pos, Msg: fmt.Sprintf("box %q of %d bytes runs past the end of the %d-byte file", typ, bs, size)}
		}
		if typ != "mdat" && bs > MaxBoxSize {
			return nil, &FormatError{Offset: pos, Msg: fmt.Sprintf("box %q of %d bytes exceeds MaxBoxSize", typ, bs)}
		}
		out = append(out, topBox{typ, pos, bs})
		pos += bs
	}
	return out, nil
}

// Open reads an MP4 file's boxes and indexes its video track.
func Open(r io.ReaderAt, size int64) (*Source, error) {
	var head [8]byte
	if n, _ := r.ReadAt(head[:], 0); n < 8 || !Sniff(head[:]) {
		return nil, ErrNotMP4
	}
	tops, err := scanTop(r, size)
	if err != nil {
		return nil, err
	}
	s := &Source{ra: r, size: size}
	var moov *mp4.MoovBox
	var moofs []topMoof
	var entries []string
	for _, b := range tops {
		if b.typ != "moov" && b.typ != "moof" {
			continue
		}
		raw := make([]byte, b.size)
		if n, _ := r.ReadAt(raw, b.pos); n != len(raw) {
			return nil, &FormatError{Offset: b.pos, Msg: "cannot read " + b.typ}
		}
		hl := 8
		if binary.BigEndian.Uint32(raw) == 1 {
			hl = 16
		}
		var ents []string
		clean := sanitize(b.typ, raw[hl:], 0, &ents)
		if len(clean) > 1<<32-1 {
			return nil, &FormatError{Offset: b.pos, Msg: "box too large"}
		}
		box, err := decodeBox(uint64(b.pos), clean)
		if err != nil {
			return nil, &FormatError{Offset: b.pos, Msg: b.typ + ": " + err.Error()}
		}
		switch v := box.(type) {
		case *mp4.MoovBox:
			if moov == nil {
				moov, entries = v, ents
				s.moovRaw = raw
			}
		case *mp4.MoofBox:
			moofs = append(moofs, topMoof{v, b.size})
		}
	}
	if moov == nil {
		return nil, &FormatError{Offset: -1, Msg: "no moov box"}
	}
	if err := s.build(moov, moofs, entries); err != nil {
		return nil, err
	}
	s.moovRaw = nil
	return s, nil
}

// topMoof is a decoded moof with its size in the file.
type topMoof struct {
	moof *mp4.MoofBox
	size int64
}

// decodeBox runs mp4ff on one sanitized box; a panic inside it on hostile
// input becomes an error.
func decodeBox(pos uint64, b []byte) (box mp4.Box, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("mp4ff panicked: %v", r)
		}
	}()
	// mp4ff's box header decoder reads the sanitized box as if it started at
	// pos in the file, so StartPos fields (moof base offsets) stay right.
	return mp4.DecodeBoxSR(pos, mp4bits.NewFixedSliceReader(b))
}

// OpenFile opens an MP4 file; Close closes it.
func OpenFile(path string) (*Source, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, err
	}
	s, err := Open(fh, st.Size())
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s.closer = fh
	return s, nil
}

// Close closes the file opened by OpenFile.
func (s *Source) Close() error {
	if s.closer != nil {
		return s.closer.Close()
	}
	return nil
}

// Scan implements media.Source: the fragments that overlap [from, to] (on
// either timeline, which are equal here) plus one neighbour on each side.
func (s *Source) Scan(ctx context.Context, tl media.Timeline, from, to media.Time) (*media.Index, error) {
	src := s.idx
	n := len(src.Fragments)
	keep := make([]bool, n)
	for i, f := range src.Fragments {
		if f.Producer <= to && max(s.fragEnd[i], f.Producer+f.Duration) >= from {
			keep[i] = true
			if i > 0 {
				keep[i-1] = true
			}
			if i+1 < n {
				keep[i+1] = true
			}
		}
	}
	idx := &media.Index{Tracks: append([]media.Track(nil), src.Tracks...), Video: src.Video}
	remap := make([]int32, n)
	for i, f := range src.Fragments {
		remap[i] = -1
		if keep[i] {
			remap[i] = int32(len(idx.Fragments))
			idx.Fragments = append(idx.Fragments, f)
		}
	}
	for _, sm := range src.Samples {
		if r := remap[sm.Fragment]; r >= 0 {
			sm.Fragment = r
			idx.Samples = append(idx.Samples, sm)
		}
	}
	return idx, nil
}

// ReadSample implements media.Source.
func (s *Source) ReadSample(ctx context.Context, sm *media.Sample, dst []byte) ([]byte, error) {
	if sm.Size < 0 || sm.Size > MaxSampleSize || sm.Pos < 0 || sm.Pos+int64(sm.Size) > s.size {
		return dst[:0], fmt.Errorf("mp4in: sample at byte %d (%d bytes) lies outside the %d-byte file", sm.Pos, sm.Size, s.size)
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
	return dst[:0], fmt.Errorf("mp4in: reading sample at byte %d: %w", sm.Pos, err)
}

// ticksToNs converts t ticks of timescale ts to ns (saturating).
func ticksToNs(t int64, ts uint32) int64 {
	neg := t < 0
	u := uint64(t)
	if neg {
		u = uint64(-t)
	}
	hi, lo := bits.Mul64(u, 1_000_000_000)
	if hi >= uint64(ts) {
		return 1 << 62
	}
	q, _ := bits.Div64(hi, lo, uint64(ts))
	if q > 1<<62 {
		q = 1 << 62
	}
	if neg {
		return -int64(q)
	}
	return int64(q)
}

// trackCodec maps a sample entry type to a codec.
func trackCodec(entry string) decode.Codec {
	switch entry {
	case "avc1", "avc3":
		return decode.H264
	case "hvc1", "hev1":
		return decode.H265
	}
	return decode.CodecUnknown
}

// build indexes the video track: moov's sample tables, then each moof.
// entries are the sample entry types of the traks, in order.
func (s *Source) build(moov *mp4.MoovBox, moofs []topMoof, entries []string) error {
	moovRaw := s.moovRaw
	idx := &media.Index{Video: -1}
	var vt *mp4.TrakBox
	for _, trak := range moov.Traks {
		t := media.Track{}
		if trak.Tkhd != nil {
			t.Number = uint64(trak.Tkhd.TrackID)
		}
		var entry string
		var stsd *mp4.StsdBox
		if trak.Mdia != nil && trak.Mdia.Minf != nil && trak.Mdia.Minf.Stbl != nil {
			stsd = trak.Mdia.Minf.Stbl.Stsd
		}
		if i := len(idx.Tracks); i < len(entries) {
			entry = entries[i]
		}
		if stsd != nil && len(stsd.Children) > 0 {
			if ve, ok := stsd.Children[0].(*mp4.VisualSampleEntryBox); ok {
				t.Width, t.Height = int(ve.Width), int(ve.Height)
			}
		}
		t.CodecID = entry
		t.Video = trak.Mdia != nil && trak.Mdia.Hdlr != nil && trak.Mdia.Hdlr.HandlerType == "vide"
		if t.Video {
			t.Codec = trackCodec(entry)
		}
		if t.Codec != decode.CodecUnknown {
			rec := findRecord(moovRaw, t.Number, t.Codec)
			if rec != nil {
				t.CodecPrivate = rec
				if n, err := media.NALLengthSize(t.Codec, rec); err == nil {
					t.NALLengthSize = n
				}
			}
		}
		idx.Tracks = append(idx.Tracks, t)
	}
	for pass := 0; pass < 2 && idx.Video < 0; pass++ {
		for i, t := range idx.Tracks {
			if t.Video && (pass == 1 || t.Codec != decode.CodecUnknown) {
				idx.Video, vt = i, moov.Traks[i]
				break
			}
		}
	}
	s.idx = idx
	if vt == nil {
		return nil
	}
	if vt.Tkhd == nil || vt.Mdia == nil || vt.Mdia.Mdhd == nil || vt.Mdia.Mdhd.Timescale == 0 {
		return &FormatError{Offset: -1, Msg: "video track without a media timescale (mdhd)"}
	}
	ts := vt.Mdia.Mdhd.Timescale
	shift := editShift(vt, moov)
	if err := s.progressive(vt, ts, shift); err != nil {
		return err
	}
	var trex *mp4.TrexBox
	if moov.Mvex != nil {
		trex, _ = moov.Mvex.GetTrex(vt.Tkhd.TrackID)
	}
	var next uint64 // decode time after the last fragment, for a traf without tfdt
	for _, m := range moofs {
		var err error
		if next, err = s.fragment(m.moof, m.size, vt.Tkhd.TrackID, trex, ts, shift, next); err != nil {
			return err
		}
	}
	return nil
}

// editShift returns the presentation shift of the track's edit list in
// track ticks: -media_time of the first media edit, plus any empty edits
// before it (converted from the movie timescale).
func editShift(trak *mp4.TrakBox, moov *mp4.MoovBox) int64 {
	if trak.Edts == nil || len(trak.Edts.Elst) == 0 {
		return 0
	}
	var shift int64
	mts := uint32(0)
	if moov.Mvhd != nil {
		mts = moov.Mvhd.Timescale
	}
	for _, e := range trak.Edts.Elst[0].Entries {
		if e.MediaTime == -1 {
			if mts > 0 && e.SegmentDuration < 1<<40 {
				shift += int64(e.SegmentDuration) * int64(trak.Mdia.Mdhd.Timescale) / int64(mts)
			}
			continue
		}
		if e.MediaTime >= 0 && e.MediaTime < 1<<40 {
			shift -= e.MediaTime
		}
		break
	}
	return shift
}

// progressive indexes the samples of the moov sample tables as one fragment.
func (s *Source) progressive(trak *mp4.TrakBox, ts uint32, shift int64) error {
	if trak.Mdia.Minf == nil || trak.Mdia.Minf.Stbl == nil {
		return nil
	}
	stbl := trak.Mdia.Minf.Stbl
	if stbl.Stsz == nil || stbl.Stsz.SampleNumber == 0 {
		return nil
	}
	n := stbl.Stsz.SampleNumber
	if n > MaxSamples {
		return &FormatError{Offset: -1, Msg: fmt.Sprintf("%d samples exceed MaxSamples", n)}
	}
	if stbl.Stsz.SampleUniformSize == 0 && len(stbl.Stsz.SampleSize) < int(n) {
		return &FormatError{Offset: -1, Msg: "stsz lists fewer sizes than samples"}
	}
	var chunks []uint64
	switch {
	case stbl.Stco != nil:
		for _, o := range stbl.Stco.ChunkOffset {
			chunks = append(chunks, uint64(o))
		}
	case stbl.Co64 != nil:
		chunks = stbl.Co64.ChunkOffset
	default:
		return &FormatError{Offset: -1, Msg: "no chunk offsets (stco/co64)"}
	}
	if stbl.Stsc == nil || len(stbl.Stsc.Entries) == 0 {
		return &FormatError{Offset: -1, Msg: "no sample-to-chunk table (stsc)"}
	}
	size := func(i int) uint32 {
		if stbl.Stsz.SampleUniformSize != 0 {
			return stbl.Stsz.SampleUniformSize
		}
		return stbl.Stsz.SampleSize[i]
	}
	samples := make([]media.Sample, 0, n)
	// Offsets: chunk by chunk (§8.7.4, §8.7.5).
	ent := stbl.Stsc.Entries
	e := 0
	for c := 0; c < len(chunks) && len(samples) < int(n); c++ {
		for e+1 < len(ent) && uint32(c+1) >= ent[e+1].FirstChunk {
			e++
		}
		off := chunks[c]
		for k := uint32(0); k < ent[e].SamplesPerChunk && len(samples) < int(n); k++ {
			sz := size(len(samples))
			if sz > MaxSampleSize || off+uint64(sz) > uint64(s.size) {
				break // past the end of a truncated file: dropped below
			}
			samples = append(samples, media.Sample{Pos: int64(off), Size: int32(sz)})
			off += uint64(sz)
		}
	}
	// Decode times (stts §8.6.1.2), composition offsets (ctts §8.6.1.3).
	var dts int64
	i := 0
	durs := make([]int64, len(samples))
	if stbl.Stts == nil {
		return &FormatError{Offset: -1, Msg: "no decoding time table (stts)"}
	}
	for k := 0; k < len(stbl.Stts.SampleCount) && k < len(stbl.Stts.SampleTimeDelta) && i < len(samples); k++ {
		for c := uint32(0); c < stbl.Stts.SampleCount[k] && i < len(samples); c++ {
			samples[i].Producer = dts
			durs[i] = int64(stbl.Stts.SampleTimeDelta[k])
			dts += durs[i]
			i++
		}
	}
	for ; i < len(samples); i++ {
		samples[i].Producer = dts
	}
	if ct := stbl.Ctts; ct != nil {
		i = 0
		for k := 0; k < len(ct.SampleOffset) && k+1 < len(ct.EndSampleNr) && i < len(samples); k++ {
			for c := ct.EndSampleNr[k]; c < ct.EndSampleNr[k+1] && i < len(samples); c++ {
				samples[i].Producer += int64(ct.SampleOffset[k])
				i++
			}
		}
	}
	sync := map[uint32]bool(nil)
	if stbl.Stss != nil {
		sync = make(map[uint32]bool, len(stbl.Stss.SampleNumber))
		for _, v := range stbl.Stss.SampleNumber {
			sync[v] = true
		}
	}
	fi := int32(len(s.idx.Fragments))
	var start, end int64 = 1 << 62, -1 << 62
	for i := range samples {
		sm := &samples[i]
		sm.Keyframe = sync == nil || sync[uint32(i+1)]
		sm.Producer = ticksToNs(sm.Producer+shift, ts)
		sm.Server = sm.Producer
		sm.Duration = ticksToNs(durs[i], ts)
		sm.Fragment = fi
		start = min(start, sm.Producer)
		end = max(end, sm.Producer+sm.Duration)
	}
	if len(samples) == 0 {
		return nil
	}
	s.idx.Fragments = append(s.idx.Fragments, media.Fragment{Number: strconv.Itoa(int(fi)), Producer: start, Server: start, Duration: end - start, Size: s.size})
	s.fragEnd = append(s.fragEnd, end)
	s.idx.Samples = append(s.idx.Samples, samples...)
	return nil
}

// fragment indexes the video samples of one moof (§8.8.4-§8.8.8).
func (s *Source) fragment(moof *mp4.MoofBox, moofSize int64, trackID uint32, trex *mp4.TrexBox, ts uint32, shift int64, next uint64) (uint64, error) {
	var traf *mp4.TrafBox
	for _, t := range moof.Trafs {
		if t.Tfhd != nil && t.Tfhd.TrackID == trackID {
			traf = t
			break
		}
	}
	if traf == nil {
		return next, nil
	}
	dts := next
	if traf.Tfdt != nil {
		dts = traf.Tfdt.BaseMediaDecodeTime()
	}
	fi := int32(len(s.idx.Fragments))
	first := len(s.idx.Samples)
	base := moof.StartPos
	if traf.Tfhd.HasBaseDataOffset() {
		base = traf.Tfhd.BaseDataOffset
	}
	off := base
	var start, end int64 = 1 << 62, -1 << 62
	for _, trun := range traf.Truns {
		trun.AddSampleDefaultValues(traf.Tfhd, trex)
		if trun.HasDataOffset() {
			off = uint64(int64(base) + int64(trun.DataOffset))
		}
		for _, smp := range trun.Samples {
			if len(s.idx.Samples) >= MaxSamples {
				return 0, &FormatError{Offset: int64(moof.StartPos), Msg: fmt.Sprintf("more than %d samples (MaxSamples)", MaxSamples)}
			}
			if smp.Size > MaxSampleSize || off+uint64(smp.Size) > uint64(s.size) || dts > 1<<62 {
				return dts, nil // truncated file: the rest is dropped
			}
			flags := mp4.DecodeSampleFlags(smp.Flags)
			p := ticksToNs(int64(dts)+int64(smp.CompositionTimeOffset)+shift, ts)
			d := ticksToNs(int64(smp.Dur), ts)
			s.idx.Samples = append(s.idx.Samples, media.Sample{
				Producer: p, Server: p, Duration: d,
				Keyframe: !flags.SampleIsNonSync && flags.SampleDependsOn != 1,
				Fragment: fi, Pos: int64(off), Size: int32(smp.Size),
			})
			start, end = min(start, p), max(end, p+d)
			off += uint64(smp.Size)
			dts += uint64(smp.Dur)
		}
	}
	if len(s.idx.Samples) > first {
		s.idx.Fragments = append(s.idx.Fragments, media.Fragment{Number: strconv.Itoa(int(fi)), Producer: start, Server: start,
			Duration: end - start, Size: moofSize})
		s.fragEnd = append(s.fragEnd, end)
	}
	return dts, nil
}

// child iterates over the boxes in b (a box body), calling f with type and body.
func children(b []byte, f func(typ string, body []byte) bool) {
	for len(b) >= 8 {
		sz := int(binary.BigEndian.Uint32(b))
		hl := 8
		if sz == 1 && len(b) >= 16 {
			v := binary.BigEndian.Uint64(b[8:])
			if v > uint64(len(b)) {
				return
			}
			sz, hl = int(v), 16
		} else if sz == 0 {
			sz = len(b)
		}
		if sz < hl || sz > len(b) {
			return
		}
		if !f(string(b[4:8]), b[hl:sz]) {
			return
		}
		b = b[sz:]
	}
}

// findRecord returns a copy of the avcC/hvcC record of the track with the
// given ID from the raw moov box: moov/trak/mdia/minf/stbl/stsd/<entry>.
func findRecord(moov []byte, trackID uint64, c decode.Codec) []byte {
	if len(moov) < 8 {
		return nil
	}
	want := "avcC"
	if c == decode.H265 {
		want = "hvcC"
	}
	var rec []byte
	children(moov[8:], func(typ string, trak []byte) bool {
		if typ != "trak" {
			return true
		}
		id := uint64(0)
		var stsd []byte
		children(trak, func(typ string, body []byte) bool {
			switch typ {
			case "tkhd":
				// version(1) flags(3) then creation/modification times of 4 or 8 bytes.
				if len(body) >= 24 && body[0] == 1 {
					id = uint64(binary.BigEndian.Uint32(body[20:]))
				} else if len(body) >= 16 {
					id = uint64(binary.BigEndian.Uint32(body[12:]))
				}
			case "mdia":
				children(body, func(typ string, b []byte) bool {
					if typ == "minf" {
						children(b, func(typ string, b []byte) bool {
							if typ == "stbl" {
								children(b, func(typ string, b []byte) bool {
									if typ == "stsd" {
										stsd = b
									}
									return true
								})
							}
							return true
						})
					}
					return true
				})
			}
			return true
		})
		if id != trackID || len(stsd) < 8 {
			return true
		}
		// stsd: version/flags(4) entry_count(4), then sample entries. A visual
		// sample entry has 78 bytes of fields before its child boxes (§12.1.3).
		children(stsd[8:], func(typ string, entry []byte) bool {
			if len(entry) > 78 {
				children(entry[78:], func(typ string, b []byte) bool {
					if typ == want {
						rec = bytes.Clone(b)
						return false
					}
					return true
				})
			}
			return false
		})
		return rec == nil
	})
	return rec
}
