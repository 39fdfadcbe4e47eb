package h264

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stills/stills/decode"
	"github.com/stills/stills/internal/testtool"
)

// testBits builds bit strings for hand-made syntax (§9.1 Exp-Golomb).
type testBits struct {
	b []byte
	n int
}

func (w *testBits) u(n int, v uint64) {
	for i := n - 1; i >= 0; i-- {
		if w.n%8 == 0 {
			w.b = append(w.b, 0)
		}
		if v>>uint(i)&1 != 0 {
			w.b[len(w.b)-1] |= 0x80 >> uint(w.n%8)
		}
		w.n++
	}
}

func (w *testBits) ue(v uint64) {
	v++
	n := 0
	for x := v; x > 1; x >>= 1 {
		n++
	}
	w.u(n, 0)
	w.u(n+1, v)
}

func (w *testBits) se(v int64) {
	if v > 0 {
		w.ue(uint64(2*v - 1))
	} else {
		w.ue(uint64(-2 * v))
	}
}

// trailing appends rbsp_trailing_bits().
func (w *testBits) trailing() []byte {
	w.u(1, 1)
	for w.n%8 != 0 {
		w.u(1, 0)
	}
	return w.b
}

func TestExpGolomb(t *testing.T) {
	// Table 9-2 bit strings and codeNum; Table 9-3 se(v) mapping.
	cases := []struct {
		bits string
		ue   uint32
		se   int32
	}{
		{"1", 0, 0}, {"010", 1, 1}, {"011", 2, -1}, {"00100", 3, 2}, {"00101", 4, -2},
		{"00110", 5, 3}, {"00111", 6, -3}, {"0001000", 7, 4}, {"0001110", 13, 7},
		{"00000000000000001" + "0000000000000000", 65535, 32768},
		{"0000000000000000000000000000000" + "1" + "1111111111111111111111111111111", 1<<32 - 2, -(1<<31 - 1)},
	}
	for _, c := range cases {
		var w testBits
		for _, ch := range c.bits {
			w.u(1, uint64(ch-'0'))
		}
		var r bitReader
		r.init(append(w.b, 0xff))
		if got := r.ue(); got != c.ue || r.bad() || r.bitPos() != len(c.bits) {
			t.Errorf("ue(%s) = %d (pos %d, over %v), want %d", c.bits, got, r.bitPos(), r.bad(), c.ue)
		}
		r.init(append(w.b, 0xff))
		if got := r.se(); got != c.se {
			t.Errorf("se(%s) = %d, want %d", c.bits, got, c.se)
		}
	}
	// 32 leading zeros exceed MaxExpGolombLeadingZeros: invalid, not a hang.
	var r bitReader
	r.init([]byte{0, 0, 0, 0, 0x80})
	r.ue()
	if !r.bad() {
		t.Errorf("a 32-zero Exp-Golomb prefix was accepted")
	}
	// Reading past the end sets the sticky flag and returns zeros.
	r.init([]byte{0xff})
	if v := r.u(16); v != 0xff00 || !r.bad() {
		t.Errorf("u(16) on one byte = %#x, over %v", v, r.bad())
	}
}

func TestUnescapeRBSP(t *testing.T) {
	cases := []struct{ in, out []byte }{
		{[]byte{0, 0, 3, 1}, []byte{0, 0, 1}},
		{[]byte{0, 0, 3, 0, 0, 3}, []byte{0, 0, 0, 0}},
		{[]byte{1, 0, 3, 0}, []byte{1, 0, 3, 0}}, // one zero only: not an escape
		{[]byte{0, 0, 0, 3}, []byte{0, 0, 0}},
		{[]byte{5, 6, 7}, []byte{5, 6, 7}},
	}
	for _, c := range cases {
		if got := unescapeRBSP(nil, c.in); !bytes.Equal(got, c.out) {
			t.Errorf("unescape(% x) = % x, want % x", c.in, got, c.out)
		}
	}
	// more_rbsp_data() ignores the stop bit and cabac_zero_words after it.
	var r bitReader
	r.init([]byte{0xa0, 0x00, 0x00}) // bits 1 0 1(stop) then zeros
	r.u(2)
	if r.moreRBSPData() {
		t.Errorf("more_rbsp_data() true at the stop bit")
	}
}

