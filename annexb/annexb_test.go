package annexb

import (
	"bytes"
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stills/stills/decode"
	"github.com/stills/stills/internal/testtool"
	"github.com/stills/stills/media"
)

func scanAll(t testing.TB, s *Source) *media.Index {
	t.Helper()
	idx, err := s.Scan(context.Background(), media.ProducerTime, math.MinInt64, math.MaxInt64)
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return idx
}

// probe returns ffprobe's video packets of a raw stream (size, position,
// keyframe flag) and the positions of the packets ffmpeg decodes into I pictures.
func probe(t *testing.T, path, format string) (sizes []int, pos []int64, keys []bool, intra map[int64]bool) {
	t.Helper()
	ffprobe := testtool.Need(t, "ffprobe")
	out, err := exec.Command(ffprobe, "-v", "error", "-f", format, "-select_streams", "v:0",
		"-show_entries", "packet=pos,size,flags", "-of", "csv=p=0", path).Output()
	if err != nil {
		t.Fatalf("ffprobe: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, ",")
		if len(f) != 3 {
			t.Fatalf("ffprobe line %q", line)
		}
		n, err1 := strconv.Atoi(f[0])
		p, err2 := strconv.ParseInt(f[1], 10, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("ffprobe line %q", line)
		}
		sizes, pos, keys = append(sizes, n), append(pos, p), append(keys, strings.Contains(f[2], "K"))
	}
	out, err = exec.Command(ffprobe, "-v", "error", "-f", format, "-select_streams", "v:0",
		"-show_entries", "frame=pkt_pos,pict_type", "-of", "csv=p=0", path).Output()
	if err != nil {
		t.Fatalf("ffprobe frames: %v", err)
	}
	intra = map[int64]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		p, typ, _ := strings.Cut(line, ",")
		if n, err := strconv.ParseInt(p, 10, 64); err == nil && strings.HasPrefix(typ, "I") {
			intra[n] = true
		}
	}
	return sizes, pos, keys, intra
}

// checkAgainstFFprobe compares access units with ffmpeg's parser: the count,
// positions, keyframe flags and sizes. ffmpeg's packets start at the first
// start code of the access unit, like ours, and end before the next one, so
// sizes agree up to the zero bytes around start codes.
func checkAgainstFFprobe(t *testing.T, path string, codec decode.Codec) {
	format := "h264"
	if codec == decode.H265 {
		format = "hevc"
	}
	sizes, pos, keys, intra := probe(t, path, format)
	s, err := OpenFile(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Codec() != codec {
		t.Fatalf("detected %v, want %v", s.Codec(), codec)
	}
	idx := scanAll(t, s)
	if len(idx.Samples) != len(sizes) {
		t.Fatalf("%d access units, ffprobe reports %d packets", len(idx.Samples), len(sizes))
	}
	for i, sm := range idx.Samples {
		if d := int(sm.Size) - sizes[i]; d < -1 || d > 1 {
			t.Errorf("access unit %d: %d bytes, ffprobe %d", i, sm.Size, sizes[i])
		}
		if d := sm.Pos - pos[i]; d < -1 || d > 1 {
			t.Errorf("access unit %d at byte %d, ffprobe packet at %d", i, sm.Pos, pos[i])
		}
		// ffmpeg's parser flags IDR and some I pictures; we flag every IDR and,
		// for H.264, every picture made of I slices (package doc), which is what
		// ffmpeg's decoder reports as pict_type I.
		want := keys[i] || (codec == decode.H264 && intra[pos[i]])
		if sm.Keyframe != want {
			t.Errorf("access unit %d: keyframe %v; ffprobe key flag %v, I picture %v", i, sm.Keyframe, keys[i], intra[pos[i]])
		}
	}
}

func TestH264ConformanceAgainstFFprobe(t *testing.T) {
	dir := filepath.Join(testtool.SharedDir(t), "vectors", "h264")
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".txt") {
			continue
		}
		n++
		t.Run(filepath.Base(f), func(t *testing.T) { checkAgainstFFprobe(t, f, decode.H264) })
	}
	if n == 0 {
		t.Fatal("no vectors found")
	}
}

