package sample

import (
	"sort"

	"github.com/stills/stills/media"
)

// Grace is how far before the start of a span the first sampling timestamp
// t_0 (the request's StartTimestamp) may lie and still be served by that
// span (SPEC §1): clients that send whole seconds, as botocore does, would
// otherwise lose their first image.
const Grace int64 = 1e9 // ns

// MaxImplicitFrameDuration bounds the duration given to a frame whose
// container gives none, taken as the distance to the next frame, when that
// frame is alone in its fragment. A longer distance is a hole in the
// recording, and the frame then gets no duration.
const MaxImplicitFrameDuration int64 = 1e9 // ns

// MaxRoundingGap is the largest hole between two spans that still counts as
// touching. Containers store timestamps in ticks (Matroska: 1 ms by
// default), so a span computed from rounded frame times and exact frame
// durations (29.97 fps: 33.3667 ms) can end a fraction of a tick before the
// next fragment's rounded first frame although the recording is continuous.
const MaxRoundingGap int64 = 2e6 // ns

// implicitSlack is added to twice the frame period when deciding whether the
// last frame of a fragment reaches the next fragment: container timestamps
// are rounded (Matroska usually to 1 ms), so the distance between two
// fragments may exceed the in-fragment period by a rounding step.
const implicitSlack int64 = 2e6 // ns

// Status says how a sampling timestamp is served.
type Status uint8

const (
	// Image: Choice.Sample is the keyframe that serves the timestamp.
	Image Status = iota
	// NoMedia: the timestamp lies in no span (SPEC §1 NO_MEDIA).
	NoMedia
	// MediaError: the timestamp is covered by media but the run covering it
	// holds no keyframe (only audio, or a stretch with no random-access
	// picture), so no image can be made (SPEC §1 MEDIA_ERROR).
	MediaError
)

func (s Status) String() string {
	switch s {
	case Image:
		return "image"
	case NoMedia:
		return "NO_MEDIA"
	case MediaError:
		return "MEDIA_ERROR"
	}
	return "unknown"
}

// Choice is the answer for one sampling timestamp.
type Choice struct {
	Status Status
	// Sample is an index into the Index's Samples when Status is Image,
	// else -1.
	Sample int
}

// Span is a stretch of media on the plan's timeline, both ends included.
type Span struct {
	Start, End media.Time
}

type keyframe struct {
	t   media.Time
	idx int // into Index.Samples
}

type run struct {
	Span
	keys []keyframe // sorted by t, then by idx
}

// Plan holds the runs of one media.Index on one timeline. It does not keep a
// reference to the Index's samples beyond their indices.
type Plan struct {
	runs  []run
	spans []Span
}

// Count returns the number of sampling timestamps t_k = start + k×interval,
// k = 0, 1, …, with t_k ≤ end (SPEC §1): 0 when end < start or interval ≤ 0,
// else at least 1 (a range shorter than the interval yields t_0 = start).
func Count(start, end media.Time, interval int64) int64 {
	if end < start || interval <= 0 {
		return 0
	}
	// uint64 difference: end−start does not overflow for any int64 pair
	// with end ≥ start.
	d := uint64(end) - uint64(start)
	return int64(d/uint64(interval)) + 1
}

// At returns t_k = start + k×interval.
func At(start media.Time, interval, k int64) media.Time {
	return start + k*interval
}

// timeOf returns s's time on timeline tl.
func timeOf(s *media.Sample, tl media.Timeline) media.Time {
	if tl == media.ServerTime {
		return s.Server
	}
	return s.Producer
}

func fragTime(f *media.Fragment, tl media.Timeline) media.Time {
	if tl == media.ServerTime {
		return f.Server
	}
	return f.Producer
}

type frame struct {
	t    media.Time
	dur  int64
	frag int32
	key  bool
	idx  int
}

