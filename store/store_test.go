package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stills/stills/decode"
	"github.com/stills/stills/internal/testtool"
	"github.com/stills/stills/media"
)

// fakeSource is an in-memory media.Source: n frames at 25 fps starting at t0,
// a keyframe every gop frames, payload i = "frame-<i>" length-prefixed.
type fakeSource struct {
	ix      media.Index
	payload [][]byte
}

func newFake(t0 int64, n, gop int) *fakeSource {
	f := &fakeSource{}
	f.ix.Tracks = []media.Track{{Number: 1, CodecID: "V_MPEG4/ISO/AVC", Codec: decode.H264, Video: true,
		CodecPrivate: []byte{1, 0x64, 0, 0x1f, 0xff, 0xe0, 0}, NALFormat: media.LengthPrefixed, NALLengthSize: 4, Width: 64, Height: 48}}
	f.ix.Video = 0
	const d = int64(40 * time.Millisecond)
	for i := 0; i < n; i++ {
		p := []byte(fmt.Sprintf("\x00\x00\x00\x09frame-%03d", i))
		f.payload = append(f.payload, p)
		f.ix.Samples = append(f.ix.Samples, media.Sample{Producer: t0 + int64(i)*d, Duration: d, Keyframe: i%gop == 0, Pos: int64(i), Size: int32(len(p))})
	}
	return f
}

func (f *fakeSource) Scan(ctx context.Context, tl media.Timeline, from, to media.Time) (*media.Index, error) {
	return &f.ix, nil
}
func (f *fakeSource) ReadSample(ctx context.Context, s *media.Sample, dst []byte) ([]byte, error) {
	return append(dst[:0], f.payload[s.Pos]...), nil
}
func (f *fakeSource) Close() error { return nil }

