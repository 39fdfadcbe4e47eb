package stills

import (
	"context"
	"errors"
	"math"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stills/stills/decode"
	"github.com/stills/stills/media"
)

func at(ms int64) time.Time { return time.Unix(0, base+ms*msec).UTC() }

// validRequest is a request every rule accepts; tests change one field.
func validRequest() *Request {
	return &Request{
		StreamName:        "cam-1.front_door",
		ImageSelectorType: ProducerTimestamp,
		StartTimestamp:    at(0),
		EndTimestamp:      at(10000),
		SamplingInterval:  1000,
		Format:            JPEG,
	}
}

func isInvalid(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Name == "InvalidArgumentException" && e.Message != ""
}

// Every rule of the SPEC §1 request table.
func TestValidation(t *testing.T) {
	long := strings.Repeat("a", 257)
	cases := []struct {
		name  string
		edit  func(r *Request)
		valid bool
	}{
		{"valid", func(r *Request) {}, true},
		{"no stream", func(r *Request) { r.StreamName = "" }, false},
		{"name 256 chars", func(r *Request) { r.StreamName = long[:256] }, true},
		{"name 257 chars", func(r *Request) { r.StreamName = long }, false},
		{"name bad char", func(r *Request) { r.StreamName = "cam/1" }, false},
		{"name space", func(r *Request) { r.StreamName = "cam 1" }, false},
		{"arn only", func(r *Request) {
			r.StreamName = ""
			r.StreamARN = "arn:aws:kinesisvideo:us-west-2:123456789012:stream/cam-1.front_door/1609459200000"
		}, true},
		{"arn and same name", func(r *Request) {
			r.StreamARN = "arn:aws:kinesisvideo:us-west-2:123456789012:stream/cam-1.front_door/1609459200000"
		}, true},
		{"arn and other name", func(r *Request) {
			r.StreamARN = "arn:aws:kinesisvideo:us-west-2:123456789012:stream/other/1609459200000"
		}, false},
		{"arn other service", func(r *Request) {
			r.StreamName = ""
			r.StreamARN = "arn:aws:kinesis:us-west-2:123456789012:stream/cam/1609459200000"
		}, false},
		{"arn no creation time", func(r *Request) {
			r.StreamName = ""
			r.StreamARN = "arn:aws:kinesisvideo:us-west-2:123456789012:stream/cam"
		}, false},
		{"arn china partition", func(r *Request) {
			r.StreamName = ""
			r.StreamARN = "arn:aws-cn:kinesisvideo:cn-north-1:123456789012:stream/cam/1"
		}, true},
		{"no selector", func(r *Request) { r.ImageSelectorType = "" }, false},
		{"server selector", func(r *Request) { r.ImageSelectorType = ServerTimestamp }, true},
		{"bad selector", func(r *Request) { r.ImageSelectorType = "producer_timestamp" }, false},
		{"no start", func(r *Request) { r.StartTimestamp = time.Time{} }, false},
		{"no end", func(r *Request) { r.EndTimestamp = time.Time{} }, false},
		{"year 5138", func(r *Request) { r.StartTimestamp = time.Unix(1e11, 0); r.EndTimestamp = time.Unix(1e11+10, 0) }, false},
		{"year 1000", func(r *Request) {
			r.StartTimestamp = time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)
			r.EndTimestamp = r.StartTimestamp.Add(time.Second)
		}, false},
		{"year 1970", func(r *Request) { r.StartTimestamp = time.Unix(0, 1e6); r.EndTimestamp = time.Unix(10, 0) }, true},
		{"end before start", func(r *Request) { r.EndTimestamp = at(-1) }, false},
		{"end = start", func(r *Request) { r.EndTimestamp = at(0) }, true},
		{"range 300 s", func(r *Request) { r.EndTimestamp = at(300000) }, true},
		{"range 300.001 s", func(r *Request) { r.EndTimestamp = at(300001) }, false},
		{"interval default", func(r *Request) { r.SamplingInterval = 0 }, true},
		{"interval 200", func(r *Request) { r.SamplingInterval = 200 }, true},
		{"interval 199", func(r *Request) { r.SamplingInterval = 199 }, false},
		{"interval negative", func(r *Request) { r.SamplingInterval = -3000 }, false},
		{"interval huge", func(r *Request) { r.SamplingInterval = math.MaxInt64 / 1000 }, true},
		{"no format", func(r *Request) { r.Format = "" }, false},
		{"png", func(r *Request) { r.Format = PNG }, true},
		{"lower-case format", func(r *Request) { r.Format = "jpeg" }, false},
		{"GIF", func(r *Request) { r.Format = "GIF" }, false},
		{"quality 1", func(r *Request) { r.FormatConfig = map[string]string{"JPEGQuality": "1"} }, true},
		{"quality 100", func(r *Request) { r.FormatConfig = map[string]string{"JPEGQuality": "100"} }, true},
		{"quality 0", func(r *Request) { r.FormatConfig = map[string]string{"JPEGQuality": "0"} }, false},
		{"quality 101", func(r *Request) { r.FormatConfig = map[string]string{"JPEGQuality": "101"} }, false},
		{"quality not decimal", func(r *Request) { r.FormatConfig = map[string]string{"JPEGQuality": "8e1"} }, false},
		{"quality signed", func(r *Request) { r.FormatConfig = map[string]string{"JPEGQuality": "+80"} }, false},
		{"quality empty", func(r *Request) { r.FormatConfig = map[string]string{"JPEGQuality": ""} }, false},
		{"unknown key", func(r *Request) { r.FormatConfig = map[string]string{"PNGLevel": "3"} }, false},
		{"two keys", func(r *Request) { r.FormatConfig = map[string]string{"JPEGQuality": "3", "X": "1"} }, false},
		{"width 3840", func(r *Request) { r.WidthPixels = 3840 }, true},
		{"width 3841", func(r *Request) { r.WidthPixels = 3841 }, false},
		{"width negative", func(r *Request) { r.WidthPixels = -1 }, false},
		{"height 2160", func(r *Request) { r.HeightPixels = 2160 }, true},
		{"height 2161", func(r *Request) { r.HeightPixels = 2161 }, false},
		{"max results 1", func(r *Request) { r.MaxResults = 1 }, true},
		{"max results 100", func(r *Request) { r.MaxResults = 100 }, true},
		{"max results 101", func(r *Request) { r.MaxResults = 101 }, false},
		{"max results negative", func(r *Request) { r.MaxResults = -1 }, false},
		{"token bad chars", func(r *Request) { r.NextToken = "abc-def" }, false},
		{"token three =", func(r *Request) { r.NextToken = "abcd===" }, false},
		{"token too long", func(r *Request) { r.NextToken = strings.Repeat("A", 4097) }, false},
		{"token never issued", func(r *Request) { r.NextToken = "AAAAAAAA" }, false},
	}
	e := fakeEngine(newFakeCodec(), 2)
	src := newFakeSource(0, 10000, 2000, 100, 0)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := validRequest()
			c.edit(r)
			_, err := e.GetImages(context.Background(), src, r)
			switch {
			case c.valid && err != nil:
				t.Errorf("rejected a valid request: %v", err)
			case !c.valid && !isInvalid(err):
				t.Errorf("got error %v, want an InvalidArgumentException", err)
			}
		})
	}
	if _, err := e.GetImages(context.Background(), src, nil); !isInvalid(err) {
		t.Errorf("nil request: %v, want InvalidArgumentException", err)
	}
}

