package mkv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/Eyevinn/mp4ff/avc"

	"github.com/stills/stills/decode"
	"github.com/stills/stills/media"
)

// signedVint encodes a lace size difference as an EBML signed integer of
// 2 bytes (RFC 9559 §10.3.3: the value plus 2^13-1).
func signedVint2(d int) []byte {
	v := uint16(d + (1<<13 - 1))
	return []byte{0x40 | byte(v>>8), byte(v)}
}

func TestLacing(t *testing.T) {
	f1, f2, f3 := frame(0xA1, 300), frame(0xB2, 10), frame(0xC3, 5)
	xiph := append([]byte{2, 255, 45, 10}, bytes.Join([][]byte{f1, f2, f3}, nil)...)
	// EBML lacing codes all sizes but the last: 300 as a vint, then 10-300.
	ebmlLace := append([]byte{2, 0x41, 0x2C}, signedVint2(10-300)...)
	ebmlLace = append(ebmlLace, bytes.Join([][]byte{f1, f2, f3}, nil)...)
	g1, g2, g3 := frame(0x11, 7), frame(0x22, 7), frame(0x33, 7)
	fixed := append([]byte{2}, bytes.Join([][]byte{g1, g2, g3}, nil)...)
	cases := []struct {
		name  string
		flags byte
		body  []byte
		want  [][]byte
	}{
		{"xiph", 0x80 | 0x02, xiph, [][]byte{f1, f2, f3}},
		{"fixed", 0x80 | 0x04, fixed, [][]byte{g1, g2, g3}},
		{"ebml", 0x80 | 0x06, ebmlLace, [][]byte{f1, f2, f3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := bytes.Join([][]byte{ebmlHeader("matroska"), el(eidSegment, info(1000000),
				tracks(trackEntry(1, 1, CodecIDH264, testAVCC, 40_000_000)),
				cluster(1000, simpleBlock(1, 0, c.flags, c.body...)))}, nil)
			d := openBytes(t, file)
			idx := scanAll(t, d, media.ProducerTime)
			if len(idx.Samples) != 3 {
				t.Fatalf("got %d samples, want 3", len(idx.Samples))
			}
			got := payloads(t, d, idx)
			for i := range c.want {
				if !bytes.Equal(got[i], c.want[i]) {
					t.Errorf("frame %d: got %d bytes starting %x, want %d bytes of %x", i, len(got[i]), got[i][:1], len(c.want[i]), c.want[i][0])
				}
				// Cluster at 1000 ticks of 1 ms, frames 40 ms apart (DefaultDuration).
				if wantT := int64(1000+40*i) * 1e6; idx.Samples[i].Producer != wantT {
					t.Errorf("frame %d at %d, want %d", i, idx.Samples[i].Producer, wantT)
				}
				if !idx.Samples[i].Keyframe || idx.Samples[i].Duration != 40e6 {
					t.Errorf("frame %d: keyframe %v duration %d", i, idx.Samples[i].Keyframe, idx.Samples[i].Duration)
				}
			}
		})
	}
}

