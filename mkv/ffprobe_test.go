package mkv

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stills/stills/internal/testtool"
	"github.com/stills/stills/media"
)

// probePacket is one video packet as ffprobe reports it.
type probePacket struct {
	pts       int64 // in the stream time base
	key       bool
	size, pos int64
	md5       string // of the packet data, hex
}

// ffprobeVideo returns the first video stream's packets, time base (ns per
// unit) and extradata.
func ffprobeVideo(t *testing.T, path string) ([]probePacket, int64, []byte) {
	t.Helper()
	ffprobe := testtool.Need(t, "ffprobe")
	out, err := exec.Command(ffprobe, "-v", "error", "-select_streams", "v:0",
		"-show_entries", "packet=pts,flags,size,pos,data_hash", "-show_data_hash", "MD5", "-of", "csv=p=0", path).Output()
	if err != nil {
		t.Fatalf("ffprobe packets: %v", err)
	}
	var pk []probePacket
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, ",")
		if len(f) < 5 {
			continue
		}
		// Field order follows ffprobe's packet section: pts, size, pos, flags, data_hash.
		pts, _ := strconv.ParseInt(f[0], 10, 64)
		size, _ := strconv.ParseInt(f[1], 10, 64)
		pos, _ := strconv.ParseInt(f[2], 10, 64)
		pk = append(pk, probePacket{pts: pts, size: size, pos: pos, key: strings.Contains(f[3], "K"), md5: strings.TrimPrefix(f[4], "MD5:")})
	}
	out, err = exec.Command(ffprobe, "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=time_base", "-of", "csv=p=0", path).Output()
	if err != nil {
		t.Fatalf("ffprobe time_base: %v", err)
	}
	num, den, _ := strings.Cut(strings.TrimSpace(string(out)), "/")
	n, _ := strconv.ParseInt(num, 10, 64)
	dd, _ := strconv.ParseInt(den, 10, 64)
	if n <= 0 || dd <= 0 || 1_000_000_000%dd != 0 {
		t.Fatalf("unexpected time base %q", out)
	}
	tb := n * (1_000_000_000 / dd)
	out, err = exec.Command(ffprobe, "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=extradata", "-show_data", "-of", "default", path).Output()
	if err != nil {
		t.Fatalf("ffprobe extradata: %v", err)
	}
	var extra []byte
	for _, line := range strings.Split(string(out), "\n") {
		// "00000000: 0142 c028 ffe1 ...  .B.(...."
		_, rest, ok := strings.Cut(line, ": ")
		if !ok || len(line) < 10 || line[8] != ':' {
			continue
		}
		if len(rest) > 40 {
			rest = rest[:40]
		}
		b, err := hex.DecodeString(strings.ReplaceAll(strings.TrimSpace(rest), " ", ""))
		if err != nil {
			t.Fatalf("extradata line %q: %v", line, err)
		}
		extra = append(extra, b...)
	}
	return pk, tb, extra
}

// compareWithFFprobe checks the index of a whole file against ffprobe: frame
// count, sizes, keyframe flags, positions, times and codec private data.
// offset is subtracted from our producer times before comparing with pts.
func compareWithFFprobe(t *testing.T, path string, relative bool) *media.Index {
	t.Helper()
	pk, tb, extra := ffprobeVideo(t, path)
	d, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	idx := scanAll(t, d, media.ProducerTime)
	if len(idx.Samples) != len(pk) {
		t.Fatalf("%d samples, ffprobe reports %d packets", len(idx.Samples), len(pk))
	}
	if idx.Video < 0 {
		t.Fatal("no video track")
	}
	if cp := idx.Tracks[idx.Video].CodecPrivate; !bytes.Equal(cp, extra) {
		t.Errorf("CodecPrivate %x, ffprobe extradata %x", cp, extra)
	}
	var base int64
	if relative {
		base = idx.Samples[0].Producer - pk[0].pts*tb
	}
	for i, s := range idx.Samples {
		p := pk[i]
		if int64(s.Size) != p.size || s.Keyframe != p.key || s.Pos-4 != p.pos {
			t.Errorf("sample %d: size %d key %v payload at %d; ffprobe size %d key %v block data at %d (+4 header bytes)",
				i, s.Size, s.Keyframe, s.Pos, p.size, p.key, p.pos)
		}
		if s.Producer-base != p.pts*tb {
			t.Errorf("sample %d at %d ns, ffprobe pts %d × %d ns", i, s.Producer-base, p.pts, tb)
		}
		payload, err := d.ReadSample(context.Background(), &idx.Samples[i], nil)
		if err != nil {
			t.Fatal(err)
		}
		if sum := fmt.Sprintf("%x", md5.Sum(payload)); sum != p.md5 {
			t.Errorf("sample %d payload MD5 %s, ffprobe %s", i, sum, p.md5)
		}
	}
	return idx
}

