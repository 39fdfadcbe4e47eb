package bench

import (
	"testing"

	"github.com/stills/stills/decode"
	"github.com/stills/stills/decode/h265"
)

// h265Bench: testsrc2 1920x1080 + temporal noise, 10 pictures, all IRAP
// (keyint=1), x265 preset medium, 4 Mbit/s at 5 pictures/s (~100 KB per
// picture, an IRAP picture's size in a 4 Mbit/s stream with a normal GOP),
// made once with ffmpeg+x265 and cached in the temporary directory.
var h265Bench = decoderBench{
	file:   "h265-1080p-medium-irap10.hevc",
	frames: 10,
	loops:  5,
	encode: []string{"-c:v", "libx265", "-preset", "medium",
		"-x265-params", "keyint=1:log-level=error:bitrate=4000:vbv-maxrate=4000:vbv-bufsize=4000",
		"-f", "hevc"},
	split:  h265.SplitAccessUnits,
	newDec: func() decode.Decoder { return h265.NewDecoder() },
}

// BenchmarkH265Intra1080p: the pure-Go H.265 decoder (decode/h265) against
// ffmpeg -threads 1 on the same 1080p IRAP pictures, in the same run (see
// decoderBench for what is reported).
func BenchmarkH265Intra1080p(b *testing.B) { h265Bench.run(b) }
