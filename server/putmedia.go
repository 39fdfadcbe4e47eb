package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/stills/stills/input"
	"github.com/stills/stills/store"
)

// Limits of PutMedia.
const (
	// MaxPutMediaBytes bounds one PutMedia body (spooled to a temporary file).
	MaxPutMediaBytes = 2 << 30
	// PutMediaReadTimeout is how long a PutMedia upload may take.
	PutMediaReadTimeout = 30 * time.Minute
)

// putAck is one line of the PutMedia answer, as Kinesis Video Streams
// acknowledges fragments (EventType PERSISTED / ERROR), plus the fragment's
// length so a client can place the next file after it.
type putAck struct {
	EventType                    string `json:"EventType"`
	FragmentTimecode             int64  `json:"FragmentTimecode,omitempty"` // producer ms
	FragmentNumber               string `json:"FragmentNumber,omitempty"`
	FragmentLengthInMilliseconds int64  `json:"FragmentLengthInMilliseconds,omitempty"`
	ErrorId                      int    `json:"ErrorId,omitempty"`
	Message                      string `json:"Message,omitempty"`
}

// putMedia stores a whole media file (Matroska, MP4 or Annex B, recognised
// by content) in a stream, so a running server can be fed without stopping
// it (`stills ingest --endpoint`). Unlike the AWS PutMedia it reads the
// whole body before storing (the demuxers need random access), then answers
// one JSON line per fragment as each is durably stored. Headers:
// x-amzn-stream-name or x-amzn-stream-arn; optional
// x-amzn-producer-start-timestamp (epoch seconds) where relative producer
// timestamps start (default: now; absolute ones are kept) and
// x-stills-annexb-fps, the frame rate of a raw Annex B stream without timing.
func (s *Server) putMedia(w *statusWriter, r *http.Request) (string, error) {
	var ref streamRef
	if v := r.Header.Get("x-amzn-stream-name"); v != "" {
		ref.StreamName = &v
	}
	if v := r.Header.Get("x-amzn-stream-arn"); v != "" {
		ref.StreamARN = &v
	}
	name, arn, err := ref.check()
	if err != nil {
		return "", err
	}
	var start time.Time
	if v := r.Header.Get("x-amzn-producer-start-timestamp"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || f < 0 || f > MaxEpochSeconds {
			return "", invalidArg("x-amzn-producer-start-timestamp %q must be epoch seconds", clipStr(v))
		}
		start = time.UnixMilli(int64(math.Round(f * 1000)))
	}
	var opts input.Options
	if v := r.Header.Get("x-stills-annexb-fps"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f > 0 && f <= 1000) {
			return "", invalidArg("x-stills-annexb-fps %q must be a frame rate from 0 to 1000", clipStr(v))
		}
		opts.FPS = f
	}
	if r.Method != http.MethodPost {
		return "", invalidArg("/putMedia takes POST, not %s", r.Method)
	}
	if r.ContentLength > MaxPutMediaBytes {
		return "", invalidArg("body of %d bytes exceeds the PutMedia limit of %d", r.ContentLength, int64(MaxPutMediaBytes))
	}
	http.NewResponseController(w.ResponseWriter).SetReadDeadline(s.now().Add(PutMediaReadTimeout))
	tmp, err := os.CreateTemp(s.cfg.SpoolDir, "stills-putmedia-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r.Body, MaxPutMediaBytes+1))
	if err != nil {
		return "", invalidArg("reading the media body: %v", err)
	}
	if n > MaxPutMediaBytes {
		return "", invalidArg("body exceeds the PutMedia limit of %d bytes", int64(MaxPutMediaBytes))
	}
	if s.cfg.Credentials != nil {
		if e := verifySigV4Hash(r, hex.EncodeToString(h.Sum(nil)), s.cfg.Credentials, s.now()); e != nil {
			return "", e
		}
	}
	ctx := r.Context()
	info, err := s.cfg.Store.Stream(ctx, name, arn)
	if err != nil {
		return "", err
	}
	release, err := s.acquire(info.Name)
	if err != nil {
		return info.Name, err
	}
	defer release()
	src, err := input.OpenReader(tmp, n, opts)
	if err != nil {
		return info.Name, invalidArg("the body is not media this server reads (Matroska, MP4, H.264/H.265 Annex B): %v", err)
	}
	defer src.Close()
	enc := json.NewEncoder(w)
	rc := http.NewResponseController(w.ResponseWriter)
	_, err = store.Ingest(ctx, s.cfg.Store, info.Name, src, store.IngestOptions{Start: start}, func(f store.Fragment) {
		if w.status == 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
		}
		enc.Encode(putAck{EventType: "PERSISTED", FragmentTimecode: f.Producer / int64(time.Millisecond), FragmentNumber: f.Number,
			FragmentLengthInMilliseconds: f.Duration / int64(time.Millisecond)})
		rc.Flush()
	})
	if err == nil && w.status == 0 {
		return info.Name, invalidArg("the body holds no video to store")
	}
	if err != nil {
		if w.status == 0 {
			if errors.Is(err, store.ErrInput) {
				return info.Name, invalidArg("%v", err)
			}
			return info.Name, err
		}
		// Fragments were acknowledged already: report the failure in band.
		enc.Encode(putAck{EventType: "ERROR", ErrorId: 4000, Message: err.Error()})
		s.log.Warn("putMedia stopped", "stream", info.Name, "err", err)
	}
	return info.Name, nil
}
