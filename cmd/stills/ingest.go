package main

import (
	"fmt"
	"io"
)

// runIngest is a placeholder until the ingest command lands.
func runIngest(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "stills ingest: not implemented yet")
	return 1
}
