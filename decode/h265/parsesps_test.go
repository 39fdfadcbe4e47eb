package h265

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stills/stills/decode"
)

// TestParseSPSSize checks ParseSPS's cropped size on the first SPS of every
// conformance vector against the size of that vector's first intra picture in
// ffmpeg's intra-md5.txt.
func TestParseSPSSize(t *testing.T) {
	f, err := os.Open("testdata/intra-md5.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 || seen[fields[0]] {
			continue
		}
		seen[fields[0]] = true
		b, err := os.ReadFile("testdata/" + fields[0])
		if err != nil {
			t.Fatal(err)
		}
		nals, _ := decode.SplitAnnexB(nil, b)
		found := false
		for _, n := range nals {
			if len(n) > 0 && nalType(n) == nalSPS {
				info, err := ParseSPS(n)
				if err != nil {
					t.Errorf("%s: %v", fields[0], err)
				} else if got := fmt.Sprintf("%dx%d", info.Width, info.Height); got != fields[2] {
					t.Errorf("%s: ParseSPS size %s, ffmpeg's first picture %s", fields[0], got, fields[2])
				}
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s: no SPS", fields[0])
		}
	}
	if len(seen) < 10 {
		t.Fatalf("only %d vectors checked", len(seen))
	}
	if _, err := ParseSPS([]byte{0x42, 0x01}); err == nil {
		t.Error("ParseSPS accepted a bare NAL header")
	}
	if _, err := ParseSPS([]byte{0x44, 0x01, 0xc1, 0x72}); err == nil {
		t.Error("ParseSPS accepted a PPS")
	}
}
