package h264

import "github.com/stills/stills/decode"

// PLACEHOLDER until the decoder lands: the public API of the package.

// Decoder decodes the intra pictures of an H.264 stream. It implements decode.Decoder.
type Decoder struct{}

// NewDecoder returns a decoder with no parameter sets.
func NewDecoder() *Decoder { return &Decoder{} }

// Configure takes an avcC record (ISO/IEC 14496-15 §5.3.3).
func (d *Decoder) Configure(record []byte) error {
	return decode.UnsupportedError("H.264 decoder not built yet")
}

// DecodeAccessUnit decodes one access unit.
func (d *Decoder) DecodeAccessUnit(nals [][]byte) (*decode.Frame, error) {
	return nil, decode.UnsupportedError("H.264 decoder not built yet")
}
