package stills

import (
	"bytes"
	"context"
	"encoding/binary"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stills/stills/internal/testtool"
	"github.com/stills/stills/media"
	"github.com/stills/stills/mkv"
)

// Hostile input (SPEC §4): truncated files, elements claiming 2^56 bytes,
// clusters with no keyframe, zero-length blocks, a codec that is not
// H.264/H.265. Each must end, quickly and in bounded memory, with a clear
// error or NO_MEDIA/MEDIA_ERROR entries, never a panic.

// watchdog limits for one hostile input.
const (
	hostileTimeout  = 20 * time.Second
	hostileMaxAlloc = 256 << 20 // bytes allocated while answering
)

type hostileResult struct {
	images   []Image
	err      error
	panicked any
}

// extractAll opens b as Matroska and extracts one image per 500 ms over its
// whole media, under the watchdog.
func extractAll(t *testing.T, name string, b []byte) hostileResult {
	t.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	done := make(chan hostileResult, 1)
	ctx, cancel := context.WithTimeout(context.Background(), hostileTimeout)
	defer cancel()
	go func() {
		var r hostileResult
		defer func() {
			if p := recover(); p != nil {
				r.panicked = p
			}
			done <- r
		}()
		src, err := mkv.Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			r.err = err
			return
		}
		defer src.Close()
		first, last, ok, err := MediaRange(ctx, src, media.ProducerTime)
		if err != nil || !ok {
			r.err = err
			return
		}
		if last-first > int64(time.Hour) { // a hostile clock: sample the first hour only
			last = first + int64(time.Hour)
		}
		e := New(Options{})
		r.err = e.Extract(ctx, src, ExtractRequest{From: first - int64(time.Second), To: last + int64(time.Second), Interval: 500 * time.Millisecond},
			func(img Image) error { r.images = append(r.images, img); return nil })
	}()
	var r hostileResult
	select {
	case r = <-done:
	case <-time.After(hostileTimeout + 5*time.Second):
		t.Fatalf("%s: still running after %v", name, hostileTimeout)
	}
	runtime.ReadMemStats(&after)
	if r.panicked != nil {
		t.Fatalf("%s: panic: %v", name, r.panicked)
	}
	if a := after.TotalAlloc - before.TotalAlloc; a > hostileMaxAlloc {
		t.Errorf("%s: allocated %d MB", name, a>>20)
	}
	if r.err != nil && strings.TrimSpace(r.err.Error()) == "" {
		t.Errorf("%s: an error with no message", name)
	}
	for _, img := range r.images {
		if img.Error == MediaError && img.Detail == "" {
			t.Errorf("%s: MEDIA_ERROR at %v without a reason", name, img.TimeStamp)
		}
	}
	return r
}

