package h264

// Differential test: small synthetic clips made by x264 (through ffmpeg)
// over a matrix of coding tools, decoded by this package and by ffmpeg; the
// MD5 of every intra picture must match (the computation of
// shared/tools/intra-md5.sh: ffprobe pict_type + ffmpeg -f framemd5 over the
// cropped planar picture in its native pixel format). The conformance
// vectors of shared/vectors/h264 are compared by conformance_test.go.

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stills/stills/decode"
	"github.com/stills/stills/internal/testtool"
)

// diffClip is one x264 encoding of the matrix.
type diffClip struct {
	name   string
	size   string // WxH
	pixFmt string
	params string // -x264-params
	frames int
	// outOfScope: tools beyond SPEC §5 (4:4:4, lossless); a
	// decode.UnsupportedError is accepted for them, a wrong picture is not.
	outOfScope bool
	// cqm: write diffCQM to a file and pass it as cqmfile.
	cqm bool
}

// diffCQM is a custom quantisation matrix file for x264's cqmfile option
// (JM format): every list differs from Flat_4x4_16/8x8 and from the
// defaults of Table 7-3/7-4.
const diffCQM = `INTRA4X4_LUMA =
6,12,19,26,
12,19,26,31,
19,26,31,36,
26,31,36,42
INTRA4X4_CHROMAU =
8,14,20,27,
14,20,27,32,
20,27,32,38,
27,32,38,44
INTRA4X4_CHROMAV =
9,15,21,28,
15,21,28,33,
21,28,33,39,
28,33,39,45
INTER4X4_LUMA =
10,14,20,24,
14,20,24,27,
20,24,27,30,
24,27,30,34
INTER4X4_CHROMAU =
10,14,20,24,
14,20,24,27,
20,24,27,30,
24,27,30,34
INTER4X4_CHROMAV =
10,14,20,24,
14,20,24,27,
20,24,27,30,
24,27,30,34
INTRA8X8_LUMA =
6,10,13,16,18,23,25,27,
10,11,16,18,23,25,27,29,
13,16,18,23,25,27,29,31,
16,18,23,25,27,29,31,33,
18,23,25,27,29,31,33,36,
23,25,27,29,31,33,36,38,
25,27,29,31,33,36,38,40,
27,29,31,33,36,38,40,42
INTER8X8_LUMA =
9,13,15,17,19,21,22,24,
13,13,17,19,21,22,24,25,
15,17,19,21,22,24,25,27,
17,19,21,22,24,25,27,28,
19,21,22,24,25,27,28,30,
21,22,24,25,27,28,30,32,
22,24,25,27,28,30,32,33,
24,25,27,28,30,32,33,35
`