func TestBlockGroupAndTimestampScale(t *testing.T) {
	// TimestampScale 100 µs; BlockGroup without ReferenceBlock is a keyframe,
	// one with a ReferenceBlock is not; BlockDuration gives the duration.
	block := func(rel int16, p []byte) []byte {
		return el(eidBlock, []byte{0x81, byte(uint16(rel) >> 8), byte(rel), 0}, p)
	}
	g1 := el(eidBlockGroup, block(0, frame(1, 20)), elUint(eidBlockDuration, 400))
	g2 := el(eidBlockGroup, block(400, frame(2, 20)), elUint(eidBlockDuration, 400), el(eidReferenceBlock, []byte{0xFC, 0x70}))
	file := bytes.Join([][]byte{ebmlHeader("webm"), el(eidSegment, info(100_000),
		tracks(h264Track()), cluster(50, g1, g2))}, nil)
	d := openBytes(t, file)
	idx := scanAll(t, d, media.ServerTime)
	if len(idx.Samples) != 2 {
		t.Fatalf("got %d samples", len(idx.Samples))
	}
	s0, s1 := idx.Samples[0], idx.Samples[1]
	if !s0.Keyframe || s1.Keyframe {
		t.Errorf("keyframes: %v %v, want true false", s0.Keyframe, s1.Keyframe)
	}
	// 50 ticks of 100 µs = 5 ms; +400 ticks = 45 ms; duration 400 ticks = 40 ms.
	if s0.Producer != 5e6 || s1.Producer != 45e6 || s0.Duration != 40e6 {
		t.Errorf("times %d %d duration %d", s0.Producer, s1.Producer, s0.Duration)
	}
	if s0.Server != s0.Producer {
		t.Errorf("server time %d should equal producer time %d without tags", s0.Server, s0.Producer)
	}
	if f := idx.Fragments[0]; f.Duration != 80e6 || f.Producer != 5e6 {
		t.Errorf("fragment %+v, want start 5 ms, duration 80 ms", f)
	}
	tr := idx.Tracks[idx.Video]
	if tr.Codec != decode.H264 || tr.NALFormat != media.LengthPrefixed || tr.NALLengthSize != 4 || !bytes.Equal(tr.CodecPrivate, testAVCC) {
		t.Errorf("track %+v", tr)
	}
}

