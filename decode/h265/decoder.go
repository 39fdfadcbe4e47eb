package h265

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/stills/stills/decode"
)

// MaxSlicesPerPicture bounds the slice segments of one picture: one per CTB
// at most (§7.4.7.1), and never more NAL units than an access unit holds.
const MaxSlicesPerPicture = decode.MaxNALUnitsPerAccessUnit

// Decoder decodes the intra pictures of an H.265 stream. It implements
// decode.Decoder. A Decoder is not safe for concurrent use.
type Decoder struct {
	sps [MaxSPSCount]*sps
	pps [MaxPPSCount]*pps
	// spsErr holds why an SPS id was refused (e.g. UnsupportedError).
	spsErr [MaxSPSCount]error
	// spsNAL and ppsNAL hold the NAL unit bytes each accepted parameter
	// set was parsed from: a repeated identical one (an encoder repeating
	// its headers before every IRAP picture) is then a no-op, neither
	// parsed nor allocated again.
	spsNAL [MaxSPSCount][]byte
	ppsNAL [MaxPPSCount][]byte

	lengthSize int // NAL length size from hvcC, 0 when not configured

	pic     picture
	slices  []sliceHeader
	ss      sliceState
	cab     cabac
	wppCtx  contexts
	dsCtx   contexts
	dsQpY   int
	dsValid bool
	err     error

	rbsp      []byte
	coef      [32 * 32]int32 // all zero between blocks unless coefDirty
	coefDirty bool
	colMask   uint32     // columns of coef that may hold non-zero levels
	colRows   [32]uint32 // colRows[x]: rows of column x that may hold levels
	res       [32 * 32]int32
	tmp       [32 * 32]int32
	ref       [4*32 + 1]int32
	reff      [4*32 + 1]int32
	saoLUT    [1 << 12]uint16 // band offset output per sample value
	frame     decode.Frame
}

// NewDecoder returns a decoder with no parameter sets.
func NewDecoder() *Decoder { return &Decoder{} }

// Configure takes an hvcC record (ISO/IEC 14496-15 §8.3.3.1): its
// parameter set arrays and lengthSizeMinusOne.
func (d *Decoder) Configure(record []byte) error {
	if len(record) < 23 {
		return decode.FormatError("hvcC record shorter than 23 bytes")
	}
	if record[0] != 1 {
		return decode.UnsupportedError(fmt.Sprintf("hvcC configurationVersion %d", record[0]))
	}
	d.lengthSize = int(record[21]&3) + 1
	numArrays := int(record[22])
	b := record[23:]
	for i := 0; i < numArrays; i++ {
		if len(b) < 3 {
			return decode.FormatError("hvcC array header truncated")
		}
		numNalus := int(b[1])<<8 | int(b[2])
		b = b[3:]
		for j := 0; j < numNalus; j++ {
			if len(b) < 2 {
				return decode.FormatError("hvcC NAL unit length truncated")
			}
			l := int(b[0])<<8 | int(b[1])
			b = b[2:]
			if l > len(b) {
				return decode.FormatError("hvcC NAL unit runs past the end of the record")
			}
			if err := d.takeParameterSet(b[:l]); err != nil {
				return err
			}
			b = b[l:]
		}
	}
	return nil
}

// LengthSize returns the NAL unit length size from the last hvcC record
// given to Configure (0 before any).
func (d *Decoder) LengthSize() int { return d.lengthSize }

func nalType(nal []byte) int { return int(nal[0]>>1) & 63 }

