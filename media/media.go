// Package media is the container-neutral view of stored video that the
// engine works on: tracks, fragments, and an index of video samples on two
// timelines (producer and server time). Matroska (package mkv), MP4, raw
// Annex B files and the fragment store all implement Source, so GetImages
// over a file and over the store share one code path.
package media

import (
	"context"
	"errors"

	"github.com/stills/stills/decode"
)

// Time is a point on a timeline in nanoseconds since the Unix epoch. Media
// with no absolute clock (a file with no DateUTC and no KVS tags) starts near
// 0, i.e. at 1970-01-01; the CLI expresses offsets from the start of media.
type Time = int64

// Timeline selects which clock a timestamp is read on (SPEC §1).
type Timeline uint8

const (
	ProducerTime Timeline = iota // PRODUCER_TIMESTAMP
	ServerTime                   // SERVER_TIMESTAMP
)

// NALFormat says how a video sample's NAL units are framed.
type NALFormat uint8

const (
	LengthPrefixed NALFormat = iota // avcC/hvcC style, Track.NALLengthSize bytes
	AnnexB                          // start codes
)

// Track describes one track of the source.
type Track struct {
	Number        uint64       // container track number / ID
	CodecID       string       // as the container names it, e.g. "V_MPEG4/ISO/AVC", "A_AAC", "avc1"
	Codec         decode.Codec // H264, H265, or CodecUnknown for anything else
	Video         bool
	CodecPrivate  []byte // avcC / hvcC record, nil when absent
	NALFormat     NALFormat
	NALLengthSize int // 1, 2 or 4 when NALFormat == LengthPrefixed
	Width, Height int // as the container says (0 when unknown)
}

// Fragment is a unit of storage: a KVS fragment, a Matroska cluster, an MP4
// fragment (moof) or a whole raw stream.
type Fragment struct {
	Number   string // KVS fragment number, else a decimal ordinal
	Producer Time   // start on the producer timeline
	Server   Time   // start on the server timeline
	Duration int64  // ns, 0 when unknown
	Size     int64  // bytes in the container, 0 when unknown
}

// Sample is one video frame (access unit) of the index.
type Sample struct {
	Producer Time  // presentation time on the producer timeline
	Server   Time  // presentation time on the server timeline
	Duration int64 // ns; 0 when the container does not say
	Keyframe bool  // random-access picture as the container marks it
	Fragment int32 // index into Index.Fragments
	// Pos and Size locate the payload for Source.ReadSample; their meaning
	// belongs to the Source (a file offset, a store key...).
	Pos  int64
	Size int32
}

// Index lists the video samples of one track between two times.
type Index struct {
	Tracks    []Track
	Video     int // index into Tracks of the video track sampled; -1 when there is none
	Fragments []Fragment
	Samples   []Sample // decode order, one video track
}

// Source is stored video the engine can sample.
type Source interface {
	// Scan indexes the video samples whose time on timeline tl lies in
	// [from, to], plus enough around them (the samples of every fragment
	// that overlaps the range) for spans and keyframe choice. A Source with
	// an index (Matroska Cues, an MP4 sample table, the store) reads only
	// about the requested range; others may read the whole input.
	Scan(ctx context.Context, tl Timeline, from, to Time) (*Index, error)
	// ReadSample returns the payload of s, appended to dst[:0].
	ReadSample(ctx context.Context, s *Sample, dst []byte) ([]byte, error)
	// Close releases the source.
	Close() error
}

var (
	// ErrNoVideo: the source has no video track.
	ErrNoVideo = errors.New("media: no video track")
	// ErrUnsupportedContainer: the input is not a container this project reads.
	ErrUnsupportedContainer = errors.New("media: unrecognised container format")
)
