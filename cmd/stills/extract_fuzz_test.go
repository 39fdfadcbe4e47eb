package main

import (
	"testing"
	"time"
)

// FuzzParseTime: the time and interval parsers of `stills extract` take any
// string without panicking; a time they accept prints back (RFC 3339) to a
// string they read as the same instant.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-01-01T00:00:02Z", "1767225602.5", "90s", "-3s", "01:30", "1:02:03.5", "1e9", "99999999999:00:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parseIntervalArg(s)
		v, err := parseTimeArg(s, 0)
		if err != nil {
			return
		}
		back := time.Unix(0, v).UTC().Format(time.RFC3339Nano)
		if v2, err := parseTimeArg(back, 0); err == nil && v2 != v {
			t.Fatalf("%q → %d → %q → %d", s, v, back, v2)
		}
	})
}
