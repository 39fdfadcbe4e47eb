package stills_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/stills/stills"
	"github.com/stills/stills/input"
)

// GetImages over a file: testdata/sample.mkv holds 10 s of video whose clock
// starts at 0 (1970-01-01T00:00:00Z), keyframes every 2 s.
func Example() {
	src, err := input.Open("testdata/sample.mkv", input.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer src.Close()

	eng := stills.New(stills.Options{})
	resp, err := eng.GetImages(context.Background(), src, &stills.Request{
		StreamName:        "sample",
		ImageSelectorType: stills.ProducerTimestamp,
		StartTimestamp:    time.Unix(0, 0),
		EndTimestamp:      time.Unix(12, 0),
		SamplingInterval:  3000,
		Format:            stills.JPEG,
		WidthPixels:       320,
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, img := range resp.Images {
		if img.Error != "" {
			fmt.Println(img.TimeStamp.Unix(), img.Error)
		} else {
			fmt.Println(img.TimeStamp.Unix(), "JPEG", img.ImageContent[:2])
		}
	}
	// Output:
	// 0 JPEG [255 216]
	// 3 JPEG [255 216]
	// 6 JPEG [255 216]
	// 9 JPEG [255 216]
	// 12 NO_MEDIA
}
