package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stills/stills/internal/testtool"
)

// aws runs the AWS CLI against the test server.
func awsCLI(t *testing.T, aws, url string, args ...string) []byte {
	t.Helper()
	full := append([]string{"--endpoint-url", url, "--output", "json"}, args...)
	cmd := exec.Command(aws, full...)
	cmd.Env = clientEnv("AKIDEXAMPLE", "dummy")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// TestAWSCLI drives the server with the aws CLI: get-images with and
// without --no-paginate, get-clip (an MP4 ffprobe reads) and
// get-media-for-fragment-list (a Matroska stream ffprobe reads).
func TestAWSCLI(t *testing.T) {
	aws := testtool.Need(t, "aws")
	ffprobe := testtool.Need(t, "ffprobe")
	ts := startServer(t, nil)
	frags := ingestFile(t, ts.Store, "kvs", kvsPath(t), 24)
	s := int64(math.Floor(kvsStart))
	common := []string{"kinesis-video-archived-media", "get-images", "--stream-name", "kvs", "--image-selector-type", "PRODUCER_TIMESTAMP",
		"--start-timestamp", strconv.FormatInt(s, 10), "--end-timestamp", strconv.FormatInt(s+10, 10), "--sampling-interval", "200", "--format", "JPEG"}
	type images struct {
		Images []struct {
			TimeStamp    float64
			Error        string
			ImageContent string
		}
		NextToken string
	}
	var all, page images
	if err := json.Unmarshal(awsCLI(t, aws, ts.URL, common...), &all); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(awsCLI(t, aws, ts.URL, append(common, "--no-paginate")...), &page); err != nil {
		t.Fatal(err)
	}
	// t_k = s + 0.2 k for k = 0..50: 51 timestamps; the default page is 25.
	if len(all.Images) != 51 || all.NextToken != "" {
		t.Errorf("paginated get-images: %d images, NextToken %q; want 51 and none", len(all.Images), all.NextToken)
	}
	for k, im := range all.Images {
		if want := float64(s) + 0.2*float64(k); math.Abs(im.TimeStamp-want) > 1e-6 {
			t.Errorf("image %d TimeStamp %v, want %v", k, im.TimeStamp, want)
			break
		}
	}
	if len(page.Images) != 25 || page.NextToken == "" {
		t.Errorf("--no-paginate get-images: %d images, NextToken %q; want 25 and a token", len(page.Images), page.NextToken)
	}

	dir := t.TempDir()
	clip := filepath.Join(dir, "clip.mp4")
	sel := fmt.Sprintf(`{"FragmentSelectorType":"PRODUCER_TIMESTAMP","TimestampRange":{"StartTimestamp":%d,"EndTimestamp":%d}}`, s, s+5)
	out := awsCLI(t, aws, ts.URL, "kinesis-video-archived-media", "get-clip", "--stream-name", "kvs", "--clip-fragment-selector", sel, clip)
	if !bytes.Contains(out, []byte(`"video/mp4"`)) {
		t.Errorf("get-clip ContentType: %s", out)
	}
	// Fragments starting in [s, s+5]: 08.513, 10.513, 12.513 → 3 × 60 frames.
	probe, err := exec.Command(ffprobe, "-v", "error", "-count_frames", "-select_streams", "v:0",
		"-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0", clip).CombinedOutput()
	if err != nil || strings.TrimSpace(string(probe)) != "h264,640,360,180" {
		t.Errorf("ffprobe clip.mp4: %q %v, want h264,640,360,180", probe, err)
	}

	mkvOut := filepath.Join(dir, "media.mkv")
	awsCLI(t, aws, ts.URL, "kinesis-video-archived-media", "get-media-for-fragment-list", mkvOut, "--stream-name", "kvs",
		"--fragments", frags[1].Number, frags[2].Number)
	probe, _ = exec.Command(ffprobe, "-v", "quiet", "-count_frames", "-select_streams", "v:0",
		"-show_entries", "stream=codec_name,nb_read_frames", "-of", "csv=p=0", mkvOut).CombinedOutput()
	if strings.TrimSpace(string(probe)) != "h264,120" {
		t.Errorf("ffprobe media.mkv: %q, want h264,120", probe)
	}
	tags, err := exec.Command(ffprobe, "-v", "quiet", "-show_entries", "format_tags", "-of", "default=nw=1", mkvOut).CombinedOutput()
	if err != nil || !bytes.Contains(tags, []byte("AWS_KINESISVIDEO_FRAGMENT_NUMBER="+frags[1].Number)) ||
		!bytes.Contains(tags, []byte("AWS_KINESISVIDEO_PRODUCER_TIMESTAMP=1511852110.513")) ||
		!bytes.Contains(tags, []byte("AWS_KINESISVIDEO_SERVER_TIMESTAMP=")) {
		t.Errorf("ffprobe media.mkv tags: %v\n%s", err, tags)
	}
}
