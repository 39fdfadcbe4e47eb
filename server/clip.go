package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/Eyevinn/mp4ff/avc"
	"github.com/Eyevinn/mp4ff/hevc"
	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/stills/stills/decode"
	"github.com/stills/stills/decode/h264"
	"github.com/stills/stills/decode/h265"
	"github.com/stills/stills/media"
	"github.com/stills/stills/store"
)

type getClipInput struct {
	streamRef
	ClipFragmentSelector *fragmentSelector `json:"ClipFragmentSelector"`
}

func (s *Server) getClip(w http.ResponseWriter, r *http.Request, body []byte) (string, error) {
	var in getClipInput
	if err := decodeBody(body, &in); err != nil {
		return "", err
	}
	if in.ClipFragmentSelector == nil {
		return "", invalidArg("ClipFragmentSelector is required")
	}
	sel, err := in.ClipFragmentSelector.selector("ClipFragmentSelector")
	if err != nil {
		return "", err
	}
	if sel.To-sel.From > int64(MaxClipRange) {
		return "", invalidArg("ClipFragmentSelector.TimestampRange spans %v; at most %v is allowed", time.Duration(sel.To-sel.From), MaxClipRange)
	}
	ctx := r.Context()
	info, err := s.lookup(ctx, &in.streamRef)
	if err != nil {
		return "", err
	}
	if info.RetentionHours == 0 {
		return info.Name, apiErr(errNoDataRetention, "stream %s has DataRetentionInHours 0: it keeps no media", info.Name)
	}
	release, err := s.acquire(info.Name)
	if err != nil {
		return info.Name, err
	}
	defer release()
	frags, more, err := s.cfg.Store.ListFragments(ctx, info.Name, sel, nil, MaxClipFragments)
	if err != nil {
		return info.Name, err
	}
	if more {
		return info.Name, invalidArg("the range holds more than %d fragments, the GetClip limit; narrow the TimestampRange", MaxClipFragments)
	}
	if len(frags) == 0 {
		return info.Name, apiErr(errNotFound, "no fragments of stream %s start in the requested range", info.Name)
	}
	var total int64
	for _, f := range frags {
		total += f.Size
	}
	if total > MaxClipBytes {
		return info.Name, invalidArg("the range holds %d bytes of media; GetClip returns at most %d: narrow the TimestampRange", total, MaxClipBytes)
	}
	mp4Bytes, err := buildClip(ctx, s.cfg.Store, info.Name, frags)
	if err != nil {
		return info.Name, err
	}
	w.Header().Set("Content-Type", "video/mp4")
	w.Header().Set("Content-Length", strconv.Itoa(len(mp4Bytes)))
	w.WriteHeader(http.StatusOK)
	w.Write(mp4Bytes)
	return info.Name, nil
}

// clipSample is one video frame of a clip, times in ms.
type clipSample struct {
	pts, dur int64
	key      bool
	data     []byte
	frag     int
}

