package h265

import (
	"errors"
	"fmt"

	"github.com/stills/stills/decode"
)

// Limits on counts read from parameter sets (§7.4.3). Each is the largest
// value the standard allows, so a conforming stream never reaches them.
const (
	MaxSPSCount          = 16   // sps_seq_parameter_set_id ≤ 15
	MaxPPSCount          = 64   // pps_pic_parameter_set_id ≤ 63
	MaxSubLayers         = 7    // sps_max_sub_layers_minus1 ≤ 6
	MaxShortTermRefSets  = 64   // num_short_term_ref_pic_sets ≤ 64
	MaxDeltaPocs         = 16   // num_negative_pics + num_positive_pics ≤ MaxDpbSize-1 < 16
	MaxLongTermRefPics   = 32   // num_long_term_ref_pics_sps ≤ 32
	MaxCpbCount          = 32   // cpb_cnt_minus1 ≤ 31
	MaxTileColumns       = 20   // Table A.8 at level 6.2
	MaxTileRows          = 22   // Table A.8 at level 6.2
	MaxPictureDimension  = 8192 // luma width/height this decoder accepts (level 6.2 allows 8444 max)
	MaxPictureLumaSample = 35651584
	MaxEntryPoints       = 440 * 22 // one per CTB row per tile row is the most WPP+tiles can need
	MaxSliceHeaderExtLen = 256      // slice_segment_header_extension_length ≤ 256
)

// scalingList holds ScalingFactor (§7.4.5) for sizeId 0..3 and matrixId
// 0..5 as m[y*n+x] arrays of n×n (n = 4, 8, 16, 32).
type scalingList struct {
	list [4][6][64]uint8 // ScalingList[sizeId][matrixId][i], coded order
	dc   [4][6]uint8     // scaling_list_dc_coef_minus8 + 8 for sizeId 2, 3
}

type sps struct {
	id                         int
	chromaFormat               int
	separateColourPlane        bool
	width, height              int // pic_width/height_in_luma_samples
	confLeft, confRight        int // in luma samples
	confTop, confBottom        int
	bitDepthY, bitDepthC       int
	log2MaxPocLsb              int
	log2MinCb, log2Ctb         int
	log2MinTb, log2MaxTb       int
	maxTrDepthIntra            int
	scalingListEnabled         bool
	scaling                    scalingList // valid when scalingListEnabled
	sao                        bool
	pcm                        bool
	pcmBitDepthY, pcmBitDepthC int
	log2MinPcm, log2MaxPcm     int
	pcmLoopFilterDisabled      bool
	numShortTermRefSets        int
	numDeltaPocs               [MaxShortTermRefSets + 1]int
	longTermRefsPresent        bool
	numLongTermRefsSPS         int
	temporalMVP                bool
	strongIntraSmoothing       bool
	colour                     decode.ColourInfo
	sarW, sarH                 int
	numUnitsInTick, timeScale  uint32 // VUI timing (§E.3.1); 0 when absent
	profileIdc                 int

	// Derived.
	ctbSize          int
	picWCtb, picHCtb int
	minCbSize        int
}

type pps struct {
	id                           int
	spsID                        int
	dependentSliceSegments       bool
	outputFlagPresent            bool
	numExtraSliceHeaderBits      int
	signDataHiding               bool
	cabacInitPresent             bool
	initQP                       int
	constrainedIntraPred         bool
	transformSkip                bool
	cuQPDeltaEnabled             bool
	diffCuQPDeltaDepth           int
	cbQPOffset, crQPOffset       int
	sliceChromaQPOffsets         bool
	transquantBypass             bool
	tiles                        bool
	entropySync                  bool
	numTileCols, numTileRows     int
	uniformSpacing               bool
	colWidthMinus1               [MaxTileColumns]int
	rowHeightMinus1              [MaxTileRows]int
	loopFilterAcrossTiles        bool
	loopFilterAcrossSlices       bool
	deblockingOverride           bool
	deblockingDisabled           bool
	betaOffsetDiv2, tcOffsetDiv2 int
	scalingListPresent           bool
	scaling                      scalingList
	listsModificationPresent     bool
	sliceHeaderExtension         bool
}