// A server option may lower the minimum sampling interval.
func TestMinSamplingIntervalOption(t *testing.T) {
	c := newFakeCodec()
	e := New(Options{MinSamplingInterval: 50 * time.Millisecond, NewDecoder: c.newDecoder, NewEncoder: func() ImageEncoder { return fakeEncoder{} }})
	r := validRequest()
	r.SamplingInterval = 50
	r.EndTimestamp = at(1000)
	resp, err := e.GetImages(context.Background(), newFakeSource(0, 2000, 2000, 100, 0), r)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Images) != 21 { // 0, 50, …, 1000 ms
		t.Errorf("%d images, want 21", len(resp.Images))
	}
}

// SPEC §1: t_k = Start + k×Interval while t_k ≤ End; NextToken exactly when
// more remain; paging yields each t_k once.
func TestPagination(t *testing.T) {
	c := newFakeCodec()
	e := fakeEngine(c, 3)
	src := newFakeSource(0, 400000, 2000, 100, 0)
	for _, tc := range []struct {
		endMs, interval int64
		max             int
		want            int // timestamps in all
	}{
		{300000, 200, 100, 1501},
		{300000, 200, 0, 1501}, // default page size 25
		{10000, 3000, 1, 4},    // 0, 3, 6, 9 s
		{2999, 3000, 5, 1},     // shorter than the interval: Start only
		{0, 0, 0, 1},           // Start = End, default interval
		{9000, 3000, 4, 4},     // exactly one full page: no token
	} {
		r := validRequest()
		r.EndTimestamp = at(tc.endMs)
		r.SamplingInterval = tc.interval
		r.MaxResults = tc.max
		page := tc.max
		if page == 0 {
			page = 25
		}
		iv := tc.interval
		if iv == 0 {
			iv = 3000
		}
		var got []time.Time
		for pages := 0; ; pages++ {
			if pages > 100 {
				t.Fatalf("more than 100 pages")
			}
			resp, err := e.GetImages(context.Background(), src, r)
			if err != nil {
				t.Fatalf("end %d interval %d: %v", tc.endMs, tc.interval, err)
			}
			if len(resp.Images) > page {
				t.Fatalf("page of %d images, MaxResults %d", len(resp.Images), page)
			}
			for _, img := range resp.Images {
				got = append(got, img.TimeStamp)
			}
			more := len(got) < tc.want
			if (resp.NextToken != "") != more {
				t.Fatalf("after %d of %d timestamps: NextToken %q", len(got), tc.want, resp.NextToken)
			}
			if !more {
				break
			}
			if len(resp.Images) != page {
				t.Fatalf("a page before the last holds %d images, want %d", len(resp.Images), page)
			}
			r.NextToken = resp.NextToken
		}
		if len(got) != tc.want {
			t.Fatalf("end %d interval %d: %d timestamps, want %d", tc.endMs, tc.interval, len(got), tc.want)
		}
		for k, ts := range got {
			if want := at(int64(k) * iv); !ts.Equal(want) {
				t.Fatalf("t_%d = %v, want %v", k, ts, want)
			}
		}
	}
}

