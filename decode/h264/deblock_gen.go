//go:build ignore

// deblock_gen writes deblock_swar_gen.go: the edge functions of the
// four-lines-at-a-time deblocking filter (deblock_swar.go, whose header
// comment explains the lane arithmetic). The sample filters are written out
// in each edge function rather than called (a call makes the compiler spill
// and reload every live value around it, which costs more than the filter
// of four lines), so the same filter text appears in many places; here each
// filter is written once (lumaBS4, lumaBS3, chromaBS4, chromaBS3) and the
// edge functions are put together from it and from the loads and stores of
// their layout. From decode/h264:
//
//	go run deblock_gen.go          # rewrites deblock_swar_gen.go (go generate)
//	go run deblock_gen.go -stdout  # prints it (TestDeblockGenUpToDate)
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"regexp"
	"strconv"
	"strings"
)

var out bytes.Buffer

// w writes one or more lines; gofmt fixes the indentation afterwards.
func w(format string, args ...any) { fmt.Fprintf(&out, format+"\n", args...) }

// A filter reads the words p3..q3 (those it needs) and k, the *dbkSW of
// the edge, and defines the words it writes (np2..nq2, those it changes).
// test is the filterSamplesFlag computation common to all of them; body
// runs when some lane passed it.
type filter struct {
	comment string
	body    string
}

const test = `f := dbkLT(p0, q0, k.ca) & dbkLT(p1, p0, k.cb) & dbkLT(q1, q0, k.cb) & swH // filterSamplesFlag (8-464)`

