package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/stills/stills/input"
	"github.com/stills/stills/server"
	"github.com/stills/stills/store"
)

// runIngest imports video files into the store as fragments.
func runIngest(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stills ingest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", defaultDataDir(), "data directory of the store")
	stream := fs.String("stream", "", "stream name (created if missing)")
	startS := fs.String("start", "", "RFC 3339 time where relative producer timestamps start (default: now); later FILEs with relative timestamps follow the previous one")
	retention := fs.Int("retention", 24*365, "DataRetentionInHours of a stream this command creates")
	mediaType := fs.String("media-type", "video/h264", "MediaType of a stream this command creates")
	fps := fs.Float64("fps", 0, "frame rate of a raw Annex B stream without timing in its SPS (0: the input package's default)")
	throttle := fs.Duration("throttle", 0, "pause after each fragment (testing aid: makes a long ingest slow)")
	endpoint := fs.String("endpoint", "", "URL of a running `stills serve` to send the files to (its /putMedia) instead of opening --data")
	access := fs.String("access-key", "", "with --endpoint: access key id to sign requests with (default $STILLS_ACCESS_KEY_ID)")
	secret := fs.String("secret-key", "", "with --endpoint: secret access key (default $STILLS_SECRET_ACCESS_KEY)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: stills ingest (--data DIR | --endpoint URL) --stream NAME [flags] FILE...\n\nStores each keyframe-started group of pictures of each FILE (Matroska/WebM,\nMP4 or raw H.264/H.265 Annex B, recognised by content) as one fragment\nand prints a line per fragment once it is durably stored. The data directory\nmust not be in use by a running `stills serve`: send the files to it with\n--endpoint instead.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *stream == "" || fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	if !store.ValidStreamName(*stream) {
		fmt.Fprintf(stderr, "stills ingest: stream name %q must be 1-256 characters of [a-zA-Z0-9_.-]\n", *stream)
		return 2
	}
	var start time.Time
	if *startS != "" {
		t, err := time.Parse(time.RFC3339Nano, *startS)
		if err != nil {
			fmt.Fprintf(stderr, "stills ingest: --start: %v\n", err)
			return 2
		}
		start = t
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	if *endpoint != "" {
		if *access == "" {
			*access = os.Getenv("STILLS_ACCESS_KEY_ID")
		}
		if *secret == "" {
			*secret = os.Getenv("STILLS_SECRET_ACCESS_KEY")
		}
		r := &remoteIngest{endpoint: strings.TrimRight(*endpoint, "/"), stream: *stream, fps: *fps, stdout: stdout}
		if *access != "" {
			r.creds = &server.Credentials{AccessKeyID: *access, SecretAccessKey: *secret}
		}
		if err := r.run(ctx, fs.Args(), start, *retention, *mediaType); err != nil {
			fmt.Fprintf(stderr, "stills ingest: %v\n", err)
			return 1
		}
		return 0
	}

	st, err := store.Open(*data, store.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "stills ingest: %v\n", err)
		return 1
	}
	defer st.Close()
	info, err := st.Stream(ctx, *stream, "")
	if errors.Is(err, store.ErrStreamNotFound) {
		info, err = st.CreateStream(ctx, store.NewStream{Name: *stream, RetentionHours: *retention, MediaType: *mediaType})
		if err == nil {
			fmt.Fprintf(stdout, "created stream %s %s\n", info.Name, info.ARN)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "stills ingest: %v\n", err)
		return 1
	}
	if info.RetentionHours == 0 {
		fmt.Fprintf(stderr, "stills ingest: warning: stream %s has DataRetentionInHours 0; archived-media calls will answer NoDataRetentionException\n", info.Name)
	}
	total := 0
	var end int64 // producer end of the last fragment stored
	for i, path := range fs.Args() {
		if i > 0 && end != 0 {
			// A later file with relative timestamps follows the previous one.
			start = time.Unix(0, end)
		}
		src, err := input.Open(path, input.Options{FPS: *fps})
		if err != nil {
			fmt.Fprintf(stderr, "stills ingest: %v\n", err)
			return 1
		}
		n, err := store.Ingest(ctx, st, info.Name, src, store.IngestOptions{Start: start, Throttle: *throttle}, func(f store.Fragment) {
			fmt.Fprintf(stdout, "stored fragment %s producer=%s server=%s duration=%dms frames=%d bytes=%d\n",
				f.Number, fmtNs(f.Producer), fmtNs(f.Server), f.Duration/int64(time.Millisecond), len(f.Samples), f.Size)
			end = max(end, f.Producer+f.Duration)
		})
		src.Close()
		total += n
		if err != nil {
			fmt.Fprintf(stderr, "stills ingest: %s: %v (%d fragments of it stored)\n", path, err, n)
			return 1
		}
	}
	fmt.Fprintf(stdout, "ingested %d fragments into %s\n", total, info.Name)
	return 0
}

func fmtNs(ns int64) string {
	return time.Unix(0, ns).UTC().Format("2006-01-02T15:04:05.000Z")
}
