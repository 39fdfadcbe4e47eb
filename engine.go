package stills

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stills/stills/decode"
	"github.com/stills/stills/decode/all"
	"github.com/stills/stills/media"
	"github.com/stills/stills/sample"
)

// MaxParamSetSearch bounds how many earlier samples the engine reads to find
// the parameter sets (SPS/PPS, VPS) of a keyframe that does not carry them
// (raw Annex B streams usually send them once, at the start).
const MaxParamSetSearch = 16

// scanMargin is how much media after the last timestamp of a page the
// engine asks the Source for, so that the span of the last fragment can see
// the next fragment's first frame (sample.NewPlan).
const scanMargin = 2 * int64(time.Second)

// bigBuffer is the capacity above which a worker drops its sample buffer
// after use instead of keeping it for the next picture.
const bigBuffer = 16 << 20

// EncodeOptions says how a picture becomes an image: the fields of
// encode.Options in the engine's terms.
type EncodeOptions struct {
	Format        string // JPEG or PNG
	Quality       int    // JPEG quality 1-100
	Width, Height int    // requested size; 0 = derived (SPEC §1 WidthPixels/HeightPixels)
}

// ImageEncoder scales and encodes decoded pictures. It need not be safe for
// concurrent use: the engine gives each worker its own.
type ImageEncoder interface {
	// Encode scales f as o says and encodes it, appending to dst[:0].
	Encode(dst []byte, f *decode.Frame, o EncodeOptions) ([]byte, error)
}

// Options configures an Engine. The zero value is usable.
type Options struct {
	// Workers is the number of pictures decoded and encoded at once, across
	// all requests of the engine; 0 means runtime.GOMAXPROCS(0).
	Workers int
	// MinSamplingInterval is the smallest SamplingInterval GetImages
	// accepts; 0 means DefaultMinSamplingInterval (200 ms).
	MinSamplingInterval time.Duration
	// Tokens seals and opens NextTokens; nil means Base64Tokens.
	Tokens TokenCodec
	// NewDecoder returns a decoder for a codec; nil means all.NewDecoder.
	NewDecoder func(decode.Codec) (decode.Decoder, error)
	// NewEncoder returns an image encoder for one worker; nil means the
	// project's encoder (package encode).
	NewEncoder func() ImageEncoder
	// ImageCacheBytes bounds a cache of encoded images shared by all
	// requests, for sources that implement CacheKeyer (the store's streams):
	// a picture asked for again at the same size, format and quality is not
	// decoded again. 0 means no cache.
	ImageCacheBytes int64
}

// Engine answers GetImages requests and offline extractions. It is safe for
// concurrent use; workers' decoders, encoders and buffers are reused across
// requests.
type Engine struct {
	workers     int
	minInterval time.Duration
	tokens      TokenCodec
	newDecoder  func(decode.Codec) (decode.Decoder, error)
	newEncoder  func() ImageEncoder
	slots       chan struct{} // one per picture being decoded/encoded
	pool        sync.Pool     // *worker
	gen         atomic.Uint64
	held        atomic.Int64 // workers in use
	heldPeak    atomic.Int64 // most workers in use at once (tests)
	cache       *imageCache  // nil without Options.ImageCacheBytes
}

// New returns an engine.
func New(o Options) *Engine {
	e := &Engine{
		workers:     o.Workers,
		minInterval: o.MinSamplingInterval,
		tokens:      o.Tokens,
		newDecoder:  o.NewDecoder,
		newEncoder:  o.NewEncoder,
		cache:       newImageCache(o.ImageCacheBytes),
	}
	if e.workers <= 0 {
		e.workers = runtime.GOMAXPROCS(0)
	}
	if e.minInterval <= 0 {
		e.minInterval = DefaultMinSamplingInterval
	}
	if e.tokens == nil {
		e.tokens = Base64Tokens{}
	}
	if e.newDecoder == nil {
		e.newDecoder = all.NewDecoder
	}
	if e.newEncoder == nil {
		e.newEncoder = defaultEncoder
	}
	e.slots = make(chan struct{}, e.workers)
	return e
}