var (
	// Luma, bS 4: np2..nq2. The selects use byte masks (dbkExpand8): the
	// sums are shifted without clearing the bits that come down from the
	// lane above (bits 13..15), which the byte masks drop, and every
	// unselected word is a sample (bits 8..15 clear).
	lumaBS4 = filter{"// bS 4 (§8.7.2.4): p3..q3 in, np2..nq2 out.", `
fs := f & dbkLT(p0, q0, k.cs) // and |p0 - q0| < (alpha >> 2) + 2
fm := dbkExpand8(f)
pm := dbkExpand8(fs & dbkLT(p2, p0, k.cb)) // ap < beta: strong p side
qm := dbkExpand8(fs & dbkLT(q2, q0, k.cb))
// Otherwise p'0 = (2*p1 + p0 + q1 + 2) >> 2 (equation 8-479), q'0 alike.
np0 := (p1<<1 + p0 + q1 + 2*swL) >> 2
nq0 := (q1<<1 + q0 + p1 + 2*swL) >> 2
np1, np2 := p1, p2
{
	a := p1 + p0 + q0
	sp0 := (p2 + a<<1 + q1 + 4*swL) >> 3      // equation 8-473
	sp1 := (p2 + a + 2*swL) >> 2              // 8-474
	sp2 := ((p3+p2)<<1 + p2 + a + 4*swL) >> 3 // 8-475
	np0 ^= (np0 ^ sp0) & pm
	np1 ^= (np1 ^ sp1) & pm
	np2 ^= (np2 ^ sp2) & pm
}
nq1, nq2 := q1, q2
{
	a := q1 + q0 + p0
	sq0 := (q2 + a<<1 + p1 + 4*swL) >> 3      // 8-480
	sq1 := (q2 + a + 2*swL) >> 2              // 8-481
	sq2 := ((q3+q2)<<1 + q2 + a + 4*swL) >> 3 // 8-482
	nq0 ^= (nq0 ^ sq0) & qm
	nq1 ^= (nq1 ^ sq1) & qm
	nq2 ^= (nq2 ^ sq2) & qm
}
np0 = p0 ^ (p0^np0)&fm
nq0 = q0 ^ (q0^nq0)&fm`}

	// Luma, bS 3: np1..nq1. tC = tC0 + ap + aq (8-468) bounds delta as
	// k.lo0 - t .. k.hi0 + t around the bias 512.
	lumaBS3 = filter{"// bS 3 (§8.7.2.3, chromaStyleFilteringFlag 0): p2..q2 in, np1..nq1 out.", `
ap := f & dbkLT(p2, p0, k.cb) // ap < beta (and filtered), bit 15
aq := f & dbkLT(q2, q0, k.cb)
t := ap>>15 + aq>>15 // tC - tC0, equation 8-468
// delta = Clip3(-tC, tC, (((q0 - p0) << 2) + (p1 - q1) + 4) >> 3),
// biased by 512 (4096 before the shift).
d := (q0<<2 + p1 + (4096+4)*swL - p0<<2 - q1) >> 3 & swM13
d = clamp(d, k.lo0-t, k.hi0+t)
fm := dbkExpand8(f)
` + clip1 + `
np1, nq1 := p1, q1
{
	// p'1 = p1 + Clip3(-tC0, tC0, (p2 + ((p0 + q0 + 1) >> 1) - (p1 << 1)) >> 1)
	// when ap < beta (8-472), biased by 512; q'1 alike (8-477). The two
	// shifts are one: (2*p2 + p0 + q0 + 1 - 4*p1) >> 2.
	s := p0 + q0 + (2048+1)*swL
	{
		x := (p2<<1 + s - p1<<2) >> 2 & swM14
		x = clamp(x, k.lo0, k.hi0)
		np1 ^= (np1 ^ (p1 + x - 512*swL)) & dbkExpand8(ap)
	}
	{
		x := (q2<<1 + s - q1<<2) >> 2 & swM14
		x = clamp(x, k.lo0, k.hi0)
		nq1 ^= (nq1 ^ (q1 + x - 512*swL)) & dbkExpand8(aq)
	}
}`}

	// Chroma, bS 4: np0, nq0.
	chromaBS4 = filter{"// Chroma, bS 4: p'0 and q'0 of equations 8-479/8-486.", `
fm := dbkExpand8(f)
np0 := (p1<<1 + p0 + q1 + 2*swL) >> 2
nq0 := (q1<<1 + q0 + p1 + 2*swL) >> 2
np0 = p0 ^ (p0^np0)&fm
nq0 = q0 ^ (q0^nq0)&fm`}

	// Chroma, bS 3: np0, nq0.
	chromaBS3 = filter{"// Chroma, bS 3: §8.7.2.3 with tC = tC0 + 1, delta biased by 512.", `
fm := dbkExpand8(f)
d := (q0<<2 + p1 + (4096+4)*swL - p0<<2 - q1) >> 3 & swM13
d = clamp(d, k.loC, k.hiC)
` + clip1}
)

// clip1 computes np0 and nq0 from p0, q0, the biased delta d and the byte
// mask fm.
const clip1 = `// p'0 = Clip1(p0 + delta), q'0 = Clip1(q0 - delta) (8-470, 8-471); the
// lanes hold the results + 256, which need no clipping when all are in
// 256..511 (the byte mask fm then drops the 256).
ep, eq := p0+d-256*swL, q0+768*swL-d
if ((ep^0x100*swL)|(eq^0x100*swL))&(0xff00*swL) != 0 {
	ep, eq = dbkClip255(ep), dbkClip255(eq)
}
np0 := p0 ^ (p0^ep)&fm
nq0 := q0 ^ (q0^eq)&fm`

// inLoop writes filter fl in a loop over groups of four lines: a group
// none of whose lines is filtered is skipped.
func inLoop(fl filter) {
	w("%s", fl.comment)
	w("%s", test)
	w("if f == 0 {\ncontinue\n}")
	w("%s", expand(fl.body))
}

// clampRE matches v = clamp(v, lo, hi) in a filter body: the lane-wise
// clamp of lanes below 0x8000, which expand writes out (bit 15 of
// (v | 0x8000) - hi is set where v >= hi, and m<<1 - m>>15 makes a lane
// mask of it).
var clampRE = regexp.MustCompile(`(?m)^(\s*)(\w+) = clamp\(\w+, ([^,]+), ([^)]+)\)$`)

