package h264

// disable_deblocking_filter_idc 2 (filter inside slices, not across their
// edges), and slices with different idc in one picture, against ffmpeg.
// x264 never writes idc 2, so x264 streams with several slices are
// rewritten: a slice header's disable_deblocking_filter_idc ue(v) 0 becomes
// 2 (or 1, the offsets then dropped), the rest of the slice moved by the
// extra bits (§7.3.3; CABAC data re-aligned by cabac_alignment_one_bit,
// §7.3.4).

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stills/stills/decode"
	"github.com/stills/stills/internal/testtool"
)

// tbr reads the bits of an RBSP for the rewriter (test only; checked).
type tbr struct {
	b   []byte
	pos int
	err error
}

func (r *tbr) u(n int) uint64 {
	var v uint64
	for i := 0; i < n; i++ {
		if r.pos >= 8*len(r.b) {
			r.err = errors.New("RBSP ends early")
			return 0
		}
		v = v<<1 | uint64(r.b[r.pos/8]>>(7-uint(r.pos%8))&1)
		r.pos++
	}
	return v
}

func (r *tbr) ue() uint64 {
	n := 0
	for r.u(1) == 0 && r.err == nil {
		n++
		if n > 32 {
			r.err = errors.New("Exp-Golomb code too long")
			return 0
		}
	}
	return 1<<uint(n) - 1 + r.u(n)
}

func (r *tbr) se() int64 {
	k := r.ue()
	if k&1 == 1 {
		return int64(k+1) / 2
	}
	return -int64(k / 2)
}

