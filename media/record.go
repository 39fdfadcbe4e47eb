package media

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/Eyevinn/mp4ff/avc"
	"github.com/Eyevinn/mp4ff/hevc"

	"github.com/stills/stills/decode"
	"github.com/stills/stills/decode/h264"
	"github.com/stills/stills/decode/h265"
)

// NALLengthSize validates an avcC (ISO/IEC 14496-15 §5.3.3.1) or hvcC
// (§8.3.3.1) decoder configuration record with mp4ff and returns its NAL
// unit length size. Matroska CodecPrivate and MP4 sample entries carry the
// same records, so every reader shares this check.
func NALLengthSize(c decode.Codec, rec []byte) (n int, err error) {
	defer func() {
		// mp4ff's record parsers index without checking on some
		// malformed records; a hostile record must be an error, not a crash.
		if r := recover(); r != nil {
			err = fmt.Errorf("decoder configuration record: %v", r)
		}
	}()
	switch c {
	case decode.H264:
		if len(rec) < 7 || rec[0] != 1 {
			return 0, errors.New("avcC: bad version or too short")
		}
		if _, err := avc.DecodeAVCDecConfRec(rec); err != nil {
			return 0, err
		}
		return int(rec[4]&3) + 1, nil
	case decode.H265:
		if len(rec) < 23 || rec[0] != 1 {
			return 0, errors.New("hvcC: bad version or too short")
		}
		if _, err := hevc.DecodeHEVCDecConfRec(rec); err != nil {
			return 0, err
		}
		return int(rec[21]&3) + 1, nil
	}
	return 0, errors.New("no decoder configuration record for this codec")
}

// FrameParameterSets returns the VPS/SPS/PPS of an avcC/hvcC record as NAL
// units framed by format (start codes, or big-endian lengths of lengthSize
// bytes), ready to put in front of a sample; nil when the record cannot be
// parsed or a unit does not fit the length size.
func FrameParameterSets(c decode.Codec, rec []byte, format NALFormat, lengthSize int) (out []byte) {
	defer func() {
		if r := recover(); r != nil {
			out = nil
		}
	}()
	var nals [][]byte
	switch c {
	case decode.H264:
		r, err := avc.DecodeAVCDecConfRec(rec)
		if err != nil {
			return nil
		}
		nals = append(append(nals, r.SPSnalus...), r.PPSnalus...)
	case decode.H265:
		r, err := hevc.DecodeHEVCDecConfRec(rec)
		if err != nil {
			return nil
		}
		for _, a := range r.NaluArrays {
			nals = append(nals, a.Nalus...)
		}
	}
	for _, n := range nals {
		if format == AnnexB {
			out = append(append(out, 0, 0, 0, 1), n...)
			continue
		}
		if lengthSize < 1 || lengthSize > 4 || uint64(len(n)) >= 1<<(8*lengthSize) {
			return nil
		}
		for i := lengthSize - 1; i >= 0; i-- {
			out = append(out, byte(len(n)>>(8*i)))
		}
		out = append(out, n...)
	}
	return out
}

// RecordFromParameterSets builds an avcC (ISO/IEC 14496-15 §5.3.3.1) or hvcC
// (§8.3.3.1) record with 4-byte NAL lengths from parameter sets found in a
// stream (vps is ignored for H.264). It returns nil, nil when a required set
// is missing. mp4ff builds the record, but it parses the first SPS with a
// parser that allocates whatever a hostile count asks for, so that SPS is
// first checked by the decoder's own bounded parser.
func RecordFromParameterSets(c decode.Codec, vps, sps, pps [][]byte) (rec []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			rec, err = nil, fmt.Errorf("building decoder configuration record: %v", r)
		}
	}()
	var w bytes.Buffer
	switch c {
	case decode.H264:
		if len(sps) == 0 || len(pps) == 0 {
			return nil, nil
		}
		if _, err := h264.ParseSPS(sps[0]); err != nil {
			return nil, fmt.Errorf("SPS: %w", err)
		}
		r, err := avc.CreateAVCDecConfRec(sps, pps, true)
		if err != nil {
			return nil, err
		}
		if err := r.Encode(&w); err != nil {
			return nil, err
		}
	case decode.H265:
		if len(vps) == 0 || len(sps) == 0 || len(pps) == 0 {
			return nil, nil
		}
		if info, err := h265.ParseSPS(sps[0]); info.Width <= 0 {
			return nil, fmt.Errorf("SPS: %w", err)
		}
		r, err := hevc.CreateHEVCDecConfRec(vps, sps, pps, true, true, true, true)
		if err != nil {
			return nil, err
		}
		if err := r.Encode(&w); err != nil {
			return nil, err
		}
	default:
		return nil, errors.New("no decoder configuration record for this codec")
	}
	return w.Bytes(), nil
}
