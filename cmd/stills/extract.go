package main

import (
	"fmt"
	"io"
)

// runExtract is a placeholder until the extract command lands.
func runExtract(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "stills extract: not implemented yet")
	return 1
}
