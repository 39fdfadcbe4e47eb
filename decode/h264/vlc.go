package h264

// vlcEntry is one entry of a two-level VLC lookup table. len > 0: a code of
// len bits with value val. len < 0: a second-level table of -len bits at
// offset val. len == 0: no code starts with these bits.
type vlcEntry struct {
	val int16
	len int8
}

// vlcTable decodes a prefix code: the first level is indexed by the next 8
// bits, codes longer than 8 bits continue in a second-level table.
type vlcTable struct{ tab []vlcEntry }

// newVLC builds a table from code lengths and code values; symbol i has
// value vals[i] (or i when vals is nil). Entries with length 0 are skipped.
func newVLC(lens, codes []uint8, vals []int16) *vlcTable {
	t := &vlcTable{tab: make([]vlcEntry, 256)}
	// Longest code per 8-bit prefix, for the second-level sizes.
	var maxLen [256]int
	for i, l := range lens {
		if l > 8 {
			p := int(codes[i]) >> (l - 8)
			if int(l) > maxLen[p] {
				maxLen[p] = int(l)
			}
		}
	}
	for p, ml := range maxLen {
		if ml > 0 {
			t.tab[p] = vlcEntry{val: int16(len(t.tab)), len: int8(-(ml - 8))}
			t.tab = append(t.tab, make([]vlcEntry, 1<<(ml-8))...)
		}
	}
	for i, l := range lens {
		if l == 0 {
			continue
		}
		v := int16(i)
		if vals != nil {
			v = vals[i]
		}
		c := int(codes[i])
		if l <= 8 {
			start := c << (8 - l)
			for k := 0; k < 1<<(8-l); k++ {
				t.tab[start+k] = vlcEntry{val: v, len: int8(l)}
			}
			continue
		}
		p := c >> (l - 8)
		sub := t.tab[p]
		nb := int(-sub.len)
		rest := c & (1<<(l-8) - 1)
		start := int(sub.val) + rest<<(nb-int(l-8))
		for k := 0; k < 1<<(nb-int(l-8)); k++ {
			t.tab[start+k] = vlcEntry{val: v, len: int8(l)}
		}
	}
	return t
}

// vlc reads one code of t; an invalid code marks the reader over.
func (r *bitReader) vlc(t *vlcTable) int {
	v := r.peek32()
	e := t.tab[v>>24]
	if e.len > 0 {
		r.skip(int(e.len))
		return int(e.val)
	}
	if e.len < 0 {
		nb := uint(-e.len)
		e = t.tab[int(e.val)+int((v<<8)>>(32-nb))]
		if e.len > 0 {
			r.skip(int(e.len))
			return int(e.val)
		}
	}
	r.over = true
	return 0
}

// look is vlc for a reader whose next 32 bits are v: the entry of the code
// they start with, whose len (the code's length) is 0 or less when they
// start with no code of the table.
func (t *vlcTable) look(v uint32) vlcEntry {
	e := t.tab[v>>24]
	if e.len < 0 {
		nb := uint(-e.len)
		e = t.tab[int(e.val)+int((v<<8)>>(32-nb))]
	}
	return e
}

var (
	coeffTokenVLC       [3]*vlcTable
	chromaDCTokenVLC    *vlcTable
	chroma422DCTokenVLC *vlcTable
	totalZerosVLC       [15]*vlcTable
	chromaDCZerosVLC    [3]*vlcTable
	chroma422DCZerosVLC [7]*vlcTable
	runBeforeVLC        [7]*vlcTable
)

// runBeforeFast decodes run_before for zerosLeft 1..6, whose codes are at
// most 3 bits long (Table 9-10), from the next 3 bits: byte bits of
// runBeforeFast[zerosLeft-1] holds run_before in its low nibble and the code
// length in its high one (one word per zerosLeft; entries 6 and 7 unused).
var runBeforeFast [8]uint64

func init() {
	for i := 0; i < 6; i++ {
		for run := 0; run < i+2; run++ {
			l := int(runBeforeLen[i][run])
			c := int(runBeforeCode[i][run])
			for k := 0; k < 1<<(3-l); k++ {
				runBeforeFast[i] |= uint64(run|l<<4) << (8 * uint(c<<(3-l)|k))
			}
		}
	}
	for i := 0; i < 3; i++ {
		coeffTokenVLC[i] = newVLC(coeffTokenLen[i][:], coeffTokenCode[i][:], nil)
	}
	chromaDCTokenVLC = newVLC(chromaDCCoeffTokenLen[:], chromaDCCoeffTokenCode[:], nil)
	chroma422DCTokenVLC = newVLC(chroma422DCCoeffTokenLen[:], chroma422DCCoeffTokenCode[:], nil)
	for i := range totalZerosVLC {
		totalZerosVLC[i] = newVLC(totalZerosLen[i][:16-i], totalZerosCode[i][:16-i], nil)
	}
	for i := range chromaDCZerosVLC {
		chromaDCZerosVLC[i] = newVLC(chromaDCTotalZerosLen[i][:4-i], chromaDCTotalZerosCode[i][:4-i], nil)
	}
	for i := range chroma422DCZerosVLC {
		chroma422DCZerosVLC[i] = newVLC(chroma422DCTotalZerosLen[i][:8-i], chroma422DCTotalZerosCode[i][:8-i], nil)
	}
	for i := range runBeforeVLC {
		n := i + 2
		if i == 6 {
			n = 15
		}
		runBeforeVLC[i] = newVLC(runBeforeLen[i][:n], runBeforeCode[i][:n], nil)
	}
}
