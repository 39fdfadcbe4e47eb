package server

import (
	"sync/atomic"
	"time"

	"github.com/stills/stills"
	"github.com/stills/stills/decode"
	"github.com/stills/stills/decode/all"
	"github.com/stills/stills/encode"
)

// EngineTimes accumulates the time the engine spends decoding pictures and
// scaling+encoding images; /metrics reports them. Instrument fills it.
type EngineTimes struct {
	decodeNs, decodeN atomic.Int64
	encodeNs, encodeN atomic.Int64
}

// Instrument sets o's decoder and encoder constructors to the project's
// (decode/all, package encode) wrapped with timers, and returns the
// counters to pass as Config.EngineTimes. One timer read per picture.
func Instrument(o *stills.Options) *EngineTimes {
	et := &EngineTimes{}
	o.NewDecoder = func(c decode.Codec) (decode.Decoder, error) {
		d, err := all.NewDecoder(c)
		if err != nil {
			return nil, err
		}
		return &timedDecoder{d: d, et: et}, nil
	}
	o.NewEncoder = func() stills.ImageEncoder {
		return &timedEncoder{e: encode.NewEncoder(), et: et}
	}
	return et
}

type timedDecoder struct {
	d  decode.Decoder
	et *EngineTimes
}

func (t *timedDecoder) Configure(record []byte) error { return t.d.Configure(record) }

func (t *timedDecoder) DecodeAccessUnit(nals [][]byte) (*decode.Frame, error) {
	t0 := time.Now()
	f, err := t.d.DecodeAccessUnit(nals)
	t.et.decodeNs.Add(int64(time.Since(t0)))
	t.et.decodeN.Add(1)
	return f, err
}

// timedEncoder maps the engine's EncodeOptions onto package encode as the
// engine's own default encoder does, and times it.
type timedEncoder struct {
	e  *encode.Encoder
	et *EngineTimes
}

func (t *timedEncoder) Encode(dst []byte, f *decode.Frame, o stills.EncodeOptions) ([]byte, error) {
	eo := encode.Options{Format: encode.JPEG, Quality: o.Quality, Width: o.Width, Height: o.Height}
	if o.Format == stills.PNG {
		eo.Format = encode.PNG
		eo.Quality = 0
	}
	t0 := time.Now()
	b, err := t.e.Encode(dst, f, eo)
	t.et.encodeNs.Add(int64(time.Since(t0)))
	t.et.encodeN.Add(1)
	return b, err
}
