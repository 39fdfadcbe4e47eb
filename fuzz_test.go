package stills

import (
	"context"
	"testing"
	"time"
)

// FuzzNextToken feeds arbitrary NextTokens to GetImages: never a panic;
// either an InvalidArgumentException or a page that starts at a sampling
// timestamp after t_0 (only tokens this engine sealed are accepted).
func FuzzNextToken(f *testing.F) {
	e := fakeEngine(newFakeCodec(), 1)
	src := newFakeSource(0, 20000, 2000, 100, 0)
	r := validRequest()
	r.MaxResults = 3
	resp, err := e.GetImages(context.Background(), src, r)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(resp.NextToken)
	f.Add("AQUA")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==")
	f.Fuzz(func(t *testing.T, tok string) {
		q := *validRequest()
		q.MaxResults = 3
		q.NextToken = tok
		resp, err := e.GetImages(context.Background(), src, &q)
		if err != nil {
			if !isInvalid(err) {
				t.Fatalf("token %q: %v, want InvalidArgumentException", tok, err)
			}
			return
		}
		if tok != "" && (len(resp.Images) == 0 || !resp.Images[0].TimeStamp.After(q.StartTimestamp)) {
			t.Fatalf("token %q accepted but the page starts at t_0", tok)
		}
	})
}

// FuzzRequest: any request field values — validation never panics, and a
// request it accepts keeps the SPEC §1 limits (range ≤ 300 s, page ≤ 100,
// every image at a t_k inside [Start, End]).
func FuzzRequest(f *testing.F) {
	e := fakeEngine(newFakeCodec(), 1)
	src := newFakeSource(0, 20000, 2000, 100, 0)
	f.Add("cam", "", "PRODUCER_TIMESTAMP", int64(0), int64(10000), int64(1000), "JPEG", "80", 0, 0, 0)
	f.Add("", "arn:aws:kinesisvideo:us-east-1:1:stream/cam/1", "SERVER_TIMESTAMP", int64(-5), int64(300000), int64(200), "PNG", "", 320, 0, 100)
	f.Fuzz(func(t *testing.T, name, arn, sel string, startMs, endMs, interval int64, format, quality string, w, h, max int) {
		r := &Request{StreamName: name, StreamARN: arn, ImageSelectorType: sel,
			StartTimestamp: time.UnixMilli(startMs), EndTimestamp: time.UnixMilli(endMs), SamplingInterval: interval,
			Format: format, WidthPixels: w, HeightPixels: h, MaxResults: max}
		if quality != "" {
			r.FormatConfig = map[string]string{"JPEGQuality": quality}
		}
		resp, err := e.GetImages(context.Background(), src, r)
		if err != nil {
			if !isInvalid(err) {
				t.Fatalf("%+v: %v, want InvalidArgumentException", r, err)
			}
			return
		}
		if endMs-startMs > 300000 || endMs < startMs {
			t.Fatalf("accepted a range of %d ms", endMs-startMs)
		}
		if len(resp.Images) == 0 || len(resp.Images) > 100 {
			t.Fatalf("%d images in a page", len(resp.Images))
		}
		for _, img := range resp.Images {
			if ms := img.TimeStamp.UnixMilli(); ms < startMs || ms > endMs {
				t.Fatalf("image at %d ms outside [%d, %d]", ms, startMs, endMs)
			}
		}
	})
}