func TestUnknownSizes(t *testing.T) {
	// Unknown-size Segment and Clusters; the first Cluster ends at the next
	// Cluster, the second at a Tags element, the third at the end of input.
	c := func(tc uint64, v byte) []byte {
		return elUnknown(eidCluster, elUint(eidTimestamp, tc), simpleBlock(1, 0, 0x80, frame(v, 9)...), simpleBlock(1, 33, 0, frame(v+1, 9)...))
	}
	file := bytes.Join([][]byte{ebmlHeader("matroska"), elUnknown(eidSegment, info(1000000), tracks(h264Track()),
		c(0, 0x10), c(66, 0x20), el(eidTags), c(132, 0x30))}, nil)
	d := openBytes(t, file)
	idx := scanAll(t, d, media.ProducerTime)
	if len(idx.Samples) != 6 || len(idx.Fragments) != 3 {
		t.Fatalf("got %d samples in %d fragments, want 6 in 3", len(idx.Samples), len(idx.Fragments))
	}
	got := payloads(t, d, idx)
	for i, p := range got {
		want := frame(0x10*byte(i/2+1)+byte(i%2), 9)
		if !bytes.Equal(p, want) {
			t.Errorf("sample %d = %x, want %x", i, p, want)
		}
		if wantT := int64(66*(i/2)+33*(i%2)) * 1e6; idx.Samples[i].Producer != wantT {
			t.Errorf("sample %d at %d ns, want %d", i, idx.Samples[i].Producer, wantT)
		}
	}
	frs, _, err := d.Fragments(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range frs {
		for _, r := range f.Clusters {
			id, _ := parseID(file[r.Pos:])
			if id != eidCluster {
				t.Errorf("fragment %d: range %+v does not start at a Cluster", i, r)
			}
			if end := r.Pos + r.Size; end != int64(len(file)) {
				if nid, _ := parseID(file[end:]); nid != eidCluster && nid != eidTags {
					t.Errorf("fragment %d: range %+v ends at element 0x%X", i, r, nid)
				}
			}
		}
	}
}

func TestKVSTags(t *testing.T) {
	// Two GetMedia-style segments (tags before the Cluster, cluster timestamps
	// that do not match the tags), then a segment with the tags after the Cluster.
	seg := func(tc uint64, tagsBefore bool, num, srv, prod string) []byte {
		cl := cluster(tc, simpleBlock(1, 0, 0x80, frame(1, 5)...), simpleBlock(1, 40, 0, frame(2, 5)...))
		tg := kvsTagsEl(num, srv, prod)
		body := [][]byte{info(1000000), tracks(h264Track())}
		if tagsBefore {
			body = append(body, tg, cl)
		} else {
			body = append(body, cl, tg)
		}
		return append(ebmlHeader("matroska"), elUnknown(eidSegment, body...)...)
	}
	file := bytes.Join([][]byte{
		seg(0, true, "9100", "1511852109.126", "1511852108.513"),
		seg(2000, true, "9101", "1511852110.915", "1511852110.5"),
		seg(7, false, "9102", "1511852111", "1511852112.000000001"),
	}, nil)
	d := openBytes(t, file)
	idx := scanAll(t, d, media.ProducerTime)
	want := []struct {
		num      string
		prod, sv int64
	}{
		{"9100", 1511852108_513_000_000, 1511852109_126_000_000},
		{"9101", 1511852110_500_000_000, 1511852110_915_000_000},
		{"9102", 1511852112_000_000_001, 1511852111_000_000_000},
	}
	if len(idx.Fragments) != 3 || len(idx.Samples) != 6 {
		t.Fatalf("got %d fragments, %d samples", len(idx.Fragments), len(idx.Samples))
	}
	for i, w := range want {
		f := idx.Fragments[i]
		if f.Number != w.num || f.Producer != w.prod || f.Server != w.sv {
			t.Errorf("fragment %d = %+v, want %+v", i, f, w)
		}
		s0, s1 := idx.Samples[2*i], idx.Samples[2*i+1]
		if s0.Producer != w.prod || s1.Producer != w.prod+40e6 || s0.Server != w.sv || s1.Server != w.sv+40e6 {
			t.Errorf("fragment %d samples %+v %+v", i, s0, s1)
		}
		if s0.Fragment != int32(i) || s1.Fragment != int32(i) {
			t.Errorf("fragment %d: samples name fragments %d %d", i, s0.Fragment, s1.Fragment)
		}
	}
	// A server-time scan of the middle fragment keeps its neighbours only.
	idx, err := d.Scan(context.Background(), media.ServerTime, 1511852110_915_000_000, 1511852110_916_000_000)
	if err != nil {
		t.Fatal(err)
	}
	if len(idx.Fragments) != 3 {
		t.Errorf("middle scan: %d fragments, want 3 (the range and one neighbour each side)", len(idx.Fragments))
	}
	idx, _ = d.Scan(context.Background(), media.ServerTime, 1511852109_126_000_000, 1511852109_126_000_000)
	if len(idx.Fragments) != 2 || idx.Fragments[0].Number != "9100" {
		t.Errorf("first-fragment scan: %+v", idx.Fragments)
	}
}

func TestParseEpochSeconds(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1511852108.513", 1511852108_513_000_000, true},
		{"1511852108", 1511852108_000_000_000, true},
		{"0.000000001", 1, true},
		{"1.1234567899", 1_123_456_789, true},
		{"", 0, false}, {".5", 0, false}, {"1e9", 0, false}, {"-1", 0, false},
		{"99999999999999999999", 0, false},
	} {
		got, ok := parseEpochSeconds([]byte(c.in))
		if got != c.want || ok != c.ok {
			t.Errorf("parseEpochSeconds(%q) = %d %v, want %d %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestTracksAndDateUTC(t *testing.T) {
	// Audio first, then a VP9 video track, then H.265 without CodecPrivate
	// whose payload is Annex B: the H.265 track is chosen.
	date := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	dateNs := date.Sub(time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)).Nanoseconds()
	file := bytes.Join([][]byte{ebmlHeader("matroska"), el(eidSegment,
		el(eidInfo, elUint(tidTimecodeScale, 1000000), el(tidDateUTC, []byte{byte(dateNs >> 56), byte(dateNs >> 48), byte(dateNs >> 40), byte(dateNs >> 32), byte(dateNs >> 24), byte(dateNs >> 16), byte(dateNs >> 8), byte(dateNs)})),
		tracks(trackEntry(1, 2, "A_AAC", []byte{0x12, 0x10}, 0), trackEntry(2, 1, "V_VP9", nil, 0), trackEntry(3, 1, CodecIDH265, nil, 0)),
		cluster(10, simpleBlock(1, 0, 0x80, frame(9, 4)...), simpleBlock(2, 0, 0x80, frame(8, 4)...),
			simpleBlock(3, 5, 0x80, 0, 0, 0, 1, 0x40, 1, 0x0C)))}, nil)
	d := openBytes(t, file)
	idx := scanAll(t, d, media.ProducerTime)
	if idx.Video != 2 || len(idx.Tracks) != 3 {
		t.Fatalf("video track %d of %d, want 2 of 3", idx.Video, len(idx.Tracks))
	}
	tr := idx.Tracks[2]
	if tr.Codec != decode.H265 || tr.NALFormat != media.AnnexB || tr.CodecPrivate != nil {
		t.Errorf("track %+v", tr)
	}
	if len(idx.Samples) != 1 || idx.Samples[0].Producer != date.UnixNano()+15e6 {
		t.Errorf("samples %+v, want one at DateUTC + 15 ms (%d)", idx.Samples, date.UnixNano()+15e6)
	}
	// Only a VP9 track: it is the video track, with an unknown codec.
	file = bytes.Join([][]byte{ebmlHeader("webm"), el(eidSegment, tracks(trackEntry(1, 2, "A_OPUS", nil, 0), trackEntry(2, 1, "V_VP9", nil, 0)),
		cluster(0, simpleBlock(2, 0, 0x80, 1, 2, 3, 4)))}, nil)
	idx = scanAll(t, openBytes(t, file), media.ProducerTime)
	if idx.Video != 1 || idx.Tracks[1].Codec != decode.CodecUnknown || len(idx.Samples) != 1 {
		t.Errorf("VP9 file: video %d tracks %+v samples %d", idx.Video, idx.Tracks, len(idx.Samples))
	}
	// Audio only: no video track.
	file = bytes.Join([][]byte{ebmlHeader("webm"), el(eidSegment, tracks(trackEntry(1, 2, "A_OPUS", nil, 0)),
		cluster(0, simpleBlock(1, 0, 0x80, 1, 2, 3, 4)))}, nil)
	idx = scanAll(t, openBytes(t, file), media.ProducerTime)
	if idx.Video != -1 || len(idx.Samples) != 0 {
		t.Errorf("audio-only file: video %d samples %d", idx.Video, len(idx.Samples))
	}
}

// hostileFile is a small valid file used as the base of the damage tests.
func hostileFile() []byte {
	return bytes.Join([][]byte{ebmlHeader("matroska"), el(eidSegment, info(1000000), tracks(h264Track()),
		kvsTagsEl("1", "2.5", "3.25"),
		cluster(0, simpleBlock(1, 0, 0x80, frame(1, 50)...), simpleBlock(1, 33, 0x80|0x02, append([]byte{1, 10}, frame(2, 20)...)...)),
		cluster(66, el(eidBlockGroup, el(eidBlock, []byte{0x81, 0, 0, 0}, frame(3, 30)))))}, nil)
}

func TestTruncatedEverywhere(t *testing.T) {
	// Every prefix of a valid file opens with a clear error or scans without
	// one, never panics, and never indexes a frame past the end.
	full := hostileFile()
	for n := 0; n < len(full); n++ {
		b := full[:n]
		d, err := Open(bytes.NewReader(b), int64(n))
		if err != nil {
			if !errors.Is(err, ErrNotMatroska) && !errors.As(err, new(*FormatError)) {
				t.Fatalf("prefix %d: Open error %v is neither ErrNotMatroska nor *FormatError", n, err)
			}
			continue
		}
		idx, err := d.Scan(context.Background(), media.ProducerTime, math.MinInt64, math.MaxInt64)
		if err != nil {
			if !errors.As(err, new(*FormatError)) {
				t.Fatalf("prefix %d: Scan error %v is not a *FormatError", n, err)
			}
			continue
		}
		for _, s := range idx.Samples {
			if s.Pos+int64(s.Size) > int64(n) {
				t.Fatalf("prefix %d: sample %+v runs past the end", n, s)
			}
		}
	}
}

func TestHostileSizes(t *testing.T) {
	hdr := append(ebmlHeader("matroska"), ebmlID(eidSegment)...)
	cases := []struct {
		name string
		file []byte
		msg  string // expected in the error ("" = scan succeeds)
	}{
		{"huge Tracks", append(append(hdr, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF), append(ebmlID(eidTracks), vint8(1<<56-2)...)...), "MaxMetadataSize"},
		{"huge block", bytes.Join([][]byte{hdr, []byte{0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, tracks(h264Track()),
			elUnknown(eidCluster, elUint(eidTimestamp, 0), ebmlID(eidSimpleBlock), vint8(MaxBlockSize+1), frame(0, 64))}, nil), "MaxBlockSize"},
		{"2^56 block", bytes.Join([][]byte{hdr, []byte{0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, tracks(h264Track()),
			elUnknown(eidCluster, elUint(eidTimestamp, 0), ebmlID(eidSimpleBlock), []byte{0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE}, frame(0, 64))}, nil), "MaxBlockSize"},
		{"zero-length blocks", bytes.Join([][]byte{ebmlHeader("matroska"), el(eidSegment, tracks(h264Track()),
			cluster(0, el(eidSimpleBlock), el(eidBlockGroup, el(eidBlock)), el(eidBlockGroup)))}, nil), ""},
		{"garbage after header", append(append(ebmlHeader("matroska"), 0x00), frame(0xFF, 64)...), "invalid element ID"},
		{"child past cluster", bytes.Join([][]byte{ebmlHeader("matroska"), el(eidSegment, tracks(h264Track()),
			el(eidCluster, elUint(eidTimestamp, 0), ebmlID(eidSimpleBlock), vint8(100), frame(0, 10)))}, nil), "past the end of its Cluster"},
		{"bad lacing", bytes.Join([][]byte{ebmlHeader("matroska"), el(eidSegment, tracks(h264Track()),
			cluster(0, simpleBlock(1, 0, 0x80|0x02, 3, 255, 255, 255)))}, nil), "lacing"},
		{"not matroska", ebmlHeader("other"), "DocType"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			d, err := Open(bytes.NewReader(c.file), int64(len(c.file)))
			if err == nil {
				_, err = d.Scan(context.Background(), media.ProducerTime, math.MinInt64, math.MaxInt64)
			}
			if c.msg == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
			} else if err == nil || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("error %v, want one mentioning %q", err, c.msg)
			}
			if time.Since(start) > time.Second {
				t.Errorf("took %v", time.Since(start))
			}
		})
	}
}

func TestCorruptionKeepsEarlierMedia(t *testing.T) {
	good := cluster(0, simpleBlock(1, 0, 0x80, frame(1, 10)...))
	bad := el(eidCluster, elUint(eidTimestamp, 40), ebmlID(eidSimpleBlock), vint8(100), frame(0, 10))
	file := bytes.Join([][]byte{ebmlHeader("matroska"), elUnknown(eidSegment, tracks(h264Track()), good, bad)}, nil)
	d := openBytes(t, file)
	idx := scanAll(t, d, media.ProducerTime)
	if len(idx.Samples) != 1 {
		t.Fatalf("got %d samples, want the 1 before the damage", len(idx.Samples))
	}
	_, _, err := d.Fragments(context.Background())
	var fe *FormatError
	if !errors.As(err, &fe) || fe.ID != eidSimpleBlock {
		t.Errorf("Fragments error %v, want a *FormatError naming the SimpleBlock", err)
	}
	if want := fmt.Sprintf("0x%X", eidSimpleBlock); !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name element %s", err, want)
	}
}

