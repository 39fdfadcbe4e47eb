package main

import (
	"bufio"
	"bytes"
	"context"
	"image/png"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stills/stills"
	"github.com/stills/stills/internal/testtool"
	"github.com/stills/stills/media"
	"github.com/stills/stills/store"
)

// TestMain lets the test binary act as the stills command in a subprocess
// (STILLS_TEST_MAIN=1), so tests can kill -9 a real `stills ingest`.
func TestMain(m *testing.M) {
	if os.Getenv("STILLS_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func stillsCmd(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "STILLS_TEST_MAIN=1")
	return cmd
}

// makeLongMKV writes an H.264 Matroska file of secs seconds, one keyframe
// per second (so one fragment per second on ingest).
func makeLongMKV(t *testing.T, secs int) string {
	ffmpeg := testtool.Need(t, "ffmpeg")
	p := filepath.Join(t.TempDir(), "long.mkv")
	out, err := exec.Command(ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc=size=128x72:rate=10",
		"-t", strconv.Itoa(secs),
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-bf", "0", "-pix_fmt", "yuv420p", p).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	return p
}

var storedRE = regexp.MustCompile(`^stored fragment ([0-9]+) `)

// TestIngestKill9 kills a `stills ingest` with SIGKILL midway through a long
// file, then opens the store without any repair: every fragment the ingest
// acknowledged is listed and yields an image, and ingest can continue.
func TestIngestKill9(t *testing.T) {
	src := makeLongMKV(t, 60)
	data := filepath.Join(t.TempDir(), "data")
	cmd := stillsCmd("ingest", "--data", data, "--stream", "cam", "--throttle", "40ms", src)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if m := storedRE.FindStringSubmatch(sc.Text()); m != nil {
			acked = append(acked, m[1])
			if len(acked) == 12 {
				cmd.Process.Signal(syscall.SIGKILL)
				break
			}
		}
	}
	go io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	if len(acked) < 12 {
		t.Fatalf("ingest acknowledged only %d fragments before ending (%v)\n%s", len(acked), err, stderr.String())
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("ingest was not killed by the signal (finished first?): %v", cmd.ProcessState)
	}

	st, err := store.Open(data, store.Options{LockTimeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("store does not open after kill -9: %v", err)
	}
	defer st.Close()
	ctx := context.Background()
	frags, _, err := st.ListFragments(ctx, "cam", store.Selector{Timeline: media.ProducerTime, From: math.MinInt64, To: math.MaxInt64}, nil, 1000)
	if err != nil {
		t.Fatal(err)
	}
	byNum := map[string]store.Fragment{}
	for _, f := range frags {
		byNum[f.Number] = f
	}
	// Fragments committed after the last line we read (the child kept
	// running until the signal landed) may be there too; none may be lost.
	if len(frags) < len(acked) {
		t.Errorf("store lists %d fragments; %d were acknowledged", len(frags), len(acked))
	}
	srcS, err := st.Source(ctx, "cam")
	if err != nil {
		t.Fatal(err)
	}
	eng := stills.New(stills.Options{})
	for _, n := range acked {
		f, ok := byNum[n]
		if !ok {
			t.Errorf("acknowledged fragment %s is missing after kill -9", n)
			continue
		}
		if _, err := st.ReadFragment(ctx, "cam", &f); err != nil {
			t.Errorf("fragment %s payload: %v", n, err)
		}
		at := time.Unix(0, f.Producer)
		resp, err := eng.GetImages(ctx, srcS, &stills.Request{StreamName: "cam", ImageSelectorType: "PRODUCER_TIMESTAMP",
			StartTimestamp: at, EndTimestamp: at, Format: "PNG"})
		if err != nil {
			t.Fatalf("GetImages at fragment %s: %v", n, err)
		}
		if len(resp.Images) != 1 || resp.Images[0].Error != "" || len(resp.Images[0].ImageContent) == 0 {
			t.Errorf("fragment %s yields no image: %+v", n, resp.Images)
		}
	}
	st.Close()

	// Ingest continues into the same stream with higher fragment numbers.
	out, err := stillsCmd("ingest", "--data", data, "--stream", "cam", src).CombinedOutput()
	if err != nil {
		t.Fatalf("ingest after the crash: %v\n%s", err, out)
	}
	m := storedRE.FindStringSubmatch(strings.Split(string(out), "\n")[0])
	if m == nil || m[1] <= acked[len(acked)-1] {
		t.Errorf("ingest after the crash: first line %q, want a fragment number above %s", strings.Split(string(out), "\n")[0], acked[len(acked)-1])
	}
}

// TestServeGracefulShutdown starts `stills serve` on port 0, checks it
// answers, and that SIGTERM stops it cleanly (exit status 0).
func TestServeGracefulShutdown(t *testing.T) {
	cmd := stillsCmd("serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(t.TempDir(), "d"), "--log-format", "text")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("no listening line: %v\n%s", err, stderr.String())
	}
	url := regexp.MustCompile(`http://[0-9.:]+`).FindString(line)
	if url == "" {
		t.Fatalf("listening line %q has no URL", line)
	}
	resp, err := http.Post(url+"/listStreams", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"StreamInfoList":[]`) {
		t.Fatalf("ListStreams: %d %s", resp.StatusCode, b)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve exited with %v after SIGTERM\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop within 10 s of SIGTERM")
	}
	if !strings.Contains(stderr.String(), "stopped") {
		t.Errorf("no shutdown log line:\n%s", stderr.String())
	}
}

func ffmpegMake(t *testing.T, name string, args ...string) string {
	t.Helper()
	ffmpeg := testtool.Need(t, "ffmpeg")
	p := filepath.Join(t.TempDir(), name)
	full := append([]string{"-v", "error", "-f", "lavfi"}, args...)
	if out, err := exec.Command(ffmpeg, append(full, p)...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
	}
	return p
}

// TestIngestFormats ingests MP4 (with B-frames), raw Annex B H.264 and a
// Matroska file whose picture size differs into one stream (relative
// timestamps: each file follows the previous one), refuses H.265 into that
// H.264 stream, and checks an image at the start of every fragment, of the
// right size.
func TestIngestFormats(t *testing.T) {
	mp4 := ffmpegMake(t, "a.mp4", "-i", "testsrc=size=128x72:rate=25", "-t", "2", "-c:v", "libx264", "-g", "25", "-bf", "2", "-pix_fmt", "yuv420p")
	h264 := ffmpegMake(t, "b.264", "-i", "testsrc=size=128x72:rate=25", "-t", "2", "-c:v", "libx264", "-g", "25", "-bf", "0", "-pix_fmt", "yuv420p", "-f", "h264")
	small := ffmpegMake(t, "c.mkv", "-i", "testsrc=size=96x64:rate=25", "-t", "2", "-c:v", "libx264", "-g", "25", "-bf", "0", "-pix_fmt", "yuv420p")
	hevc := ffmpegMake(t, "d.hevc", "-i", "testsrc=size=128x72:rate=25", "-t", "1", "-c:v", "libx265", "-x265-params", "keyint=25:log-level=error", "-f", "hevc")
	data := filepath.Join(t.TempDir(), "data")
	out, err := stillsCmd("ingest", "--data", data, "--stream", "mix", "--start", "2026-01-01T00:00:00Z", mp4, h264, small).CombinedOutput()
	if err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	lines := 0
	for _, l := range strings.Split(string(out), "\n") {
		if storedRE.MatchString(l) {
			lines++
		}
	}
	if lines != 6 {
		t.Fatalf("%d fragments stored, want 6 (three 2 s files, 1 s GOPs)\n%s", lines, out)
	}
	out, err = stillsCmd("ingest", "--data", data, "--stream", "mix", hevc).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "H.264") {
		t.Errorf("H.265 into an H.264 stream: %v\n%s", err, out)
	}

	st, err := store.Open(data, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	frags, _, err := st.ListFragments(ctx, "mix", store.Selector{Timeline: media.ProducerTime, From: math.MinInt64, To: math.MaxInt64}, nil, 100)
	if err != nil || len(frags) != 6 {
		t.Fatalf("%d fragments listed (%v), want 6", len(frags), err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	src, err := st.Source(ctx, "mix")
	if err != nil {
		t.Fatal(err)
	}
	eng := stills.New(stills.Options{})
	for i, f := range frags {
		if want := t0 + int64(i)*int64(time.Second); f.Producer != want {
			t.Errorf("fragment %d starts at %v, want %v (files follow each other)", i, time.Unix(0, f.Producer).UTC(), time.Unix(0, want).UTC())
		}
		at := time.Unix(0, f.Producer)
		resp, err := eng.GetImages(ctx, src, &stills.Request{StreamName: "mix", ImageSelectorType: "PRODUCER_TIMESTAMP",
			StartTimestamp: at, EndTimestamp: at, Format: "PNG"})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Images) != 1 || resp.Images[0].Error != "" {
			t.Errorf("fragment %d: %+v, want an image", i, resp.Images)
			continue
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(resp.Images[0].ImageContent))
		wantW := 128
		if i >= 4 {
			wantW = 96 // the third file's pictures are smaller (new SPS)
		}
		if err != nil || cfg.Width != wantW {
			t.Errorf("fragment %d: image %dx%d (%v), want width %d", i, cfg.Width, cfg.Height, err, wantW)
		}
	}
}

// TestServeCredentialsFromEnv: STILLS_ACCESS_KEY_ID/STILLS_SECRET_ACCESS_KEY
// turn authentication on; an unsigned request is then NotAuthorizedException.
func TestServeCredentialsFromEnv(t *testing.T) {
	cmd := stillsCmd("serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(t.TempDir(), "d"))
	cmd.Env = append(cmd.Env, "STILLS_ACCESS_KEY_ID=AKIDENV", "STILLS_SECRET_ACCESS_KEY=envsecret")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.Contains(line, "auth true") {
		t.Fatalf("listening line %q (%v), want auth true", line, err)
	}
	url := regexp.MustCompile(`http://[0-9.:]+`).FindString(line)
	resp, err := http.Post(url+"/listStreams", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || resp.Header.Get("x-amzn-ErrorType") != "NotAuthorizedException" {
		t.Errorf("unsigned request: %d %s, want 401 NotAuthorizedException", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"))
	}
}

// TestIngestEndpoint feeds a running, authenticated `stills serve` with
// `stills ingest --endpoint` (signed with the same credentials from the
// environment): the stream is created and every fragment acknowledged; a
// wrong secret is refused.
func TestIngestEndpoint(t *testing.T) {
	mp4 := ffmpegMake(t, "a.mp4", "-i", "testsrc=size=128x72:rate=25", "-t", "2", "-c:v", "libx264", "-g", "25", "-bf", "2", "-pix_fmt", "yuv420p")
	mkvf := ffmpegMake(t, "b.mkv", "-i", "testsrc=size=128x72:rate=25", "-t", "3", "-c:v", "libx264", "-g", "25", "-bf", "0", "-pix_fmt", "yuv420p")
	env := []string{"STILLS_ACCESS_KEY_ID=AKIDENV", "STILLS_SECRET_ACCESS_KEY=envsecret"}
	srv := stillsCmd("serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(t.TempDir(), "d"))
	srv.Env = append(srv.Env, env...)
	stdout, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Process.Kill(); srv.Wait() }()
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	url := regexp.MustCompile(`http://[0-9.:]+`).FindString(line)
	if url == "" {
		t.Fatalf("no URL in %q", line)
	}
	ing := stillsCmd("ingest", "--endpoint", url, "--stream", "remote", "--start", "2026-01-01T00:00:00Z", mp4, mkvf)
	ing.Env = append(ing.Env, env...)
	out, err := ing.CombinedOutput()
	if err != nil {
		t.Fatalf("ingest --endpoint: %v\n%s", err, out)
	}
	var acks []string
	for _, l := range strings.Split(string(out), "\n") {
		if m := storedRE.FindStringSubmatch(l); m != nil {
			acks = append(acks, l)
		}
	}
	if !strings.Contains(string(out), "created stream remote arn:") || len(acks) != 5 {
		t.Fatalf("want a created stream and 5 fragments (2 + 3 one-second GOPs):\n%s", out)
	}
	// The second file follows the first: its first fragment starts at 2 s.
	if !strings.Contains(acks[2], "producer=2026-01-01T00:00:02.000Z") {
		t.Errorf("third fragment %q, want producer 00:00:02", acks[2])
	}
	bad := stillsCmd("ingest", "--endpoint", url, "--stream", "remote", "--access-key", "AKIDENV", "--secret-key", "wrong", mkvf)
	out, err = bad.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "NotAuthorizedException") {
		t.Errorf("wrong secret: %v\n%s", err, out)
	}
}
