package annexb

import (
	"path/filepath"
	"testing"

	"github.com/stills/stills/decode"
)

// TestH265CorpusAgainstFFprobe checks the access units of the H.265 decoder's
// x265 corpus (decode/h265/testdata: CTU sizes, slices, WPP, CRA, Main 10...)
// against ffprobe.
func TestH265CorpusAgainstFFprobe(t *testing.T) {
	files, _ := filepath.Glob("../decode/h265/testdata/*.hevc")
	if len(files) == 0 {
		t.Skip("SKIP: no ../decode/h265/testdata/*.hevc in this checkout")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { checkAgainstFFprobe(t, f, decode.H265) })
	}
}
