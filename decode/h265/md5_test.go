package h265

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"testing"

	"github.com/stills/stills/decode"
)

// frameMD5 hashes the cropped planes as ffmpeg's rawvideo muxer writes
// them: one byte per sample at 8 bits, little-endian 16-bit words above.
func frameMD5(f *decode.Frame) string {
	h := md5.New()
	f.WriteRawVideo(h)
	return hex.EncodeToString(h.Sum(nil))
}

// decodeFileMD5s decodes every access unit of an Annex B file and returns
// one "md5  WxH  pixfmt" line per intra picture, as intra-md5.sh prints.
func decodeFileMD5s(t testing.TB, data []byte) ([]string, error) {
	nals, ok := decode.SplitAnnexB(nil, data)
	if !ok {
		return nil, fmt.Errorf("too many NAL units")
	}
	d := NewDecoder()
	var out []string
	for _, au := range SplitAccessUnits(nals) {
		f, err := d.DecodeAccessUnit(au)
		if err == decode.ErrNotIntra || err == decode.ErrNoPicture {
			continue
		}
		if err != nil {
			return out, err
		}
		out = append(out, fmt.Sprintf("%s  %dx%d  %s", frameMD5(f), f.Width, f.Height, f.PixFmt()))
	}
	return out, nil
}

func TestFileEnv(t *testing.T) {
	fn := os.Getenv("H265_FILE")
	if fn == "" {
		t.Skip("set H265_FILE to decode one file")
	}
	data, err := os.ReadFile(fn)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := decodeFileMD5s(t, data)
	for _, l := range lines {
		fmt.Println(l)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func BenchmarkFileEnv(b *testing.B) {
	fn := os.Getenv("H265_FILE")
	if fn == "" {
		b.Skip("set H265_FILE")
	}
	data, err := os.ReadFile(fn)
	if err != nil {
		b.Fatal(err)
	}
	nals, _ := decode.SplitAnnexB(nil, data)
	aus := SplitAccessUnits(nals)
	d := NewDecoder()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, au := range aus {
			if _, err := d.DecodeAccessUnit(au); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*len(aus)), "ms/pic")
}