// expand writes out the clamps of a filter body: calls of small functions
// for min and max, inlined, leave a NOP each as their inline marks.
func expand(body string) string {
	body = strings.TrimPrefix(body, "\n")
	return clampRE.ReplaceAllString(body, `${1}{
${1}	hi, lo := $4, $3
${1}	m := ($2 | swH - hi) & swH // $2 >= hi: $2 = min($2, hi)
${1}	$2 ^= ($2 ^ hi) & (m<<1 - m>>15)
${1}	m = ($2 | swH - lo) & swH // $2 >= lo: $2 = max($2, lo)
${1}	$2 = lo ^ ($2^lo)&(m<<1 - m>>15)
${1}}`)
}

// nested writes filter fl and then what stores does, both only when some
// line of the group is filtered.
func nested(fl filter, stores func()) {
	nestedLoad(fl, func() {}, stores)
}

// nestedLoad is nested with load run first inside the if: the words that
// the filterSamplesFlag test does not read are loaded only for a group
// that has a line to filter.
func nestedLoad(fl filter, load, stores func()) {
	w("%s", fl.comment)
	w("%s", test)
	w("if f != 0 {")
	load()
	w("%s", expand(fl.body))
	stores()
	w("}")
}

var rows4 = []string{"r0", "r1", "r2", "r3"}

// rw is set while the body of a per-macroblock function is written: its
// rows are not sliced edge by edge but taken from the array rw of the
// macroblock's rows (sliced once, see rwRows). y is the index in rw (a
// constant or a variable) of the row of the horizontal edge being written,
// hs the column of rw that is the macroblock's column 0.
var rw struct {
	on bool
	y  string
	hs int
}

// rwRows defines rw, the rows -b..n-b-1 of the plane pl at the macroblock
// whose top-left sample is pl[off], each from column -b to n-b-1.
func rwRows(n, b int) {
	w("var rw [%d]*[%d]uint16 // rows -%d..%d, columns -%d..%d", n, n, b, n-b-1, b, n-b-1)
	w("for i := range rw {")
	w("o := off + (i-%d)*stride - %d", b, b)
	w("rw[i] = (*[%d]uint16)(pl[o : o+%d])", n, n)
	w("}")
}

// vLoop opens the loop over the groups of four rows of a vertical edge of
// n rows: a loop over o (the offset of q0 of the group's first row), or
// over g (the index in rw of that row) in a per-macroblock function.
func vLoop(n int) {
	if rw.on {
		w("for g := %d; g <= %d; g += 4 {", rw.hs, rw.hs+n-4)
		return
	}
	w("for o := off; o < off+%d*stride; o += 4 * stride {", n)
}

// rowPtrs defines the row arrays names[i] := (*[n]uint16)(pl[o+i*stride+lo : ...]).
func rowPtrs(names []string, o string, first, lo, n int) {
	if rw.on {
		// Rows of rw: of the group g for a vertical edge, else of the
		// edge row rw.y.
		for i, r := range names {
			if o == "o" {
				w("%s := rw[g%s]", r, off(i))
			} else if y, err := strconv.Atoi(rw.y); err == nil {
				w("%s := rw[%d]", r, y+first+i)
			} else {
				w("%s := rw[%s%s]", r, rw.y, off(first+i))
			}
		}
		return
	}
	for i, r := range names {
		row := o
		switch j := first + i; {
		case j == 1:
			row += "+stride"
		case j == -1:
			row += "-stride"
		case j != 0:
			row += fmt.Sprintf("%+d*stride", j)
		}
		w("%s := (*[%d]uint16)(pl[%s : %s])", r, n, row+off(lo), row+off(lo+n))
	}
}

func off(d int) string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf("%+d", d)
}

