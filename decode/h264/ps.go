package h264

import (
	"fmt"

	"github.com/stills/stills/decode"
)

// Limits on values read from parameter sets. Each bounds memory or a loop.
const (
	// MaxSPSCount and MaxPPSCount are the id ranges of §7.4.2.1.1 and §7.4.2.2.
	MaxSPSCount = 32
	MaxPPSCount = 256
	// MaxPicWidthInMbs and MaxPicHeightInMbs bound the coded picture size to
	// 8192x8192 samples; MaxPicSizeInMbs is Level 6.2's MaxFS (Table A-1),
	// 8192x4320, the largest frame any level allows.
	MaxPicWidthInMbs  = 512
	MaxPicHeightInMbs = 512
	MaxPicSizeInMbs   = 139264
	// MaxBitDepth is 14 bits (bit_depth_*_minus8 <= 6, §7.4.2.1.1).
	MaxBitDepth = 14
	// MaxRefFramesInPicOrderCntCycle is the bound of
	// num_ref_frames_in_pic_order_cnt_cycle (§7.4.2.1.1).
	MaxRefFramesInPicOrderCntCycle = 255
	// MaxCpbCount bounds cpb_cnt_minus1+1 in hrd_parameters (§E.2.2).
	MaxCpbCount = 32
)

// Default scaling lists, Table 7-3 and 7-4, in zig-zag scan order.
var (
	default4x4Intra = [16]uint8{6, 13, 13, 20, 20, 20, 28, 28, 28, 28, 32, 32, 32, 37, 37, 42}
	default4x4Inter = [16]uint8{10, 14, 14, 20, 20, 20, 24, 24, 24, 24, 27, 27, 27, 30, 30, 34}
	default8x8Intra = [64]uint8{
		6, 10, 10, 13, 11, 13, 16, 16, 16, 16, 18, 18, 18, 18, 18, 23,
		23, 23, 23, 23, 23, 25, 25, 25, 25, 25, 25, 25, 27, 27, 27, 27,
		27, 27, 27, 27, 29, 29, 29, 29, 29, 29, 29, 31, 31, 31, 31, 31,
		31, 33, 33, 33, 33, 33, 36, 36, 36, 36, 38, 38, 38, 40, 40, 42}
	default8x8Inter = [64]uint8{
		9, 13, 13, 15, 13, 15, 17, 17, 17, 17, 19, 19, 19, 19, 19, 21,
		21, 21, 21, 21, 21, 22, 22, 22, 22, 22, 22, 22, 24, 24, 24, 24,
		24, 24, 24, 24, 25, 25, 25, 25, 25, 25, 25, 27, 27, 27, 27, 27,
		27, 28, 28, 28, 28, 28, 30, 30, 30, 30, 32, 32, 32, 33, 33, 35}
	flat4x4 = [16]uint8{16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16}
	flat8x8 = [64]uint8{
		16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
		16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
		16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
		16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16}
)

// scalingMatrix holds the 6 4x4 and 6 8x8 scaling lists in zig-zag order:
// 4x4 lists 0-2 Intra Y/Cb/Cr, 3-5 Inter Y/Cb/Cr; 8x8 lists 0-5 are the
// lists 6-11 of Table 7-2 (Intra Y, Inter Y, Intra Cb, Inter Cb, Intra Cr, Inter Cr).
type scalingMatrix struct {
	l4 [6][16]uint8
	l8 [6][64]uint8
}

func (m *scalingMatrix) setFlat() {
	for i := range m.l4 {
		m.l4[i] = flat4x4
	}
	for i := range m.l8 {
		m.l8[i] = flat8x8
	}
}

// scalingList parses scaling_list() (§7.3.2.1.1.1) into list; it returns
// useDefaultScalingMatrixFlag.
func scalingList(r *bitReader, list []uint8) bool {
	last, next := 8, 8
	for j := range list {
		if next != 0 {
			delta := r.seRange(-128, 127)
			next = (last + delta + 256) % 256
			if j == 0 && next == 0 {
				return true
			}
		}
		if next != 0 {
			list[j] = uint8(next)
		} else {
			list[j] = uint8(last)
		}
		last = int(list[j])
		if r.bad() {
			return false
		}
	}
	return false
}