// diffClips is the matrix. All intra (keyint=1) unless said otherwise; tiny
// sizes so that the whole test stays well under a minute on two cores.
var diffClips = []diffClip{
	{name: "cavlc-4x4", size: "64x48", pixFmt: "yuv420p", params: "keyint=1:cabac=0:8x8dct=0:qp=26"},
	{name: "cavlc-8x8", size: "64x48", pixFmt: "yuv420p", params: "keyint=1:cabac=0:8x8dct=1:qp=26"},
	{name: "cabac-4x4", size: "64x48", pixFmt: "yuv420p", params: "keyint=1:cabac=1:8x8dct=0:qp=26"},
	{name: "cabac-8x8", size: "64x48", pixFmt: "yuv420p", params: "keyint=1:cabac=1:8x8dct=1:qp=26"},
	{name: "cavlc-qp10", size: "48x32", pixFmt: "yuv420p", params: "keyint=1:cabac=0:qp=10"},
	{name: "cabac-qp10", size: "48x32", pixFmt: "yuv420p", params: "keyint=1:cabac=1:qp=10"},
	{name: "cavlc-qp40", size: "64x48", pixFmt: "yuv420p", params: "keyint=1:cabac=0:qp=40"},
	{name: "cabac-qp40", size: "64x48", pixFmt: "yuv420p", params: "keyint=1:cabac=1:qp=40"},
	{name: "cavlc-qp51", size: "64x48", pixFmt: "yuv420p", params: "keyint=1:cabac=0:qp=51"},
	{name: "cabac-qp51", size: "64x48", pixFmt: "yuv420p", params: "keyint=1:cabac=1:qp=51"},
	{name: "cabac-qp0-lossless", size: "32x32", pixFmt: "yuv420p", params: "keyint=1:cabac=1:qp=0", outOfScope: true},
	{name: "cavlc-qp0-lossless", size: "32x32", pixFmt: "yuv420p", params: "keyint=1:cabac=0:qp=0", outOfScope: true},
	{name: "cabac-cqm-jvt", size: "64x48", pixFmt: "yuv420p", params: "keyint=1:cabac=1:8x8dct=1:cqm=jvt:qp=26"},
	{name: "cavlc-cqm-jvt", size: "64x48", pixFmt: "yuv420p", params: "keyint=1:cabac=0:8x8dct=1:cqm=jvt:qp=26"},
	{name: "cabac-cqmfile", size: "64x48", pixFmt: "yuv420p", params: "keyint=1:cabac=1:8x8dct=1:qp=26", cqm: true},
	{name: "cavlc-cqmfile", size: "64x48", pixFmt: "yuv420p", params: "keyint=1:cabac=0:8x8dct=1:qp=30", cqm: true},
	{name: "cabac-slices2", size: "64x64", pixFmt: "yuv420p", params: "keyint=1:cabac=1:slices=2:qp=30"},
	{name: "cavlc-slices3", size: "64x64", pixFmt: "yuv420p", params: "keyint=1:cabac=0:slices=3:qp=30"},
	{name: "cabac-slices8", size: "64x64", pixFmt: "yuv420p", params: "keyint=1:cabac=1:slices=8:qp=34"},
	{name: "cavlc-slices8", size: "64x64", pixFmt: "yuv420p", params: "keyint=1:cabac=0:slices=8:qp=34"},
	{name: "cabac-deblock-neg", size: "64x48", pixFmt: "yuv420p", params: "keyint=1:cabac=1:deblock=-3,-2:qp=32"},
	{name: "cabac-deblock-pos", size: "64x48", pixFmt: "yuv420p", params: "keyint=1:cabac=1:deblock=4,6:qp=32"},
	{name: "cavlc-deblock-6-6", size: "64x48", pixFmt: "yuv420p", params: "keyint=1:cabac=0:deblock=-6,6:qp=38"},
	{name: "cabac-no-deblock", size: "64x48", pixFmt: "yuv420p", params: "keyint=1:cabac=1:no-deblock=1:qp=32"},
	{name: "cabac-chroma-offset", size: "64x48", pixFmt: "yuv420p", params: "keyint=1:cabac=1:chroma-qp-offset=-5:qp=36"},
	{name: "cabac-odd-98x62", size: "98x62", pixFmt: "yuv420p", params: "keyint=1:cabac=1:qp=28"},
	{name: "cavlc-odd-98x62", size: "98x62", pixFmt: "yuv420p", params: "keyint=1:cabac=0:qp=28"},
	{name: "cabac-18x10", size: "18x10", pixFmt: "yuv420p", params: "keyint=1:cabac=1:qp=24"},
	{name: "cavlc-16x16-one-mb", size: "16x16", pixFmt: "yuv420p", params: "keyint=1:cabac=0:qp=36"},
	{name: "cabac-slice-max-mbs-3", size: "64x48", pixFmt: "yuv420p", params: "keyint=1:cabac=1:slice-max-mbs=3:qp=34:deblock=2,-1"},
	{name: "cabac-p-frames", size: "64x48", pixFmt: "yuv420p", params: "keyint=3:bframes=0:cabac=1:qp=28", frames: 4},
	{name: "high10-cabac", size: "64x48", pixFmt: "yuv420p10le", params: "keyint=1:cabac=1:qp=26"},
	{name: "high10-cavlc", size: "64x48", pixFmt: "yuv420p10le", params: "keyint=1:cabac=0:qp=20"},
	{name: "high10-qp-neg", size: "48x32", pixFmt: "yuv420p10le", params: "keyint=1:cabac=1:qp=4"},
	{name: "high10-qp51", size: "48x32", pixFmt: "yuv420p10le", params: "keyint=1:cabac=1:qp=51:deblock=3,3"},
	{name: "422-cabac", size: "64x48", pixFmt: "yuv422p", params: "keyint=1:cabac=1:qp=26"},
	{name: "422-cavlc", size: "64x48", pixFmt: "yuv422p", params: "keyint=1:cabac=0:qp=34"},
	{name: "422-10-cabac", size: "64x48", pixFmt: "yuv422p10le", params: "keyint=1:cabac=1:qp=30:chroma-qp-offset=3"},
	{name: "422-10-cavlc", size: "64x48", pixFmt: "yuv422p10le", params: "keyint=1:cabac=0:qp=30:slices=2"},
	{name: "gray-cabac", size: "64x48", pixFmt: "gray", params: "keyint=1:cabac=1:qp=30"},
	{name: "gray10-cavlc", size: "64x48", pixFmt: "gray10le", params: "keyint=1:cabac=0:qp=30"},
	{name: "444-cabac", size: "48x32", pixFmt: "yuv444p", params: "keyint=1:cabac=1:qp=30", outOfScope: true},
	{name: "mbaff-cabac", size: "64x64", pixFmt: "yuv420p", params: "keyint=1:cabac=1:interlaced=1:qp=30", outOfScope: true},
}

