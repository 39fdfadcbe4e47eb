package mp4in

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
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

type probePacket struct {
	pts       int64
	size, pos int64
	key       bool
	md5       string
}

func ffprobeVideo(t *testing.T, path string) ([]probePacket, int64) {
	t.Helper()
	ffprobe := testtool.Need(t, "ffprobe")
	out, err := exec.Command(ffprobe, "-v", "error", "-select_streams", "v:0",
		"-show_entries", "packet=pts,size,pos,flags,data_hash", "-show_data_hash", "MD5", "-of", "csv=p=0", path).Output()
	if err != nil {
		t.Fatalf("ffprobe: %v", err)
	}
	var pk []probePacket
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, ",")
		if len(f) < 5 {
			t.Fatalf("ffprobe line %q", line)
		}
		pts, _ := strconv.ParseInt(f[0], 10, 64)
		size, _ := strconv.ParseInt(f[1], 10, 64)
		pos, _ := strconv.ParseInt(f[2], 10, 64)
		pk = append(pk, probePacket{pts: pts, size: size, pos: pos, key: strings.Contains(f[3], "K"), md5: strings.TrimPrefix(f[4], "MD5:")})
	}
	out, err = exec.Command(ffprobe, "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=time_base", "-of", "csv=p=0", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	num, den, _ := strings.Cut(strings.TrimSpace(string(out)), "/")
	n, _ := strconv.ParseInt(num, 10, 64)
	d, _ := strconv.ParseInt(den, 10, 64)
	if n != 1 || d <= 0 || 1_000_000_000%d != 0 {
		t.Fatalf("time base %q: pick an encoder rate giving a time base dividing 1e9", out)
	}
	return pk, 1_000_000_000 / d
}

func scanAll(t testing.TB, s *Source) *media.Index {
	t.Helper()
	idx, err := s.Scan(context.Background(), media.ProducerTime, math.MinInt64, math.MaxInt64)
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

func TestAgainstFFprobe(t *testing.T) {
	ffmpeg := testtool.Need(t, "ffmpeg")
	dir := t.TempDir()
	src := []string{"-f", "lavfi", "-i", "testsrc=size=96x64:rate=25:duration=2"}
	x264 := []string{"-c:v", "libx264", "-preset", "ultrafast", "-bf", "2", "-g", "12", "-x264-params", "b-adapt=0", "-video_track_timescale", "1000"}
	x265 := []string{"-c:v", "libx265", "-preset", "ultrafast", "-g", "10", "-x265-params", "log-level=none", "-tag:v", "hvc1", "-video_track_timescale", "1000"}
	frag := []string{"-movflags", "frag_keyframe+empty_moov+default_base_moof"}
	cases := []struct {
		name  string
		args  []string
		codec decode.Codec
		frags int
	}{
		{"h264_bframes.mp4", x264, decode.H264, 1},
		{"h264_faststart.mp4", append(append([]string{}, x264...), "-movflags", "+faststart"), decode.H264, 1},
		{"hevc.mp4", x265, decode.H265, 1},
		{"h264_fragmented.mp4", append(append([]string{}, x264...), frag...), decode.H264, 5},
		{"h264_aac_fragmented.mp4", append(append(append([]string{"-f", "lavfi", "-i", "sine=duration=2"}, x264...), "-c:a", "aac"), frag...), decode.H264, 5},
		{"hevc_fragmented.mp4", append(append([]string{}, x265...), frag...), decode.H265, 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, c.name)
			args := append(append(append([]string{"-v", "error", "-y"}, src...), c.args...), p)
			if b, err := exec.Command(ffmpeg, args...).CombinedOutput(); err != nil {
				t.Fatalf("ffmpeg: %v\n%s", err, b)
			}
			pk, tb := ffprobeVideo(t, p)
			s, err := OpenFile(p)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			idx := scanAll(t, s)
			if idx.Video < 0 || idx.Tracks[idx.Video].Codec != c.codec {
				t.Fatalf("video %d tracks %+v", idx.Video, idx.Tracks)
			}
			tr := idx.Tracks[idx.Video]
			if tr.NALLengthSize != 4 || tr.CodecPrivate == nil || tr.Width != 96 || tr.Height != 64 {
				t.Errorf("track %+v", tr)
			}
			if len(idx.Samples) != len(pk) {
				t.Fatalf("%d samples, ffprobe %d packets", len(idx.Samples), len(pk))
			}
			if len(idx.Fragments) != c.frags {
				t.Errorf("%d fragments, want %d", len(idx.Fragments), c.frags)
			}
			var buf []byte
			for i, sm := range idx.Samples {
				p := pk[i]
				if int64(sm.Size) != p.size || sm.Pos != p.pos || sm.Keyframe != p.key || sm.Producer != p.pts*tb {
					t.Errorf("sample %d: %+v; ffprobe pts %d×%d size %d pos %d key %v", i, sm, p.pts, tb, p.size, p.pos, p.key)
				}
				if buf, err = s.ReadSample(context.Background(), &idx.Samples[i], buf); err != nil {
					t.Fatal(err)
				}
				if sum := fmt.Sprintf("%x", md5.Sum(buf)); sum != p.md5 {
					t.Errorf("sample %d payload MD5 %s, ffprobe %s", i, sum, p.md5)
				}
				if _, err := decode.SplitLengthPrefixed(nil, buf, tr.NALLengthSize); err != nil {
					t.Errorf("sample %d does not split into NAL units: %v", i, err)
				}
			}
		})
	}
}

