package stills

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/stills/stills/decode"
	"github.com/stills/stills/media"
)

// worker is what one pool goroutine needs to turn a keyframe into an image:
// a decoder (stateful: configured with the track's codec private data), an
// encoder and reused buffers. Workers are pooled across requests.
type worker struct {
	e       *Engine
	dec     decode.Decoder
	codec   decode.Codec
	record  []byte // the codec private data dec was configured with
	gen     uint64 // render that owns dec's in-band parameter sets
	enc     ImageEncoder
	buf     []byte // sample payload
	psBuf   []byte // payload of a sample searched for parameter sets
	nals    [][]byte
	psNALs  [][]byte
	scratch [][]byte
	lastLen int // size of the last image encoded: sizes the next one's buffer
}

func (e *Engine) getWorker() *worker {
	if n := e.held.Add(1); n > e.heldPeak.Load() {
		e.heldPeak.Store(n) // racy max: good enough for a test bound
	}
	if w, ok := e.pool.Get().(*worker); ok {
		return w
	}
	return &worker{e: e}
}

func (e *Engine) putWorker(w *worker) {
	e.held.Add(-1)
	if cap(w.buf) > bigBuffer {
		w.buf = nil
	}
	if cap(w.psBuf) > bigBuffer {
		w.psBuf = nil
	}
	e.pool.Put(w)
}

// decoder returns a decoder for tr, configured with its codec private data.
// A track without codec private data (Annex B with in-band parameter sets)
// gets a decoder of its own render, so that parameter sets of another
// stream never decode this one.
func (w *worker) decoder(tr *media.Track, gen uint64) (decode.Decoder, error) {
	fresh := w.dec == nil || w.codec != tr.Codec ||
		(len(tr.CodecPrivate) == 0 && (len(w.record) != 0 || w.gen != gen))
	if fresh {
		d, err := w.e.newDecoder(tr.Codec)
		if err != nil {
			return nil, err
		}
		w.dec, w.codec, w.record = d, tr.Codec, w.record[:0]
	}
	w.gen = gen
	if len(tr.CodecPrivate) > 0 && (fresh || !bytes.Equal(w.record, tr.CodecPrivate)) {
		if err := w.dec.Configure(tr.CodecPrivate); err != nil {
			w.dec = nil
			return nil, fmt.Errorf("codec private data: %w", err)
		}
		w.record = append(w.record[:0], tr.CodecPrivate...)
	}
	return w.dec, nil
}

// split appends to dst the NAL units of a sample payload.
func split(dst [][]byte, tr *media.Track, b []byte) ([][]byte, error) {
	if tr.NALFormat == media.AnnexB {
		nals, ok := decode.SplitAnnexB(dst, b)
		if !ok {
			return nals, fmt.Errorf("more than %d NAL units in one sample", decode.MaxNALUnitsPerAccessUnit)
		}
		return nals, nil
	}
	return decode.SplitLengthPrefixed(dst, b, tr.NALLengthSize)
}

// isParamSet reports whether nal is a parameter set: H.264 SPS/PPS
// (nal_unit_type 7, 8; ITU-T H.264 Table 7-1), H.265 VPS/SPS/PPS (32-34;
// ITU-T H.265 Table 7-1).
func isParamSet(c decode.Codec, nal []byte) bool {
	if len(nal) == 0 {
		return false
	}
	switch c {
	case decode.H264:
		t := nal[0] & 0x1f
		return t == 7 || t == 8 || t == 13 || t == 15
	case decode.H265:
		t := (nal[0] >> 1) & 0x3f
		return t >= 32 && t <= 34
	}
	return false
}

// picture decodes sample si of ix and encodes it. Any failure is that
// picture's alone: the caller turns it into a MEDIA_ERROR.
func (w *worker) picture(ctx context.Context, src media.Source, ix *media.Index, tr *media.Track, si int, eo EncodeOptions, gen uint64) (out []byte, err error) {
	defer func() {
		// Last line of defence: a bug in a decoder or encoder fails this
		// picture, not the process. The decoder's state is suspect: drop it.
		if r := recover(); r != nil {
			w.dec, w.enc = nil, nil
			out, err = nil, fmt.Errorf("internal error while making the image: %v", r)
		}
	}()
	s := &ix.Samples[si]
	dec, err := w.decoder(tr, gen)
	if err != nil {
		return nil, err
	}
	w.buf, err = src.ReadSample(ctx, s, w.buf[:0])
	if err != nil {
		return nil, fmt.Errorf("reading the keyframe at producer time %s: %w", fmtTime(s.Producer), err)
	}
	w.nals, err = split(w.nals[:0], tr, w.buf)
	if err != nil {
		return nil, fmt.Errorf("keyframe at producer time %s: %w", fmtTime(s.Producer), err)
	}
	f, err := dec.DecodeAccessUnit(w.nals)
	if errors.Is(err, decode.ErrMissingParameterSet) && w.findParamSets(ctx, src, ix, tr, si, dec) {
		f, err = dec.DecodeAccessUnit(w.nals)
	}
	if err != nil {
		return nil, fmt.Errorf("decoding the keyframe at producer time %s: %w", fmtTime(s.Producer), err)
	}
	if f == nil {
		return nil, fmt.Errorf("decoding the keyframe at producer time %s: %w", fmtTime(s.Producer), decode.ErrNoPicture)
	}
	if w.enc == nil {
		w.enc = w.e.newEncoder()
	}
	// The image outlives the worker (it is the answer): a new buffer each
	// time, sized from the last image so that it rarely grows.
	out, err = w.enc.Encode(make([]byte, 0, w.lastLen+w.lastLen/4+16<<10), f, eo)
	w.lastLen = len(out)
	if err != nil {
		return nil, fmt.Errorf("encoding the picture at producer time %s: %w", fmtTime(s.Producer), err)
	}
	return out, nil
}

// findParamSets feeds dec the parameter sets of earlier samples: the first
// sample of the index, then the keyframes before si, at most
// MaxParamSetSearch samples. It reports whether any was found.
func (w *worker) findParamSets(ctx context.Context, src media.Source, ix *media.Index, tr *media.Track, si int, dec decode.Decoder) bool {
	cand := make([]int, 0, MaxParamSetSearch)
	if si > 0 {
		cand = append(cand, 0)
	}
	for j := si - 1; j > 0 && len(cand) < MaxParamSetSearch; j-- {
		if ix.Samples[j].Keyframe {
			cand = append(cand, j)
		}
	}
	found := false
	// Oldest first, so that the newest parameter sets win.
	for k := len(cand) - 1; k >= 0; k-- {
		var err error
		w.psBuf, err = src.ReadSample(ctx, &ix.Samples[cand[k]], w.psBuf[:0])
		if err != nil {
			continue
		}
		w.scratch, err = split(w.scratch[:0], tr, w.psBuf)
		if err != nil {
			continue
		}
		w.psNALs = w.psNALs[:0]
		for _, n := range w.scratch {
			if isParamSet(tr.Codec, n) {
				w.psNALs = append(w.psNALs, n)
			}
		}
		if len(w.psNALs) == 0 {
			continue
		}
		found = true
		// An access unit of parameter sets only: taken in, no picture.
		dec.DecodeAccessUnit(w.psNALs)
	}
	return found
}
