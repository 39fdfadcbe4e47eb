package h264

// AccessUnitSplitter groups the NAL units of an H.264 elementary stream
// into access units (§7.4.1.2.3): a new access unit begins with an access
// unit delimiter, SPS, PPS, SEI or NAL unit types 14 to 18 following a coded
// slice, or with the first slice of a new primary coded picture, detected by
// the comparisons of §7.4.1.2.4 (frame_num, pic_parameter_set_id,
// field/bottom flags, nal_ref_idc zero-ness, picture order count fields,
// IdrPicFlag, idr_pic_id) and by first_mb_in_slice equal to 0.
//
// Use: call Push for each NAL unit in stream order; when it returns a
// non-nil access unit, that unit is complete. Call Flush at the end of the
// stream. The returned slices are valid until the next call.
type AccessUnitSplitter struct {
	ps      paramSets
	cur     [][]byte
	out     [][]byte
	haveVCL bool
	prev    sliceHeader
	prevOK  bool
	r       bitReader
	buf     []byte
}

// Push adds a NAL unit (without start code or length prefix) and returns
// the previous access unit when nal begins a new one.
func (s *AccessUnitSplitter) Push(nal []byte) [][]byte {
	if len(nal) == 0 {
		return nil
	}
	t := int(nal[0] & 0x1f)
	boundary := false
	switch {
	case t == nalAUD || t == nalSPS || t == nalPPS || t == nalSEI || (t >= nalPrefix && t <= 18):
		boundary = s.haveVCL
		switch t {
		case nalSPS:
			s.ps.putSPS(nal)
		case nalPPS:
			s.ps.putPPS(nal)
		}
	case t == nalSlice || t == nalIDR:
		var h sliceHeader
		s.buf = unescapeRBSP(s.buf, nal[1:min(len(nal), 64)])
		s.r.init(s.buf)
		_, _, _, err := parseSliceHeader(&s.r, t, int(nal[0]>>5&3), &h, &s.ps)
		ok := err == nil
		if s.haveVCL {
			switch {
			case h.FirstMbInSlice == 0:
				boundary = true
			case ok && s.prevOK:
				boundary = newPicture(&s.prev, &h)
			}
		}
		s.prev, s.prevOK = h, ok
	}
	var done [][]byte
	if boundary {
		s.out, s.cur = s.cur, s.out[:0]
		done = s.out
		s.haveVCL = false
	}
	s.cur = append(s.cur, nal)
	if t == nalSlice || t == nalIDR || (t >= nalSliceDPA && t <= nalSliceDPC) {
		s.haveVCL = true
	}
	return done
}

// Flush returns the last access unit (nil when empty).
func (s *AccessUnitSplitter) Flush() [][]byte {
	if len(s.cur) == 0 {
		return nil
	}
	s.out, s.cur = s.cur, s.out[:0]
	s.haveVCL = false
	return s.out
}

// newPicture is the first-slice test of §7.4.1.2.4.
func newPicture(a, b *sliceHeader) bool {
	return a.FrameNum != b.FrameNum ||
		a.PPSID != b.PPSID ||
		a.FieldPic != b.FieldPic ||
		a.BottomField != b.BottomField ||
		(a.nalRefIdc == 0) != (b.nalRefIdc == 0) ||
		a.PicOrderCntLsb != b.PicOrderCntLsb ||
		a.DeltaPicOrderCntBottom != b.DeltaPicOrderCntBottom ||
		a.DeltaPicOrderCnt != b.DeltaPicOrderCnt ||
		a.idr != b.idr ||
		(a.idr && b.idr && a.IdrPicID != b.IdrPicID)
}

// SplitAccessUnits groups a whole stream's NAL units into access units.
func SplitAccessUnits(nals [][]byte) [][][]byte {
	var s AccessUnitSplitter
	var aus [][][]byte
	for _, n := range nals {
		if au := s.Push(n); au != nil {
			aus = append(aus, append([][]byte(nil), au...))
		}
	}
	if au := s.Flush(); au != nil {
		aus = append(aus, append([][]byte(nil), au...))
	}
	return aus
}