// Tokens are bound to the request parameters.
func TestNextTokenBinding(t *testing.T) {
	e := fakeEngine(newFakeCodec(), 2)
	src := newFakeSource(0, 60000, 2000, 100, 0)
	r := validRequest()
	r.EndTimestamp = at(60000)
	r.MaxResults = 5
	resp, err := e.GetImages(context.Background(), src, r)
	if err != nil || resp.NextToken == "" {
		t.Fatalf("first page: %v, token %q", err, resp.NextToken)
	}
	tok := resp.NextToken
	for name, edit := range map[string]func(r *Request){
		"other stream":   func(r *Request) { r.StreamName = "other" },
		"other start":    func(r *Request) { r.StartTimestamp = at(1) },
		"other end":      func(r *Request) { r.EndTimestamp = at(59000) },
		"other interval": func(r *Request) { r.SamplingInterval = 2000 },
		"other format":   func(r *Request) { r.Format = PNG },
		"other quality":  func(r *Request) { r.FormatConfig = map[string]string{"JPEGQuality": "90"} },
		"other width":    func(r *Request) { r.WidthPixels = 320 },
		"other selector": func(r *Request) { r.ImageSelectorType = ServerTimestamp },
		"tampered": func(r *Request) {
			b := []byte(tok)
			if b[2] == 'A' {
				b[2] = 'B'
			} else {
				b[2] = 'A'
			}
			r.NextToken = string(b)
		},
	} {
		r2 := validRequest()
		r2.EndTimestamp = r.EndTimestamp
		r2.MaxResults = 5
		r2.NextToken = tok
		edit(r2)
		if _, err := e.GetImages(context.Background(), src, r2); !isInvalid(err) {
			t.Errorf("%s: %v, want InvalidArgumentException", name, err)
		}
	}
	// A different page size is allowed while paging.
	r3 := *r
	r3.NextToken = tok
	r3.MaxResults = 7
	resp3, err := e.GetImages(context.Background(), src, &r3)
	if err != nil {
		t.Fatalf("token with another MaxResults: %v", err)
	}
	if !resp3.Images[0].TimeStamp.Equal(at(5000)) {
		t.Errorf("second page starts at %v, want %v", resp3.Images[0].TimeStamp, at(5000))
	}
	// A custom codec is used for sealing and opening.
	e2 := New(Options{Tokens: prefixTokens{}, NewDecoder: newFakeCodec().newDecoder, NewEncoder: func() ImageEncoder { return fakeEncoder{} }})
	resp4, err := e2.GetImages(context.Background(), src, r)
	if err != nil || !strings.HasPrefix(resp4.NextToken, "X") {
		t.Fatalf("custom codec: %v, token %q", err, resp4.NextToken)
	}
	r4 := *r
	r4.NextToken = resp4.NextToken
	if _, err := e2.GetImages(context.Background(), src, &r4); err != nil {
		t.Errorf("custom codec's own token refused: %v", err)
	}
	r4.NextToken = tok
	if _, err := e2.GetImages(context.Background(), src, &r4); !isInvalid(err) {
		t.Errorf("custom codec accepted a token it did not seal: %v", err)
	}
}

