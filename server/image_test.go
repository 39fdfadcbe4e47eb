package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"net/http"
	"os/exec"
	"testing"
	"time"

	"github.com/stills/stills"
	"github.com/stills/stills/internal/testtool"
	"github.com/stills/stills/mkv"
)

type imagesResp struct {
	Images []struct {
		TimeStamp    float64
		Error        string
		ImageContent []byte
	}
	NextToken string
}

func postGetImages(t *testing.T, url string, req map[string]any) imagesResp {
	t.Helper()
	b, _ := json.Marshal(req)
	resp, err := http.Post(url+"/getImages", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out imagesResp
	if resp.StatusCode != 200 {
		t.Fatalf("GetImages %s: HTTP %d %s", b, resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"))
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStoreAndFileAgree: GetImages over the store (through HTTP) answers
// exactly what the engine answers over the original file: one code path.
func TestStoreAndFileAgree(t *testing.T) {
	ts := startServer(t, nil)
	path := kvsPath(t)
	ingestFile(t, ts.Store, "kvs", path, 24)
	req := map[string]any{"StreamName": "kvs", "ImageSelectorType": "PRODUCER_TIMESTAMP", "StartTimestamp": kvsStart,
		"EndTimestamp": kvsStart + kvsDuration, "SamplingInterval": 700, "Format": "PNG", "WidthPixels": 64, "MaxResults": 20}
	got := postGetImages(t, ts.URL, req)

	src, err := mkv.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	eng := stills.New(stills.Options{})
	want, err := eng.GetImages(context.Background(), src, &stills.Request{StreamName: "kvs", ImageSelectorType: "PRODUCER_TIMESTAMP",
		StartTimestamp: time.UnixMilli(int64(math.Round(kvsStart * 1000))), EndTimestamp: time.UnixMilli(int64(math.Round((kvsStart + kvsDuration) * 1000))),
		SamplingInterval: 700, Format: "PNG", WidthPixels: 64, MaxResults: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Images) != len(want.Images) || len(got.Images) != 15 {
		t.Fatalf("store: %d images, file: %d; want 15 each", len(got.Images), len(want.Images))
	}
	for i := range want.Images {
		g, w := got.Images[i], want.Images[i]
		if math.Abs(g.TimeStamp-float64(w.TimeStamp.UnixMilli())/1000) > 1e-9 || g.Error != w.Error || !bytes.Equal(g.ImageContent, w.ImageContent) {
			t.Errorf("image %d: store (%v, %q, %d bytes) != file (%v, %q, %d bytes)", i, g.TimeStamp, g.Error, len(g.ImageContent),
				w.TimeStamp, w.Error, len(w.ImageContent))
		}
	}
}

// TestGetImagesPixels asks for the keyframes at the start of two fragments
// (fractional timestamps, as the Go and JS SDKs send) and compares the
// images with ffmpeg's decoding of the same pictures. JPEG and PNG are both
// lossy relative to the YUV picture (colour conversion, JPEG quantisation),
// so the comparison is a PSNR floor; a wrong picture scores far below it.
// It needs the H.264 decoder (decode/h264) to be complete.
func TestGetImagesPixels(t *testing.T) {
	ffmpeg := testtool.Need(t, "ffmpeg")
	ts := startServer(t, nil)
	path := kvsPath(t)
	ingestFile(t, ts.Store, "kvs", path, 24)
	for _, c := range []struct {
		at     float64
		frame  int
		format string
	}{
		{kvsStart, 0, "JPEG"},
		{kvsStart + 2, 60, "PNG"},
	} {
		t.Run(fmt.Sprintf("%s@frame%d", c.format, c.frame), func(t *testing.T) {
			resp := postGetImages(t, ts.URL, map[string]any{"StreamName": "kvs", "ImageSelectorType": "PRODUCER_TIMESTAMP",
				"StartTimestamp": c.at, "EndTimestamp": c.at, "Format": c.format, "FormatConfig": map[string]string{"JPEGQuality": "95"}})
			if len(resp.Images) != 1 {
				t.Fatalf("%d images, want 1", len(resp.Images))
			}
			im := resp.Images[0]
			if im.Error != "" {
				t.Fatalf("got %s at %.3f, want an image of frame %d", im.Error, c.at, c.frame)
			}
			var img image.Image
			var err error
			if c.format == "JPEG" {
				img, err = jpeg.Decode(bytes.NewReader(im.ImageContent))
			} else {
				img, err = png.Decode(bytes.NewReader(im.ImageContent))
			}
			if err != nil {
				t.Fatalf("decoding the returned %s: %v", c.format, err)
			}
			if b := img.Bounds(); b.Dx() != 640 || b.Dy() != 360 {
				t.Fatalf("image is %dx%d, want 640x360", b.Dx(), b.Dy())
			}
			ref, err := exec.Command(ffmpeg, "-v", "error", "-i", path, "-vf", fmt.Sprintf("select=eq(n\\,%d)", c.frame),
				"-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-").Output()
			if err != nil || len(ref) != 640*360*3 {
				t.Fatalf("ffmpeg reference frame: %v (%d bytes)", err, len(ref))
			}
			var se float64
			for y := 0; y < 360; y++ {
				for x := 0; x < 640; x++ {
					r, g, b, _ := img.At(x, y).RGBA()
					o := (y*640 + x) * 3
					for i, v := range []uint32{r >> 8, g >> 8, b >> 8} {
						d := float64(v) - float64(ref[o+i])
						se += d * d
					}
				}
			}
			mse := se / (640 * 360 * 3)
			psnr := 10 * math.Log10(255*255/math.Max(mse, 1e-9))
			if psnr < 30 {
				t.Errorf("PSNR against ffmpeg's frame %d is %.1f dB, want >= 30", c.frame, psnr)
			}
			t.Logf("PSNR vs ffmpeg frame %d: %.1f dB", c.frame, psnr)
		})
	}
}
