package mkv

// This file is the Matroska muxer used by the fragment store and by
// GetMediaForFragmentList: it writes one self-contained fragment the way
// Kinesis Video Streams GetMedia does (RFC 9559 "Matroska Media Container"
// element layout; RFC 8794 "EBML" framing):
//
//	EBML header
//	Segment (unknown size, RFC 9559 §6.2 "unknown-sized element")
//	  Info      TimestampScale = 1 ms
//	  Tracks    one TrackEntry per track
//	  Tags      AWS_KINESISVIDEO_FRAGMENT_NUMBER / SERVER_TIMESTAMP / PRODUCER_TIMESTAMP
//	  Cluster   (known size) Timestamp = producer time in ms, SimpleBlocks,
//	            and a BlockGroup with BlockDuration for the last frame so the
//	            fragment's span is known without its successor.
//
// Because the Segment has an unknown size and each fragment starts with its
// own EBML header, fragments concatenate into a valid stream exactly like
// GetMedia / GetMediaForFragmentList output.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Element IDs written by the muxer (RFC 9559 §5.1, RFC 8794 §11.2).
const (
	widEBML               = 0x1A45DFA3
	widEBMLVersion        = 0x4286
	widEBMLReadVersion    = 0x42F7
	widEBMLMaxIDLength    = 0x42F2
	widEBMLMaxSizeLength  = 0x42F3
	widDocType            = 0x4282
	widDocTypeVersion     = 0x4287
	widDocTypeReadVersion = 0x4285
	widSegment            = 0x18538067
	widInfo               = 0x1549A966
	widTimestampScale     = 0x2AD7B1
	widMuxingApp          = 0x4D80
	widWritingApp         = 0x5741
	widTracks             = 0x1654AE6B
	widTrackEntry         = 0xAE
	widTrackNumber        = 0xD7
	widTrackUID           = 0x73C5
	widTrackType          = 0x83
	widFlagLacing         = 0x9C
	widDefaultDuration    = 0x23E383
	widCodecID            = 0x86
	widCodecPrivate       = 0x63A2
	widVideo              = 0xE0
	widPixelWidth         = 0xB0
	widPixelHeight        = 0xBA
	widAudio              = 0xE1
	widSamplingFrequency  = 0xB5
	widChannels           = 0x9F
	widTags               = 0x1254C367
	widTag                = 0x7373
	widTargets            = 0x63C0
	widSimpleTag          = 0x67C8
	widTagName            = 0x45A3
	widTagString          = 0x4487
	widCluster            = 0x1F43B675
	widTimestamp          = 0xE7
	widSimpleBlock        = 0xA3
	widBlockGroup         = 0xA0
	widBlock              = 0xA1
	widBlockDuration      = 0x9B
)

// Names of the Kinesis Video Streams fragment tags.
const (
	TagFragmentNumber    = "AWS_KINESISVIDEO_FRAGMENT_NUMBER"
	TagServerTimestamp   = "AWS_KINESISVIDEO_SERVER_TIMESTAMP"
	TagProducerTimestamp = "AWS_KINESISVIDEO_PRODUCER_TIMESTAMP"
)

// MaxMuxClusterSpan bounds the time between the first and last frame of one
// written cluster: a SimpleBlock's timestamp is a signed 16-bit offset from
// its cluster's timestamp in TimestampScale units (RFC 9559 §10.1), so at a
// 1 ms scale a cluster cannot span more than 32.767 s. Callers split longer
// runs into several fragments.
const MaxMuxClusterSpan = 32767 // milliseconds

// MaxMuxTracks bounds the tracks of one written fragment (track numbers are
// written as a one-byte EBML varint in block headers).
const MaxMuxTracks = 126

// ErrMux is wrapped by every muxer error.
var ErrMux = errors.New("mkv: cannot write fragment")

// MuxTrack is a track of a written fragment.
type MuxTrack struct {
	Number          uint8  // 1..MaxMuxTracks, as used in MuxFrame.Track
	CodecID         string // e.g. "V_MPEG4/ISO/AVC", "V_MPEGH/ISO/HEVC", "A_AAC"
	CodecPrivate    []byte // avcC / hvcC record, nil when none
	Video           bool
	Width, Height   int   // video only, 0 when unknown
	DefaultDuration int64 // ns per frame, 0 when unknown
	SampleRate      float64
	Channels        int
}

// MuxFrame is one block of a written fragment.
type MuxFrame struct {
	Track    uint8
	Time     int64 // ms on the producer timeline (absolute)
	Duration int64 // ms, 0 when unknown
	Keyframe bool
	Data     []byte
}

// MuxFragment is everything written for one fragment.
type MuxFragment struct {
	Number   string // fragment number tag, "" to omit
	Producer int64  // producer start, ms since the epoch (also the cluster timestamp)
	Server   int64  // server timestamp, ms since the epoch
	Tracks   []MuxTrack
	Frames   []MuxFrame // in decode order
}

