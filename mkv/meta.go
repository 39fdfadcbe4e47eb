package mkv

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/at-wat/ebml-go"

	"github.com/stills/stills/decode"
	"github.com/stills/stills/media"
)

// Codec IDs (RFC 9559 codec mappings, "Codec Specs for Matroska").
const (
	CodecIDH264 = "V_MPEG4/ISO/AVC"
	CodecIDH265 = "V_MPEGH/ISO/HEVC"
)

// defaultTimecodeScale is TimestampScale when Info does not give it (RFC 9559 §5.1.2.1).
const defaultTimecodeScale = 1000000

// maxTimecodeScale bounds TimestampScale (ns per tick) so that timestamps stay
// within int64 nanoseconds for any realistic file.
const maxTimecodeScale = 1 << 32

// unmarshal runs ebml-go on one element held in memory (header included). A
// panic inside the library on hostile input becomes an error here.
func unmarshal(elem []byte, v any) (err error) {
	if !shallow(elem, 0) {
		return fmt.Errorf("master elements nested deeper than %d levels, or of unknown size", maxMetadataDepth)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("ebml-go panicked: %v", r)
		}
	}()
	return ebml.Unmarshal(bytes.NewReader(elem), v)
}

// maxMetadataDepth bounds the nesting of elements handed to ebml-go: its
// reader wraps one io.LimitReader per level, so a deeply nested element
// costs it time quadratic in the depth (200 000 levels in 1.8 MB took over
// 100 s). Matroska metadata nests at most 6 levels (Tracks, TrackEntry,
// Video, Colour, MasteringMetadata, a value).
const maxMetadataDepth = 10

// shallow reports whether b (a sequence of elements, or binary data) nests
// no deeper than maxMetadataDepth and has no element of unknown size. Data
// that does not parse completely as elements is a leaf value. Each byte is
// visited at most maxMetadataDepth times.
func shallow(b []byte, depth int) bool {
	if depth > maxMetadataDepth {
		return false
	}
	var kids [][]byte
	for off := 0; off < len(b); {
		_, n := parseID(b[off:])
		if n == 0 || b[off] < 0x10 {
			return true // not elements: a leaf value
		}
		size, m := parseSize(b[off+n:])
		if m == 0 {
			return true
		}
		if size == unknownSize {
			return false
		}
		if size > int64(len(b)-off-n-m) {
			return true
		}
		kids = append(kids, b[off+n+m:off+n+m+int(size)])
		off += n + m + int(size)
	}
	for _, k := range kids {
		if !shallow(k, depth+1) {
			return false
		}
	}
	return true
}

// ebmlHeaderDoc is the EBML header (RFC 8794 §11.2).
type ebmlHeaderDoc struct {
	Header struct {
		DocType        string `ebml:"EBMLDocType"`
		DocTypeVersion uint64 `ebml:"EBMLDocTypeVersion"`
		MaxIDLength    uint64 `ebml:"EBMLMaxIDLength"`
		MaxSizeLength  uint64 `ebml:"EBMLMaxSizeLength"`
	} `ebml:"EBML"`
}

func parseEBMLHeader(elem []byte, pos int64) error {
	var d ebmlHeaderDoc
	if err := unmarshal(elem, &d); err != nil {
		return &FormatError{Offset: pos, ID: eidEBML, Msg: "EBML header: " + err.Error()}
	}
	switch d.Header.DocType {
	case "matroska", "webm":
		return nil
	}
	return fmt.Errorf("%w: DocType %q at byte %d", ErrNotMatroska, d.Header.DocType, pos)
}

// infoDoc is the Segment Info element (RFC 9559 §5.1.2).
type infoDoc struct {
	Info struct {
		TimecodeScale uint64    `ebml:"TimecodeScale"`
		DateUTC       time.Time `ebml:"DateUTC"`
	} `ebml:"Info"`
}

// segInfo is what the engine needs from Info.
type segInfo struct {
	scale   int64 // ns per timestamp tick
	dateUTC int64 // ns since the Unix epoch, 0 when absent
}

func parseInfo(elem []byte, pos int64) (segInfo, error) {
	var d infoDoc
	if err := unmarshal(elem, &d); err != nil {
		// ebml-go rejects element IDs missing from its table; read the two
		// fields by hand instead.
		var ok bool
		if d.Info.TimecodeScale, d.Info.DateUTC, ok = infoByHand(elem); !ok {
			return segInfo{}, &FormatError{Offset: pos, ID: eidInfo, Msg: "Info: " + err.Error()}
		}
	}
	si := segInfo{scale: defaultTimecodeScale}
	if s := d.Info.TimecodeScale; s != 0 {
		if s > maxTimecodeScale {
			return segInfo{}, &FormatError{Offset: pos, ID: eidInfo, Msg: fmt.Sprintf("TimestampScale %d exceeds %d", s, maxTimecodeScale)}
		}
		si.scale = int64(s)
	}
	if !d.Info.DateUTC.IsZero() {
		si.dateUTC = d.Info.DateUTC.UnixNano()
	}
	return si, nil
}

