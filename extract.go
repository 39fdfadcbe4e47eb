package stills

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/stills/stills/media"
	"github.com/stills/stills/sample"
)

// ExtractChunk is how many sampling timestamps Extract answers per Scan of
// the source: memory stays bounded whatever the length of the range.
const ExtractChunk = 256

// MaxExtractPixels bounds the width and height Extract accepts.
const MaxExtractPixels = 8192

// ExtractRequest is an offline extraction: GetImages without the 300 s
// range, the 100-result page and the minimum interval.
type ExtractRequest struct {
	Timeline media.Timeline
	// From and To bound the sampling timestamps t_k = From + k×Interval ≤ To
	// (ns on the timeline; see MediaRange for the media's own bounds).
	From, To media.Time
	Interval time.Duration // > 0
	Format   string        // JPEG (default when empty) or PNG
	Quality  int           // JPEG quality 1-100; 0 means 80
	// Width and Height as in GetImages: both → exactly W×H, one → the other
	// keeps the aspect ratio, neither → the source's displayed size.
	Width, Height int
	// Progress, when set, is called after each timestamp is answered with
	// the number answered so far and the total.
	Progress func(done, total int64)
}

// Extract answers every sampling timestamp of r in order, calling fn with
// each image (ImageContent set, or Error NO_MEDIA / MEDIA_ERROR with a
// Detail). An error from fn stops the extraction and is returned. The
// images' content is not reused by the engine: fn may keep it.
func (e *Engine) Extract(ctx context.Context, src media.Source, r ExtractRequest, fn func(Image) error) error {
	if r.Interval <= 0 {
		return fmt.Errorf("stills: the sampling interval must be positive, not %s", r.Interval)
	}
	if r.To < r.From {
		return fmt.Errorf("stills: the end (%s) is before the start (%s)", fmtTime(r.To), fmtTime(r.From))
	}
	if uint64(r.To)-uint64(r.From) > math.MaxInt64 {
		return fmt.Errorf("stills: the range from %s to %s is longer than 292 years", fmtTime(r.From), fmtTime(r.To))
	}
	switch r.Format {
	case "":
		r.Format = JPEG
	case JPEG, PNG:
	default:
		return fmt.Errorf("stills: format %q must be JPEG or PNG", r.Format)
	}
	if r.Quality == 0 {
		r.Quality = DefaultJPEGQuality
	}
	if r.Quality < 1 || r.Quality > 100 {
		return fmt.Errorf("stills: JPEG quality %d must be from 1 to 100", r.Quality)
	}
	if r.Width < 0 || r.Width > MaxExtractPixels || r.Height < 0 || r.Height > MaxExtractPixels {
		return fmt.Errorf("stills: image size %dx%d: width and height must be from 1 to %d", r.Width, r.Height, MaxExtractPixels)
	}
	if src == nil {
		return errors.New("stills: Extract called with a nil media.Source")
	}
	iv := int64(r.Interval)
	total := sample.Count(r.From, r.To, iv)
	eo := EncodeOptions{Format: r.Format, Quality: r.Quality, Width: r.Width, Height: r.Height}

	// Where the media lies in the range: chunks that fall wholly outside
	// it are answered NO_MEDIA without scanning (a file whose clock jumps
	// by years would otherwise cost one Scan per chunk of the jump).
	var runs []sample.Span
	covered := func(a, b media.Time) bool { return true }
	cov, err := src.Scan(ctx, r.Timeline, addSat(r.From, -sample.Grace), addSat(r.To, scanMargin))
	switch {
	case err == nil && cov != nil:
		runs = sample.NewPlan(cov, r.Timeline).Runs()
		covered = func(a, b media.Time) bool {
			i := sort.Search(len(runs), func(i int) bool { return runs[i].End >= a })
			return i < len(runs) && runs[i].Start <= b
		}
	case err != nil && !errors.Is(err, media.ErrNoVideo):
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("stills: reading the media between %s and %s: %w", fmtTime(r.From), fmtTime(r.To), err)
	}
	cov = nil

	var prev lastPicture
	var done int64
	emit := func(img Image) error {
		if err := fn(img); err != nil {
			return err
		}
		done++
		if r.Progress != nil {
			r.Progress(done, total)
		}
		return nil
	}
	times := make([]media.Time, 0, ExtractChunk)
	for k0 := int64(0); k0 < total; k0 += ExtractChunk {
		if err := ctx.Err(); err != nil {
			return err
		}
		times = times[:0]
		for k := k0; k < total && k < k0+ExtractChunk; k++ {
			times = append(times, sample.At(r.From, iv, k))
		}
		if !covered(addSat(times[0], -sample.Grace), addSat(times[len(times)-1], sample.Grace)) {
			for _, t := range times {
				if err := emit(Image{TimeStamp: time.Unix(0, t).UTC(), Error: NoMedia}); err != nil {
					return err
				}
			}
			continue
		}
		if err := e.page(ctx, src, r.Timeline, times, k0 == 0, eo, &prev, emit); err != nil {
			return err
		}
	}
	return nil
}

// MediaRange returns where the media of src lies on timeline tl: the start
// of its first span and the end of its last (sample.Plan), scanning the
// whole source. ok is false when it holds no media.
func MediaRange(ctx context.Context, src media.Source, tl media.Timeline) (first, last media.Time, ok bool, err error) {
	ix, err := src.Scan(ctx, tl, math.MinInt64, math.MaxInt64)
	if err != nil {
		return 0, 0, false, err
	}
	runs := sample.NewPlan(ix, tl).Runs()
	if len(runs) == 0 {
		return 0, 0, false, nil
	}
	return runs[0].Start, runs[len(runs)-1].End, true, nil
}
