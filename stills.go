package stills

import (
	"time"
)

// Request is a GetImages request (SPEC §1). Times are absolute; the server
// converts the JSON epoch-seconds numbers (millisecond precision kept).
type Request struct {
	StreamName        string
	StreamARN         string
	ImageSelectorType string // "PRODUCER_TIMESTAMP" or "SERVER_TIMESTAMP"
	StartTimestamp    time.Time
	EndTimestamp      time.Time
	SamplingInterval  int64             // milliseconds; 0 means the default 3000
	Format            string            // "JPEG" or "PNG"
	FormatConfig      map[string]string // {"JPEGQuality": "80"}
	WidthPixels       int               // 0 = not given
	HeightPixels      int               // 0 = not given
	MaxResults        int               // 0 = default 25
	NextToken         string
}

// Image is one entry of the answer: ImageContent, or Error "NO_MEDIA" / "MEDIA_ERROR".
type Image struct {
	TimeStamp    time.Time
	ImageContent []byte
	Error        string
	// Detail says why an image is a MEDIA_ERROR, for logs and the CLI; it
	// is not part of the API answer.
	Detail string `json:"-"`
}

// Response is a GetImages answer.
type Response struct {
	Images    []Image
	NextToken string
}

// Error is a request error with its API name (SPEC §2), e.g.
// "InvalidArgumentException", "ResourceNotFoundException".
type Error struct {
	Name    string
	Message string
}

func (e *Error) Error() string { return e.Name + ": " + e.Message }
