package stills

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// TokenCodec turns the engine's NextToken payload into the opaque token a
// client sees and back. The server plugs in a codec that authenticates the
// payload (an HMAC with a key of its own) so that a client cannot forge a
// position; the default codec only encodes it.
//
// Seal must return a string of 1 to MaxNextTokenLen characters of
// [a-zA-Z0-9+/] with up to two '=' at the end (the NextToken pattern of the
// API), such as standard base64. Open must reject any token Seal did not
// make with an error; the engine then answers InvalidArgumentException.
type TokenCodec interface {
	Seal(payload []byte) (string, error)
	Open(token string) ([]byte, error)
}

// Base64Tokens is the default TokenCodec: standard base64 of the payload
// (decoded strictly: one spelling per token),
// with no authentication. The payload still binds the token to the request
// parameters (a hash of them), so a token is refused for other parameters.
type Base64Tokens struct{}

func (Base64Tokens) Seal(payload []byte) (string, error) {
	return base64.StdEncoding.EncodeToString(payload), nil
}

func (Base64Tokens) Open(token string) ([]byte, error) {
	// Strict decoding still skips CR and LF: refuse them, so that a token
	// has exactly one spelling.
	if strings.ContainsAny(token, "\r\n") {
		return nil, errors.New("token is not canonical base64")
	}
	return base64.StdEncoding.Strict().DecodeString(token)
}

// tokenVersion is the first byte of the payload.
const tokenVersion = 1

// tokenHashLen is how many bytes of SHA-256 over the request parameters the
// payload carries.
const tokenHashLen = 16

var errBadToken = errors.New("not a NextToken issued for these request parameters")

// paramHash hashes every request parameter that fixes the list of sampling
// timestamps and the images: a token is only valid for the same request.
// MaxResults is left out (a client may change the page size while paging),
// and so is which of StreamName/StreamARN named the stream.
func (p *params) hash() [tokenHashLen]byte {
	h := sha256.New()
	var b []byte
	b = append(b, "stills.GetImages\x00"...)
	b = append(b, p.stream...)
	b = append(b, 0)
	b = strconv.AppendInt(b, int64(p.tl), 10)
	b = append(b, 0)
	b = strconv.AppendInt(b, p.start, 10)
	b = append(b, 0)
	b = strconv.AppendInt(b, p.end, 10)
	b = append(b, 0)
	b = strconv.AppendInt(b, p.interval, 10)
	b = append(b, 0)
	b = append(b, p.format...)
	b = append(b, 0)
	q := p.quality
	if p.format != JPEG {
		q = 0
	}
	b = strconv.AppendInt(b, int64(q), 10)
	b = append(b, 0)
	b = strconv.AppendInt(b, int64(p.width), 10)
	b = append(b, 0)
	b = strconv.AppendInt(b, int64(p.height), 10)
	h.Write(b)
	var out [tokenHashLen]byte
	copy(out[:], h.Sum(nil))
	return out
}

// makeToken seals position k (the index of the next sampling timestamp).
func (e *Engine) makeToken(p *params, k int64) (string, error) {
	payload := make([]byte, 0, 1+binary.MaxVarintLen64+tokenHashLen)
	payload = append(payload, tokenVersion)
	payload = binary.AppendUvarint(payload, uint64(k))
	hs := p.hash()
	payload = append(payload, hs[:]...)
	tok, err := e.tokens.Seal(payload)
	if err != nil {
		return "", err
	}
	if len(tok) > MaxNextTokenLen || !nextTokenRE.MatchString(tok) {
		return "", fmt.Errorf("the TokenCodec made a token the API cannot carry (%d characters; the pattern is [a-zA-Z0-9+/]+={0,2}, at most %d)", len(tok), MaxNextTokenLen)
	}
	return tok, nil
}

// openToken returns the position in a token made by makeToken for the same
// parameters, with n sampling timestamps in all.
func (e *Engine) openToken(p *params, tok string, n int64) (int64, error) {
	payload, err := e.tokens.Open(tok)
	if err != nil || len(payload) < 2 || payload[0] != tokenVersion {
		return 0, errBadToken
	}
	k, m := binary.Uvarint(payload[1:])
	if m <= 0 || len(payload) != 1+m+tokenHashLen {
		return 0, errBadToken
	}
	hs := p.hash()
	if string(payload[1+m:]) != string(hs[:]) {
		return 0, errBadToken
	}
	if k == 0 || k >= uint64(n) {
		return 0, errBadToken
	}
	return int64(k), nil
}
