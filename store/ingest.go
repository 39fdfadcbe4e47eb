package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/stills/stills/decode"
	"github.com/stills/stills/media"
)

// AbsoluteThreshold: producer times at or after this instant (2001-09-09,
// 1e9 s after the epoch) are taken as absolute wall-clock times; earlier ones
// are relative to the start of the file and are placed at IngestOptions.Start.
const AbsoluteThreshold = int64(1_000_000_000) * int64(time.Second)

// IngestOptions control Ingest.
type IngestOptions struct {
	// Start is where relative producer timestamps are placed (zero: now).
	Start time.Time
	// Now is the clock for server timestamps (nil: time.Now).
	Now func() time.Time
	// Throttle, when > 0, sleeps between fragments (tests of crash safety).
	Throttle time.Duration
}

// Ingest imports the video of src into stream as fragments, one per
// keyframe-started group of pictures (split further so that none exceeds
// MaxFragmentDuration, MaxSamplesPerFragment or half of MaxFragmentBytes). ack is called after each fragment is durably stored.
// Annex B payloads are rewritten as 4-byte length-prefixed NAL units with an
// avcC/hvcC record built from the stream's parameter sets, as Matroska's
// V_MPEG4/ISO/AVC and V_MPEGH/ISO/HEVC codec IDs require.
func Ingest(ctx context.Context, st Store, stream string, src media.Source, opts IngestOptions, ack func(Fragment)) (int, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	ix, err := src.Scan(ctx, media.ProducerTime, math.MinInt64, math.MaxInt64)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrInput, err)
	}
	if ix.Video < 0 || ix.Video >= len(ix.Tracks) || len(ix.Samples) == 0 {
		return 0, fmt.Errorf("%w: %w", ErrInput, media.ErrNoVideo)
	}
	tr := ix.Tracks[ix.Video]
	if tr.Codec != decode.H264 && tr.Codec != decode.H265 {
		return 0, fmt.Errorf("%w: video codec %q is not H.264 or H.265", ErrInput, tr.CodecID)
	}
	track := tr
	track.Video = true
	if track.CodecID == "" || track.NALFormat == media.AnnexB {
		if tr.Codec == decode.H264 {
			track.CodecID = "V_MPEG4/ISO/AVC"
		} else {
			track.CodecID = "V_MPEGH/ISO/HEVC"
		}
	}
	annexB := tr.NALFormat == media.AnnexB
	if annexB {
		track.NALFormat = media.LengthPrefixed
		track.NALLengthSize = 4
		track.CodecPrivate = nil
	}

	// Relative or absolute producer time.
	first := ix.Samples[0].Producer
	for _, s := range ix.Samples {
		first = min(first, s.Producer)
	}
	var shift int64
	if first < AbsoluteThreshold {
		start := opts.Start
		if start.IsZero() {
			start = opts.Now()
		}
		shift = start.UnixNano() - first
	}

	var (
		frames    []NewFrame
		fragT0    int64
		fragBytes int64 // payload bytes in frames
		stored    int
		buf       []byte
		nals      [][]byte
	)
	flush := func() error {
		if len(frames) == 0 {
			return nil
		}
		if track.CodecPrivate == nil && annexB {
			return fmt.Errorf("%w: the Annex B stream has no parameter sets before its first fragment ends", ErrInput)
		}
		f, err := st.Append(ctx, stream, &NewFragment{Track: track, Producer: fragT0, Server: opts.Now().UnixNano(), Frames: frames})
		if err != nil {
			return err
		}
		stored++
		if ack != nil {
			ack(f)
		}
		frames = frames[:0]
		if opts.Throttle > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(opts.Throttle):
			}
		}
		return nil
	}
	for i := range ix.Samples {
		s := &ix.Samples[i]
		t := s.Producer + shift
		dur := s.Duration
		if dur <= 0 {
			if i+1 < len(ix.Samples) && ix.Samples[i+1].Producer > s.Producer {
				dur = ix.Samples[i+1].Producer - s.Producer
			} else if i > 0 && s.Producer > ix.Samples[i-1].Producer {
				dur = s.Producer - ix.Samples[i-1].Producer
			}
		}
		if len(frames) > 0 && (s.Keyframe || t+dur-fragT0 > int64(MaxFragmentDuration) || t < fragT0 ||
			len(frames) >= MaxSamplesPerFragment || fragBytes+int64(s.Size) > MaxFragmentBytes/2 ||
			(i > 0 && s.Fragment != ix.Samples[i-1].Fragment && s.Keyframe)) {
			if err := flush(); err != nil {
				return stored, err
			}
		}
		if len(frames) == 0 {
			fragT0 = t
			fragBytes = 0
		}
		data, err := src.ReadSample(ctx, s, nil)
		if err != nil {
			return stored, fmt.Errorf("%w: frame %d: %w", ErrInput, i, err)
		}
		if annexB {
			var ok bool
			nals, ok = decode.SplitAnnexB(nals[:0], data)
			if !ok {
				return stored, fmt.Errorf("%w: frame %d has more than %d NAL units", ErrInput, i, decode.MaxNALUnitsPerAccessUnit)
			}
			if track.CodecPrivate == nil {
				if cp, err := buildCodecPrivate(tr.Codec, nals); err == nil && cp != nil {
					track.CodecPrivate = cp
				}
			}
			buf = buf[:0]
			for _, n := range nals {
				buf = binary.BigEndian.AppendUint32(buf, uint32(len(n)))
				buf = append(buf, n...)
			}
			data = bytes.Clone(buf)
		}
		frames = append(frames, NewFrame{Time: t, Duration: dur, Keyframe: s.Keyframe, Data: data})
		fragBytes += int64(len(data))
	}
	return stored, flush()
}

// buildCodecPrivate makes an avcC (ISO/IEC 14496-15 §5.3.3) or hvcC (§8.3.3)
// record from the parameter sets among nals; nil when they are not all there.
func buildCodecPrivate(c decode.Codec, nals [][]byte) ([]byte, error) {
	var vps, sps, pps [][]byte
	for _, n := range nals {
		if len(n) == 0 {
			continue
		}
		if c == decode.H264 {
			switch n[0] & 0x1F { // nal_unit_type, H.264 Table 7-1
			case 7:
				sps = append(sps, n)
			case 8:
				pps = append(pps, n)
			}
			continue
		}
		if len(n) < 2 {
			continue
		}
		switch (n[0] >> 1) & 0x3F { // nal_unit_type, H.265 Table 7-1
		case 32:
			vps = append(vps, n)
		case 33:
			sps = append(sps, n)
		case 34:
			pps = append(pps, n)
		}
	}
	return media.RecordFromParameterSets(c, vps, sps, pps)
}