// scalingSPS writes an SPS of a High profile stream whose scaling matrix
// transmits only the given 4x4 list 0 (flat 16 except the first entry) and
// nothing else, and a PPS with pic_scaling_matrix_present_flag set and no
// list transmitted.
func scalingSPSPPS(t *testing.T) (*sps, *pps) {
	var w testBits
	w.u(8, 100) // profile_idc High
	w.u(8, 0)
	w.u(8, 40)
	w.ue(0) // sps id
	w.ue(1) // chroma_format_idc
	w.ue(0)
	w.ue(0)
	w.u(1, 0) // qpprime_y_zero_transform_bypass_flag
	w.u(1, 1) // seq_scaling_matrix_present_flag
	for i := 0; i < 8; i++ {
		if i == 0 {
			w.u(1, 1)
			// list: first value 20, then 16 for the rest: delta 12, -4, then 0s.
			w.se(12)
			w.se(-4)
			for j := 2; j < 16; j++ {
				w.se(0)
			}
		} else {
			w.u(1, 0)
		}
	}
	w.ue(0)   // log2_max_frame_num_minus4
	w.ue(2)   // pic_order_cnt_type
	w.ue(1)   // max_num_ref_frames
	w.u(1, 0) // gaps
	w.ue(1)   // width 2 MBs
	w.ue(0)   // height 1 map unit
	w.u(1, 1) // frame_mbs_only_flag
	w.u(1, 1) // direct_8x8_inference_flag
	w.u(1, 0) // frame_cropping_flag
	w.u(1, 0) // vui
	var ps paramSets
	if err := ps.putSPS(append([]byte{0x67}, w.trailing()...)); err != nil {
		t.Fatal(err)
	}
	var p testBits
	p.ue(0)
	p.ue(0)
	p.u(1, 0) // entropy_coding_mode_flag
	p.u(1, 0) // bottom_field_pic_order_in_frame_present_flag
	p.ue(0)   // num_slice_groups_minus1
	p.ue(0)   // l0
	p.ue(0)   // l1
	p.u(1, 0) // weighted_pred_flag
	p.u(2, 0) // weighted_bipred_idc
	p.se(0)   // pic_init_qp_minus26
	p.se(0)   // pic_init_qs_minus26
	p.se(0)   // chroma_qp_index_offset
	p.u(1, 1) // deblocking_filter_control_present_flag
	p.u(1, 0) // constrained_intra_pred_flag
	p.u(1, 0) // redundant_pic_cnt_present_flag
	p.u(1, 1) // transform_8x8_mode_flag
	p.u(1, 1) // pic_scaling_matrix_present_flag
	for i := 0; i < 8; i++ {
		p.u(1, 0)
	}
	p.se(3) // second_chroma_qp_index_offset
	if err := ps.putPPS(append([]byte{0x68}, p.trailing()...)); err != nil {
		t.Fatal(err)
	}
	sp, pp, err := ps.get(0)
	if err != nil {
		t.Fatal(err)
	}
	return sp, pp
}

func TestScalingListFallback(t *testing.T) {
	sp, pp := scalingSPSPPS(t)
	custom := flat4x4
	custom[0] = 20
	// SPS, fall-back rule A (Table 7-2): list 1 and 2 repeat list 0; list 3
	// is Default_4x4_Inter, 4 and 5 repeat it; 8x8 lists are the defaults.
	want4 := [6][16]uint8{custom, custom, custom, default4x4Inter, default4x4Inter, default4x4Inter}
	if sp.Scaling.l4 != want4 {
		t.Errorf("SPS 4x4 lists %v, want %v", sp.Scaling.l4, want4)
	}
	if sp.Scaling.l8[0] != default8x8Intra || sp.Scaling.l8[1] != default8x8Inter {
		t.Errorf("SPS 8x8 lists are not Default_8x8_Intra/Inter")
	}
	// PPS, fall-back rule B: lists 0, 3, 6, 7 come from the SPS.
	if pp.Scaling.l4 != want4 || pp.Scaling.l8[0] != default8x8Intra || pp.Scaling.l8[1] != default8x8Inter {
		t.Errorf("PPS lists do not follow fall-back rule B")
	}
	if !pp.Transform8x8Mode || pp.SecondChromaQpIndexOffset != 3 || pp.ChromaQpIndexOffset != 0 {
		t.Errorf("PPS tail: transform8x8 %v second offset %d", pp.Transform8x8Mode, pp.SecondChromaQpIndexOffset)
	}
	// LevelScale4x4 (eq. 8-315): weight * normAdjust; position (0,0) of
	// list 0 at qP%6 == 0 is 20*10.
	var ls levelScale
	ls.init(&pp.Scaling)
	if ls.ls4[0][0][0] != 200 || ls.ls4[0][0][1] != 16*13 || ls.ls4[0][0][5] != 16*16 {
		t.Errorf("LevelScale4x4 = %v", ls.ls4[0][0])
	}
}

