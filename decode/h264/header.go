package h264

import (
	"github.com/stills/stills/decode"
)

// NAL unit types used here (Table 7-1).
const (
	nalSlice      = 1
	nalSliceDPA   = 2
	nalSliceDPC   = 4
	nalIDR        = 5
	nalSEI        = 6
	nalSPS        = 7
	nalPPS        = 8
	nalAUD        = 9
	nalEndSeq     = 10
	nalEndStream  = 11
	nalFiller     = 12
	nalSPSExt     = 13
	nalPrefix     = 14
	nalSubsetSPS  = 15
	nalSliceExt   = 20
	nalSliceExt3D = 21
)

// Slice types modulo 5 (Table 7-6).
const (
	sliceP  = 0
	sliceB  = 1
	sliceI  = 2
	sliceSP = 3
	sliceSI = 4
)

// MaxMMCOPerSlice bounds the memory_management_control_operation loop of
// dec_ref_pic_marking() (§7.3.3.3): at most one operation per reference
// frame and a few more are meaningful; 66 leaves room for 32 fields of each
// kind plus the terminating operations.
const MaxMMCOPerSlice = 66

// sliceHeader holds the slice_header() fields (§7.3.3) the decoder uses.
type sliceHeader struct {
	nalType, nalRefIdc                          int
	idr                                         bool
	FirstMbInSlice                              int
	SliceType                                   int // modulo 5
	PPSID                                       int
	FrameNum                                    int
	FieldPic, BottomField                       bool
	IdrPicID                                    int
	PicOrderCntLsb                              int
	DeltaPicOrderCntBottom                      int32
	DeltaPicOrderCnt                            [2]int32
	RedundantPicCnt                             int
	MMCO5                                       bool // memory_management_control_operation 5 present
	SliceQPDelta                                int
	DisableDeblockingFilterIdc                  int
	SliceAlphaC0OffsetDiv2, SliceBetaOffsetDiv2 int
	dataBit                                     int // bit position of slice_data() in the RBSP
}

// parseSliceHeader parses the slice header of a slice RBSP (after the NAL
// header byte). It needs the SPS and PPS the slice refers to; lookup returns
// them (or nil). For P, B and SP slices it stops after the fields that
// identify the picture (§7.4.1.2.4) and its order count: the rest is not
// needed to decide that the picture is not intra. full reports whether the
// whole header was read (I and SI slices).
func parseSliceHeader(r *bitReader, nalType, nalRefIdc int, h *sliceHeader,
	ps *paramSets) (sp *sps, pp *pps, full bool, err error) {
	*h = sliceHeader{nalType: nalType, nalRefIdc: nalRefIdc, idr: nalType == nalIDR}
	h.FirstMbInSlice = r.ueMax(MaxPicSizeInMbs - 1)
	st := r.ueMax(9)
	h.SliceType = st % 5
	h.PPSID = r.ueMax(MaxPPSCount - 1)
	if r.bad() {
		return nil, nil, false, decode.FormatError("H.264 slice header is truncated")
	}
	sp, pp, err = ps.get(h.PPSID)
	if err != nil {
		return nil, nil, false, err
	}
	if sp.SeparateColourPlane {
		r.u(2) // colour_plane_id
	}
	h.FrameNum = int(r.u(sp.Log2MaxFrameNum))
	if !sp.FrameMbsOnly {
		h.FieldPic = r.flag()
		if h.FieldPic {
			h.BottomField = r.flag()
		}
	}
	if h.idr {
		h.IdrPicID = r.ueMax(65535)
	}
	if sp.PicOrderCntType == 0 {
		h.PicOrderCntLsb = int(r.u(sp.Log2MaxPicOrderCntLsb))
		if pp.BottomFieldPicOrderInFramePresent && !h.FieldPic {
			h.DeltaPicOrderCntBottom = r.se()
		}
	}
	if sp.PicOrderCntType == 1 && !sp.DeltaPicOrderAlwaysZero {
		h.DeltaPicOrderCnt[0] = r.se()
		if pp.BottomFieldPicOrderInFramePresent && !h.FieldPic {
			h.DeltaPicOrderCnt[1] = r.se()
		}
	}
	if pp.RedundantPicCntPresent {
		h.RedundantPicCnt = r.ueMax(127)
	}
	if r.bad() {
		return sp, pp, false, decode.FormatError("H.264 slice header is truncated")
	}
	if h.SliceType != sliceI && h.SliceType != sliceSI {
		return sp, pp, false, nil
	}
	// I and SI slices: no reference list syntax (§7.3.3).
	if nalRefIdc != 0 {
		// dec_ref_pic_marking() (§7.3.3.3)
		if h.idr {
			r.flag() // no_output_of_prior_pics_flag
			r.flag() // long_term_reference_flag
		} else if r.flag() { // adaptive_ref_pic_marking_mode_flag
			for i := 0; ; i++ {
				if i >= MaxMMCOPerSlice || r.bad() {
					return sp, pp, false, decode.FormatError("H.264 dec_ref_pic_marking has too many operations")
				}
				op := r.ueMax(6)
				if op == 0 {
					break
				}
				if op == 5 {
					h.MMCO5 = true
				}
				if op == 1 || op == 3 {
					r.ue() // difference_of_pic_nums_minus1
				}
				if op == 2 {
					r.ue() // long_term_pic_num
				}
				if op == 3 || op == 6 {
					r.ue() // long_term_frame_idx
				}
				if op == 4 {
					r.ue() // max_long_term_frame_idx_plus1
				}
			}
		}
	}
	qpBdOffsetY := 6 * (sp.BitDepthY - 8)
	h.SliceQPDelta = r.seRange(int32(-pp.PicInitQp-qpBdOffsetY), int32(51-pp.PicInitQp))
	if h.SliceType == sliceSI {
		r.se() // slice_qs_delta
	}
	if pp.DeblockingFilterControlPresent {
		h.DisableDeblockingFilterIdc = r.ueMax(2)
		if h.DisableDeblockingFilterIdc != 1 {
			h.SliceAlphaC0OffsetDiv2 = r.seRange(-6, 6)
			h.SliceBetaOffsetDiv2 = r.seRange(-6, 6)
		}
	}
	if r.bad() {
		return sp, pp, false, decode.FormatError("H.264 slice header is truncated or has out-of-range values")
	}
	h.dataBit = r.bitPos()
	return sp, pp, true, nil
}

