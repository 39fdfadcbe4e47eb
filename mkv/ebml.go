package mkv

import (
	"errors"
	"fmt"
	"io"
)

// Element IDs (RFC 9559 §5.1, RFC 8794 §11.2), with their length-marker bits
// as they appear in the file. Unexported so that they cannot collide with the
// muxer's names in this package.
const (
	eidEBML           = 0x1A45DFA3
	eidSegment        = 0x18538067
	eidSeekHead       = 0x114D9B74
	eidInfo           = 0x1549A966
	eidTracks         = 0x1654AE6B
	eidCluster        = 0x1F43B675
	eidCues           = 0x1C53BB6B
	eidTags           = 0x1254C367
	eidChapters       = 0x1043A770
	eidAttachments    = 0x1941A469
	eidTimestamp      = 0xE7 // Cluster Timestamp (formerly Timecode)
	eidSilentTracks   = 0x5854
	eidPosition       = 0xA7
	eidPrevSize       = 0xAB
	eidSimpleBlock    = 0xA3
	eidBlockGroup     = 0xA0
	eidBlock          = 0xA1
	eidBlockDuration  = 0x9B
	eidReferenceBlock = 0xFB
	eidEncryptedBlock = 0xAF
	eidVoid           = 0xEC
	eidCRC32          = 0xBF
	eidTag            = 0x7373
	eidSimpleTag      = 0x67C8
	eidTagName        = 0x45A3
	eidTagString      = 0x4487
)

// Limits on sizes and counts read from the file. Each bounds the memory or
// time one hostile element can cost.
const (
	// MaxMetadataSize bounds the Info, Tracks, Tags, SeekHead and Cues
	// elements, which are read into memory whole. Cues of a day-long file
	// with a cue point per second take about 2 MiB.
	MaxMetadataSize = 16 << 20
	// MaxBlockSize bounds one SimpleBlock or Block (a 4K intra picture at a
	// very high bit rate is a few MiB).
	MaxBlockSize = 64 << 20
	// MaxBlockGroupSize bounds a BlockGroup: its Block plus small siblings.
	MaxBlockGroupSize = MaxBlockSize + 1<<20
	// MaxTracks bounds the TrackEntry elements of one Segment.
	MaxTracks = 128
	// MaxLaceFrames is the most frames one laced block can hold (the lace
	// count is one byte holding count-1, RFC 9559 §10.3).
	MaxLaceFrames = 256
	// MaxSamples bounds the video samples one walk indexes (about 18 hours
	// at 30 frames per second); the index costs 48 bytes per sample.
	MaxSamples = 2 << 20
	// MaxClusters bounds the clusters one walk records.
	MaxClusters = 1 << 20
	// MaxSegments bounds the concatenated Segments one input may hold.
	MaxSegments = 1 << 20
	// MaxTagStringSize bounds a Kinesis tag value kept (fragment numbers are
	// 47 digits).
	MaxTagStringSize = 256
)

// FormatError reports malformed Matroska: what was wrong, the element ID and
// the byte offset of the element in the input.
type FormatError struct {
	Offset int64  // byte offset of the element in the input
	ID     uint32 // element ID (0 when it could not be read)
	Msg    string
}

func (e *FormatError) Error() string {
	if e.ID != 0 {
		return fmt.Sprintf("mkv: element 0x%X at byte %d: %s", e.ID, e.Offset, e.Msg)
	}
	return fmt.Sprintf("mkv: at byte %d: %s", e.Offset, e.Msg)
}

// ErrNotMatroska: the input does not start with an EBML header of DocType
// "matroska" or "webm".
var ErrNotMatroska = errors.New("mkv: not a Matroska/WebM file (no EBML header with DocType matroska or webm)")

// errTruncated marks an element that runs past the end of the input.
var errTruncated = errors.New("mkv: element runs past the end of the input")

// unknownSize is the element size of an element whose size field is all ones.
const unknownSize = -1

// parseID reads an element ID (RFC 8794 §5) from b. It returns the ID with its
// marker bits and its length, or n == 0 when b holds no valid ID (too short,
// a first byte of 0 or 0xFF beyond 4 bytes).
func parseID(b []byte) (id uint32, n int) {
	if len(b) == 0 {
		return 0, 0
	}
	c := b[0]
	switch {
	case c >= 0x80:
		n = 1
	case c >= 0x40:
		n = 2
	case c >= 0x20:
		n = 3
	case c >= 0x10:
		n = 4
	default:
		return 0, 0 // IDs are at most 4 bytes long
	}
	if len(b) < n {
		return 0, 0
	}
	for i := 0; i < n; i++ {
		id = id<<8 | uint32(b[i])
	}
	return id, n
}

// parseSize reads an element data size (RFC 8794 §6) from b. It returns the
// size (unknownSize when all value bits are one), its length, or n == 0 when
// b holds no valid size.
func parseSize(b []byte) (size int64, n int) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0
	}
	c := b[0]
	n = 1
	for mask := byte(0x80); c&mask == 0; mask >>= 1 {
		n++
	}
	if len(b) < n {
		return 0, 0
	}
	v := uint64(c & (0xFF >> n))
	allOnes := v == uint64(0xFF>>n)
	for i := 1; i < n; i++ {
		v = v<<8 | uint64(b[i])
		if b[i] != 0xFF {
			allOnes = false
		}
	}
	if allOnes {
		return unknownSize, n
	}
	if v > 1<<56 {
		v = 1 << 56 // beyond every limit; keeps the value a positive int64
	}
	return int64(v), n
}

