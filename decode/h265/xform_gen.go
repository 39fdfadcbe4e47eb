//go:build ignore

// xform_gen prints the unrolled sparse inverse DCT functions of
// transform.go (accN*, colsN, rowsN, rowsN8 for N = 8, 16, 32) to standard
// output. To regenerate, replace the block from "// acc8w00 returns" to
// just before "// addClip returns" in transform.go with the output of
//
//	go run xform_gen.go | gofmt
//
// The layout is explained at the top of transform.go: the even half of an
// N-point output is EE ± EO (quarter-length sums over the columns k%4 = 0
// and k%4 = 2), the odd half O has its upper words stored lane-reversed
// (basXN), and every sum of four two-lane words or fewer is one call of a
// leaf function so that it stays in registers.
package main

import (
	"fmt"
	"strings"
)

type acc struct {
	name string
	n    int
	a, b int // words a..b-1
}

var (
	out  strings.Builder
	accs []acc
)

func w(format string, args ...any) { fmt.Fprintf(&out, format+"\n", args...) }

// accName registers and names the function summing words a..b-1 of basXN.
func accName(n, a, b int) string {
	name := fmt.Sprintf("acc%dw%d%d", n, a, b-1)
	if a == 0 && b == n/4 {
		name = fmt.Sprintf("acc%d", n)
	}
	for _, x := range accs {
		if x.name == name {
			return name
		}
	}
	accs = append(accs, acc{name, n, a, b})
	return name
}

var masks = map[int][3]string{ // EE, EO, O columns
	8:  {"0x11", "0x44", "0xaa"},
	16: {"0x1111", "0x4444", "0xaaaa"},
	32: {"0x11111111", "0x44444444", "0xaaaaaaaa"},
}

type plan struct {
	p, q   int // words per half, words of EE and EO
	oparts [][2]int
	eacc   string
	oaccs  []string
}

var plans = map[int]plan{}

func vars(prefix string, a, b int) string {
	var s []string
	for j := a; j < b; j++ {
		s = append(s, fmt.Sprintf("%s%d", prefix, j))
	}
	return strings.Join(s, ", ")
}

// body writes the sums and the butterflies of one vector; emit writes
// output index i from lane lo or hi of word v.
func body(n int, vec, m string, emit func(i int, v string, hi bool), rnd string) {
	pl := plans[n]
	h := n / 2
	w("\t\t%s := %s(%s, %s&%s)", vars("ee", 0, pl.q), pl.eacc, vec, m, masks[n][0])
	w("\t\t%s := %s(%s, %s&%s)", vars("eo", 0, pl.q), pl.eacc, vec, m, masks[n][1])
	for i, part := range pl.oparts {
		w("\t\t%s := %s(%s, %s&%s)", vars("o", part[0], part[1]), pl.oaccs[i], vec, m, masks[n][2])
	}
	for j := 0; j < pl.q; j++ {
		i := 2 * j
		decl := "="
		if j == 0 {
			decl = ":="
		}
		w("\t\te, er %s ee%d+eo%d+%s, ee%d-eo%d+%s", decl, j, j, rnd, j, j, rnd)
		w("\t\tp, q %s e+o%d, e-o%d", decl, j, j)
		emit(i, "p", false)
		emit(i+1, "p", true)
		emit(n-1-i, "q", false)
		emit(n-2-i, "q", true)
		w("\t\tp, q = er+o%d, er-o%d", pl.q+j, pl.q+j)
		emit(h-1-i, "p", false)
		emit(h-2-i, "p", true)
		emit(h+i, "q", false)
		emit(h+1+i, "q", true)
	}
}