func TestKVSVectorsAgainstFFprobe(t *testing.T) {
	dir := filepath.Join(testtool.SharedDir(t), "vectors", "kvs")
	t.Run("output_get_media", func(t *testing.T) {
		// Producer tags step by 2.000 s like the cluster timestamps, so producer
		// times relative to the first frame equal ffprobe's pts.
		idx := compareWithFFprobe(t, filepath.Join(dir, "output_get_media.mkv"), true)
		if len(idx.Fragments) != 5 || idx.Fragments[0].Number != "91343852333181432392682062607743920146159169392" {
			t.Errorf("fragments %+v", idx.Fragments)
		}
		// Tag values as printed by ffprobe -show_format for the first fragment.
		if s := idx.Samples[0]; s.Producer != 1511852108_513_000_000 || s.Server != 1511852109_126_000_000 {
			t.Errorf("first sample at producer %d server %d", s.Producer, s.Server)
		}
	})
	t.Run("vogels_480", func(t *testing.T) {
		idx := compareWithFFprobe(t, filepath.Join(dir, "vogels_480.mkv"), false)
		if len(idx.Tracks) != 2 || idx.Video != 0 {
			t.Errorf("tracks %+v video %d", idx.Tracks, idx.Video)
		}
	})
}

// ffmpegMKV makes a small test file with ffmpeg into dir.
func ffmpegMKV(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	ffmpeg := testtool.Need(t, "ffmpeg")
	out := filepath.Join(dir, name)
	full := append([]string{"-v", "error", "-y"}, args...)
	full = append(full, out)
	if b, err := exec.Command(ffmpeg, full...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, b)
	}
	return out
}

func TestFFmpegFilesAgainstFFprobe(t *testing.T) {
	dir := t.TempDir()
	src := []string{"-f", "lavfi", "-i", "testsrc=size=96x64:rate=25:duration=2"}
	cases := []struct {
		name string
		args []string
	}{
		{"h264_bframes.mkv", append(src, "-c:v", "libx264", "-preset", "ultrafast", "-bf", "2", "-g", "12", "-x264-params", "b-adapt=0")},
		{"hevc.mkv", append(src, "-c:v", "libx265", "-preset", "ultrafast", "-g", "10", "-x265-params", "log-level=none")},
		{"h264_aac_small_clusters.mkv", append(append(src, "-f", "lavfi", "-i", "sine=duration=2"), "-c:v", "libx264", "-preset", "ultrafast", "-g", "8", "-c:a", "aac", "-cluster_time_limit", "300")},
		{"vp9.webm", append(src, "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-g", "10")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := ffmpegMKV(t, dir, c.name, c.args...)
			compareWithFFprobe(t, p, false)
		})
	}
	t.Run("piped_unknown_sizes.mkv", func(t *testing.T) {
		// Written to a pipe, ffmpeg cannot seek back: unknown-size Segment.
		ffmpeg := testtool.Need(t, "ffmpeg")
		cmd := exec.Command(ffmpeg, append(append([]string{"-v", "error"}, src...), "-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-f", "matroska", "pipe:1")...)
		b, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "piped.mkv")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		compareWithFFprobe(t, p, false)
	})
}