func TestReadSampleBounds(t *testing.T) {
	d := openBytes(t, hostileFile())
	for _, s := range []media.Sample{{Pos: -1, Size: 1}, {Pos: 0, Size: -1}, {Pos: 1 << 40, Size: 10}, {Pos: 10, Size: MaxBlockSize + 1}} {
		if _, err := d.ReadSample(context.Background(), &s, nil); err == nil {
			t.Errorf("ReadSample(%+v) succeeded", s)
		}
	}
}

func TestUnknownElementsInMetadata(t *testing.T) {
	// An element ID that ebml-go's table lacks (0x3F5F5F, unassigned
	// 3-byte range) inside Info and a TrackEntry: the hand parser reads the
	// fields around it.
	unknown := el(0x3F5F5F, []byte{1, 2, 3})
	te := el(tidTrackEntry, elUint(tidTrackNumber, 1), unknown, elUint(tidTrackType, 1), elStr(tidCodecID, CodecIDH264),
		el(tidCodecPrivate, testAVCC), elUint(tidDefaultDuration, 20_000_000))
	file := bytes.Join([][]byte{ebmlHeader("matroska"), el(eidSegment,
		el(eidInfo, unknown, elUint(tidTimecodeScale, 500_000)), tracks(te),
		cluster(10, simpleBlock(1, 2, 0x80, frame(1, 8)...)))}, nil)
	var doc tracksDoc
	if err := unmarshal(tracks(te), &doc); err == nil {
		t.Fatal("ebml-go accepted the unknown element: this test no longer exercises the hand parser")
	}
	d := openBytes(t, file)
	idx := scanAll(t, d, media.ProducerTime)
	if idx.Video != 0 || idx.Tracks[0].NALLengthSize != 4 || len(idx.Samples) != 1 {
		t.Fatalf("tracks %+v samples %+v", idx.Tracks, idx.Samples)
	}
	// (10 + 2) ticks of 0.5 ms; DefaultDuration 20 ms.
	if s := idx.Samples[0]; s.Producer != 6e6 || s.Duration != 20e6 {
		t.Errorf("sample %+v, want at 6 ms lasting 20 ms", s)
	}
}

