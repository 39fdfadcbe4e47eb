package stills

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/stills/stills/decode"
	"github.com/stills/stills/media"
)

// Fakes: a media.Source built from a list of fragments, a decoder that
// "decodes" a 4-byte picture id from the sample, and an encoder that
// describes what it was asked to make. They let the engine's rules be tested
// without the real decoder and encoder.

const msec = int64(time.Millisecond)

// base is an absolute time the fake media starts at (2026-01-01T00:00:00Z).
var base = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()

type fakeSource struct {
	ix media.Index

	mu    sync.Mutex
	scans [][2]media.Time // from, to of every Scan
	reads int
	// scanErr, when set, is returned by Scan.
	scanErr error
	// annexB: samples are Annex B, the first holds only an SPS (like a raw
	// stream that sends its parameter sets once, at the start).
	annexB bool
}

// newFakeSource makes fragments of fragMs milliseconds with frames every
// frameMs and a keyframe at the start of each fragment, from base+startMs
// for durMs. Fragments listed in gaps (by ordinal) are left out. Server time
// is producer time + serverShift ms.
func newFakeSource(startMs, durMs, fragMs, frameMs, serverShiftMs int64, gaps ...int) *fakeSource {
	s := &fakeSource{}
	s.ix.Tracks = []media.Track{{Number: 1, CodecID: "V_MPEG4/ISO/AVC", Codec: decode.H264, Video: true,
		CodecPrivate: []byte{1, 2, 3}, NALFormat: media.LengthPrefixed, NALLengthSize: 4}}
	s.ix.Video = 0
	nfrag := durMs / fragMs
	for f := int64(0); f < nfrag; f++ {
		skip := false
		for _, g := range gaps {
			skip = skip || int64(g) == f
		}
		if skip {
			continue
		}
		st := base + (startMs+f*fragMs)*msec
		fi := int32(len(s.ix.Fragments))
		s.ix.Fragments = append(s.ix.Fragments, media.Fragment{Number: fmt.Sprint(f), Producer: st, Server: st + serverShiftMs*msec})
		for t := int64(0); t < fragMs; t += frameMs {
			pt := st + t*msec
			s.ix.Samples = append(s.ix.Samples, media.Sample{
				Producer: pt, Server: pt + serverShiftMs*msec, Keyframe: t == 0, Fragment: fi,
				Pos: int64(len(s.ix.Samples)), Size: 8,
			})
		}
	}
	return s
}

func (s *fakeSource) Scan(ctx context.Context, tl media.Timeline, from, to media.Time) (*media.Index, error) {
	s.mu.Lock()
	s.scans = append(s.scans, [2]media.Time{from, to})
	s.mu.Unlock()
	if s.scanErr != nil {
		return nil, s.scanErr
	}
	ix := s.ix // the whole index: the engine must cope with more than asked
	return &ix, nil
}

// ReadSample returns a length-prefixed NAL unit holding the sample's Pos,
// which the fake decoder turns into the picture id.
func (s *fakeSource) ReadSample(ctx context.Context, sm *media.Sample, dst []byte) ([]byte, error) {
	s.mu.Lock()
	s.reads++
	s.mu.Unlock()
	if s.annexB {
		if sm.Pos == 0 {
			return append(dst[:0], 0, 0, 0, 1, 0x67, 0x42, 0, 0, 0, 1, 0x65, 0, 0, 0), nil
		}
		dst = append(dst[:0], 0, 0, 1, 0x65, 0, byte(sm.Pos>>8), byte(sm.Pos))
		return dst, nil
	}
	dst = append(dst[:0], 0, 0, 0, 4, 0x65, 0, 0, 0)
	binary.BigEndian.PutUint16(dst[6:], uint16(sm.Pos))
	return dst, nil
}

func (s *fakeSource) Close() error { return nil }

// fakeCodec counts decodes per picture id and fails or panics on request.
type fakeCodec struct {
	mu      sync.Mutex
	decodes map[int]int
	fail    map[int]bool // picture ids that fail to decode
	panics  map[int]bool
	delay   time.Duration
	configs int
}

func newFakeCodec() *fakeCodec {
	return &fakeCodec{decodes: map[int]int{}, fail: map[int]bool{}, panics: map[int]bool{}}
}

func (c *fakeCodec) newDecoder(codec decode.Codec) (decode.Decoder, error) {
	if codec != decode.H264 && codec != decode.H265 {
		return nil, decode.UnsupportedError("codec " + codec.String())
	}
	return &fakeDecoder{c: c}, nil
}

func (c *fakeCodec) count(id int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.decodes[id]
}

type fakeDecoder struct {
	c          *fakeCodec
	configured bool
	y          [1]uint16
}

func (d *fakeDecoder) Configure(record []byte) error {
	d.c.mu.Lock()
	d.c.configs++
	d.c.mu.Unlock()
	if len(record) == 0 || record[0] != 1 {
		return decode.FormatError("bad record")
	}
	d.configured = true
	return nil
}

func (d *fakeDecoder) DecodeAccessUnit(nals [][]byte) (*decode.Frame, error) {
	if len(nals) > 0 && nals[0][0]&0x1f == 7 {
		d.configured = true // an SPS
		nals = nals[1:]
		if len(nals) == 0 {
			return nil, decode.ErrNoPicture
		}
	}
	if !d.configured {
		return nil, decode.ErrMissingParameterSet
	}
	if len(nals) != 1 || len(nals[0]) != 4 {
		return nil, decode.FormatError("unexpected access unit")
	}
	id := int(binary.BigEndian.Uint16(nals[0][2:]))
	if d.c.delay > 0 {
		time.Sleep(d.c.delay)
	}
	d.c.mu.Lock()
	d.c.decodes[id]++
	fail, pan := d.c.fail[id], d.c.panics[id]
	d.c.mu.Unlock()
	if pan {
		panic("fake decoder bug")
	}
	if fail {
		return nil, decode.FormatError(fmt.Sprintf("picture %d is corrupt", id))
	}
	d.y[0] = uint16(id)
	return &decode.Frame{Width: 640, Height: 360, Y: d.y[:], YStride: 1, BitDepthY: 8, BitDepthC: 8, Keyframe: true}, nil
}

type fakeEncoder struct{}

func (fakeEncoder) Encode(dst []byte, f *decode.Frame, o EncodeOptions) ([]byte, error) {
	return fmt.Appendf(dst[:0], "%s q%d %dx%d pic%d", o.Format, o.Quality, o.Width, o.Height, f.Y[0]), nil
}

func fakeEngine(c *fakeCodec, workers int) *Engine {
	return New(Options{Workers: workers, NewDecoder: c.newDecoder, NewEncoder: func() ImageEncoder { return fakeEncoder{} }})
}

// picOf returns the picture id an image of the fake encoder shows, or -1.
func picOf(img Image) int {
	var f string
	var q, w, h, id int
	if _, err := fmt.Sscanf(string(img.ImageContent), "%s q%d %dx%d pic%d", &f, &q, &w, &h, &id); err != nil {
		return -1
	}
	return id
}

var errStop = errors.New("stop")
