package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stills/stills/internal/testtool"
)

const sampleMKV = "../../testdata/sample.mkv"

func TestParseTime(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	for _, c := range []struct {
		in   string
		want int64 // ns
	}{
		{"2026-01-01T00:00:02Z", start + 2e9},
		{"2026-01-01T01:00:02.5+01:00", start + 2.5e9},
		{"1767225602.5", start + 2.5e9},
		{"1767225602", start + 2e9},
		{"90s", start + 90e9},
		{"1m30s", start + 90e9},
		{"1.5s", start + 1.5e9},
		{"-5s", start - 5e9},
		{"01:30", start + 90e9},
		{"1:02:03.5", start + 3723.5e9},
	} {
		got, err := parseTimeArg(c.in, start)
		if err != nil || got != c.want {
			t.Errorf("parseTimeArg(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "tomorrow", "12:99:99:99", "1e400", "NaN", "2026-13-01T00:00:00Z", "99999999999999999999:00:00"} {
		if _, err := parseTimeArg(bad, start); err == nil {
			t.Errorf("parseTimeArg(%q) accepted", bad)
		}
	}
}

func TestFileName(t *testing.T) {
	abs := time.Date(2026, 1, 1, 0, 0, 2, 0, time.UTC).UnixNano()
	for _, c := range []struct {
		t        int64
		absolute bool
		want     string
	}{
		{abs, true, "20260101T000002.000Z"},
		{abs + 5e8, true, "20260101T000002.500Z"},
		{90e9, false, "000090.000"},
		{1234567e6, false, "001234.567"},
		{-1e9, false, "-000001.000"},
	} {
		if got := imageFileName(c.t, c.absolute); got != c.want {
			t.Errorf("imageFileName(%d, %v) = %q, want %q", c.t, c.absolute, got, c.want)
		}
	}
}

func TestExtractUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		msg  string // in stderr (or stdout for --help)
	}{
		{[]string{"--help"}, 0, "Examples:"},
		{[]string{"-h"}, 0, "--interval"},
		{nil, 2, "no INPUT"},
		{[]string{"a.mkv", "b.mkv"}, 2, "one INPUT"},
		{[]string{sampleMKV, "--format", "gif"}, 2, "--format"},
		{[]string{sampleMKV, "--quality", "0"}, 2, "--quality"},
		{[]string{sampleMKV, "--interval", "fast"}, 2, "--interval"},
		{[]string{sampleMKV, "--interval", "1s", "--fps", "2"}, 2, "not both"},
		{[]string{sampleMKV, "--selector", "arrival"}, 2, "--selector"},
		{[]string{sampleMKV, "--bogus"}, 2, "bogus"},
		{[]string{sampleMKV, "--start", "yesterday"}, 2, "--start"},
		{[]string{sampleMKV, "--start", "5s", "--end", "2s"}, 2, "before"},
		{[]string{"/nonexistent/file.mkv"}, 1, "/nonexistent/file.mkv"},
	} {
		var out, errb bytes.Buffer
		code := runExtract(c.args, &out, &errb)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", c.args, code, c.code, errb.String())
		}
		if !strings.Contains(out.String()+errb.String(), c.msg) {
			t.Errorf("%v: output %q %q does not mention %q", c.args, out.String(), errb.String(), c.msg)
		}
	}
}

// files lists the names in dir, sorted.
func extractFiles(t *testing.T, dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func extractImageSize(t *testing.T, path string) (string, int, int) {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return format, cfg.Width, cfg.Height
}

// sample.mkv: 10 s, 640x360, keyframes every 2 s, media clock from 0.
func TestExtractSample(t *testing.T) {
	out := t.TempDir()
	var so, se bytes.Buffer
	// Flags before and after the input.
	code := runExtract([]string{"--interval", "1s", sampleMKV, "--width", "320", "--format", "png", "--out", out}, &so, &se)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	names := extractFiles(t, out)
	var want []string
	for s := 0; s <= 10; s++ {
		want = append(want, extractSecondsName(s)+".png")
	}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("files %v, want %v", names, want)
	}
	for _, n := range names {
		if f, w, h := extractImageSize(t, filepath.Join(out, n)); f != "png" || w != 320 || h != 180 {
			t.Errorf("%s: %s %dx%d, want png 320x180", n, f, w, h)
		}
	}
	if !strings.Contains(se.String(), "11 images") || !strings.Contains(se.String(), "0 NO_MEDIA") {
		t.Errorf("summary %q", se.String())
	}
	if so.Len() != 0 {
		t.Errorf("stdout %q, want nothing without --json", so.String())
	}
}

func extractSecondsName(s int) string { return imageFileName(int64(s)*1e9, false) }

