package main

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"sort"

	"github.com/stills/stills/decode"
	"github.com/stills/stills/decode/all"
	"github.com/stills/stills/decode/h264"
	"github.com/stills/stills/decode/h265"
	"github.com/stills/stills/input"
	"github.com/stills/stills/media"
)

const framesUsage = `Usage: stills frames --md5 FILE

Decodes every intra picture of FILE (Matroska/WebM, MP4, or a raw H.264/H.265
Annex B stream, recognised by content, not name) and prints one line per picture in output
order:

  <md5>  <W>x<H>  <pix_fmt>

md5 is over the cropped planar Y, Cb, Cr samples as ffmpeg's rawvideo writes
them (1 byte per sample up to 8 bits, 2 bytes little-endian above), so the
output can be compared with shared/tools/intra-md5.sh. A picture that cannot
be decoded prints "MEDIA_ERROR  <reason>" and the command goes on. Inter
pictures are skipped.

Exit status: 0 when every intra picture decoded, 1 when some did not, 2 on
bad usage or an unreadable file.
`

func runFrames(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("frames", flag.ContinueOnError)
	fs.SetOutput(stderr)
	md5Flag := fs.Bool("md5", false, "print the MD5 of each intra picture (the only output mode)")
	fs.Usage = func() { fmt.Fprint(stderr, framesUsage) }
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			fmt.Fprint(stdout, framesUsage)
			return 0
		}
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if !*md5Flag || fs.NArg() != 1 {
		fmt.Fprint(stderr, framesUsage)
		return 2
	}
	path := fs.Arg(0)
	p := &framePrinter{w: stdout}
	format, err := sniff(path)
	switch {
	case err != nil:
	case format == input.AnnexBH264:
		err = framesFromAnnexB(path, decode.H264, p)
	case format == input.AnnexBH265:
		err = framesFromAnnexB(path, decode.H265, p)
	default:
		// Matroska/WebM and MP4 through package input; an unknown
		// format gives its error.
		err = framesFromSource(path, p)
	}
	p.flush()
	if err != nil {
		fmt.Fprintf(stderr, "stills frames: %v\n", err)
		return 2
	}
	if p.failed > 0 {
		fmt.Fprintf(stderr, "stills frames: %d of %d intra pictures could not be decoded (MEDIA_ERROR lines)\n", p.failed, p.total)
		return 1
	}
	return 0
}

// sniff recognises the input by its content (input.Sniff).
func sniff(path string) (input.Format, error) {
	f, err := os.Open(path)
	if err != nil {
		return input.Unknown, err
	}
	defer f.Close()
	head := make([]byte, input.SniffSize)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return input.Unknown, err
	}
	return input.Sniff(head[:n]), nil
}

// framePrinter prints pictures in output order: within a coded video
// sequence (from one keyframe to the next) pictures are sorted by their
// picture order count.
type framePrinter struct {
	w      io.Writer
	group  []frameLine
	failed int
	total  int // intra pictures, decoded or not
}

type frameLine struct {
	poc  int
	line string
}

func (p *framePrinter) frame(f *decode.Frame) {
	if f.Keyframe {
		p.flush()
	}
	p.group = append(p.group, frameLine{f.PicOrderCnt, fmt.Sprintf("%s  %dx%d  %s", p.md5(f), f.Width, f.Height, f.PixFmt())})
	p.total++
}

// result handles the outcome of decoding one access unit.
func (p *framePrinter) result(f *decode.Frame, err error) {
	switch {
	case err == nil:
		p.frame(f)
	case errors.Is(err, decode.ErrNotIntra), errors.Is(err, decode.ErrNoPicture):
	default:
		// The picture's order count is unknown: keep it after the
		// pictures already seen in its sequence.
		poc := math.MinInt
		if n := len(p.group); n > 0 {
			poc = p.group[n-1].poc
		}
		p.group = append(p.group, frameLine{poc, "MEDIA_ERROR  " + err.Error()})
		p.failed++
		p.total++
	}
}

func (p *framePrinter) flush() {
	sort.SliceStable(p.group, func(i, j int) bool { return p.group[i].poc < p.group[j].poc })
	for _, l := range p.group {
		fmt.Fprintln(p.w, l.line)
	}
	p.group = p.group[:0]
}

// md5 hashes the cropped planes as ffmpeg's rawvideo output of the native
// pixel format.
func (p *framePrinter) md5(f *decode.Frame) string {
	h := md5.New()
	f.WriteRawVideo(h) // writes to a hash cannot fail
	return hex.EncodeToString(h.Sum(nil))
}

// framesFromAnnexB decodes a raw elementary stream, split into access
// units by the codec's own rules (h264.AccessUnitSplitter, h265.SplitAccessUnits).
func framesFromAnnexB(path string, codec decode.Codec, p *framePrinter) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec, err := all.NewDecoder(codec)
	if err != nil {
		return err
	}
	if codec == decode.H265 {
		var nals [][]byte
		for rest := b; ; {
			var nal []byte
			if nal, rest = decode.NextNAL(rest); nal == nil {
				break
			}
			nals = append(nals, nal)
		}
		for _, au := range h265.SplitAccessUnits(nals) {
			p.result(dec.DecodeAccessUnit(au))
		}
		return nil
	}
	var s h264.AccessUnitSplitter
	for rest := b; ; {
		var nal []byte
		if nal, rest = decode.NextNAL(rest); nal == nil {
			break
		}
		if au := s.Push(nal); au != nil {
			p.result(dec.DecodeAccessUnit(au))
		}
	}
	if au := s.Flush(); au != nil {
		p.result(dec.DecodeAccessUnit(au))
	}
	return nil
}

// framesFromSource decodes the video track of a container file (package
// input: Matroska/WebM, MP4).
func framesFromSource(path string, p *framePrinter) error {
	src, err := input.Open(path, input.Options{})
	if err != nil {
		return err
	}
	defer src.Close()
	ctx := context.Background()
	idx, err := src.Scan(ctx, media.ProducerTime, math.MinInt64, math.MaxInt64)
	if err != nil {
		return err
	}
	if idx.Video < 0 {
		return media.ErrNoVideo
	}
	tr := idx.Tracks[idx.Video]
	dec, err := all.NewDecoder(tr.Codec)
	if err != nil {
		return err
	}
	if tr.CodecPrivate != nil {
		if err := dec.Configure(tr.CodecPrivate); err != nil {
			return fmt.Errorf("codec private data: %w", err)
		}
	}
	var buf []byte
	var nals [][]byte
	for i := range idx.Samples {
		buf, err = src.ReadSample(ctx, &idx.Samples[i], buf)
		if err != nil {
			p.result(nil, err)
			continue
		}
		nals = nals[:0]
		if tr.NALFormat == media.AnnexB {
			for rest := buf; ; {
				var nal []byte
				if nal, rest = decode.NextNAL(rest); nal == nil {
					break
				}
				nals = append(nals, nal)
			}
		} else if nals, err = decode.SplitLengthPrefixed(nals, buf, tr.NALLengthSize); err != nil {
			p.result(nil, err)
			continue
		}
		p.result(dec.DecodeAccessUnit(nals))
	}
	return nil
}