// tracksDoc is the Tracks element (RFC 9559 §5.1.4).
type tracksDoc struct {
	Tracks struct {
		TrackEntry []trackEntryDoc `ebml:"TrackEntry"`
	} `ebml:"Tracks"`
}

type trackEntryDoc struct {
	TrackNumber     uint64    `ebml:"TrackNumber"`
	TrackType       uint64    `ebml:"TrackType"`
	CodecID         string    `ebml:"CodecID"`
	CodecPrivate    []byte    `ebml:"CodecPrivate"`
	DefaultDuration uint64    `ebml:"DefaultDuration"`
	Video           *videoDoc `ebml:"Video"`
}

type videoDoc struct {
	PixelWidth  uint64 `ebml:"PixelWidth"`
	PixelHeight uint64 `ebml:"PixelHeight"`
}

// trackTypeVideo is TrackType 1 (RFC 9559 §5.1.4.1.3).
const trackTypeVideo = 1

// trackInfo is a media.Track plus what block parsing needs.
type trackInfo struct {
	media.Track
	defaultDuration int64 // ns per frame, 0 when not given
	formatKnown     bool  // NALFormat decided (from CodecPrivate or a payload)
}

func parseTracks(elem []byte, pos int64) ([]trackInfo, error) {
	var d tracksDoc
	if err := unmarshal(elem, &d); err != nil {
		// ebml-go rejects element IDs missing from its table; read the
		// fields used here by hand instead.
		var ok bool
		if d, ok = tracksByHand(elem); !ok {
			return nil, &FormatError{Offset: pos, ID: eidTracks, Msg: "Tracks: " + err.Error()}
		}
	}
	if len(d.Tracks.TrackEntry) > MaxTracks {
		return nil, &FormatError{Offset: pos, ID: eidTracks, Msg: fmt.Sprintf("%d tracks exceed the limit of %d", len(d.Tracks.TrackEntry), MaxTracks)}
	}
	out := make([]trackInfo, 0, len(d.Tracks.TrackEntry))
	for _, te := range d.Tracks.TrackEntry {
		t := trackInfo{Track: media.Track{
			Number:  te.TrackNumber,
			CodecID: te.CodecID,
			Video:   te.TrackType == trackTypeVideo || strings.HasPrefix(te.CodecID, "V_"),
		}}
		if te.DefaultDuration < 1<<40 {
			t.defaultDuration = int64(te.DefaultDuration)
		}
		if te.Video != nil && te.Video.PixelWidth < 1<<16 && te.Video.PixelHeight < 1<<16 {
			t.Width, t.Height = int(te.Video.PixelWidth), int(te.Video.PixelHeight)
		}
		if len(te.CodecPrivate) > 0 {
			t.CodecPrivate = te.CodecPrivate
		}
		switch te.CodecID {
		case CodecIDH264:
			t.Codec = decode.H264
		case CodecIDH265:
			t.Codec = decode.H265
		}
		if t.Video && t.Codec != decode.CodecUnknown && t.CodecPrivate != nil {
			if n, err := media.NALLengthSize(t.Codec, t.CodecPrivate); err == nil {
				t.NALFormat, t.NALLengthSize, t.formatKnown = media.LengthPrefixed, n, true
			} else if rec := recordFromAnnexB(t.Codec, t.CodecPrivate); rec != nil {
				// Parameter sets sent as an Annex B byte stream: give the
				// engine a real record; the payload framing is detected later.
				t.CodecPrivate = rec
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// seekHeadDoc is the SeekHead element (RFC 9559 §5.1.1).
type seekHeadDoc struct {
	SeekHead struct {
		Seek []struct {
			SeekID       []byte `ebml:"SeekID"`
			SeekPosition uint64 `ebml:"SeekPosition"`
		} `ebml:"Seek"`
	} `ebml:"SeekHead"`
}

// cuesPosition returns the Segment-relative position of Cues named by a
// SeekHead, or -1.
func cuesPosition(elem []byte) int64 {
	var d seekHeadDoc
	if err := unmarshal(elem, &d); err != nil {
		return -1
	}
	for _, s := range d.SeekHead.Seek {
		if len(s.SeekID) == 4 && uint32(s.SeekID[0])<<24|uint32(s.SeekID[1])<<16|uint32(s.SeekID[2])<<8|uint32(s.SeekID[3]) == eidCues && s.SeekPosition < 1<<56 {
			return int64(s.SeekPosition)
		}
	}
	return -1
}

// cue is one cue point: a time in ticks and a Segment-relative cluster position.
type cue struct {
	time    uint64
	track   uint64
	cluster int64
}

// Cue element IDs (RFC 9559 §5.1.5).
const (
	eidCuePoint          = 0xBB
	eidCueTime           = 0xB3
	eidCueTrackPositions = 0xB7
	eidCueTrack          = 0xF7
	eidCueClusterPos     = 0xF1
)

// MaxCuePoints bounds the cue entries kept (a cue point per second for
// twelve days).
const MaxCuePoints = 1 << 20

// parseCues reads a Cues element by hand: Opening a long file reads all its
// cue points, which ebml-go's reflective decoder makes about a hundred times
// slower.
func parseCues(elem []byte, pos int64) ([]cue, error) {
	data, ok := elemData(elem)
	if !ok {
		return nil, &FormatError{Offset: pos, ID: eidCues, Msg: "Cues: invalid element"}
	}
	var out []cue
	bad, msg := children(data, func(cp child) bool {
		if cp.id != eidCuePoint {
			return true
		}
		var t uint64
		haveT := false
		first := len(out)
		children(cp.data, func(c child) bool {
			switch c.id {
			case eidCueTime:
				t, haveT = readUint(c.data)
			case eidCueTrackPositions:
				var tp cue
				var tok, pok bool
				children(c.data, func(f child) bool {
					switch f.id {
					case eidCueTrack:
						tp.track, tok = readUint(f.data)
					case eidCueClusterPos:
						var v uint64
						if v, pok = readUint(f.data); pok && v < 1<<56 {
							tp.cluster = int64(v)
						} else {
							pok = false
						}
					}
					return true
				})
				if tok && pok && len(out) < MaxCuePoints {
					out = append(out, tp)
				}
			}
			return true
		})
		if !haveT {
			out = out[:first] // a CuePoint without CueTime is unusable
		}
		for i := first; i < len(out); i++ {
			out[i].time = t
		}
		return len(out) < MaxCuePoints
	})
	if bad >= 0 {
		return nil, &FormatError{Offset: pos, ID: eidCues, Msg: "Cues: " + msg}
	}
	return out, nil
}

// Kinesis Video Streams tag names (GetMedia / GetMediaForFragmentList
// output). Unexported: the muxer (write.go) exports the same names.
const (
	kvsFragmentNumber    = "AWS_KINESISVIDEO_FRAGMENT_NUMBER"
	kvsServerTimestamp   = "AWS_KINESISVIDEO_SERVER_TIMESTAMP"
	kvsProducerTimestamp = "AWS_KINESISVIDEO_PRODUCER_TIMESTAMP"
)

// kvsTags are the Kinesis tags of one fragment.
type kvsTags struct {
	number              string
	producer, server    int64 // ns since the Unix epoch
	hasProducer, hasSrv bool
}

// parseTags reads the SimpleTags of a Tags element (RFC 9559 §5.1.8) by hand
// (it is read once per fragment in GetMedia output) and returns the Kinesis
// tags, or nil when it has none.
func parseTags(data []byte) *kvsTags {
	var k kvsTags
	found := false
	children(data, func(tag child) bool {
		if tag.id != eidTag {
			return true
		}
		children(tag.data, func(st child) bool {
			if st.id != eidSimpleTag {
				return true
			}
			var name, value []byte
			children(st.data, func(c child) bool {
				switch c.id {
				case eidTagName:
					name = c.data
				case eidTagString:
					value = bytes.TrimRight(c.data, "\x00")
				}
				return true
			})
			if len(value) > MaxTagStringSize {
				return true
			}
			switch string(name) {
			case kvsFragmentNumber:
				k.number, found = string(value), true
			case kvsServerTimestamp:
				if t, ok := parseEpochSeconds(value); ok {
					k.server, k.hasSrv, found = t, true, true
				}
			case kvsProducerTimestamp:
				if t, ok := parseEpochSeconds(value); ok {
					k.producer, k.hasProducer, found = t, true, true
				}
			}
			return true
		})
		return true
	})
	if !found {
		return nil
	}
	return &k
}

// maxEpochSeconds bounds a timestamp tag so that it fits int64 nanoseconds.
const maxEpochSeconds = 9_000_000_000

// parseEpochSeconds parses decimal epoch seconds such as "1511852108.513"
// exactly (no floating point) into nanoseconds.
func parseEpochSeconds(b []byte) (int64, bool) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return 0, false
	}
	var sec int64
	i := 0
	for ; i < len(b) && b[i] != '.'; i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		sec = sec*10 + int64(c-'0')
		if sec > maxEpochSeconds {
			return 0, false
		}
	}
	if i == 0 {
		return 0, false
	}
	var frac int64
	digits := 0
	if i < len(b) {
		for _, c := range b[i+1:] {
			if c < '0' || c > '9' {
				return 0, false
			}
			if digits < 9 {
				frac = frac*10 + int64(c-'0')
				digits++
			}
		}
	}
	for ; digits < 9; digits++ {
		frac *= 10
	}
	return sec*1e9 + frac, true
}

// Element IDs read by the hand parsers below (RFC 9559 §5.1.2, §5.1.4).
const (
	eidTimestampScale  = 0x2AD7B1
	eidDateUTC         = 0x4461
	eidTrackEntry      = 0xAE
	eidTrackNumber     = 0xD7
	eidTrackType       = 0x83
	eidCodecID         = 0x86
	eidCodecPrivate    = 0x63A2
	eidDefaultDuration = 0x23E383
	eidVideo           = 0xE0
	eidPixelWidth      = 0xB0
	eidPixelHeight     = 0xBA
)

// elemData returns the data of a whole element held in memory.
func elemData(elem []byte) ([]byte, bool) {
	_, n := parseID(elem)
	if n == 0 {
		return nil, false
	}
	size, m := parseSize(elem[n:])
	if m == 0 || size < 0 || size > int64(len(elem)-n-m) {
		return nil, false
	}
	return elem[n+m : n+m+int(size)], true
}

// infoByHand reads TimestampScale and DateUTC from an Info element.
func infoByHand(elem []byte) (scale uint64, date time.Time, ok bool) {
	data, ok := elemData(elem)
	if !ok {
		return 0, time.Time{}, false
	}
	bad, _ := children(data, func(c child) bool {
		switch c.id {
		case eidTimestampScale:
			scale, _ = readUint(c.data)
		case eidDateUTC:
			if v, ok := readUint(c.data); ok && len(c.data) == 8 {
				date = time.Unix(ebml.DateEpochInUnixtime, int64(v))
			}
		}
		return true
	})
	return scale, date, bad < 0
}

// tracksByHand reads the TrackEntry fields used here from a Tracks element.
func tracksByHand(elem []byte) (d tracksDoc, ok bool) {
	data, ok := elemData(elem)
	if !ok {
		return d, false
	}
	bad, _ := children(data, func(te child) bool {
		if te.id != eidTrackEntry {
			return true
		}
		if len(d.Tracks.TrackEntry) > MaxTracks {
			return false
		}
		d.Tracks.TrackEntry = append(d.Tracks.TrackEntry, trackEntryDoc{})
		e := &d.Tracks.TrackEntry[len(d.Tracks.TrackEntry)-1]
		children(te.data, func(c child) bool {
			switch c.id {
			case eidTrackNumber:
				e.TrackNumber, _ = readUint(c.data)
			case eidTrackType:
				e.TrackType, _ = readUint(c.data)
			case eidCodecID:
				e.CodecID = string(bytes.TrimRight(c.data, "\x00"))
			case eidCodecPrivate:
				e.CodecPrivate = bytes.Clone(c.data)
			case eidDefaultDuration:
				e.DefaultDuration, _ = readUint(c.data)
			case eidVideo:
				e.Video = &videoDoc{}
				children(c.data, func(v child) bool {
					switch v.id {
					case eidPixelWidth:
						e.Video.PixelWidth, _ = readUint(v.data)
					case eidPixelHeight:
						e.Video.PixelHeight, _ = readUint(v.data)
					}
					return true
				})
			}
			return true
		})
		return true
	})
	return d, bad < 0
}

// recordFromAnnexB builds an avcC/hvcC record (4-byte NAL lengths) from
// parameter sets written as an Annex B byte stream, as some producers put
// them in CodecPrivate; nil when cp is not such a stream.
func recordFromAnnexB(c decode.Codec, cp []byte) (rec []byte) {
	if len(cp) < 4 || cp[0] != 0 || cp[1] != 0 || (cp[2] != 1 && (cp[2] != 0 || cp[3] != 1)) {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			rec = nil
		}
	}()
	nals, ok := decode.SplitAnnexB(nil, cp)
	if !ok {
		return nil
	}
	var vps, sps, pps [][]byte
	for _, n := range nals {
		if c == decode.H264 {
			switch n[0] & 0x1F {
			case 7:
				sps = append(sps, n)
			case 8:
				pps = append(pps, n)
			}
			continue
		}
		if len(n) < 2 {
			continue
		}
		switch n[0] >> 1 & 0x3F {
		case 32:
			vps = append(vps, n)
		case 33:
			sps = append(sps, n)
		case 34:
			pps = append(pps, n)
		}
	}
	r, err := media.RecordFromParameterSets(c, vps, sps, pps)
	if err != nil || r == nil {
		return nil
	}
	if _, err := media.NALLengthSize(c, r); err != nil {
		return nil
	}
	return r
}