// A codec whose tokens the API cannot carry is a server bug: an error, not
// a broken answer.
func TestBadTokenCodec(t *testing.T) {
	e := New(Options{Tokens: badTokens{}, NewDecoder: newFakeCodec().newDecoder, NewEncoder: func() ImageEncoder { return fakeEncoder{} }})
	r := validRequest()
	r.MaxResults = 2
	if _, err := e.GetImages(context.Background(), newFakeSource(0, 10000, 2000, 100, 0), r); err == nil || isInvalid(err) {
		t.Errorf("a token with '-' in it: %v, want an engine error", err)
	}
}

type badTokens struct{}

func (badTokens) Seal(p []byte) (string, error) { return "not-base64", nil }
func (badTokens) Open(s string) ([]byte, error) { return nil, errors.New("no") }

type prefixTokens struct{}

func (prefixTokens) Seal(p []byte) (string, error) {
	s, _ := Base64Tokens{}.Seal(p)
	return "X" + s, nil
}

func (prefixTokens) Open(s string) ([]byte, error) {
	if !strings.HasPrefix(s, "X") {
		return nil, errors.New("not mine")
	}
	return Base64Tokens{}.Open(s[1:])
}

// The images themselves: NO_MEDIA outside the media, the nearest keyframe,
// each keyframe decoded once, identical bytes for shared keyframes.
func TestImages(t *testing.T) {
	c := newFakeCodec()
	e := fakeEngine(c, 4)
	// Media from 10 s to 20 s: fragments of 2 s, 10 frames/s, keyframe at
	// each fragment start (pictures 0, 20, 40, 60, 80).
	src := newFakeSource(10000, 10000, 2000, 100, 0)
	r := validRequest()
	r.StartTimestamp, r.EndTimestamp = at(8000), at(22000)
	r.SamplingInterval = 500
	r.MaxResults = 100
	r.WidthPixels = 320
	r.FormatConfig = map[string]string{"JPEGQuality": "95"}
	resp, err := e.GetImages(context.Background(), src, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Images) != 29 || resp.NextToken != "" {
		t.Fatalf("%d images, token %q; want 29 and none", len(resp.Images), resp.NextToken)
	}
	for k, img := range resp.Images {
		ms := 8000 + int64(k)*500
		var want int // picture id, -1 for NO_MEDIA
		switch {
		case ms < 10000 || ms > 20000: // media spans [10 s, 19.9 s + 0.1 s]
			want = -1
		default:
			// nearest fragment start, tie → earlier; the last fragment
			// starts at 18 s.
			f := (ms - 10000 + 999) / 2000
			if f > 4 {
				f = 4
			}
			want = int(f) * 20
		}
		if want < 0 {
			if img.Error != NoMedia || img.ImageContent != nil {
				t.Errorf("t=%dms: %q %q, want NO_MEDIA", ms, img.Error, img.ImageContent)
			}
			continue
		}
		if img.Error != "" || picOf(img) != want {
			t.Errorf("t=%dms: error %q content %q, want picture %d", ms, img.Error, img.ImageContent, want)
		}
		if !strings.HasPrefix(string(img.ImageContent), "JPEG q95 320x0 ") {
			t.Errorf("t=%dms: encoded with %q, want JPEG q95 320x0", ms, img.ImageContent)
		}
	}
	for _, id := range []int{0, 20, 40, 60, 80} {
		if n := c.count(id); n != 1 {
			t.Errorf("picture %d decoded %d times, want once", id, n)
		}
	}
	if &resp.Images[5].ImageContent[0] != &resp.Images[6].ImageContent[0] {
		t.Errorf("two timestamps served by one keyframe do not share its encoded bytes")
	}
	// The page's Scan asked for about the page's range only.
	src.mu.Lock()
	sc := src.scans[len(src.scans)-1]
	src.mu.Unlock()
	if sc[0] < base+7000*msec || sc[0] > base+8000*msec || sc[1] < base+22000*msec || sc[1] > base+25000*msec {
		t.Errorf("Scan(%v, %v) for a page of [8 s, 22 s]", time.Duration(sc[0]-base), time.Duration(sc[1]-base))
	}
}

