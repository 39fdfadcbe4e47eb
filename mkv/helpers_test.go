package mkv

import (
	"bytes"
	"context"
	"encoding/hex"
	"math"
	"testing"

	"github.com/stills/stills/media"
)

// A tiny EBML writer for building test inputs by hand (RFC 8794 §4-6).

func ebmlID(id uint32) []byte {
	switch {
	case id >= 1<<24:
		return []byte{byte(id >> 24), byte(id >> 16), byte(id >> 8), byte(id)}
	case id >= 1<<16:
		return []byte{byte(id >> 16), byte(id >> 8), byte(id)}
	case id >= 1<<8:
		return []byte{byte(id >> 8), byte(id)}
	}
	return []byte{byte(id)}
}

// vint8 encodes n as an 8-byte EBML size.
func vint8(n uint64) []byte {
	b := []byte{0x01, 0, 0, 0, 0, 0, 0, 0}
	for i := 7; i > 0; i-- {
		b[i] = byte(n)
		n >>= 8
	}
	return b
}

func el(id uint32, body ...[]byte) []byte {
	c := bytes.Join(body, nil)
	return append(append(ebmlID(id), vint8(uint64(len(c)))...), c...)
}

// elUnknown writes a master element of unknown size.
func elUnknown(id uint32, body ...[]byte) []byte {
	return append(append(ebmlID(id), 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF), bytes.Join(body, nil)...)
}

func elUint(id uint32, v uint64) []byte {
	return el(id, []byte{byte(v >> 56), byte(v >> 48), byte(v >> 40), byte(v >> 32), byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

func elStr(id uint32, s string) []byte { return el(id, []byte(s)) }

// Element IDs used only by the tests' writer.
const (
	tidDocType         = 0x4282
	tidTimecodeScale   = 0x2AD7B1
	tidDateUTC         = 0x4461
	tidTrackEntry      = 0xAE
	tidTrackNumber     = 0xD7
	tidTrackType       = 0x83
	tidCodecID         = 0x86
	tidCodecPrivate    = 0x63A2
	tidDefaultDuration = 0x23E383
	tidCuePoint        = 0xBB
	tidCueTime         = 0xB3
	tidCueTrackPos     = 0xB7
	tidCueTrack        = 0xF7
	tidCueClusterPos   = 0xF1
)

func ebmlHeader(docType string) []byte { return el(eidEBML, elStr(tidDocType, docType)) }

// testAVCC is the avcC record of /work/shared/vectors/kvs/vogels_480.mkv
// (as ffprobe -show_data prints its extradata).
var testAVCC, _ = hex.DecodeString("0142c028ffe1001a6742c028db0280f6c05a808080a000000300200057e401e3065c01000468ca8cb2")

func trackEntry(num uint64, typ uint64, codec string, priv []byte, defDur uint64) []byte {
	parts := [][]byte{elUint(tidTrackNumber, num), elUint(tidTrackType, typ), elStr(tidCodecID, codec)}
	if priv != nil {
		parts = append(parts, el(tidCodecPrivate, priv))
	}
	if defDur > 0 {
		parts = append(parts, elUint(tidDefaultDuration, defDur))
	}
	return el(tidTrackEntry, parts...)
}

// h264Track is track 1, H.264 with testAVCC.
func h264Track() []byte { return trackEntry(1, 1, CodecIDH264, testAVCC, 0) }

func tracks(entries ...[]byte) []byte { return el(eidTracks, entries...) }

func info(scale uint64) []byte { return el(eidInfo, elUint(tidTimecodeScale, scale)) }

// simpleBlock builds a SimpleBlock of track 1 (flags: 0x80 keyframe, lacing bits).
func simpleBlock(track byte, rel int16, flags byte, payload ...byte) []byte {
	return el(eidSimpleBlock, []byte{0x80 | track, byte(uint16(rel) >> 8), byte(rel), flags}, payload)
}

func cluster(tc uint64, blocks ...[]byte) []byte {
	return el(eidCluster, append([][]byte{elUint(eidTimestamp, tc)}, blocks...)...)
}

func kvsTagsEl(number, server, producer string) []byte {
	st := func(n, v string) []byte { return el(eidSimpleTag, elStr(eidTagName, n), elStr(eidTagString, v)) }
	return el(eidTags, el(eidTag, st(kvsFragmentNumber, number), st(kvsServerTimestamp, server), st(kvsProducerTimestamp, producer)))
}

// frame is a recognisable payload: n bytes of value v.
func frame(v byte, n int) []byte { return bytes.Repeat([]byte{v}, n) }

func openBytes(t testing.TB, b []byte) *Demuxer {
	t.Helper()
	d, err := Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return d
}

func scanAll(t testing.TB, d *Demuxer, tl media.Timeline) *media.Index {
	t.Helper()
	idx, err := d.Scan(context.Background(), tl, math.MinInt64, math.MaxInt64)
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return idx
}

// payloads reads every sample back.
func payloads(t testing.TB, d *Demuxer, idx *media.Index) [][]byte {
	t.Helper()
	var out [][]byte
	for i := range idx.Samples {
		p, err := d.ReadSample(context.Background(), &idx.Samples[i], nil)
		if err != nil {
			t.Fatalf("ReadSample %d: %v", i, err)
		}
		out = append(out, p)
	}
	return out
}
