package sample

import (
	"math"
	"testing"

	"github.com/stills/stills/media"
)

const ms = int64(1e6)

// frag describes one fragment for the tests: its frames as
// (time ms, keyframe, duration ms) and the fragment's own duration.
type frag struct {
	start int64 // ms; for a fragment without frames, its start
	dur   int64 // ms, fragment duration (0 = unknown)
	fr    []fr
}

type fr struct {
	t   int64 // ms
	key bool
	dur int64 // ms, 0 = unknown
}

// every returns frames from a to b (ms, both included) step apart, with
// keyframes at the given times.
func every(a, b, step int64, keys ...int64) []fr {
	var out []fr
	for t := a; t <= b; t += step {
		k := false
		for _, kt := range keys {
			k = k || kt == t
		}
		out = append(out, fr{t: t, key: k})
	}
	return out
}

// index builds a media.Index whose producer times are the given ms values
// and whose server times are shifted by serverShift ms. It returns the
// sample index of each frame by its time in ms (times are unique in the
// tests).
func index(serverShift int64, fs ...frag) (*media.Index, map[int64]int) {
	ix := &media.Index{Video: 0, Tracks: []media.Track{{Video: true}}}
	byT := map[int64]int{}
	for i, f := range fs {
		st := f.start
		if len(f.fr) > 0 {
			st = f.fr[0].t
		}
		ix.Fragments = append(ix.Fragments, media.Fragment{
			Producer: st * ms, Server: (st + serverShift) * ms, Duration: f.dur * ms,
		})
		for _, x := range f.fr {
			byT[x.t] = len(ix.Samples)
			ix.Samples = append(ix.Samples, media.Sample{
				Producer: x.t * ms, Server: (x.t + serverShift) * ms,
				Duration: x.dur * ms, Keyframe: x.key, Fragment: int32(i),
			})
		}
	}
	return ix, byT
}

// want: the expected answer for t (ms): a keyframe time in ms, or a status.
type want struct {
	t      int64 // ms
	first  bool
	status Status
	key    int64 // ms of the keyframe that serves t, when status == Image
}

func img(t, key int64) want                      { return want{t: t, status: Image, key: key} }
func imgT0(t, key int64) want                    { return want{t: t, first: true, status: Image, key: key} }
func none(t int64) want                          { return want{t: t, status: NoMedia} }
func noneT0(t int64) want                        { return want{t: t, first: true, status: NoMedia} }
func mediaErr(t int64) want                      { return want{t: t, status: MediaError} }
func frames10fps(a, b int64, keys ...int64) []fr { return every(a, b, 100, keys...) }

