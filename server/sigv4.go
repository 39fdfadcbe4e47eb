package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Credentials are the access key pair requests must be signed with.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
}

// MaxClockSkew is how far a request's X-Amz-Date may be from the server's
// clock (AWS allows 15 minutes).
const MaxClockSkew = 15 * time.Minute

// MaxSignedHeaders bounds the SignedHeaders list of an Authorization header.
const MaxSignedHeaders = 64

const sigV4Algorithm = "AWS4-HMAC-SHA256"

// verifySigV4 checks the Authorization header of r against creds, following
// "Create a signed AWS API request" (AWS Signature Version 4, the four
// steps: canonical request, string to sign, signing key, signature). body
// is the request body already read. It returns nil when the signature is
// valid, else an error for the client.
func verifySigV4(r *http.Request, body []byte, creds *Credentials, now time.Time) *apiError {
	sum := sha256.Sum256(body)
	return verifySigV4Hash(r, hex.EncodeToString(sum[:]), creds, now)
}

// verifySigV4Hash is verifySigV4 for a body whose SHA-256 (hex) is bodyHash,
// for bodies streamed to disk rather than held in memory.
func verifySigV4Hash(r *http.Request, bodyHash string, creds *Credentials, now time.Time) *apiError {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return apiErr(errNotAuthorized, "the request is not signed; sign it with AWS Signature Version 4 using the server's credentials")
	}
	if !strings.HasPrefix(auth, sigV4Algorithm+" ") {
		return apiErr(errNotAuthorized, "unsupported Authorization scheme; only %s is accepted", sigV4Algorithm)
	}
	var credential, signedHeaders, signature string
	for _, part := range strings.Split(auth[len(sigV4Algorithm)+1:], ",") {
		part = strings.TrimSpace(part)
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		switch k {
		case "Credential":
			credential = v
		case "SignedHeaders":
			signedHeaders = v
		case "Signature":
			signature = v
		}
	}
	if credential == "" || signedHeaders == "" || signature == "" {
		return apiErr(errNotAuthorized, "the Authorization header lacks Credential, SignedHeaders or Signature")
	}
	// Credential = <key id>/<yyyymmdd>/<region>/<service>/aws4_request
	cp := strings.Split(credential, "/")
	if len(cp) != 5 || cp[4] != "aws4_request" {
		return apiErr(errNotAuthorized, "malformed Credential scope %q", credential)
	}
	if !hmac.Equal([]byte(cp[0]), []byte(creds.AccessKeyID)) {
		return apiErr(errNotAuthorized, "unknown access key id %q", cp[0])
	}
	amzDate := r.Header.Get("X-Amz-Date")
	t, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil {
		return apiErr(errNotAuthorized, "missing or malformed X-Amz-Date header %q", amzDate)
	}
	if d := now.Sub(t); d > MaxClockSkew || d < -MaxClockSkew {
		return apiErr(errNotAuthorized, "signature date %s is more than %v from the server's clock", amzDate, MaxClockSkew)
	}
	if cp[1] != amzDate[:8] {
		return apiErr(errNotAuthorized, "credential scope date %s does not match X-Amz-Date %s", cp[1], amzDate)
	}

	// Step 1: canonical request.
	names := strings.Split(signedHeaders, ";")
	if len(names) > MaxSignedHeaders {
		return apiErr(errNotAuthorized, "too many signed headers (%d, limit %d)", len(names), MaxSignedHeaders)
	}
	var cr strings.Builder
	cr.WriteString(r.Method)
	cr.WriteByte('\n')
	cr.WriteString(canonicalURI(r.URL))
	cr.WriteByte('\n')
	cr.WriteString(canonicalQuery(r.URL.Query()))
	cr.WriteByte('\n')
	for _, n := range names {
		cr.WriteString(n)
		cr.WriteByte(':')
		cr.WriteString(headerValue(r, n))
		cr.WriteByte('\n')
	}
	cr.WriteByte('\n')
	cr.WriteString(signedHeaders)
	cr.WriteByte('\n')
	payloadHash := r.Header.Get("X-Amz-Content-Sha256")
	if payloadHash != "UNSIGNED-PAYLOAD" {
		if payloadHash != "" && payloadHash != bodyHash {
			return apiErr(errNotAuthorized, "X-Amz-Content-Sha256 does not match the body")
		}
		payloadHash = bodyHash
	}
	cr.WriteString(payloadHash)
	want := signature4(cr.String(), amzDate, cp[1], cp[2], cp[3], creds.SecretAccessKey)
	if !hmac.Equal([]byte(want), []byte(signature)) {
		return apiErr(errNotAuthorized, "the request signature does not match; check the secret access key and the signing process")
	}
	return nil
}

// signature4 computes steps 2-4 of Signature Version 4: the string to sign
// from the canonical request, the derived signing key and the signature.
func signature4(canonicalRequest, amzDate, date, region, service, secret string) string {
	crHash := sha256.Sum256([]byte(canonicalRequest))
	scope := date + "/" + region + "/" + service + "/aws4_request"
	sts := sigV4Algorithm + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(crHash[:])
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	k = hmacSHA256(k, "aws4_request")
	return hex.EncodeToString(hmacSHA256(k, sts))
}

// SignV4 signs r (for `stills ingest --endpoint`) with Signature Version 4
// over the headers host, x-amz-content-sha256 and x-amz-date; bodyHash is
// the hex SHA-256 of the body r will send.
func SignV4(r *http.Request, bodyHash string, creds *Credentials, region, service string, now time.Time) {
	amzDate := now.UTC().Format("20060102T150405Z")
	r.Header.Set("X-Amz-Date", amzDate)
	r.Header.Set("X-Amz-Content-Sha256", bodyHash)
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	const signed = "host;x-amz-content-sha256;x-amz-date"
	cr := r.Method + "\n" + canonicalURI(r.URL) + "\n" + canonicalQuery(r.URL.Query()) + "\n" +
		"host:" + host + "\n" + "x-amz-content-sha256:" + bodyHash + "\n" + "x-amz-date:" + amzDate + "\n\n" +
		signed + "\n" + bodyHash
	sig := signature4(cr, amzDate, amzDate[:8], region, service, creds.SecretAccessKey)
	r.Header.Set("Authorization", sigV4Algorithm+" Credential="+creds.AccessKeyID+"/"+amzDate[:8]+"/"+region+"/"+service+
		"/aws4_request, SignedHeaders="+signed+", Signature="+sig)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// headerValue is a header's canonical value: values joined by commas, each
// trimmed with inner runs of spaces collapsed. Host and Content-Length live
// outside r.Header in Go's server.
func headerValue(r *http.Request, name string) string {
	switch name {
	case "host":
		return r.Host
	case "content-length":
		if v := r.Header.Get("Content-Length"); v != "" {
			return v
		}
		return strconv.FormatInt(r.ContentLength, 10)
	}
	vals := r.Header.Values(name)
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(out, ",")
}

// canonicalURI URI-encodes each path segment (non-S3 services encode the
// already-escaped path once more).
func canonicalURI(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		return "/"
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = awsEscape(s)
	}
	return strings.Join(segs, "/")
}

func canonicalQuery(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	var pairs []string
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, awsEscape(k)+"="+awsEscape(v))
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

// awsEscape percent-encodes everything but the RFC 3986 unreserved characters.
func awsEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
		}
	}
	return b.String()
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
