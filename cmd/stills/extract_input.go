package main

import (
	"github.com/stills/stills/input"
	"github.com/stills/stills/media"
)

// extract reads its input through package input, which recognises
// Matroska/WebM, MP4 and raw Annex B H.264/H.265 by content.
func init() {
	openInput = func(path string, rawFPS float64) (media.Source, error) {
		return input.Open(path, input.Options{FPS: rawFPS})
	}
}