func TestDeepNestingEndsQuickly(t *testing.T) {
	// 200 000 nested Video elements inside a TrackEntry (1.8 MB): ebml-go
	// alone needs minutes; the depth check refuses it at once, and the hand
	// parser reads the TrackEntry's other fields.
	const depth = 200000
	var body []byte
	for i := 0; i < depth; i++ {
		body = append(append(body, 0xE0), vint8(uint64(9*(depth-1-i)))...)
	}
	te := el(tidTrackEntry, elUint(tidTrackNumber, 1), elUint(tidTrackType, 1), elStr(tidCodecID, CodecIDH264), body)
	file := bytes.Join([][]byte{ebmlHeader("matroska"), el(eidSegment, tracks(te),
		cluster(0, simpleBlock(1, 0, 0x80, frame(1, 8)...)))}, nil)
	start := time.Now()
	d, err := Open(bytes.NewReader(file), int64(len(file)))
	if err == nil {
		_, err = d.Scan(context.Background(), media.ProducerTime, math.MinInt64, math.MaxInt64)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("took %v (err %v)", el, err)
	}
}

func TestAnnexBCodecPrivate(t *testing.T) {
	// A producer that writes its SPS/PPS as an Annex B stream in CodecPrivate
	// and Annex B payloads: the track gets an avcC record with the same
	// parameter sets and media.AnnexB framing.
	conf, err := avc.DecodeAVCDecConfRec(testAVCC)
	if err != nil {
		t.Fatal(err)
	}
	var cp []byte
	for _, n := range append(append([][]byte{}, conf.SPSnalus...), conf.PPSnalus...) {
		cp = append(append(cp, 0, 0, 0, 1), n...)
	}
	payload := []byte{0, 0, 0, 1, 0x65, 0x88, 0x84, 0x00, 0x10}
	file := bytes.Join([][]byte{ebmlHeader("matroska"), el(eidSegment, tracks(trackEntry(1, 1, CodecIDH264, cp, 0)),
		cluster(0, simpleBlock(1, 0, 0x80, payload...)))}, nil)
	idx := scanAll(t, openBytes(t, file), media.ProducerTime)
	tr := idx.Tracks[idx.Video]
	if tr.NALFormat != media.AnnexB {
		t.Errorf("NALFormat %v, want AnnexB", tr.NALFormat)
	}
	got, err := avc.DecodeAVCDecConfRec(tr.CodecPrivate)
	if err != nil {
		t.Fatalf("CodecPrivate is not an avcC record: %v", err)
	}
	if !bytes.Equal(got.SPSnalus[0], conf.SPSnalus[0]) || !bytes.Equal(got.PPSnalus[0], conf.PPSnalus[0]) {
		t.Errorf("parameter sets changed")
	}
}

