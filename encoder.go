package stills

import (
	"errors"

	"github.com/stills/stills/decode"
)

// defaultEncoder returns the project's image encoder (package encode).
// PLACEHOLDER until package encode is committed: every picture fails with
// errNoEncoder, which the engine reports as MEDIA_ERROR.
func defaultEncoder() ImageEncoder { return noEncoder{} }

var errNoEncoder = errors.New("stills: no image encoder built in yet (package encode)")

type noEncoder struct{}

func (noEncoder) Encode(dst []byte, f *decode.Frame, o EncodeOptions) ([]byte, error) {
	return nil, errNoEncoder
}
