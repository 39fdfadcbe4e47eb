package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stills/stills/store"
)

// rawPost sends body and returns the status, x-amzn-ErrorType and body.
func rawPost(t testing.TB, url, body string) (int, string, []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/x-amz-json-1.1", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), b
}

// TestProtocolErrors: malformed, mistyped and oversized bodies are 400
// InvalidArgumentException with the AWS error shape, never 500.
func TestProtocolErrors(t *testing.T) {
	ts := startServer(t, nil)
	if _, err := ts.Store.CreateStream(context.Background(), store.NewStream{Name: "s", RetentionHours: 1}); err != nil {
		t.Fatal(err)
	}
	big := `{"StreamName":"` + strings.Repeat("a", MaxBodyBytes) + `"}`
	for _, c := range []struct {
		path, body, want string
		status           int
	}{
		{"/getImages", `{`, "InvalidArgumentException", 400},
		{"/getImages", `[1,2]`, "InvalidArgumentException", 400},
		{"/getImages", `"x"`, "InvalidArgumentException", 400},
		{"/getImages", `{"StreamName": 5}`, "InvalidArgumentException", 400},
		{"/getImages", `{"StreamName":"s","StartTimestamp":"2020-01-01"}`, "InvalidArgumentException", 400},
		{"/getImages", `{"StreamName":"s","StartTimestamp":1e300}`, "InvalidArgumentException", 400},
		{"/getImages", `{"StreamName":"s","MaxResults":1.5}`, "InvalidArgumentException", 400},
		{"/getImages", `{"StreamName":"s","FormatConfig":[1]}`, "InvalidArgumentException", 400},
		{"/getImages", `{} {}`, "InvalidArgumentException", 400},
		{"/getImages", big, "InvalidArgumentException", 400},
		{"/listFragments", `{"StreamName":"s","FragmentSelector":"x"}`, "InvalidArgumentException", 400},
		{"/getMediaForFragmentList", `{"StreamName":"s","Fragments":[]}`, "InvalidArgumentException", 400},
		{"/getMediaForFragmentList", `{"StreamName":"s","Fragments":["12a"]}`, "InvalidArgumentException", 400},
		{"/getMediaForFragmentList", `{"StreamName":"s","Fragments":["9100000000000000009"]}`, "ResourceNotFoundException", 404},
		{"/getClip", `{"StreamName":"s"}`, "InvalidArgumentException", 400},
		{"/getClip", `{"StreamName":"s","ClipFragmentSelector":{"FragmentSelectorType":"PRODUCER_TIMESTAMP","TimestampRange":{"StartTimestamp":0,"EndTimestamp":90000}}}`, "InvalidArgumentException", 400},
		{"/getClip", `{"StreamName":"s","ClipFragmentSelector":{"FragmentSelectorType":"PRODUCER_TIMESTAMP","TimestampRange":{"StartTimestamp":0,"EndTimestamp":60}}}`, "ResourceNotFoundException", 404},
		{"/nosuchOperation", `{}`, "UnknownOperationException", 404},
	} {
		code, typ, body := rawPost(t, ts.URL+c.path, c.body)
		var shape struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		err := json.Unmarshal(body, &shape)
		if code != c.status || typ != c.want || err != nil || shape.Type != c.want || shape.Message == "" {
			t.Errorf("POST %s %.60q: %d %s %s, want %d %s with {__type, message}", c.path, c.body, code, typ, body, c.status, c.want)
		}
	}
	// GET on an operation path.
	resp, err := http.Get(ts.URL + "/getImages")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 || resp.Header.Get("x-amzn-ErrorType") != "InvalidArgumentException" {
		t.Errorf("GET /getImages: %d %s", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"))
	}
}

// TestMetrics checks /metrics counts requests, errors and images.
func TestMetrics(t *testing.T) {
	ts := startServer(t, nil)
	rawPost(t, ts.URL+"/getImages", `{`)
	rawPost(t, ts.URL+"/listStreams", `{}`)
	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`stills_requests_total{op="GetImages",code="400"} 1`,
		`stills_requests_total{op="ListStreams",code="200"} 1`,
		`stills_errors_total{op="GetImages",type="InvalidArgumentException"} 1`,
		`stills_engine_seconds_count 0`,
	} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("metrics lack %q:\n%s", want, b)
		}
	}
}

// TestTokens: a sealed payload opens; altered, truncated or foreign-key
// tokens do not.
func TestTokens(t *testing.T) {
	a := HMACTokens{Key: []byte("key-a"), Domain: "GetImages"}
	b := HMACTokens{Key: []byte("key-b"), Domain: "GetImages"}
	c := HMACTokens{Key: []byte("key-a"), Domain: "ListFragments"}
	tok, err := a.Seal([]byte("position 7"))
	if err != nil {
		t.Fatal(err)
	}
	if p, err := a.Open(tok); err != nil || string(p) != "position 7" {
		t.Fatalf("Open(Seal(x)) = %q, %v", p, err)
	}
	if _, err := b.Open(tok); err == nil {
		t.Error("token opened with another key")
	}
	if _, err := c.Open(tok); err == nil {
		t.Error("token opened in another domain")
	}
	bs := []byte(tok)
	bs[2] ^= 1
	if _, err := a.Open(string(bs)); err == nil {
		t.Error("altered token opened")
	}
	if _, err := a.Open(tok[:8]); err == nil {
		t.Error("truncated token opened")
	}
}