// ld4 is the word of samples x..x+3 of row r (x a constant), written out
// rather than as a call of a small function: the compiler merges the four
// loads into one either way, but an inlined call whose own instructions are
// merged away leaves a NOP behind as its inline mark. (The loops over
// groups of columns are unrolled: with x a loop variable, the compiler
// merges the loads only inside such a function.)
func ld4(r, x string) string {
	var a []string
	for i := 0; i < 4; i++ {
		s := fmt.Sprintf("uint64(%s[%s])", r, idx(x, i))
		if i > 0 {
			s += fmt.Sprintf("<<%d", 16*i)
		}
		a = append(a, s)
	}
	return strings.Join(a, " | ")
}

// st4 stores word v as samples x..x+3 of row r (see ld4).
func st4(r, x, v string) {
	w("%s[%s], %s[%s], %s[%s], %s[%s] = uint16(%s), uint16(%s>>16), uint16(%s>>32), uint16(%s>>48)",
		r, idx(x, 0), r, idx(x, 1), r, idx(x, 2), r, idx(x, 3), v, v, v, v)
}

// idx is the index x+i.
func idx(x string, i int) string {
	var n int
	fmt.Sscan(x, &n)
	return fmt.Sprint(n + i)
}

// ldTr defines the four words dst as the transposed 4x4 block at columns
// lo..lo+3 of the rows rows.
func ldTr(dst string, rows []string, lo int) {
	var a []string
	for _, r := range rows {
		a = append(a, ld4(r, fmt.Sprint(lo)))
	}
	w("%s := %s", dst, strings.Join(a, ", "))
	tr4(strings.Split(dst, ", "))
}

// tr4 transposes the 4x4 block of lanes whose rows are the words v in
// place: swaps of 16-bit lanes between rows 0, 1 and 2, 3, then of 32-bit
// halves between rows 0, 2 and 1, 3. It is written out rather than a
// function: an inlined call leaves inline marks, and in a function as
// large as dbkSWLumaMB8 the compiler stops inlining one that size.
func tr4(v []string) {
	w("{")
	for i, sw := range [4][2]int{{0, 1}, {2, 3}, {0, 2}, {1, 3}} {
		a, b := v[sw[0]], v[sw[1]]
		sh, m := "16", "0x0000_ffff_0000_ffff"
		if i >= 2 {
			sh, m = "32", "0x0000_0000_ffff_ffff"
		}
		op := "="
		if i == 0 {
			op = ":="
		}
		w("t %s (%s>>%s ^ %s) & %s", op, a, sh, b, m)
		w("%s ^= t", b)
		w("%s ^= t << %s", a, sh)
	}
	w("}")
}

// gather defines dst as column x of the rows rows, sample by sample.
func gather(dst string, rows []string, x int) {
	var a []string
	for i, r := range rows {
		s := fmt.Sprintf("uint64(%s[%d])", r, x)
		if i > 0 {
			s += fmt.Sprintf("<<%d", 16*i)
		}
		a = append(a, s)
	}
	w("%s := %s", dst, strings.Join(a, " | "))
}

// stTr transposes the words src back and stores them at columns lo..lo+3
// of the rows rows; op is := or =.
func stTr(src string, rows []string, lo int, op string) {
	w("a, b, c, d %s %s", op, src)
	tr4([]string{"a", "b", "c", "d"})
	for i, r := range rows {
		st4(r, fmt.Sprint(lo), "abcd"[i:i+1])
	}
}

// st2 stores np0 and nq0 at columns lo, lo+1 of the rows rows.
func st2(rows []string, lo int) {
	w("np0, nq0 = dbkZip(np0, nq0)")
	for i, r := range rows {
		v, sh := []string{"np0", "nq0"}[i&1], 32*(i>>1) // lines 0, 1, 2, 3: low np0, nq0, high np0, nq0
		w("%s[%d], %s[%d] = uint16(%s>>%d), uint16(%s>>%d)", r, lo, r, lo+1, v, sh, v, sh+16)
	}
}