// GetImages answers one page of a GetImages request (SPEC §1) over src,
// which the caller resolved from the request's stream. A request that
// breaks a rule gives an *Error named InvalidArgumentException; a source
// that cannot be read gives its error wrapped; one image that cannot be made
// is a MEDIA_ERROR entry and never fails the request.
func (e *Engine) GetImages(ctx context.Context, src media.Source, req *Request) (*Response, error) {
	if req == nil {
		return nil, invalid("empty request")
	}
	p, err := e.validate(req)
	if err != nil {
		return nil, err
	}
	n := sample.Count(p.start, p.end, p.interval)
	var k0 int64
	if req.NextToken != "" {
		if k0, err = e.openToken(p, req.NextToken, n); err != nil {
			return nil, invalid("NextToken was not issued for this request: %v", err)
		}
	}
	k1 := min(k0+int64(p.max), n)
	times := make([]media.Time, 0, k1-k0)
	for k := k0; k < k1; k++ {
		times = append(times, sample.At(p.start, p.interval, k))
	}
	if src == nil {
		return nil, errors.New("stills: GetImages called with a nil media.Source")
	}
	resp := &Response{Images: make([]Image, 0, len(times))}
	eo := EncodeOptions{Format: p.format, Quality: p.quality, Width: p.width, Height: p.height}
	err = e.page(ctx, src, p.tl, times, k0 == 0, eo, nil, func(img Image) error {
		resp.Images = append(resp.Images, img)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if k1 < n {
		if resp.NextToken, err = e.makeToken(p, k1); err != nil {
			return nil, fmt.Errorf("stills: sealing NextToken: %w", err)
		}
	}
	return resp, nil
}

// page scans the media around times and renders them in order.
func (e *Engine) page(ctx context.Context, src media.Source, tl media.Timeline, times []media.Time, t0 bool, eo EncodeOptions, prev *lastPicture, emit func(Image) error) error {
	if len(times) == 0 {
		return nil
	}
	from, to := times[0], times[len(times)-1]
	if t0 {
		from = addSat(from, -sample.Grace)
	}
	to = addSat(to, scanMargin)
	ix, err := src.Scan(ctx, tl, from, to)
	if errors.Is(err, media.ErrNoVideo) {
		// Media with no video track: whatever is there, no image can be
		// made from it (SPEC §1 "only audio there").
		for _, t := range times {
			if err := emit(Image{TimeStamp: time.Unix(0, t).UTC(), Error: MediaError, Detail: "the media has no video track"}); err != nil {
				return err
			}
		}
		return nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("stills: reading the media between %s and %s: %w", fmtTime(from), fmtTime(to), err)
	}
	if ix == nil {
		ix = &media.Index{Video: -1}
	}
	return e.render(ctx, src, ix, tl, times, t0, eo, prev, emit)
}

// addSat returns t+d, saturated at the ends of the int64 range.
func addSat(t media.Time, d int64) media.Time {
	switch {
	case d > 0 && t > math.MaxInt64-d:
		return math.MaxInt64
	case d < 0 && t < math.MinInt64-d:
		return math.MinInt64
	}
	return t + d
}

// job is one keyframe to decode and encode, shared by every timestamp it
// serves.
type job struct {
	si       int // index into Index.Samples
	done     chan struct{}
	out      []byte
	err      error
	lastUse  int  // index of the last timestamp it serves
	windowed bool // holds a slot of the render's window until first used
	released bool
	flight   *flight  // the cache flight this job leads, until a worker takes it
	follow   *flight  // the cache flight of another request this job follows
	key      imageKey // the cache key of flight or follow
}

// followFlight waits for a started flight's picture; if its request gave up
// on it, the picture is made here.
func (e *Engine) followFlight(ctx context.Context, f *flight, src media.Source, ix *media.Index, tr *media.Track, si int, eo EncodeOptions, gen uint64) ([]byte, error) {
	select {
	case <-f.done:
	case <-ctx.Done():
		return nil, errAbandonedOr(ctx)
	}
	if errors.Is(f.err, errAbandoned) {
		return e.makeImage(ctx, src, ix, tr, si, eo, gen)
	}
	return f.img, f.err
}

// errAbandoned ends a flight whose leading request stopped before making
// the picture: its followers make it themselves.
var errAbandoned = errors.New("stills: picture abandoned by the request making it")

// makeImage decodes sample si and encodes it as eo says, holding one of the
// engine's worker slots meanwhile.
func (e *Engine) makeImage(ctx context.Context, src media.Source, ix *media.Index, tr *media.Track, si int, eo EncodeOptions, gen uint64) ([]byte, error) {
	if ctx.Err() != nil {
		return nil, errAbandonedOr(ctx)
	}
	select {
	case e.slots <- struct{}{}:
		// A worker (decoder, encoder, buffers) is held only while a slot
		// is: at most Workers of them are in use, however many requests
		// wait.
		w := e.getWorker()
		out, err := w.picture(ctx, src, ix, tr, si, eo, gen)
		e.putWorker(w)
		<-e.slots
		if err != nil && ctx.Err() != nil {
			return nil, errAbandonedOr(ctx)
		}
		return out, err
	case <-ctx.Done():
		return nil, errAbandonedOr(ctx)
	}
}

// errAbandonedOr is ctx's error, marked as abandoned for cache followers.
func errAbandonedOr(ctx context.Context) error {
	return fmt.Errorf("%w: %w", errAbandoned, ctx.Err())
}

// lastPicture carries the last picture of one render to the next (Extract
// renders chunk by chunk; a keyframe that serves timestamps of two chunks is
// still decoded once).
type lastPicture struct {
	ok   bool
	pos  int64
	size int32
	out  []byte
	err  error
}

// trackProblem returns why no image can be made from the index's video
// track, or "" when pictures may be decoded.
func trackProblem(ix *media.Index) (string, *media.Track) {
	if ix.Video < 0 || ix.Video >= len(ix.Tracks) {
		return "the media has no video track", nil
	}
	tr := &ix.Tracks[ix.Video]
	switch {
	case tr.Codec != decode.H264 && tr.Codec != decode.H265:
		return fmt.Sprintf("video codec %q is not H.264 or H.265", tr.CodecID), tr
	case tr.NALFormat == media.LengthPrefixed && len(tr.CodecPrivate) == 0:
		return "the video track has no codec private data (avcC/hvcC)", tr
	case tr.NALFormat == media.LengthPrefixed && tr.NALLengthSize != 1 && tr.NALLengthSize != 2 && tr.NALLengthSize != 4:
		return fmt.Sprintf("invalid NAL length size %d in the codec private data", tr.NALLengthSize), tr
	}
	return "", tr
}

// render answers times (in order) from ix: each keyframe is decoded and
// encoded once by the worker pool, and the images are emitted in order. At
// most a window of pictures ahead of the one being emitted is in flight, so
// memory is bounded by the pool, not by the number of timestamps.
func (e *Engine) render(ctx context.Context, src media.Source, ix *media.Index, tl media.Timeline, times []media.Time, t0 bool, eo EncodeOptions, prev *lastPicture, emit func(Image) error) error {
	plan := sample.NewPlan(ix, tl)
	choices := make([]sample.Choice, len(times))
	for i, t := range times {
		choices[i] = plan.Choose(t, t0 && i == 0)
	}
	problem, tr := trackProblem(ix)

	jobOf := make([]*job, len(times))
	var pending []*job
	if problem == "" {
		bySample := make(map[int]*job)
		for i, c := range choices {
			if c.Status != sample.Image {
				continue
			}
			j := bySample[c.Sample]
			if j == nil {
				j = &job{si: c.Sample, done: make(chan struct{})}
				s := &ix.Samples[c.Sample]
				if prev != nil && prev.ok && prev.pos == s.Pos && prev.size == s.Size {
					j.out, j.err = prev.out, prev.err
					close(j.done)
				} else if k, img, hit, f, leader, ok := e.claimImage(src, s, eo); ok && !leader {
					if hit {
						j.out = img
						close(j.done)
					} else {
						j.follow, j.key = f, k // resolved when first emitted
					}
				} else {
					if ok {
						j.flight, j.key = f, k
					}
					j.windowed = true
					pending = append(pending, j)
				}
				bySample[c.Sample] = j
			}
			j.lastUse = i
			jobOf[i] = j
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
		// Flights this render leads but never started: let their
		// followers make the pictures themselves.
		for _, j := range pending {
			if f := j.flight; f != nil && e.cache.start(f) {
				e.cache.land(j.key, f, nil, errAbandoned)
			}
		}
	}()
	gen := e.gen.Add(1)
	var window chan struct{}
	if len(pending) > 0 {
		n := min(e.workers, len(pending))
		window = make(chan struct{}, 2*n)
		jobs := make(chan *job)
		wg.Add(n + 1)
		go func() { // feeder: in order of first use, at most the window ahead
			defer wg.Done()
			defer close(jobs)
			for _, j := range pending {
				select {
				case window <- struct{}{}:
				case <-ctx.Done():
					return
				}
				select {
				case jobs <- j:
				case <-ctx.Done():
					return
				}
			}
		}()
		for range n {
			go func() {
				defer wg.Done()
				for j := range jobs {
					if f := j.flight; f != nil {
						j.flight = nil
						if !e.cache.start(f) {
							// Another request took it over: its result.
							j.out, j.err = e.followFlight(ctx, f, src, ix, tr, j.si, eo, gen)
							close(j.done)
							continue
						}
						j.out, j.err = e.makeImage(ctx, src, ix, tr, j.si, eo, gen)
						e.cache.land(j.key, f, j.out, j.err)
						close(j.done)
						continue
					}
					j.out, j.err = e.makeImage(ctx, src, ix, tr, j.si, eo, gen)
					close(j.done)
				}
			}()
		}
	}

	var last lastPicture
	for i, t := range times {
		img := Image{TimeStamp: time.Unix(0, t).UTC()}
		switch c := choices[i]; {
		case c.Status == sample.NoMedia:
			img.Error = NoMedia
		case c.Status == sample.MediaError:
			img.Error = MediaError
			img.Detail = "no keyframe in the media around this time"
			if problem != "" {
				img.Detail = problem // e.g. no video track at all: say so
			}
		case problem != "":
			img.Error = MediaError
			img.Detail = problem
		default:
			j := jobOf[i]
			if f := j.follow; f != nil {
				// A picture another request leads: take it over when
				// nobody makes it yet, else wait for it.
				j.follow = nil
				if e.cache.start(f) {
					j.out, j.err = e.makeImage(ctx, src, ix, tr, j.si, eo, gen)
					e.cache.land(j.key, f, j.out, j.err)
				} else {
					j.out, j.err = e.followFlight(ctx, f, src, ix, tr, j.si, eo, gen)
				}
				close(j.done)
			}
			select {
			case <-j.done:
			case <-ctx.Done():
				return ctx.Err()
			}
			if j.windowed && !j.released {
				j.released = true
				<-window
			}
			if j.err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				img.Error = MediaError
				img.Detail = j.err.Error()
			} else {
				img.ImageContent = j.out
			}
			if i == j.lastUse {
				s := &ix.Samples[j.si]
				last = lastPicture{ok: true, pos: s.Pos, size: s.Size, out: j.out, err: j.err}
				j.out = nil // the emitted images keep it alive as long as they need
			}
		}
		if err := emit(img); err != nil {
			return err
		}
	}
	if prev != nil && last.ok {
		*prev = last
	}
	return nil
}
