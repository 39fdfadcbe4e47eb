package input

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stills/stills/annexb"
	"github.com/stills/stills/decode"
	"github.com/stills/stills/internal/testtool"
	"github.com/stills/stills/media"
	"github.com/stills/stills/mkv"
	"github.com/stills/stills/mp4in"
)

// copyAs copies src to dir/name: the name must not matter.
func copyAs(t *testing.T, src, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOpenByContent(t *testing.T) {
	shared := testtool.SharedDir(t)
	ffmpeg := testtool.Need(t, "ffmpeg")
	dir := t.TempDir()
	hevc := filepath.Join(dir, "made.hevc")
	mp4 := filepath.Join(dir, "made.mp4")
	for _, args := range [][]string{
		{"-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=none", "-f", "hevc", hevc},
		{"-c:v", "libx264", "-preset", "ultrafast", mp4},
	} {
		all := append([]string{"-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=1"}, args...)
		if b, err := exec.Command(ffmpeg, all...).CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg: %v\n%s", err, b)
		}
	}
	cases := []struct {
		src, name string
		format    Format
		codec     decode.Codec
	}{
		{filepath.Join(shared, "vectors/kvs/output_get_media.mkv"), "clip.mp4", Matroska, decode.H264},
		{filepath.Join(shared, "vectors/kvs/vogels_480.mkv"), "noext", Matroska, decode.H264},
		{filepath.Join(shared, "vectors/h264/BA1_Sony_D.jsv"), "a.bin", AnnexBH264, decode.H264},
		{filepath.Join(shared, "vectors/h264/CVFC1_Sony_C.jsv"), "b.26l", AnnexBH264, decode.H264},
		{hevc, "named_like_h264.264", AnnexBH265, decode.H265},
		{mp4, "movie.mkv", MP4, decode.H264},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := copyAs(t, c.src, dir, c.name)
			head, _ := os.ReadFile(p)
			if f := Sniff(head[:min(len(head), SniffSize)]); f != c.format {
				t.Fatalf("Sniff = %v, want %v", f, c.format)
			}
			src, err := Open(p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			switch c.format {
			case Matroska:
				if _, ok := src.(*mkv.Demuxer); !ok {
					t.Errorf("got %T", src)
				}
			case MP4:
				if _, ok := src.(*mp4in.Source); !ok {
					t.Errorf("got %T", src)
				}
			default:
				if _, ok := src.(*annexb.Source); !ok {
					t.Errorf("got %T", src)
				}
			}
			idx, err := src.Scan(context.Background(), media.ProducerTime, math.MinInt64, math.MaxInt64)
			if err != nil {
				t.Fatal(err)
			}
			if idx.Video < 0 || idx.Tracks[idx.Video].Codec != c.codec || len(idx.Samples) == 0 {
				t.Fatalf("video %d tracks %+v samples %d", idx.Video, idx.Tracks, len(idx.Samples))
			}
			// The same through OpenReader.
			src2, err := OpenReader(bytes.NewReader(head), int64(len(head)), Options{})
			if err != nil {
				t.Fatal(err)
			}
			idx2, err := src2.Scan(context.Background(), media.ProducerTime, math.MinInt64, math.MaxInt64)
			if err != nil || len(idx2.Samples) != len(idx.Samples) {
				t.Fatalf("OpenReader: %v, %d samples, want %d", err, len(idx2.Samples), len(idx.Samples))
			}
		})
	}
}

func TestUnsupported(t *testing.T) {
	for _, b := range [][]byte{[]byte("GIF89a......"), {}, {0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{0}, 1000), []byte("RIFF\x00\x00\x00\x00AVI LIST")} {
		_, err := OpenReader(bytes.NewReader(b), int64(len(b)), Options{})
		if !errors.Is(err, media.ErrUnsupportedContainer) {
			t.Errorf("%q: error %v does not wrap ErrUnsupportedContainer", b, err)
		} else if !strings.Contains(err.Error(), "expected Matroska") {
			t.Errorf("error %q does not say what was expected", err)
		}
	}
	p := filepath.Join(t.TempDir(), "x.mkv")
	os.WriteFile(p, []byte("plain text, not video"), 0o644)
	if _, err := Open(p, Options{}); !errors.Is(err, media.ErrUnsupportedContainer) || !strings.Contains(err.Error(), p) {
		t.Errorf("Open(text file): %v", err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing"), Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(missing): %v", err)
	}
}

// FuzzOpenReader: any bytes through the sniffer and the chosen reader.
func FuzzOpenReader(f *testing.F) {
	f.Add([]byte{0x1A, 0x45, 0xDF, 0xA3, 0x80})
	f.Add([]byte{0, 0, 0, 8, 'f', 't', 'y', 'p'})
	f.Add([]byte{0, 0, 0, 1, 0x67, 0x42, 0, 0, 1, 0x65, 0x88})
	f.Add([]byte{0, 0, 0, 1, 0x40, 0x01, 0x0C, 0, 0, 1, 0x26, 0x01, 0xAF})
	f.Fuzz(func(t *testing.T, b []byte) {
		src, err := OpenReader(bytes.NewReader(b), int64(len(b)), Options{})
		if err != nil {
			return
		}
		idx, err := src.Scan(context.Background(), media.ServerTime, math.MinInt64, math.MaxInt64)
		if err != nil {
			return
		}
		for _, s := range idx.Samples {
			if s.Pos < 0 || s.Pos+int64(s.Size) > int64(len(b)) {
				t.Fatalf("sample %+v outside %d bytes", s, len(b))
			}
		}
	})
}
