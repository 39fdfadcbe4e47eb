package h264

// Fuzz targets for the parameter-set parser and for slice decoding, both
// through the public API. Each input must end in an error or a picture:
// never a panic, never a hang (fuzzWatchdog), never more memory than
// fuzzMaxAlloc. Seeds: testdata/fuzz/Fuzz*/seed-* (tiny x264 streams of each
// profile, SEI removed) and, when shared/ is present, the first access units
// of the conformance vectors.

import (
	"os"
	"path/filepath"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stills/stills/decode"
)

const (
	// fuzzMaxInput bounds the size of a fuzz input; longer ones are cut.
	fuzzMaxInput = 256 << 10
	// fuzzMaxAccessUnits bounds the access units decoded per input.
	fuzzMaxAccessUnits = 8
	// fuzzMaxAlloc is the memory one input may allocate: far more than any
	// picture a 256 KiB input can code sensibly, far less than what a
	// decoder trusting declared sizes (up to 2^32 macroblocks) would ask for.
	fuzzMaxAlloc = 512 << 20
	// fuzzWatchdog is the time one input may take (generous: CI machines
	// are shared).
	fuzzWatchdog = 20 * time.Second
)

// fuzzRun runs fn under the watchdog and the allocation bound. The bytes
// allocated are read from runtime/metrics, which (unlike
// runtime.ReadMemStats) does not stop the world: the fuzzer runs this
// thousands of times a second, minimisation included.
func fuzzRun(t *testing.T, what string, fn func()) {
	t.Helper()
	before := fuzzAllocBytes()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	timer := time.NewTimer(fuzzWatchdog)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		t.Fatalf("%s: still running after %v (endless loop?)", what, fuzzWatchdog)
	}
	if a := fuzzAllocBytes() - before; a > fuzzMaxAlloc {
		t.Fatalf("%s: allocated %d MiB, bound %d MiB", what, a>>20, fuzzMaxAlloc>>20)
	}
}

// fuzzAllocBytes is the cumulative count of bytes allocated on the heap.
func fuzzAllocBytes() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// fuzzCheckResult checks the decode contract: a frame, or an error, not both
// nil; a frame's planes hold what it declares. It may run off the test's
// goroutine (under fuzzRun), so it reports with Errorf, never Fatalf.
func fuzzCheckResult(t *testing.T, f *decode.Frame, err error) {
	t.Helper()
	if err != nil {
		if f != nil {
			t.Errorf("both a frame and an error: %v", err)
		}
		return
	}
	if f == nil {
		t.Errorf("no frame and no error")
		return
	}
	if f.Width <= 0 || f.Height <= 0 || f.YStride < f.Width || len(f.Y) < (f.Height-1)*f.YStride+f.Width {
		t.Errorf("frame %dx%d stride %d with %d luma samples", f.Width, f.Height, f.YStride, len(f.Y))
		return
	}
	if f.ChromaFormat != decode.Chroma400 {
		cw, ch := f.ChromaWidth(), f.ChromaHeight()
		need := (ch-1)*f.CStride + cw
		if f.CStride < cw || len(f.Cb) < need || len(f.Cr) < need {
			t.Errorf("chroma %dx%d stride %d with %d/%d samples", cw, ch, f.CStride, len(f.Cb), len(f.Cr))
		}
	}
}

// fuzzSharedSeeds returns up to max bytes of the start of each conformance
// vector, when shared/ is found (no skip: the committed seeds suffice).
func fuzzSharedSeeds(max int) [][]byte {
	var out [][]byte
	for _, d := range []string{os.Getenv("STILLS_SHARED"), "../../../shared", "../../../../shared"} {
		if d == "" {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(d, "vectors", "h264", "*"))
		for _, f := range files {
			if filepath.Ext(f) == ".txt" {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			if len(b) > max {
				b = b[:max]
			}
			out = append(out, b)
		}
		if len(out) > 0 {
			break
		}
	}
	return out
}

// FuzzDecodeAccessUnit feeds an Annex B stream, access unit by access unit,
// to one decoder. The conformance vectors seed it with their first 4 KiB
// only: an execution costs about the picture size (a 1080p picture takes
// tens of milliseconds), and the fuzzer minimises every new input.
func FuzzDecodeAccessUnit(f *testing.F) {
	for _, b := range fuzzSharedSeeds(4 << 10) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > fuzzMaxInput {
			data = data[:fuzzMaxInput]
		}
		fuzzRun(t, "DecodeAccessUnit", func() {
			d := NewDecoder()
			for i, au := range SplitAccessUnits(annexBNALs(data)) {
				if i == fuzzMaxAccessUnits {
					break
				}
				fr, err := d.DecodeAccessUnit(au)
				fuzzCheckResult(t, fr, err)
			}
		})
	})
}

