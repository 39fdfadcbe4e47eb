package h264

import (
	"fmt"

	"github.com/stills/stills/decode"
)

// MaxSlicesPerPicture bounds the slices taken from one access unit; at most
// one per macroblock row is common, one per macroblock is the extreme.
const MaxSlicesPerPicture = MaxPicSizeInMbs

// skipLoopFilter turns the deblocking filter off; tests set it to compare
// with ffmpeg -skip_loop_filter all.
var skipLoopFilter bool

// Decoder decodes the intra pictures of an H.264 stream. It implements
// decode.Decoder. It is not safe for concurrent use.
type Decoder struct {
	ps        paramSets
	poc       pocState
	nalLength int // NAL unit length size from avcC (0 before Configure)

	slices  [][]byte // RBSPs of the slices of the current access unit (reused)
	nalInfo []int    // nal_unit_type | nal_ref_idc<<8 per slice
	hdrs    []sliceHeader

	pic   picture
	ls    levelScale
	sd    sliceDecoder
	frame decode.Frame
}

// NewDecoder returns a decoder with no parameter sets.
func NewDecoder() *Decoder { return &Decoder{} }

// Configure takes an avcC record (AVCDecoderConfigurationRecord,
// ISO/IEC 14496-15 §5.3.3.1) and keeps its parameter sets.
//
// The record is parsed here rather than with mp4ff's avc package because
// that package rejects lengthSizeMinusOne values other than 3, which the
// format allows (1- and 2-byte NAL lengths), and does not return the size.
func (d *Decoder) Configure(record []byte) error {
	if len(record) < 7 {
		return decode.FormatError("avcC record shorter than 7 bytes")
	}
	if record[0] != 1 {
		return decode.FormatError(fmt.Sprintf("avcC configurationVersion %d, want 1", record[0]))
	}
	lengthSize := int(record[4]&3) + 1
	if lengthSize == 3 {
		return decode.FormatError("avcC lengthSizeMinusOne 2 is reserved")
	}
	pos := 6
	readSets := func(n int, put func([]byte) error) error {
		for i := 0; i < n; i++ {
			if pos+2 > len(record) {
				return decode.FormatError("avcC parameter set list is truncated")
			}
			l := int(record[pos])<<8 | int(record[pos+1])
			pos += 2
			if pos+l > len(record) {
				return decode.FormatError("avcC parameter set runs past the end of the record")
			}
			if l > 0 {
				if err := put(record[pos : pos+l]); err != nil {
					return err
				}
			}
			pos += l
		}
		return nil
	}
	if err := readSets(int(record[5]&0x1f), d.putSPS); err != nil {
		return err
	}
	if pos >= len(record) {
		return decode.FormatError("avcC record ends before numOfPictureParameterSets")
	}
	n := int(record[pos])
	pos++
	if err := readSets(n, d.putPPS); err != nil {
		return err
	}
	d.nalLength = lengthSize
	return nil
}

// NALLengthSize returns the NAL unit length size of the avcC record given
// to Configure (0 when none was).
func (d *Decoder) NALLengthSize() int { return d.nalLength }

func (d *Decoder) putSPS(nal []byte) error {
	if nal[0]&0x1f != nalSPS {
		return decode.FormatError("avcC SPS entry is not an SPS NAL unit")
	}
	return d.ps.putSPS(nal)
}

func (d *Decoder) putPPS(nal []byte) error {
	if nal[0]&0x1f != nalPPS {
		return decode.FormatError("avcC PPS entry is not a PPS NAL unit")
	}
	return d.ps.putPPS(nal)
}

// DecodeAccessUnit decodes the NAL units of one access unit (§7.4.1.2.3)
// and returns its picture. The Frame and its planes stay valid until the
// next call.
func (d *Decoder) DecodeAccessUnit(nals [][]byte) (f *decode.Frame, err error) {
	defer func() {
		// Last line of defence: a decoder bug must not take the process
		// down. Every bound is checked explicitly; this is not one of them.
		if r := recover(); r != nil {
			f, err = nil, decode.FormatError(fmt.Sprintf("H.264 decoder failure (bug): %v", r))
		}
	}()
	n := 0
	var psErr error
	for _, nal := range nals {
		if len(nal) < 1 || nal[0]&0x80 != 0 {
			continue
		}
		switch t := int(nal[0] & 0x1f); t {
		case nalSPS:
			if err := d.ps.putSPS(nal); err != nil && psErr == nil {
				psErr = err
			}
		case nalPPS:
			if err := d.ps.putPPS(nal); err != nil && psErr == nil {
				psErr = err
			}
		case nalSlice, nalIDR:
			if n >= MaxSlicesPerPicture {
				return nil, decode.FormatError(fmt.Sprintf("H.264 access unit has more than %d slices", MaxSlicesPerPicture))
			}
			if n == len(d.slices) {
				d.slices = append(d.slices, nil)
				d.nalInfo = append(d.nalInfo, 0)
				d.hdrs = append(d.hdrs, sliceHeader{})
			}
			d.slices[n] = unescapeRBSP(d.slices[n], nal[1:])
			d.nalInfo[n] = t | int(nal[0]>>5&3)<<8
			n++
		case nalSliceDPA, nalSliceDPA + 1, nalSliceDPC:
			return nil, decode.UnsupportedError("H.264 data partitioning (Extended profile)")
		}
	}
	if n == 0 {
		if psErr != nil {
			return nil, psErr
		}
		return nil, decode.ErrNoPicture
	}
	return d.decodePicture(n)
}

