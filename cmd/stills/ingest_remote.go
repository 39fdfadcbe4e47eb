package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/stills/stills/server"
)

// remoteIngest sends files to a running `stills serve` through its /putMedia
// and prints the fragments it acknowledges.
type remoteIngest struct {
	endpoint string
	stream   string
	fps      float64
	creds    *server.Credentials
	stdout   io.Writer
	client   http.Client
}

// call POSTs a JSON body (signed when credentials are set) and decodes a 200
// answer into out; other answers become errors naming the API error.
func (r *remoteIngest) call(ctx context.Context, path string, in, out any) (int, error) {
	body, _ := json.Marshal(in)
	req, err := http.NewRequestWithContext(ctx, "POST", r.endpoint+path, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if r.creds != nil {
		sum := sha256.Sum256(body)
		server.SignV4(req, hex.EncodeToString(sum[:]), r.creds, "us-east-1", "kinesisvideo", time.Now())
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != 200 {
		return resp.StatusCode, apiError(path, resp, b)
	}
	if out != nil {
		return 200, json.Unmarshal(b, out)
	}
	return 200, nil
}

func apiError(what string, resp *http.Response, b []byte) error {
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	json.Unmarshal(b, &e)
	if e.Type == "" {
		e.Type = resp.Header.Get("x-amzn-ErrorType")
	}
	return fmt.Errorf("%s: HTTP %d %s: %s", what, resp.StatusCode, e.Type, e.Message)
}

func (r *remoteIngest) run(ctx context.Context, files []string, start time.Time, retention int, mediaType string) error {
	code, err := r.call(ctx, "/describeStream", map[string]string{"StreamName": r.stream}, nil)
	if code == http.StatusNotFound {
		var out struct{ StreamARN string }
		if _, err := r.call(ctx, "/createStream", map[string]any{"StreamName": r.stream, "DataRetentionInHours": retention, "MediaType": mediaType}, &out); err != nil {
			return err
		}
		fmt.Fprintf(r.stdout, "created stream %s %s\n", r.stream, out.StreamARN)
	} else if err != nil {
		return err
	}
	total := 0
	var end int64 // ms: producer end of the last fragment acknowledged
	for i, path := range files {
		if i > 0 && end != 0 {
			start = time.UnixMilli(end) // relative files follow each other
		}
		n, e, err := r.put(ctx, path, start)
		total += n
		end = max(end, e)
		if err != nil {
			return fmt.Errorf("%s: %v (%d fragments of it stored)", path, err, n)
		}
	}
	fmt.Fprintf(r.stdout, "ingested %d fragments into %s at %s\n", total, r.stream, r.endpoint)
	return nil
}

// put sends one file; it returns the fragments acknowledged and the end of
// the last one (producer ms).
func (r *remoteIngest) put(ctx context.Context, path string, start time.Time) (int, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	h := sha256.New()
	size, err := io.Copy(h, f)
	if err != nil {
		return 0, 0, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, 0, err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", r.endpoint+"/putMedia", io.NopCloser(f))
	if err != nil {
		return 0, 0, err
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("x-amzn-stream-name", r.stream)
	if !start.IsZero() {
		req.Header.Set("x-amzn-producer-start-timestamp", strconv.FormatFloat(float64(start.UnixMilli())/1000, 'f', 3, 64))
	}
	if r.fps > 0 {
		req.Header.Set("x-stills-annexb-fps", strconv.FormatFloat(r.fps, 'f', -1, 64))
	}
	if r.creds != nil {
		server.SignV4(req, hex.EncodeToString(h.Sum(nil)), r.creds, "us-east-1", "kinesisvideo", time.Now())
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return 0, 0, apiError("PutMedia", resp, b)
	}
	n := 0
	var end int64
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		var a struct {
			EventType                    string
			FragmentTimecode             int64
			FragmentNumber               string
			FragmentLengthInMilliseconds int64
			Message                      string
		}
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			return n, end, fmt.Errorf("unreadable acknowledgment %q", sc.Text())
		}
		switch a.EventType {
		case "PERSISTED":
			n++
			end = max(end, a.FragmentTimecode+a.FragmentLengthInMilliseconds)
			fmt.Fprintf(r.stdout, "stored fragment %s producer=%s duration=%dms\n", a.FragmentNumber,
				fmtNs(a.FragmentTimecode*int64(time.Millisecond)), a.FragmentLengthInMilliseconds)
		case "ERROR":
			return n, end, fmt.Errorf("server stopped storing: %s", a.Message)
		}
	}
	if err := sc.Err(); err != nil {
		return n, end, fmt.Errorf("reading acknowledgments: %w", err)
	}
	return n, end, nil
}