func TestCuesFallback(t *testing.T) {
	// Cues whose positions do not lead to a Cluster: Scan falls back to a
	// whole walk and still finds every frame.
	cuePoint := func(tm uint64, pos uint64) []byte {
		return el(tidCuePoint, elUint(tidCueTime, tm), el(tidCueTrackPos, elUint(tidCueTrack, 1), elUint(tidCueClusterPos, pos)))
	}
	cues := el(eidCues, cuePoint(0, 0), cuePoint(1000, 3))
	file := bytes.Join([][]byte{ebmlHeader("matroska"), el(eidSegment, info(1000000), tracks(h264Track()), cues,
		cluster(0, simpleBlock(1, 0, 0x80, frame(1, 8)...)), cluster(2000, simpleBlock(1, 0, 0x80, frame(2, 8)...)))}, nil)
	d := openBytes(t, file)
	if !d.cueMode || len(d.cues) != 2 {
		t.Fatalf("cue mode %v with %d cues, want true with 2", d.cueMode, len(d.cues))
	}
	idx, err := d.Scan(context.Background(), media.ProducerTime, 1.5e9, 2.5e9)
	if err != nil {
		t.Fatal(err)
	}
	// The cluster at 2 s overlaps the range; the one at 0 s is its neighbour.
	if len(idx.Samples) != 2 || idx.Samples[0].Producer != 0 || idx.Samples[1].Producer != 2e9 {
		t.Errorf("samples %+v, want frames at 0 s and 2 s", idx.Samples)
	}
	if d.full == nil {
		t.Error("the whole-file walk was not used")
	}
}

