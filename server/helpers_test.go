package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stills/stills"
	"github.com/stills/stills/internal/testtool"
	"github.com/stills/stills/mkv"
	"github.com/stills/stills/store"
)

// The KVS GetMedia vector: 10 s of 640x360 H.264 in five 2 s fragments,
// producer timestamps from the KVS tags starting at 1511852108.513.
const (
	kvsVector   = "vectors/kvs/output_get_media.mkv"
	kvsStart    = 1511852108.513
	kvsFrags    = 5
	kvsDuration = 10.0
)

// testImageCache is the image cache of the engines startServer makes
// (TestLoad sets it from STILLS_LOAD_CACHE_MB; tests do not run in parallel).
var testImageCache int64 = 16 << 20

type testServer struct {
	URL   string
	Store *store.Disk
	Srv   *Server
	hs    *http.Server
}

// startServer runs a Server on a loopback port over a new store.
func startServer(t testing.TB, mod func(*Config)) *testServer {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{Region: "us-east-1", Account: "123456789012"})
	if err != nil {
		t.Fatal(err)
	}
	eo := stills.Options{Tokens: HMACTokens{Key: st.TokenKey(), Domain: "GetImages"}, ImageCacheBytes: testImageCache}
	times := Instrument(&eo)
	eng := stills.New(eo)
	cfg := Config{Store: st, Engine: eng, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), EngineTimes: times}
	if mod != nil {
		mod(&cfg)
	}
	s := New(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := s.HTTPServer("")
	go hs.Serve(ln)
	ts := &testServer{URL: "http://" + ln.Addr().String(), Store: st, Srv: s, hs: hs}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
		st.Close()
	})
	return ts
}

// ingestFile stores a Matroska file as stream name (created with retention).
func ingestFile(t testing.TB, st store.Store, name, path string, retention int) []store.Fragment {
	t.Helper()
	ctx := context.Background()
	if _, err := st.Stream(ctx, name, ""); err != nil {
		if _, err := st.CreateStream(ctx, store.NewStream{Name: name, RetentionHours: retention}); err != nil {
			t.Fatal(err)
		}
	}
	src, err := mkv.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var frags []store.Fragment
	if _, err := store.Ingest(ctx, st, name, src, store.IngestOptions{Start: time.Unix(1700000000, 0)}, func(f store.Fragment) { frags = append(frags, f) }); err != nil {
		t.Fatalf("ingest %s: %v", path, err)
	}
	return frags
}

func kvsPath(t testing.TB) string {
	return filepath.Join(testtool.SharedDir(t), kvsVector)
}

// needBoto3 skips (locally) or fails (CI) when python3 with boto3 is missing.
func needBoto3(t testing.TB) string {
	t.Helper()
	py := testtool.Need(t, "python3")
	if out, err := exec.Command(py, "-c", "import boto3").CombinedOutput(); err != nil {
		if testtool.Required() {
			t.Fatalf("python3 cannot import boto3 (CI installs python3-boto3): %v\n%s", err, out)
		}
		t.Skipf("SKIP: boto3 not importable; this client test did not run (CI installs it): %s", out)
	}
	return py
}

// clientEnv is the environment of a real AWS client talking to the test
// server only: dummy credentials and region, no config files, no metadata
// service.
func clientEnv(key, secret string) []string {
	var env []string
	for _, e := range os.Environ() {
		if strings.HasPrefix(e, "AWS_") {
			continue
		}
		env = append(env, e)
	}
	return append(env,
		"AWS_ACCESS_KEY_ID="+key,
		"AWS_SECRET_ACCESS_KEY="+secret,
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_MAX_ATTEMPTS=1",
		"AWS_RETRY_MODE=standard",
	)
}

// runPython runs a boto3 script whose last stdout line is JSON, decoded into out.
func runPython(t testing.TB, py, script string, env []string, out any) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "client.py")
	if err := os.WriteFile(f, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, f)
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("python client failed: %v\nstdout:\n%s\nstderr:\n%s", err, b, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), out); err != nil {
		t.Fatalf("python client output is not JSON: %v\n%s\nstderr:\n%s", err, b, stderr.String())
	}
}
