package stills

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/stills/stills/media"
)

// Limits of a GetImages request (SPEC §1, after the AWS API reference).
const (
	// MaxTimeRange is the longest EndTimestamp − StartTimestamp.
	MaxTimeRange = 300 * time.Second
	// DefaultSamplingInterval is used when SamplingInterval is 0 (absent).
	DefaultSamplingInterval = 3000 // ms
	// DefaultMinSamplingInterval is the smallest SamplingInterval accepted
	// unless Options.MinSamplingInterval lowers it.
	DefaultMinSamplingInterval = 200 * time.Millisecond
	// MaxWidthPixels and MaxHeightPixels bound the requested image size.
	MaxWidthPixels  = 3840
	MaxHeightPixels = 2160
	// DefaultMaxResults is the page size when MaxResults is 0 (absent).
	DefaultMaxResults = 25
	// MaxMaxResults is the largest page size.
	MaxMaxResults = 100
	// DefaultJPEGQuality is the JPEGQuality used when FormatConfig has none.
	DefaultJPEGQuality = 80
	// MaxStreamNameLen and MaxStreamARNLen bound the stream identifiers.
	MaxStreamNameLen = 256
	MaxStreamARNLen  = 1024
	// MaxNextTokenLen bounds a NextToken.
	MaxNextTokenLen = 4096
)

// API names of the answer's error tags (SPEC §1).
const (
	NoMedia    = "NO_MEDIA"
	MediaError = "MEDIA_ERROR"
)

// Names of the two image selector types and formats of a Request.
const (
	ProducerTimestamp = "PRODUCER_TIMESTAMP"
	ServerTimestamp   = "SERVER_TIMESTAMP"
	JPEG              = "JPEG"
	PNG               = "PNG"
)

