package store

import (
	"context"
	"errors"
	"time"

	"github.com/stills/stills/media"
)

// Limits on what the store accepts and what it reads back. Index records
// are checked against them when read, so a damaged index gives an error, not
// a huge allocation.
const (
	// MaxFragmentBytes bounds one fragment's payload file. Sample positions
	// are packed as seq<<32 | offset, so it must stay below 4 GiB; KVS itself
	// limits fragments to 50 MB.
	MaxFragmentBytes = 256 << 20
	// MaxSamplesPerFragment bounds the frames of one fragment (a 32 s GOP at
	// 240 fps is 7680).
	MaxSamplesPerFragment = 16384
	// MaxSampleBytes bounds one video frame read back from a fragment file.
	MaxSampleBytes = 64 << 20
	// MaxFragmentDuration bounds a fragment's span; ingest starts a new
	// fragment before a cluster would exceed the Matroska block-offset limit
	// (mkv.MaxMuxClusterSpan, 32.767 s).
	MaxFragmentDuration = 32 * time.Second
	// MaxScanFragments bounds the fragments one Scan indexes: GetImages ranges
	// are at most 300 s, so this only trips on pathological streams of
	// near-empty fragments.
	MaxScanFragments = 20000
	// MaxStreams bounds the streams of one store (the AWS account default is
	// 10000 as well).
	MaxStreams = 10000
)

// Errors returned by a Store; test them with errors.Is.
var (
	ErrStreamNotFound   = errors.New("store: stream not found")
	ErrStreamExists     = errors.New("store: stream already exists")
	ErrFragmentNotFound = errors.New("store: fragment not found")
	ErrInUse            = errors.New("store: data directory is in use by another process")
	ErrCorrupt          = errors.New("store: index record is damaged")
	ErrInvalid          = errors.New("store: invalid argument")
	// ErrInput wraps Ingest's errors about the media given to it (as
	// opposed to the store's own).
	ErrInput = errors.New("store: cannot ingest the input")
)

// StreamInfo describes a stream as DescribeStream reports it.
type StreamInfo struct {
	Name           string    `json:"name"`
	ARN            string    `json:"arn"`
	ID             string    `json:"id"` // directory name, unique across re-creations
	CreationTime   time.Time `json:"created"`
	MediaType      string    `json:"mediaType,omitempty"`
	DeviceName     string    `json:"device,omitempty"`
	KmsKeyID       string    `json:"kms,omitempty"`
	RetentionHours int       `json:"retentionHours"`
	Version        string    `json:"version"`
	// MaxDuration is the longest fragment stored so far (ns); Scan looks
	// back that far for fragments overlapping a range.
	MaxDuration int64 `json:"maxDur"`
}

// NewStream are the fields of CreateStream.
type NewStream struct {
	Name           string
	MediaType      string
	DeviceName     string
	KmsKeyID       string
	RetentionHours int
}

// Fragment is one stored fragment (times in ns since the epoch).
type Fragment struct {
	Seq      uint64 `json:"seq"`
	Number   string `json:"num"`
	Producer int64  `json:"p"`
	Server   int64  `json:"s"`
	Duration int64  `json:"d"`
	Size     int64  `json:"z"`
	// Track is the video track (codec private data, NAL framing, size).
	Track media.Track `json:"track"`
	// Samples in decode order; times relative to Producer/Server.
	Samples []SampleEntry `json:"samples"`
}

// SampleEntry locates one video frame inside the fragment file.
type SampleEntry struct {
	Offset   uint32 `json:"o"`
	Size     uint32 `json:"n"`
	Delta    int64  `json:"t"` // ns from the fragment start (presentation time)
	Duration int64  `json:"d"` // ns
	Key      bool   `json:"k,omitempty"`
}

// NewFragment is what Append stores: the video track and its frames.
type NewFragment struct {
	Track    media.Track
	Producer int64 // ns since the epoch; rounded to ms (KVS precision)
	Server   int64 // ns since the epoch, 0 = now
	Frames   []NewFrame
}

// NewFrame is one video frame of a NewFragment. Data is length-prefixed
// (Track.NALLengthSize) or Annex B as Track.NALFormat says.
type NewFrame struct {
	Time     int64 // ns, producer timeline (presentation time)
	Duration int64 // ns
	Keyframe bool
	Data     []byte
}

// Selector picks fragments by start time on a timeline, both ends included.
type Selector struct {
	Timeline media.Timeline
	From, To int64 // ns
	// NoSamples leaves Fragment.Samples nil (ListFragments needs only
	// the headers; GetClip needs the sample tables).
	NoSamples bool
}

// Cursor continues a ListFragments walk after the last fragment returned.
type Cursor struct {
	Time int64
	Seq  uint64
}

// Store is the storage API the server uses; Disk implements it.
type Store interface {
	CreateStream(ctx context.Context, s NewStream) (StreamInfo, error)
	// Stream looks a stream up by name and/or ARN (either may be empty).
	Stream(ctx context.Context, name, arn string) (StreamInfo, error)
	ListStreams(ctx context.Context, prefix string, after string, limit int) ([]StreamInfo, error)
	DeleteStream(ctx context.Context, arn string) error
	// Append stores a fragment durably and returns it once committed.
	Append(ctx context.Context, stream string, f *NewFragment) (Fragment, error)
	// ListFragments returns fragments whose start lies in sel, after c (nil
	// = from the start), at most limit; more says whether others follow.
	ListFragments(ctx context.Context, stream string, sel Selector, c *Cursor, limit int) (frags []Fragment, more bool, err error)
	// FragmentByNumber looks a fragment up by its number.
	FragmentByNumber(ctx context.Context, stream, number string) (Fragment, error)
	// ReadFragment returns a fragment's whole payload (a Matroska document).
	ReadFragment(ctx context.Context, stream string, f *Fragment) ([]byte, error)
	// Source returns the stream as a media.Source for the engine.
	Source(ctx context.Context, stream string) (media.Source, error)
	// TokenKey is the secret that authenticates NextTokens.
	TokenKey() []byte
	Close() error
}