// parseScalingLists reads n present-flags and lists into m, applying the
// fall-back rules of Table 7-2: fall-back rule A takes the default lists for
// lists 0, 3, 6 and 7; rule B takes them from fb (the SPS matrix).
func parseScalingLists(r *bitReader, m *scalingMatrix, n int, fb *scalingMatrix) {
	for i := 0; i < n; i++ {
		present := r.flag()
		if i < 6 {
			if present {
				if scalingList(r, m.l4[i][:]) {
					if i < 3 {
						m.l4[i] = default4x4Intra
					} else {
						m.l4[i] = default4x4Inter
					}
				}
				continue
			}
			switch {
			case i == 0 && fb == nil:
				m.l4[0] = default4x4Intra
			case i == 3 && fb == nil:
				m.l4[3] = default4x4Inter
			case i == 0 || i == 3:
				m.l4[i] = fb.l4[i]
			default:
				m.l4[i] = m.l4[i-1]
			}
			continue
		}
		k := i - 6
		if present {
			if scalingList(r, m.l8[k][:]) {
				if k%2 == 0 {
					m.l8[k] = default8x8Intra
				} else {
					m.l8[k] = default8x8Inter
				}
			}
			continue
		}
		switch {
		case k == 0 && fb == nil:
			m.l8[0] = default8x8Intra
		case k == 1 && fb == nil:
			m.l8[1] = default8x8Inter
		case k < 2:
			m.l8[k] = fb.l8[k]
		default:
			m.l8[k] = m.l8[k-2]
		}
	}
	// Lists not transmitted (8x8 Cb/Cr outside 4:4:4, or 8x8 when
	// transform_8x8_mode_flag is 0) are never used; keep them defined.
	for k := n - 6; k < 6; k++ {
		if k >= 2 {
			m.l8[k] = m.l8[k-2]
		} else if k >= 0 {
			if fb != nil {
				m.l8[k] = fb.l8[k]
			} else if k == 0 {
				m.l8[0] = default8x8Intra
			} else {
				m.l8[1] = default8x8Inter
			}
		}
	}
}

// sps is a sequence parameter set (§7.3.2.1.1).
type sps struct {
	ProfileIdc, ConstraintFlags, LevelIdc uint8
	ID                                    int
	ChromaFormatIdc                       int
	SeparateColourPlane                   bool
	BitDepthY, BitDepthC                  int
	QpprimeYZeroTransformBypass           bool
	SeqScalingMatrixPresent               bool
	Scaling                               scalingMatrix
	Log2MaxFrameNum                       int
	PicOrderCntType                       int
	Log2MaxPicOrderCntLsb                 int
	DeltaPicOrderAlwaysZero               bool
	OffsetForNonRefPic                    int32
	OffsetForTopToBottomField             int32
	NumRefFramesInPicOrderCntCycle        int
	OffsetForRefFrame                     [MaxRefFramesInPicOrderCntCycle]int32
	MaxNumRefFrames                       int
	PicWidthInMbs, PicHeightInMapUnits    int
	FrameHeightInMbs                      int
	FrameMbsOnly, MbAdaptiveFrameField    bool
	CropLeft, CropRight, CropTop, CropBot int // frame_crop_*_offset
	Colour                                decode.ColourInfo
	SARWidth, SARHeight                   int
	// VUI timing and bitstream restriction (§E.2.1); not needed to decode.
	NumUnitsInTick, TimeScale                 uint32
	FixedFrameRate                            bool
	MaxNumReorderFrames, MaxDecFrameBuffering int
	BitstreamRestriction                      bool
}

// ChromaArrayType is §7.4.2.1.1: 0 for 4:0:0 or separate colour planes.
func (s *sps) ChromaArrayType() int {
	if s.SeparateColourPlane {
		return 0
	}
	return s.ChromaFormatIdc
}