func readSample(t *testing.T) []byte {
	b, err := os.ReadFile("testdata/sample.mkv")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ebml encodes one element with an 8-byte size.
func ebml(id uint32, payload []byte) []byte {
	var out []byte
	for s := 24; s >= 0; s -= 8 {
		if v := byte(id >> s); v != 0 || len(out) > 0 {
			out = append(out, v)
		}
	}
	var size [8]byte
	binary.BigEndian.PutUint64(size[:], uint64(len(payload)))
	size[0] = 0x01
	out = append(out, size[:]...)
	return append(out, payload...)
}

// header returns sample.mkv up to its first Cluster, with the Segment made
// of unknown size so that crafted clusters can follow.
func header(t *testing.T) []byte {
	b := readSample(t)
	seg := bytes.Index(b, []byte{0x18, 0x53, 0x80, 0x67})
	cl := bytes.Index(b, []byte{0x1F, 0x43, 0xB6, 0x75})
	if seg < 0 || cl < 0 || b[seg+4] != 0x01 {
		t.Fatalf("testdata/sample.mkv is not laid out as expected")
	}
	h := append([]byte(nil), b[:cl]...)
	copy(h[seg+4:], []byte{0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})
	return h
}

// simpleBlock makes a SimpleBlock of track 1 at timecode tc (ms).
func simpleBlock(tc int16, key bool, payload []byte) []byte {
	flags := byte(0)
	if key {
		flags = 0x80
	}
	b := []byte{0x81, byte(uint16(tc) >> 8), byte(tc), flags}
	return ebml(0xA3, append(b, payload...))
}

func cluster(tcMs uint64, children ...[]byte) []byte {
	var p []byte
	var tc [8]byte
	binary.BigEndian.PutUint64(tc[:], tcMs)
	p = append(p, ebml(0xE7, tc[:])...)
	for _, c := range children {
		p = append(p, c...)
	}
	return ebml(0x1F43B675, p)
}

func TestHostileTruncated(t *testing.T) {
	b := readSample(t)
	for _, n := range []int{0, 1, 4, 40, 45, 100, 630, 631, 640, 700, 5000, 81300, len(b) / 2, len(b) - 1} {
		r := extractAll(t, "truncated", b[:n])
		if r.err == nil && len(r.images) == 0 && n > 81300 {
			t.Errorf("cut at %d: no error and no image", n)
		}
	}
}

func TestHostileHugeSizes(t *testing.T) {
	h := header(t)
	// A Cluster claiming 2^56 − 2 bytes (the largest 8-byte EBML size).
	huge := []byte{0x1F, 0x43, 0xB6, 0x75, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE}
	huge = append(huge, ebml(0xE7, []byte{0})...)
	huge = append(huge, simpleBlock(0, true, []byte{0, 0, 0, 1, 0x65})...)
	extractAll(t, "cluster of 2^56 bytes", append(append([]byte(nil), h...), huge...))
	// A SimpleBlock claiming 2^56 − 2 bytes inside a normal cluster.
	sb := []byte{0xA3, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0x81, 0, 0, 0x80, 0, 0, 0, 1}
	c := cluster(0, sb)
	extractAll(t, "block of 2^56 bytes", append(append([]byte(nil), h...), c...))
	// A NAL length prefix claiming more than the block holds.
	c = cluster(0, simpleBlock(0, true, []byte{0xFF, 0xFF, 0xFF, 0xFF, 0x65, 0x88}))
	r := extractAll(t, "NAL longer than its block", append(append([]byte(nil), h...), c...))
	for _, img := range r.images {
		if img.Error == "" {
			t.Errorf("a bogus NAL unit gave an image")
		}
	}
}

func TestHostileNoKeyframe(t *testing.T) {
	h := header(t)
	var blocks [][]byte
	for i := 0; i < 60; i++ {
		blocks = append(blocks, simpleBlock(int16(i*33), false, []byte{0, 0, 0, 2, 0x41, 0x9a}))
	}
	r := extractAll(t, "cluster without keyframe", append(append([]byte(nil), h...), cluster(0, blocks...)...))
	if r.err != nil {
		t.Fatalf("a cluster without keyframe: %v, want MEDIA_ERROR entries", r.err)
	}
	media := 0
	for _, img := range r.images {
		switch img.Error {
		case "":
			t.Errorf("an image at %v from a cluster without keyframe", img.TimeStamp)
		case MediaError:
			media++
		}
	}
	if media == 0 {
		t.Errorf("no MEDIA_ERROR for the covered timestamps (%d entries)", len(r.images))
	}
}

func TestHostileZeroLengthBlocks(t *testing.T) {
	h := header(t)
	var blocks [][]byte
	for i := 0; i < 30; i++ {
		blocks = append(blocks, simpleBlock(int16(i*33), i%10 == 0, nil))
	}
	r := extractAll(t, "zero-length blocks", append(append([]byte(nil), h...), cluster(0, blocks...)...))
	for _, img := range r.images {
		if img.Error == "" {
			t.Errorf("an image at %v from empty blocks", img.TimeStamp)
		}
	}
}

func TestHostileBitFlips(t *testing.T) {
	b := readSample(t)
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 8; i++ {
		c := append([]byte(nil), b[:200000]...)
		for j := 0; j < 20; j++ {
			c[rng.Intn(len(c))] ^= byte(1 << rng.Intn(8))
		}
		extractAll(t, "bit flips", c)
	}
	// Garbage.
	g := make([]byte, 4096)
	rng.Read(g)
	extractAll(t, "garbage", g)
	extractAll(t, "EBML magic then garbage", append([]byte{0x1A, 0x45, 0xDF, 0xA3}, g...))
}

// SPEC §1: a codec that is not H.264/H.265 gives MEDIA_ERROR.
func TestHostileOtherCodec(t *testing.T) {
	ff := testtool.Need(t, "ffmpeg")
	path := filepath.Join(t.TempDir(), "mpeg4.mkv")
	cmd := exec.Command(ff, "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=128x96:rate=10:duration=2",
		"-c:v", "mpeg4", "-g", "10", path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := extractAll(t, "MPEG-4 Part 2", b)
	if r.err != nil {
		t.Fatalf("MPEG-4 Part 2 video: %v, want MEDIA_ERROR entries", r.err)
	}
	n := 0
	for _, img := range r.images {
		if img.Error == "" {
			t.Errorf("an image from MPEG-4 Part 2 video")
		}
		if img.Error == MediaError {
			n++
			if !strings.Contains(img.Detail, "not H.264 or H.265") {
				t.Errorf("MEDIA_ERROR reason %q does not name the codec problem", img.Detail)
			}
		}
	}
	if n == 0 {
		t.Errorf("no MEDIA_ERROR for MPEG-4 Part 2 video (%d entries)", len(r.images))
	}
}