// buildClip writes frags as a fragmented MP4 (ISO/IEC 14496-12 §8.8), one
// movie fragment per stored fragment, timescale 1 ms.
func buildClip(ctx context.Context, st store.Store, stream string, frags []store.Fragment) ([]byte, error) {
	tr := frags[0].Track
	if tr.Codec != decode.H264 && tr.Codec != decode.H265 {
		return nil, apiErr(errUnsupportedMedia, "stream %s carries %q; GetClip supports H.264 and H.265", stream, tr.CodecID)
	}
	if len(tr.CodecPrivate) == 0 {
		return nil, apiErr(errMissingCodecPriv, "stream %s has no codec private data (avcC/hvcC) in its first fragment %s", stream, frags[0].Number)
	}
	init := mp4.CreateEmptyInit()
	trak := init.AddEmptyTrack(1000, "video", "und")
	switch tr.Codec {
	case decode.H264:
		rec, err := avc.DecodeAVCDecConfRec(tr.CodecPrivate)
		if err != nil || len(rec.SPSnalus) == 0 || len(rec.PPSnalus) == 0 {
			return nil, apiErr(errInvalidCodecPriv, "stream %s: invalid avcC record: %v", stream, err)
		}
		// mp4ff parses the SPS again; check it with the decoder's bounded
		// parser first, since a hostile count makes mp4ff allocate without limit.
		if _, err := h264.ParseSPS(rec.SPSnalus[0]); err != nil {
			return nil, apiErr(errInvalidCodecPriv, "stream %s: unusable SPS: %v", stream, err)
		}
		if err := trak.SetAVCDescriptor("avc1", rec.SPSnalus, rec.PPSnalus, true); err != nil {
			return nil, apiErr(errInvalidCodecPriv, "stream %s: unusable SPS/PPS: %v", stream, err)
		}
	case decode.H265:
		rec, err := hevc.DecodeHEVCDecConfRec(tr.CodecPrivate)
		if err != nil {
			return nil, apiErr(errInvalidCodecPriv, "stream %s: invalid hvcC record: %v", stream, err)
		}
		vps, sps, pps := rec.GetNalusForType(hevc.NALU_VPS), rec.GetNalusForType(hevc.NALU_SPS), rec.GetNalusForType(hevc.NALU_PPS)
		if len(vps) == 0 || len(sps) == 0 || len(pps) == 0 {
			return nil, apiErr(errInvalidCodecPriv, "stream %s: hvcC record lacks VPS/SPS/PPS", stream)
		}
		if info, err := h265.ParseSPS(sps[0]); info.Width <= 0 {
			return nil, apiErr(errInvalidCodecPriv, "stream %s: unusable SPS: %v", stream, err)
		}
		if err := trak.SetHEVCDescriptor("hvc1", vps, sps, pps, nil, true); err != nil {
			return nil, apiErr(errInvalidCodecPriv, "stream %s: unusable parameter sets: %v", stream, err)
		}
	}

	var samples []clipSample
	var nals [][]byte
	base := frags[0].Producer / int64(time.Millisecond)
	for fi := range frags {
		f := &frags[fi]
		payload, err := st.ReadFragment(ctx, stream, f)
		if err != nil {
			return nil, err
		}
		for _, e := range f.Samples {
			end := int64(e.Offset) + int64(e.Size)
			if end > int64(len(payload)) {
				return nil, fmt.Errorf("%w: fragment %s sample runs past the payload", store.ErrCorrupt, f.Number)
			}
			data := payload[e.Offset:end]
			if f.Track.NALFormat == media.AnnexB || f.Track.NALLengthSize != 4 {
				// MP4 samples here use 4-byte NAL lengths (the avcC/hvcC
				// built above says so); re-frame anything else.
				nals = nals[:0]
				var err error
				if f.Track.NALFormat == media.AnnexB {
					nals, _ = decode.SplitAnnexB(nals, data)
				} else {
					nals, err = decode.SplitLengthPrefixed(nals, data, f.Track.NALLengthSize)
				}
				if err != nil {
					return nil, apiErr("InvalidMediaFrameException", "fragment %s: %v", f.Number, err)
				}
				var b []byte
				for _, n := range nals {
					b = binary.BigEndian.AppendUint32(b, uint32(len(n)))
					b = append(b, n...)
				}
				data = b
			}
			samples = append(samples, clipSample{
				pts:  f.Producer/int64(time.Millisecond) + e.Delta/int64(time.Millisecond) - base,
				dur:  e.Duration / int64(time.Millisecond),
				key:  e.Key,
				data: data,
				frag: fi,
			})
		}
	}
	if len(samples) == 0 {
		return nil, errors.New("clip has no samples")
	}
	// Decode times: the sorted presentation times, delayed by the largest
	// reordering so that every composition offset is >= 0.
	sorted := make([]int64, len(samples))
	for i := range samples {
		sorted[i] = samples[i].pts
	}
	sort.Slice(sorted, func(a, b int) bool { return sorted[a] < sorted[b] })
	var delay int64
	for i := range samples {
		delay = max(delay, sorted[i]-samples[i].pts)
	}
	shift := max(0, delay-sorted[0]) // keeps every decode time >= 0
	dts := make([]int64, len(samples))
	for i := range samples {
		dts[i] = sorted[i] - delay + shift
	}
	var out bytes.Buffer
	if err := init.Encode(&out); err != nil {
		return nil, err
	}
	var frag *mp4.Fragment
	cur := -1
	for i := range samples {
		sm := &samples[i]
		if sm.frag != cur {
			if frag != nil {
				if err := frag.Encode(&out); err != nil {
					return nil, err
				}
			}
			var err error
			if frag, err = mp4.CreateFragment(uint32(sm.frag+1), 1); err != nil {
				return nil, err
			}
			cur = sm.frag
		}
		dur := sm.dur
		if i+1 < len(samples) {
			dur = dts[i+1] - dts[i]
		}
		if dur < 0 {
			dur = 0
		}
		flags := mp4.NonSyncSampleFlags
		if sm.key {
			flags = mp4.SyncSampleFlags
		}
		pts := sm.pts + shift
		frag.AddFullSample(mp4.FullSample{
			Sample: mp4.Sample{
				Flags:                 flags,
				Dur:                   uint32(dur),
				Size:                  uint32(len(sm.data)),
				CompositionTimeOffset: int32(pts - dts[i]),
			},
			DecodeTime: uint64(dts[i]),
			Data:       sm.data,
		})
	}
	if frag != nil {
		if err := frag.Encode(&out); err != nil {
			return nil, err
		}
	}
	return out.Bytes(), nil
}
