package store

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/stills/stills/media"
)

// Source returns stream as a media.Source. Scan uses the time index; ReadSample
// reads a frame from its fragment file. The Source stays usable while the
// store is open; a stream deleted meanwhile gives read errors.
func (d *Disk) Source(ctx context.Context, stream string) (media.Source, error) {
	s, err := d.Stream(ctx, stream, "")
	if err != nil {
		return nil, err
	}
	return &source{d: d, info: s}, nil
}

type source struct {
	d    *Disk
	info StreamInfo

	mu sync.Mutex
	// prefix holds, per fragment sequence number, the parameter sets to put
	// in front of its keyframes: set by Scan for fragments whose codec
	// private data differs from the Index's track (a resolution or profile
	// change mid-stream), so the decoder sees their own SPS/PPS in band.
	prefix map[uint64][]byte
}

// CacheKey implements stills.CacheKeyer: a stream's fragments never change
// once stored, and a re-created stream has a new ID, so the data directory
// and the stream's ID name every picture it will ever give.
func (s *source) CacheKey() string { return "store:" + s.d.dir + ":" + s.info.ID }

// scanSlack widens a Scan so that a fragment starting up to 1 s after the
// range still counts (SPEC §1: t_0 at most 1 s before a span is served by it).
const scanSlack = int64(time.Second)

// Scan indexes the fragments overlapping [from, to] on tl, plus one
// neighbour on each side so the engine sees where runs continue.
func (s *source) Scan(ctx context.Context, tl media.Timeline, from, to media.Time) (*media.Index, error) {
	var frags []Fragment
	err := s.d.db.View(func(tx *bolt.Tx) error {
		b, info, err := streamBucket(tx, s.info.Name)
		if err != nil {
			return err
		}
		if info.ID != s.info.ID {
			return fmt.Errorf("%w: %s (re-created)", ErrStreamNotFound, s.info.Name)
		}
		idx := b.Bucket(subProducer)
		if tl == media.ServerTime {
			idx = b.Bucket(subServer)
		}
		fb := b.Bucket(subFrags)
		look := info.MaxDuration + scanSlack
		lo := satSub(from, look)
		hi := satAdd(to, scanSlack)
		c := idx.Cursor()
		k, _ := c.Seek(timeKey(lo, 0))
		// One neighbour before.
		var pk []byte
		if k == nil {
			pk, _ = c.Last()
		} else {
			pk, _ = c.Prev()
			c.Seek(timeKey(lo, 0))
		}
		var seqs []uint64
		if pk != nil {
			_, sq := keyTime(pk)
			seqs = append(seqs, sq)
		}
		after := 0
		for ; k != nil; k, _ = c.Next() {
			t, sq := keyTime(k)
			if t > hi {
				if after >= 1 {
					break
				}
				after++
			}
			if len(seqs) >= MaxScanFragments {
				return fmt.Errorf("store: more than %d fragments in the scanned range of stream %s", MaxScanFragments, s.info.Name)
			}
			seqs = append(seqs, sq)
		}
		for _, sq := range seqs {
			v := fb.Get(seqKey(sq))
			if v == nil {
				return fmt.Errorf("%w: time index names missing fragment %d", ErrCorrupt, sq)
			}
			f, err := decodeFrag(v)
			if err != nil {
				return err
			}
			frags = append(frags, f)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	ix := &media.Index{Video: -1}
	if len(frags) == 0 {
		return ix, nil
	}
	tr := frags[0].Track
	ix.Tracks = []media.Track{tr}
	s.mu.Lock()
	for i := range frags {
		f := &frags[i]
		if _, done := s.prefix[f.Seq]; done || bytes.Equal(f.Track.CodecPrivate, tr.CodecPrivate) {
			continue
		}
		if s.prefix == nil {
			s.prefix = map[uint64][]byte{}
		}
		s.prefix[f.Seq] = media.FrameParameterSets(f.Track.Codec, f.Track.CodecPrivate, media.LengthPrefixed, tr.NALLengthSize)
	}
	s.mu.Unlock()
	ix.Video = 0
	n := 0
	for i := range frags {
		n += len(frags[i].Samples)
	}
	ix.Samples = make([]media.Sample, 0, n)
	for i := range frags {
		f := &frags[i]
		ix.Fragments = append(ix.Fragments, media.Fragment{
			Number: f.Number, Producer: f.Producer, Server: f.Server, Duration: f.Duration, Size: f.Size,
		})
		for _, e := range f.Samples {
			ix.Samples = append(ix.Samples, media.Sample{
				Producer: f.Producer + e.Delta,
				Server:   f.Server + e.Delta,
				Duration: e.Duration,
				Keyframe: e.Key,
				Fragment: int32(i),
				Pos:      int64(f.Seq)<<32 | int64(e.Offset),
				Size:     int32(e.Size),
			})
		}
	}
	return ix, nil
}

func satSub(a, b int64) int64 {
	if r := a - b; r <= a {
		return r
	}
	return -1 << 63
}

func satAdd(a, b int64) int64 {
	if r := a + b; r >= a {
		return r
	}
	return 1<<63 - 1
}

// ReadSample reads s's payload from its fragment file.
func (s *source) ReadSample(ctx context.Context, smp *media.Sample, dst []byte) ([]byte, error) {
	if smp.Size < 0 || smp.Size > MaxSampleBytes || smp.Pos < 0 {
		return dst[:0], fmt.Errorf("store: sample size %d / position %d out of range", smp.Size, smp.Pos)
	}
	seq := uint64(smp.Pos) >> 32
	off := smp.Pos & 0xFFFFFFFF
	f, err := os.Open(s.d.fragPath(s.info.ID, seq))
	if err != nil {
		return dst[:0], fmt.Errorf("store: open fragment file: %w", err)
	}
	defer f.Close()
	var pre []byte
	if smp.Keyframe {
		s.mu.Lock()
		pre = s.prefix[seq]
		s.mu.Unlock()
	}
	n := int(smp.Size)
	if cap(dst) < len(pre)+n {
		dst = make([]byte, len(pre)+n)
	}
	dst = append(dst[:0], pre...)
	dst = dst[:len(pre)+n]
	if _, err := f.ReadAt(dst[len(pre):], off); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return dst[:0], fmt.Errorf("store: read sample of fragment %d at %d: %w", NumberBase+seq, off, err)
	}
	return dst, nil
}

func (s *source) Close() error { return nil }
