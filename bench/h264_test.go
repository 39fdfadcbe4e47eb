package bench

import (
	"testing"

	"github.com/stills/stills/decode"
	"github.com/stills/stills/decode/h264"
)

// h264Bench: testsrc2 1920x1080 + temporal noise, 10 pictures, all IDR
// (keyint=1), High profile, CABAC, 8x8 transform, 6 Mbit/s at 5 pictures/s
// (~150 KB per IDR, the size of an IDR in a 6 Mbit/s stream with a normal
// GOP), made once with ffmpeg+x264 and cached in the temporary directory.
var h264Bench = decoderBench{
	file:   "h264-1080p-high-cabac-idr10.264",
	frames: 10,
	loops:  5,
	encode: []string{"-c:v", "libx264", "-preset", "fast", "-profile:v", "high",
		"-x264-params", "keyint=1:cabac=1:8x8dct=1:bitrate=6000:vbv-maxrate=6000:vbv-bufsize=6000",
		"-f", "h264"},
	split:  h264.SplitAccessUnits,
	newDec: func() decode.Decoder { return h264.NewDecoder() },
}

// BenchmarkH264Intra1080p: the pure-Go H.264 decoder against ffmpeg
// (single-threaded) on the same 1080p High-profile CABAC IDR pictures, in
// the same run (see decoderBench for what is reported).
func BenchmarkH264Intra1080p(b *testing.B) { h264Bench.run(b) }