func TestExtractRangeAndNoMedia(t *testing.T) {
	out := t.TempDir()
	var so, se bytes.Buffer
	// From 3 s before the media to 2 s after it, every 2 s, by offsets.
	code := runExtract([]string{sampleMKV, "--start", "-3s", "--end", "00:12", "--fps", "0.5", "--height", "90", "--quality", "50", "--out", out}, &so, &se)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	// -3 -1 1 3 5 7 9 11: -3 s is more than 1 s before the media and 11 s
	// after its end (10 s): NO_MEDIA; -1 s is not t_0: NO_MEDIA.
	want := []string{"000001.000.jpg", "000003.000.jpg", "000005.000.jpg", "000007.000.jpg", "000009.000.jpg"}
	if got := extractFiles(t, out); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("files %v, want %v", got, want)
	}
	if f, w, h := extractImageSize(t, filepath.Join(out, want[0])); f != "jpeg" || w != 160 || h != 90 {
		t.Errorf("%s %dx%d, want jpeg 160x90", f, w, h)
	}
	if !strings.Contains(se.String(), "5 images") || !strings.Contains(se.String(), "3 NO_MEDIA") {
		t.Errorf("summary %q, want 5 images and 3 NO_MEDIA", se.String())
	}
}

func TestExtractJSON(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	abs, _ := filepath.Abs(sampleMKV)
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	var so, se bytes.Buffer
	code := runExtract([]string{abs, "--json", "--interval", "4000", "--end", "20s"}, &so, &se)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	var resp struct {
		Images []struct {
			TimeStamp    float64
			ImageContent string
			Error        string
		}
	}
	if err := json.Unmarshal(so.Bytes(), &resp); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, so.String())
	}
	// 0 4 8 12 16 20: images at 0, 4, 8; NO_MEDIA after the media.
	if len(resp.Images) != 6 {
		t.Fatalf("%d images, want 6", len(resp.Images))
	}
	for k, img := range resp.Images {
		if img.TimeStamp != float64(4*k) {
			t.Errorf("image %d TimeStamp %v, want %d", k, img.TimeStamp, 4*k)
		}
		if k < 3 {
			b, err := base64.StdEncoding.DecodeString(img.ImageContent)
			if err != nil || img.Error != "" {
				t.Fatalf("image %d: %v %q", k, err, img.Error)
			}
			if _, f, err := image.DecodeConfig(bytes.NewReader(b)); err != nil || f != "jpeg" {
				t.Errorf("image %d: %q %v, want a JPEG", k, f, err)
			}
		} else if img.Error != "NO_MEDIA" || img.ImageContent != "" {
			t.Errorf("image %d: %q, want NO_MEDIA", k, img.Error)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "stills-out")); !os.IsNotExist(err) {
		t.Errorf("--json without --out wrote files (%v)", err)
	}
}

// KVS GetMedia output has an absolute clock: files are named by UTC time,
// and --start/--end take RFC 3339 and epoch seconds.
func TestExtractKVSNames(t *testing.T) {
	out := t.TempDir()
	var so, se bytes.Buffer
	code := runExtract([]string{"../../testdata/kvs/output_get_media.mkv", "--start", "2017-11-28T06:55:10Z",
		"--end", "1511852112", "--interval", "1s", "--out", out, "--selector", "server"}, &so, &se)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	want := []string{"20171128T065510.000Z.jpg", "20171128T065511.000Z.jpg", "20171128T065512.000Z.jpg"}
	if got := extractFiles(t, out); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("files %v, want %v", got, want)
	}
}

// Other containers, recognised by content whatever their name.
func TestExtractOtherInputs(t *testing.T) {
	ff := testtool.Need(t, "ffmpeg")
	dir := t.TempDir()
	mp4 := filepath.Join(dir, "clip.bin")
	raw := filepath.Join(dir, "clip.data")
	for _, args := range [][]string{
		{"-v", "error", "-i", sampleMKV, "-c", "copy", "-f", "mp4", mp4},
		{"-v", "error", "-i", sampleMKV, "-c", "copy", "-bsf:v", "h264_mp4toannexb", "-f", "h264", raw},
	} {
		if o, err := exec.Command(ff, args...).CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg %v: %v\n%s", args, err, o)
		}
	}
	for _, in := range []string{mp4, raw} {
		out := t.TempDir()
		var so, se bytes.Buffer
		if code := runExtract([]string{in, "--interval", "2s", "--out", out, "--raw-fps", "30"}, &so, &se); code != 0 {
			t.Errorf("%s: exit %d: %s", in, code, se.String())
			continue
		}
		if n := len(extractFiles(t, out)); n != 6 { // 0, 2, …, 10 s
			t.Errorf("%s: %d images, want 6 (%s)", in, n, se.String())
		}
	}
}
