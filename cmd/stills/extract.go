package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/stills/stills"
	"github.com/stills/stills/media"
)

const extractUsage = `Usage: stills extract INPUT [flags]

Extracts still images from the video of INPUT (Matroska/WebM, MP4, or a raw
H.264/H.265 Annex B stream; recognised by content, not by name) at a
sampling interval, the way GetImages does: each sampling timestamp is
served by the nearest keyframe of the stretch of media that contains it.
Flags and INPUT may come in any order.

Flags:
  --start T          first sampling timestamp (default: start of the media)
  --end T            last sampling timestamp, included (default: end of the media)
  --interval D       time between images, e.g. 3s, 500ms, 2m, or a plain
                     number of milliseconds as in GetImages (default 3s)
  --fps N            images per second; another way to give --interval (1/N s)
  --format F         jpeg or png (default jpeg)
  --quality Q        JPEG quality 1-100 (default 80)
  --width W          image width; alone, the height keeps the aspect ratio
  --height H         image height; alone, the width keeps the aspect ratio
                     (both: exactly W x H; neither: the video's displayed size)
  --out DIR          directory for the images (default ./stills-out; created)
  --json             print a GetImages-style JSON answer on stdout (images in
                     base64); files are then written only when --out is given
  --selector S       producer or server: the timeline of --start/--end and of
                     the file names (default producer)
  --raw-fps N        frame rate of a raw Annex B stream whose headers give none
  --workers N        pictures decoded at once (default: the number of CPUs)

Times (T) are RFC 3339 (2026-01-01T00:00:02Z, 2026-01-01T00:00:02.5+01:00),
epoch seconds (1767225602.5), or an offset from the start of the media:
a duration (90s, 1m30s, 1.5s) or [HH:]MM:SS[.mmm] (01:30).

Each image is one file named by its timestamp: 20260101T000002.000Z.jpg for
media with an absolute clock (KVS fragments, Matroska with a DateUTC), or
the seconds on the media's own clock, 000090.000.jpg, for files that start
near zero. Timestamps with no media print NO_MEDIA, keyframes that cannot
be decoded MEDIA_ERROR (with the reason on stderr); neither writes a file.
A summary line ends the run (stderr); a progress bar is drawn while running
when stderr is a terminal.

Exit status: 0 when done (and at least one image was written, or nothing
failed); 1 on an error, or when every image that had media failed; 2 on a
usage error.

Examples:
  stills extract testdata/sample.mkv --interval 1s --out /tmp/stills-out
  stills extract cam.mkv --start 2026-01-01T10:00:00Z --end 2026-01-01T10:05:00Z --width 640
  stills extract clip.mp4 --start 1m --end 2m --fps 0.5 --format png
  stills extract stream.h264 --raw-fps 30 --json > answer.json
`

// openInput opens a media file by content. It is set by extract_input.go
// (package input).
var openInput func(path string, rawFPS float64) (media.Source, error)

// absoluteClock: media whose first frame is after this time (2000-01-01)
// has an absolute clock; earlier media is named by seconds on its own clock.
var absoluteClock = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()

type extractFlags struct {
	start, end, interval string
	fps, rawFPS          float64
	format               string
	quality              int
	width, height        int
	out                  string
	outSet               bool
	json                 bool
	selector             string
	workers              int
}

