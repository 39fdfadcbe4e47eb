package server

import (
	"net/http/httptest"
	"testing"
	"time"
)

// TestSigV4KnownAnswer checks the verifier against the worked example of
// the AWS General Reference ("Signature Version 4 signing process": IAM
// ListUsers, signature 5d672d79...).
func TestSigV4KnownAnswer(t *testing.T) {
	creds := &Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	now := time.Date(2015, 8, 30, 12, 40, 0, 0, time.UTC)
	mk := func(sig string) *apiError {
		r := httptest.NewRequest("GET", "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08", nil)
		r.Host = "iam.amazonaws.com"
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		r.Header.Set("X-Amz-Date", "20150830T123600Z")
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "+
			"SignedHeaders=content-type;host;x-amz-date, Signature="+sig)
		return verifySigV4(r, nil, creds, now)
	}
	if e := mk("5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"); e != nil {
		t.Fatalf("published example rejected: %v", e)
	}
	if e := mk("5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d8"); e == nil || e.Name != errNotAuthorized {
		t.Fatalf("altered signature: %v, want NotAuthorizedException", e)
	}
	now = now.Add(20 * time.Minute) // 24 min after X-Amz-Date: beyond MaxClockSkew
	if e := mk("5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"); e == nil || e.Name != errNotAuthorized {
		t.Fatalf("stale signature: %v, want NotAuthorizedException", e)
	}
}
