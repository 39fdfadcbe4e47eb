package h265

import (
	"fmt"

	"github.com/stills/stills/decode"
)

// NAL unit types (Table 7-1).
const (
	nalBLAWLP    = 16
	nalBLAWRADL  = 17
	nalBLANLP    = 18
	nalIDRWRADL  = 19
	nalIDRNLP    = 20
	nalCRA       = 21
	nalRsvIRAP23 = 23
	nalVPS       = 32
	nalSPS       = 33
	nalPPS       = 34
	nalAUD       = 35
	nalEOS       = 36
	nalEOB       = 37
	nalFD        = 38
	nalPrefixSEI = 39
	nalSuffixSEI = 40
	sliceTypeI   = 2
)

// sliceHeader holds slice_segment_header() (§7.3.6.1) fields the intra
// decoding process uses. A dependent slice segment copies the fields of
// its independent slice segment.
type sliceHeader struct {
	firstSliceInPic        bool
	ppsID                  int
	dependent              bool
	segmentAddr            int // slice_segment_address
	sliceAddrRs            int // SliceAddrRs: address of the independent segment
	sliceType              int
	saoLuma, saoChroma     bool
	qpY                    int // SliceQpY
	cbQPOffset             int
	crQPOffset             int
	deblockingDisabled     bool
	betaOffsetDiv2         int
	tcOffsetDiv2           int
	loopFilterAcrossSlices bool
	numEntryPoints         int
	dataOffset             int // byte offset of slice_segment_data() in the RBSP
}

func ceilLog2(n int) int {
	k := 0
	for (1 << k) < n {
		k++
	}
	return k
}

// parseSliceHeader implements slice_segment_header() (§7.3.6.1) on an
// RBSP. prev is the header of the previous independent slice segment of the
// picture (for dependent segments). It returns decode.ErrNotIntra for P and
// B slices.
func (d *Decoder) parseSliceHeader(rbsp []byte, nalType int, prev *sliceHeader, h *sliceHeader) error {
	var r bitReader
	r.init(rbsp)
	r.skip(16)
	h.firstSliceInPic = r.flag()
	if nalType >= nalBLAWLP && nalType <= nalRsvIRAP23 {
		r.skip(1) // no_output_of_prior_pics_flag
	}
	h.ppsID = r.ueMax(MaxPPSCount-1, "slice_pic_parameter_set_id")
	p := d.pps[h.ppsID]
	if p != nil && d.sps[p.spsID] == nil && d.spsErr[p.spsID] != nil {
		return d.spsErr[p.spsID]
	}
	if p == nil || d.sps[p.spsID] == nil {
		return decode.ErrMissingParameterSet
	}
	s := d.sps[p.spsID]
	h.dependent = false
	h.segmentAddr = 0
	if !h.firstSliceInPic {
		if p.dependentSliceSegments {
			h.dependent = r.flag()
		}
		n := s.picWCtb * s.picHCtb
		h.segmentAddr = int(r.u(ceilLog2(n)))
		if h.segmentAddr >= n {
			return decode.FormatError("slice_segment_address outside the picture")
		}
	}
	if h.dependent {
		if prev == nil {
			return decode.FormatError("dependent slice segment without a preceding slice segment")
		}
		addr, first, ppsID := h.segmentAddr, h.firstSliceInPic, h.ppsID
		*h = *prev
		h.segmentAddr, h.firstSliceInPic, h.ppsID, h.dependent = addr, first, ppsID, true
	} else {
		h.sliceAddrRs = h.segmentAddr
		r.skip(p.numExtraSliceHeaderBits)
		h.sliceType = r.ueMax(2, "slice_type")
		if h.sliceType != sliceTypeI {
			return decode.ErrNotIntra
		}
		if p.outputFlagPresent {
			r.skip(1)
		}
		if nalType != nalIDRWRADL && nalType != nalIDRNLP {
			r.skip(s.log2MaxPocLsb) // slice_pic_order_cnt_lsb
			if !r.flag() {          // short_term_ref_pic_set_sps_flag
				parseShortTermRefPicSet(&r, s, s.numShortTermRefSets)
			} else if s.numShortTermRefSets > 1 {
				r.skip(ceilLog2(s.numShortTermRefSets))
			}
			if s.longTermRefsPresent {
				nSPS := 0
				if s.numLongTermRefsSPS > 0 {
					nSPS = r.ueMax(uint32(s.numLongTermRefsSPS), "num_long_term_sps")
				}
				nPics := r.ueMax(MaxLongTermRefPics, "num_long_term_pics")
				for i := 0; i < nSPS+nPics && r.err == nil; i++ {
					if i < nSPS {
						if s.numLongTermRefsSPS > 1 {
							r.skip(ceilLog2(s.numLongTermRefsSPS))
						}
					} else {
						r.skip(s.log2MaxPocLsb + 1)
					}
					if r.flag() { // delta_poc_msb_present_flag
						r.ue()
					}
				}
			}
			if s.temporalMVP {
				r.skip(1)
			}
		}
		h.saoLuma, h.saoChroma = false, false
		if s.sao {
			h.saoLuma = r.flag()
			h.saoChroma = r.flag()
		}
		qpBdOffset := 6 * (s.bitDepthY - 8)
		h.qpY = p.initQP + r.seRange(-62, 62, "slice_qp_delta")
		if h.qpY < -qpBdOffset || h.qpY > 51 {
			return decode.FormatError("SliceQpY out of range")
		}
		h.cbQPOffset, h.crQPOffset = 0, 0
		if p.sliceChromaQPOffsets {
			h.cbQPOffset = r.seRange(-12, 12, "slice_cb_qp_offset")
			h.crQPOffset = r.seRange(-12, 12, "slice_cr_qp_offset")
		}
		override := false
		if p.deblockingOverride {
			override = r.flag()
		}
		h.deblockingDisabled = p.deblockingDisabled
		h.betaOffsetDiv2, h.tcOffsetDiv2 = p.betaOffsetDiv2, p.tcOffsetDiv2
		if override {
			h.deblockingDisabled = r.flag()
			if !h.deblockingDisabled {
				h.betaOffsetDiv2 = r.seRange(-6, 6, "slice_beta_offset_div2")
				h.tcOffsetDiv2 = r.seRange(-6, 6, "slice_tc_offset_div2")
			}
		}
		h.loopFilterAcrossSlices = p.loopFilterAcrossSlices
		if p.loopFilterAcrossSlices && (h.saoLuma || h.saoChroma || !h.deblockingDisabled) {
			h.loopFilterAcrossSlices = r.flag()
		}
	}
	h.numEntryPoints = 0
	if p.tiles || p.entropySync {
		h.numEntryPoints = r.ueMax(MaxEntryPoints, "num_entry_point_offsets")
		if h.numEntryPoints > 0 {
			n := r.ueMax(31, "offset_len_minus1") + 1
			for i := 0; i < h.numEntryPoints && r.err == nil; i++ {
				r.skip(n)
			}
		}
	}
	if p.sliceHeaderExtension {
		n := r.ueMax(MaxSliceHeaderExtLen, "slice_segment_header_extension_length")
		r.skip(8 * n)
	}
	// byte_alignment(): alignment_bit_equal_to_one, then zero bits.
	if r.u1() != 1 && r.err == nil {
		return decode.FormatError("slice header byte_alignment() does not start with a 1 bit")
	}
	for !r.byteAligned() && r.err == nil {
		r.skip(1)
	}
	if r.err != nil {
		return fmt.Errorf("h265: slice header: %w", r.err)
	}
	h.dataOffset = r.pos >> 3
	return nil
}
