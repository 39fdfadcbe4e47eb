package store

import (
	"encoding/binary"
	"fmt"

	"github.com/stills/stills/decode"
	"github.com/stills/stills/media"
)

// Fragment records in the index are a compact binary encoding (varints),
// read on every Scan and ListFragments:
//
//	version (1 byte) = recordVersion
//	seq uvarint, producer varint, server varint, duration varint, size varint
//	number, codecID: uvarint length + bytes
//	codec, video, nalFormat, nalLengthSize: 1 byte each
//	track number, width, height uvarint; codecPrivate: uvarint length + bytes
//	sample count uvarint, then per sample: offset uvarint, size uvarint,
//	delta varint, duration varint, keyframe 1 byte
const recordVersion = 1

// MaxRecordString bounds a string or byte field of a record (codec private
// data is a few hundred bytes; 64 KiB is far above any real one).
const MaxRecordString = 64 << 10

func appendString(b []byte, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// encodeFrag appends the record of f to b.
func encodeFrag(b []byte, f *Fragment) []byte {
	b = append(b, recordVersion)
	b = binary.AppendUvarint(b, f.Seq)
	b = binary.AppendVarint(b, f.Producer)
	b = binary.AppendVarint(b, f.Server)
	b = binary.AppendVarint(b, f.Duration)
	b = binary.AppendVarint(b, f.Size)
	b = appendString(b, []byte(f.Number))
	t := &f.Track
	b = appendString(b, []byte(t.CodecID))
	b = append(b, byte(t.Codec), boolByte(t.Video), byte(t.NALFormat), byte(t.NALLengthSize))
	b = binary.AppendUvarint(b, t.Number)
	b = binary.AppendUvarint(b, uint64(max(t.Width, 0)))
	b = binary.AppendUvarint(b, uint64(max(t.Height, 0)))
	b = appendString(b, t.CodecPrivate)
	b = binary.AppendUvarint(b, uint64(len(f.Samples)))
	for _, s := range f.Samples {
		b = binary.AppendUvarint(b, uint64(s.Offset))
		b = binary.AppendUvarint(b, uint64(s.Size))
		b = binary.AppendVarint(b, s.Delta)
		b = binary.AppendVarint(b, s.Duration)
		b = append(b, boolByte(s.Key))
	}
	return b
}

// recReader reads a record with a sticky error.
type recReader struct {
	b   []byte
	err error
}

func (r *recReader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: fragment record: bad %s", ErrCorrupt, what)
	}
	r.b = nil
}

func (r *recReader) uvarint(what string) uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail(what)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *recReader) varint(what string) int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail(what)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *recReader) byte1(what string) byte {
	if len(r.b) < 1 {
		r.fail(what)
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *recReader) bytes(what string) []byte {
	n := r.uvarint(what)
	if r.err != nil {
		return nil
	}
	if n > MaxRecordString || n > uint64(len(r.b)) {
		r.fail(what)
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

// decodeFrag reads a record written by encodeFrag. With samples false the
// sample table is skipped (ListFragments needs only the header). Byte
// fields are copied, so the result outlives the bbolt transaction.
func decodeFragOpt(v []byte, samples bool) (Fragment, error) {
	var f Fragment
	r := recReader{b: v}
	if ver := r.byte1("version"); ver != recordVersion {
		return f, fmt.Errorf("%w: fragment record version %d (want %d)", ErrCorrupt, ver, recordVersion)
	}
	f.Seq = r.uvarint("seq")
	f.Producer = r.varint("producer time")
	f.Server = r.varint("server time")
	f.Duration = r.varint("duration")
	f.Size = r.varint("size")
	f.Number = string(r.bytes("number"))
	f.Track.CodecID = string(r.bytes("codec id"))
	f.Track.Codec = decode.Codec(r.byte1("codec"))
	f.Track.Video = r.byte1("video flag") == 1
	f.Track.NALFormat = media.NALFormat(r.byte1("NAL format"))
	f.Track.NALLengthSize = int(r.byte1("NAL length size"))
	f.Track.Number = r.uvarint("track number")
	w, h := r.uvarint("width"), r.uvarint("height")
	if w > 1<<20 || h > 1<<20 {
		r.fail("picture size")
	}
	f.Track.Width, f.Track.Height = int(w), int(h)
	if cp := r.bytes("codec private data"); len(cp) > 0 {
		f.Track.CodecPrivate = append([]byte(nil), cp...)
	}
	n := r.uvarint("sample count")
	if n > MaxSamplesPerFragment {
		r.fail("sample count")
	}
	if r.err != nil {
		return f, r.err
	}
	if f.Size < 0 || f.Size > MaxFragmentBytes {
		return f, fmt.Errorf("%w: fragment %s size %d out of range", ErrCorrupt, f.Number, f.Size)
	}
	if !samples {
		return f, nil
	}
	// Each sample takes at least 5 bytes: a count larger than the rest of
	// the record is damage, not a reason to allocate.
	if n > uint64(len(r.b))/5 {
		return f, fmt.Errorf("%w: fragment record: sample count %d exceeds the record", ErrCorrupt, n)
	}
	f.Samples = make([]SampleEntry, n)
	for i := range f.Samples {
		s := &f.Samples[i]
		off, size := r.uvarint("sample offset"), r.uvarint("sample size")
		if off > MaxFragmentBytes || size > MaxSampleBytes || off+size > uint64(f.Size) {
			r.fail("sample position")
		}
		s.Offset, s.Size = uint32(off), uint32(size)
		s.Delta = r.varint("sample time")
		s.Duration = r.varint("sample duration")
		s.Key = r.byte1("keyframe flag") == 1
		if r.err != nil {
			return f, r.err
		}
	}
	if len(r.b) != 0 {
		return f, fmt.Errorf("%w: fragment record: %d trailing bytes", ErrCorrupt, len(r.b))
	}
	return f, nil
}

func decodeFrag(v []byte) (Fragment, error) { return decodeFragOpt(v, true) }