func runExtract(args []string, stdout, stderr io.Writer) int {
	var f extractFlags
	fs := flag.NewFlagSet("stills extract", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.start, "start", "", "")
	fs.StringVar(&f.end, "end", "", "")
	fs.StringVar(&f.interval, "interval", "", "")
	fs.Float64Var(&f.fps, "fps", 0, "")
	fs.Float64Var(&f.rawFPS, "raw-fps", 0, "")
	fs.StringVar(&f.format, "format", "jpeg", "")
	fs.IntVar(&f.quality, "quality", stills.DefaultJPEGQuality, "")
	fs.IntVar(&f.width, "width", 0, "")
	fs.IntVar(&f.height, "height", 0, "")
	fs.StringVar(&f.out, "out", "stills-out", "")
	fs.BoolVar(&f.json, "json", false, "")
	fs.StringVar(&f.selector, "selector", "producer", "")
	fs.IntVar(&f.workers, "workers", 0, "")
	var inputs []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, extractUsage)
				return 0
			}
			fmt.Fprintf(stderr, "stills extract: %v\nRun 'stills extract --help' for usage.\n", err)
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		inputs = append(inputs, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	fs.Visit(func(fl *flag.Flag) {
		if fl.Name == "out" {
			f.outSet = true
		}
	})
	if len(inputs) != 1 {
		if len(inputs) == 0 {
			fmt.Fprintf(stderr, "stills extract: no INPUT file given\n")
		} else {
			fmt.Fprintf(stderr, "stills extract: one INPUT file, not %d (%s)\n", len(inputs), strings.Join(inputs, ", "))
		}
		fmt.Fprintf(stderr, "Run 'stills extract --help' for usage.\n")
		return 2
	}
	if err := extract(inputs[0], &f, stdout, stderr); err != nil {
		var ue extractUsageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "stills extract: %v\nRun 'stills extract --help' for usage.\n", err)
			return 2
		}
		fmt.Fprintf(stderr, "stills extract: %v\n", err)
		return 1
	}
	return 0
}

type extractUsageError struct{ msg string }

func (e extractUsageError) Error() string { return e.msg }

func extractUsagef(format string, a ...any) error {
	return extractUsageError{fmt.Sprintf(format, a...)}
}

// errExtractAllFailed: every timestamp with media was a MEDIA_ERROR.
var errExtractAllFailed = errors.New("no image could be made (see the MEDIA_ERROR reasons above)")