// decodePicture parses the headers of the n slices in d.slices (§7.3.3),
// advances the picture order count (§8.2.1) and, for an intra picture,
// decodes every slice (§7.3.4) while deblocking (§8.7) the macroblock rows
// it completes, deblocks the rest and crops the result.
func (d *Decoder) decodePicture(n int) (*decode.Frame, error) {
	var sp *sps
	var pp *pps
	intra := true
	var unsupported error
	var r bitReader
	kept := 0
	for i := 0; i < n; i++ {
		h := &d.hdrs[kept]
		r.init(d.slices[i])
		s, p, _, err := parseSliceHeader(&r, d.nalInfo[i]&0xff, d.nalInfo[i]>>8, h, &d.ps)
		if err != nil {
			return nil, err
		}
		if h.RedundantPicCnt > 0 {
			continue // redundant coded picture: the primary one is used
		}
		if kept == 0 {
			sp, pp = s, p
			// POC of every picture, intra or not, keeps §8.2.1 in step.
			d.poc.picOrderCnt(h, sp)
		} else if p != pp {
			return nil, decode.FormatError("H.264 slices of one picture use different PPSs")
		}
		switch h.SliceType {
		case sliceI:
		case sliceSI:
			unsupported = decode.UnsupportedError("H.264 SI slices")
		default:
			intra = false
		}
		h.dataBit = r.bitPos()
		d.slices[kept], d.slices[i] = d.slices[i], d.slices[kept]
		d.nalInfo[kept], d.nalInfo[i] = d.nalInfo[i], d.nalInfo[kept]
		kept++
	}
	if kept == 0 {
		return nil, decode.ErrNoPicture
	}
	if !intra {
		return nil, decode.ErrNotIntra
	}
	if unsupported != nil {
		return nil, unsupported
	}
	h0 := &d.hdrs[0]
	poc := d.poc.lastPOC
	if h0.FieldPic {
		return nil, decode.UnsupportedError("H.264 field pictures (interlaced)")
	}
	if sp.MbAdaptiveFrameField {
		return nil, decode.UnsupportedError("H.264 MBAFF frames (interlaced)")
	}
	if sp.SeparateColourPlane {
		return nil, decode.UnsupportedError("H.264 4:4:4 with separate colour planes")
	}
	d.setupPicture(sp)
	d.ls.init(&pp.Scaling)
	p := &d.pic
	p.slices = p.slices[:0]
	deblock := false
	for i := 0; i < kept; i++ {
		if d.hdrs[i].DisableDeblockingFilterIdc != 1 {
			deblock = true
		}
	}
	// The rows are filtered while the slices are decoded (deblock_rows.go).
	p.startRows(deblock && !skipLoopFilter)
	for i := 0; i < kept; i++ {
		h := &d.hdrs[i]
		p.slices = append(p.slices, sliceInfo{
			disableDeblockingFilterIdc: uint8(h.DisableDeblockingFilterIdc),
			filterOffsetA:              int8(h.SliceAlphaC0OffsetDiv2 << 1),
			filterOffsetB:              int8(h.SliceBetaOffsetDiv2 << 1),
			chromaQpIndexOffset:        int8(pp.ChromaQpIndexOffset),
			secondChromaQpIndexOffset:  int8(pp.SecondChromaQpIndexOffset),
		})
		if err := d.decodeSlice(i, sp, pp); err != nil {
			return nil, err
		}
	}
	decoded := 0
	for i := range p.mbs {
		if p.mbs[i].slice >= 0 {
			decoded++
		}
	}
	if decoded != len(p.mbs) {
		return nil, decode.FormatError(fmt.Sprintf("H.264 picture is incomplete: %d of %d macroblocks coded", decoded, len(p.mbs)))
	}
	p.finishRows()
	d.fillFrame(sp, h0.idr, poc)
	return &d.frame, nil
}