// SPEC §1: the server timeline reads server timestamps.
func TestServerTimeline(t *testing.T) {
	e := fakeEngine(newFakeCodec(), 2)
	src := newFakeSource(10000, 4000, 2000, 100, 30000) // server time = producer + 30 s
	r := validRequest()
	r.StartTimestamp, r.EndTimestamp, r.SamplingInterval = at(10000), at(14000), 4000
	resp, err := e.GetImages(context.Background(), src, r)
	if err != nil {
		t.Fatal(err)
	}
	if picOf(resp.Images[0]) != 0 || picOf(resp.Images[1]) != 20 {
		t.Errorf("producer timeline: %+v", resp.Images)
	}
	r.ImageSelectorType = ServerTimestamp
	resp, err = e.GetImages(context.Background(), src, r)
	if err != nil {
		t.Fatal(err)
	}
	for _, img := range resp.Images {
		if img.Error != NoMedia {
			t.Errorf("server timeline at %v: %q, want NO_MEDIA (server media starts 30 s later)", img.TimeStamp, img.Error)
		}
	}
	r.StartTimestamp, r.EndTimestamp = at(40000), at(44000)
	resp, err = e.GetImages(context.Background(), src, r)
	if err != nil {
		t.Fatal(err)
	}
	if picOf(resp.Images[0]) != 0 || picOf(resp.Images[1]) != 20 {
		t.Errorf("server timeline: %+v", resp.Images)
	}
}

// SPEC §1: one bad picture never fails the request or its neighbours; a
// decoder bug (panic) is one MEDIA_ERROR too.
func TestBadPictures(t *testing.T) {
	c := newFakeCodec()
	c.fail[20] = true
	c.panics[40] = true
	e := fakeEngine(c, 2)
	src := newFakeSource(0, 8000, 2000, 100, 0)
	r := validRequest()
	r.EndTimestamp, r.SamplingInterval = at(6000), 2000
	resp, err := e.GetImages(context.Background(), src, r)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"pic0", MediaError, MediaError, "pic60"}
	for k, img := range resp.Images {
		got := img.Error
		if got == "" {
			got = string(img.ImageContent[strings.LastIndexByte(string(img.ImageContent), ' ')+1:])
		} else if img.Detail == "" {
			t.Errorf("t_%d: MEDIA_ERROR without a Detail", k)
		}
		if got != want[k] {
			t.Errorf("t_%d: %s, want %s", k, got, want[k])
		}
	}
}

