package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stills/stills/media"
	"github.com/stills/stills/store"
)

func putMedia(t *testing.T, url string, hdr map[string]string, body []byte) (*http.Response, []putAck) {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/putMedia", bytes.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var acks []putAck
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		var a putAck
		if err := json.Unmarshal(sc.Bytes(), &a); err == nil {
			acks = append(acks, a)
		}
	}
	return resp, acks
}

// TestPutMedia feeds a running server a KVS file: one PERSISTED line per
// fragment, then the fragments are listed and serve images. Unknown
// streams and non-media bodies are errors with the AWS shape.
func TestPutMedia(t *testing.T) {
	ts := startServer(t, nil)
	ctx := context.Background()
	if _, err := ts.Store.CreateStream(ctx, store.NewStream{Name: "live", RetentionHours: 1}); err != nil {
		t.Fatal(err)
	}
	f, err := os.ReadFile(kvsPath(t))
	if err != nil {
		t.Fatal(err)
	}
	resp, acks := putMedia(t, ts.URL, map[string]string{"x-amzn-stream-name": "live"}, f)
	if resp.StatusCode != 200 || len(acks) != kvsFrags {
		t.Fatalf("PutMedia: HTTP %d, %d acks %+v; want 200 and %d", resp.StatusCode, len(acks), acks, kvsFrags)
	}
	frags, _, err := ts.Store.ListFragments(ctx, "live", store.Selector{Timeline: media.ProducerTime, From: math.MinInt64, To: math.MaxInt64}, nil, 100)
	if err != nil || len(frags) != kvsFrags {
		t.Fatalf("%d fragments listed (%v)", len(frags), err)
	}
	for i, a := range acks {
		if a.EventType != "PERSISTED" || a.FragmentNumber != frags[i].Number || a.FragmentTimecode != frags[i].Producer/1e6 || a.FragmentLengthInMilliseconds != 2000 {
			t.Errorf("ack %d = %+v, fragment %s at %d", i, a, frags[i].Number, frags[i].Producer)
		}
	}
	// The KVS tags' absolute producer times were kept.
	if acks[0].FragmentTimecode != int64(math.Round(kvsStart*1000)) {
		t.Errorf("first fragment at %d ms, want %d", acks[0].FragmentTimecode, int64(math.Round(kvsStart*1000)))
	}
	img := postGetImages(t, ts.URL, map[string]any{"StreamName": "live", "ImageSelectorType": "PRODUCER_TIMESTAMP",
		"StartTimestamp": kvsStart, "EndTimestamp": kvsStart, "Format": "JPEG", "WidthPixels": 64})
	if len(img.Images) != 1 || img.Images[0].Error != "" {
		t.Errorf("GetImages after PutMedia: %+v", img.Images)
	}

	if resp, _ := putMedia(t, ts.URL, map[string]string{"x-amzn-stream-name": "nosuch"}, f); resp.StatusCode != 404 ||
		resp.Header.Get("x-amzn-ErrorType") != "ResourceNotFoundException" {
		t.Errorf("unknown stream: %d %s", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"))
	}
	junk := []byte(strings.Repeat("not media ", 1000))
	if resp, _ := putMedia(t, ts.URL, map[string]string{"x-amzn-stream-name": "live"}, junk); resp.StatusCode != 400 ||
		resp.Header.Get("x-amzn-ErrorType") != "InvalidArgumentException" {
		t.Errorf("junk body: %d %s", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"))
	}
}

// TestPutMediaSigned: with credentials on, a body signed by SignV4 is
// accepted and one signed with another secret is not.
func TestPutMediaSigned(t *testing.T) {
	creds := &Credentials{AccessKeyID: "AKIDPUT", SecretAccessKey: "putsecret"}
	ts := startServer(t, func(c *Config) { c.Credentials = creds })
	if _, err := ts.Store.CreateStream(context.Background(), store.NewStream{Name: "live", RetentionHours: 1}); err != nil {
		t.Fatal(err)
	}
	path := kvsPath(t)
	body, _ := os.ReadFile(path)
	for _, c := range []struct {
		secret string
		want   int
	}{{"putsecret", 200}, {"other", 401}} {
		req, _ := http.NewRequest("POST", ts.URL+"/putMedia", strings.NewReader(string(body)))
		req.Header.Set("x-amzn-stream-name", "live")
		SignV4(req, sha256Hex(body), &Credentials{AccessKeyID: "AKIDPUT", SecretAccessKey: c.secret}, "us-east-1", "kinesisvideo", ts.Srv.now())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("secret %q: HTTP %d %s, want %d", c.secret, resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), c.want)
		}
	}
}
