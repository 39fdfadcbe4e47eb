// Package all returns the decoder for a codec; the engine and the CLI use it
// so that adding a codec is one line here.
package all

import (
	"github.com/stills/stills/decode"
	"github.com/stills/stills/decode/h264"
	"github.com/stills/stills/decode/h265"
)

// NewDecoder returns a new decoder for codec c, or an UnsupportedError.
func NewDecoder(c decode.Codec) (decode.Decoder, error) {
	switch c {
	case decode.H264:
		return h264.NewDecoder(), nil
	case decode.H265:
		return h265.NewDecoder(), nil
	}
	return nil, decode.UnsupportedError("codec " + c.String())
}