// TestAccessUnits checks the access unit splitter against ffprobe's frame
// counts (ffprobe -count_frames, nb_read_frames) of the conformance streams.
func TestAccessUnits(t *testing.T) {
	want := map[string]int{
		"BA_MW_D.264": 100, "MIDR_MW_D.264": 100, "NRF_MW_E.264": 100, "MPS_MW_A.264": 150,
		"CVPCMNL1_SVA_C.264": 30, "Cisco_Men_whisper_640x320_CABAC_Bframe_9.264": 9,
		"Error_I_P.264": 6, "SVA_BA1_B.264": 17, "test_cif_I_CABAC_slice.264": 300,
		"jm_1080p_allslice.264": 1, "CVFC1_Sony_C.jsv": 50, "BA1_Sony_D.jsv": 17,
	}
	for name, n := range want {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		pics := 0
		d := NewDecoder()
		for _, au := range SplitAccessUnits(annexBNALs(b)) {
			if _, err := d.DecodeAccessUnit(au); !errors.Is(err, decode.ErrNoPicture) {
				pics++
			}
		}
		if pics != n {
			t.Errorf("%s: %d access units with a picture, ffprobe counts %d frames", name, pics, n)
		}
	}
}

func TestNotIntraAndUnsupported(t *testing.T) {
	// BA_MW_D has P pictures; they must give ErrNotIntra, not a picture.
	b, err := os.ReadFile("testdata/BA_MW_D.264")
	if err != nil {
		t.Fatal(err)
	}
	d := NewDecoder()
	var intra, inter int
	for _, au := range SplitAccessUnits(annexBNALs(b)) {
		_, err := d.DecodeAccessUnit(au)
		switch {
		case err == nil:
			intra++
		case errors.Is(err, decode.ErrNotIntra):
			inter++
		default:
			t.Fatalf("unexpected error %v", err)
		}
	}
	// intra-md5.txt lists 4 I pictures for BA_MW_D.
	if intra != 4 || inter != 96 {
		t.Errorf("intra %d, inter %d; want 4 and 96", intra, inter)
	}
	// A data-partitioned slice is unsupported, with a typed error.
	var ue decode.UnsupportedError
	if _, err := NewDecoder().DecodeAccessUnit([][]byte{{0x02, 0x80}}); !errors.As(err, &ue) {
		t.Errorf("data partition A: %v, want UnsupportedError", err)
	}
	if _, err := NewDecoder().DecodeAccessUnit([][]byte{{0x65, 0x88, 0x80}}); !errors.Is(err, decode.ErrMissingParameterSet) {
		t.Errorf("IDR slice without parameter sets: %v, want ErrMissingParameterSet", err)
	}
}

func TestConfigureAVCC(t *testing.T) {
	b, err := os.ReadFile("testdata/test_scalinglist_jm.264")
	if err != nil {
		t.Fatal(err)
	}
	var sps []byte
	var ppss, slices [][]byte
	aus := SplitAccessUnits(annexBNALs(b))
	for _, n := range aus[0] {
		switch n[0] & 0x1f {
		case 7:
			sps = n
		case 8:
			ppss = append(ppss, n)
		case 1, 5:
			slices = append(slices, n)
		}
	}
	rec := []byte{1, sps[1], sps[2], sps[3], 0xfc | 1, 0xe1, byte(len(sps) >> 8), byte(len(sps))}
	rec = append(rec, sps...)
	rec = append(rec, byte(len(ppss)))
	for _, pps := range ppss {
		rec = append(rec, byte(len(pps)>>8), byte(len(pps)))
		rec = append(rec, pps...)
	}
	d := NewDecoder()
	if err := d.Configure(rec); err != nil {
		t.Fatal(err)
	}
	if d.NALLengthSize() != 2 {
		t.Errorf("NAL length size %d, want 2", d.NALLengthSize())
	}
	f, err := d.DecodeAccessUnit(slices)
	if err != nil {
		t.Fatal(err)
	}
	// The line of intra-md5.txt for this stream (ffmpeg's MD5).
	if got := frameMD5(f); got != "65e07c6877f6b8683cb46d4cf442210a" {
		t.Errorf("md5 %s, want ffmpeg's 65e07c6877f6b8683cb46d4cf442210a", got)
	}
	if f.Width != 320 || f.Height != 192 {
		t.Errorf("size %dx%d, want 320x192", f.Width, f.Height)
	}
	for _, bad := range [][]byte{nil, {1, 2, 3}, {0, 100, 0, 40, 0xff, 0xe1, 0, 4, 0x67}, append(rec[:len(rec)-2:len(rec)-2], 0xff)} {
		if err := NewDecoder().Configure(bad); err == nil {
			t.Errorf("Configure(% x) accepted", bad)
		}
	}
}