func main() {
	for _, n := range []int{8, 16, 32} {
		p := n / 4
		q := p / 2
		oparts := [][2]int{{0, p}}
		if p > 4 {
			oparts = [][2]int{{0, 4}, {4, 8}}
		}
		pl := plan{p: p, q: q, oparts: oparts, eacc: accName(n, 0, q)}
		for _, part := range oparts {
			pl.oaccs = append(pl.oaccs, accName(n, part[0], part[1]))
		}
		plans[n] = pl
	}
	for _, a := range accs {
		w("")
		w("// %s returns words %d..%d of Σ v[k]·basX%d[k] over the k whose bits are", a.name, a.a, a.b-1, a.n)
		w("// set in m (at most four sums, kept in registers).")
		w("//")
		w("//go:noinline")
		w("func %s(v *[%d]int32, m uint32) (%s int64) {", a.name, a.n, vars("a", a.a, a.b))
		w("\tfor ; m != 0; m &= m - 1 {")
		w("\t\tk := bits.TrailingZeros32(m) & %d", a.n-1)
		w("\t\tc := int64(v[k])")
		w("\t\tb := &basX%d[k]", a.n)
		for j := a.a; j < a.b; j++ {
			w("\t\ta%d += c * b[%d]", j, j)
		}
		w("\t}")
		w("\treturn")
		w("}")
	}
	for _, n := range []int{8, 16, 32} {
		w("")
		w("// cols%d is the first stage of idctAdd for %d×%d blocks: the columns x", n, n, n)
		w("// in cols of the transposed levels coefT (column x at x·%d), whose levels", n)
		w("// lie in the rows of rows[x], into tmp (row-major, %d apart), clipped to", n)
		w("// 16 bits (eq. 8-321).")
		w("func cols%d(coefT, tmp *[32 * 32]int32, rows *[32]uint32, cols uint32) {", n)
		w("\tfor m := cols; m != 0; m &= m - 1 {")
		w("\t\tx := bits.TrailingZeros32(m) & %d", n-1)
		w("\t\tcol := (*[%d]int32)(coefT[x*%d:])", n, n)
		w("\t\tr := rows[x]")
		body(n, "col", "r", func(y int, v string, hi bool) {
			if hi {
				w("\t\ttmp[%d*%d+x] = clip16(int32(%s >> 39))", y, n, v)
			} else {
				w("\t\ttmp[%d*%d+x] = clip16((int32(%s) ^ -1<<31) >> 7)", y, n, v)
			}
		}, "rnd7")
		w("\t}")
		w("}")
		for _, eight := range []bool{false, true} {
			w("")
			var lo, hi, mx string
			if eight {
				w("// rows%d8 is rows%d for 8-bit samples (bdShift 12, maxV 255).", n, n)
				w("func rows%d8(tmp *[32 * 32]int32, cols uint32, pic []uint16, stride int) {", n)
				w("\tconst rnd = 1<<11 + 1<<11<<32 + 1<<31 // 2³¹ splits the lanes")
				lo, hi, mx = "(int32(%s)^-1<<31)>>12", "int32(%s>>44)", "255"
			} else {
				w("// rows%d is the second stage of idctAdd for %d×%d blocks: every row of tmp", n, n, n)
				w("// (non-zero in the columns of cols only), added to the prediction.")
				w("func rows%d(tmp *[32 * 32]int32, cols uint32, pic []uint16, stride int, bdShift uint, maxV int32) {", n)
				w("\tsh := bdShift & 31")
				w("\tsh2 := sh + 32")
				w("\trnd := pack(1<<(sh-1), 1<<(sh-1)) + 1<<31 // 2³¹ splits the lanes")
				lo, hi, mx = "(int32(%s)^-1<<31)>>sh", "int32(%s>>sh2)", "maxV"
			}
			w("\tfor y := 0; y < %d; y++ {", n)
			w("\t\trow := (*[%d]int32)(tmp[y*%d:])", n, n)
			w("\t\tout := (*[%d]uint16)(pic[y*stride:])", n)
			body(n, "row", "cols", func(x int, v string, isHi bool) {
				f := lo
				if isHi {
					f = hi
				}
				w("\t\tout[%d] = addClip(out[%d], %s, %s)", x, x, fmt.Sprintf(f, v), mx)
			}, "rnd")
			w("\t}")
			w("}")
		}
	}
	fmt.Print(strings.TrimPrefix(out.String(), "\n"))
}