// SPEC §1: MEDIA_ERROR for a codec that is not H.264/H.265, missing codec
// private data, no video track; the engine's own error for a Scan failure.
func TestMediaErrors(t *testing.T) {
	e := fakeEngine(newFakeCodec(), 2)
	r := validRequest()
	r.EndTimestamp, r.SamplingInterval = at(4000), 2000
	for name, edit := range map[string]func(s *fakeSource){
		"vp8": func(s *fakeSource) {
			s.ix.Tracks[0].Codec, s.ix.Tracks[0].CodecID = decode.CodecUnknown, "V_VP8"
		},
		"no codec private": func(s *fakeSource) { s.ix.Tracks[0].CodecPrivate = nil },
		"bad codec private": func(s *fakeSource) {
			s.ix.Tracks[0].CodecPrivate = []byte{9}
		},
		"no video track": func(s *fakeSource) { s.ix.Video = -1; s.ix.Samples = nil },
		"ErrNoVideo":     func(s *fakeSource) { s.scanErr = media.ErrNoVideo },
	} {
		src := newFakeSource(0, 8000, 2000, 100, 0)
		edit(src)
		resp, err := e.GetImages(context.Background(), src, r)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for _, img := range resp.Images {
			if img.Error != MediaError || img.Detail == "" {
				t.Errorf("%s at %v: %q (%s), want MEDIA_ERROR with a reason", name, img.TimeStamp, img.Error, img.Detail)
			}
		}
	}
	src := newFakeSource(0, 8000, 2000, 100, 0)
	src.scanErr = errors.New("disk on fire")
	if _, err := e.GetImages(context.Background(), src, r); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("Scan failure: %v, want it wrapped", err)
	}
}

// A gap in the media: NO_MEDIA inside it, never an image from across it.
func TestGap(t *testing.T) {
	e := fakeEngine(newFakeCodec(), 2)
	src := newFakeSource(0, 10000, 2000, 100, 0, 2) // fragment [4 s, 6 s) missing
	r := validRequest()
	r.StartTimestamp, r.EndTimestamp, r.SamplingInterval = at(3000), at(7000), 500
	resp, err := e.GetImages(context.Background(), src, r)
	if err != nil {
		t.Fatal(err)
	}
	// 3.0 3.5 4.0 | 4.5 5.0 5.5 | 6.0 6.5 7.0
	want := []int{20, 20, 20, -1, -1, -1, 40, 40, 40} // 40 is the picture id at 6 s (sample 40)
	for k, img := range resp.Images {
		if want[k] < 0 {
			if img.Error != NoMedia {
				t.Errorf("t=%v: %q, want NO_MEDIA", img.TimeStamp, img.Error)
			}
		} else if picOf(img) != want[k] {
			t.Errorf("t=%v: %q %q, want picture %d", img.TimeStamp, img.Error, img.ImageContent, want[k])
		}
	}
}

// Cancellation ends a request promptly and leaves no goroutine behind.
func TestCancel(t *testing.T) {
	c := newFakeCodec()
	c.delay = 20 * time.Millisecond
	e := fakeEngine(c, 2)
	src := newFakeSource(0, 300000, 200, 100, 0) // a keyframe every 200 ms
	r := validRequest()
	r.EndTimestamp, r.SamplingInterval, r.MaxResults = at(300000), 200, 100
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	start := time.Now()
	_, err := e.GetImages(ctx, src, r)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled request: %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("cancelled request took %v", d)
	}
	time.Sleep(50 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("%d goroutines after, %d before", after, before)
	}
}

