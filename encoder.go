package stills

import (
	"github.com/stills/stills/decode"
	"github.com/stills/stills/encode"
)

// defaultEncoder returns the project's image encoder (package encode).
func defaultEncoder() ImageEncoder { return &encoderAdapter{e: encode.NewEncoder()} }

// encoderAdapter gives an *encode.Encoder the engine's ImageEncoder method.
type encoderAdapter struct{ e *encode.Encoder }

func (a *encoderAdapter) Encode(dst []byte, f *decode.Frame, o EncodeOptions) ([]byte, error) {
	eo := encode.Options{Format: encode.JPEG, Quality: o.Quality, Width: o.Width, Height: o.Height}
	if o.Format == PNG {
		eo.Format = encode.PNG
		eo.Quality = 0
	}
	return a.e.Encode(dst, f, eo)
}