func TestParameterSetChangeBetweenSegments(t *testing.T) {
	// GetMedia output across a producer restart: the second Segment's avcC
	// has another PPS. Index.Tracks reports the first Segment's record, so
	// ReadSample puts the second Segment's parameter sets before each of its
	// keyframes (length-prefixed like the samples) and nowhere else.
	conf, err := avc.DecodeAVCDecConfRec(testAVCC)
	if err != nil {
		t.Fatal(err)
	}
	pps2 := append(append([]byte(nil), conf.PPSnalus[0]...), 0x80)
	rec2, err := avc.CreateAVCDecConfRec(conf.SPSnalus, [][]byte{pps2}, true)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rec2.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	avcc2 := buf.Bytes()
	seg := func(rec []byte, tc uint64, v byte) []byte {
		return append(ebmlHeader("matroska"), elUnknown(eidSegment, info(1000000), tracks(trackEntry(1, 1, CodecIDH264, rec, 0)),
			cluster(tc, simpleBlock(1, 0, 0x80, frame(v, 6)...), simpleBlock(1, 40, 0, frame(v+1, 6)...)))...)
	}
	file := append(seg(testAVCC, 0, 0x10), seg(avcc2, 80, 0x20)...)
	d := openBytes(t, file)
	idx := scanAll(t, d, media.ProducerTime)
	if !bytes.Equal(idx.Tracks[idx.Video].CodecPrivate, testAVCC) || len(idx.Samples) != 4 {
		t.Fatalf("tracks %+v, %d samples", idx.Tracks, len(idx.Samples))
	}
	lp := func(n []byte) []byte { return append([]byte{0, 0, byte(len(n) >> 8), byte(len(n))}, n...) }
	want := [][]byte{
		frame(0x10, 6), frame(0x11, 6),
		append(append(lp(conf.SPSnalus[0]), lp(pps2)...), frame(0x20, 6)...), frame(0x21, 6),
	}
	for i, p := range payloads(t, d, idx) {
		if !bytes.Equal(p, want[i]) {
			t.Errorf("sample %d = %x, want %x", i, p, want[i])
		}
	}
}