// Extract: no range limit, in order, each keyframe once even across chunk
// boundaries, progress reported, an error from the callback stops it.
func TestExtract(t *testing.T) {
	c := newFakeCodec()
	e := fakeEngine(c, 3)
	src := newFakeSource(0, 600000, 2000, 100, 0) // 10 minutes
	var imgs []Image
	var lastDone, lastTotal int64
	err := e.Extract(context.Background(), src, ExtractRequest{
		From: base, To: base + 600000*msec, Interval: 100 * time.Millisecond, Format: PNG,
		Progress: func(d, t int64) { lastDone, lastTotal = d, t },
	}, func(img Image) error { imgs = append(imgs, img); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(imgs) != 6001 || lastDone != 6001 || lastTotal != 6001 {
		t.Fatalf("%d images, progress %d/%d; want 6001", len(imgs), lastDone, lastTotal)
	}
	for k, img := range imgs {
		if !img.TimeStamp.Equal(at(int64(k) * 100)) {
			t.Fatalf("image %d at %v", k, img.TimeStamp)
		}
		if k < 6000 && (img.Error != "" || !strings.HasPrefix(string(img.ImageContent), "PNG q80")) {
			t.Fatalf("image %d: %q %q", k, img.Error, img.ImageContent)
		}
	}
	for id := 0; id < 6000; id += 20 {
		if n := c.count(id); n != 1 {
			t.Fatalf("picture %d decoded %d times, want once", id, n)
		}
	}
	n := 0
	err = e.Extract(context.Background(), src, ExtractRequest{From: base, To: base + 600000*msec, Interval: time.Second},
		func(img Image) error {
			n++
			if n == 10 {
				return errStop
			}
			return nil
		})
	if !errors.Is(err, errStop) || n != 10 {
		t.Errorf("callback error: %v after %d images", err, n)
	}
	for _, bad := range []ExtractRequest{
		{From: base, To: base + 1, Interval: 0},
		{From: base + 1, To: base, Interval: time.Second},
		{From: base, To: base, Interval: time.Second, Format: "GIF"},
		{From: base, To: base, Interval: time.Second, Quality: 101},
		{From: base, To: base, Interval: time.Second, Width: -1},
		{From: math.MinInt64 / 2, To: math.MaxInt64/2 + 10, Interval: time.Hour},
	} {
		if err := e.Extract(context.Background(), src, bad, func(Image) error { return nil }); err == nil {
			t.Errorf("Extract(%+v) accepted", bad)
		}
	}
	first, last, ok, err := MediaRange(context.Background(), src, media.ProducerTime)
	if err != nil || !ok || first != base || last != base+600000*msec {
		t.Errorf("MediaRange = %v, %v, %v, %v", first-base, last-base, ok, err)
	}
}

// Several requests at once share the engine's workers.
func TestConcurrentRequests(t *testing.T) {
	c := newFakeCodec()
	e := fakeEngine(c, 2)
	src := newFakeSource(0, 60000, 2000, 100, 0)
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() {
			r := validRequest()
			r.EndTimestamp, r.SamplingInterval, r.MaxResults = at(60000), 200, 100
			resp, err := e.GetImages(context.Background(), src, r)
			if err == nil && (len(resp.Images) != 100 || picOf(resp.Images[99]) != 200) {
				err = errors.New("wrong answer")
			}
			errs <- err
		}()
	}
	for i := 0; i < 8; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	// Memory is bounded by the pool across requests: no more decoders and
	// encoders in use at once than Workers.
	if p := e.heldPeak.Load(); p > 2 {
		t.Errorf("%d workers (decoder + encoder + buffers) in use at once, Workers is 2", p)
	}
}

// A raw Annex B stream sends its parameter sets once, at the start: a worker
// that decodes a later keyframe first must find them (MaxParamSetSearch).
func TestAnnexBParameterSets(t *testing.T) {
	c := newFakeCodec()
	e := fakeEngine(c, 2)
	src := newFakeSource(0, 20000, 2000, 100, 0)
	src.annexB = true
	src.ix.Tracks[0].NALFormat = media.AnnexB
	src.ix.Tracks[0].CodecPrivate = nil
	r := validRequest()
	r.StartTimestamp, r.EndTimestamp, r.SamplingInterval = at(10000), at(18000), 2000
	resp, err := e.GetImages(context.Background(), src, r)
	if err != nil {
		t.Fatal(err)
	}
	for k, img := range resp.Images {
		if want := 100 + 20*k; picOf(img) != want {
			t.Errorf("t=%v: %q (%s), want picture %d", img.TimeStamp, img.ImageContent, img.Detail, want)
		}
	}
}

// A clock that jumps by a year: Extract answers the hole with NO_MEDIA
// without scanning it chunk by chunk.
func TestExtractClockJump(t *testing.T) {
	c := newFakeCodec()
	e := fakeEngine(c, 2)
	src := newFakeSource(0, 4000, 2000, 100, 0)
	year := int64(365 * 24 * 3600 * 1000)
	late := newFakeSource(year, 4000, 2000, 100, 0)
	for _, s := range late.ix.Samples {
		s.Fragment += int32(len(src.ix.Fragments))
		s.Pos += int64(len(src.ix.Samples))
		src.ix.Samples = append(src.ix.Samples, s)
	}
	src.ix.Fragments = append(src.ix.Fragments, late.ix.Fragments...)
	var images, noMedia int
	err := e.Extract(context.Background(), src, ExtractRequest{From: base, To: base + (year+4000)*msec, Interval: time.Minute},
		func(img Image) error {
			if img.Error == NoMedia {
				noMedia++
			} else if img.Error == "" {
				images++
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if images != 2 || noMedia != int(year/60000)-1 {
		t.Errorf("%d images, %d NO_MEDIA; want 2 and %d", images, noMedia, year/60000-1)
	}
	if n := len(src.scans); n > 10 {
		t.Errorf("%d Scans for two short stretches of media", n)
	}
}

// countingEncoder counts pictures encoded so far.
type countingEncoder struct{ n *atomic.Int64 }

func (c countingEncoder) Encode(dst []byte, f *decode.Frame, o EncodeOptions) ([]byte, error) {
	c.n.Add(1)
	return fakeEncoder{}.Encode(dst, f, o)
}

// Memory is bounded by the pool: the engine never runs more than a small
// window of pictures ahead of the image being emitted, however many
// timestamps there are.
func TestWindowBound(t *testing.T) {
	const workers = 3
	var encoded atomic.Int64
	c := newFakeCodec()
	e := New(Options{Workers: workers, NewDecoder: c.newDecoder, NewEncoder: func() ImageEncoder { return countingEncoder{&encoded} }})
	src := newFakeSource(0, 200000, 200, 100, 0) // a keyframe every 200 ms: 1000 pictures
	var emitted, maxAhead int64
	err := e.Extract(context.Background(), src, ExtractRequest{From: base, To: base + 199800*msec, Interval: 200 * time.Millisecond},
		func(img Image) error {
			emitted++
			time.Sleep(50 * time.Microsecond) // a slow consumer
			if ahead := encoded.Load() - emitted; ahead > maxAhead {
				maxAhead = ahead
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if emitted != 1000 || encoded.Load() != 1000 {
		t.Fatalf("%d emitted, %d encoded; want 1000 each", emitted, encoded.Load())
	}
	// At most the window (2 × workers) plus one picture per worker.
	if maxAhead > 3*workers {
		t.Errorf("encoded up to %d pictures ahead of the consumer, want at most %d", maxAhead, 3*workers)
	}
}

// Parameter-set NAL unit types: H.264 Table 7-1 (7 SPS, 8 PPS), H.265
// Table 7-1 (32 VPS, 33 SPS, 34 PPS).
func TestIsParamSet(t *testing.T) {
	for _, c := range []struct {
		codec decode.Codec
		nal   []byte
		want  bool
	}{
		{decode.H264, []byte{0x67, 0x64}, true},  // SPS
		{decode.H264, []byte{0x68, 0xee}, true},  // PPS
		{decode.H264, []byte{0x65, 0x88}, false}, // IDR slice
		{decode.H264, []byte{0x06, 0x05}, false}, // SEI
		{decode.H265, []byte{0x40, 0x01}, true},  // VPS
		{decode.H265, []byte{0x42, 0x01}, true},  // SPS
		{decode.H265, []byte{0x44, 0x01}, true},  // PPS
		{decode.H265, []byte{0x26, 0x01}, false}, // IDR_W_RADL
		{decode.H265, []byte{0x4e, 0x01}, false}, // prefix SEI
		{decode.H264, nil, false},
		{decode.CodecUnknown, []byte{0x67}, false},
	} {
		if got := isParamSet(c.codec, c.nal); got != c.want {
			t.Errorf("isParamSet(%v, % x) = %v, want %v", c.codec, c.nal, got, c.want)
		}
	}
}