// ldRows defines the words names as samples x..x+3 of the rows rows.
func ldRows(names, rows []string, x int) {
	if rw.on {
		x += rw.hs
	}
	for i := 0; i < len(names); i += 2 {
		w("%s, %s := %s, %s", names[i], names[i+1], ld4(rows[i], fmt.Sprint(x)), ld4(rows[i+1], fmt.Sprint(x)))
	}
}

// stRows stores the words vals as samples x..x+3 of the rows rows.
func stRows(vals, rows []string, x int) {
	if rw.on {
		x += rw.hs
	}
	for i, v := range vals {
		st4(rows[i], fmt.Sprint(x), v)
	}
}

// lumaH4 writes the body of dbkSWLumaH4.
func lumaH4() {
	r8 := []string{"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7"}
	rowPtrs(r8, "off", -4, 0, 16)
	for x := 0; x < 16; x += 4 {
		w("{")
		ldRows([]string{"p1", "p0", "q0", "q1"}, r8[2:6], x)
		nestedLoad(lumaBS4, func() { ldRows([]string{"p3", "p2", "q2", "q3"}, []string{"r0", "r1", "r6", "r7"}, x) },
			func() { stRows([]string{"np2", "np1", "np0", "nq0", "nq1", "nq2"}, r8[1:7], x) })
		w("}")
	}
}

// lumaH3 writes the body of dbkSWLumaH3.
func lumaH3() {
	r6 := []string{"r1", "r2", "r3", "r4", "r5", "r6"}
	rowPtrs(r6, "off", -3, 0, 16)
	for x := 0; x < 16; x += 4 {
		w("{")
		ldRows([]string{"p1", "p0", "q0", "q1"}, r6[1:5], x)
		nestedLoad(lumaBS3, func() { ldRows([]string{"p2", "q2"}, []string{"r1", "r6"}, x) },
			func() { stRows([]string{"np1", "np0", "nq0", "nq1"}, r6[1:5], x) })
		w("}")
	}
}

// lumaV8 writes the body of dbkSWLumaV8.
func lumaV8() {
	vLoop(16)
	rowPtrs(rows4, "o", 0, -4, 16)
	w("{\nk := kL")
	ldTr("p3, p2, p1, p0", rows4, 0)
	ldTr("q0, q1, q2, q3", rows4, 4)
	nested(lumaBS4, func() {
		stTr("p3, np2, np1, np0", rows4, 0, ":=")
		stTr("nq0, nq1, nq2, q3", rows4, 4, "=")
	})
	w("}\n{\nk := kI")
	ldTr("p1, p0, q0, q1", rows4, 10)
	gather("p2", rows4, 9)
	gather("q2", rows4, 14)
	nested(lumaBS3, func() { stTr("np1, np0, nq0, nq1", rows4, 10, ":=") })
	w("}\n}")
}

// lumaV16 writes the body of dbkSWLumaV16.
func lumaV16() {
	vLoop(16)
	rowPtrs(rows4, "o", 0, -4, 20)
	// Streamed: a block of four columns is loaded just before the first
	// edge that reads it and stored just after the last edge that writes
	// it, so that fewer words are live at once than if all five blocks
	// were transposed first.
	blk := func(x int) string { return fmt.Sprintf("c%d, c%d, c%d, c%d", x, x+1, x+2, x+3) }
	ldTr(blk(0), rows4, 0)
	ldTr(blk(4), rows4, 4)
	w("{\nk := kL")
	w("p3, p2, p1, p0, q0, q1, q2, q3 := c0, c1, c2, c3, c4, c5, c6, c7")
	nested(lumaBS4, func() { w("c1, c2, c3, c4, c5, c6 = np2, np1, np0, nq0, nq1, nq2") })
	w("}")
	w("var a, b, c, d uint64")
	stTr(blk(0), rows4, 0, "=")
	for x := 8; x < 20; x += 4 {
		ldTr(blk(x), rows4, x)
		w("{\nk := kI")
		w("p2, p1, p0, q0, q1, q2 := c%d, c%d, c%d, c%d, c%d, c%d", x-3, x-2, x-1, x, x+1, x+2)
		nested(lumaBS3, func() { w("c%d, c%d, c%d, c%d = np1, np0, nq0, nq1", x-2, x-1, x, x+1) })
		w("}")
		stTr(blk(x-4), rows4, x-4, "=")
	}
	stTr(blk(16), rows4, 16, "=")
	w("}")
}