// FrameLayout tells where a frame's payload was written inside the fragment.
type FrameLayout struct {
	Offset int64 // byte offset of the payload from the start of the fragment
	Size   int
}

// AppendFragment appends fragment f to dst as a self-contained Matroska
// document and returns it, with the byte position of every frame payload
// (layout[i] for f.Frames[i], appended to layout[:0]).
func AppendFragment(dst []byte, f *MuxFragment, layout []FrameLayout) ([]byte, []FrameLayout, error) {
	layout = layout[:0]
	if len(f.Tracks) == 0 || len(f.Tracks) > MaxMuxTracks {
		return dst, layout, fmt.Errorf("%w: %d tracks (want 1..%d)", ErrMux, len(f.Tracks), MaxMuxTracks)
	}
	known := [MaxMuxTracks + 1]bool{}
	for _, t := range f.Tracks {
		if t.Number == 0 || t.Number > MaxMuxTracks || known[t.Number] {
			return dst, layout, fmt.Errorf("%w: bad or duplicate track number %d", ErrMux, t.Number)
		}
		known[t.Number] = true
	}
	base := len(dst)

	// EBML header (RFC 8794 §11.2).
	var hdr []byte
	hdr = muxUint(hdr, widEBMLVersion, 1)
	hdr = muxUint(hdr, widEBMLReadVersion, 1)
	hdr = muxUint(hdr, widEBMLMaxIDLength, 4)
	hdr = muxUint(hdr, widEBMLMaxSizeLength, 8)
	hdr = muxString(hdr, widDocType, "matroska")
	hdr = muxUint(hdr, widDocTypeVersion, 4)
	hdr = muxUint(hdr, widDocTypeReadVersion, 2)
	dst = muxMaster(dst, widEBML, hdr)

	// Segment of unknown size: an 8-byte all-ones size (RFC 8794 §6.2).
	dst = muxID(dst, widSegment)
	dst = append(dst, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)

	var info []byte
	info = muxUint(info, widTimestampScale, 1000000)
	info = muxString(info, widMuxingApp, "stills")
	info = muxString(info, widWritingApp, "stills")
	dst = muxMaster(dst, widInfo, info)

	var tracks []byte
	for _, t := range f.Tracks {
		var e []byte
		e = muxUint(e, widTrackNumber, uint64(t.Number))
		e = muxUint(e, widTrackUID, uint64(t.Number))
		typ := uint64(2) // audio
		if t.Video {
			typ = 1
		}
		e = muxUint(e, widTrackType, typ)
		e = muxUint(e, widFlagLacing, 0)
		e = muxString(e, widCodecID, t.CodecID)
		if t.DefaultDuration > 0 {
			e = muxUint(e, widDefaultDuration, uint64(t.DefaultDuration))
		}
		if len(t.CodecPrivate) > 0 {
			e = muxBinary(e, widCodecPrivate, t.CodecPrivate)
		}
		if t.Video {
			var v []byte
			if t.Width > 0 && t.Height > 0 {
				v = muxUint(v, widPixelWidth, uint64(t.Width))
				v = muxUint(v, widPixelHeight, uint64(t.Height))
			}
			e = muxMaster(e, widVideo, v)
		} else if t.SampleRate > 0 || t.Channels > 0 {
			var a []byte
			if t.SampleRate > 0 {
				a = muxFloat(a, widSamplingFrequency, t.SampleRate)
			}
			if t.Channels > 0 {
				a = muxUint(a, widChannels, uint64(t.Channels))
			}
			e = muxMaster(e, widAudio, a)
		}
		tracks = muxMaster(tracks, widTrackEntry, e)
	}
	dst = muxMaster(dst, widTracks, tracks)

	// KVS fragment tags, timestamps as decimal seconds with milliseconds.
	var tag []byte
	tag = muxMaster(tag, widTargets, nil)
	if f.Number != "" {
		tag = muxSimpleTag(tag, TagFragmentNumber, f.Number)
	}
	tag = muxSimpleTag(tag, TagServerTimestamp, FormatTagTime(f.Server))
	tag = muxSimpleTag(tag, TagProducerTimestamp, FormatTagTime(f.Producer))
	var tags []byte
	tags = muxMaster(tags, widTags, muxMaster(nil, widTag, tag))
	dst = append(dst, tags...)

	// Cluster: its size is known once the blocks are laid out, so the
	// payload is built first and the header prepended.
	var cl []byte
	cl = muxUint(cl, widTimestamp, uint64(max(f.Producer, 0)))
	offs := make([]int, len(f.Frames))
	for i := range f.Frames {
		fr := &f.Frames[i]
		if !known[fr.Track] {
			return dst[:base], layout, fmt.Errorf("%w: frame %d names unknown track %d", ErrMux, i, fr.Track)
		}
		rel := fr.Time - f.Producer
		if rel < math.MinInt16 || rel > MaxMuxClusterSpan {
			return dst[:base], layout, fmt.Errorf("%w: frame %d is %d ms from the cluster start (limit ±%d ms)", ErrMux, i, rel, MaxMuxClusterSpan)
		}
		last := i == len(f.Frames)-1
		blockHdr := [4]byte{0x80 | fr.Track, byte(uint16(int16(rel)) >> 8), byte(uint16(int16(rel))), 0}
		if last && fr.Duration > 0 {
			// BlockGroup{Block, BlockDuration} (RFC 9559 §5.1.3.5).
			var g []byte
			g = muxID(g, widBlock)
			g = muxSize(g, uint64(4+len(fr.Data)))
			g = append(g, blockHdr[:]...)
			payloadInG := len(g)
			g = append(g, fr.Data...)
			g = muxUint(g, widBlockDuration, uint64(fr.Duration))
			if !fr.Keyframe {
				// A Block has no keyframe flag; a reference marks it as not one
				// (ReferenceBlock, RFC 9559 §5.1.3.5.5).
				g = muxInt(g, 0xFB, -1)
			}
			cl = muxID(cl, widBlockGroup)
			cl = muxSize(cl, uint64(len(g)))
			offs[i] = len(cl) + payloadInG
			cl = append(cl, g...)
			continue
		}
		if fr.Keyframe {
			blockHdr[3] = 0x80
		}
		cl = muxID(cl, widSimpleBlock)
		cl = muxSize(cl, uint64(4+len(fr.Data)))
		cl = append(cl, blockHdr[:]...)
		offs[i] = len(cl)
		cl = append(cl, fr.Data...)
	}
	dst = muxID(dst, widCluster)
	dst = muxSize(dst, uint64(len(cl)))
	clStart := len(dst) - base
	dst = append(dst, cl...)
	for i := range f.Frames {
		layout = append(layout, FrameLayout{Offset: int64(clStart + offs[i]), Size: len(f.Frames[i].Data)})
	}
	return dst, layout, nil
}

