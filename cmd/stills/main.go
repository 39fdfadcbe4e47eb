// Command stills extracts still images from H.264/H.265 video: offline from
// Matroska, MP4 and Annex B files, or as a server speaking the Kinesis Video
// Streams archived-media protocol.
package main

import (
	"fmt"
	"io"
	"os"
)

type command struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) int
}

var commands = []command{
	{"extract", "extract images from a video file at a sampling interval", runExtract},
	{"frames", "decode every intra picture and print its MD5 (decoder verification)", runFrames},
	{"serve", "run the archived-media HTTP server (GetImages, ListFragments, ...)", runServe},
	{"ingest", "import video files into the server's fragment store", runIngest},
}

func usage(w io.Writer) {
	fmt.Fprintf(w, `stills: still images from H.264/H.265 video, in pure Go.

Usage:
  stills <command> [arguments]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'stills <command> --help' for the flags of a command.\n")
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "--help", "help":
		usage(stdout)
		return 0
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "stills: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}