// parseVint reads an EBML variable-size integer as used inside blocks (track
// number, EBML lace sizes): like parseSize but all-ones is a plain value.
func parseVint(b []byte) (v uint64, n int) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0
	}
	c := b[0]
	n = 1
	for mask := byte(0x80); c&mask == 0; mask >>= 1 {
		n++
	}
	if len(b) < n {
		return 0, 0
	}
	v = uint64(c & (0xFF >> n))
	for i := 1; i < n; i++ {
		v = v<<8 | uint64(b[i])
	}
	return v, n
}

// readUint reads an EBML unsigned integer element body (0 to 8 bytes).
func readUint(b []byte) (uint64, bool) {
	if len(b) > 8 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v, true
}

// child is one element found by children.
type child struct {
	id   uint32
	off  int // offset of the element header within the parent's data
	data []byte
}

// children iterates over the child elements of a master element held in
// memory, calling f for each; it stops at the first malformed child and
// returns its offset and a message. Children of unknown size are rejected.
func children(b []byte, f func(c child) bool) (badOff int, msg string) {
	off := 0
	for off < len(b) {
		id, n := parseID(b[off:])
		if n == 0 {
			return off, "invalid element ID"
		}
		size, m := parseSize(b[off+n:])
		if m == 0 {
			return off, "invalid element size"
		}
		if size == unknownSize || size > int64(len(b)-off-n-m) {
			return off, "element size runs past its parent"
		}
		start := off + n + m
		if !f(child{id: id, off: off, data: b[start : start+int(size)]}) {
			return -1, ""
		}
		off = start + int(size)
	}
	return -1, ""
}

// window is a small read-ahead buffer over an io.ReaderAt, for element and
// block headers. Payloads are skipped by moving past them, never read.
type window struct {
	ra    io.ReaderAt
	size  int64 // input size
	buf   []byte
	off   int64 // input offset of buf[0]
	n     int   // valid bytes in buf
	nread int64 // bytes read from ra so far (tests check Cue seeking with it)
}

// refillSize is how much window reads at once: enough for a Cluster start,
// a few small blocks or a BlockGroup header, small enough that skipping large
// payloads does not read them.
const refillSize = 2048

// smallRefill is the read after a long skip: an element header (12 bytes),
// a block header with lacing sizes for a few frames, and the next header.
const smallRefill = 256

// peek returns the bytes of the input from pos on, at least k of them unless
// the input ends sooner. The slice is valid until the next call.
func (w *window) peek(pos int64, k int) ([]byte, error) {
	if pos < 0 || pos > w.size {
		return nil, errTruncated
	}
	if pos >= w.off && pos+int64(k) <= w.off+int64(w.n) {
		return w.buf[pos-w.off : w.n], nil
	}
	// After a long skip (past a large payload) read only what one block
	// header and the next element header need; in runs of small elements
	// read ahead a larger window.
	want := k
	if pos-(w.off+int64(w.n)) > 4*refillSize || pos < w.off {
		want = max(want, smallRefill)
	} else {
		want = max(want, refillSize)
	}
	if rem := w.size - pos; int64(want) > rem {
		want = int(rem)
	}
	if cap(w.buf) < want {
		w.buf = make([]byte, want)
	}
	w.buf = w.buf[:cap(w.buf)]
	n, err := w.ra.ReadAt(w.buf[:want], pos)
	w.nread += int64(n)
	w.off, w.n = pos, n
	if n < want {
		if err == nil || err == io.EOF {
			err = errTruncated
		}
		w.n = 0
		return nil, err
	}
	return w.buf[:n], nil
}

// header is an element header read from the input.
type header struct {
	id   uint32
	pos  int64 // offset of the ID
	hlen int   // bytes of ID and size
	size int64 // data size, unknownSize when unknown
}

func (h header) dataPos() int64 { return h.pos + int64(h.hlen) }

// end is the offset after the element, or -1 when its size is unknown.
func (h header) end() int64 {
	if h.size == unknownSize {
		return -1
	}
	return h.pos + int64(h.hlen) + h.size
}

// readHeader reads the element header at pos. At the end of the input it
// returns io.EOF; a header cut by the end of the input gives errTruncated.
func (w *window) readHeader(pos int64) (header, error) {
	if pos >= w.size {
		return header{}, io.EOF
	}
	k := 12
	if rem := w.size - pos; rem < int64(k) {
		k = int(rem)
	}
	b, err := w.peek(pos, k)
	if err != nil {
		return header{}, err
	}
	if b[0] < 0x10 {
		return header{}, &FormatError{Offset: pos, Msg: fmt.Sprintf("invalid element ID (first byte 0x%02X)", b[0])}
	}
	id, n := parseID(b)
	if n == 0 {
		return header{}, errTruncated // a valid ID length marker, cut by the end of the input
	}
	if len(b) == n {
		return header{}, errTruncated
	}
	if b[n] == 0 {
		return header{}, &FormatError{Offset: pos, ID: id, Msg: "invalid element size (longer than 8 bytes)"}
	}
	size, m := parseSize(b[n:])
	if m == 0 {
		return header{}, errTruncated
	}
	return header{id: id, pos: pos, hlen: n + m, size: size}, nil
}

// readAll reads the data of an element of known size into a new slice.
func (w *window) readAll(h header, limit int64) ([]byte, error) {
	if h.size == unknownSize {
		return nil, &FormatError{Offset: h.pos, ID: h.id, Msg: "unknown size not allowed for this element"}
	}
	if h.size > limit {
		return nil, &FormatError{Offset: h.pos, ID: h.id, Msg: fmt.Sprintf("size %d exceeds the limit of %d bytes", h.size, limit)}
	}
	if h.end() > w.size {
		return nil, errTruncated
	}
	b := make([]byte, h.size)
	n, err := w.ra.ReadAt(b, h.dataPos())
	w.nread += int64(n)
	if n < len(b) {
		if err == nil || err == io.EOF {
			err = errTruncated
		}
		return nil, err
	}
	return b, nil
}
