package h265

import (
	"math/rand"
	"testing"
)

// TestIntraAvail checks the availability shortcuts of intra prediction
// (nearAvail, availIntra and its per-CTB cache) against the z-scan
// availability process avail (§6.4.1) on random slice and tile layouts,
// with the CTBs decoded in tile scan.
func TestIntraAvail(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for iter := 0; iter < 40; iter++ {
		log2Ctb := 4 + rng.Intn(3)
		w := 8 * (4 + rng.Intn(30))
		h := 8 * (4 + rng.Intn(20))
		ctb := 1 << log2Ctb
		s := &sps{width: w, height: h, bitDepthY: 8, bitDepthC: 8, log2Ctb: log2Ctb, ctbSize: ctb,
			picWCtb: (w + ctb - 1) / ctb, picHCtb: (h + ctb - 1) / ctb}
		pp := &pps{numTileCols: 1, numTileRows: 1, uniformSpacing: true}
		if s.picWCtb >= 3 && s.picHCtb >= 2 && rng.Intn(2) == 0 {
			pp.tiles = true
			pp.numTileCols, pp.numTileRows = 3, 2
		}
		var d Decoder
		p := &d.pic
		p.setup(s, pp)
		nCtb := s.picWCtb * s.picHCtb
		var hdrs []*sliceHeader
		for ts := 0; ts < nCtb; ts++ {
			rs := int(p.tsToRs[ts])
			if ts == 0 || rng.Intn(4) == 0 {
				hdrs = append(hdrs, &sliceHeader{sliceAddrRs: rs})
			}
			hdr := hdrs[len(hdrs)-1]
			p.ctbSlice[rs] = int32(hdr.sliceAddrRs)
			d.ss.hdr = hdr
			d.ss.ctbAddrRs = rs
			d.ss.xCtb, d.ss.yCtb = rs%s.picWCtb<<log2Ctb, rs/s.picWCtb<<log2Ctb
			for k := 0; k < 20; k++ {
				log2N := 2 + rng.Intn(log2Ctb-1)
				N := 1 << log2N
				x := d.ss.xCtb + rng.Intn(ctb/N)*N
				y := d.ss.yCtb + rng.Intn(ctb/N)*N
				if x >= w || y >= h {
					continue
				}
				l, tp, c := d.nearAvail(x, y)
				if l != d.avail(x, y, x-1, y) || tp != d.avail(x, y, x, y-1) || c != d.avail(x, y, x-1, y-1) {
					t.Fatalf("iter %d ctb %d block (%d,%d) size %d: nearAvail %v %v %v, avail %v %v %v", iter, rs, x, y, N,
						l, tp, c, d.avail(x, y, x-1, y), d.avail(x, y, x, y-1), d.avail(x, y, x-1, y-1))
				}
				for j := 0; j < 8; j++ {
					// A reference sample location: p[-1][y] or p[x][-1]
					// for x, y = -1..2N-1.
					xN, yN := x-1, y-1+rng.Intn(2*N+1)
					if rng.Intn(2) == 0 {
						xN, yN = yN-y+x, y-1
					}
					if j == 0 {
						xN, yN = x-1, y+N
					} else if j == 1 {
						xN, yN = x+N, y-1
					}
					if got, want := d.availIntra(x, y, xN, yN), d.avail(x, y, xN, yN); got != want {
						t.Fatalf("iter %d ctb %d block (%d,%d) size %d: availIntra(%d,%d) = %v, avail %v", iter, rs, x, y, N, xN, yN, got, want)
					}
				}
			}
		}
	}
}

// TestCopyRows checks copyRows' per-size paths against a plain row copy on
// random samples and strides.
func TestCopyRows(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for _, n := range []int{4, 8, 16, 32, 64} {
		for iter := 0; iter < 50; iter++ {
			stride := n + rng.Intn(40)
			buf := make([]uint16, stride*(n-1)+n+rng.Intn(8))
			for i := range buf {
				buf[i] = uint16(rng.Uint32())
			}
			want := append([]uint16(nil), buf...)
			for y := 1; y < n; y++ {
				for x := 0; x < n; x++ {
					want[y*stride+x] = want[x]
				}
			}
			copyRows(buf, stride, n)
			for i := range buf {
				if buf[i] != want[i] {
					t.Fatalf("n=%d stride=%d: sample %d = %d, want %d", n, stride, i, buf[i], want[i])
				}
			}
		}
	}
}
