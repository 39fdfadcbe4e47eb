package mkv

import (
	"bytes"
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stills/stills/media"
)

// TestMuxRoundTrip writes two fragments with AppendFragment, concatenates
// them as GetMediaForFragmentList does, and reads them back with the
// demuxer: the same frames, times, keyframe flags, durations, payload
// positions and KVS fragment numbers.
func TestMuxRoundTrip(t *testing.T) {
	cp := []byte{1, 0x42, 0xC0, 0x1E, 0xFF, 0xE1, 0, 0}
	mk := func(num string, start int64, n int) (*MuxFragment, [][]byte) {
		f := &MuxFragment{Number: num, Producer: start, Server: start + 500,
			Tracks: []MuxTrack{{Number: 1, CodecID: "V_MPEG4/ISO/AVC", CodecPrivate: cp, Video: true, Width: 64, Height: 48}}}
		var payloads [][]byte
		for i := 0; i < n; i++ {
			p := bytes.Repeat([]byte{byte(i + 1)}, 100+i*300) // sizes cross the 1- and 2-byte varint limits
			p[0], p[1], p[2], p[3] = 0, 0, byte(len(p)-4>>8), byte(len(p)-4)
			payloads = append(payloads, p)
			f.Frames = append(f.Frames, MuxFrame{Track: 1, Time: start + int64(i)*40, Duration: 40, Keyframe: i == 0, Data: p})
		}
		return f, payloads
	}
	f1, p1 := mk("9100000000000000001", 1700000000000, 25)
	f2, p2 := mk("9100000000000000002", 1700000001000, 25)
	b1, lay1, err := AppendFragment(nil, f1, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range lay1 {
		if !bytes.Equal(b1[l.Offset:l.Offset+int64(l.Size)], p1[i]) {
			t.Fatalf("layout of frame %d does not point at its payload", i)
		}
	}
	all, _, err := AppendFragment(b1, f2, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Open(bytes.NewReader(all), int64(len(all)))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := d.Scan(context.Background(), media.ProducerTime, math.MinInt64, math.MaxInt64)
	if err != nil {
		t.Fatal(err)
	}
	if ix.Video < 0 || ix.Tracks[ix.Video].CodecID != "V_MPEG4/ISO/AVC" || !bytes.Equal(ix.Tracks[ix.Video].CodecPrivate, cp) {
		t.Fatalf("tracks read back: %+v", ix.Tracks)
	}
	if len(ix.Fragments) != 2 || ix.Fragments[0].Number != f1.Number || ix.Fragments[1].Number != f2.Number {
		t.Fatalf("fragments read back: %+v", ix.Fragments)
	}
	if ix.Fragments[0].Server != (f1.Server)*int64(time.Millisecond) {
		t.Errorf("server timestamp %d, want %d ms", ix.Fragments[0].Server, f1.Server)
	}
	want := append(append([][]byte{}, p1...), p2...)
	if len(ix.Samples) != len(want) {
		t.Fatalf("%d samples read back, want %d", len(ix.Samples), len(want))
	}
	var buf []byte
	for i := range ix.Samples {
		s := &ix.Samples[i]
		f, k := f1, i
		if i >= 25 {
			f, k = f2, i-25
		}
		if s.Producer != (f.Frames[k].Time)*int64(time.Millisecond) || s.Keyframe != (k == 0) {
			t.Errorf("sample %d: time %d key %v, want %d ms key %v", i, s.Producer, s.Keyframe, f.Frames[k].Time, k == 0)
		}
		if s.Duration != 0 && s.Duration != 40*int64(time.Millisecond) {
			t.Errorf("sample %d duration %d, want 40 ms", i, s.Duration)
		}
		if buf, err = d.ReadSample(context.Background(), s, buf); err != nil || !bytes.Equal(buf, want[i]) {
			t.Fatalf("sample %d payload differs (%v)", i, err)
		}
	}
	// The last frame's BlockDuration makes the first fragment end where the
	// second begins.
	if got := ix.Fragments[0].Duration; got != int64(time.Second) {
		t.Errorf("fragment 0 duration %v, want 1s", time.Duration(got))
	}
}

func TestMuxRejects(t *testing.T) {
	tr := []MuxTrack{{Number: 1, CodecID: "V_MPEG4/ISO/AVC", Video: true}}
	for name, f := range map[string]*MuxFragment{
		"no tracks":       {},
		"track 0":         {Tracks: []MuxTrack{{Number: 0}}},
		"duplicate track": {Tracks: []MuxTrack{{Number: 1}, {Number: 1}}},
		"unknown track":   {Tracks: tr, Frames: []MuxFrame{{Track: 2}}},
		"span too long":   {Tracks: tr, Frames: []MuxFrame{{Track: 1, Time: MaxMuxClusterSpan + 1}}},
		"before cluster":  {Tracks: tr, Producer: 40000, Frames: []MuxFrame{{Track: 1, Time: 0}}},
	} {
		if _, _, err := AppendFragment(nil, f, nil); !errors.Is(err, ErrMux) {
			t.Errorf("%s: err %v, want ErrMux", name, err)
		}
	}
}

func TestFormatTagTime(t *testing.T) {
	for ms, want := range map[int64]string{1511852108513: "1511852108.513", 0: "0.000", 5: "0.005", -1500: "-1.500"} {
		if got := FormatTagTime(ms); got != want {
			t.Errorf("FormatTagTime(%d) = %q, want %q", ms, got, want)
		}
	}
}