// pocState carries the picture order count decoding state between pictures
// (§8.2.1).
type pocState struct {
	prevPicOrderCntMsb, prevPicOrderCntLsb int
	prevFrameNumOffset, prevFrameNum       int
	prevMMCO5                              bool
	prevRefTopPoc                          int
	lastPOC                                int // PicOrderCnt of the last picture
}

// picOrderCnt derives PicOrderCnt of a frame (§8.2.1.1 to §8.2.1.3) from the
// first slice header of a picture and updates the state.
func (st *pocState) picOrderCnt(h *sliceHeader, sp *sps) int {
	maxFrameNum := 1 << uint(sp.Log2MaxFrameNum)
	var top, bot int
	switch sp.PicOrderCntType {
	case 0:
		if h.idr {
			st.prevPicOrderCntMsb, st.prevPicOrderCntLsb = 0, 0
		} else if st.prevMMCO5 {
			st.prevPicOrderCntMsb, st.prevPicOrderCntLsb = 0, st.prevRefTopPoc
		}
		maxLsb := 1 << uint(sp.Log2MaxPicOrderCntLsb)
		lsb := h.PicOrderCntLsb
		msb := st.prevPicOrderCntMsb
		switch {
		case lsb < st.prevPicOrderCntLsb && st.prevPicOrderCntLsb-lsb >= maxLsb/2:
			msb += maxLsb
		case lsb > st.prevPicOrderCntLsb && lsb-st.prevPicOrderCntLsb > maxLsb/2:
			msb -= maxLsb
		}
		top = msb + lsb
		bot = top + int(h.DeltaPicOrderCntBottom)
		if h.nalRefIdc != 0 {
			st.prevPicOrderCntMsb, st.prevPicOrderCntLsb = msb, lsb
			if h.MMCO5 {
				t := top - min(top, bot)
				st.prevPicOrderCntMsb, st.prevPicOrderCntLsb = 0, t
			}
		}
	default:
		var frameNumOffset int
		switch {
		case h.idr:
			frameNumOffset = 0
		case st.prevMMCO5:
			if st.prevFrameNum > h.FrameNum {
				frameNumOffset = maxFrameNum
			}
		case st.prevFrameNum > h.FrameNum:
			frameNumOffset = st.prevFrameNumOffset + maxFrameNum
		default:
			frameNumOffset = st.prevFrameNumOffset
		}
		if sp.PicOrderCntType == 1 {
			absFrameNum := 0
			if sp.NumRefFramesInPicOrderCntCycle != 0 {
				absFrameNum = frameNumOffset + h.FrameNum
			}
			if h.nalRefIdc == 0 && absFrameNum > 0 {
				absFrameNum--
			}
			expected := 0
			if absFrameNum > 0 {
				n := sp.NumRefFramesInPicOrderCntCycle
				var delta int
				for i := 0; i < n; i++ {
					delta += int(sp.OffsetForRefFrame[i])
				}
				cycle := (absFrameNum - 1) / n
				inCycle := (absFrameNum - 1) % n
				expected = cycle * delta
				for i := 0; i <= inCycle; i++ {
					expected += int(sp.OffsetForRefFrame[i])
				}
			}
			if h.nalRefIdc == 0 {
				expected += int(sp.OffsetForNonRefPic)
			}
			top = expected + int(h.DeltaPicOrderCnt[0])
			bot = top + int(sp.OffsetForTopToBottomField) + int(h.DeltaPicOrderCnt[1])
		} else {
			t := 0
			if !h.idr {
				t = 2 * (frameNumOffset + h.FrameNum)
				if h.nalRefIdc == 0 {
					t--
				}
			}
			top, bot = t, t
		}
		st.prevFrameNumOffset = frameNumOffset
		st.prevFrameNum = h.FrameNum
		if h.MMCO5 {
			st.prevFrameNumOffset, st.prevFrameNum = 0, 0
		}
	}
	st.prevMMCO5 = h.MMCO5 && h.nalRefIdc != 0
	poc := min(top, bot)
	st.lastPOC = poc
	if h.MMCO5 {
		st.prevRefTopPoc = top - poc
	}
	return poc
}