// FuzzParameterSets feeds an SPS and a PPS NAL unit (header byte included),
// then the same pair again as an avcC record.
func FuzzParameterSets(f *testing.F) {
	f.Fuzz(func(t *testing.T, sps, pps []byte) {
		if len(sps) > 1<<12 || len(pps) > 1<<12 {
			return
		}
		fuzzRun(t, "parameter sets", func() {
			d := NewDecoder()
			fr, err := d.DecodeAccessUnit([][]byte{sps, pps})
			if err == nil {
				t.Errorf("an access unit of parameter sets gave a picture")
			}
			fuzzCheckResult(t, fr, err)
			if len(sps) >= 4 {
				rec := []byte{1, sps[1], sps[2], sps[3], 0xff, 0xe1, byte(len(sps) >> 8), byte(len(sps))}
				rec = append(rec, sps...)
				rec = append(rec, 1, byte(len(pps)>>8), byte(len(pps)))
				rec = append(rec, pps...)
				_ = NewDecoder().Configure(rec)
			}
		})
	})
}

// FuzzConfigure feeds an avcC record (ISO/IEC 14496-15 §5.3.3).
func FuzzConfigure(f *testing.F) {
	f.Fuzz(func(t *testing.T, rec []byte) {
		if len(rec) > fuzzMaxInput {
			return
		}
		fuzzRun(t, "Configure", func() {
			_ = NewDecoder().Configure(rec)
		})
	})
}

// bitWriter writes the Exp-Golomb syntax of §9.1 for hand-made NAL units.
type bitWriter struct {
	b    []byte
	nbit int
}

func (w *bitWriter) u(n int, v uint64) {
	for i := n - 1; i >= 0; i-- {
		if w.nbit%8 == 0 {
			w.b = append(w.b, 0)
		}
		if v>>uint(i)&1 != 0 {
			w.b[len(w.b)-1] |= 0x80 >> uint(w.nbit%8)
		}
		w.nbit++
	}
}

func (w *bitWriter) ue(v uint64) {
	v++
	n := 0
	for x := v; x > 1; x >>= 1 {
		n++
	}
	w.u(n, 0)
	w.u(n+1, v)
}

func (w *bitWriter) se(v int64) {
	if v > 0 {
		w.ue(uint64(2*v - 1))
	} else {
		w.ue(uint64(-2 * v))
	}
}

