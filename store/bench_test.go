package store

import (
	"context"
	"testing"
	"time"

	"github.com/stills/stills/media"
)

// BenchmarkScan: the index work of one GetImages page over the store — a
// 10 s window of a stream of 300 one-second fragments of 25 frames.
func BenchmarkScan(b *testing.B) {
	ctx := context.Background()
	d, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	if _, err := d.CreateStream(ctx, NewStream{Name: "s", RetentionHours: 1}); err != nil {
		b.Fatal(err)
	}
	t0 := AbsoluteThreshold
	if _, err := Ingest(ctx, d, "s", newFake(t0, 300*25, 25), IngestOptions{}, nil); err != nil {
		b.Fatal(err)
	}
	src, _ := d.Source(ctx, "s")
	from := t0 + int64(100*time.Second)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ix, err := src.Scan(ctx, media.ProducerTime, from, from+int64(10*time.Second))
		if err != nil || len(ix.Fragments) < 10 {
			b.Fatalf("%v, %d fragments", err, len(ix.Fragments))
		}
	}
}

// BenchmarkAppend: one durable fragment append (payload fsync, rename,
// directory fsync, bbolt commit) of 25 small frames.
func BenchmarkAppend(b *testing.B) {
	ctx := context.Background()
	d, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	if _, err := d.CreateStream(ctx, NewStream{Name: "s", RetentionHours: 1}); err != nil {
		b.Fatal(err)
	}
	src := newFake(AbsoluteThreshold, 25, 25)
	nf := &NewFragment{Track: src.ix.Tracks[0], Producer: AbsoluteThreshold}
	for i := range src.ix.Samples {
		s := src.ix.Samples[i]
		nf.Frames = append(nf.Frames, NewFrame{Time: s.Producer, Duration: s.Duration, Keyframe: s.Keyframe, Data: src.payload[i]})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := d.Append(ctx, "s", nf); err != nil {
			b.Fatal(err)
		}
	}
}