// takeParameterSet parses a VPS, SPS or PPS NAL unit; other types are ignored.
func (d *Decoder) takeParameterSet(nal []byte) error {
	if len(nal) < 2 {
		return decode.FormatError("NAL unit shorter than its header")
	}
	switch nalType(nal) {
	case nalSPS:
		for i, raw := range d.spsNAL {
			if d.sps[i] != nil && bytes.Equal(raw, nal) {
				return nil
			}
		}
		d.rbsp = unescape(d.rbsp, nal)
		s, err := parseSPS(d.rbsp)
		if err != nil {
			if s != nil {
				// Slices that refer to this SPS report why it was refused.
				d.sps[s.id] = nil
				d.spsNAL[s.id] = d.spsNAL[s.id][:0]
				d.spsErr[s.id] = err
			}
			return err
		}
		d.sps[s.id] = s
		d.spsNAL[s.id] = append(d.spsNAL[s.id][:0], nal...)
		d.spsErr[s.id] = nil
	case nalPPS:
		for i, raw := range d.ppsNAL {
			if d.pps[i] != nil && bytes.Equal(raw, nal) {
				return nil
			}
		}
		d.rbsp = unescape(d.rbsp, nal)
		p, err := parsePPS(d.rbsp)
		if err != nil {
			return err
		}
		d.pps[p.id] = p
		d.ppsNAL[p.id] = append(d.ppsNAL[p.id][:0], nal...)
	}
	return nil
}

// DecodeAccessUnit decodes the NAL units of one access unit (§7.4.2.4.4).
func (d *Decoder) DecodeAccessUnit(nals [][]byte) (f *decode.Frame, err error) {
	defer func() {
		// Last line of defence: a bug must become an error, not a crash.
		if r := recover(); r != nil {
			if os.Getenv("H265_PANIC") != "" {
				panic(r)
			}
			f, err = nil, decode.FormatError(fmt.Sprintf("internal decoder error: %v", r))
		}
	}()
	if len(nals) > decode.MaxNALUnitsPerAccessUnit {
		return nil, decode.FormatError("too many NAL units in the access unit")
	}
	d.slices = d.slices[:0]
	d.dsValid = false
	started := false
	keyframe := true
	var firstErr error
	for _, nal := range nals {
		if len(nal) < 2 {
			continue
		}
		if nal[0]&0x80 != 0 {
			return nil, decode.FormatError("forbidden_zero_bit is 1")
		}
		if nal[0]&1 != 0 || nal[1]>>3 != 0 {
			continue // nuh_layer_id > 0: not part of the base layer
		}
		t := nalType(nal)
		switch {
		case t == nalSPS || t == nalPPS:
			if err := d.takeParameterSet(nal); err != nil && firstErr == nil {
				firstErr = err
			}
		case t <= 21:
			if t > 9 && t < 16 {
				continue // reserved
			}
			if t < 16 {
				keyframe = false
			}
			if err := d.decodeSlice(nal, t, &started); err != nil {
				return nil, err
			}
		}
	}
	if !started {
		if firstErr != nil {
			return nil, firstErr
		}
		return nil, decode.ErrNoPicture
	}
	p := &d.pic
	for _, c := range p.ctbSlice {
		if c < 0 {
			return nil, decode.FormatError("picture has CTBs that no slice covered")
		}
	}
	d.deblock()
	d.applySAO()
	return d.output(keyframe), nil
}

// decodeSlice decodes one slice segment NAL unit into the picture.
func (d *Decoder) decodeSlice(nal []byte, t int, started *bool) error {
	d.rbsp = unescape(d.rbsp, nal)
	var prev *sliceHeader
	if n := len(d.slices); n > 0 {
		prev = &d.slices[n-1]
	}
	if len(d.slices) >= MaxSlicesPerPicture {
		return decode.FormatError("too many slice segments in the picture")
	}
	var h sliceHeader
	if err := d.parseSliceHeader(d.rbsp, t, prev, &h); err != nil {
		if errors.Is(err, decode.ErrNotIntra) {
			return decode.ErrNotIntra
		}
		return err
	}
	pp := d.pps[h.ppsID]
	s := d.sps[pp.spsID]
	if h.firstSliceInPic {
		if *started {
			return decode.FormatError("access unit holds more than one picture")
		}
		*started = true
		if err := checkTiles(s, pp); err != nil {
			return err
		}
		d.pic.setup(s, pp)
	} else if !*started {
		return decode.FormatError("access unit does not start with the first slice segment of a picture")
	} else if d.pic.sps != s || d.pic.pps.id != pp.id {
		return decode.FormatError("slice segments of one picture use different parameter sets")
	}
	d.slices = append(d.slices, h)
	hp := &d.slices[len(d.slices)-1]
	d.err = nil
	if err := d.decodeSliceSegment(hp, len(d.slices)-1, d.rbsp); err != nil {
		return fmt.Errorf("h265: slice at CTB %d: %w", h.segmentAddr, err)
	}
	return nil
}