// nal writes rbsp_trailing_bits and inserts emulation prevention bytes.
func (w *bitWriter) nal(header byte) []byte {
	w.u(1, 1)
	for w.nbit%8 != 0 {
		w.u(1, 0)
	}
	out := []byte{header}
	zeros := 0
	for _, c := range w.b {
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

// hugeSPS is a Baseline SPS (§7.3.2.1.1) declaring widthMbs x heightMbs.
func hugeSPS(widthMbs, heightMbs uint64) []byte {
	var w bitWriter
	w.u(8, 66)          // profile_idc
	w.u(8, 0)           // constraint flags
	w.u(8, 51)          // level_idc
	w.ue(0)             // seq_parameter_set_id
	w.ue(0)             // log2_max_frame_num_minus4
	w.ue(2)             // pic_order_cnt_type
	w.ue(1)             // max_num_ref_frames
	w.u(1, 0)           // gaps_in_frame_num_value_allowed_flag
	w.ue(widthMbs - 1)  // pic_width_in_mbs_minus1
	w.ue(heightMbs - 1) // pic_height_in_map_units_minus1
	w.u(1, 1)           // frame_mbs_only_flag
	w.u(1, 1)           // direct_8x8_inference_flag
	w.u(1, 0)           // frame_cropping_flag
	w.u(1, 0)           // vui_parameters_present_flag
	return w.nal(0x67)  // nal_ref_idc 3, type 7
}

// basicPPS is a CAVLC PPS (§7.3.2.2) for hugeSPS.
func basicPPS() []byte {
	var w bitWriter
	w.ue(0)   // pic_parameter_set_id
	w.ue(0)   // seq_parameter_set_id
	w.u(1, 0) // entropy_coding_mode_flag
	w.u(1, 0) // bottom_field_pic_order_in_frame_present_flag
	w.ue(0)   // num_slice_groups_minus1
	w.ue(0)   // num_ref_idx_l0_default_active_minus1
	w.ue(0)   // num_ref_idx_l1_default_active_minus1
	w.u(1, 0) // weighted_pred_flag
	w.u(2, 0) // weighted_bipred_idc
	w.se(0)   // pic_init_qp_minus26
	w.se(0)   // pic_init_qs_minus26
	w.se(0)   // chroma_qp_index_offset
	w.u(1, 1) // deblocking_filter_control_present_flag
	w.u(1, 0) // constrained_intra_pred_flag
	w.u(1, 0) // redundant_pic_cnt_present_flag
	return w.nal(0x68)
}

// idrSlice is the header (§7.3.3) of an I slice of an IDR picture followed
// by a few macroblocks of I_16x16 data that will run out.
func idrSlice() []byte {
	var w bitWriter
	w.ue(0)   // first_mb_in_slice
	w.ue(7)   // slice_type I (all slices)
	w.ue(0)   // pic_parameter_set_id
	w.u(4, 0) // frame_num
	w.ue(0)   // idr_pic_id
	w.u(1, 0) // no_output_of_prior_pics_flag
	w.u(1, 0) // long_term_reference_flag
	w.se(0)   // slice_qp_delta
	w.ue(1)   // disable_deblocking_filter_idc
	for i := 0; i < 8; i++ {
		w.ue(1) // mb_type I_16x16_0_0_0
		w.ue(0) // intra_chroma_pred_mode
		w.se(0) // mb_qp_delta
		w.u(1, 1)
	}
	return w.nal(0x65)
}

// TestHugeDimensionsRejected: a picture size that no level allows must be
// refused before its planes are allocated, and quickly.
func TestHugeDimensionsRejected(t *testing.T) {
	for _, c := range []struct{ w, h uint64 }{
		{1 << 16, 1 << 16},
		{1 << 20, 1},
		{1, 1 << 20},
		{1 << 31, 2},
		{1 << 32, 1 << 32}, // ue(v) beyond 32 bits
	} {
		var err error
		fuzzRun(t, "huge SPS", func() {
			_, err = NewDecoder().DecodeAccessUnit([][]byte{hugeSPS(c.w, c.h), basicPPS(), idrSlice()})
		})
		if err == nil {
			t.Errorf("%dx%d macroblocks: decoded without error", c.w, c.h)
		} else {
			t.Logf("%dx%d macroblocks: %v", c.w, c.h, err)
		}
	}
}

// TestHandMadeStreamEnds: the hand-made IDR (valid headers, slice data that
// runs out) decodes to an error or a picture at the declared size, within
// the allocation bound even at the largest size a level allows (8192x4320,
// 138240 macroblocks, level 6.2 MaxFS 139264).
func TestHandMadeStreamEnds(t *testing.T) {
	for _, c := range []struct{ w, h uint64 }{{1, 1}, {2, 2}, {11, 11}, {512, 270}} {
		fuzzRun(t, "hand-made IDR", func() {
			fr, err := NewDecoder().DecodeAccessUnit([][]byte{hugeSPS(c.w, c.h), basicPPS(), idrSlice()})
			fuzzCheckResult(t, fr, err)
			if err == nil && fr != nil && (fr.Width != int(16*c.w) || fr.Height != int(16*c.h)) {
				t.Errorf("%d x %d macroblocks: got a %dx%d frame", c.w, c.h, fr.Width, fr.Height)
			}
		})
	}
}

// TestTruncatedAndFlipped runs every committed seed truncated at many
// lengths and with single bits flipped: a deterministic slice of what the
// fuzzer does, run by plain go test.
func TestTruncatedAndFlipped(t *testing.T) {
	seeds, _ := filepath.Glob("testdata/fuzz/FuzzDecodeAccessUnit/seed-*")
	if len(seeds) == 0 {
		t.Fatal("no seeds in testdata/fuzz/FuzzDecodeAccessUnit")
	}
	for _, s := range seeds {
		data := fuzzReadCorpusBytes(t, s)
		step := len(data)/40 + 1
		for n := 0; n <= len(data); n += step {
			in := data[:n]
			fuzzRun(t, filepath.Base(s)+" truncated", func() {
				d := NewDecoder()
				for _, au := range SplitAccessUnits(annexBNALs(in)) {
					fr, err := d.DecodeAccessUnit(au)
					fuzzCheckResult(t, fr, err)
				}
			})
		}
		for bit := 37; bit < 8*len(data); bit += 8*len(data)/60 + 13 {
			in := append([]byte(nil), data...)
			in[bit/8] ^= 1 << uint(bit%8)
			fuzzRun(t, filepath.Base(s)+" bit-flipped", func() {
				d := NewDecoder()
				for _, au := range SplitAccessUnits(annexBNALs(in)) {
					fr, err := d.DecodeAccessUnit(au)
					fuzzCheckResult(t, fr, err)
				}
			})
		}
	}
}

// fuzzReadCorpusBytes reads the single []byte value of a corpus file
// ("go test fuzz v1" then []byte("...")).
func fuzzReadCorpusBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	const pre = "[]byte("
	i := strings.Index(s, pre)
	j := strings.LastIndex(s, ")")
	if i < 0 || j < i {
		t.Fatalf("%s: not a corpus file", path)
	}
	v, err := strconv.Unquote(s[i+len(pre) : j])
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return []byte(v)
}
