package stills

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"os/exec"
	"testing"
	"time"

	"github.com/stills/stills/internal/testtool"
	"github.com/stills/stills/media"
	"github.com/stills/stills/mkv"
)

// End-to-end tests on real Kinesis Video Streams GetMedia output
// (testdata/kvs, copied from shared/vectors/kvs) and the bundled sample:
// the real demuxer, decoder and encoder, with ffmpeg as the oracle for the
// pictures. The expected keyframe for each timestamp is derived here from
// facts about the files that ffprobe prints (keyframe times, KVS tags),
// by the rules of SPEC §1 — not from the engine's output.

// output_get_media.mkv, as ffprobe shows it: five 2-second fragments of
// 640x360 H.264 at 30 fps (BT.709, limited range), a keyframe at the start of
// each. AWS_KINESISVIDEO_PRODUCER_TIMESTAMP and _SERVER_TIMESTAMP tags of the
// fragments, in ms since the epoch:
var (
	kvsFile     = "testdata/kvs/output_get_media.mkv"
	kvsProducer = []int64{1511852108513, 1511852110513, 1511852112513, 1511852114513, 1511852116513}
	kvsServer   = []int64{1511852109126, 1511852110915, 1511852112487, 1511852113414, 1511852114147}
)

// kvsFragMs is a fragment's length: 60 frames of 1/30 s.
const kvsFragMs = 2000

func epochMs(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func openMKV(t testing.TB, path string) media.Source {
	t.Helper()
	src, err := mkv.OpenFile(path)
	if err != nil {
		t.Fatalf("opening %s: %v", path, err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

// refFrames decodes every keyframe of path with ffmpeg as 8-bit RGB (full
// range) using the given YCbCr matrix (bt709 or bt601), in presentation
// order: at w×h with an area filter when scaled, else with swscale's
// default (bicubic) chroma upsampling, chroma interpolated at full
// resolution in both cases.
func refFrames(t testing.TB, path string, w, h int, scaled bool, matrix string) [][]byte {
	t.Helper()
	ff := testtool.Need(t, "ffmpeg")
	flags := "accurate_rnd+full_chroma_int"
	if scaled {
		flags = "area+" + flags
	}
	vf := fmt.Sprintf("scale=%d:%d:flags=%s:in_color_matrix=%s:in_range=tv:out_range=pc,format=rgb24", w, h, flags, matrix)
	cmd := exec.Command(ff, "-v", "error", "-skip_frame", "nokey", "-i", path, "-map", "0:v:0",
		"-vf", vf, "-fps_mode", "passthrough", "-f", "rawvideo", "-")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ffmpeg %v: %v", cmd.Args, err)
	}
	n := w * h * 3
	if len(out)%n != 0 || len(out) == 0 {
		t.Fatalf("ffmpeg gave %d bytes, not a multiple of %d", len(out), n)
	}
	var frames [][]byte
	for i := 0; i < len(out); i += n {
		frames = append(frames, out[i:i+n])
	}
	return frames
}

// decodeImage decodes a JPEG or PNG into packed RGB.
func decodeImage(t testing.TB, b []byte, format string) (rgb []byte, w, h int) {
	t.Helper()
	var img image.Image
	var err error
	if format == PNG {
		img, err = png.Decode(bytes.NewReader(b))
	} else {
		img, err = jpeg.Decode(bytes.NewReader(b))
	}
	if err != nil {
		t.Fatalf("our %s does not decode: %v", format, err)
	}
	r := img.Bounds()
	w, h = r.Dx(), r.Dy()
	rgb = make([]byte, 0, w*h*3)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			rgb = append(rgb, byte(cr>>8), byte(cg>>8), byte(cb>>8))
		}
	}
	return rgb, w, h
}

func psnr(a, b []byte) float64 {
	var se float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		se += d * d
	}
	if se == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255*float64(len(a))/se)
}

