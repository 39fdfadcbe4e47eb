package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
)

// MaxTokenPayload bounds the payload inside a NextToken (the API allows
// tokens of up to 4096 characters, i.e. 3072 bytes of base64 data).
const MaxTokenPayload = 2048

// tokenMACLen is how many bytes of HMAC-SHA256 a token carries.
const tokenMACLen = 16

var errForeignToken = errors.New("the NextToken was not issued by this server (or was altered)")

// HMACTokens seals NextToken payloads as base64(payload || HMAC-SHA256(key,
// domain || payload)[:16]). It implements the engine's TokenCodec; the
// domain string keeps tokens of one operation from being replayed to another.
type HMACTokens struct {
	Key    []byte
	Domain string
}

func (h HMACTokens) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, h.Key)
	m.Write([]byte(h.Domain))
	m.Write([]byte{0})
	m.Write(payload)
	return m.Sum(nil)[:tokenMACLen]
}

// Seal returns the opaque token for payload.
func (h HMACTokens) Seal(payload []byte) (string, error) {
	if len(payload) > MaxTokenPayload {
		return "", errors.New("token payload too large")
	}
	b := append(append([]byte(nil), payload...), h.mac(payload)...)
	return base64.StdEncoding.EncodeToString(b), nil
}

// Open returns the payload of a token Seal made, or an error.
func (h HMACTokens) Open(token string) ([]byte, error) {
	// Strict decoding still skips CR and LF: refuse them too, so that a
	// token has exactly one spelling.
	if len(token) > 4096 || strings.ContainsAny(token, "\r\n") {
		return nil, errForeignToken
	}
	b, err := base64.StdEncoding.Strict().DecodeString(token)
	if err != nil || len(b) < tokenMACLen || len(b)-tokenMACLen > MaxTokenPayload {
		return nil, errForeignToken
	}
	payload, mac := b[:len(b)-tokenMACLen], b[len(b)-tokenMACLen:]
	if !hmac.Equal(mac, h.mac(payload)) {
		return nil, errForeignToken
	}
	return payload, nil
}