// FormatTagTime formats ms since the epoch as KVS tags do: "1511852108.513".
func FormatTagTime(ms int64) string {
	neg := ms < 0
	if neg {
		ms = -ms
	}
	s := strconv.FormatInt(ms/1000, 10) + "." + fmt.Sprintf("%03d", ms%1000)
	if neg {
		s = "-" + s
	}
	return s
}

func muxSimpleTag(dst []byte, name, value string) []byte {
	var st []byte
	st = muxString(st, widTagName, name)
	st = muxString(st, widTagString, value)
	return muxMaster(dst, widSimpleTag, st)
}

// muxID writes an element ID; IDs carry their own length marker.
func muxID(dst []byte, id uint32) []byte {
	switch {
	case id >= 1<<24:
		return append(dst, byte(id>>24), byte(id>>16), byte(id>>8), byte(id))
	case id >= 1<<16:
		return append(dst, byte(id>>16), byte(id>>8), byte(id))
	case id >= 1<<8:
		return append(dst, byte(id>>8), byte(id))
	}
	return append(dst, byte(id))
}

// muxSize writes an element data size as the shortest EBML varint
// (RFC 8794 §4), avoiding the all-ones pattern reserved for "unknown".
func muxSize(dst []byte, n uint64) []byte {
	l := 1
	for l < 8 && n >= (uint64(1)<<(7*l))-1 {
		l++
	}
	v := n | uint64(1)<<(7*l)
	for i := l - 1; i >= 0; i-- {
		dst = append(dst, byte(v>>(8*i)))
	}
	return dst
}

func muxMaster(dst []byte, id uint32, body []byte) []byte {
	dst = muxID(dst, id)
	dst = muxSize(dst, uint64(len(body)))
	return append(dst, body...)
}

func muxUint(dst []byte, id uint32, v uint64) []byte {
	n := 1
	for n < 8 && v>>(8*n) != 0 {
		n++
	}
	dst = muxID(dst, id)
	dst = muxSize(dst, uint64(n))
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, byte(v>>(8*i)))
	}
	return dst
}

func muxInt(dst []byte, id uint32, v int64) []byte {
	n := 1
	for n < 8 && (v < -(1<<(8*n-1)) || v >= 1<<(8*n-1)) {
		n++
	}
	dst = muxID(dst, id)
	dst = muxSize(dst, uint64(n))
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, byte(v>>(8*i)))
	}
	return dst
}

func muxFloat(dst []byte, id uint32, v float64) []byte {
	dst = muxID(dst, id)
	dst = muxSize(dst, 8)
	return binary.BigEndian.AppendUint64(dst, math.Float64bits(v))
}

func muxString(dst []byte, id uint32, s string) []byte {
	dst = muxID(dst, id)
	dst = muxSize(dst, uint64(len(s)))
	return append(dst, s...)
}

func muxBinary(dst []byte, id uint32, b []byte) []byte {
	dst = muxID(dst, id)
	dst = muxSize(dst, uint64(len(b)))
	return append(dst, b...)
}