func TestHostile(t *testing.T) {
	dir := t.TempDir()
	ffmpeg := testtool.Need(t, "ffmpeg")
	p := filepath.Join(dir, "small.mp4")
	if b, err := exec.Command(ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc=size=32x32:rate=5:duration=1",
		"-c:v", "libx264", "-preset", "ultrafast", p).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, b)
	}
	full, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	// Every prefix: a clean error or an index inside the prefix.
	for n := 0; n <= len(full); n += 7 {
		b := full[:n]
		s, err := Open(bytes.NewReader(b), int64(n))
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) && !errors.Is(err, ErrNotMP4) {
				t.Fatalf("prefix %d: error %v is neither FormatError nor ErrNotMP4", n, err)
			}
			continue
		}
		for _, sm := range scanAll(t, s).Samples {
			if sm.Pos+int64(sm.Size) > int64(n) {
				t.Fatalf("prefix %d: sample %+v past the end", n, sm)
			}
		}
	}
	// A moov claiming 4 GiB in a tiny file.
	huge := append([]byte{0, 0, 0, 16, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 0, 0}, 0xFF, 0xFF, 0xFF, 0xF0, 'm', 'o', 'o', 'v')
	if _, err := Open(bytes.NewReader(huge), int64(len(huge))); err == nil || !strings.Contains(err.Error(), "past the end") {
		t.Errorf("huge moov: %v", err)
	}
	if _, err := Open(bytes.NewReader([]byte("not an mp4 file at all")), 22); !errors.Is(err, ErrNotMP4) {
		t.Errorf("garbage: %v", err)
	}
}

// insertInto returns the box sequence b with extra appended to the body of
// the box at path (e.g. moov/trak/mdia/minf/stbl), fixing the sizes on the way.
func insertInto(b []byte, path []string, extra []byte) []byte {
	var out []byte
	children(b, func(typ string, body []byte) bool {
		if len(path) > 0 && typ == path[0] {
			if len(path) == 1 {
				body = append(append([]byte(nil), body...), extra...)
			} else {
				body = insertInto(body, path[1:], extra)
			}
		}
		out = appendBox(out, typ, body)
		return true
	})
	return out
}

func TestHostileBoxCounts(t *testing.T) {
	// A sample group box declaring 2^24 entries in 16 bytes, at three depths:
	// the sanitizer drops it before mp4ff sees the moov, and the file indexes
	// as without it.
	base, err := os.ReadFile("testdata/tiny.mp4")
	if err != nil {
		t.Fatal(err)
	}
	sgpd := appendBox(nil, "sgpd", []byte{1, 0, 0, 0, 'x', 'x', 'x', 'x', 0, 0, 0, 1, 0x00, 0xFF, 0xFF, 0xFF})
	for _, path := range [][]string{{"moov", "trak", "mdia", "minf", "stbl"}, {"moov", "trak"}, {"moov"}} {
		b := insertInto(base, path, sgpd)
		if len(b) != len(base)+len(sgpd) {
			t.Fatalf("%v: inserting failed (%d -> %d bytes)", path, len(base), len(b))
		}
		s, err := Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("%v: %v", path, err)
		}
		if n := len(scanAll(t, s).Samples); n != 3 {
			t.Errorf("%v: %d samples, want the file's 3", path, n)
		}
	}
}
