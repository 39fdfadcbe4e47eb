package main

import (
	"fmt"
	"io"
)

// runFrames is a placeholder until the frames command lands.
func runFrames(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "stills frames: not implemented yet")
	return 1
}
