package mkv

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/at-wat/ebml-go"
	"github.com/at-wat/ebml-go/webm"

	"github.com/stills/stills/internal/testtool"
	"github.com/stills/stills/media"
)

// The benchmark input: 60 s of 1080p30 in GetMedia layout (one Segment per
// 2 s fragment with Kinesis tags), 1800 SimpleBlocks, a 150 KB keyframe and
// 25 KB P frames (about a 7 Mbit/s stream). Payloads are filler: only the
// structure matters to a demuxer.
var (
	benchOnce sync.Once
	benchPath string
	benchSize int64
)

func benchFile(b *testing.B) string {
	benchOnce.Do(func() {
		var buf bytes.Buffer
		key, p := frame(0x65, 150_000), frame(0x41, 25_000)
		for f := 0; f < 30; f++ {
			blocks := make([][]byte, 0, 61)
			blocks = append(blocks, elUint(eidTimestamp, uint64(f*2000)))
			for i := 0; i < 60; i++ {
				flags, pl := byte(0), p
				if i == 0 {
					flags, pl = 0x80, key
				}
				blocks = append(blocks, simpleBlock(1, int16(i*33), flags, pl...))
			}
			ms := 1_700_000_000_000 + int64(f)*2000
			buf.Write(ebmlHeader("matroska"))
			buf.Write(elUnknown(eidSegment, info(1000000), tracks(trackEntry(1, 1, CodecIDH264, testAVCC, 33_333_333)),
				kvsTagsEl(fmt.Sprintf("913438523331814323926820626077439201461591%05d", f),
					fmt.Sprintf("%d.%03d", ms/1000+1, ms%1000), fmt.Sprintf("%d.%03d", ms/1000, ms%1000)),
				el(eidCluster, blocks...)))
		}
		dir, err := os.MkdirTemp("", "mkvbench")
		if err != nil {
			panic(err)
		}
		benchPath = filepath.Join(dir, "bench_1080p30_60s.mkv")
		benchSize = int64(buf.Len())
		if err := os.WriteFile(benchPath, buf.Bytes(), 0o644); err != nil {
			panic(err)
		}
	})
	return benchPath
}

// BenchmarkScan60s: Open and index the whole minute (a fresh Demuxer each
// time, reading through an *os.File).
func BenchmarkScan60s(b *testing.B) {
	p := benchFile(b)
	b.ReportAllocs()
	b.SetBytes(benchSize)
	for i := 0; i < b.N; i++ {
		d, err := OpenFile(p)
		if err != nil {
			b.Fatal(err)
		}
		idx, err := d.Scan(context.Background(), media.ProducerTime, math.MinInt64, math.MaxInt64)
		if err != nil || len(idx.Samples) != 1800 {
			b.Fatalf("%v, %d samples", err, len(idx.Samples))
		}
		d.Close()
	}
}

// BenchmarkScan60sPeerEbmlGo: the same file through ebml-go's reflective
// unmarshaller (it reads every payload), the library's own way to demux.
func BenchmarkScan60sPeerEbmlGo(b *testing.B) {
	p := benchFile(b)
	b.ReportAllocs()
	b.SetBytes(benchSize)
	for i := 0; i < b.N; i++ {
		f, err := os.Open(p)
		if err != nil {
			b.Fatal(err)
		}
		var doc struct {
			Segment []webm.Segment `ebml:"Segment"`
		}
		if err := ebml.Unmarshal(f, &doc); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}

// BenchmarkScan60sPeerFFprobe: ffprobe listing the packets of the same file.
func BenchmarkScan60sPeerFFprobe(b *testing.B) {
	p := benchFile(b)
	ffprobe := testtool.Need(b, "ffprobe")
	b.SetBytes(benchSize)
	for i := 0; i < b.N; i++ {
		if err := exec.Command(ffprobe, "-v", "quiet", "-show_entries", "packet=pts,flags,size,pos", "-of", "csv", p).Run(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadKeyframes: read the 30 keyframes of the minute into one
// reused buffer.
func BenchmarkReadKeyframes(b *testing.B) {
	p := benchFile(b)
	d, err := OpenFile(p)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	idx, err := d.Scan(context.Background(), media.ProducerTime, math.MinInt64, math.MaxInt64)
	if err != nil {
		b.Fatal(err)
	}
	var keys []media.Sample
	var n int64
	for _, s := range idx.Samples {
		if s.Keyframe {
			keys = append(keys, s)
			n += int64(s.Size)
		}
	}
	b.ReportAllocs()
	b.SetBytes(n)
	var buf []byte
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := range keys {
			if buf, err = d.ReadSample(context.Background(), &keys[k], buf); err != nil {
				b.Fatal(err)
			}
		}
	}
}
