package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/stills/stills"
	"github.com/stills/stills/media"
	"github.com/stills/stills/store"
)

// Limits of the HTTP layer.
const (
	// MaxBodyBytes bounds a request body; the largest legitimate one is a
	// GetMediaForFragmentList of 1000 fragment numbers (about 130 kB).
	MaxBodyBytes = 1 << 20
	// DefaultPerStreamLimit is how many requests one stream serves at once
	// before answering ClientLimitExceededException.
	DefaultPerStreamLimit = 16
	// MaxHeaderBytes bounds the request headers.
	MaxHeaderBytes = 64 << 10
	// DefaultMaxInFlight bounds the operations served at once across all
	// streams before answering ClientLimitExceededException.
	DefaultMaxInFlight = 256
)

// ImageEngine answers GetImages over a media.Source; *stills.Engine is one.
type ImageEngine interface {
	GetImages(ctx context.Context, src media.Source, req *stills.Request) (*stills.Response, error)
}

// cacheStatser is an ImageEngine with an image cache (stills.Engine): its
// counters go to /metrics.
type cacheStatser interface {
	CacheStats() stills.CacheStats
}

// Config configures a Server.
type Config struct {
	Store  store.Store
	Engine ImageEngine
	// Credentials, when set, make every request need a valid SigV4 signature.
	Credentials *Credentials
	// PerStreamLimit bounds concurrent requests per stream (0: DefaultPerStreamLimit).
	PerStreamLimit int
	// MaxInFlight bounds concurrent operations overall (0: DefaultMaxInFlight).
	MaxInFlight int
	// EngineTimes, from Instrument, adds decode and encode time to /metrics.
	EngineTimes *EngineTimes
	// SpoolDir holds PutMedia bodies while they are stored ("": the
	// system temporary directory). The store's DATA/tmp keeps them on the
	// store's file system and is emptied when the store opens.
	SpoolDir string
	// Logger receives one structured line per request (nil: slog.Default()).
	Logger *slog.Logger
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Server is the archived-media HTTP handler.
type Server struct {
	cfg     Config
	log     *slog.Logger
	now     func() time.Time
	limit   streamLimiter
	global  chan struct{}
	metrics *metrics
	listTok HMACTokens
}

// New returns a Server.
func New(cfg Config) *Server {
	s := &Server{cfg: cfg, log: cfg.Logger, now: cfg.Now, metrics: newMetrics()}
	s.metrics.times = cfg.EngineTimes
	if c, ok := cfg.Engine.(cacheStatser); ok {
		s.metrics.cache = c.CacheStats
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	n := cfg.PerStreamLimit
	if n <= 0 {
		n = DefaultPerStreamLimit
	}
	s.limit = streamLimiter{max: n, n: map[string]int{}}
	g := cfg.MaxInFlight
	if g <= 0 {
		g = DefaultMaxInFlight
	}
	s.global = make(chan struct{}, g)
	s.listTok = HMACTokens{Key: cfg.Store.TokenKey(), Domain: "ListFragments"}
	return s
}

// HTTPServer returns an http.Server for s with the timeouts a public
// endpoint needs.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      10 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

type opFunc func(s *Server, w http.ResponseWriter, r *http.Request, body []byte) (stream string, err error)

var routes = map[string]struct {
	name string
	fn   opFunc
}{
	"/getImages":               {"GetImages", (*Server).getImages},
	"/listFragments":           {"ListFragments", (*Server).listFragments},
	"/getMediaForFragmentList": {"GetMediaForFragmentList", (*Server).getMediaForFragmentList},
	"/getClip":                 {"GetClip", (*Server).getClip},
	"/getDataEndpoint":         {"GetDataEndpoint", (*Server).getDataEndpoint},
	"/createStream":            {"CreateStream", (*Server).createStream},
	"/describeStream":          {"DescribeStream", (*Server).describeStream},
	"/listStreams":             {"ListStreams", (*Server).listStreams},
	"/deleteStream":            {"DeleteStream", (*Server).deleteStream},
}

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status  int
	bytes   int64
	errTyp  string
	aborted bool
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		w.errTyp = w.Header().Get("x-amzn-ErrorType")
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// ServeHTTP routes a request, after authentication and body limits.
func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	start := s.now()
	w := &statusWriter{ResponseWriter: rw}
	reqID := newRequestID()
	w.Header().Set("x-amzn-RequestId", reqID)
	op := "unknown"
	stream := ""
	defer func() {
		if w.aborted {
			defer panic(http.ErrAbortHandler)
		}
		if p := recover(); p != nil {
			// A bug, not an input problem: answer 500 and log it, but keep serving.
			s.log.Error("panic serving request", "op", op, "panic", fmt.Sprint(p))
			if w.status == 0 {
				writeError(w, apiErr(errInternal, "internal error"))
			}
		}
		d := s.now().Sub(start)
		s.metrics.request(op, w.status, w.errTyp, d)
		s.log.Info("request", "id", reqID, "op", op, "method", r.Method, "path", r.URL.Path, "stream", stream,
			"status", w.status, "error", w.errTyp, "bytes", w.bytes, "ms", float64(d.Microseconds())/1000, "remote", r.RemoteAddr)
	}()
	if r.URL.Path == "/metrics" && r.Method == http.MethodGet {
		op = "Metrics"
		s.metrics.write(w)
		return
	}
	if r.URL.Path == "/healthz" && r.Method == http.MethodGet {
		op = "Health"
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "ok\n")
		return
	}
	if r.URL.Path == "/putMedia" {
		op = "PutMedia"
		select {
		case s.global <- struct{}{}:
			defer func() { <-s.global }()
		default:
			writeError(w, apiErr(errClientLimit, "the server is serving %d requests at once; retry later", cap(s.global)))
			return
		}
		// PutMedia streams its body to disk and checks the signature itself.
		var err error
		if stream, err = s.putMedia(w, r); err != nil && w.status == 0 {
			writeError(w, toAPIError(err))
		}
		return
	}
	rt, ok := routes[r.URL.Path]
	if !ok {
		writeError(w, apiErr(errUnknownOperation, "no operation at %s %s", r.Method, r.URL.Path))
		return
	}
	op = rt.name
	select {
	case s.global <- struct{}{}:
		defer func() { <-s.global }()
	default:
		writeError(w, apiErr(errClientLimit, "the server is serving %d requests at once; retry later", cap(s.global)))
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, invalidArg("%s takes POST, not %s", r.URL.Path, r.Method))
		return
	}
	if r.ContentLength > MaxBodyBytes {
		writeError(w, invalidArg("request body of %d bytes exceeds the limit of %d", r.ContentLength, MaxBodyBytes))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		writeError(w, invalidArg("reading the request body: %v", err))
		return
	}
	if len(body) > MaxBodyBytes {
		writeError(w, invalidArg("request body exceeds the limit of %d bytes", MaxBodyBytes))
		return
	}
	if s.cfg.Credentials != nil {
		if e := verifySigV4(r, body, s.cfg.Credentials, s.now()); e != nil {
			writeError(w, e)
			return
		}
	}
	stream, err = rt.fn(s, w, r, body)
	if err != nil {
		if w.status != 0 {
			// The answer had started (a media stream); all we can do is
			// cut the connection so the client sees a truncated body.
			s.log.Error("failed after the response started", "op", op, "err", err)
			w.aborted = true
			return
		}
		writeError(w, toAPIError(err))
	}
}