func TestConcurrentScanAndRead(t *testing.T) {
	// Scans serialise on the Demuxer's lock; ReadSample runs beside them
	// (run with -race).
	d := openBytes(t, hostileFile())
	idx := scanAll(t, d, media.ProducerTime)
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func() {
			defer func() { done <- true }()
			var buf []byte
			for i := 0; i < 50; i++ {
				if _, err := d.Scan(context.Background(), media.ServerTime, 0, 1e12); err != nil {
					t.Error(err)
					return
				}
				for k := range idx.Samples {
					var err error
					if buf, err = d.ReadSample(context.Background(), &idx.Samples[k], buf); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
}

func TestLacedBlockGroupDuration(t *testing.T) {
	// A BlockGroup holding a fixed-size laced Block of 4 frames at 10 ms with
	// BlockDuration 100 ticks of 1 ms (the duration of the whole lace, RFC
	// 9559 §10.3): each frame lasts 25 ms and follows the previous one.
	body := append([]byte{0x81, 0, 10, 0x04, 3}, bytes.Repeat([]byte{7}, 4*5)...)
	g := el(eidBlockGroup, el(eidBlock, body), elUint(eidBlockDuration, 100))
	file := bytes.Join([][]byte{ebmlHeader("matroska"), el(eidSegment, info(1000000), tracks(h264Track()), cluster(0, g))}, nil)
	idx := scanAll(t, openBytes(t, file), media.ProducerTime)
	if len(idx.Samples) != 4 {
		t.Fatalf("%d samples, want 4", len(idx.Samples))
	}
	for i, s := range idx.Samples {
		if s.Producer != int64(10+25*i)*1e6 || s.Duration != 25e6 || s.Size != 5 || !s.Keyframe {
			t.Errorf("frame %d: %+v, want at %d ms lasting 25 ms, 5 bytes, keyframe", i, s, 10+25*i)
		}
	}
	if f := idx.Fragments[0]; f.Producer != 0 || f.Duration != 110e6 {
		t.Errorf("fragment %+v, want start 0 and duration 110 ms (block at 10 ms + 100 ms)", f)
	}
}

func TestProducerAbsoluteTimecodes(t *testing.T) {
	// The KVS producer SDK writes absolute cluster timestamps, in 100 ns
	// ticks with TimestampScale 100: 2024-05-01T12:00:00Z is 1714564800 s.
	const tc = 1714564800 * 10_000_000
	file := bytes.Join([][]byte{ebmlHeader("matroska"), elUnknown(eidSegment, info(100), tracks(h264Track()),
		elUnknown(eidCluster, elUint(eidTimestamp, tc), simpleBlock(1, 0, 0x80, frame(1, 8)...), simpleBlock(1, 333, 0, frame(2, 8)...)))}, nil)
	idx := scanAll(t, openBytes(t, file), media.ServerTime)
	if len(idx.Samples) != 2 || idx.Samples[0].Producer != 1714564800e9 || idx.Samples[1].Producer != 1714564800e9+33300 || idx.Samples[1].Server != idx.Samples[1].Producer {
		t.Errorf("samples %+v", idx.Samples)
	}
}