// BenchmarkDecode decodes the intra pictures of a CAVLC and a CABAC vector.
func BenchmarkDecode(b *testing.B) {
	for _, name := range []string{"Zhling_1280x720.264", "test_cif_I_CABAC_slice.264"} {
		b.Run(name, func(b *testing.B) {
			data, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				b.Fatal(err)
			}
			var aus [][][]byte
			d := NewDecoder()
			for _, au := range SplitAccessUnits(annexBNALs(data)) {
				if _, err := d.DecodeAccessUnit(au); err == nil {
					aus = append(aus, au)
				}
				if len(aus) == 10 {
					break
				}
			}
			var size int64
			for _, au := range aus {
				for _, n := range au {
					size += int64(len(n))
				}
			}
			b.SetBytes(size / int64(len(aus)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := d.DecodeAccessUnit(aus[i%len(aus)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzSplitAccessUnits: the access unit splitter keeps every NAL unit, in
// order, and never fails on hostile slice headers or parameter sets.
func FuzzSplitAccessUnits(f *testing.F) {
	for _, name := range []string{"MPS_MW_A.264", "CVFC1_Sony_C.jsv", "test_qcif_cabac.264"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[:min(len(b), 4<<10)])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		nals := annexBNALs(data)
		var got [][]byte
		for _, au := range SplitAccessUnits(nals) {
			if len(au) == 0 {
				t.Fatalf("empty access unit")
			}
			got = append(got, au...)
		}
		if len(got) != len(nals) {
			t.Fatalf("%d NAL units in, %d out", len(nals), len(got))
		}
		for i := range got {
			if &got[i][0] != &nals[i][0] {
				t.Fatalf("NAL unit %d out of order", i)
			}
		}
	})
}

// Test444 checks 4:4:4 streams (High 4:4:4 Predictive, as ffmpeg+x264 make
// from RGB or yuv444p sources), and interlace-flagged streams, against
// ffmpeg's MD5 of each picture.
func Test444(t *testing.T) {
	ffmpeg := testtool.Need(t, "ffmpeg")
	dir := t.TempDir()
	for _, c := range []struct{ name, pixFmt, params string }{
		{"cavlc-8x8", "yuv444p", "cabac=0:8x8dct=1:qp=28"},
		{"cabac-4x4", "yuv444p", "cabac=1:8x8dct=0:qp=28"},
		{"cabac-8x8", "yuv444p", "cabac=1:8x8dct=1:qp=28"},
		{"cabac-8x8-10bit", "yuv444p10le", "cabac=1:8x8dct=1:qp=24"},
		{"cabac-lossless", "yuv444p", "cabac=1:qp=0"},
		{"cavlc-lossless", "yuv444p", "cabac=0:qp=0"},
		{"cabac-slices-offset", "yuv444p", "cabac=1:slices=3:qp=35:chroma-qp-offset=4"},
		// frame_mbs_only_flag 0 with frame pictures (no MBAFF): decoded as frames.
		{"fake-interlaced-420", "yuv420p", "cabac=1:fake-interlaced=1:qp=28"},
		// MBAFF: a typed error, checked below.
		{"mbaff", "yuv420p", "cabac=1:interlaced=1:qp=28"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := filepath.Join(dir, c.name+".264")
			out, err := exec.Command(ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=50x36,noise=alls=12:allf=t",
				"-frames:v", "2", "-pix_fmt", c.pixFmt, "-c:v", "libx264", "-x264-params", "keyint=1:"+c.params,
				"-f", "h264", f).CombinedOutput()
			if err != nil {
				t.Fatalf("ffmpeg: %v\n%s", err, out)
			}
			out, err = exec.Command(ffmpeg, "-v", "error", "-i", f, "-f", "framemd5", "-").Output()
			if err != nil {
				t.Fatalf("ffmpeg framemd5: %v", err)
			}
			var want []string
			for _, l := range strings.Split(string(out), "\n") {
				if l == "" || l[0] == '#' {
					continue
				}
				fs := strings.Split(l, ",")
				want = append(want, strings.TrimSpace(fs[len(fs)-1]))
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			d := NewDecoder()
			var got []string
			for _, au := range SplitAccessUnits(annexBNALs(b)) {
				fr, err := d.DecodeAccessUnit(au)
				if c.name == "mbaff" {
					var ue decode.UnsupportedError
					if !errors.As(err, &ue) {
						t.Fatalf("MBAFF picture: %v, want an UnsupportedError", err)
					}
					return
				}
				if err != nil {
					t.Fatalf("picture %d: %v", len(got), err)
				}
				got = append(got, frameMD5(fr))
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("MD5s %v, ffmpeg %v", got, want)
			}
		})
	}
}

func TestVUI(t *testing.T) {
	// x264 writes a VUI with the SAR, colour description and timing
	// ffmpeg passes; ffprobe reports for this clip sample_aspect_ratio 4:3,
	// color_range pc, bt709 everywhere, r_frame_rate 25/1.
	ffmpeg := testtool.Need(t, "ffmpeg")
	f := filepath.Join(t.TempDir(), "vui.264")
	out, err := exec.Command(ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=32x32:rate=25", "-frames:v", "1",
		"-vf", "setsar=4/3", "-color_range", "pc", "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
		"-c:v", "libx264", "-x264-params", "keyint=1",
		"-f", "h264", f).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	var ps paramSets
	for _, n := range annexBNALs(b) {
		if n[0]&0x1f == nalSPS {
			if err := ps.putSPS(n); err != nil {
				t.Fatal(err)
			}
		}
	}
	s := ps.sps[0]
	if s == nil {
		t.Fatal("no SPS")
	}
	want := decode.ColourInfo{Present: true, FullRange: true, MatrixCoefficients: 1, ColourPrimaries: 1, TransferCharacteristics: 1}
	if s.Colour != want || s.SARWidth != 4 || s.SARHeight != 3 {
		t.Errorf("colour %+v SAR %d:%d", s.Colour, s.SARWidth, s.SARHeight)
	}
	if s.NumUnitsInTick == 0 || s.TimeScale != 2*25*s.NumUnitsInTick {
		t.Errorf("timing %d/%d, want 25 frames per second", s.NumUnitsInTick, s.TimeScale)
	}
}

// BenchmarkCAVLC1080pVsFFmpeg decodes 1080p Baseline (CAVLC) IDR pictures
// made by x264 (testsrc2 with noise, 4 pictures at about 500 KB each) beside
// ffmpeg -threads 1 on the same pictures, both in CPU time. ffmpeg's time
// per picture is the difference between decoding the stream 6 times over
// and once, divided by the 20 extra pictures (its start-up cancels out).
func BenchmarkCAVLC1080pVsFFmpeg(b *testing.B) {
	ffmpeg := testtool.Need(b, "ffmpeg")
	dir := b.TempDir()
	one := filepath.Join(dir, "one.264")
	if out, err := exec.Command(ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=5,noise=alls=6:allf=t",
		"-frames:v", "4", "-c:v", "libx264", "-profile:v", "baseline", "-x264-params", "keyint=1:bitrate=20000",
		"-f", "h264", one).CombinedOutput(); err != nil {
		b.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	data, err := os.ReadFile(one)
	if err != nil {
		b.Fatal(err)
	}
	six := filepath.Join(dir, "six.264")
	if err := os.WriteFile(six, bytes.Repeat(data, 6), 0o644); err != nil {
		b.Fatal(err)
	}
	cpu := func(f string) time.Duration {
		best := time.Duration(1 << 62)
		for i := 0; i < 3; i++ {
			c := exec.Command(ffmpeg, "-v", "error", "-threads", "1", "-i", f, "-f", "null", "-")
			if out, err := c.CombinedOutput(); err != nil {
				b.Fatalf("ffmpeg decode: %v\n%s", err, out)
			}
			best = min(best, c.ProcessState.UserTime()+c.ProcessState.SystemTime())
		}
		return best
	}
	peer := (cpu(six) - cpu(one)) / 20
	var aus [][][]byte
	d := NewDecoder()
	for _, au := range SplitAccessUnits(annexBNALs(data)) {
		if _, err := d.DecodeAccessUnit(au); err != nil {
			b.Fatal(err)
		}
		aus = append(aus, au)
	}
	b.SetBytes(int64(len(data) / len(aus)))
	b.ReportAllocs()
	rusage := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	b.ResetTimer()
	start := rusage()
	for i := 0; i < b.N; i++ {
		if _, err := d.DecodeAccessUnit(aus[i%len(aus)]); err != nil {
			b.Fatal(err)
		}
	}
	ours := (rusage() - start) / time.Duration(b.N)
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	b.ReportMetric(ms(ours), "cpu-ms/picture")
	b.ReportMetric(ms(peer), "ffmpeg-cpu-ms/picture")
	b.ReportMetric(ms(ours)/ms(peer), "ratio")
}