// TestDiffX264 encodes every clip of diffClips and compares our intra
// pictures with ffmpeg's. Set STILLS_DIFF_KEEP=dir to keep the clips.
func TestDiffX264(t *testing.T) {
	ffmpeg := testtool.Need(t, "ffmpeg")
	ffprobe := testtool.Need(t, "ffprobe")
	dir := os.Getenv("STILLS_DIFF_KEEP")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cqmPath := filepath.Join(dir, "custom.cqm")
	if err := os.WriteFile(cqmPath, []byte(diffCQM), 0o644); err != nil {
		t.Fatal(err)
	}
	var all, allWant []string // clips that matched, and their oracle lines
	for _, c := range diffClips {
		t.Run(c.name, func(t *testing.T) {
			params := c.params
			if c.cqm {
				params += ":cqmfile=" + cqmPath
			}
			desc := fmt.Sprintf("clip %s (%s %s, x264 %s)", c.name, c.size, c.pixFmt, params)
			frames := c.frames
			if frames == 0 {
				frames = 2
			}
			file := filepath.Join(dir, c.name+".264")
			src := fmt.Sprintf("testsrc2=size=%s:rate=25,noise=alls=20:allf=t", c.size)
			cmd := exec.Command(ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", src,
				"-frames:v", fmt.Sprint(frames), "-pix_fmt", c.pixFmt, "-c:v", "libx264",
				"-x264-params", params, "-f", "h264", file)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s: encoding failed: %v\n%s", desc, err, out)
			}
			if want, ok := diffCompare(t, ffmpeg, ffprobe, file, desc, c.outOfScope); ok && !c.outOfScope {
				all = append(all, file)
				allWant = append(allWant, want...)
			}
		})
	}
	// All the clips that matched, one after the other, through one decoder:
	// size, chroma format, bit depth, entropy coder and parameter sets
	// change at IDRs, and the decoder reuses its buffers.
	t.Run("one-decoder-all-clips", func(t *testing.T) {
		if len(all) < 2 {
			t.Skip("fewer than two clips matched; nothing to chain")
		}
		var data []byte
		for _, f := range all {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			data = append(data, b...)
		}
		got, err := diffDecodeStream(data)
		if err != nil {
			t.Fatalf("chained clips %v: %v", all, err)
		}
		diffMatch(t, fmt.Sprintf("%d chained clips", len(all)), got, allWant)
	})
}