// Table 7-5 and 7-6: default scaling lists for sizeId 1..3 in up-right
// diagonal order.
var defaultScalingIntra = [64]uint8{
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 17, 16, 17, 16, 17, 18,
	17, 18, 18, 17, 18, 21, 19, 20, 21, 20, 19, 21, 24, 22, 22, 24,
	24, 22, 22, 24, 25, 25, 27, 30, 27, 25, 25, 29, 31, 35, 35, 31,
	29, 36, 41, 44, 41, 36, 47, 54, 54, 47, 65, 70, 65, 88, 88, 115,
}

var defaultScalingInter = [64]uint8{
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 17, 17, 17, 17, 17, 18,
	18, 18, 18, 18, 18, 20, 20, 20, 20, 20, 20, 20, 24, 24, 24, 24,
	24, 24, 24, 24, 25, 25, 25, 25, 25, 25, 25, 28, 28, 28, 28, 28,
	28, 33, 33, 33, 33, 33, 41, 41, 41, 41, 54, 54, 54, 71, 71, 91,
}

// setDefault fills the default lists (§7.4.5, Tables 7-5, 7-6).
func (s *scalingList) setDefault() {
	for m := 0; m < 6; m++ {
		for i := 0; i < 16; i++ {
			s.list[0][m][i] = 16
		}
		for sz := 1; sz < 4; sz++ {
			if m < 3 {
				s.list[sz][m] = defaultScalingIntra
			} else {
				s.list[sz][m] = defaultScalingInter
			}
			s.dc[sz][m] = 16
		}
	}
}

// parseScalingListData implements scaling_list_data() (§7.3.4, §7.4.5).
func parseScalingListData(r *bitReader, s *scalingList) {
	s.setDefault()
	for sizeID := 0; sizeID < 4; sizeID++ {
		coefNum := 64
		if sizeID == 0 {
			coefNum = 16
		}
		step := 1
		if sizeID == 3 {
			step = 3
		}
		for matrixID := 0; matrixID < 6; matrixID += step {
			if r.err != nil {
				return
			}
			if !r.flag() { // scaling_list_pred_mode_flag
				delta := r.ueMax(uint32(matrixID/step), "scaling_list_pred_matrix_id_delta")
				if delta == 0 {
					if sizeID == 0 {
						for i := 0; i < 16; i++ {
							s.list[0][matrixID][i] = 16
						}
					} else if matrixID < 3 {
						s.list[sizeID][matrixID] = defaultScalingIntra
					} else {
						s.list[sizeID][matrixID] = defaultScalingInter
					}
					s.dc[sizeID][matrixID] = 16
				} else {
					ref := matrixID - delta*step
					s.list[sizeID][matrixID] = s.list[sizeID][ref]
					s.dc[sizeID][matrixID] = s.dc[sizeID][ref]
				}
				continue
			}
			next := 8
			if sizeID > 1 {
				dc := r.seRange(-7, 247, "scaling_list_dc_coef_minus8")
				next = dc + 8
				s.dc[sizeID][matrixID] = uint8(next)
			}
			for i := 0; i < coefNum; i++ {
				d := r.seRange(-128, 127, "scaling_list_delta_coef")
				next = (next + d + 256) % 256
				s.list[sizeID][matrixID][i] = uint8(next)
			}
			if sizeID <= 1 {
				s.dc[sizeID][matrixID] = s.list[sizeID][matrixID][0]
			}
		}
	}
	// For 4:4:4 the 32×32 chroma matrices are copied from 16×16 ones
	// (§7.3.4, ChromaArrayType == 3); 4:2:0 never uses them.
	for _, m := range []int{1, 2, 4, 5} {
		s.list[3][m] = s.list[2][m]
		s.dc[3][m] = s.dc[2][m]
	}
}

// parseProfileTierLevel skips profile_tier_level() (§7.3.3), keeping
// general_profile_idc.
func parseProfileTierLevel(r *bitReader, maxSubLayersMinus1 int) int {
	r.skip(3) // general_profile_space, general_tier_flag
	profile := int(r.u(5))
	r.skip(32 + 4 + 43 + 1 + 8)
	var profPresent, levelPresent [8]bool
	for i := 0; i < maxSubLayersMinus1; i++ {
		profPresent[i] = r.flag()
		levelPresent[i] = r.flag()
	}
	if maxSubLayersMinus1 > 0 {
		for i := maxSubLayersMinus1; i < 8; i++ {
			r.skip(2)
		}
	}
	for i := 0; i < maxSubLayersMinus1; i++ {
		if profPresent[i] {
			r.skip(88)
		}
		if levelPresent[i] {
			r.skip(8)
		}
	}
	return profile
}