// nearestKey applies SPEC §1 to keyframe times ks (ms, sorted, all in one
// run that spans [ks[0], end]): the nearest keyframe, the earlier on a tie;
// -1 when t lies outside the run (t0: up to 1 s before it is allowed).
func nearestKey(ks []int64, end, t int64, first bool) int {
	if t > end || (t < ks[0] && !(first && ks[0]-t <= 1000)) {
		return -1
	}
	best := 0
	for i, k := range ks {
		if abs64(k-t) < abs64(ks[best]-t) {
			best = i
		}
	}
	return best
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

type kvsCase struct {
	name     string
	file     string
	matrix   string
	selector string
	start    int64 // ms
	end      int64
	interval int64
	format   string
	quality  int
	reqW     int
	reqH     int
	outW     int // the size every image must have
	outH     int
	keys     []int64 // keyframe times on the selected timeline, ms
	mediaEnd int64   // end of the single run on that timeline, ms
}

func runKVSCase(t *testing.T, c kvsCase) {
	src := openMKV(t, c.file)
	refs := refFrames(t, c.file, c.outW, c.outH, c.reqW != 0 || c.reqH != 0, c.matrix)
	if len(refs) != len(c.keys) {
		t.Fatalf("ffmpeg decoded %d keyframes, the file has %d", len(refs), len(c.keys))
	}
	e := New(Options{})
	req := &Request{StreamName: "kvs", ImageSelectorType: c.selector,
		StartTimestamp: epochMs(c.start), EndTimestamp: epochMs(c.end), SamplingInterval: c.interval,
		Format: c.format, WidthPixels: c.reqW, HeightPixels: c.reqH, MaxResults: 100}
	if c.quality != 0 {
		req.FormatConfig = map[string]string{"JPEGQuality": fmt.Sprint(c.quality)}
	}
	resp, err := e.GetImages(context.Background(), src, req)
	if err != nil {
		t.Fatal(err)
	}
	wantN := int((c.end-c.start)/c.interval) + 1
	if len(resp.Images) != wantN {
		t.Fatalf("%d images, want %d", len(resp.Images), wantN)
	}
	minP, images := math.Inf(1), 0
	defer func() { t.Logf("%d images, lowest PSNR against ffmpeg %.2f dB", images, minP) }()
	for k, img := range resp.Images {
		tk := c.start + int64(k)*c.interval
		if !img.TimeStamp.Equal(epochMs(tk)) {
			t.Errorf("image %d at %v, want %v", k, img.TimeStamp, epochMs(tk))
		}
		key := nearestKey(c.keys, c.mediaEnd, tk, k == 0)
		if key < 0 {
			if img.Error != NoMedia {
				t.Errorf("t=%d: %q, want NO_MEDIA", tk, img.Error)
			}
			continue
		}
		if img.Error != "" {
			t.Errorf("t=%d: %s (%s), want the keyframe at %d", tk, img.Error, img.Detail, c.keys[key])
			continue
		}
		rgb, w, h := decodeImage(t, img.ImageContent, c.format)
		if w != c.outW || h != c.outH {
			t.Errorf("t=%d: image %dx%d, want %dx%d", tk, w, h, c.outW, c.outH)
			continue
		}
		// The image must show the keyframe SPEC §1 picks: compare with
		// every keyframe and require the expected one to match best.
		best, bestP := -1, -1.0
		for i, ref := range refs {
			if p := psnr(rgb, ref); p > bestP {
				best, bestP = i, p
			}
		}
		p := psnr(rgb, refs[key])
		images++
		minP = math.Min(minP, p)
		if best != key {
			t.Errorf("t=%d: image looks like keyframe %d (%.1f dB), want keyframe %d (%.1f dB)", tk, best, bestP, key, p)
		}
		if p < 38 {
			t.Errorf("t=%d: PSNR %.2f dB against ffmpeg's keyframe %d, want >= 38", tk, p, key)
		}
	}
}

func TestKVSProducerJPEG(t *testing.T) {
	// Whole seconds from 2.5 s before the media to 1.5 s after it: NO_MEDIA
	// at both ends, images in between, at the source size.
	runKVSCase(t, kvsCase{file: kvsFile, matrix: "bt709", selector: ProducerTimestamp,
		start: 1511852106000, end: 1511852120000, interval: 1000, format: JPEG, quality: 95,
		outW: 640, outH: 360, keys: kvsProducer, mediaEnd: kvsProducer[4] + kvsFragMs})
}

func TestKVSProducerGrace(t *testing.T) {
	// botocore sends whole seconds: t_0 0.513 s before the first frame is
	// served by it.
	runKVSCase(t, kvsCase{file: kvsFile, matrix: "bt709", selector: ProducerTimestamp,
		start: 1511852108000, end: 1511852112000, interval: 2000, format: PNG,
		outW: 640, outH: 360, keys: kvsProducer, mediaEnd: kvsProducer[4] + kvsFragMs})
}

func TestKVSServerPNGScaled(t *testing.T) {
	// The server timeline: fragments arrived faster than real time, so their
	// server spans overlap into one run [09.126, 14.147 + 2 s].
	runKVSCase(t, kvsCase{file: kvsFile, matrix: "bt709", selector: ServerTimestamp,
		start: 1511852108000, end: 1511852117000, interval: 500, format: PNG, reqW: 320,
		outW: 320, outH: 180, keys: kvsServer, mediaEnd: kvsServer[4] + kvsFragMs})
}

func TestKVSStretchJPEG(t *testing.T) {
	runKVSCase(t, kvsCase{file: kvsFile, matrix: "bt709", selector: ProducerTimestamp,
		start: 1511852108513, end: 1511852118513, interval: 2500, format: JPEG, quality: 95,
		reqW: 480, reqH: 480, outW: 480, outH: 480, keys: kvsProducer, mediaEnd: kvsProducer[4] + kvsFragMs})
}

func TestKVSHeightOnly(t *testing.T) {
	// PNG: a 160x90 JPEG's 4:2:0 chroma (80x45) cannot match ffmpeg's
	// full-resolution chroma to 38 dB on this content, whoever encodes it.
	runKVSCase(t, kvsCase{file: kvsFile, matrix: "bt709", selector: ProducerTimestamp,
		start: 1511852110000, end: 1511852119000, interval: 3000, format: PNG,
		reqH: 90, outW: 160, outH: 90, keys: kvsProducer, mediaEnd: kvsProducer[4] + kvsFragMs})
}

// vogels_480.mkv: 640x480 H.264 with an AAC track (skipped), no absolute
// clock (times start at 0), keyframes at these times (ffprobe), last frame at
// 30.297 s lasting 1/29.97 s.
func TestVogels(t *testing.T) {
	keys := []int64{0, 2169, 9810, 17150, 25025, 28829}
	runKVSCase(t, kvsCase{file: "testdata/kvs/vogels_480.mkv", matrix: "bt709", selector: ProducerTimestamp,
		start: 0, end: 32000, interval: 1000, format: JPEG, quality: 95,
		outW: 640, outH: 480, keys: keys, mediaEnd: 30330})
}

// sample.mkv: 10 s of 640x360 testsrc2 from x264 with no colour description
// (BT.601 for SD), keyframes every 2 s.
func TestSample(t *testing.T) {
	runKVSCase(t, kvsCase{file: "testdata/sample.mkv", matrix: "bt601", selector: ProducerTimestamp,
		start: 0, end: 10000, interval: 1000, format: PNG,
		outW: 640, outH: 360, keys: []int64{0, 2000, 4000, 6000, 8000}, mediaEnd: 10000})
}

// H.265 end to end: 4 s of 320x240 from x265 in Matroska, a keyframe every
// second (no colour description: BT.601). No added noise: on noise, the
// chroma upsampling of our PNG conversion and of swscale differ by about
// 0.5 dB around the 38 dB line, which says nothing about the engine (the
// decoder itself is checked bit-exact in decode/h265).
func TestH265(t *testing.T) {
	ff := testtool.Need(t, "ffmpeg")
	path := t.TempDir() + "/h265.mkv"
	cmd := exec.Command(ff, "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4",
		"-c:v", "libx265", "-x265-params", "keyint=25:min-keyint=25:scenecut=0:log-level=error", "-pix_fmt", "yuv420p", path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	runKVSCase(t, kvsCase{file: path, matrix: "bt601", selector: ProducerTimestamp,
		start: 0, end: 5000, interval: 500, format: PNG,
		outW: 320, outH: 240, keys: []int64{0, 1000, 2000, 3000}, mediaEnd: 4000})
}

// Paging scans only each page's stretch of media: the answers must be the
// same as those of one big page, on both timelines and across fragment
// boundaries (spans need the next fragment's first frame).
func TestPagingMatchesOnePage(t *testing.T) {
	for _, c := range []struct {
		file       string
		sel        string
		start, end int64 // ms
		interval   int64
	}{
		{kvsFile, ProducerTimestamp, 1511852106000, 1511852120000, 500},
		{kvsFile, ServerTimestamp, 1511852107000, 1511852118000, 700},
		{"testdata/kvs/vogels_480.mkv", ProducerTimestamp, 0, 32000, 1000},
	} {
		src := openMKV(t, c.file)
		e := New(Options{})
		req := &Request{StreamName: "s", ImageSelectorType: c.sel, StartTimestamp: epochMs(c.start), EndTimestamp: epochMs(c.end),
			SamplingInterval: c.interval, Format: PNG, WidthPixels: 64, MaxResults: 100}
		one, err := e.GetImages(context.Background(), src, req)
		if err != nil {
			t.Fatal(err)
		}
		var paged []Image
		req.MaxResults = 3
		for {
			resp, err := e.GetImages(context.Background(), src, req)
			if err != nil {
				t.Fatal(err)
			}
			paged = append(paged, resp.Images...)
			if resp.NextToken == "" {
				break
			}
			req.NextToken = resp.NextToken
		}
		if len(paged) != len(one.Images) {
			t.Fatalf("%s %s: %d images paged, %d in one page", c.file, c.sel, len(paged), len(one.Images))
		}
		for i := range paged {
			a, b := paged[i], one.Images[i]
			if !a.TimeStamp.Equal(b.TimeStamp) || a.Error != b.Error || !bytes.Equal(a.ImageContent, b.ImageContent) {
				t.Errorf("%s %s at %v: paged %q (%d bytes), one page %q (%d bytes)", c.file, c.sel, a.TimeStamp,
					a.Error, len(a.ImageContent), b.Error, len(b.ImageContent))
			}
		}
	}
}

// Extract (chunked, offline) and GetImages (paged) answer alike on real
// media: 1001 timestamps 10 ms apart, across Extract's chunk boundaries.
func TestExtractMatchesGetImages(t *testing.T) {
	src := openMKV(t, "testdata/sample.mkv")
	e := New(Options{MinSamplingInterval: 10 * time.Millisecond})
	var ext []Image
	err := e.Extract(context.Background(), src, ExtractRequest{From: 0, To: 10e9, Interval: 10 * time.Millisecond, Format: PNG, Width: 64},
		func(img Image) error { ext = append(ext, img); return nil })
	if err != nil {
		t.Fatal(err)
	}
	req := &Request{StreamName: "s", ImageSelectorType: ProducerTimestamp, StartTimestamp: time.Unix(0, 0), EndTimestamp: time.Unix(10, 0),
		SamplingInterval: 10, Format: PNG, WidthPixels: 64, MaxResults: 100}
	var got []Image
	for {
		resp, err := e.GetImages(context.Background(), src, req)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, resp.Images...)
		if resp.NextToken == "" {
			break
		}
		req.NextToken = resp.NextToken
	}
	if len(ext) != 1001 || len(got) != 1001 {
		t.Fatalf("Extract %d images, GetImages %d; want 1001", len(ext), len(got))
	}
	for i := range ext {
		if !ext[i].TimeStamp.Equal(got[i].TimeStamp) || ext[i].Error != got[i].Error || !bytes.Equal(ext[i].ImageContent, got[i].ImageContent) {
			t.Fatalf("at %v: Extract %q, GetImages %q", ext[i].TimeStamp, ext[i].Error, got[i].Error)
		}
	}
}

// High bit depth and 4:2:2 end to end: H.264 High 10, H.265 Main 10 and
// H.264 High 4:2:2, 2 s of 320x240 from x264/x265 with a keyframe each
// second, compared with ffmpeg's decode as above.
func TestDepthsAndChroma(t *testing.T) {
	ff := testtool.Need(t, "ffmpeg")
	for _, c := range []struct{ name, codec, pixfmt, params string }{
		{"h264-high10", "libx264", "yuv420p10le", ""},
		{"h265-main10", "libx265", "yuv420p10le", "log-level=error"},
		{"h264-422", "libx264", "yuv422p", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := t.TempDir() + "/" + c.name + ".mkv"
			args := []string{"-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2",
				"-c:v", c.codec, "-pix_fmt", c.pixfmt, "-g", "25", "-keyint_min", "25", "-sc_threshold", "0"}
			if c.params != "" {
				args = append(args, "-x265-params", c.params)
			}
			if out, err := exec.Command(ff, append(args, path)...).CombinedOutput(); err != nil {
				t.Fatalf("ffmpeg: %v\n%s", err, out)
			}
			runKVSCase(t, kvsCase{file: path, matrix: "bt601", selector: ProducerTimestamp,
				start: 0, end: 2000, interval: 500, format: PNG,
				outW: 320, outH: 240, keys: []int64{0, 1000}, mediaEnd: 2000})
		})
	}
}
