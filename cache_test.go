package stills

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stills/stills/media"
)

// keyedSource is a fakeSource that says its samples never change.
type keyedSource struct {
	*fakeSource
	key string
}

func (s keyedSource) CacheKey() string { return s.key }

// The image cache: a picture asked for again with the same encoding is not
// decoded again; another size, another source, or a source without a key
// is; failures are never cached.
func TestImageCache(t *testing.T) {
	c := newFakeCodec()
	c.fail[40] = true
	e := New(Options{Workers: 2, NewDecoder: c.newDecoder, NewEncoder: func() ImageEncoder { return fakeEncoder{} },
		ImageCacheBytes: 1 << 20})
	plain := newFakeSource(10000, 10000, 2000, 100, 0)
	keyed := keyedSource{newFakeSource(10000, 10000, 2000, 100, 0), "stream-a"}
	other := keyedSource{newFakeSource(10000, 10000, 2000, 100, 0), "stream-b"}
	r := validRequest()
	r.StartTimestamp, r.EndTimestamp = at(10000), at(19000)
	r.SamplingInterval = 2000
	r.MaxResults = 100
	r.WidthPixels = 320
	ask := func(src media.Source, width int) []Image {
		t.Helper()
		rq := *r
		rq.WidthPixels = width
		resp, err := e.GetImages(context.Background(), src, &rq)
		if err != nil {
			t.Fatal(err)
		}
		return resp.Images
	}
	decodes := func() (n int) {
		for _, id := range []int{0, 20, 40, 60, 80} {
			n += c.count(id)
		}
		return n
	}
	first := ask(keyed, 320)
	if got := decodes(); got != 5 {
		t.Fatalf("first request decoded %d pictures, want 5", got)
	}
	again := ask(keyed, 320)
	if got := decodes(); got != 6 {
		t.Fatalf("after a repeated request %d decodes, want 6 (only the failed picture again)", got)
	}
	for i := range first {
		if first[i].Error != again[i].Error || string(first[i].ImageContent) != string(again[i].ImageContent) {
			t.Errorf("image %d: %q/%q from the decoder, %q/%q from the cache", i,
				first[i].Error, first[i].ImageContent, again[i].Error, again[i].ImageContent)
		}
	}
	if again[2].Error != MediaError {
		t.Errorf("picture 40 gave %q from the cache, want MEDIA_ERROR", again[2].Error)
	}
	ask(keyed, 640) // another size: decoded again
	if got := decodes(); got != 11 {
		t.Fatalf("another size: %d decodes, want 11", got)
	}
	ask(other, 320) // another source with the same positions
	if got := decodes(); got != 16 {
		t.Fatalf("another source: %d decodes, want 16", got)
	}
	ask(plain, 320)
	ask(plain, 320) // no CacheKey: never cached
	if got := decodes(); got != 26 {
		t.Fatalf("source without a key: %d decodes, want 26", got)
	}
	st := e.CacheStats()
	if st.Images != 12 || st.Hits != 4 {
		t.Errorf("cache stats %+v, want 12 images and 4 hits", st)
	}
}

// The cache holds no more than its byte bound, evicting the least recently
// used image first.
func TestImageCacheBound(t *testing.T) {
	c := newImageCache(10 * (1000 + cacheOverhead))
	key := func(i int) imageKey { return imageKey{src: "s", pos: int64(i)} }
	for i := 0; i < 10; i++ {
		c.put(key(i), make([]byte, 1000))
	}
	c.get(key(0)) // 0 is now the most recent; 1 the least
	c.put(key(10), make([]byte, 1000))
	if _, ok := c.get(key(1)); ok {
		t.Error("least recently used image 1 survived the eviction")
	}
	for _, i := range []int{0, 2, 9, 10} {
		if _, ok := c.get(key(i)); !ok {
			t.Errorf("image %d evicted", i)
		}
	}
	if c.bytes > c.max {
		t.Errorf("holds %d bytes, bound %d", c.bytes, c.max)
	}
	c.put(key(99), make([]byte, int(c.max))) // bigger than a quarter: not kept
	if _, ok := c.get(key(99)); ok || c.bytes > c.max {
		t.Errorf("an oversized image was cached (%d bytes held)", c.bytes)
	}
}

// Concurrent requests for the same pictures: those that find a picture
// being made wait for it; a request that gives up before making its
// pictures leaves them to the others; and requests whose pages interleave
// in opposite orders never wait on each other forever.
func TestImageCacheConcurrent(t *testing.T) {
	c := newFakeCodec()
	c.delay = 5 * time.Millisecond
	e := New(Options{Workers: 2, NewDecoder: c.newDecoder, NewEncoder: func() ImageEncoder { return fakeEncoder{} },
		ImageCacheBytes: 1 << 20})
	// A keyframe every 200 ms over 60 s: 300 pictures.
	src := keyedSource{newFakeSource(0, 60000, 200, 100, 0), "s"}
	req := func(fromMs, toMs int64) *Request {
		r := validRequest()
		r.StartTimestamp, r.EndTimestamp = at(fromMs), at(toMs)
		r.SamplingInterval, r.MaxResults = 200, 100
		return r
	}

	// One request that gives up early, then many overlapping ones in both
	// directions at once. Every picture each gets is right.
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(15 * time.Millisecond); cancel() }()
	if _, err := e.GetImages(ctx, src, req(0, 19800)); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled request: %v", err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			from := int64(i%4) * 5000
			resp, err := e.GetImages(context.Background(), src, req(from, from+19800))
			if err != nil {
				errs <- err
				return
			}
			for k, img := range resp.Images {
				if want := int(from/100) + 2*k; img.Error != "" || picOf(img) != want {
					errs <- fmt.Errorf("request from %d ms, image %d: %q %q, want picture %d", from, k, img.Error, img.ImageContent, want)
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("concurrent requests did not finish: requests wait on each other")
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// 16 requests of 100 pictures over 175 distinct ones: far fewer decodes
	// than 1600 (each request alone would decode its 100).
	total := 0
	for id := 0; id < 600; id += 2 {
		total += c.count(id)
	}
	if total > 400 {
		t.Errorf("%d decodes for 175 distinct pictures: the cache did not serve concurrent requests", total)
	}
	t.Logf("%d decodes; %+v", total, e.CacheStats())
}