// chromaV43 writes the body of dbkSWChromaV43.
func chromaV43() {
	vLoop(8)
	rowPtrs(rows4, "o", 0, -2, 8)
	w("{\nk := kL")
	ldTr("p1, p0, q0, q1", rows4, 0)
	nested(chromaBS4, func() { st2(rows4, 1) })
	w("}\n{\nk := kI")
	ldTr("p1, p0, q0, q1", rows4, 4)
	nested(chromaBS3, func() { st2(rows4, 5) })
	w("}\n}")
}

// chromaH43 writes the body of dbkSWChromaH43.
func chromaH43() {
	t4, m4 := []string{"t0", "t1", "t2", "t3"}, []string{"m0", "m1", "m2", "m3"}
	rowPtrs(t4, "off", -2, 0, 8)
	rowPtrs(m4, "off", 2, 0, 8)
	for x := 0; x < 8; x += 4 {
		w("{\nk := kT")
		ldRows([]string{"p1", "p0", "q0", "q1"}, t4, x)
		nested(chromaBS4, func() { stRows([]string{"np0", "nq0"}, t4[1:3], x) })
		w("}\n{\nk := kI")
		ldRows([]string{"p1", "p0", "q0", "q1"}, m4, x)
		nested(chromaBS3, func() { stRows([]string{"np0", "nq0"}, m4[1:3], x) })
		w("}")
	}
}

