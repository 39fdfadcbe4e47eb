package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLoad runs concurrent real HTTP clients against one server on loopback
// (GetImages of a random 1-3 s window scaled to 320 px, and ListFragments),
// then checks there was no 5xx and no goroutine leak. It is opt-in:
//
//	STILLS_LOADTEST=1 [STILLS_LOAD_CLIENTS=32] [STILLS_LOAD_SECONDS=30] go test -run TestLoad -v ./server/
//
// and logs requests/s, latency p50/p99 and the process's peak RSS.
func TestLoad(t *testing.T) {
	if os.Getenv("STILLS_LOADTEST") == "" || testing.Short() {
		t.Skip("load test is opt-in: set STILLS_LOADTEST=1")
	}
	clients := envInt("STILLS_LOAD_CLIENTS", 32)
	secs := envInt("STILLS_LOAD_SECONDS", 30)
	// The image cache as `stills serve` has it by default (64 MiB);
	// STILLS_LOAD_CACHE_MB=0 measures decoding every picture.
	defer func(old int64) { testImageCache = old }(testImageCache)
	testImageCache = 64 << 20
	if v, err := strconv.Atoi(os.Getenv("STILLS_LOAD_CACHE_MB")); err == nil && v >= 0 {
		testImageCache = int64(v) << 20
	}
	ts := startServer(t, func(c *Config) { c.PerStreamLimit = 2 * clients })
	ingestFile(t, ts.Store, "kvs", kvsPath(t), 24)
	runtime.GC()
	baseGoroutines := runtime.NumGoroutine()

	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	hc := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	deadline := time.Now().Add(time.Duration(secs) * time.Second)
	var (
		mu        sync.Mutex
		lat       []time.Duration
		codes     = map[int]int{}
		images    int
		transport int
	)
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, 7))
			for time.Now().Before(deadline) {
				var path, body string
				if r.IntN(10) == 0 {
					path, body = "/listFragments", `{"StreamName":"kvs","MaxResults":3}`
				} else {
					s := kvsStart + r.Float64()*7
					path = "/getImages"
					body = fmt.Sprintf(`{"StreamName":"kvs","ImageSelectorType":"PRODUCER_TIMESTAMP","StartTimestamp":%.3f,"EndTimestamp":%.3f,"SamplingInterval":1000,"Format":"JPEG","WidthPixels":320}`, s, s+1+float64(r.IntN(3)))
				}
				t0 := time.Now()
				resp, err := hc.Post(ts.URL+path, "application/json", strings.NewReader(body))
				if err != nil {
					mu.Lock()
					transport++
					mu.Unlock()
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				d := time.Since(t0)
				n := 0
				if path == "/getImages" && resp.StatusCode == 200 {
					var out struct {
						Images []struct{ ImageContent []byte }
					}
					json.Unmarshal(b, &out)
					for _, im := range out.Images {
						if len(im.ImageContent) > 0 {
							n++
						}
					}
				}
				mu.Lock()
				lat = append(lat, d)
				codes[resp.StatusCode]++
				images += n
				mu.Unlock()
			}
		}(uint64(c))
	}
	wg.Wait()
	tr.CloseIdleConnections()

	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) == 0 {
		t.Fatal("no request completed")
	}
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	t.Logf("load: %d clients x %d s: %d requests, %.1f req/s, %d images, p50 %v, p99 %v, max %v, status %v, transport errors %d, peak RSS %s",
		clients, secs, len(lat), float64(len(lat))/float64(secs), images, pct(0.50).Round(time.Millisecond), pct(0.99).Round(time.Millisecond),
		lat[len(lat)-1].Round(time.Millisecond), codes, transport, peakRSS())
	if et := ts.Srv.cfg.EngineTimes; et != nil {
		t.Logf("engine: %d pictures decoded in %.1f s (%.1f ms each), %d images encoded in %.1f s (%.1f ms each), CPU-seconds available %d",
			et.decodeN.Load(), float64(et.decodeNs.Load())/1e9, float64(et.decodeNs.Load())/1e6/float64(max(et.decodeN.Load(), 1)),
			et.encodeN.Load(), float64(et.encodeNs.Load())/1e9, float64(et.encodeNs.Load())/1e6/float64(max(et.encodeN.Load(), 1)),
			runtime.NumCPU()*secs)
	}
	if c, ok := ts.Srv.cfg.Engine.(cacheStatser); ok {
		st := c.CacheStats()
		t.Logf("image cache (%d MiB): %d hits, %d misses, %d images held in %d bytes",
			testImageCache>>20, st.Hits, st.Misses, st.Images, st.Bytes)
	}
	for code, n := range codes {
		if code >= 500 {
			t.Errorf("%d answers with HTTP %d", n, code)
		}
	}
	if transport > 0 {
		t.Errorf("%d requests failed at the transport level", transport)
	}
	// No goroutine leak: back to the baseline once connections are closed.
	var now int
	for i := 0; i < 50; i++ {
		runtime.GC()
		if now = runtime.NumGoroutine(); now <= baseGoroutines+2 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if now > baseGoroutines+2 {
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		t.Errorf("goroutines: %d before the load, %d after\n%s", baseGoroutines, now, bytes.TrimSpace(buf[:n]))
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// peakRSS is VmHWM from /proc/self/status (Linux).
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			return strings.Join(strings.Fields(l[6:]), " ")
		}
	}
	return "unknown"
}