func TestFFmpegStreams(t *testing.T) {
	ffmpeg := testtool.Need(t, "ffmpeg")
	dir := t.TempDir()
	src := []string{"-f", "lavfi", "-i", "testsrc=size=96x64:rate=30:duration=1"}
	cases := []struct {
		name  string
		codec decode.Codec
		args  []string
		fps   float64 // from the VUI
	}{
		{"x264.h264", decode.H264, []string{"-c:v", "libx264", "-preset", "ultrafast", "-g", "7", "-bf", "2"}, 30},
		{"x265.hevc", decode.H265, []string{"-c:v", "libx265", "-preset", "ultrafast", "-g", "7", "-x265-params", "log-level=none"}, 30},
		// A file name that says nothing: the content decides.
		{"x265_named.264", decode.H265, []string{"-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=none", "-f", "hevc"}, 30},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, c.name)
			args := append(append([]string{"-v", "error", "-y"}, src...), c.args...)
			if b, err := exec.Command(ffmpeg, append(args, p)...).CombinedOutput(); err != nil {
				t.Fatalf("ffmpeg: %v\n%s", err, b)
			}
			checkAgainstFFprobe(t, p, c.codec)
			s, _ := OpenFile(p, Options{})
			defer s.Close()
			idx := scanAll(t, s)
			want := int64(1e9 / c.fps)
			if d := idx.Samples[1].Producer - idx.Samples[0].Producer; d < want-1 || d > want+1 {
				t.Errorf("frame step %d ns, want %d (VUI timing)", d, want)
			}
			if idx.Tracks[0].Width != 96 || idx.Tracks[0].Height != 64 || idx.Tracks[0].NALFormat != media.AnnexB {
				t.Errorf("track %+v", idx.Tracks[0])
			}
			// Each access unit splits into NAL units with at least one slice.
			buf := []byte(nil)
			for i := range idx.Samples {
				var err error
				buf, err = s.ReadSample(context.Background(), &idx.Samples[i], buf)
				if err != nil {
					t.Fatal(err)
				}
				nals, ok := decode.SplitAnnexB(nil, buf)
				if !ok || len(nals) == 0 || !bytes.HasPrefix(buf, []byte{0, 0, 1}) && !bytes.HasPrefix(buf, []byte{0, 0, 0, 1}) {
					t.Fatalf("access unit %d does not start with a start code", i)
				}
			}
		})
	}
}

func TestTimingFallback(t *testing.T) {
	// No VUI timing (BA_MW_D has none): Options.FPS, else 25.
	dir := filepath.Join(testtool.SharedDir(t), "vectors", "h264")
	b, err := os.ReadFile(filepath.Join(dir, "BA_MW_D.264"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		fps  float64
		step int64
	}{{0, 40_000_000}, {10, 100_000_000}, {29.97, 33_366_700}} {
		s, err := Open(bytes.NewReader(b), int64(len(b)), decode.H264, Options{FPS: c.fps})
		if err != nil {
			t.Fatal(err)
		}
		idx := scanAll(t, s)
		got := idx.Samples[10].Producer - idx.Samples[9].Producer
		if d := got - c.step; d < -1 || d > 1 {
			t.Errorf("FPS %v: step %d ns, want %d", c.fps, got, c.step)
		}
		if f := idx.Fragments[0]; f.Duration != idx.Samples[len(idx.Samples)-1].Producer+idx.Samples[len(idx.Samples)-1].Duration {
			t.Errorf("fragment duration %d does not end at the last frame's end", f.Duration)
		}
	}
}

func TestDetect(t *testing.T) {
	for _, c := range []struct {
		name string
		b    []byte
		want decode.Codec
	}{
		{"h264 sps", []byte{0, 0, 0, 1, 0x67, 0x42, 0xC0, 0x1E, 0, 0, 1, 0x68, 0xCE, 0x38, 0x80}, decode.H264},
		{"h265 vps", []byte{0, 0, 0, 1, 0x40, 0x01, 0x0C, 0x01, 0, 0, 1, 0x42, 0x01, 0x01, 0x01}, decode.H265},
		{"h264 aud+idr", []byte{0, 0, 1, 0x09, 0x10, 0x00, 0, 0, 1, 0x65, 0x88, 0x84}, decode.H264},
		{"h265 aud+idr", []byte{0, 0, 1, 0x46, 0x01, 0x10, 0, 0, 1, 0x26, 0x01, 0xAF}, decode.H265},
		{"no start code", []byte{1, 2, 3, 0, 0, 1, 0x67, 0x42, 0, 0}, decode.CodecUnknown},
		{"mkv", []byte{0x1A, 0x45, 0xDF, 0xA3, 0, 0, 1, 0x67}, decode.CodecUnknown},
		{"zeros", make([]byte, 100), decode.CodecUnknown},
		{"garbage nal", []byte{0, 0, 1, 0xFF, 0xFF, 0xFF}, decode.CodecUnknown},
	} {
		if got := Detect(c.b); got != c.want {
			t.Errorf("%s: Detect = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestHostile(t *testing.T) {
	// An access unit larger than the limit would need 64 MiB of input; check
	// instead that every prefix and a stream of bare start codes index without
	// panic and that samples stay inside the input.
	dir := filepath.Join(testtool.SharedDir(t), "vectors", "h264")
	full, err := os.ReadFile(filepath.Join(dir, "SVA_Base_B.264"))
	if err != nil {
		t.Fatal(err)
	}
	inputs := [][]byte{bytes.Repeat([]byte{0, 0, 1}, 1000), bytes.Repeat([]byte{0, 0, 1, 0x65}, 1000), {0, 0, 1}}
	for n := 0; n < len(full); n += 97 {
		inputs = append(inputs, full[:n])
	}
	for _, b := range inputs {
		s, err := Open(bytes.NewReader(b), int64(len(b)), decode.H264, Options{})
		if err != nil {
			t.Fatal(err)
		}
		idx := scanAll(t, s)
		for _, sm := range idx.Samples {
			if sm.Pos < 0 || sm.Pos+int64(sm.Size) > int64(len(b)) {
				t.Fatalf("sample %+v outside %d bytes", sm, len(b))
			}
		}
	}
}