// NewPlan builds the spans and runs of ix on timeline tl (SPEC §1). Samples
// that name a fragment outside ix.Fragments are ignored. A fragment with no
// video sample spans [its start, its start + its duration]: the media there
// is covered (audio only, say) but offers no keyframe.
func NewPlan(ix *media.Index, tl media.Timeline) *Plan {
	p := &Plan{}
	if ix == nil {
		return p
	}
	nf := len(ix.Fragments)
	frames := make([]frame, 0, len(ix.Samples))
	for i := range ix.Samples {
		s := &ix.Samples[i]
		if s.Fragment < 0 || int(s.Fragment) >= nf {
			continue
		}
		d := s.Duration
		if d < 0 {
			d = 0
		}
		frames = append(frames, frame{t: timeOf(s, tl), dur: d, frag: s.Fragment, key: s.Keyframe, idx: i})
	}
	// Presentation order on the timeline; the fragment breaks ties so that
	// each fragment's frames stay together, then decode order.
	sort.Slice(frames, func(a, b int) bool {
		fa, fb := &frames[a], &frames[b]
		if fa.t != fb.t {
			return fa.t < fb.t
		}
		if fa.frag != fb.frag {
			return fa.frag < fb.frag
		}
		return fa.idx < fb.idx
	})

	// Per fragment: first and last frame time, frame count, and the end of
	// the span as far as known durations say.
	type acc struct {
		n           int
		first, last media.Time
		end         media.Time
	}
	accs := make([]acc, nf)
	for i := range frames {
		f := &frames[i]
		a := &accs[f.frag]
		if a.n == 0 {
			a.first, a.end = f.t, f.t
		}
		a.n++
		a.last = f.t
		if f.dur > 0 && f.t+f.dur > a.end {
			a.end = f.t + f.dur
		}
	}
	// Frames without a container duration last until the next frame. Inside
	// a fragment that is always right; the last frame of a fragment reaches
	// the next fragment's first frame only when that is about one frame
	// period away (else the distance is a hole, and the frame gets one
	// period).
	for i := range frames {
		f := &frames[i]
		if f.dur > 0 {
			continue
		}
		a := &accs[f.frag]
		var end media.Time
		next := -1
		if i+1 < len(frames) {
			next = i + 1
		}
		switch {
		case next >= 0 && frames[next].frag == f.frag:
			end = frames[next].t
		case a.n >= 2:
			period := (a.last - a.first) / int64(a.n-1)
			end = f.t + period
			if next >= 0 {
				if d := frames[next].t - f.t; d >= 0 && d <= 2*period+implicitSlack {
					end = frames[next].t
				}
			}
		default: // alone in its fragment
			end = f.t
			if next >= 0 {
				if d := frames[next].t - f.t; d >= 0 && d <= MaxImplicitFrameDuration {
					end = frames[next].t
				}
			}
		}
		if end > a.end {
			a.end = end
		}
	}

	spans := make([]Span, 0, nf)
	for i := range accs {
		fr := &ix.Fragments[i]
		a := &accs[i]
		var sp Span
		if a.n == 0 {
			st := fragTime(fr, tl)
			sp = Span{st, st}
		} else {
			sp = Span{a.first, a.end}
		}
		if fr.Duration > 0 {
			// The container's fragment duration counts from the fragment's
			// start (for a video fragment, normally its first frame).
			st := fragTime(fr, tl)
			if a.n > 0 && a.first < st {
				st = a.first
			}
			if e := st + fr.Duration; e > sp.End {
				sp.End = e
			}
		}
		spans = append(spans, sp)
	}
	p.spans = spans

	// Merge spans that touch or overlap into runs.
	order := make([]int, len(spans))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return spans[order[a]].Start < spans[order[b]].Start })
	runOf := make([]int, nf)
	for _, fi := range order {
		sp := spans[fi]
		if n := len(p.runs); n > 0 && sp.Start <= p.runs[n-1].End+MaxRoundingGap {
			if sp.End > p.runs[n-1].End {
				p.runs[n-1].End = sp.End
			}
			runOf[fi] = n - 1
			continue
		}
		p.runs = append(p.runs, run{Span: sp})
		runOf[fi] = len(p.runs) - 1
	}
	// Keyframes of each run, in time order (frames are sorted by time).
	for i := range frames {
		f := &frames[i]
		if !f.key {
			continue
		}
		r := &p.runs[runOf[f.frag]]
		r.keys = append(r.keys, keyframe{t: f.t, idx: f.idx})
	}
	return p
}

// Runs returns the continuous stretches of media, in time order.
func (p *Plan) Runs() []Span {
	out := make([]Span, len(p.runs))
	for i := range p.runs {
		out[i] = p.runs[i].Span
	}
	return out
}

// Spans returns the span of each fragment, indexed like Index.Fragments.
func (p *Plan) Spans() []Span { return p.spans }

// Choose returns how timestamp t is served (SPEC §1). first says that t is
// t_0, the request's StartTimestamp, which may lie up to Grace before a
// span.
func (p *Plan) Choose(t media.Time, first bool) Choice {
	// The first run that ends at or after t.
	i := sort.Search(len(p.runs), func(i int) bool { return p.runs[i].End >= t })
	if i == len(p.runs) {
		return Choice{Status: NoMedia, Sample: -1}
	}
	r := &p.runs[i]
	if t < r.Start {
		// t lies in a gap (or before all media); runs are disjoint and
		// sorted, so r is the next run after t.
		if !first || r.Start-t > Grace {
			return Choice{Status: NoMedia, Sample: -1}
		}
	}
	if len(r.keys) == 0 {
		return Choice{Status: MediaError, Sample: -1}
	}
	// Nearest keyframe; tie → the earlier.
	k := sort.Search(len(r.keys), func(j int) bool { return r.keys[j].t >= t })
	switch {
	case k == 0:
		return Choice{Status: Image, Sample: r.keys[0].idx}
	case k == len(r.keys):
		return Choice{Status: Image, Sample: r.keys[k-1].idx}
	}
	before, after := r.keys[k-1], r.keys[k]
	if t-before.t <= after.t-t {
		return Choice{Status: Image, Sample: before.idx}
	}
	return Choice{Status: Image, Sample: after.idx}
}
