package h264

import (
	"bytes"
	"fmt"

	"github.com/stills/stills/decode"
)

// paramSets keeps the SPSs and PPSs seen so far. A PPS is kept as its RBSP
// and parsed against its SPS when a slice activates it, so that an SPS
// that changes after the PPS arrived is honoured.
type paramSets struct {
	sps      [MaxSPSCount]*sps
	ppsRaw   [MaxPPSCount][]byte
	pps      [MaxPPSCount]*pps
	ppsErr   [MaxPPSCount]error
	ppsValid [MaxPPSCount]bool // pps[i]/ppsErr[i] are up to date
	tmp      sps
	buf      []byte
}

// putSPS takes an SPS NAL unit (with its header byte).
func (ps *paramSets) putSPS(nal []byte) error {
	ps.buf = unescapeRBSP(ps.buf, nal[1:])
	if err := parseSPS(ps.buf, &ps.tmp); err != nil {
		return err
	}
	id := ps.tmp.ID
	if ps.sps[id] != nil && *ps.sps[id] == ps.tmp {
		return nil
	}
	if ps.sps[id] == nil {
		ps.sps[id] = new(sps)
	}
	*ps.sps[id] = ps.tmp
	for i := range ps.ppsValid {
		ps.ppsValid[i] = false
	}
	return nil
}

// putPPS takes a PPS NAL unit (with its header byte).
func (ps *paramSets) putPPS(nal []byte) error {
	ps.buf = unescapeRBSP(ps.buf, nal[1:])
	var r bitReader
	r.init(ps.buf)
	id := r.ueMax(MaxPPSCount - 1)
	if r.bad() {
		return decode.FormatError("H.264 PPS is truncated")
	}
	if bytes.Equal(ps.ppsRaw[id], ps.buf) {
		return nil
	}
	ps.ppsRaw[id] = append(ps.ppsRaw[id][:0], ps.buf...)
	ps.ppsValid[id] = false
	return nil
}

func (ps *paramSets) spsByID(id int) *sps {
	if id < 0 || id >= MaxSPSCount {
		return nil
	}
	return ps.sps[id]
}

// get returns the PPS with the given id and its SPS.
func (ps *paramSets) get(id int) (*sps, *pps, error) {
	if ps.ppsRaw[id] == nil {
		return nil, nil, fmt.Errorf("H.264 slice refers to PPS %d: %w", id, decode.ErrMissingParameterSet)
	}
	if !ps.ppsValid[id] {
		if ps.pps[id] == nil {
			ps.pps[id] = new(pps)
		}
		ps.ppsErr[id] = parsePPS(ps.ppsRaw[id], ps.pps[id], ps.spsByID)
		ps.ppsValid[id] = true
	}
	if ps.ppsErr[id] != nil {
		return nil, nil, ps.ppsErr[id]
	}
	return ps.sps[ps.pps[id].SPSID], ps.pps[id], nil
}

// ParseSPS parses one SPS NAL unit (header byte included, emulation
// prevention bytes in place) with the decoder's own bounded parser, for
// indexers that want the picture size and frame rate without decoding. It is
// safe on hostile input: every count is checked against the standard's
// limits, unlike general-purpose parsers that allocate what a count says.
func ParseSPS(nal []byte) (decode.SequenceInfo, error) {
	if len(nal) < 2 || nal[0]&0x1f != nalSPS {
		return decode.SequenceInfo{}, decode.FormatError("not an H.264 SPS NAL unit")
	}
	var s sps
	if err := parseSPS(unescapeRBSP(nil, nal[1:]), &s); err != nil {
		return decode.SequenceInfo{}, err
	}
	cux, cuy := 1, 2-b2i(s.FrameMbsOnly)
	if s.ChromaArrayType() != 0 {
		sw, sh := decode.ChromaFormat(s.ChromaFormatIdc).SubWidthHeight()
		cux, cuy = sw, sh*(2-b2i(s.FrameMbsOnly))
	}
	info := decode.SequenceInfo{
		Width:  s.PicWidthInMbs*16 - (s.CropLeft+s.CropRight)*cux,
		Height: s.FrameHeightInMbs*16 - (s.CropTop+s.CropBot)*cuy,
		Colour: s.Colour,
	}
	if s.NumUnitsInTick > 0 && s.TimeScale > 0 {
		info.FrameTicks, info.TimeScale = 2*uint64(s.NumUnitsInTick), uint64(s.TimeScale)
	}
	return info, nil
}
