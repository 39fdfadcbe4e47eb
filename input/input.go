package input

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/stills/stills/annexb"
	"github.com/stills/stills/decode"
	"github.com/stills/stills/media"
	"github.com/stills/stills/mkv"
	"github.com/stills/stills/mp4in"
)

// Options configure how inputs are read.
type Options struct {
	// FPS is the frame rate of a raw Annex B stream whose SPS carries no
	// timing information (0: annexb.DefaultFPS).
	FPS float64
}

// Format is a recognised input format.
type Format uint8

const (
	Unknown Format = iota
	Matroska
	MP4
	AnnexBH264
	AnnexBH265
)

func (f Format) String() string {
	switch f {
	case Matroska:
		return "Matroska/WebM"
	case MP4:
		return "MP4"
	case AnnexBH264:
		return "H.264 Annex B"
	case AnnexBH265:
		return "H.265 Annex B"
	}
	return "unknown"
}

// SniffSize is how many leading bytes Sniff looks at.
const SniffSize = annexb.DetectSize

var ebmlMagic = []byte{0x1A, 0x45, 0xDF, 0xA3}

// Sniff recognises a format from the first bytes of an input (up to SniffSize).
func Sniff(head []byte) Format {
	switch {
	case bytes.HasPrefix(head, ebmlMagic):
		return Matroska
	case mp4in.Sniff(head):
		return MP4
	}
	switch annexb.Detect(head) {
	case decode.H264:
		return AnnexBH264
	case decode.H265:
		return AnnexBH265
	}
	return Unknown
}

func unsupported(name string, head []byte) error {
	if len(head) > 8 {
		head = head[:8]
	}
	return fmt.Errorf("input: %s: %w: it starts with % X; expected Matroska/WebM (1A 45 DF A3), "+
		"an MP4 box (ftyp, moov, moof, styp...) or an H.264/H.265 Annex B stream (00 00 01 start codes)",
		name, media.ErrUnsupportedContainer, head)
}

// readHead reads up to SniffSize bytes from the start of r.
func readHead(r io.ReaderAt, size int64) ([]byte, error) {
	head := make([]byte, min(size, SniffSize))
	n, err := r.ReadAt(head, 0)
	if n < len(head) && err != nil && err != io.EOF {
		return nil, err
	}
	return head[:n], nil
}

// Open opens the file at path as a media.Source. The concrete type is
// *mkv.Demuxer, *mp4in.Source or *annexb.Source (the fragment store's ingest
// uses mkv.Demuxer.Fragments). Close closes the file.
func Open(path string, opts Options) (media.Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("input: %s is a directory", path)
	}
	head, err := readHead(f, st.Size())
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("input: %s: %w", path, err)
	}
	var src media.Source
	switch Sniff(head) {
	case Matroska:
		src, err = mkv.OpenFile(path)
	case MP4:
		src, err = mp4in.OpenFile(path)
	case AnnexBH264, AnnexBH265:
		src, err = annexb.OpenFile(path, annexb.Options{FPS: opts.FPS})
	default:
		return nil, unsupported(path, head)
	}
	if err != nil {
		return nil, fmt.Errorf("input: %w", err)
	}
	return src, nil
}

// OpenReader opens size bytes of r as a media.Source; Close does not close r.
func OpenReader(r io.ReaderAt, size int64, opts Options) (media.Source, error) {
	head, err := readHead(r, size)
	if err != nil {
		return nil, fmt.Errorf("input: %w", err)
	}
	var src media.Source
	switch f := Sniff(head); f {
	case Matroska:
		src, err = mkv.Open(r, size)
	case MP4:
		src, err = mp4in.Open(r, size)
	case AnnexBH264, AnnexBH265:
		codec := decode.H264
		if f == AnnexBH265 {
			codec = decode.H265
		}
		src, err = annexb.Open(r, size, codec, annexb.Options{FPS: opts.FPS})
	default:
		return nil, unsupported("input", head)
	}
	if err != nil {
		return nil, fmt.Errorf("input: %w", err)
	}
	return src, nil
}