func TestChoose(t *testing.T) {
	cases := []struct {
		name  string
		tl    media.Timeline
		shift int64 // server − producer, ms
		frags []frag
		want  []want
	}{
		{
			// SPEC: a fragment spans [first frame, first + duration], both
			// ends included; with no container durations the duration is
			// the distance to the next frame (the last frame: one period).
			name:  "one fragment, implicit durations",
			frags: []frag{{fr: frames10fps(10000, 11900, 10000, 11000)}},
			want: []want{
				img(10000, 10000),
				img(10500, 10000), // tie between 10000 and 11000 → earlier
				img(10501, 11000),
				img(11900, 11000),
				img(12000, 11000), // end of span (11900 + 100) included
				none(12001),
				none(9999), // before the span, not t_0
				none(5000),
			},
		},
		{
			// SPEC: t_0 at most 1 s before the start of a span is served by it.
			name:  "t0 grace",
			frags: []frag{{fr: frames10fps(10000, 11900, 10000, 11000)}},
			want: []want{
				imgT0(9500, 10000),
				imgT0(9000, 10000), // exactly 1 s before
				noneT0(8999),
				none(9500), // same time but not t_0
				imgT0(10600, 11000),
				noneT0(12001), // after the media: no grace
			},
		},
		{
			// SPEC: spans that touch form one run; the nearest keyframe of
			// the run serves t, whichever fragment holds it.
			name: "touching fragments form one run",
			frags: []frag{
				{fr: frames10fps(0, 1900, 0)},
				{fr: frames10fps(2000, 3900, 2000)},
			},
			want: []want{
				img(1000, 0), // tie → earlier
				img(1001, 2000),
				img(1950, 2000), // inside fragment 1, nearer fragment 2's keyframe
				img(4000, 2000),
				none(4001),
			},
		},
		{
			// SPEC: an image never comes from across a gap.
			name: "gap between fragments",
			frags: []frag{
				{fr: frames10fps(0, 1900, 0)},
				{fr: frames10fps(2500, 4400, 2500)},
			},
			want: []want{
				img(1900, 0), // 2500 is nearer but lies across the gap
				img(2000, 0), // end of the first span
				none(2001),
				none(2499),
				imgT0(2200, 2500), // t_0 grace reaches across to the next span
				img(2500, 2500),
				img(2600, 2500),
			},
		},
		{
			// SPEC: MEDIA_ERROR when t is covered but no image can be made,
			// e.g. the run holds no keyframe.
			name: "run without keyframe",
			frags: []frag{
				{fr: frames10fps(0, 1900)},
				{fr: frames10fps(5000, 6900, 5000)},
			},
			want: []want{
				mediaErr(0),
				mediaErr(1500),
				mediaErr(2000),
				none(2001),
				img(5000, 5000),
				noneT0(3000), // 2 s before the next span
				{t: -500, first: true, status: MediaError}, // grace into a run without keyframe
				none(-500),
			},
		},
		{
			// SPEC: only audio there → MEDIA_ERROR: a fragment with no video
			// sample still spans [start, start + duration].
			name: "fragment without video samples",
			frags: []frag{
				{start: 0, dur: 1500},
				{fr: frames10fps(2000, 3900, 2000)},
			},
			want: []want{
				mediaErr(0),
				mediaErr(1000),
				mediaErr(1500),
				none(1501),
				none(1999),
				img(3000, 2000),
				none(4001),
			},
		},
		{
			// The candidates are the keyframes of the run: an audio-only
			// fragment that touches a video fragment is part of its run.
			name: "audio-only fragment touching video",
			frags: []frag{
				{start: 0, dur: 2000},
				{fr: frames10fps(2000, 3900, 2000)},
			},
			want: []want{
				img(0, 2000),
				img(1999, 2000),
			},
		},
		{
			// SPEC: the duration is the container's where it has one (block
			// durations, default duration).
			name: "block durations",
			frags: []frag{
				{fr: []fr{{t: 0, key: true, dur: 3000}}},
				{fr: []fr{{t: 10000, key: true}}}, // alone, last: no duration
			},
			want: []want{
				img(0, 0),
				img(3000, 0),
				none(3001),
				img(10000, 10000),
				none(10001),
			},
		},
		{
			name: "fragment duration extends the span",
			frags: []frag{
				{dur: 5000, fr: []fr{{t: 0, key: true}, {t: 100}}},
				{fr: frames10fps(5000, 5900, 5000)},
			},
			want: []want{
				img(2400, 0),
				img(2600, 5000), // one run: 0..6000
				img(5000, 5000),
			},
		},
		{
			// SPEC: both timelines; server time is read from the samples'
			// server timestamps.
			name:  "server timeline",
			tl:    media.ServerTime,
			shift: 700,
			frags: []frag{{fr: frames10fps(10000, 11900, 10000, 11000)}},
			want: []want{
				none(10000 + 699 - 1000), // 9699: not t_0
				imgT0(9700, 10000),       // server span starts at 10700; grace 1 s
				noneT0(9699),
				img(11200, 10000), // 10700 + 500: tie → earlier
				img(11201, 11000),
				img(12700, 11000), // server end 12700
				none(12701),
			},
		},
		{
			name:  "producer timeline ignores server times",
			tl:    media.ProducerTime,
			shift: 700,
			frags: []frag{{fr: frames10fps(10000, 11900, 10000, 11000)}},
			want: []want{
				img(12000, 11000),
				none(12001),
				img(10500, 10000),
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ix, byT := index(c.shift, c.frags...)
			p := NewPlan(ix, c.tl)
			for _, w := range c.want {
				got := p.Choose(w.t*ms, w.first)
				if got.Status != w.status {
					t.Errorf("t=%dms first=%v: status %v, want %v (runs %v)", w.t, w.first, got.Status, w.status, p.Runs())
					continue
				}
				if w.status != Image {
					if got.Sample != -1 {
						t.Errorf("t=%dms: %v with sample %d, want -1", w.t, got.Status, got.Sample)
					}
					continue
				}
				if want := byT[w.key]; got.Sample != want {
					t.Errorf("t=%dms: sample %d (at %dms), want the keyframe at %dms (sample %d)",
						w.t, got.Sample, ix.Samples[got.Sample].Producer/ms, w.key, want)
				}
			}
		})
	}
}

// B-frames: samples in decode order are not in presentation order; the
// span starts at the earliest presentation time and keyframes are found by
// their presentation time.
func TestDecodeOrder(t *testing.T) {
	ix := &media.Index{Fragments: []media.Fragment{{}}}
	// decode order I0 P300 B100 B200 P600 B400 B500, 100 ms apart
	for _, x := range []struct {
		t   int64
		key bool
	}{{0, true}, {300, false}, {100, false}, {200, false}, {600, false}, {400, false}, {500, false}} {
		ix.Samples = append(ix.Samples, media.Sample{Producer: x.t * ms, Keyframe: x.key})
	}
	p := NewPlan(ix, media.ProducerTime)
	if r := p.Runs(); len(r) != 1 || r[0].Start != 0 || r[0].End != 700*ms {
		t.Fatalf("runs %v, want one run [0, 700ms]", r)
	}
	if c := p.Choose(650*ms, false); c.Status != Image || c.Sample != 0 {
		t.Errorf("Choose(650ms) = %+v, want the keyframe (sample 0)", c)
	}
}