// diffCompare decodes file with both decoders and compares. It returns the
// oracle's lines and whether every picture matched.
func diffCompare(t *testing.T, ffmpeg, ffprobe, file, desc string, outOfScope bool) ([]string, bool) {
	t.Helper()
	want, err := diffOracle(ffmpeg, ffprobe, file)
	if err != nil {
		t.Fatalf("%s: oracle: %v", desc, err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	got, err := diffDecodeStream(data)
	if err != nil {
		var ue decode.UnsupportedError
		if outOfScope && errors.As(err, &ue) {
			t.Logf("%s: unsupported (outside SPEC §5, accepted): %v", desc, err)
			return want, false
		}
		t.Fatalf("%s: %v", desc, err)
	}
	return want, diffMatch(t, desc, got, want)
}

// diffMatch compares "md5 WxH pixfmt" lists and reports whether they are equal.
func diffMatch(t *testing.T, desc string, got, want []string) bool {
	t.Helper()
	if len(want) == 0 {
		t.Fatalf("%s: the oracle found no intra picture", desc)
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d intra pictures decoded, ffmpeg has %d", desc, len(got), len(want))
	}
	bad := 0
	for i := 0; i < len(got) && i < len(want); i++ {
		if got[i] != want[i] {
			bad++
			if bad <= 3 {
				t.Errorf("%s: intra picture %d: got %s, ffmpeg %s", desc, i, got[i], want[i])
			}
		}
	}
	if bad > 3 {
		t.Errorf("%s: %d of %d intra pictures differ", desc, bad, len(want))
	}
	return bad == 0 && len(got) == len(want)
}

// diffOracle returns ffmpeg's "md5 WxH pixfmt" of each intra picture of
// file, in output order (shared/tools/intra-md5.sh in Go).
func diffOracle(ffmpeg, ffprobe, file string) ([]string, error) {
	types, err := exec.Command(ffprobe, "-v", "error", "-flags", "unaligned", "-select_streams", "v:0",
		"-show_entries", "frame=pict_type,width,height,pix_fmt", "-of", "csv=p=0", file).Output()
	if err != nil {
		return nil, fmt.Errorf("ffprobe: %w", err)
	}
	sums, err := exec.Command(ffmpeg, "-v", "error", "-flags", "unaligned", "-i", file,
		"-map", "0:v:0", "-fps_mode", "passthrough", "-f", "framemd5", "-").Output()
	if err != nil {
		return nil, fmt.Errorf("ffmpeg framemd5: %w", err)
	}
	var tl, sl []string
	for _, l := range strings.Split(string(types), "\n") {
		l = strings.TrimRight(l, ",\r ")
		if strings.Count(l, ",") >= 3 {
			tl = append(tl, l)
		}
	}
	for _, l := range strings.Split(string(sums), "\n") {
		if l == "" || l[0] == '#' {
			continue
		}
		f := strings.Split(l, ",")
		sl = append(sl, strings.TrimSpace(f[len(f)-1]))
	}
	if len(tl) != len(sl) {
		return nil, fmt.Errorf("frame count mismatch: ffprobe %d, framemd5 %d", len(tl), len(sl))
	}
	var out []string
	for i, l := range tl {
		f := strings.Split(l, ",")
		// width,height,pix_fmt,pict_type
		if f[3] != "I" {
			continue
		}
		pf := strings.Replace(f[2], "yuvj", "yuv", 1)
		out = append(out, sl[i]+" "+f[0]+"x"+f[1]+" "+pf)
	}
	return out, nil
}

// diffDecodeStream decodes an Annex B stream access unit by access unit and
// returns "md5 WxH pixfmt" for each picture decoded. Inter pictures
// (decode.ErrNotIntra) are skipped; any other error is returned with the
// access unit's index.
func diffDecodeStream(data []byte) ([]string, error) {
	d := NewDecoder()
	var out []string
	var sum []byte
	for i, au := range SplitAccessUnits(annexBNALs(data)) {
		f, err := d.DecodeAccessUnit(au)
		if errors.Is(err, decode.ErrNotIntra) || errors.Is(err, decode.ErrNoPicture) {
			continue
		}
		if err != nil {
			return out, fmt.Errorf("access unit %d: %w", i, err)
		}
		if f == nil {
			return out, fmt.Errorf("access unit %d: no frame and no error", i)
		}
		sum = diffFrameMD5(sum[:0], f)
		pf := f.PixFmt()
		if f.ChromaFormat == decode.Chroma400 {
			// ffmpeg outputs 4:0:0 as 4:2:0 with mid-grey chroma.
			pf = "yuv420p"
			if f.BitDepthY > 8 {
				pf = fmt.Sprintf("yuv420p%dle", f.BitDepthY)
			}
		}
		out = append(out, fmt.Sprintf("%s %dx%d %s", hex.EncodeToString(sum), f.Width, f.Height, pf))
	}
	return out, nil
}

// diffFrameMD5 appends to dst the MD5 of the frame's planes as ffmpeg's
// rawvideo writes them: 8-bit samples as bytes, deeper ones as 16-bit
// little-endian words. A 4:0:0 frame is hashed as ffmpeg outputs it: 4:2:0
// with both chroma planes at 1 << (BitDepth-1).
func diffFrameMD5(dst []byte, f *decode.Frame) []byte {
	h := md5.New()
	f.WriteRawVideo(h)
	if f.ChromaFormat == decode.Chroma400 {
		row := make([]byte, 0, 2*f.Width)
		cw, ch := (f.Width+1)/2, (f.Height+1)/2
		for i := 0; i < cw; i++ {
			g := uint16(1) << uint(f.BitDepthY-1)
			if f.BitDepthY > 8 {
				row = append(row, byte(g), byte(g>>8))
			} else {
				row = append(row, byte(g))
			}
		}
		for k := 0; k < 2*ch; k++ { // Cb then Cr, all mid-grey
			h.Write(row)
		}
	}
	return h.Sum(dst)
}