var (
	streamNameRE = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,256}$`)
	// arn:<partition>:kinesisvideo:<region>:<account>:stream/<name>/<creation-ms>
	streamARNRE = regexp.MustCompile(`^arn:[a-z0-9-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:stream/([a-zA-Z0-9_.-]{1,256})/[0-9]+$`)
	nextTokenRE = regexp.MustCompile(`^[a-zA-Z0-9+/]+={0,2}$`)
	decimalRE   = regexp.MustCompile(`^[0-9]{1,3}$`)
)

func invalid(format string, a ...any) *Error {
	return &Error{Name: "InvalidArgumentException", Message: fmt.Sprintf(format, a...)}
}

// StreamNameFromARN returns the stream name inside a stream ARN, or "" when
// arn is not a Kinesis Video stream ARN.
func StreamNameFromARN(arn string) string {
	if len(arn) > MaxStreamARNLen {
		return ""
	}
	m := streamARNRE.FindStringSubmatch(arn)
	if m == nil {
		return ""
	}
	return m[1]
}

// params is a validated request, in the engine's units.
type params struct {
	stream   string // name (from StreamName or the ARN)
	tl       media.Timeline
	start    media.Time // ns, millisecond precision
	end      media.Time
	interval int64 // ns
	format   string
	quality  int
	width    int
	height   int
	max      int
}

// maxEpochMillis bounds the timestamps of a request (about ±285 years
// around 1970) so that they fit in int64 nanoseconds with room to spare.
const maxEpochMillis = 9e12

// toMillis keeps the millisecond precision of t (SPEC §1), as ns since the
// epoch.
func toMillis(t time.Time) media.Time {
	ms := t.UnixMilli()
	return ms * int64(time.Millisecond)
}

// validate checks every rule of SPEC §1 except NextToken and returns the
// request in engine units.
func (e *Engine) validate(r *Request) (*params, error) {
	p := &params{}
	if r.StreamName == "" && r.StreamARN == "" {
		return nil, invalid("StreamName or StreamARN is required")
	}
	if r.StreamName != "" {
		if !streamNameRE.MatchString(r.StreamName) {
			return nil, invalid("StreamName %q must be 1-%d characters of [a-zA-Z0-9_.-]", clip(r.StreamName), MaxStreamNameLen)
		}
		p.stream = r.StreamName
	}
	if r.StreamARN != "" {
		name := StreamNameFromARN(r.StreamARN)
		if name == "" {
			return nil, invalid("StreamARN %q is not of the form arn:<partition>:kinesisvideo:<region>:<account>:stream/<name>/<creation-ms>", clip(r.StreamARN))
		}
		if p.stream != "" && p.stream != name {
			return nil, invalid("StreamName %q and StreamARN %q name different streams", r.StreamName, clip(r.StreamARN))
		}
		p.stream = name
	}
	switch r.ImageSelectorType {
	case ProducerTimestamp:
		p.tl = media.ProducerTime
	case ServerTimestamp:
		p.tl = media.ServerTime
	case "":
		return nil, invalid("ImageSelectorType is required (PRODUCER_TIMESTAMP or SERVER_TIMESTAMP)")
	default:
		return nil, invalid("ImageSelectorType %q must be PRODUCER_TIMESTAMP or SERVER_TIMESTAMP", clip(r.ImageSelectorType))
	}
	if r.StartTimestamp.IsZero() {
		return nil, invalid("StartTimestamp is required")
	}
	if r.EndTimestamp.IsZero() {
		return nil, invalid("EndTimestamp is required")
	}
	for _, ts := range []struct {
		name string
		t    time.Time
	}{{"StartTimestamp", r.StartTimestamp}, {"EndTimestamp", r.EndTimestamp}} {
		if ms := ts.t.UnixMilli(); ms < -maxEpochMillis || ms > maxEpochMillis {
			return nil, invalid("%s %s is out of range (years 1685 to 2255)", ts.name, ts.t.UTC().Format(time.RFC3339))
		}
	}
	p.start, p.end = toMillis(r.StartTimestamp), toMillis(r.EndTimestamp)
	if p.end < p.start {
		return nil, invalid("EndTimestamp (%s) is before StartTimestamp (%s)", fmtTime(p.end), fmtTime(p.start))
	}
	if time.Duration(p.end-p.start) > MaxTimeRange {
		return nil, invalid("EndTimestamp - StartTimestamp is %s; at most %s is allowed", time.Duration(p.end-p.start), MaxTimeRange)
	}
	iv := r.SamplingInterval
	if iv == 0 {
		iv = DefaultSamplingInterval
	}
	if iv > int64(MaxTimeRange/time.Millisecond)+1 {
		// Any larger interval yields t_0 only; bound it so that k×interval
		// (and the comparison below) cannot overflow.
		iv = int64(MaxTimeRange/time.Millisecond) + 1
	}
	if iv < 0 || time.Duration(iv)*time.Millisecond < e.minInterval {
		return nil, invalid("SamplingInterval %d ms is below the minimum of %d ms", r.SamplingInterval, e.minInterval.Milliseconds())
	}
	p.interval = iv * int64(time.Millisecond)
	switch r.Format {
	case JPEG, PNG:
		p.format = r.Format
	case "":
		return nil, invalid("Format is required (JPEG or PNG)")
	default:
		return nil, invalid("Format %q must be JPEG or PNG", clip(r.Format))
	}
	p.quality = DefaultJPEGQuality
	if len(r.FormatConfig) > 1 {
		return nil, invalid("FormatConfig has %d entries; at most one (JPEGQuality) is allowed", len(r.FormatConfig))
	}
	for k, v := range r.FormatConfig {
		if k != "JPEGQuality" {
			return nil, invalid("FormatConfig key %q is not supported; the only key is JPEGQuality", clip(k))
		}
		q, err := strconv.Atoi(v)
		if !decimalRE.MatchString(v) || err != nil || q < 1 || q > 100 {
			return nil, invalid("FormatConfig JPEGQuality %q must be a decimal integer from 1 to 100", clip(v))
		}
		p.quality = q
	}
	if r.WidthPixels < 0 || r.WidthPixels > MaxWidthPixels {
		return nil, invalid("WidthPixels %d must be from 1 to %d", r.WidthPixels, MaxWidthPixels)
	}
	if r.HeightPixels < 0 || r.HeightPixels > MaxHeightPixels {
		return nil, invalid("HeightPixels %d must be from 1 to %d", r.HeightPixels, MaxHeightPixels)
	}
	p.width, p.height = r.WidthPixels, r.HeightPixels
	switch {
	case r.MaxResults == 0:
		p.max = DefaultMaxResults
	case r.MaxResults < 0 || r.MaxResults > MaxMaxResults:
		return nil, invalid("MaxResults %d must be from 1 to %d", r.MaxResults, MaxMaxResults)
	default:
		p.max = r.MaxResults
	}
	if r.NextToken != "" && (len(r.NextToken) > MaxNextTokenLen || !nextTokenRE.MatchString(r.NextToken)) {
		return nil, invalid("NextToken is malformed: it must be 1-%d characters of [a-zA-Z0-9+/] with up to two '=' at the end", MaxNextTokenLen)
	}
	return p, nil
}

// clip shortens user input quoted in an error message.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

func fmtTime(t media.Time) string {
	return time.Unix(0, t).UTC().Format("2006-01-02T15:04:05.000Z07:00")
}
