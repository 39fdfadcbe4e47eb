package stills

import (
	"container/list"
	"sync"

	"github.com/stills/stills/media"
)

// CacheKeyer is implemented by a media.Source whose samples never change:
// two sources with the same key give the same bytes for the same
// Sample.Pos and Size. The engine's image cache (Options.ImageCacheBytes)
// serves only such sources; the store's streams are one (a fragment is
// immutable once acknowledged, and a re-created stream gets a new key).
type CacheKeyer interface {
	CacheKey() string
}

// imageKey names one encoded image: which picture, made how.
type imageKey struct {
	src  string
	pos  int64
	size int32
	eo   EncodeOptions
}

// imageCache is a least-recently-used cache of encoded images bounded in
// bytes. Images are immutable once made (every answer shares them), so a hit
// hands out the cached slice itself.
type imageCache struct {
	mu    sync.Mutex
	max   int64
	bytes int64
	lru   list.List // of *imageEntry, most recent first
	items map[imageKey]*list.Element
	// flying holds the pictures being made now, so that concurrent
	// requests for one picture decode it once (the first makes it, the
	// others wait for it).
	flying map[imageKey]*flight
	hits   uint64
	miss   uint64
}

// flight is one picture being made for the cache.
type flight struct {
	done    chan struct{}
	img     []byte
	err     error
	started bool // a worker is making it (under imageCache.mu)
}

type imageEntry struct {
	key imageKey
	img []byte
}

// cacheOverhead is the bookkeeping counted per entry beside the image bytes.
const cacheOverhead = 128

func newImageCache(max int64) *imageCache {
	if max <= 0 {
		return nil
	}
	return &imageCache{max: max, items: make(map[imageKey]*list.Element), flying: make(map[imageKey]*flight)}
}

// get looks k up (a hit or a miss, counted) without starting a flight.
func (c *imageCache) get(k imageKey) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	img, ok := c.lookupLocked(k)
	if !ok {
		c.miss++
	}
	return img, ok
}

// lookupLocked returns a cached image, making it the most recent and
// counting the hit. c.mu is held.
func (c *imageCache) lookupLocked(k imageKey) ([]byte, bool) {
	el, ok := c.items[k]
	if !ok {
		return nil, false
	}
	c.lru.MoveToFront(el)
	c.hits++
	return el.Value.(*imageEntry).img, true
}

// claim looks k up. A cached image is returned with hit set. Otherwise the
// caller leads a new flight (leader set: it makes the picture, or abandons
// it, and lands the flight), or follows the flight of another request (f
// set, leader not).
//
// Nobody waits for a flight that has not started: a follower that needs
// the picture before the leader's workers reach it takes the flight over
// (start). So requests never wait on each other's queues, and two requests
// each waiting for a picture the other has queued cannot deadlock.
func (c *imageCache) claim(k imageKey) (img []byte, hit bool, f *flight, leader bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if img, ok := c.lookupLocked(k); ok {
		return img, true, nil, false
	}
	if f := c.flying[k]; f != nil {
		c.hits++ // made once for both
		return nil, false, f, false
	}
	c.miss++
	f = &flight{done: make(chan struct{})}
	c.flying[k] = f
	return nil, false, f, true
}

// start claims the making of f; false when someone already makes it (then
// wait for f.done: it lands without waiting for anything but a worker slot).
func (c *imageCache) start(f *flight) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f.started {
		return false
	}
	f.started = true
	return true
}

// land ends the flight k with its result, caching a made image.
func (c *imageCache) land(k imageKey, f *flight, img []byte, err error) {
	if err == nil {
		c.put(k, img)
	}
	c.mu.Lock()
	delete(c.flying, k)
	c.mu.Unlock()
	f.img, f.err = img, err
	close(f.done)
}

func (c *imageCache) put(k imageKey, img []byte) {
	cost := int64(len(img)) + cacheOverhead
	if cost > c.max/4 {
		return // one image must not flush a quarter of the cache
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		c.lru.MoveToFront(el)
		return
	}
	c.items[k] = c.lru.PushFront(&imageEntry{key: k, img: img})
	c.bytes += cost
	for c.bytes > c.max {
		el := c.lru.Back()
		e := el.Value.(*imageEntry)
		c.lru.Remove(el)
		delete(c.items, e.key)
		c.bytes -= int64(len(e.img)) + cacheOverhead
	}
}

// CacheStats reports the image cache's hits, misses and bytes held (all zero
// without a cache).
type CacheStats struct {
	Hits, Misses uint64
	Bytes        int64
	Images       int
}

// CacheStats returns the image cache's counters.
func (e *Engine) CacheStats() CacheStats {
	c := e.cache
	if c == nil {
		return CacheStats{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Hits: c.hits, Misses: c.miss, Bytes: c.bytes, Images: len(c.items)}
}

// cacheKeyOf returns the cache key of sample s of src made as eo, and
// whether src can be cached at all.
func (e *Engine) cacheKeyOf(src media.Source, s *media.Sample, eo EncodeOptions) (imageKey, bool) {
	if e.cache == nil {
		return imageKey{}, false
	}
	ck, ok := src.(CacheKeyer)
	if !ok {
		return imageKey{}, false
	}
	name := ck.CacheKey()
	if name == "" {
		return imageKey{}, false
	}
	return imageKey{src: name, pos: s.Pos, size: s.Size, eo: eo}, true
}

// claimImage looks sample s of src made as eo up in the cache (see
// imageCache.claim); ok is false when the cache does not serve src.
func (e *Engine) claimImage(src media.Source, s *media.Sample, eo EncodeOptions) (k imageKey, img []byte, hit bool, f *flight, leader, ok bool) {
	k, ok = e.cacheKeyOf(src, s, eo)
	if !ok {
		return k, nil, false, nil, false, false
	}
	img, hit, f, leader = e.cache.claim(k)
	return k, img, hit, f, leader, true
}
