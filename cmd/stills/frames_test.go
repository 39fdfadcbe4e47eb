package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stills/stills/internal/testtool"
)

// wantLines returns the intra-md5.txt lines of one vector (ffmpeg's MD5s).
func wantLines(t *testing.T, name string) string {
	f, err := os.Open("../../decode/h264/testdata/intra-md5.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 4 && fs[0] == name {
			b.WriteString(strings.Join(fs[1:], "  ") + "\n")
		}
	}
	return b.String()
}

func TestFramesMD5(t *testing.T) {
	// CAVLC with cropping, and CABAC with B pictures (output order).
	for _, name := range []string{"CVFC1_Sony_C.jsv", "Cisco_Men_whisper_640x320_CABAC_Bframe_9.264", "CVPCMNL1_SVA_C.264"} {
		t.Run(name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := runFrames([]string{"--md5", "../../decode/h264/testdata/" + name}, &out, &errb)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			if want := wantLines(t, name); out.String() != want {
				t.Errorf("got\n%s\nwant\n%s", out.String(), want)
			}
		})
	}
}

func TestFramesUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := runFrames([]string{"--help"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "--md5 FILE") {
		t.Errorf("--help: exit %d, output %q", code, out.String())
	}
	if code := runFrames(nil, &out, &errb); code != 2 {
		t.Errorf("no arguments: exit %d, want 2", code)
	}
	errb.Reset()
	if code := runFrames([]string{"--md5", "/nonexistent/file"}, &out, &errb); code != 2 || errb.Len() == 0 {
		t.Errorf("missing file: exit %d, stderr %q", code, errb.String())
	}
}

func TestFramesMediaError(t *testing.T) {
	// A stream whose pictures are incomplete prints MEDIA_ERROR lines and
	// goes on to the next picture.
	var out, errb bytes.Buffer
	code := runFrames([]string{"--md5", "../../decode/h264/testdata/Error_I_P.264"}, &out, &errb)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if code != 1 || len(lines) != 3 || !strings.HasPrefix(lines[0], "MEDIA_ERROR  ") ||
		lines[1] != "d6384da960c77c6de815d59010fd6491  640x480  yuv420p" || !strings.HasPrefix(lines[2], "MEDIA_ERROR  ") {
		t.Errorf("exit %d, output:\n%s", code, out.String())
	}
	if want := "stills frames: 2 of 3 intra pictures could not be decoded (MEDIA_ERROR lines)\n"; errb.String() != want {
		t.Errorf("stderr %q, want %q", errb.String(), want)
	}
}

// TestFramesContainers decodes the KVS Matroska vectors (and an MP4 remux of
// one) and compares with the shared oracle script (ffmpeg's MD5s).
func TestFramesContainers(t *testing.T) {
	shared := testtool.SharedDir(t)
	ffmpeg := testtool.Need(t, "ffmpeg")
	mp4 := filepath.Join(t.TempDir(), "vogels.mp4")
	if out, err := exec.Command(ffmpeg, "-v", "error", "-i", filepath.Join(shared, "vectors/kvs/vogels_480.mkv"),
		"-c", "copy", "-an", mp4).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg remux: %v\n%s", err, out)
	}
	for _, f := range []string{filepath.Join(shared, "vectors/kvs/output_get_media.mkv"), filepath.Join(shared, "vectors/kvs/vogels_480.mkv"), mp4} {
		want, err := exec.Command("bash", filepath.Join(shared, "tools/intra-md5.sh"), f).Output()
		if err != nil {
			t.Fatalf("intra-md5.sh %s: %v", f, err)
		}
		var out, errb bytes.Buffer
		if code := runFrames([]string{"--md5", f}, &out, &errb); code != 0 {
			t.Fatalf("%s: exit %d: %s", f, code, errb.String())
		}
		if out.String() != string(want) {
			t.Errorf("%s:\ngot\n%s\nwant\n%s", f, out.String(), want)
		}
	}
}

// TestFramesMD5H265 runs `stills frames --md5` over the whole H.265 corpus
// (raw Annex B .hevc files) against the MD5s ffmpeg (and, for the one case
// where ffmpeg is wrong, libde265) gave for them in decode/h265/testdata.
func TestFramesMD5H265(t *testing.T) {
	const dir = "../../decode/h265/testdata/"
	want := map[string]string{}
	var order []string
	for _, list := range []string{"intra-md5.txt", "dec265-md5.txt"} {
		b, err := os.ReadFile(dir + list)
		if err != nil {
			if list == "intra-md5.txt" {
				t.Fatal(err)
			}
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			fs := strings.Fields(line)
			if len(fs) != 4 {
				continue
			}
			if _, ok := want[fs[0]]; !ok {
				order = append(order, fs[0])
			}
			want[fs[0]] += strings.Join(fs[1:], "  ") + "\n"
		}
	}
	if len(order) < 20 {
		t.Fatalf("only %d H.265 corpus files listed", len(order))
	}
	for _, name := range order {
		var out, errb bytes.Buffer
		if code := runFrames([]string{"--md5", dir + name}, &out, &errb); code != 0 {
			t.Errorf("%s: exit %d: %s", name, code, errb.String())
			continue
		}
		if out.String() != want[name] {
			t.Errorf("%s: got\n%s\nwant\n%s", name, out.String(), want[name])
		}
	}
}
