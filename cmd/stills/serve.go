package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/stills/stills"
	"github.com/stills/stills/server"
	"github.com/stills/stills/store"
)

// defaultDataDir is $STILLS_DATA, else $XDG_DATA_HOME/stills, else
// ~/.local/share/stills (created on first start).
func defaultDataDir() string {
	if d := os.Getenv("STILLS_DATA"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "stills")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "stills")
	}
	return "stills-data"
}

// runServe runs the archived-media HTTP server until SIGTERM/SIGINT.
func runServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stills serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (host:port; port 0 picks a free one)")
	data := fs.String("data", defaultDataDir(), "data directory (created if missing)")
	// Defaults from the environment are read after parsing, so --help never
	// prints a secret.
	access := fs.String("access-key", "", "access key id requests must be signed with (default $STILLS_ACCESS_KEY_ID); none: no authentication")
	secret := fs.String("secret-key", "", "secret access key (default $STILLS_SECRET_ACCESS_KEY)")
	region := fs.String("region", "us-east-1", "region written in stream ARNs")
	account := fs.String("account", "000000000000", "account id written in stream ARNs")
	perStream := fs.Int("per-stream-limit", server.DefaultPerStreamLimit, "concurrent requests per stream before ClientLimitExceededException")
	minInterval := fs.Duration("min-sampling-interval", stills.DefaultMinSamplingInterval, "smallest SamplingInterval GetImages accepts")
	workers := fs.Int("workers", 0, "pictures decoded/encoded at once (0: number of CPUs)")
	imageCache := fs.Int64("image-cache", 64, "MiB of encoded images kept for repeated GetImages requests (0: no cache)")
	logFormat := fs.String("log-format", "json", "log format: json or text")
	grace := fs.Duration("shutdown-timeout", 30*time.Second, "how long SIGTERM waits for requests in flight")
	pruneEvery := fs.Duration("prune-interval", 10*time.Minute, "how often fragments older than their stream's DataRetentionInHours are deleted (0: never)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: stills serve [flags]\n\nServes GetImages, ListFragments, GetMediaForFragmentList, GetClip and the\nstream control plane over HTTP (AWS restJson). See docs/server.md.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *imageCache < 0 || *imageCache > 1<<20 {
		fmt.Fprintf(stderr, "stills serve: --image-cache %d MiB is out of range (0 to 1048576)\n", *imageCache)
		return 2
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "stills serve: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if *access == "" {
		*access = os.Getenv("STILLS_ACCESS_KEY_ID")
	}
	if *secret == "" {
		*secret = os.Getenv("STILLS_SECRET_ACCESS_KEY")
	}
	if (*access == "") != (*secret == "") {
		fmt.Fprintln(stderr, "stills serve: give both --access-key and --secret-key (or neither)")
		return 2
	}
	var h slog.Handler = slog.NewJSONHandler(stderr, nil)
	if *logFormat == "text" {
		h = slog.NewTextHandler(stderr, nil)
	}
	log := slog.New(h)

	st, err := store.Open(*data, store.Options{Region: *region, Account: *account})
	if err != nil {
		fmt.Fprintf(stderr, "stills serve: %v\n", err)
		return 1
	}
	defer st.Close()
	eo := stills.Options{
		Workers:             *workers,
		MinSamplingInterval: *minInterval,
		Tokens:              server.HMACTokens{Key: st.TokenKey(), Domain: "GetImages"},
		ImageCacheBytes:     *imageCache << 20,
	}
	times := server.Instrument(&eo)
	eng := stills.New(eo)
	cfg := server.Config{Store: st, Engine: eng, PerStreamLimit: *perStream, Logger: log, EngineTimes: times,
		SpoolDir: filepath.Join(st.Dir(), "tmp")}
	if *access != "" {
		cfg.Credentials = &server.Credentials{AccessKeyID: *access, SecretAccessKey: *secret}
	}
	srv := server.New(cfg)
	hs := srv.HTTPServer(*addr)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "stills serve: %v\n", err)
		return 1
	}
	// Tests and scripts read this line for the chosen port.
	fmt.Fprintf(stdout, "stills serve: listening on http://%s (data %s, auth %v)\n", ln.Addr(), *data, cfg.Credentials != nil)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	if *pruneEvery > 0 {
		go func() {
			t := time.NewTicker(*pruneEvery)
			defer t.Stop()
			for {
				if n, err := st.Prune(ctx, time.Now()); err != nil && ctx.Err() == nil {
					log.Error("retention prune", "err", err)
				} else if n > 0 {
					log.Info("retention prune", "deleted", n)
				}
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}()
	}
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "stills serve: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", grace.String())
	sctx, cancel := context.WithTimeout(context.Background(), *grace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Error("shutdown", "err", err)
		return 1
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}
