package h265

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorpus decodes every stream of testdata (made by testdata/gen.sh with
// x265) and compares each intra picture with ffmpeg's MD5 recorded in
// testdata/intra-md5.txt.
func TestCorpus(t *testing.T) {
	want := map[string][]string{}
	var order []string
	// intra-md5.txt holds ffmpeg's MD5s; dec265-md5.txt libde265's for the
	// streams on which ffmpeg is known to deviate (see testdata/gen.sh).
	var lines []string
	for _, m := range []string{"testdata/intra-md5.txt", "testdata/dec265-md5.txt"} {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strings.Split(strings.TrimSpace(string(b)), "\n")...)
	}
	sc := bufio.NewScanner(strings.NewReader(strings.Join(lines, "\n")))
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("bad manifest line %q", sc.Text())
		}
		if _, seen := want[name]; !seen {
			order = append(order, name)
		}
		want[name] = append(want[name], rest)
	}
	if len(order) < 20 {
		t.Fatalf("manifest lists only %d streams", len(order))
	}
	for _, name := range order {
		t.Run(strings.TrimSuffix(name, ".hevc"), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodeFileMD5s(t, data)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			w := want[name]
			if len(got) != len(w) {
				t.Fatalf("decoded %d intra pictures, ffmpeg %d", len(got), len(w))
			}
			for i := range w {
				if got[i] != w[i] {
					t.Errorf("picture %d: got %s, ffmpeg %s", i, got[i], w[i])
				}
			}
		})
	}
}