// output returns the cropped frame (§7.4.3.2.1 conformance window).
func (d *Decoder) output(keyframe bool) *decode.Frame {
	p := &d.pic
	s := p.sps
	f := &d.frame
	*f = decode.Frame{
		Width:        s.width - s.confLeft - s.confRight,
		Height:       s.height - s.confTop - s.confBottom,
		ChromaFormat: decode.Chroma420,
		BitDepthY:    s.bitDepthY,
		BitDepthC:    s.bitDepthC,
		YStride:      p.stride[0],
		CStride:      p.stride[1],
		Colour:       s.colour,
		SARWidth:     s.sarW,
		SARHeight:    s.sarH,
		Keyframe:     keyframe,
	}
	f.Y = p.planes[0][s.confTop*p.stride[0]+s.confLeft:]
	f.Cb = p.planes[1][s.confTop/2*p.stride[1]+s.confLeft/2:]
	f.Cr = p.planes[2][s.confTop/2*p.stride[2]+s.confLeft/2:]
	return f
}

// SplitAccessUnits groups the NAL units of an H.265 elementary stream (as
// decode.SplitAnnexB returns them) into access units (§7.4.2.4.4): an AUD,
// VPS, SPS, PPS, prefix SEI or NAL types 41..44 and 48..55, or a slice
// segment with first_slice_segment_in_pic_flag, starts a new access unit
// once the current one holds a slice. The result shares the input slices.
func SplitAccessUnits(nals [][]byte) [][][]byte {
	var aus [][][]byte
	var cur [][]byte
	haveSlice := false
	for _, nal := range nals {
		if len(nal) < 2 {
			continue
		}
		t := nalType(nal)
		starts := false
		switch {
		case t <= 31:
			if len(nal) >= 3 && nal[2]&0x80 != 0 && t <= 21 && !(t > 9 && t < 16) {
				starts = true
			}
		case t == nalVPS || t == nalSPS || t == nalPPS || t == nalAUD || t == nalPrefixSEI ||
			(t >= 41 && t <= 44) || (t >= 48 && t <= 55):
			starts = true
		}
		if starts && haveSlice {
			aus = append(aus, cur)
			cur = nil
			haveSlice = false
		}
		cur = append(cur, nal)
		if t <= 31 {
			haveSlice = true
		}
	}
	if len(cur) > 0 {
		aus = append(aus, cur)
	}
	return aus
}

// checkTiles validates the PPS tile structure against the SPS picture size
// (§7.4.3.3.1): every tile column and row holds at least one CTB and the
// explicit sizes fit in the picture.
func checkTiles(s *sps, pp *pps) error {
	if pp.numTileCols > s.picWCtb || pp.numTileRows > s.picHCtb {
		return decode.FormatError("more tile columns or rows than CTBs")
	}
	if pp.tiles && !pp.uniformSpacing {
		w, h := 0, 0
		for i := 0; i < pp.numTileCols-1; i++ {
			w += pp.colWidthMinus1[i] + 1
		}
		for j := 0; j < pp.numTileRows-1; j++ {
			h += pp.rowHeightMinus1[j] + 1
		}
		if w >= s.picWCtb || h >= s.picHCtb {
			return decode.FormatError("tile columns or rows larger than the picture")
		}
	}
	return nil
}
