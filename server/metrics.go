package server

import (
	"fmt"
	"net/http"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/stills/stills"
)

// metrics are exported at GET /metrics in the Prometheus text format
// (version 0.0.4).
type metrics struct {
	mu        sync.Mutex
	requests  map[[2]string]uint64 // op, HTTP status
	errors    map[[2]string]uint64 // op, error type
	durSum    map[string]float64   // op → seconds
	durCount  map[string]uint64
	images    map[string]uint64 // "image", "NO_MEDIA", "MEDIA_ERROR"
	engineSum float64
	engineN   uint64
	start     time.Time
	times     *EngineTimes // nil when the engine is not instrumented
	cache     func() stills.CacheStats
}

func newMetrics() *metrics {
	return &metrics{
		requests: map[[2]string]uint64{},
		errors:   map[[2]string]uint64{},
		durSum:   map[string]float64{},
		durCount: map[string]uint64{},
		images:   map[string]uint64{},
		start:    time.Now(),
	}
}

func (m *metrics) request(op string, status int, errType string, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[[2]string{op, strconv.Itoa(status)}]++
	if errType != "" {
		m.errors[[2]string{op, errType}]++
	}
	m.durSum[op] += d.Seconds()
	m.durCount[op]++
}

func (m *metrics) image(errTag string) {
	if errTag == "" {
		errTag = "image"
	}
	m.mu.Lock()
	m.images[errTag]++
	m.mu.Unlock()
}

func (m *metrics) engine(d time.Duration) {
	m.mu.Lock()
	m.engineSum += d.Seconds()
	m.engineN++
	m.mu.Unlock()
}

func sortedKeys[K comparable, V any](mp map[K]V, less func(a, b K) bool) []K {
	ks := make([]K, 0, len(mp))
	for k := range mp {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return less(ks[i], ks[j]) })
	return ks
}

func pairLess(a, b [2]string) bool { return a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]) }

func (m *metrics) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	m.mu.Lock()
	defer m.mu.Unlock()
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("# HELP stills_requests_total HTTP requests by operation and status.\n# TYPE stills_requests_total counter\n")
	for _, k := range sortedKeys(m.requests, pairLess) {
		p("stills_requests_total{op=%q,code=%q} %d\n", k[0], k[1], m.requests[k])
	}
	p("# HELP stills_errors_total Error answers by operation and API error type.\n# TYPE stills_errors_total counter\n")
	for _, k := range sortedKeys(m.errors, pairLess) {
		p("stills_errors_total{op=%q,type=%q} %d\n", k[0], k[1], m.errors[k])
	}
	p("# HELP stills_request_duration_seconds Time to answer, by operation.\n# TYPE stills_request_duration_seconds summary\n")
	for _, k := range sortedKeys(m.durSum, func(a, b string) bool { return a < b }) {
		p("stills_request_duration_seconds_sum{op=%q} %g\nstills_request_duration_seconds_count{op=%q} %d\n", k, m.durSum[k], k, m.durCount[k])
	}
	p("# HELP stills_images_total GetImages entries by result (image, NO_MEDIA, MEDIA_ERROR).\n# TYPE stills_images_total counter\n")
	for _, k := range sortedKeys(m.images, func(a, b string) bool { return a < b }) {
		p("stills_images_total{result=%q} %d\n", k, m.images[k])
	}
	p("# HELP stills_engine_seconds Time spent in the engine (scan, decode, scale, encode) per GetImages page.\n# TYPE stills_engine_seconds summary\n")
	p("stills_engine_seconds_sum %g\nstills_engine_seconds_count %d\n", m.engineSum, m.engineN)
	if et := m.times; et != nil {
		p("# HELP stills_decode_seconds Time decoding pictures (keyframes) in the engine.\n# TYPE stills_decode_seconds summary\n")
		p("stills_decode_seconds_sum %g\nstills_decode_seconds_count %d\n", float64(et.decodeNs.Load())/1e9, et.decodeN.Load())
		p("# HELP stills_encode_seconds Time scaling and encoding images in the engine.\n# TYPE stills_encode_seconds summary\n")
		p("stills_encode_seconds_sum %g\nstills_encode_seconds_count %d\n", float64(et.encodeNs.Load())/1e9, et.encodeN.Load())
	}
	if m.cache != nil {
		c := m.cache()
		p("# HELP stills_image_cache_requests_total Images looked up in the image cache, by result.\n# TYPE stills_image_cache_requests_total counter\n")
		p("stills_image_cache_requests_total{result=\"hit\"} %d\nstills_image_cache_requests_total{result=\"miss\"} %d\n", c.Hits, c.Misses)
		p("# HELP stills_image_cache_bytes Bytes of encoded images held by the image cache.\n# TYPE stills_image_cache_bytes gauge\nstills_image_cache_bytes %d\n", c.Bytes)
	}
	p("# HELP stills_goroutines Goroutines now.\n# TYPE stills_goroutines gauge\nstills_goroutines %d\n", runtime.NumGoroutine())
	p("# HELP stills_uptime_seconds Seconds since start.\n# TYPE stills_uptime_seconds gauge\nstills_uptime_seconds %g\n", time.Since(m.start).Seconds())
}
