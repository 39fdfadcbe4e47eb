package h264

import (
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/stills/stills/decode"
)

// TestDeblockRowsOrder checks the interleaved deblocking (deblock_rows.go)
// against deblocking the whole picture after decoding, and that the slices
// of a picture may come in any order (arbitrary slice order): the rows then
// complete out of order and must still be filtered top to bottom.
func TestDeblockRowsOrder(t *testing.T) {
	for _, name := range []string{"test_cif_I_CABAC_slice.264", "jm_1080p_allslice.264"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		d := NewDecoder()
		checked := 0
		for i, au := range SplitAccessUnits(annexBNALs(data)) {
			planes := func() [3][]uint16 {
				return [3][]uint16{slices.Clone(d.pic.y), slices.Clone(d.pic.cb), slices.Clone(d.pic.cr)}
			}
			if _, err := d.DecodeAccessUnit(au); err != nil {
				if errors.Is(err, decode.ErrNotIntra) || errors.Is(err, decode.ErrNoPicture) {
					continue
				}
				t.Fatalf("%s AU %d: %v", name, i, err)
			}
			inter := planes()

			skipLoopFilter = true
			_, err := d.DecodeAccessUnit(au)
			skipLoopFilter = false
			if err != nil {
				t.Fatalf("%s AU %d without filter: %v", name, i, err)
			}
			deblockPicture(&d.pic)
			after := planes()

			// The same access unit with its slice NAL units (types 1 and 5)
			// in reverse order.
			rev := slices.Clone(au)
			var idx []int
			for j, n := range rev {
				if len(n) > 0 && (n[0]&0x1f == 1 || n[0]&0x1f == 5) {
					idx = append(idx, j)
				}
			}
			for a, b := 0, len(idx)-1; a < b; a, b = a+1, b-1 {
				rev[idx[a]], rev[idx[b]] = rev[idx[b]], rev[idx[a]]
			}
			if _, err := d.DecodeAccessUnit(rev); err != nil {
				t.Fatalf("%s AU %d with slices reversed: %v", name, i, err)
			}
			reversed := planes()
			for c := range inter {
				if !slices.Equal(inter[c], after[c]) {
					t.Fatalf("%s AU %d plane %d: interleaved deblocking differs from deblocking afterwards", name, i, c)
				}
				if !slices.Equal(inter[c], reversed[c]) {
					t.Fatalf("%s AU %d plane %d: slices in reverse order decode differently", name, i, c)
				}
			}
			if len(idx) > 1 {
				checked++
			}
		}
		if checked == 0 {
			t.Errorf("%s: no intra picture with several slices", name)
		}
	}
}
