package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stills/stills"
	"github.com/stills/stills/internal/testtool"
	"github.com/stills/stills/media"
	"github.com/stills/stills/store"
)

// blockingEngine holds GetImages until release is closed.
type blockingEngine struct {
	entered chan struct{}
	release chan struct{}
}

func (b *blockingEngine) GetImages(ctx context.Context, src media.Source, req *stills.Request) (*stills.Response, error) {
	b.entered <- struct{}{}
	<-b.release
	return &stills.Response{}, nil
}

// TestPerStreamLimit: with a limit of 1, a second concurrent request on the
// same stream is ClientLimitExceededException (400); another stream and a
// later request on the same stream are served.
func TestPerStreamLimit(t *testing.T) {
	eng := &blockingEngine{entered: make(chan struct{}, 4), release: make(chan struct{})}
	ts := startServer(t, func(c *Config) { c.Engine = eng; c.PerStreamLimit = 1 })
	ctx := context.Background()
	for _, n := range []string{"a", "b"} {
		if _, err := ts.Store.CreateStream(ctx, store.NewStream{Name: n, RetentionHours: 1}); err != nil {
			t.Fatal(err)
		}
	}
	body := func(s string) string {
		return fmt.Sprintf(`{"StreamName":%q,"ImageSelectorType":"PRODUCER_TIMESTAMP","StartTimestamp":1,"EndTimestamp":2,"Format":"JPEG"}`, s)
	}
	done := make(chan int, 2)
	go func() { c, _, _ := rawPost(t, ts.URL+"/getImages", body("a")); done <- c }()
	<-eng.entered
	if c, typ, _ := rawPost(t, ts.URL+"/getImages", body("a")); c != 400 || typ != "ClientLimitExceededException" {
		t.Errorf("second request on a busy stream: %d %s, want 400 ClientLimitExceededException", c, typ)
	}
	go func() { c, _, _ := rawPost(t, ts.URL+"/getImages", body("b")); done <- c }()
	<-eng.entered
	close(eng.release)
	for i := 0; i < 2; i++ {
		if c := <-done; c != 200 {
			t.Errorf("held request answered %d", c)
		}
	}
	go func() { eng.entered <- struct{}{} }() // drain for the next call
	if c, typ, _ := rawPost(t, ts.URL+"/getImages", body("a")); c != 200 {
		t.Errorf("request after the slot freed: %d %s", c, typ)
	}
}

// TestServerTimestampImages: on the server timeline a fragment starts at
// its arrival time in the store; GetImages there gives its keyframe.
func TestServerTimestampImages(t *testing.T) {
	ts := startServer(t, nil)
	frags := ingestFile(t, ts.Store, "kvs", kvsPath(t), 24)
	at := float64(frags[2].Server/int64(time.Millisecond)) / 1000
	resp := postGetImages(t, ts.URL, map[string]any{"StreamName": "kvs", "ImageSelectorType": "SERVER_TIMESTAMP",
		"StartTimestamp": at, "EndTimestamp": at + 0.5, "SamplingInterval": 200, "Format": "JPEG", "WidthPixels": 160})
	if len(resp.Images) != 3 {
		t.Fatalf("%d images, want 3", len(resp.Images))
	}
	for _, im := range resp.Images {
		if im.Error != "" || len(im.ImageContent) < 100 {
			t.Errorf("at %v: %q (%d bytes), want an image", im.TimeStamp, im.Error, len(im.ImageContent))
		}
	}
	// /metrics counted the images and the engine's decode and encode work.
	mresp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	mb, _ := io.ReadAll(mresp.Body)
	mresp.Body.Close()
	for _, re := range []string{`stills_images_total\{result="image"\} 3\n`, `stills_decode_seconds_count [1-9][0-9]*\n`,
		`stills_encode_seconds_count [1-9][0-9]*\n`, `stills_engine_seconds_count 1\n`} {
		if !regexp.MustCompile(re).Match(mb) {
			t.Errorf("/metrics lacks %s:\n%s", re, mb)
		}
	}
	// The same request again is answered from the image cache: the same
	// bytes, and no more decoding.
	decodes := regexp.MustCompile(`stills_decode_seconds_count ([0-9]+)\n`).FindSubmatch(mb)
	again := postGetImages(t, ts.URL, map[string]any{"StreamName": "kvs", "ImageSelectorType": "SERVER_TIMESTAMP",
		"StartTimestamp": at, "EndTimestamp": at + 0.5, "SamplingInterval": 200, "Format": "JPEG", "WidthPixels": 160})
	for i := range again.Images {
		if i >= len(resp.Images) || !bytes.Equal(again.Images[i].ImageContent, resp.Images[i].ImageContent) {
			t.Errorf("repeated request: image %d differs", i)
		}
	}
	mresp, err = http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	mb, _ = io.ReadAll(mresp.Body)
	mresp.Body.Close()
	if !regexp.MustCompile(`stills_image_cache_requests_total\{result="hit"\} [1-9]`).Match(mb) ||
		decodes == nil || !bytes.Contains(mb, append([]byte("stills_decode_seconds_count "), decodes[1]...)) {
		t.Errorf("repeated request was not served from the image cache:\n%s", mb)
	}
	// Before the first arrival there is no media (more than 1 s before it).
	early := float64(frags[0].Server/int64(time.Millisecond))/1000 - 100
	resp = postGetImages(t, ts.URL, map[string]any{"StreamName": "kvs", "ImageSelectorType": "SERVER_TIMESTAMP",
		"StartTimestamp": early, "EndTimestamp": early + 1, "Format": "JPEG"})
	if len(resp.Images) != 1 || resp.Images[0].Error != "NO_MEDIA" {
		t.Errorf("before the stream: %+v, want one NO_MEDIA", resp.Images)
	}
}