// parseShortTermRefPicSet implements st_ref_pic_set(idx) (§7.3.7) far
// enough to know NumDeltaPocs; intra decoding needs nothing else from it.
func parseShortTermRefPicSet(r *bitReader, s *sps, idx int) int {
	interPred := false
	if idx != 0 {
		interPred = r.flag()
	}
	if interPred {
		deltaIdx := 1
		if idx == s.numShortTermRefSets {
			deltaIdx = r.ueMax(uint32(idx-1), "delta_idx_minus1") + 1
		}
		ref := idx - deltaIdx
		if ref < 0 {
			r.fail("st_ref_pic_set refers to a set before the first")
			return 0
		}
		r.skip(1)                                // delta_rps_sign
		r.ueMax(1<<15-1, "abs_delta_rps_minus1") // abs_delta_rps_minus1
		n := 0
		for j := 0; j <= s.numDeltaPocs[ref] && r.err == nil; j++ {
			used := r.flag()
			useDelta := true
			if !used {
				useDelta = r.flag()
			}
			if used || useDelta {
				n++
			}
		}
		if n > MaxDeltaPocs {
			r.fail("too many pictures in st_ref_pic_set")
			return 0
		}
		return n
	}
	neg := r.ueMax(MaxDeltaPocs, "num_negative_pics")
	pos := r.ueMax(MaxDeltaPocs, "num_positive_pics")
	if neg+pos > MaxDeltaPocs {
		r.fail("too many pictures in st_ref_pic_set")
		return 0
	}
	for i := 0; i < neg+pos && r.err == nil; i++ {
		r.ueMax(1<<15-1, "delta_poc_minus1")
		r.skip(1)
	}
	return neg + pos
}

// sarTable is Table E.1 (aspect_ratio_idc 1..16).
var sarTable = [17][2]int{{0, 0}, {1, 1}, {12, 11}, {10, 11}, {16, 11}, {40, 33}, {24, 11}, {20, 11}, {32, 11}, {80, 33}, {18, 11}, {15, 11}, {64, 33}, {160, 99}, {4, 3}, {3, 2}, {2, 1}}

func parseSubLayerHRD(r *bitReader, cpbCnt int, subPic bool) {
	for i := 0; i < cpbCnt && r.err == nil; i++ {
		r.ue()
		r.ue()
		if subPic {
			r.ue()
			r.ue()
		}
		r.skip(1)
	}
}

// parseHRD skips hrd_parameters() (§E.2.2).
func parseHRD(r *bitReader, common bool, maxSubLayersMinus1 int) {
	nal, vcl, subPic := false, false, false
	if common {
		nal = r.flag()
		vcl = r.flag()
		if nal || vcl {
			subPic = r.flag()
			if subPic {
				r.skip(8 + 5 + 1 + 5)
			}
			r.skip(8)
			if subPic {
				r.skip(4)
			}
			r.skip(15)
		}
	}
	for i := 0; i <= maxSubLayersMinus1 && r.err == nil; i++ {
		fixedGeneral := r.flag()
		fixedCVS := true
		if !fixedGeneral {
			fixedCVS = r.flag()
		}
		lowDelay := false
		if fixedCVS {
			r.ue()
		} else {
			lowDelay = r.flag()
		}
		cpbCnt := 1
		if !lowDelay {
			cpbCnt = r.ueMax(MaxCpbCount-1, "cpb_cnt_minus1") + 1
		}
		if nal {
			parseSubLayerHRD(r, cpbCnt, subPic)
		}
		if vcl {
			parseSubLayerHRD(r, cpbCnt, subPic)
		}
	}
}

