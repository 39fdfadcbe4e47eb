package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stills/stills"
	"github.com/stills/stills/store"
)

var fuzzPaths = []string{"/getImages", "/listFragments", "/getMediaForFragmentList", "/getClip",
	"/getDataEndpoint", "/createStream", "/describeStream", "/listStreams", "/deleteStream", "/putMedia", "/nothing"}

// FuzzRequest feeds arbitrary JSON bodies and Authorization / X-Amz-Date
// headers to every operation. The server must never panic or answer 5xx,
// and every non-200 answer must be a 4xx with the AWS error shape.
func FuzzRequest(f *testing.F) {
	st, err := store.Open(f.TempDir(), store.Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer st.Close()
	if _, err := st.CreateStream(context.Background(), store.NewStream{Name: "s", RetentionHours: 1}); err != nil {
		f.Fatal(err)
	}
	eng := stills.New(stills.Options{Workers: 1, Tokens: HMACTokens{Key: st.TokenKey(), Domain: "GetImages"}})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	open := New(Config{Store: st, Engine: eng, Logger: log})
	authed := New(Config{Store: st, Engine: eng, Logger: log, Credentials: &Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret"}})

	for i, b := range []string{
		`{"StreamName":"s","ImageSelectorType":"PRODUCER_TIMESTAMP","StartTimestamp":1700000000,"EndTimestamp":1700000010,"Format":"JPEG"}`,
		`{"StreamName":"s","MaxResults":2,"FragmentSelector":{"FragmentSelectorType":"SERVER_TIMESTAMP","TimestampRange":{"StartTimestamp":0,"EndTimestamp":1}}}`,
		`{"StreamName":"s","Fragments":["9100000000000000001"]}`,
		`{"StreamName":"s","ClipFragmentSelector":{"FragmentSelectorType":"PRODUCER_TIMESTAMP","TimestampRange":{"StartTimestamp":0,"EndTimestamp":10}}}`,
		`{"StreamName":"s","APIName":"GET_IMAGES"}`,
		`{"StreamName":"new","DataRetentionInHours":1}`,
		`{"StreamARN":"arn:aws:kinesisvideo:us-east-1:000000000000:stream/s/1"}`,
		`{"MaxResults":1,"StreamNameCondition":{"ComparisonOperator":"BEGINS_WITH","ComparisonValue":"s"}}`,
		`{"StreamARN":"arn:aws:kinesisvideo:us-east-1:000000000000:stream/x/1","CurrentVersion":"1"}`,
		`{"NextToken":"AAAA"}`,
		`{`, `[]`, `null`, `{"StreamName":null}`, `{"StartTimestamp":-1e309}`,
	} {
		f.Add(uint8(i), []byte(b), "", "")
	}
	f.Add(uint8(0), []byte(`{}`), "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesisvideo/aws4_request, SignedHeaders=host;x-amz-date, Signature=00", "20260101T000000Z")
	f.Add(uint8(1), []byte(`{}`), "AWS4-HMAC-SHA256 Credential=/, SignedHeaders=;;;;, Signature=", "x")

	f.Fuzz(func(t *testing.T, op uint8, body []byte, auth, date string) {
		path := fuzzPaths[int(op)%len(fuzzPaths)]
		for _, s := range []*Server{open, authed} {
			req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(string(body)))
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			if date != "" {
				req.Header.Set("X-Amz-Date", date)
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			code := rec.Code
			if code >= 500 {
				t.Fatalf("%s %q: HTTP %d %s", path, body, code, rec.Body.String())
			}
			if code == 200 {
				if s == authed {
					t.Fatalf("%s: served without a valid signature (auth %q)", path, auth)
				}
				continue
			}
			var shape struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if code < 400 || json.Unmarshal(rec.Body.Bytes(), &shape) != nil || shape.Type == "" ||
				shape.Type != rec.Header().Get("x-amzn-ErrorType") || shape.Message == "" {
				t.Fatalf("%s %q: HTTP %d, body %q: not an AWS error answer", path, body, code, rec.Body.String())
			}
		}
	})
}

// FuzzTokens: opening arbitrary tokens and decoding arbitrary ListFragments
// token payloads never panics; a payload that decodes re-encodes to itself.
func FuzzTokens(f *testing.F) {
	h := HMACTokens{Key: []byte("k"), Domain: "ListFragments"}
	lt := listToken{stream: "s", sel: store.Selector{From: -5, To: 1 << 40}, cur: store.Cursor{Time: 7, Seq: 3}}
	good, _ := h.Seal(lt.marshal())
	f.Add(good, lt.marshal())
	f.Add("AAAA", []byte{1, 0, 0})
	f.Fuzz(func(t *testing.T, tok string, payload []byte) {
		if p, err := h.Open(tok); err == nil {
			if again, _ := h.Seal(p); again != tok {
				t.Fatalf("token %q opened but does not re-seal to itself", tok)
			}
		}
		var x listToken
		if x.unmarshal(payload) {
			var y listToken
			if !y.unmarshal(x.marshal()) || x != y {
				t.Fatalf("payload %x decodes to %+v which does not round-trip", payload, x)
			}
		}
	})
}