// A fragment whose next fragment starts one frame period after its last
// frame touches it; one that starts later leaves a gap (the last frame
// lasts one period).
func TestImplicitLastFrame(t *testing.T) {
	ix, _ := index(0, frag{fr: frames10fps(0, 900, 0)}, frag{fr: frames10fps(1001, 1901, 1001)}, frag{fr: frames10fps(2500, 2900, 2500)})
	p := NewPlan(ix, media.ProducerTime)
	got := p.Runs()
	want := []Span{{0, 2001 * ms}, {2500 * ms, 3000 * ms}}
	if len(got) != len(want) {
		t.Fatalf("runs %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("run %d = %v, want %v", i, got[i], want[i])
		}
	}
}

// Matroska rounds timestamps to 1 ms while frames of 29.97 fps last
// 33.3667 ms: spans that end a fraction of a millisecond before the next
// fragment still touch (MaxRoundingGap); a hole of 3 ms is a gap.
func TestRoundingGap(t *testing.T) {
	const d = 33366667 // ns
	mk := func(nextStartMs int64) *media.Index {
		ix := &media.Index{Fragments: []media.Fragment{{}, {Producer: nextStartMs * ms}}}
		for i := int64(0); i < 10; i++ { // 0, 33, 67, …, 300 ms, rounded; the last ends at 333.37 ms
			ix.Samples = append(ix.Samples, media.Sample{Producer: (i*d + ms/2) / ms * ms, Duration: d, Keyframe: i == 0})
		}
		ix.Samples = append(ix.Samples, media.Sample{Producer: nextStartMs * ms, Duration: d, Keyframe: true, Fragment: 1})
		return ix
	}
	if r := NewPlan(mk(334), media.ProducerTime).Runs(); len(r) != 1 {
		t.Errorf("next fragment 0.63 ms after the span: runs %v, want one", r)
	}
	if r := NewPlan(mk(337), media.ProducerTime).Runs(); len(r) != 2 {
		t.Errorf("next fragment 3.63 ms after the span: runs %v, want two", r)
	}
}

func TestHostileIndex(t *testing.T) {
	// Samples naming fragments that do not exist are ignored; nil and empty
	// indexes give NO_MEDIA everywhere; extreme times do not panic.
	for _, ix := range []*media.Index{
		nil,
		{},
		{Samples: []media.Sample{{Keyframe: true, Fragment: 3}, {Keyframe: true, Fragment: -1}}},
		{Fragments: []media.Fragment{{Producer: math.MaxInt64, Duration: math.MaxInt64}},
			Samples: []media.Sample{{Producer: math.MinInt64, Keyframe: true}, {Producer: math.MaxInt64, Duration: -5}}},
	} {
		p := NewPlan(ix, media.ProducerTime)
		for _, tt := range []int64{math.MinInt64, -1, 0, 1, math.MaxInt64} {
			c := p.Choose(tt, true)
			if c.Status == Image && (ix == nil || c.Sample < 0 || c.Sample >= len(ix.Samples)) {
				t.Fatalf("Choose(%d) = %+v: sample out of range", tt, c)
			}
		}
	}
	if c := NewPlan(nil, media.ProducerTime).Choose(0, true); c.Status != NoMedia {
		t.Errorf("nil index: %v, want NO_MEDIA", c.Status)
	}
}

func TestCount(t *testing.T) {
	s := int64(1000) * ms
	for _, c := range []struct {
		start, end, interval int64
		want                 int64
	}{
		{s, s, 3000 * ms, 1},               // a range shorter than the interval: t_0 only
		{s, s + 2999*ms, 3000 * ms, 1},     // still shorter
		{s, s + 3000*ms, 3000 * ms, 2},     // t_1 = End is included
		{s, s + 300000*ms, 200 * ms, 1501}, // the longest request at the smallest interval
		{s, s - 1, 3000 * ms, 0},           // End < Start
		{s, s + 1000, 0, 0},
		{math.MinInt64, math.MaxInt64, math.MaxInt64, 3},
	} {
		if got := Count(c.start, c.end, c.interval); got != c.want {
			t.Errorf("Count(%d, %d, %d) = %d, want %d", c.start, c.end, c.interval, got, c.want)
		}
	}
}