func extract(path string, f *extractFlags, stdout, stderr io.Writer) error {
	req := stills.ExtractRequest{Quality: f.quality, Width: f.width, Height: f.height}
	switch strings.ToLower(f.format) {
	case "jpeg", "jpg":
		req.Format = stills.JPEG
	case "png":
		req.Format = stills.PNG
	default:
		return extractUsagef("--format %q: use jpeg or png", f.format)
	}
	if f.quality < 1 || f.quality > 100 {
		return extractUsagef("--quality %d: use 1 to 100", f.quality)
	}
	if f.width < 0 || f.width > stills.MaxExtractPixels || f.height < 0 || f.height > stills.MaxExtractPixels {
		return extractUsagef("--width/--height: use 1 to %d", stills.MaxExtractPixels)
	}
	switch strings.ToLower(f.selector) {
	case "producer", "producer_timestamp":
		req.Timeline = media.ProducerTime
	case "server", "server_timestamp":
		req.Timeline = media.ServerTime
	default:
		return extractUsagef("--selector %q: use producer or server", f.selector)
	}
	switch {
	case f.interval != "" && f.fps != 0:
		return extractUsagef("give --interval or --fps, not both")
	case f.fps < 0 || math.IsNaN(f.fps) || math.IsInf(f.fps, 0):
		return extractUsagef("--fps %v: must be positive", f.fps)
	case f.fps > 0:
		req.Interval = time.Duration(float64(time.Second) / f.fps)
	case f.interval != "":
		d, err := parseIntervalArg(f.interval)
		if err != nil {
			return err
		}
		req.Interval = d
	default:
		req.Interval = stills.DefaultSamplingInterval * time.Millisecond
	}
	if req.Interval < time.Millisecond {
		return extractUsagef("the interval %v is below 1ms", req.Interval)
	}
	if f.rawFPS < 0 || math.IsNaN(f.rawFPS) || math.IsInf(f.rawFPS, 0) {
		return extractUsagef("--raw-fps %v: must be positive", f.rawFPS)
	}
	if openInput == nil {
		return errors.New("no input reader built in")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	began := time.Now()
	src, err := openInput(path, f.rawFPS)
	if err != nil {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	defer src.Close()
	first, last, ok, err := stills.MediaRange(ctx, src, req.Timeline)
	if errors.Is(err, media.ErrNoVideo) {
		return fmt.Errorf("%s has no video track", path)
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if !ok {
		return fmt.Errorf("%s holds no video frames", path)
	}
	req.From, req.To = first, last
	if f.start != "" {
		if req.From, err = parseTimeArg(f.start, first); err != nil {
			return extractUsagef("--start: %v", err)
		}
	}
	if f.end != "" {
		if req.To, err = parseTimeArg(f.end, first); err != nil {
			return extractUsagef("--end: %v", err)
		}
	}
	if req.To < req.From {
		return extractUsagef("--end (%s) is before --start (%s)", showMediaTime(req.To, first), showMediaTime(req.From, first))
	}
	absolute := first >= absoluteClock

	writeFiles := !f.json || f.outSet
	if writeFiles {
		if err := os.MkdirAll(f.out, 0o755); err != nil {
			return fmt.Errorf("creating the output directory: %w", err)
		}
	}
	ext := ".jpg"
	if req.Format == stills.PNG {
		ext = ".png"
	}
	bar := newProgressBar(stderr)
	req.Progress = bar.update
	var written, noMedia, mediaErr int
	var jsonOut *imagesJSON
	if f.json {
		jsonOut = newImagesJSON(stdout)
	}
	eng := stills.New(stills.Options{Workers: f.workers})
	err = eng.Extract(ctx, src, req, func(img stills.Image) error {
		t := img.TimeStamp.UnixNano()
		switch img.Error {
		case stills.NoMedia:
			noMedia++
		case stills.MediaError:
			mediaErr++
			if mediaErr <= 10 {
				bar.clear()
				fmt.Fprintf(stderr, "MEDIA_ERROR at %s: %s\n", showMediaTime(t, first), img.Detail)
			} else if mediaErr == 11 {
				bar.clear()
				fmt.Fprintf(stderr, "(further MEDIA_ERROR reasons are not shown)\n")
			}
		default:
			if writeFiles {
				name := filepath.Join(f.out, imageFileName(t, absolute)+ext)
				if err := os.WriteFile(name, img.ImageContent, 0o644); err != nil {
					return fmt.Errorf("writing an image: %w", err)
				}
			}
			written++
		}
		if jsonOut != nil {
			return jsonOut.image(img)
		}
		return nil
	})
	bar.clear()
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted after %d images", written)
		}
		return err
	}
	if jsonOut != nil {
		if err := jsonOut.finish(); err != nil {
			return err
		}
	}
	where := ""
	if writeFiles {
		where = " in " + f.out
	}
	fmt.Fprintf(stderr, "stills extract: %d images%s, %d NO_MEDIA, %d MEDIA_ERROR, %d timestamps from %s to %s every %v, in %.2fs\n",
		written, where, noMedia, mediaErr, written+noMedia+mediaErr, showMediaTime(req.From, first), showMediaTime(req.To, first),
		req.Interval, time.Since(began).Seconds())
	if written == 0 && mediaErr > 0 {
		return errExtractAllFailed
	}
	return nil
}

// parseIntervalArg reads a Go duration (3s, 500ms) or a plain number of
// milliseconds (as GetImages' SamplingInterval).
func parseIntervalArg(s string) (time.Duration, error) {
	if ms, err := strconv.ParseFloat(s, 64); err == nil {
		if ms <= 0 || ms > 1e12 {
			return 0, extractUsagef("--interval %q: must be positive", s)
		}
		return time.Duration(ms * float64(time.Millisecond)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, extractUsagef("--interval %q: use a duration such as 3s, 500ms or 1m", s)
	}
	return d, nil
}

var clockArgRE = regexp.MustCompile(`^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$`)

// parseTimeArg reads an absolute time (RFC 3339, epoch seconds) or an offset
// from mediaStart (a duration, or [HH:]MM:SS[.mmm]).
func parseTimeArg(s string, mediaStart media.Time) (media.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UnixNano(), nil
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(v) || math.Abs(v) > 9e9 {
			return 0, fmt.Errorf("%q is out of range for epoch seconds", s)
		}
		return int64(math.Round(v*1e3)) * int64(time.Millisecond), nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return mediaStart + int64(d), nil
	}
	if m := clockArgRE.FindStringSubmatch(s); m != nil {
		h, err := strconv.Atoi("0" + m[1])
		mi, _ := strconv.Atoi(m[2]) // 1-2 digits
		sec, _ := strconv.ParseFloat(m[3], 64)
		if err != nil || h > 1e6 {
			return 0, fmt.Errorf("%q is out of range", s)
		}
		return mediaStart + int64(h)*int64(time.Hour) + int64(mi)*int64(time.Minute) + int64(sec*1e9), nil
	}
	return 0, fmt.Errorf("%q is not a time: use RFC 3339 (2026-01-01T00:00:02Z), epoch seconds (1767225602.5) or an offset from the start of the media (90s, 1m30s, 01:30)", s)
}

// imageFileName names the image at t: UTC time for media with an absolute
// clock, else seconds on the media's clock.
func imageFileName(t media.Time, absolute bool) string {
	if absolute {
		return time.Unix(0, t).UTC().Format("20060102T150405.000Z")
	}
	ms := t / int64(time.Millisecond)
	sign := ""
	if ms < 0 {
		sign, ms = "-", -ms
	}
	return fmt.Sprintf("%s%06d.%03d", sign, ms/1000, ms%1000)
}

// showMediaTime prints t for a person: UTC for absolute media, else an offset.
func showMediaTime(t, mediaStart media.Time) string {
	if mediaStart >= absoluteClock {
		return time.Unix(0, t).UTC().Format("2006-01-02T15:04:05.000Z")
	}
	return (time.Duration(t/int64(time.Millisecond)) * time.Millisecond).String()
}

// imagesJSON streams a GetImages-style answer:
// {"Images":[{"TimeStamp":<epoch s>,"ImageContent":"<base64>"} | {"TimeStamp":…,"Error":"…"}]}
type imagesJSON struct {
	w   io.Writer
	n   int
	buf []byte
	err error
}

func newImagesJSON(w io.Writer) *imagesJSON {
	j := &imagesJSON{w: w}
	_, j.err = io.WriteString(w, `{"Images":[`)
	return j
}

func (j *imagesJSON) image(img stills.Image) error {
	if j.err != nil {
		return j.err
	}
	b := j.buf[:0]
	if j.n > 0 {
		b = append(b, ',')
	}
	j.n++
	b = append(b, "\n{\"TimeStamp\":"...)
	b = strconv.AppendFloat(b, float64(img.TimeStamp.UnixMilli())/1e3, 'f', -1, 64)
	if img.Error != "" {
		b = append(b, `,"Error":"`...)
		b = append(b, img.Error...)
		b = append(b, `"}`...)
	} else {
		b = append(b, `,"ImageContent":"`...)
		b = base64.StdEncoding.AppendEncode(b, img.ImageContent)
		b = append(b, `"}`...)
	}
	j.buf = b
	_, j.err = j.w.Write(b)
	return j.err
}

func (j *imagesJSON) finish() error {
	if j.err != nil {
		return j.err
	}
	_, j.err = io.WriteString(j.w, "\n]}\n")
	return j.err
}

// progressBar draws a bar on stderr when it is a terminal, at most ten times a
// second.
type progressBar struct {
	w    io.Writer
	on   bool
	last time.Time
	drew bool
}

func newProgressBar(w io.Writer) *progressBar {
	p := &progressBar{w: w}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.on = true
		}
	}
	return p
}

func (p *progressBar) update(done, total int64) {
	if !p.on || total <= 0 {
		return
	}
	now := time.Now()
	if done < total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	const width = 40
	fill := int(done * width / total)
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d", strings.Repeat("=", fill), strings.Repeat(" ", width-fill), done, total)
	p.drew = true
}

func (p *progressBar) clear() {
	if p.drew {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", 70))
		p.drew = false
	}
}