func main() {
	stdout := flag.Bool("stdout", false, "print the file instead of writing deblock_swar_gen.go")
	flag.Parse()

	w("// Code generated by deblock_gen.go; DO NOT EDIT.")
	w("")
	w("package h264")
	w("")
	w(`// The edge functions of deblock_swar.go. The sample filters are written
// out in each of them rather than called: a call would make the compiler
// spill and reload every live value around it, which costs more than the
// filter of four lines. deblock_gen.go writes each filter once (bS 4 luma,
// bS 3 luma, bS 4 chroma, bS 3 chroma) and this file from it;
// TestDeblockSWARMatchesGeneric checks every function. Past the
// filterSamplesFlag test of a group of four lines (skipped as a whole when
// no line is filtered) the filters have no data-dependent branch but the
// rare Clip1 one: the strong-filter and ap/aq cases are selected by lane
// masks, which is faster on real pictures than branches that mispredict.
//
// Edges that touch disjoint samples are filtered in one pass (the two
// vertical edges of a transform_size_8x8_flag macroblock, the two vertical
// or horizontal edges of a chroma block), which loads each row or column
// group once; the four vertical edges of a 4x4-transform macroblock share
// one transposition per group of rows. When the left, internal and top
// edges of a macroblock are all filtered (nearly always), dbkSWLumaMB8 or
// dbkSWLumaMB4 and dbkSWChromaMB do all of its luma and chroma edges in
// one call each. Loads, stores and transpositions are written out rather
// than calls of small functions, and the groups of columns of a horizontal
// edge are unrolled: see deblock_gen.go.`)
	w("")

	// Luma, vertical, bS 4.
	w(`// dbkSWLumaV4 filters a vertical luma edge with bS 4 over the 16 rows of
// a macroblock; pl[off] is q0 of row 0. Four rows at a time, p3..p0 and
// q0..q3 of each row are loaded as two words and transposed so that a word
// holds one column of the four rows; what changed is transposed back and
// stored.
func dbkSWLumaV4(pl []uint16, off, stride int, k *dbkSW) {
for o := off; o < off+16*stride; o += 4 * stride {`)
	rowPtrs(rows4, "o", 0, -4, 8)
	ldTr("p3, p2, p1, p0", rows4, 0)
	ldTr("q0, q1, q2, q3", rows4, 4)
	inLoop(lumaBS4)
	stTr("p3, np2, np1, np0", rows4, 0, ":=")
	stTr("nq0, nq1, nq2, q3", rows4, 4, "=")
	w("}\n}\n")

	w(`// dbkSWLumaV3 is dbkSWLumaV4 for bS 3. Only p2..q2 are read and p1..q1
// written: p1 p0 q0 q1 of four rows are one transposed 4x4 block, p2 and q2
// are gathered sample by sample.
func dbkSWLumaV3(pl []uint16, off, stride int, k *dbkSW) {
for o := off; o < off+16*stride; o += 4 * stride {`)
	rowPtrs(rows4, "o", 0, -3, 6)
	ldTr("p1, p0, q0, q1", rows4, 1)
	gather("p2", rows4, 0)
	gather("q2", rows4, 5)
	inLoop(lumaBS3)
	stTr("np1, np0, nq0, nq1", rows4, 1, ":=")
	w("}\n}\n")

	w(`// dbkSWLumaH4 filters the 16 columns of a horizontal luma edge with bS 4
// whose q0 of column 0 is pl[off], four columns at a time.
func dbkSWLumaH4(pl []uint16, off, stride int, k *dbkSW) {`)
	lumaH4()
	w("}\n")

	w(`// dbkSWLumaH3 is dbkSWLumaH4 for bS 3.
func dbkSWLumaH3(pl []uint16, off, stride int, k *dbkSW) {`)
	lumaH3()
	w("}\n")

	s4 := []string{"s0", "s1", "s2", "s3"}
	for _, c := range []struct {
		bs string
		fl filter
	}{{"4", chromaBS4}, {"3", chromaBS3}} {
		w(`// dbkSWChromaV%s filters a vertical chroma edge with bS %s over the 8 rows
// of a 4:2:0 macroblock; pl[off] is q0 of row 0. p1 p0 q0 q1 of four rows
// are one transposed 4x4 block.
func dbkSWChromaV%s(pl []uint16, off, stride int, k *dbkSW) {
for o := off; o < off+8*stride; o += 4 * stride {`, c.bs, c.bs, c.bs)
		rowPtrs(s4, "o", 0, -2, 4)
		ldTr("p1, p0, q0, q1", s4, 0)
		inLoop(c.fl)
		st2(s4, 1)
		w("}\n}\n")
	}
	for _, c := range []struct {
		bs string
		fl filter
	}{{"4", chromaBS4}, {"3", chromaBS3}} {
		w(`// dbkSWChromaH%s filters the 8 columns of a horizontal chroma edge with bS
// %s whose q0 of column 0 is pl[off].
func dbkSWChromaH%s(pl []uint16, off, stride int, k *dbkSW) {`, c.bs, c.bs, c.bs)
		rowPtrs(rows4, "off", -2, 0, 8)
		for x := 0; x < 8; x += 4 {
			w("{")
			ldRows([]string{"p1", "p0", "q0", "q1"}, rows4, x)
			nested(c.fl, func() { stRows([]string{"np0", "nq0"}, rows4[1:3], x) })
			w("}")
		}
		w("}\n")
	}

	w(`// dbkSWChromaV43 filters both vertical chroma edges of a 4:2:0 macroblock
// whose q0 of row 0 of the left edge is pl[off]: x = 0 with bS 4 (kL) and
// x = 4 with bS 3 (kI). They touch different samples (x = 0 reads columns
// -2..1, x = 4 columns 2..5), so one pass over the rows does both.
func dbkSWChromaV43(pl []uint16, off, stride int, kL, kI *dbkSW) {`)
	chromaV43()
	w("}\n")

	w(`// dbkSWLumaV8 filters both vertical luma edges of a macroblock with
// transform_size_8x8_flag whose top-left sample is pl[off]: x = 0 with bS
// 4 (kL) and x = 8 with bS 3 (kI). They touch different samples (x = 0
// columns -4..3, x = 8 columns 5..10), so one pass over the rows does both.
func dbkSWLumaV8(pl []uint16, off, stride int, kL, kI *dbkSW) {`)
	lumaV8()
	w("}\n")

	w(`// dbkSWChromaH43 filters both horizontal chroma edges of a 4:2:0
// macroblock whose q0 of column 0 of the top edge is pl[off]: y = 0 with bS
// 4 (kT) and y = 4 with bS 3 (kI), which touch different rows (-2..1 and
// 2..5), in one pass over the columns.
func dbkSWChromaH43(pl []uint16, off, stride int, kT, kI *dbkSW) {`)
	chromaH43()
	w("}\n")

	w(`// dbkSWChromaMB filters the four edges of the Cb and the Cr block of a
// 4:2:0 macroblock when all four are filtered and the two planes have the
// same parameters (chroma_qp_index_offset equal to
// second_chroma_qp_index_offset, as it usually is): dbkSWChromaV43 and
// dbkSWChromaH43 on cb, then on cr, in one call; off, stride, kL, kI and
// kT are as there.
func dbkSWChromaMB(cb, cr []uint16, off, stride int, kL, kI, kT *dbkSW) {
for _, pl := range [2][]uint16{cb, cr} {`)
	rw.on, rw.hs, rw.y = true, 2, "2"
	rwRows(10, 2)
	w("{")
	chromaV43()
	w("}\n{")
	chromaH43()
	w("}\n}\n}\n")
	rw.on = false

	w(`// dbkSWLumaV16 filters the four vertical luma edges of a macroblock without
// transform_size_8x8_flag whose top-left sample is pl[off]: x = 0 with bS
// 4 (kL), then x = 4, 8 and 12 with bS 3 (kI). Each edge reads what the one
// before it wrote, so each group of four rows is transposed once into the
// columns c0..c19 (x = -4..15), filtered edge by edge and transposed back
// (each block of four columns once the last edge that changes it is done).
func dbkSWLumaV16(pl []uint16, off, stride int, kL, kI *dbkSW) {`)
	lumaV16()
	w("}\n")

	w(`// dbkSWLumaMB8 filters the luma edges of a macroblock with
// transform_size_8x8_flag whose top-left sample is pl[off] when its left,
// internal and top edges are all filtered: dbkSWLumaV8, dbkSWLumaH4 and
// dbkSWLumaH3 at y = 8 in one call.
func dbkSWLumaMB8(pl []uint16, off, stride int, kL, kI, kT *dbkSW) {`)
	rw.on, rw.hs = true, 4
	rwRows(20, 4)
	w("{")
	lumaV8()
	w("}\n{\nk := kT")
	rw.y = "4"
	lumaH4()
	w("}\n{\nk := kI")
	rw.y = "12"
	lumaH3()
	w("}\n}\n")

	w(`// dbkSWLumaMB4 is dbkSWLumaMB8 for a macroblock without
// transform_size_8x8_flag: dbkSWLumaV16, dbkSWLumaH4 and dbkSWLumaH3 at y =
// 4, 8 and 12.
func dbkSWLumaMB4(pl []uint16, off, stride int, kL, kI, kT *dbkSW) {`)
	rwRows(20, 4)
	w("{")
	lumaV16()
	w("}\n{\nk := kT")
	rw.y = "4"
	lumaH4()
	w("}")
	// A loop rather than three copies: the function is large enough.
	w("k := kI")
	w("for y := 8; y <= 16; y += 4 {")
	rw.y = "y"
	lumaH3()
	w("}")
	w("}")
	rw.on = false

	src, err := format.Source(out.Bytes())
	if err != nil {
		os.Stdout.Write(out.Bytes())
		log.Fatal(err)
	}
	if *stdout {
		os.Stdout.Write(src)
		return
	}
	if err := os.WriteFile("deblock_swar_gen.go", src, 0o666); err != nil {
		log.Fatal(err)
	}
}