// parseVUI implements vui_parameters() (§E.2.1), keeping the colour
// description and the sample aspect ratio.
func parseVUI(r *bitReader, s *sps, maxSubLayersMinus1 int) {
	if r.flag() { // aspect_ratio_info_present_flag
		idc := int(r.u(8))
		if idc == 255 {
			s.sarW = int(r.u(16))
			s.sarH = int(r.u(16))
		} else if idc < len(sarTable) {
			s.sarW, s.sarH = sarTable[idc][0], sarTable[idc][1]
		}
	}
	if r.flag() { // overscan_info_present_flag
		r.skip(1)
	}
	if r.flag() { // video_signal_type_present_flag
		r.skip(3)
		s.colour.FullRange = r.flag()
		if r.flag() {
			s.colour.Present = true
			s.colour.ColourPrimaries = uint8(r.u(8))
			s.colour.TransferCharacteristics = uint8(r.u(8))
			s.colour.MatrixCoefficients = uint8(r.u(8))
		}
	}
	if r.flag() { // chroma_loc_info_present_flag
		r.ue()
		r.ue()
	}
	r.skip(3)     // neutral_chroma_indication, field_seq, frame_field_info_present
	if r.flag() { // default_display_window_flag
		r.ue()
		r.ue()
		r.ue()
		r.ue()
	}
	if r.flag() { // vui_timing_info_present_flag
		s.numUnitsInTick = r.u(32)
		s.timeScale = r.u(32)
		if r.flag() {
			r.ue()
		}
		if r.flag() {
			parseHRD(r, true, maxSubLayersMinus1)
		}
	}
	if r.flag() { // bitstream_restriction_flag
		r.skip(3)
		for i := 0; i < 5; i++ {
			r.ue()
		}
	}
}