// decodeSlice sets up the slice decoder for slice i and decodes its data.
func (d *Decoder) decodeSlice(i int, sp *sps, pp *pps) error {
	sd := &d.sd
	h := &d.hdrs[i]
	sd.rbsp = d.slices[i]
	sd.r.init(sd.rbsp)
	sd.r.seek(h.dataBit)
	sd.useCabac = pp.EntropyCodingMode
	sd.pic = &d.pic
	sd.sps, sd.pps, sd.ls = sp, pp, &d.ls
	sd.sliceIdx = int32(i)
	sd.qpBdY = 6 * (sp.BitDepthY - 8)
	sd.qpBdC = 6 * (sp.BitDepthC - 8)
	sd.chromaArrayType = sp.ChromaArrayType()
	sd.bitDepthY, sd.bitDepthC = sp.BitDepthY, sp.BitDepthC
	sd.maxY = int32(1)<<uint(sp.BitDepthY) - 1
	sd.maxC = int32(1)<<uint(sp.BitDepthC) - 1
	sd.coef4 = [3][16][16]int32{}
	sd.coef8 = [3][4][64]int32{}
	sd.coefC = [2][8][16]int32{}
	return sd.decodeSlice(h)
}

// setupPicture sizes the working picture for sp, reusing its buffers.
func (d *Decoder) setupPicture(sp *sps) {
	p := &d.pic
	p.widthMbs, p.heightMbs = sp.PicWidthInMbs, sp.FrameHeightInMbs
	p.chromaFormat = decode.ChromaFormat(sp.ChromaFormatIdc)
	p.bitDepthY, p.bitDepthC = sp.BitDepthY, sp.BitDepthC
	p.qpprimeYZeroTransformBypass = sp.QpprimeYZeroTransformBypass
	switch sp.ChromaFormatIdc {
	case 1:
		p.mbWidthC, p.mbHeightC = 8, 8
	case 2:
		p.mbWidthC, p.mbHeightC = 8, 16
	case 3:
		p.mbWidthC, p.mbHeightC = 16, 16
	default:
		p.mbWidthC, p.mbHeightC = 0, 0
	}
	p.yStride = p.widthMbs * 16
	p.cStride = p.widthMbs * p.mbWidthC
	p.y = grow(p.y, p.yStride*p.heightMbs*16)
	nc := p.cStride * p.heightMbs * p.mbHeightC
	p.cb = grow(p.cb, nc)
	p.cr = grow(p.cr, nc)
	nmb := p.widthMbs * p.heightMbs
	if cap(p.mbs) < nmb {
		p.mbs = make([]mbInfo, nmb)
	}
	p.mbs = p.mbs[:nmb]
	for i := range p.mbs {
		p.mbs[i].slice = -1
	}
}

func grow(b []uint16, n int) []uint16 {
	if cap(b) < n {
		return make([]uint16, n)
	}
	return b[:n]
}

// fillFrame points d.frame at the conformance window of the picture
// (§7.4.2.1.1, frame_crop_*_offset).
func (d *Decoder) fillFrame(sp *sps, idr bool, poc int) {
	p := &d.pic
	f := &d.frame
	cux, cuy := 1, 2-b2i(sp.FrameMbsOnly)
	sw, sh := 1, 1
	if sp.ChromaArrayType() != 0 {
		sw, sh = decode.ChromaFormat(sp.ChromaFormatIdc).SubWidthHeight()
		cux, cuy = sw, sh*(2-b2i(sp.FrameMbsOnly))
	}
	left, top := sp.CropLeft*cux, sp.CropTop*cuy
	*f = decode.Frame{
		Width:        p.widthMbs*16 - (sp.CropLeft+sp.CropRight)*cux,
		Height:       p.heightMbs*16 - (sp.CropTop+sp.CropBot)*cuy,
		ChromaFormat: p.chromaFormat,
		BitDepthY:    p.bitDepthY,
		BitDepthC:    p.bitDepthC,
		Y:            p.y[top*p.yStride+left:],
		YStride:      p.yStride,
		Colour:       sp.Colour,
		SARWidth:     sp.SARWidth,
		SARHeight:    sp.SARHeight,
		Keyframe:     idr,
		PicOrderCnt:  poc,
	}
	if p.chromaFormat != decode.Chroma400 {
		off := (top/sh)*p.cStride + left/sw
		f.Cb = p.cb[off:]
		f.Cr = p.cr[off:]
		f.CStride = p.cStride
	} else {
		f.BitDepthC = 0
	}
}