func openTemp(t *testing.T) *Disk {
	t.Helper()
	d, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestIngestListScanRead(t *testing.T) {
	ctx := context.Background()
	d := openTemp(t)
	if _, err := d.CreateStream(ctx, NewStream{Name: "cam-1", RetentionHours: 24}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CreateStream(ctx, NewStream{Name: "cam-1"}); !errors.Is(err, ErrStreamExists) {
		t.Fatalf("second CreateStream: %v, want ErrStreamExists", err)
	}
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	src := newFake(0, 100, 25) // relative times: placed at start
	var acked []Fragment
	n, err := Ingest(ctx, d, "cam-1", src, IngestOptions{Start: start}, func(f Fragment) { acked = append(acked, f) })
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 || len(acked) != 4 {
		t.Fatalf("stored %d fragments (acked %d), want 4 (one per 25-frame GOP)", n, len(acked))
	}
	for i, f := range acked {
		wantP := start.Add(time.Duration(i) * time.Second).UnixNano()
		if f.Producer != wantP || f.Duration != int64(time.Second) {
			t.Errorf("fragment %d: producer %d duration %d, want %d and 1s", i, f.Producer, f.Duration, wantP)
		}
		if i > 0 && !(f.Number > acked[i-1].Number) {
			t.Errorf("fragment numbers not increasing: %s after %s", f.Number, acked[i-1].Number)
		}
	}
	all, more, err := d.ListFragments(ctx, "cam-1", Selector{Timeline: media.ProducerTime, From: math.MinInt64, To: math.MaxInt64}, nil, 3)
	if err != nil || len(all) != 3 || !more {
		t.Fatalf("ListFragments limit 3: %d fragments, more=%v, err=%v", len(all), more, err)
	}
	last := all[2]
	rest, more, err := d.ListFragments(ctx, "cam-1", Selector{Timeline: media.ProducerTime, From: math.MinInt64, To: math.MaxInt64}, &Cursor{Time: last.Producer, Seq: last.Seq}, 3)
	if err != nil || len(rest) != 1 || more || rest[0].Number != acked[3].Number {
		t.Fatalf("ListFragments continuation: %+v more=%v err=%v", rest, more, err)
	}
	// Inclusive range on the start time.
	sel := Selector{Timeline: media.ProducerTime, From: acked[1].Producer, To: acked[2].Producer}
	mid, _, err := d.ListFragments(ctx, "cam-1", sel, nil, 100)
	if err != nil || len(mid) != 2 || mid[0].Number != acked[1].Number {
		t.Fatalf("ListFragments [f1,f2]: %d fragments err=%v", len(mid), err)
	}

	s, err := d.Source(ctx, "cam-1")
	if err != nil {
		t.Fatal(err)
	}
	ix, err := s.Scan(ctx, media.ProducerTime, acked[2].Producer+int64(100*time.Millisecond), acked[2].Producer+int64(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if ix.Video != 0 || ix.Tracks[0].CodecID != "V_MPEG4/ISO/AVC" || len(ix.Tracks[0].CodecPrivate) != 7 {
		t.Fatalf("Scan tracks: %+v", ix.Tracks)
	}
	found := false
	var buf []byte
	for i := range ix.Samples {
		sm := &ix.Samples[i]
		buf, err = s.ReadSample(ctx, sm, buf)
		if err != nil {
			t.Fatal(err)
		}
		// Which source frame is it? Its producer time says.
		k := (sm.Producer - start.UnixNano()) / int64(40*time.Millisecond)
		if !bytes.Equal(buf, src.payload[k]) {
			t.Fatalf("sample at %d reads %q, want %q", sm.Producer, buf, src.payload[k])
		}
		if k == 55 {
			found = true
			if sm.Keyframe {
				t.Errorf("frame 55 marked keyframe")
			}
		}
	}
	if !found {
		t.Fatalf("Scan around fragment 2 did not include frame 55")
	}

	// Reopen: everything still there (the index and the token key persist).
	key := append([]byte(nil), d.TokenKey()...)
	d.Close()
	d2, err := Open(d.Dir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	if !bytes.Equal(d2.TokenKey(), key) {
		t.Errorf("token key changed across reopen")
	}
	all2, _, err := d2.ListFragments(ctx, "cam-1", Selector{From: math.MinInt64, To: math.MaxInt64}, nil, 100)
	if err != nil || len(all2) != 4 {
		t.Fatalf("after reopen: %d fragments, err %v", len(all2), err)
	}
}

func TestOpenLockedFails(t *testing.T) {
	d := openTemp(t)
	_, err := Open(d.Dir(), Options{LockTimeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("second Open: %v, want ErrInUse", err)
	}
}

func TestDeleteStream(t *testing.T) {
	ctx := context.Background()
	d := openTemp(t)
	info, err := d.CreateStream(ctx, NewStream{Name: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Ingest(ctx, d, "x", newFake(AbsoluteThreshold, 10, 5), IngestOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	if err := d.DeleteStream(ctx, info.ARN+"0"); !errors.Is(err, ErrStreamNotFound) {
		t.Fatalf("delete with wrong ARN: %v", err)
	}
	if err := d.DeleteStream(ctx, info.ARN); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Stream(ctx, "x", ""); !errors.Is(err, ErrStreamNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	if _, err := os.Stat(filepath.Join(d.Dir(), "streams", info.ID)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stream directory still there: %v", err)
	}
}

func TestARN(t *testing.T) {
	for _, c := range []struct {
		arn  string
		name string
		ok   bool
	}{
		{"arn:aws:kinesisvideo:us-east-1:123456789012:stream/cam_1.a-b/1600000000000", "cam_1.a-b", true},
		{"arn:aws-cn:kinesisvideo:cn-north-1:1:stream/x/0", "x", true},
		{"arn:aws:kinesis:us-east-1:1:stream/x/0", "", false},
		{"arn:aws:kinesisvideo:us-east-1:1:stream/x", "", false},
		{"arn:aws:kinesisvideo:us-east-1:1:stream/x y/1", "", false},
		{"arn:aws:kinesisvideo:us-east-1:1:channel/x/1", "", false},
	} {
		name, _, ok := ParseARN(c.arn)
		if ok != c.ok || name != c.name {
			t.Errorf("ParseARN(%q) = %q, %v; want %q, %v", c.arn, name, ok, c.name, c.ok)
		}
	}
}

// TestFragmentFileFFprobe checks that a stored fragment, and two of them
// concatenated, are Matroska that ffprobe reads with the right frame count
// and KVS tags.
func TestFragmentFileFFprobe(t *testing.T) {
	ffmpeg := testtool.Need(t, "ffmpeg")
	testtool.Need(t, "ffprobe")
	dir := t.TempDir()
	h264 := filepath.Join(dir, "in.264")
	cmd := exec.Command(ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=25", "-frames:v", "50",
		"-c:v", "libx264", "-g", "25", "-bf", "0", "-f", "h264", h264)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	data, err := os.ReadFile(h264)
	if err != nil {
		t.Fatal(err)
	}
	src := annexBFake(t, data, 40*time.Millisecond)
	ctx := context.Background()
	d := openTemp(t)
	if _, err := d.CreateStream(ctx, NewStream{Name: "s"}); err != nil {
		t.Fatal(err)
	}
	var frags []Fragment
	if _, err := Ingest(ctx, d, "s", src, IngestOptions{Start: time.Unix(1700000000, 0)}, func(f Fragment) { frags = append(frags, f) }); err != nil {
		t.Fatal(err)
	}
	if len(frags) != 2 {
		t.Fatalf("%d fragments, want 2", len(frags))
	}
	var all []byte
	for i := range frags {
		b, err := d.ReadFragment(ctx, "s", &frags[i])
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	one := filepath.Join(dir, "one.mkv")
	two := filepath.Join(dir, "two.mkv")
	b0, _ := d.ReadFragment(ctx, "s", &frags[0])
	os.WriteFile(one, b0, 0o644)
	os.WriteFile(two, all, 0o644)
	out, err := exec.Command("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
		"-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0", one).CombinedOutput()
	if err != nil || string(bytes.TrimSpace(out)) != "h264,64,48,25" {
		t.Fatalf("ffprobe of one fragment: %q, %v (want h264,64,48,25)", out, err)
	}
	// Concatenated fragments are what real GetMedia returns; ffmpeg warns
	// about each further unknown-size Segment (as it does on AWS output) but
	// must read every frame.
	out, err = exec.Command("ffprobe", "-v", "quiet", "-count_frames", "-select_streams", "v:0",
		"-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", two).CombinedOutput()
	if err != nil || string(bytes.TrimSpace(out)) != "50" {
		t.Fatalf("ffprobe of two concatenated fragments: %q, %v (want 50 frames)", out, err)
	}
	out, err = exec.Command("ffprobe", "-v", "error", "-show_entries", "format_tags", "-of", "default=nw=1", one).CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("AWS_KINESISVIDEO_FRAGMENT_NUMBER="+frags[0].Number)) ||
		!bytes.Contains(out, []byte("AWS_KINESISVIDEO_PRODUCER_TIMESTAMP=1700000000.000")) {
		t.Fatalf("ffprobe tags: %v\n%s", err, out)
	}
}

// annexBFake splits a raw H.264 stream into access units (one per picture:
// a new access unit starts at each slice with first_mb_in_slice == 0, i.e.
// the first byte after the header has its top bit set) for ingest tests.
func annexBFake(t *testing.T, data []byte, frameDur time.Duration) *fakeSource {
	nals, _ := decode.SplitAnnexB(nil, data)
	f := &fakeSource{}
	f.ix.Tracks = []media.Track{{Number: 1, Codec: decode.H264, Video: true, NALFormat: media.AnnexB}}
	var cur []byte
	key := false
	haveSlice := false
	emit := func() {
		if !haveSlice {
			return
		}
		i := len(f.payload)
		f.payload = append(f.payload, cur)
		f.ix.Samples = append(f.ix.Samples, media.Sample{Producer: int64(i) * int64(frameDur), Duration: int64(frameDur), Keyframe: key, Pos: int64(i), Size: int32(len(cur))})
		cur, key, haveSlice = nil, false, false
	}
	for _, n := range nals {
		typ := n[0] & 0x1f
		isSlice := typ == 1 || typ == 5
		if (isSlice && len(n) > 1 && n[1]&0x80 != 0) || (!isSlice && haveSlice) {
			emit()
		}
		if isSlice {
			haveSlice = true
			key = key || typ == 5
		}
		cur = append(cur, 0, 0, 0, 1)
		cur = append(cur, n...)
	}
	emit()
	return f
}

func TestAppendRefusesOtherCodec(t *testing.T) {
	ctx := context.Background()
	d := openTemp(t)
	if _, err := d.CreateStream(ctx, NewStream{Name: "s"}); err != nil {
		t.Fatal(err)
	}
	if _, err := Ingest(ctx, d, "s", newFake(AbsoluteThreshold, 5, 5), IngestOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	hevc := newFake(AbsoluteThreshold+int64(time.Hour), 5, 5)
	hevc.ix.Tracks[0].Codec = decode.H265
	hevc.ix.Tracks[0].CodecID = "V_MPEGH/ISO/HEVC"
	if _, err := Ingest(ctx, d, "s", hevc, IngestOptions{}, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("H.265 into an H.264 stream: %v, want ErrInvalid", err)
	}
}

// TestPrune: fragments older than the stream's retention (by server time)
// go, with their files; newer ones and streams with retention 0 stay; and
// fragment numbers keep increasing after a stream was emptied.
func TestPrune(t *testing.T) {
	ctx := context.Background()
	d := openTemp(t)
	for _, s := range []NewStream{{Name: "keep2h", RetentionHours: 2}, {Name: "none", RetentionHours: 0}} {
		if _, err := d.CreateStream(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var frags []Fragment
	for h := 0; h < 4; h++ { // server times base, +1h, +2h, +3h
		now := base.Add(time.Duration(h) * time.Hour)
		for _, s := range []string{"keep2h", "none"} {
			_, err := Ingest(ctx, d, s, newFake(AbsoluteThreshold, 5, 5), IngestOptions{Now: func() time.Time { return now }}, func(f Fragment) {
				if s == "keep2h" {
					frags = append(frags, f)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	n, err := d.Prune(ctx, base.Add(3*time.Hour+30*time.Minute)) // cutoff base+1h30
	if err != nil || n != 2 {
		t.Fatalf("Prune deleted %d (%v), want 2 (server times base and base+1h)", n, err)
	}
	left, _, _ := d.ListFragments(ctx, "keep2h", Selector{Timeline: media.ServerTime, From: math.MinInt64, To: math.MaxInt64}, nil, 100)
	if len(left) != 2 || left[0].Number != frags[2].Number {
		t.Fatalf("after prune: %d fragments, first %v; want 2 starting with %s", len(left), left, frags[2].Number)
	}
	if _, err := d.ReadFragment(ctx, "keep2h", &frags[0]); err == nil {
		t.Error("pruned fragment's file still readable")
	}
	all, _, _ := d.ListFragments(ctx, "none", Selector{From: math.MinInt64, To: math.MaxInt64}, nil, 100)
	if len(all) != 4 {
		t.Errorf("stream with retention 0 lost fragments: %d left", len(all))
	}
	// Empty the stream, then append: the number continues upwards.
	if _, err := d.Prune(ctx, base.Add(100*time.Hour)); err != nil {
		t.Fatal(err)
	}
	var next Fragment
	if _, err := Ingest(ctx, d, "keep2h", newFake(AbsoluteThreshold, 5, 5), IngestOptions{}, func(f Fragment) { next = f }); err != nil {
		t.Fatal(err)
	}
	if next.Number <= frags[3].Number {
		t.Errorf("number after emptying %s, want above %s", next.Number, frags[3].Number)
	}
}

// TestIngestSplitsHugeGOP: a stream with one keyframe and more frames than a
// fragment may hold is split into several fragments, none over the limits.
func TestIngestSplitsHugeGOP(t *testing.T) {
	ctx := context.Background()
	d := openTemp(t)
	if _, err := d.CreateStream(ctx, NewStream{Name: "s"}); err != nil {
		t.Fatal(err)
	}
	src := newFake(AbsoluteThreshold, MaxSamplesPerFragment+10, 1<<30) // 40 ms frames: 655 s, one keyframe
	var frags []Fragment
	if _, err := Ingest(ctx, d, "s", src, IngestOptions{}, func(f Fragment) { frags = append(frags, f) }); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, f := range frags {
		total += len(f.Samples)
		if f.Duration > int64(MaxFragmentDuration) || len(f.Samples) > MaxSamplesPerFragment {
			t.Errorf("fragment %s: %v, %d frames", f.Number, time.Duration(f.Duration), len(f.Samples))
		}
	}
	if total != MaxSamplesPerFragment+10 || len(frags) < 2 {
		t.Errorf("%d frames in %d fragments, want all %d split", total, len(frags), MaxSamplesPerFragment+10)
	}
}
