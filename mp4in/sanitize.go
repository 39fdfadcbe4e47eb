package mp4in

import (
	"encoding/binary"
)

// mp4ff decodes every box it meets, including the many this package never
// reads (sgpd, sidx, senc, pssh, udta, meta...), some of which loop once per
// entry count read from the file before noticing the box is too short.
// Before mp4ff sees a moov or moof, sanitize rebuilds it with only the boxes
// this package reads, whose decoders check their entry counts against their
// sizes; hostile content elsewhere never reaches mp4ff (defence in depth:
// the fuzz target found no failure in the other decoders).

// keep lists, per container, the child boxes kept.
var keep = map[string]map[string]bool{
	"moov": {"mvhd": true, "trak": true, "mvex": true},
	"trak": {"tkhd": true, "edts": true, "mdia": true},
	"edts": {"elst": true},
	"mdia": {"mdhd": true, "hdlr": true, "minf": true},
	"minf": {"stbl": true},
	"stbl": {"stsd": true, "stts": true, "ctts": true, "stss": true, "stsz": true, "stsc": true, "stco": true, "co64": true},
	"mvex": {"trex": true},
	"moof": {"mfhd": true, "traf": true},
	"traf": {"tfhd": true, "tfdt": true, "trun": true},
}

// visualEntries are the sample entries kept with their avcC/hvcC record;
// their fixed fields take 78 bytes (ISO/IEC 14496-12 §12.1.3).
var visualEntries = map[string]bool{"avc1": true, "avc3": true, "hvc1": true, "hev1": true}

// maxSanitizeDepth bounds container nesting (moov/trak/mdia/minf/stbl is 5 deep).
const maxSanitizeDepth = 8

func appendBox(dst []byte, typ string, body []byte) []byte {
	var h [8]byte
	binary.BigEndian.PutUint32(h[:], uint32(8+len(body)))
	copy(h[4:], typ)
	return append(append(dst, h[:]...), body...)
}

// sanitize returns box typ with body rebuilt as described above, and the
// sample entry type of each trak met (in order) through entries.
func sanitize(typ string, body []byte, depth int, entries *[]string) []byte {
	if typ == "stsd" {
		return appendBox(nil, typ, sanitizeStsd(body, entries))
	}
	allowed, container := keep[typ]
	if !container || depth > maxSanitizeDepth {
		return appendBox(nil, typ, body)
	}
	if typ == "trak" {
		*entries = append(*entries, "")
	}
	var out []byte
	children(body, func(ct string, cb []byte) bool {
		if allowed[ct] {
			out = append(out, sanitize(ct, cb, depth+1, entries)...)
		}
		return true
	})
	return appendBox(nil, typ, out)
}

// sanitizeStsd keeps the sample entries (so the entry count stays right):
// H.264/H.265 visual entries with only their fixed fields and avcC/hvcC,
// every other entry emptied and renamed "unkn" (its type is recorded).
func sanitizeStsd(body []byte, entries *[]string) []byte {
	if len(body) < 8 {
		return body
	}
	out := append([]byte(nil), body[:8]...)
	first := true
	children(body[8:], func(et string, eb []byte) bool {
		if first && len(*entries) > 0 {
			(*entries)[len(*entries)-1] = et
		}
		first = false
		if !visualEntries[et] || len(eb) < 78 {
			out = appendBox(out, "unkn", nil)
			return true
		}
		e := append([]byte(nil), eb[:78]...)
		children(eb[78:], func(ct string, cb []byte) bool {
			if ct == "avcC" || ct == "hvcC" {
				e = appendBox(e, ct, cb)
			}
			return true
		})
		out = appendBox(out, et, e)
		return true
	})
	return out
}
