// Package decode is the codec-neutral API shared by the H.264 (decode/h264) and
// H.265 (decode/h265) intra decoders.
//
// A Decoder turns one access unit (the NAL units of one coded picture) into a
// Frame. Only intra pictures are decoded (keyframe extraction needs nothing
// else); an inter picture gives ErrNotIntra. Anything the decoder does not
// implement gives an *UnsupportedError, never a wrong picture.
//
// Samples are stored as uint16 for every bit depth (8 to 14 bits) so that one
// code path serves 8-bit and deeper streams; they are rounded to 8 bits only
// when an image is encoded (package encode).
package decode

import (
	"errors"
	"fmt"
)

// Codec names a video coding standard.
type Codec uint8

const (
	CodecUnknown Codec = iota
	H264               // ITU-T H.264 | ISO/IEC 14496-10
	H265               // ITU-T H.265 | ISO/IEC 23008-2
)

func (c Codec) String() string {
	switch c {
	case H264:
		return "H.264"
	case H265:
		return "H.265"
	}
	return "unknown"
}

// ChromaFormat is chroma_format_idc (H.264 Table 6-1, H.265 Table 6-1).
type ChromaFormat uint8

const (
	Chroma400 ChromaFormat = 0 // monochrome
	Chroma420 ChromaFormat = 1
	Chroma422 ChromaFormat = 2
	Chroma444 ChromaFormat = 3
)

// SubWidthHeight returns SubWidthC and SubHeightC (H.264 Table 6-1). For 4:0:0
// it returns 0, 0.
func (c ChromaFormat) SubWidthHeight() (int, int) {
	switch c {
	case Chroma420:
		return 2, 2
	case Chroma422:
		return 2, 1
	case Chroma444:
		return 1, 1
	}
	return 0, 0
}

// MatrixCoefficients, TransferCharacteristics and ColourPrimaries use the code
// points of ITU-T H.273 (the same values as the H.264/H.265 VUI).
type ColourInfo struct {
	Present                 bool  // a colour description was signalled
	FullRange               bool  // video_full_range_flag
	MatrixCoefficients      uint8 // 1 = BT.709, 5/6 = BT.601, 9 = BT.2020 NCL, 2 = unspecified
	ColourPrimaries         uint8
	TransferCharacteristics uint8
}

// SequenceInfo is what a sequence parameter set says about the pictures
// that follow it, for indexers and muxers that need it without decoding
// (h264.ParseSPS, h265.ParseSPS).
type SequenceInfo struct {
	Width, Height int // picture size after conformance-window cropping
	// One frame lasts FrameTicks/TimeScale seconds, from the VUI timing
	// information (H.264 §E.2.1 counts field ticks, so FrameTicks is twice
	// num_units_in_tick there). Both are 0 when the SPS has no timing.
	FrameTicks, TimeScale uint64
	Colour                ColourInfo
}

// Frame is a decoded picture, already cropped to the conformance window.
//
// The planes are views into the decoder's own buffers: they stay valid until
// the next call to the Decoder that produced them. Copy what must outlive it.
type Frame struct {
	Width, Height int          // luma size after cropping
	ChromaFormat  ChromaFormat // 4:0:0 has no Cb/Cr planes
	BitDepthY     int          // 8..14
	BitDepthC     int          // 8..14
	// Y has Height rows of Width samples, row r starting at Y[r*YStride].
	// Cb and Cr have ChromaHeight() rows of ChromaWidth() samples, CStride apart.
	Y, Cb, Cr        []uint16
	YStride, CStride int
	Colour           ColourInfo
	// SAR is the sample aspect ratio from the VUI (0/0 when unknown).
	SARWidth, SARHeight int
	Keyframe            bool // IDR (H.264) or IRAP (H.265)
	// PicOrderCnt is the picture's position in output order within its
	// coded video sequence (H.264 PicOrderCnt, H.265 PicOrderCntVal); a
	// Keyframe starts a new sequence. Decode order may differ from it.
	PicOrderCnt int
}

// ChromaWidth is the width of the Cb and Cr planes (0 for 4:0:0).
func (f *Frame) ChromaWidth() int {
	sw, _ := f.ChromaFormat.SubWidthHeight()
	if sw == 0 {
		return 0
	}
	return (f.Width + sw - 1) / sw
}

// ChromaHeight is the height of the Cb and Cr planes (0 for 4:0:0).
func (f *Frame) ChromaHeight() int {
	_, sh := f.ChromaFormat.SubWidthHeight()
	if sh == 0 {
		return 0
	}
	return (f.Height + sh - 1) / sh
}

// PixFmt names the frame's layout as ffmpeg does: yuv420p, yuv422p, yuv444p,
// gray, with a "10le"-style suffix above 8 bits.
func (f *Frame) PixFmt() string {
	var s string
	switch f.ChromaFormat {
	case Chroma400:
		s = "gray"
	case Chroma420:
		s = "yuv420p"
	case Chroma422:
		s = "yuv422p"
	default:
		s = "yuv444p"
	}
	if f.BitDepthY > 8 {
		s += fmt.Sprintf("%dle", f.BitDepthY)
		if f.ChromaFormat == Chroma400 {
			s = fmt.Sprintf("gray%dle", f.BitDepthY)
		}
	}
	return s
}

// Decoder decodes the intra pictures of one elementary stream.
//
// Implementations keep parameter sets across calls (a stream may change
// resolution at any IDR) and reuse their frame buffers.
type Decoder interface {
	// Configure takes the container's decoder configuration record (avcC for
	// H.264, hvcC for H.265): its parameter sets and NAL length size.
	Configure(record []byte) error
	// DecodeAccessUnit decodes the NAL units of one access unit. Each NAL unit
	// is given without start code or length prefix, emulation prevention bytes
	// still in place. Parameter sets and SEI in the access unit are taken in.
	// It returns ErrNotIntra for a picture that is not intra, ErrNoPicture
	// when the unit holds no picture.
	DecodeAccessUnit(nals [][]byte) (*Frame, error)
}

var (
	// ErrNotIntra: the picture needs reference pictures to be decoded.
	ErrNotIntra = errors.New("decode: picture is not intra coded")
	// ErrNoPicture: the access unit held no coded slice.
	ErrNoPicture = errors.New("decode: access unit holds no picture")
	// ErrMissingParameterSet: a slice refers to an SPS/PPS (VPS) never seen.
	ErrMissingParameterSet = errors.New("decode: missing parameter set")
)

// UnsupportedError reports a valid stream feature the decoder does not implement.
type UnsupportedError string

func (e UnsupportedError) Error() string { return "decode: unsupported feature: " + string(e) }

// FormatError reports a bitstream that violates the standard (corrupt or truncated).
type FormatError string

func (e FormatError) Error() string { return "decode: invalid bitstream: " + string(e) }