// highProfile reports the profiles whose SPS carries chroma_format_idc etc.
func highProfile(p uint8) bool {
	switch p {
	case 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135:
		return true
	}
	return false
}

// sarTable is Table E-1 (aspect_ratio_idc 1..16).
var sarTable = [17][2]int{{0, 0}, {1, 1}, {12, 11}, {10, 11}, {16, 11}, {40, 33}, {24, 11}, {20, 11},
	{32, 11}, {80, 33}, {18, 11}, {15, 11}, {64, 33}, {160, 99}, {4, 3}, {3, 2}, {2, 1}}

// parseSPS parses seq_parameter_set_data() from an RBSP (without the NAL
// header byte) into s (§7.3.2.1.1).
func parseSPS(rbsp []byte, s *sps) error {
	var r bitReader
	r.init(rbsp)
	*s = sps{}
	s.ProfileIdc = uint8(r.u(8))
	s.ConstraintFlags = uint8(r.u(8))
	s.LevelIdc = uint8(r.u(8))
	s.ID = r.ueMax(MaxSPSCount - 1)
	s.ChromaFormatIdc = 1
	s.BitDepthY, s.BitDepthC = 8, 8
	s.Scaling.setFlat()
	if highProfile(s.ProfileIdc) {
		s.ChromaFormatIdc = r.ueMax(3)
		if s.ChromaFormatIdc == 3 {
			s.SeparateColourPlane = r.flag()
		}
		s.BitDepthY = 8 + r.ueMax(MaxBitDepth-8)
		s.BitDepthC = 8 + r.ueMax(MaxBitDepth-8)
		s.QpprimeYZeroTransformBypass = r.flag()
		s.SeqScalingMatrixPresent = r.flag()
		if s.SeqScalingMatrixPresent {
			n := 8
			if s.ChromaFormatIdc == 3 {
				n = 12
			}
			parseScalingLists(&r, &s.Scaling, n, nil)
		}
	}
	s.Log2MaxFrameNum = 4 + r.ueMax(12)
	s.PicOrderCntType = r.ueMax(2)
	switch s.PicOrderCntType {
	case 0:
		s.Log2MaxPicOrderCntLsb = 4 + r.ueMax(12)
	case 1:
		s.DeltaPicOrderAlwaysZero = r.flag()
		s.OffsetForNonRefPic = r.se()
		s.OffsetForTopToBottomField = r.se()
		s.NumRefFramesInPicOrderCntCycle = r.ueMax(MaxRefFramesInPicOrderCntCycle)
		for i := 0; i < s.NumRefFramesInPicOrderCntCycle && !r.bad(); i++ {
			s.OffsetForRefFrame[i] = r.se()
		}
	}
	s.MaxNumRefFrames = r.ueMax(32)
	r.flag() // gaps_in_frame_num_value_allowed_flag
	s.PicWidthInMbs = 1 + r.ueMax(MaxPicWidthInMbs-1)
	s.PicHeightInMapUnits = 1 + r.ueMax(MaxPicHeightInMbs-1)
	s.FrameMbsOnly = r.flag()
	if !s.FrameMbsOnly {
		s.MbAdaptiveFrameField = r.flag()
	}
	s.FrameHeightInMbs = s.PicHeightInMapUnits
	if !s.FrameMbsOnly {
		s.FrameHeightInMbs *= 2
	}
	r.flag()      // direct_8x8_inference_flag
	if r.flag() { // frame_cropping_flag
		s.CropLeft = r.ueMax(8192)
		s.CropRight = r.ueMax(8192)
		s.CropTop = r.ueMax(8192)
		s.CropBot = r.ueMax(8192)
	}
	if r.bad() {
		return decode.FormatError(fmt.Sprintf("H.264 SPS %d is truncated or has out-of-range values", s.ID))
	}
	if s.FrameHeightInMbs > MaxPicHeightInMbs || s.PicWidthInMbs*s.FrameHeightInMbs > MaxPicSizeInMbs {
		return decode.FormatError(fmt.Sprintf("H.264 SPS %d: picture of %dx%d macroblocks exceeds the limit of %d",
			s.ID, s.PicWidthInMbs, s.FrameHeightInMbs, MaxPicSizeInMbs))
	}
	// Conformance window (§7.4.2.1.1, eq. 7-19 to 7-22).
	var cux, cuy int
	if s.ChromaArrayType() == 0 {
		cux, cuy = 1, 2-b2i(s.FrameMbsOnly)
	} else {
		sw, sh := decode.ChromaFormat(s.ChromaFormatIdc).SubWidthHeight()
		cux, cuy = sw, sh*(2-b2i(s.FrameMbsOnly))
	}
	if (s.CropLeft+s.CropRight)*cux >= s.PicWidthInMbs*16 || (s.CropTop+s.CropBot)*cuy >= s.FrameHeightInMbs*16 {
		return decode.FormatError(fmt.Sprintf("H.264 SPS %d: frame cropping removes the whole picture", s.ID))
	}
	if r.flag() { // vui_parameters_present_flag
		// A damaged VUI does not make the pictures undecodable: keep what
		// was read before the damage, as other decoders do.
		var v bitReader = r
		parseVUI(&v, s)
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// parseVUI parses vui_parameters() (§E.1.1). A damaged VUI keeps what was
// read before the damage: the sample aspect ratio and colour description
// come first.
func parseVUI(r *bitReader, s *sps) {
	if r.flag() { // aspect_ratio_info_present_flag
		idc := int(r.u(8))
		if idc == 255 {
			s.SARWidth, s.SARHeight = int(r.u(16)), int(r.u(16))
		} else if idc < len(sarTable) {
			s.SARWidth, s.SARHeight = sarTable[idc][0], sarTable[idc][1]
		}
	}
	if r.flag() { // overscan_info_present_flag
		r.flag()
	}
	if r.flag() { // video_signal_type_present_flag
		r.u(3) // video_format
		full := r.flag()
		var c decode.ColourInfo
		c.FullRange = full
		c.ColourPrimaries, c.TransferCharacteristics, c.MatrixCoefficients = 2, 2, 2
		if r.flag() {
			c.Present = true
			c.ColourPrimaries = uint8(r.u(8))
			c.TransferCharacteristics = uint8(r.u(8))
			c.MatrixCoefficients = uint8(r.u(8))
		}
		if !r.bad() {
			s.Colour = c
		}
	}
	if r.bad() {
		s.SARWidth, s.SARHeight = 0, 0
		return
	}
	if r.flag() { // chroma_loc_info_present_flag
		r.ueMax(5)
		r.ueMax(5)
	}
	if r.flag() { // timing_info_present_flag
		s.NumUnitsInTick = r.u(32)
		s.TimeScale = r.u(32)
		s.FixedFrameRate = r.flag()
	}
	nal := r.flag()
	if nal {
		parseHRD(r)
	}
	vcl := r.flag()
	if vcl {
		parseHRD(r)
	}
	if nal || vcl {
		r.flag() // low_delay_hrd_flag
	}
	r.flag()      // pic_struct_present_flag
	if r.flag() { // bitstream_restriction_flag
		r.flag()    // motion_vectors_over_pic_boundaries_flag
		r.ueMax(16) // max_bytes_per_pic_denom
		r.ueMax(16) // max_bits_per_mb_denom
		r.ueMax(16) // log2_max_mv_length_horizontal
		r.ueMax(16) // log2_max_mv_length_vertical
		reorder := r.ueMax(16)
		dpb := r.ueMax(16)
		if !r.bad() {
			s.BitstreamRestriction = true
			s.MaxNumReorderFrames, s.MaxDecFrameBuffering = reorder, dpb
		}
	}
	if r.bad() {
		s.NumUnitsInTick, s.TimeScale, s.FixedFrameRate = 0, 0, false
	}
}

// parseHRD skips hrd_parameters() (§E.1.2).
func parseHRD(r *bitReader) {
	n := 1 + r.ueMax(MaxCpbCount-1) // cpb_cnt_minus1
	r.u(4)                          // bit_rate_scale
	r.u(4)                          // cpb_size_scale
	for i := 0; i < n && !r.bad(); i++ {
		r.ue()   // bit_rate_value_minus1
		r.ue()   // cpb_size_value_minus1
		r.flag() // cbr_flag
	}
	r.u(5) // initial_cpb_removal_delay_length_minus1
	r.u(5) // cpb_removal_delay_length_minus1
	r.u(5) // dpb_output_delay_length_minus1
	r.u(5) // time_offset_length
}

// pps is a picture parameter set (§7.3.2.2), resolved against its SPS.
type pps struct {
	ID, SPSID                         int
	EntropyCodingMode                 bool
	BottomFieldPicOrderInFramePresent bool
	NumSliceGroups                    int
	PicInitQp                         int // 26 + pic_init_qp_minus26
	ChromaQpIndexOffset               int
	SecondChromaQpIndexOffset         int
	DeblockingFilterControlPresent    bool
	ConstrainedIntraPred              bool
	RedundantPicCntPresent            bool
	Transform8x8Mode                  bool
	Scaling                           scalingMatrix // after the fall-back rules
}

// parsePPSHead reads the fields of a PPS that do not depend on its SPS:
// the ids and the flags the slice header needs.
func parsePPSHead(r *bitReader, p *pps) {
	p.ID = r.ueMax(MaxPPSCount - 1)
	p.SPSID = r.ueMax(MaxSPSCount - 1)
	p.EntropyCodingMode = r.flag()
	p.BottomFieldPicOrderInFramePresent = r.flag()
	p.NumSliceGroups = 1 + r.ueMax(7)
}

// parsePPS parses pic_parameter_set_rbsp() (§7.3.2.2) using sp, the SPS
// it refers to (needed for the scaling list count and fall-back rule B).
func parsePPS(rbsp []byte, p *pps, spsOf func(id int) *sps) error {
	var r bitReader
	r.init(rbsp)
	*p = pps{}
	parsePPSHead(&r, p)
	if r.bad() {
		return decode.FormatError("H.264 PPS is truncated")
	}
	sp := spsOf(p.SPSID)
	if sp == nil {
		return fmt.Errorf("H.264 PPS %d refers to SPS %d: %w", p.ID, p.SPSID, decode.ErrMissingParameterSet)
	}
	if p.NumSliceGroups > 1 {
		return decode.UnsupportedError(fmt.Sprintf("H.264 slice groups (FMO, PPS %d has %d)", p.ID, p.NumSliceGroups))
	}
	r.ueMax(31) // num_ref_idx_l0_default_active_minus1
	r.ueMax(31) // num_ref_idx_l1_default_active_minus1
	r.flag()    // weighted_pred_flag
	r.u(2)      // weighted_bipred_idc
	qpBdOffsetY := 6 * (sp.BitDepthY - 8)
	p.PicInitQp = 26 + r.seRange(int32(-26-qpBdOffsetY), 25)
	r.seRange(-26, 25) // pic_init_qs_minus26
	p.ChromaQpIndexOffset = r.seRange(-12, 12)
	p.DeblockingFilterControlPresent = r.flag()
	p.ConstrainedIntraPred = r.flag()
	p.RedundantPicCntPresent = r.flag()
	p.SecondChromaQpIndexOffset = p.ChromaQpIndexOffset
	p.Scaling = sp.Scaling
	if r.moreRBSPData() {
		p.Transform8x8Mode = r.flag()
		if r.flag() { // pic_scaling_matrix_present_flag
			n := 6
			if p.Transform8x8Mode {
				if sp.ChromaFormatIdc == 3 {
					n += 6
				} else {
					n += 2
				}
			}
			var fb *scalingMatrix
			if sp.SeqScalingMatrixPresent {
				fb = &sp.Scaling
			}
			parseScalingLists(&r, &p.Scaling, n, fb)
		}
		p.SecondChromaQpIndexOffset = r.seRange(-12, 12)
	}
	if r.bad() {
		return decode.FormatError(fmt.Sprintf("H.264 PPS %d is truncated or has out-of-range values", p.ID))
	}
	return nil
}
