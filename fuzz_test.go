package stills

import (
	"context"
	"testing"
)

// FuzzNextToken feeds arbitrary NextTokens to GetImages: never a panic;
// either an InvalidArgumentException or a page that starts at a sampling
// timestamp after t_0 (only tokens this engine sealed are accepted).
func FuzzNextToken(f *testing.F) {
	e := fakeEngine(newFakeCodec(), 1)
	src := newFakeSource(0, 20000, 2000, 100, 0)
	r := validRequest()
	r.MaxResults = 3
	resp, err := e.GetImages(context.Background(), src, r)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(resp.NextToken)
	f.Add("AQUA")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==")
	f.Fuzz(func(t *testing.T, tok string) {
		q := *validRequest()
		q.MaxResults = 3
		q.NextToken = tok
		resp, err := e.GetImages(context.Background(), src, &q)
		if err != nil {
			if !isInvalid(err) {
				t.Fatalf("token %q: %v, want InvalidArgumentException", tok, err)
			}
			return
		}
		if tok != "" && (len(resp.Images) == 0 || !resp.Images[0].TimeStamp.After(q.StartTimestamp)) {
			t.Fatalf("token %q accepted but the page starts at t_0", tok)
		}
	})
}