// parseSPS implements seq_parameter_set_rbsp() (§7.3.2.2).
func parseSPS(rbsp []byte) (*sps, error) {
	var r bitReader
	r.init(rbsp)
	r.skip(16) // nal_unit_header
	s := &sps{}
	r.skip(4) // sps_video_parameter_set_id
	maxSub := int(r.u(3))
	if maxSub >= MaxSubLayers {
		return nil, decode.FormatError("sps_max_sub_layers_minus1 > 6")
	}
	r.skip(1)
	s.profileIdc = parseProfileTierLevel(&r, maxSub)
	s.id = r.ueMax(MaxSPSCount-1, "sps_seq_parameter_set_id")
	s.chromaFormat = r.ueMax(3, "chroma_format_idc")
	if s.chromaFormat == 3 {
		s.separateColourPlane = r.flag()
	}
	s.width = r.ueMax(MaxPictureDimension, "pic_width_in_luma_samples")
	s.height = r.ueMax(MaxPictureDimension, "pic_height_in_luma_samples")
	if r.flag() { // conformance_window_flag
		sw, sh := 1, 1
		if s.chromaFormat == 1 || s.chromaFormat == 2 {
			sw = 2
		}
		if s.chromaFormat == 1 {
			sh = 2
		}
		s.confLeft = r.ueMax(MaxPictureDimension, "conf_win_left_offset") * sw
		s.confRight = r.ueMax(MaxPictureDimension, "conf_win_right_offset") * sw
		s.confTop = r.ueMax(MaxPictureDimension, "conf_win_top_offset") * sh
		s.confBottom = r.ueMax(MaxPictureDimension, "conf_win_bottom_offset") * sh
	}
	s.bitDepthY = r.ueMax(8, "bit_depth_luma_minus8") + 8
	s.bitDepthC = r.ueMax(8, "bit_depth_chroma_minus8") + 8
	s.log2MaxPocLsb = r.ueMax(12, "log2_max_pic_order_cnt_lsb_minus4") + 4
	subLayerOrdering := r.flag()
	start := maxSub
	if subLayerOrdering {
		start = 0
	}
	for i := start; i <= maxSub; i++ {
		r.ue()
		r.ue()
		r.ue()
	}
	s.log2MinCb = r.ueMax(3, "log2_min_luma_coding_block_size_minus3") + 3
	s.log2Ctb = s.log2MinCb + r.ueMax(3, "log2_diff_max_min_luma_coding_block_size")
	s.log2MinTb = r.ueMax(3, "log2_min_luma_transform_block_size_minus2") + 2
	s.log2MaxTb = s.log2MinTb + r.ueMax(3, "log2_diff_max_min_luma_transform_block_size")
	r.ueMax(4, "max_transform_hierarchy_depth_inter")
	s.maxTrDepthIntra = r.ueMax(4, "max_transform_hierarchy_depth_intra")
	s.scalingListEnabled = r.flag()
	if s.scalingListEnabled {
		if r.flag() {
			parseScalingListData(&r, &s.scaling)
		} else {
			s.scaling.setDefault()
		}
	}
	r.skip(1) // amp_enabled_flag
	s.sao = r.flag()
	s.pcm = r.flag()
	if s.pcm {
		s.pcmBitDepthY = int(r.u(4)) + 1
		s.pcmBitDepthC = int(r.u(4)) + 1
		s.log2MinPcm = r.ueMax(2, "log2_min_pcm_luma_coding_block_size_minus3") + 3
		s.log2MaxPcm = s.log2MinPcm + r.ueMax(2, "log2_diff_max_min_pcm_luma_coding_block_size")
		s.pcmLoopFilterDisabled = r.flag()
	}
	s.numShortTermRefSets = r.ueMax(MaxShortTermRefSets, "num_short_term_ref_pic_sets")
	for i := 0; i < s.numShortTermRefSets && r.err == nil; i++ {
		s.numDeltaPocs[i] = parseShortTermRefPicSet(&r, s, i)
	}
	s.longTermRefsPresent = r.flag()
	if s.longTermRefsPresent {
		s.numLongTermRefsSPS = r.ueMax(MaxLongTermRefPics, "num_long_term_ref_pics_sps")
		for i := 0; i < s.numLongTermRefsSPS && r.err == nil; i++ {
			r.skip(s.log2MaxPocLsb + 1)
		}
	}
	s.temporalMVP = r.flag()
	s.strongIntraSmoothing = r.flag()
	if r.flag() {
		parseVUI(&r, s, maxSub)
	}
	if r.flag() { // sps_extension_present_flag
		rangeExt := r.flag()
		r.skip(7) // multilayer, 3d, scc, 4bits
		if rangeExt {
			for i := 0; i < 9; i++ {
				if r.flag() && r.err == nil {
					return s, decode.UnsupportedError("H.265 range extension coding tools (sps_range_extension)")
				}
			}
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("h265: SPS: %w", r.err)
	}
	return s, s.validate() // s.id is valid even when validate fails
}

func (s *sps) validate() error {
	if s.separateColourPlane {
		return decode.UnsupportedError("H.265 separate_colour_plane_flag")
	}
	if s.chromaFormat != 1 {
		return decode.UnsupportedError(fmt.Sprintf("H.265 chroma_format_idc %d (only 4:2:0 is implemented)", s.chromaFormat))
	}
	if s.bitDepthY > 12 || s.bitDepthC > 12 {
		return decode.UnsupportedError("H.265 bit depth above 12")
	}
	if s.log2Ctb < 4 || s.log2Ctb > 6 {
		return decode.FormatError("CtbLog2SizeY outside 4..6")
	}
	if s.log2MaxTb > 5 || s.log2MaxTb > s.log2Ctb || s.log2MinTb >= s.log2MinCb {
		return decode.FormatError("transform block sizes inconsistent with coding block sizes")
	}
	if s.pcm && (s.log2MaxPcm > 5 || s.log2MaxPcm > s.log2Ctb || s.pcmBitDepthY > s.bitDepthY || s.pcmBitDepthC > s.bitDepthC) {
		return decode.FormatError("PCM parameters out of range")
	}
	s.minCbSize = 1 << s.log2MinCb
	if s.width == 0 || s.height == 0 || s.width%s.minCbSize != 0 || s.height%s.minCbSize != 0 {
		return decode.FormatError("picture size is zero or not a multiple of MinCbSizeY")
	}
	if s.width*s.height > MaxPictureLumaSample {
		return decode.UnsupportedError("picture larger than MaxPictureLumaSample")
	}
	if s.confLeft+s.confRight >= s.width || s.confTop+s.confBottom >= s.height {
		return decode.FormatError("conformance window is empty")
	}
	s.ctbSize = 1 << s.log2Ctb
	s.picWCtb = (s.width + s.ctbSize - 1) >> s.log2Ctb
	s.picHCtb = (s.height + s.ctbSize - 1) >> s.log2Ctb
	return nil
}

// parsePPS implements pic_parameter_set_rbsp() (§7.3.2.3).
func parsePPS(rbsp []byte) (*pps, error) {
	var r bitReader
	r.init(rbsp)
	r.skip(16)
	p := &pps{}
	p.id = r.ueMax(MaxPPSCount-1, "pps_pic_parameter_set_id")
	p.spsID = r.ueMax(MaxSPSCount-1, "pps_seq_parameter_set_id")
	p.dependentSliceSegments = r.flag()
	p.outputFlagPresent = r.flag()
	p.numExtraSliceHeaderBits = int(r.u(3))
	p.signDataHiding = r.flag()
	p.cabacInitPresent = r.flag()
	r.ueMax(14, "num_ref_idx_l0_default_active_minus1")
	r.ueMax(14, "num_ref_idx_l1_default_active_minus1")
	p.initQP = 26 + r.seRange(-(26+6*8), 25, "init_qp_minus26")
	p.constrainedIntraPred = r.flag()
	p.transformSkip = r.flag()
	p.cuQPDeltaEnabled = r.flag()
	if p.cuQPDeltaEnabled {
		p.diffCuQPDeltaDepth = r.ueMax(3, "diff_cu_qp_delta_depth")
	}
	p.cbQPOffset = r.seRange(-12, 12, "pps_cb_qp_offset")
	p.crQPOffset = r.seRange(-12, 12, "pps_cr_qp_offset")
	p.sliceChromaQPOffsets = r.flag()
	r.skip(2) // weighted_pred_flag, weighted_bipred_flag
	p.transquantBypass = r.flag()
	p.tiles = r.flag()
	p.entropySync = r.flag()
	p.numTileCols, p.numTileRows = 1, 1
	if p.tiles {
		p.numTileCols = r.ueMax(MaxTileColumns-1, "num_tile_columns_minus1") + 1
		p.numTileRows = r.ueMax(MaxTileRows-1, "num_tile_rows_minus1") + 1
		p.uniformSpacing = r.flag()
		if !p.uniformSpacing {
			for i := 0; i < p.numTileCols-1; i++ {
				p.colWidthMinus1[i] = r.ueMax(MaxPictureDimension/16, "column_width_minus1")
			}
			for i := 0; i < p.numTileRows-1; i++ {
				p.rowHeightMinus1[i] = r.ueMax(MaxPictureDimension/16, "row_height_minus1")
			}
		}
		p.loopFilterAcrossTiles = r.flag()
	}
	p.loopFilterAcrossSlices = r.flag()
	if r.flag() { // deblocking_filter_control_present_flag
		p.deblockingOverride = r.flag()
		p.deblockingDisabled = r.flag()
		if !p.deblockingDisabled {
			p.betaOffsetDiv2 = r.seRange(-6, 6, "pps_beta_offset_div2")
			p.tcOffsetDiv2 = r.seRange(-6, 6, "pps_tc_offset_div2")
		}
	}
	p.scalingListPresent = r.flag()
	if p.scalingListPresent {
		parseScalingListData(&r, &p.scaling)
	}
	p.listsModificationPresent = r.flag()
	r.ueMax(12, "log2_parallel_merge_level_minus2")
	p.sliceHeaderExtension = r.flag()
	if r.flag() { // pps_extension_present_flag
		rangeExt := r.flag()
		r.skip(7)
		if rangeExt {
			if p.transformSkip && r.ue() != 0 {
				return nil, decode.UnsupportedError("H.265 log2_max_transform_skip_block_size_minus2 > 0")
			}
			if r.flag() || r.flag() {
				return nil, decode.UnsupportedError("H.265 cross-component prediction or chroma QP offset lists")
			}
			if r.ue() != 0 || r.ue() != 0 {
				return nil, decode.UnsupportedError("H.265 SAO offset scaling")
			}
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("h265: PPS: %w", r.err)
	}
	return p, nil
}

// ParseSPS parses one SPS NAL unit (two-byte header included, emulation
// prevention bytes in place) with the decoder's own bounded parser, for
// indexers that want the picture size and frame rate without decoding. It is
// safe on hostile input: every count is checked against the standard's
// limits, unlike general-purpose parsers that allocate what a count says.
// An SPS this decoder cannot decode (an UnsupportedError, such as 4:4:4)
// still gives its size and timing, beside the error.
func ParseSPS(nal []byte) (decode.SequenceInfo, error) {
	if len(nal) < 3 || nalType(nal) != nalSPS {
		return decode.SequenceInfo{}, decode.FormatError("not an H.265 SPS NAL unit")
	}
	s, err := parseSPS(unescape(nil, nal))
	var unsupported decode.UnsupportedError
	if err != nil && (s == nil || !errors.As(err, &unsupported) ||
		s.width <= s.confLeft+s.confRight || s.height <= s.confTop+s.confBottom) {
		return decode.SequenceInfo{}, err
	}
	info := decode.SequenceInfo{
		Width:  s.width - s.confLeft - s.confRight,
		Height: s.height - s.confTop - s.confBottom,
		Colour: s.colour,
	}
	if s.numUnitsInTick > 0 && s.timeScale > 0 {
		info.FrameTicks, info.TimeScale = uint64(s.numUnitsInTick), uint64(s.timeScale)
	}
	return info, err
}