// newRequestID returns a random id for the x-amzn-RequestId header and logs.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// writeJSON answers v with 200.
func writeJSON(w http.ResponseWriter, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b)
	if err != nil {
		return nil // the client went away; nothing to answer
	}
	return nil
}

// decodeBody parses a JSON object body into v. Wrong JSON types and malformed
// JSON are InvalidArgumentException; unknown fields are ignored, as AWS does.
func decodeBody(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	if body[0] != '{' {
		return invalidArg("the request body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return invalidArg("field %s has the wrong type: got JSON %s, want %s", te.Field, te.Value, jsonTypeName(te.Type.String()))
		}
		var ae *apiError
		if errors.As(err, &ae) {
			return ae
		}
		return invalidArg("malformed JSON body: %v", err)
	}
	if dec.More() {
		return invalidArg("malformed JSON body: data after the object")
	}
	var rest json.RawMessage
	if err := dec.Decode(&rest); err != io.EOF {
		return invalidArg("malformed JSON body: data after the object")
	}
	return nil
}

func jsonTypeName(goType string) string {
	switch goType {
	case "int64", "*int64", "int", "*int":
		return "an integer"
	case "string", "*string":
		return "a string"
	}
	return goType
}

// epoch is a timestamp field: epoch seconds as a JSON number, fractions kept
// to the millisecond (SPEC §1).
type epoch struct {
	ms int64
}

// MaxEpochSeconds bounds accepted timestamps (year 5138), so that conversion
// to nanoseconds cannot overflow.
const MaxEpochSeconds = 1e11

func (t *epoch) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) == 0 || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return invalidArg("timestamps must be epoch seconds as a JSON number, got %s", clipStr(s))
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > MaxEpochSeconds {
		return invalidArg("timestamp %s must be epoch seconds from 0 to %.0f", clipStr(s), float64(MaxEpochSeconds))
	}
	t.ms = int64(math.Round(f * 1000))
	return nil
}

func (t epoch) time() time.Time { return time.UnixMilli(t.ms) }
func (t epoch) ns() int64       { return t.ms * int64(time.Millisecond) }

// outTime marshals as epoch seconds with millisecond precision.
type outTime int64 // ns

func (t outTime) MarshalJSON() ([]byte, error) {
	ms := int64(t) / int64(time.Millisecond)
	if int64(t) < 0 && int64(t)%int64(time.Millisecond) != 0 {
		ms--
	}
	return []byte(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)), nil
}

func clipStr(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// streamLimiter bounds concurrent requests per stream.
type streamLimiter struct {
	mu  sync.Mutex
	max int
	n   map[string]int
}

func (l *streamLimiter) acquire(stream string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n[stream] >= l.max {
		return false
	}
	l.n[stream]++
	return true
}

func (l *streamLimiter) release(stream string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n[stream]--; l.n[stream] <= 0 {
		delete(l.n, stream)
	}
}

// acquire takes a slot of stream or returns ClientLimitExceededException.
func (s *Server) acquire(stream string) (func(), error) {
	if !s.limit.acquire(stream) {
		return nil, apiErr(errClientLimit, "more than %d requests at once on stream %s; retry later", s.limit.max, stream)
	}
	return func() { s.limit.release(stream) }, nil
}