func tUnescape(nal []byte) []byte {
	var out []byte
	zeros := 0
	for _, c := range nal {
		if zeros >= 2 && c == 3 {
			zeros = 0
			continue
		}
		out = append(out, c)
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return out
}

func tEscape(rbsp []byte) []byte {
	var out []byte
	zeros := 0
	for _, c := range rbsp {
		if zeros >= 2 && c <= 3 {
			out = append(out, 3)
			zeros = 0
		}
		out = append(out, c)
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return out
}

// idc2Params are the SPS/PPS fields the slice header of an I slice needs.
type idc2Params struct {
	log2MaxFrameNum, pocType, log2MaxPocLsb int
	frameMbsOnly, pocBottomPresent          bool
	deltaPocAlwaysZero                      bool
	cabac, redundantPicCnt, dbkPresent      bool
	separateColourPlane                     bool
}

// idc2ParseSPS reads an SPS (§7.3.2.1.1) without scaling matrices.
func idc2ParseSPS(rbsp []byte, p *idc2Params) error {
	r := &tbr{b: rbsp}
	profile := r.u(8)
	r.u(16) // constraint flags, level_idc
	r.ue()  // seq_parameter_set_id
	switch profile {
	case 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135:
		if r.ue() == 3 {
			p.separateColourPlane = r.u(1) == 1
		}
		r.ue()           // bit_depth_luma_minus8
		r.ue()           // bit_depth_chroma_minus8
		r.u(1)           // qpprime_y_zero_transform_bypass_flag
		if r.u(1) != 0 { // seq_scaling_matrix_present_flag
			return errors.New("SPS with scaling matrices: not handled by the rewriter")
		}
	}
	p.log2MaxFrameNum = int(r.ue()) + 4
	p.pocType = int(r.ue())
	switch p.pocType {
	case 0:
		p.log2MaxPocLsb = int(r.ue()) + 4
	case 1:
		p.deltaPocAlwaysZero = r.u(1) == 1
		r.se()
		r.se()
		for n := r.ue(); n > 0 && r.err == nil; n-- {
			r.se()
		}
	}
	r.ue() // max_num_ref_frames
	r.u(1) // gaps_in_frame_num_value_allowed_flag
	r.ue() // pic_width_in_mbs_minus1
	r.ue() // pic_height_in_map_units_minus1
	p.frameMbsOnly = r.u(1) == 1
	return r.err
}

// idc2ParsePPS reads the PPS fields (§7.3.2.2) up to
// redundant_pic_cnt_present_flag.
func idc2ParsePPS(rbsp []byte, p *idc2Params) error {
	r := &tbr{b: rbsp}
	r.ue() // pic_parameter_set_id
	r.ue() // seq_parameter_set_id
	p.cabac = r.u(1) == 1
	p.pocBottomPresent = r.u(1) == 1
	if r.ue() != 0 {
		return errors.New("slice groups: not handled by the rewriter")
	}
	r.ue() // num_ref_idx_l0_default_active_minus1
	r.ue() // num_ref_idx_l1_default_active_minus1
	r.u(3) // weighted_pred_flag, weighted_bipred_idc
	r.se() // pic_init_qp_minus26
	r.se() // pic_init_qs_minus26
	r.se() // chroma_qp_index_offset
	p.dbkPresent = r.u(1) == 1
	r.u(1) // constrained_intra_pred_flag
	p.redundantPicCnt = r.u(1) == 1
	return r.err
}

// dbkSpec is what a rewritten slice header gets: disable_deblocking_filter_idc
// and, unless idc is 1, slice_alpha_c0_offset_div2 and slice_beta_offset_div2.
// keep leaves the slice as x264 wrote it.
type dbkSpec struct {
	keep bool
	idc  uint64
	a, b int64
}

// idc2RewriteSlice returns the slice NAL unit with the deblocking syntax of
// spec (§7.3.3).
func idc2RewriteSlice(nal []byte, p *idc2Params, spec dbkSpec) ([]byte, error) {
	rbsp := tUnescape(nal[1:])
	r := &tbr{b: rbsp}
	nalType := nal[0] & 0x1f
	refIdc := nal[0] >> 5 & 3
	r.ue() // first_mb_in_slice
	if st := r.ue() % 5; st != 2 {
		return nil, fmt.Errorf("slice_type %d: the rewriter handles I slices only", st)
	}
	r.ue() // pic_parameter_set_id
	if p.separateColourPlane {
		r.u(2)
	}
	r.u(p.log2MaxFrameNum)
	if !p.frameMbsOnly && r.u(1) == 1 {
		return nil, errors.New("field picture")
	}
	if nalType == 5 {
		r.ue() // idr_pic_id
	}
	if p.pocType == 0 {
		r.u(p.log2MaxPocLsb)
		if p.pocBottomPresent {
			r.se()
		}
	} else if p.pocType == 1 && !p.deltaPocAlwaysZero {
		r.se()
		if p.pocBottomPresent {
			r.se()
		}
	}
	if p.redundantPicCnt {
		r.ue()
	}
	if refIdc != 0 { // dec_ref_pic_marking (§7.3.3.3)
		if nalType == 5 {
			r.u(2)
		} else if r.u(1) == 1 {
			return nil, errors.New("adaptive_ref_pic_marking: not handled by the rewriter")
		}
	}
	r.se() // slice_qp_delta
	if !p.dbkPresent {
		return nil, errors.New("no deblocking_filter_control_present_flag")
	}
	at := r.pos
	if idc := r.ue(); idc != 0 {
		return nil, fmt.Errorf("disable_deblocking_filter_idc is %d, want 0", idc)
	}
	r.se()
	r.se()
	if r.err != nil {
		return nil, r.err
	}
	var w bitWriter
	rd := &tbr{b: rbsp}
	for rd.pos < at {
		w.u(1, rd.u(1))
	}
	w.ue(spec.idc)
	rd.u(1)
	// The offsets (se, se), then for CAVLC everything up to the stop bit;
	// for CABAC the alignment ones are dropped and rewritten.
	rd.se()
	rd.se()
	if spec.idc != 1 {
		w.se(spec.a)
		w.se(spec.b)
	}
	last := 8*len(rbsp) - 1
	for last >= 0 && rbsp[last/8]>>(7-uint(last%8))&1 == 0 {
		last--
	}
	if last < rd.pos {
		return nil, errors.New("no rbsp_stop_one_bit")
	}
	if p.cabac {
		for rd.pos%8 != 0 {
			rd.u(1)
		}
		for w.nbit%8 != 0 {
			w.u(1, 1) // cabac_alignment_one_bit
		}
		out := append(w.b, rbsp[rd.pos/8:]...)
		return append([]byte{nal[0]}, tEscape(out)...), rd.err
	}
	for rd.pos <= last {
		w.u(1, rd.u(1))
	}
	for w.nbit%8 != 0 {
		w.u(1, 0)
	}
	return append([]byte{nal[0]}, tEscape(w.b)...), rd.err
}

// idc2Rewrite rewrites the slices of an Annex B stream, slice i of each
// picture getting pattern[i % len(pattern)].
func idc2Rewrite(data []byte, pattern []dbkSpec) ([]byte, error) {
	nals, ok := decode.SplitAnnexB(nil, data)
	if !ok {
		return nil, errors.New("too many NAL units")
	}
	var p idc2Params
	var out []byte
	slice := 0
	for _, n := range nals {
		var err error
		switch n[0] & 0x1f {
		case 7:
			err = idc2ParseSPS(tUnescape(n[1:]), &p)
		case 8:
			err = idc2ParsePPS(tUnescape(n[1:]), &p)
		case 1, 5:
			if len(n) > 1 && n[1]&0x80 != 0 { // first_mb_in_slice == 0
				slice = 0
			}
			if spec := pattern[slice%len(pattern)]; !spec.keep {
				n, err = idc2RewriteSlice(n, &p, spec)
			}
			slice++
		}
		if err != nil {
			return nil, err
		}
		out = append(out, 0, 0, 0, 1)
		out = append(out, n...)
	}
	return out, nil
}

func TestDeblockIdc2X264(t *testing.T) {
	ffmpeg := testtool.Need(t, "ffmpeg")
	ffprobe := testtool.Need(t, "ffprobe")
	dir := t.TempDir()
	for _, c := range []struct {
		name, size, pixFmt, params string
		pattern                    []dbkSpec // by slice index in the picture
	}{
		{"cavlc-slices4", "64x64", "yuv420p", "keyint=1:cabac=0:slices=4:qp=36", []dbkSpec{{idc: 2, a: 1, b: -1}}},
		{"cabac-slices4", "64x64", "yuv420p", "keyint=1:cabac=1:slices=4:qp=36", []dbkSpec{{idc: 2, a: -1, b: 2}}},
		{"cabac-slice-max-mbs-5", "80x48", "yuv420p", "keyint=1:cabac=1:slice-max-mbs=5:qp=40", []dbkSpec{{idc: 2}}},
		{"422-cabac-slices3", "64x48", "yuv422p", "keyint=1:cabac=1:slices=3:qp=38", []dbkSpec{{idc: 2}}},
		{"high10-cavlc-slices3", "64x48", "yuv420p10le", "keyint=1:cabac=0:slices=3:qp=48", []dbkSpec{{idc: 2, a: 3, b: 3}}},
		{"cabac-mixed-0-1-2", "64x64", "yuv420p", "keyint=1:cabac=1:slice-max-mbs=3:qp=40:deblock=2,1", []dbkSpec{{keep: true}, {idc: 1}, {idc: 2}}},
		{"cavlc-mixed-1-0-2-2", "64x64", "yuv420p", "keyint=1:cabac=0:slice-max-mbs=4:qp=40", []dbkSpec{{idc: 1}, {keep: true}, {idc: 2}, {idc: 2, a: -2, b: 2}}},
		// FilterOffsetA/B of the q macroblock's slice govern an edge between slices.
		{"cabac-offsets-by-slice", "64x64", "yuv420p", "keyint=1:cabac=1:slice-max-mbs=3:qp=36", []dbkSpec{{a: 6, b: -6}, {a: -6, b: 6}, {a: 3, b: 0}, {a: 0, b: -3}}},
		{"cavlc-offsets-by-slice", "64x48", "yuv420p", "keyint=1:cabac=0:slices=3:qp=30", []dbkSpec{{a: 6, b: 6}, {a: -6, b: -6}, {a: 6, b: -6}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			desc := fmt.Sprintf("clip %s (%s %s, x264 %s, slice deblocking syntax rewritten to %+v by slice)", c.name, c.size, c.pixFmt, c.params, c.pattern)
			orig := filepath.Join(dir, c.name+".264")
			src := fmt.Sprintf("testsrc2=size=%s:rate=25,noise=alls=20:allf=t", c.size)
			cmd := exec.Command(ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", src,
				"-frames:v", "2", "-pix_fmt", c.pixFmt, "-c:v", "libx264",
				"-x264-params", c.params, "-f", "h264", orig)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s: encoding failed: %v\n%s", desc, err, out)
			}
			data, err := os.ReadFile(orig)
			if err != nil {
				t.Fatal(err)
			}
			rewritten, err := idc2Rewrite(data, c.pattern)
			if err != nil {
				t.Fatalf("%s: %v", desc, err)
			}
			file := filepath.Join(dir, c.name+"-idc2.264")
			if err := os.WriteFile(file, rewritten, 0o644); err != nil {
				t.Fatal(err)
			}
			want, err := diffOracle(ffmpeg, ffprobe, file)
			if err != nil {
				t.Fatalf("%s: oracle: %v", desc, err)
			}
			wantOrig, err := diffOracle(ffmpeg, ffprobe, orig)
			if err != nil {
				t.Fatalf("%s: oracle of the original: %v", desc, err)
			}
			if len(want) != len(wantOrig) || len(want) == 0 || want[0] == wantOrig[0] {
				t.Fatalf("%s: ffmpeg gives the same first picture before and after the rewrite; it shows nothing", desc)
			}
			got, err := diffDecodeStream(rewritten)
			if err != nil {
				t.Fatalf("%s: %v", desc, err)
			}
			diffMatch(t, desc, got, want)
		})
	}
}

// idc2RewritePPSCr returns a High-profile PPS NAL unit (with the
// transform_8x8_mode_flag tail, no scaling matrix) whose
// second_chroma_qp_index_offset is cr (§7.3.2.2).
func idc2RewritePPSCr(nal []byte, cr int64) ([]byte, error) {
	rbsp := tUnescape(nal[1:])
	r := &tbr{b: rbsp}
	r.ue()
	r.ue()
	r.u(2)
	if r.ue() != 0 {
		return nil, errors.New("slice groups")
	}
	r.ue()
	r.ue()
	r.u(3)
	r.se()
	r.se()
	r.se()
	r.u(3)
	// more_rbsp_data(): the tail of a High-profile PPS.
	r.u(1) // transform_8x8_mode_flag
	if r.u(1) != 0 {
		return nil, errors.New("PPS scaling matrix: not handled")
	}
	at := r.pos
	r.se() // second_chroma_qp_index_offset
	if r.err != nil {
		return nil, fmt.Errorf("PPS without the High-profile tail: %v", r.err)
	}
	var w bitWriter
	rd := &tbr{b: rbsp}
	for rd.pos < at {
		w.u(1, rd.u(1))
	}
	w.se(cr)
	w.u(1, 1) // rbsp_stop_one_bit
	for w.nbit%8 != 0 {
		w.u(1, 0)
	}
	return append([]byte{nal[0]}, tEscape(w.b)...), nil
}

// TestDeblockCrOffsetX264: second_chroma_qp_index_offset different from
// chroma_qp_index_offset (x264 writes them equal; its PPS is rewritten) —
// the Cr edges of the deblocking filter use the second one (§8.7.2.2).
func TestDeblockCrOffsetX264(t *testing.T) {
	ffmpeg := testtool.Need(t, "ffmpeg")
	ffprobe := testtool.Need(t, "ffprobe")
	dir := t.TempDir()
	for _, c := range []struct {
		name, size, pixFmt, params string
		cr                         int64
	}{
		{"cabac-420-cr-minus7", "64x48", "yuv420p", "keyint=1:cabac=1:qp=38:chroma-qp-offset=2", -7},
		{"cavlc-420-cr-plus9", "64x48", "yuv420p", "keyint=1:cabac=0:qp=32", 9},
		{"cabac-422-cr-plus5", "64x48", "yuv422p", "keyint=1:cabac=1:qp=36", 5},
		{"cavlc-422-10-cr-minus12", "64x48", "yuv422p10le", "keyint=1:cabac=0:qp=44:chroma-qp-offset=-3", -12},
	} {
		t.Run(c.name, func(t *testing.T) {
			desc := fmt.Sprintf("clip %s (%s %s, x264 %s, second_chroma_qp_index_offset rewritten to %d)", c.name, c.size, c.pixFmt, c.params, c.cr)
			orig := filepath.Join(dir, c.name+".264")
			src := fmt.Sprintf("testsrc2=size=%s:rate=25,noise=alls=20:allf=t", c.size)
			cmd := exec.Command(ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", src,
				"-frames:v", "2", "-pix_fmt", c.pixFmt, "-c:v", "libx264", "-profile:v", "high444",
				"-x264-params", c.params, "-f", "h264", orig)
			// high444 only to have x264 write the PPS tail for 4:2:0 too;
			// it keeps the input's chroma format.
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s: encoding failed: %v\n%s", desc, err, out)
			}
			data, err := os.ReadFile(orig)
			if err != nil {
				t.Fatal(err)
			}
			nals, _ := decode.SplitAnnexB(nil, data)
			var out []byte
			for _, n := range nals {
				if n[0]&0x1f == 8 {
					if n, err = idc2RewritePPSCr(n, c.cr); err != nil {
						t.Fatalf("%s: %v", desc, err)
					}
				}
				out = append(out, 0, 0, 0, 1)
				out = append(out, n...)
			}
			file := filepath.Join(dir, c.name+"-cr.264")
			if err := os.WriteFile(file, out, 0o644); err != nil {
				t.Fatal(err)
			}
			want, err := diffOracle(ffmpeg, ffprobe, file)
			if err != nil {
				t.Fatalf("%s: oracle: %v", desc, err)
			}
			wantOrig, err := diffOracle(ffmpeg, ffprobe, orig)
			if err != nil {
				t.Fatalf("%s: oracle of the original: %v", desc, err)
			}
			if len(want) == 0 || len(want) != len(wantOrig) || want[0] == wantOrig[0] {
				t.Fatalf("%s: ffmpeg gives the same first picture before and after the rewrite; it shows nothing", desc)
			}
			got, err := diffDecodeStream(out)
			if err != nil {
				t.Fatalf("%s: %v", desc, err)
			}
			diffMatch(t, desc, got, want)
		})
	}
}
