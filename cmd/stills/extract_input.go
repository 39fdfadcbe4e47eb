package main

import (
	"github.com/stills/stills/media"
	"github.com/stills/stills/mkv"
)

// Until package input (content sniffing: Matroska, MP4, Annex B) is in the
// tree, extract reads Matroska/WebM through package mkv.
func init() {
	openInput = func(path string, rawFPS float64) (media.Source, error) {
		return mkv.OpenFile(path)
	}
}