// TestClipHEVC: an H.265 stream becomes an hvc1 MP4 that ffprobe reads
// with every frame.
func TestClipHEVC(t *testing.T) {
	ffmpeg := testtool.Need(t, "ffmpeg")
	ffprobe := testtool.Need(t, "ffprobe")
	dir := t.TempDir()
	src := filepath.Join(dir, "hevc.mkv")
	out, err := exec.Command(ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc=size=128x96:rate=10", "-t", "3",
		"-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "keyint=10:min-keyint=10:bframes=0:log-level=error", src).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	ts := startServer(t, nil)
	frags := ingestFile(t, ts.Store, "h", src, 24)
	if len(frags) != 3 {
		t.Fatalf("%d fragments, want 3 (one per 1 s GOP)", len(frags))
	}
	p0 := float64(frags[0].Producer/int64(time.Millisecond)) / 1000
	body := fmt.Sprintf(`{"StreamName":"h","ClipFragmentSelector":{"FragmentSelectorType":"PRODUCER_TIMESTAMP","TimestampRange":{"StartTimestamp":%.3f,"EndTimestamp":%.3f}}}`, p0, p0+10)
	resp, err := http.Post(ts.URL+"/getClip", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "video/mp4" {
		t.Fatalf("GetClip: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	clip := filepath.Join(dir, "clip.mp4")
	os.WriteFile(clip, b, 0o644)
	probe, err := exec.Command(ffprobe, "-v", "error", "-count_frames", "-select_streams", "v:0",
		"-show_entries", "stream=codec_name,codec_tag_string,width,height,nb_read_frames", "-of", "csv=p=0", clip).CombinedOutput()
	if err != nil || strings.TrimSpace(string(probe)) != "hevc,hvc1,128,96,30" {
		t.Errorf("ffprobe HEVC clip: %q %v, want hevc,hvc1,128,96,30", probe, err)
	}
}

// TestDamagedFragmentFile: a fragment file damaged on disk (truncated) costs
// only the images it serves (MEDIA_ERROR); the request and its neighbours
// are fine.
func TestDamagedFragmentFile(t *testing.T) {
	ts := startServer(t, nil)
	frags := ingestFile(t, ts.Store, "kvs", kvsPath(t), 24)
	info, _ := ts.Store.Stream(context.Background(), "kvs", "")
	p := filepath.Join(ts.Store.Dir(), "streams", info.ID, fmt.Sprintf("%d.mkv", frags[2].Seq))
	if err := os.Truncate(p, 100); err != nil {
		t.Fatal(err)
	}
	resp := postGetImages(t, ts.URL, map[string]any{"StreamName": "kvs", "ImageSelectorType": "PRODUCER_TIMESTAMP",
		"StartTimestamp": kvsStart, "EndTimestamp": kvsStart + 8, "SamplingInterval": 2000, "Format": "JPEG", "WidthPixels": 64})
	if len(resp.Images) != 5 {
		t.Fatalf("%d images, want 5", len(resp.Images))
	}
	for k, im := range resp.Images {
		want := ""
		if k == 2 {
			want = "MEDIA_ERROR" // the keyframe of fragment 2 cannot be read
		}
		if im.Error != want {
			t.Errorf("image %d: %q, want %q", k, im.Error, want)
		}
	}
}