func TestCuesSeekReadsAboutTheRange(t *testing.T) {
	// 120 s at 5 fps, a keyframe (and a Cluster) every second, with Cues.
	dir := t.TempDir()
	p := ffmpegMKV(t, dir, "long.mkv", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5:duration=120",
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "5", "-cluster_time_limit", "1000")
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	d, err := OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if !d.cueMode {
		t.Fatalf("ffmpeg's file has Cues but the demuxer does not use them (%d cues)", len(d.cues))
	}
	before := d.w.nread
	from, to := int64(60e9), int64(62e9)
	idx, err := d.Scan(context.Background(), media.ProducerTime, from, to)
	if err != nil {
		t.Fatal(err)
	}
	read := d.w.nread - before
	// About 2 s of 120 s plus a neighbour Cluster each side and window slack.
	t.Logf("Scan of [60 s, 62 s] read %d of %d bytes", read, st.Size())
	if limit := st.Size() / 10; read > limit {
		t.Errorf("Scan of 2 s read %d bytes of a %d-byte file (limit %d)", read, st.Size(), limit)
	}
	// The same samples as a whole-file walk gives for those fragments.
	d2, err := OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	d2.cueMode = false
	full := scanAll(t, d2, media.ProducerTime)
	pos := map[int64]media.Sample{}
	for _, s := range full.Samples {
		pos[s.Pos] = s
	}
	covered := 0
	for _, s := range idx.Samples {
		f, ok := pos[s.Pos]
		if !ok || f.Producer != s.Producer || f.Keyframe != s.Keyframe || f.Size != s.Size {
			t.Fatalf("cue-scan sample %+v differs from the whole walk's %+v", s, f)
		}
		if s.Producer >= from && s.Producer <= to {
			covered++
		}
	}
	if covered != 11 { // 5 fps: 60.0, 60.2, ... 62.0
		t.Errorf("%d samples in [60 s, 62 s], want 11", covered)
	}
}

func TestFragmentsForIngest(t *testing.T) {
	p := filepath.Join(testtool.SharedDir(t), "vectors", "kvs", "output_get_media.mkv")
	d, err := OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	frs, samples, err := d.Fragments(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	// ffprobe: 300 frames at 30 fps in 5 GetMedia fragments of 2 s, one IDR each.
	if len(frs) != 5 || len(samples) != 300 {
		t.Fatalf("%d fragments, %d samples", len(frs), len(samples))
	}
	for i, f := range frs {
		if f.Samples != 60 || f.Keyframes != 1 || !f.KVSTags || f.Segment != i || len(f.Clusters) != 1 || f.TimecodeScale != 1e6 {
			t.Errorf("fragment %d: %+v", i, f)
		}
		c := f.Clusters[0]
		if !bytes.HasPrefix(raw[c.Pos:], []byte{0x1F, 0x43, 0xB6, 0x75}) {
			t.Errorf("fragment %d: cluster range %+v does not start with a Cluster ID", i, c)
		}
		// The range ends where the next element (trailing Tags; Cues in the
		// last segment of this file) begins.
		if end := c.Pos + c.Size; !bytes.HasPrefix(raw[end:], []byte{0x12, 0x54, 0xC3, 0x67}) && !bytes.HasPrefix(raw[end:], []byte{0x1C, 0x53, 0xBB, 0x6B}) {
			t.Errorf("fragment %d: cluster range %+v is followed by % x, not Tags or Cues", i, c, raw[end:end+4])
		}
		if s := samples[f.FirstSample]; !s.Keyframe || s.Producer != f.Producer || int(s.Fragment) != i {
			t.Errorf("fragment %d first sample %+v", i, s)
		}
	}
}
