package annexb

import (
	"bytes"

	"github.com/stills/stills/decode"
)

// DetectSize is how much of the start of a stream Detect looks at.
const DetectSize = 64 << 10

// maxDetectNALs bounds the NAL unit headers Detect scores.
const maxDetectNALs = 64

// h264Profiles are the profile_idc values of H.264 Annex A and G-J.
var h264Profiles = [256]bool{66: true, 77: true, 88: true, 100: true, 110: true, 122: true, 244: true, 44: true,
	83: true, 86: true, 118: true, 128: true, 138: true, 139: true, 134: true, 135: true}

// Detect tells whether b, the start of a stream, is an Annex B byte stream
// of H.264 or H.265, or neither (decode.CodecUnknown). The stream must start
// with a start code (after optional zero bytes); the NAL unit headers that
// follow start codes are scored as either codec and the better fit wins:
// parameter sets (H.264 SPS with a known profile_idc; H.265 VPS/SPS with
// nuh_layer_id 0 and a valid nuh_temporal_id_plus1) weigh most, and headers
// impossible in a codec (forbidden_zero_bit set, reserved types, SEI with
// nal_ref_idc != 0) count against it.
func Detect(b []byte) decode.Codec {
	if len(b) > DetectSize {
		b = b[:DetectSize]
	}
	z := 0
	for z < len(b) && b[z] == 0 {
		z++
	}
	if z < 2 || z >= len(b) || b[z] != 1 {
		return decode.CodecUnknown
	}
	s264, s265 := 0, 0
	for i, n := 0, 0; n < maxDetectNALs; n++ {
		j := bytes.Index(b[i:], []byte{0, 0, 1})
		if j < 0 {
			break
		}
		h := b[i+j+3:]
		i += j + 3
		if len(h) < 3 {
			break
		}
		s264 += score264(h)
		s265 += score265(h)
	}
	switch {
	case s264 > s265 && s264 > 0:
		return decode.H264
	case s265 > s264 && s265 > 0:
		return decode.H265
	}
	return decode.CodecUnknown
}

// score264 scores a NAL unit header as H.264 (§7.3.1, Table 7-1).
func score264(h []byte) int {
	if h[0]&0x80 != 0 {
		return -5
	}
	nri, t := h[0]>>5&3, h[0]&0x1F
	switch t {
	case 7:
		if h264Profiles[h[1]] {
			return 10
		}
		return 1
	case 8, 5:
		if nri != 0 {
			return 3
		}
		return -2 // IDR slices and PPS are reference NAL units
	case 1:
		return 1
	case 6, 9, 10, 11, 12:
		if nri == 0 {
			return 2
		}
		return -3 // SEI, AUD, end of sequence/stream, filler have nal_ref_idc 0
	case 2, 3, 4, 13, 14, 15, 19, 20:
		return 0
	}
	return -3 // 0, 16-18, 21-31: unspecified or reserved
}

// score265 scores a NAL unit header as H.265 (§7.3.1.2, Table 7-1).
func score265(h []byte) int {
	if h[0]&0x80 != 0 {
		return -5
	}
	layer := (h[0]&1)<<5 | h[1]>>3
	tid1 := h[1] & 7
	if layer != 0 || tid1 == 0 {
		return -3
	}
	t := h[0] >> 1 & 0x3F
	switch {
	case t == 32 || t == 33:
		return 10
	case t == 34 || t == 35 || (t >= 16 && t <= 21):
		return 3
	case t <= 9 || t == 39 || t == 40:
		return 1
	}
	return -3
}
