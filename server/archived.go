package server

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/stills/stills"
	"github.com/stills/stills/media"
	"github.com/stills/stills/store"
)

// API limits of the archived-media calls (SPEC §3, botocore shapes).
const (
	DefaultListFragmentsMax = 100
	MaxListFragmentsMax     = 1000
	// MaxFragmentList bounds GetMediaForFragmentList's Fragments.
	MaxFragmentList = 1000
	// MaxFragmentNumberLen is the FragmentNumberString maximum length.
	MaxFragmentNumberLen = 128
	// MaxMediaBytes bounds one GetMediaForFragmentList answer.
	MaxMediaBytes = 2 << 30
	// MaxClipFragments and MaxClipBytes bound one GetClip (SPEC §3).
	MaxClipFragments = 200
	MaxClipBytes     = 100 << 20
	// MaxClipRange is the longest GetClip time range.
	MaxClipRange = 24 * time.Hour
)

var (
	streamNameRE     = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,256}$`)
	fragmentNumberRE = regexp.MustCompile(`^[0-9]{1,128}$`)
	nextTokenRE      = regexp.MustCompile(`^[a-zA-Z0-9+/]+={0,2}$`) // length checked separately
)

// streamRef is the StreamName/StreamARN pair of a request.
type streamRef struct {
	StreamName *string `json:"StreamName"`
	StreamARN  *string `json:"StreamARN"`
}

// check validates the pair and returns the stream name.
func (r *streamRef) check() (string, string, error) {
	var name, arn string
	if r.StreamName == nil && r.StreamARN == nil {
		return "", "", invalidArg("StreamName or StreamARN is required")
	}
	if r.StreamName != nil {
		name = *r.StreamName
		if !streamNameRE.MatchString(name) {
			return "", "", invalidArg("StreamName %q must be 1-256 characters of [a-zA-Z0-9_.-]", clipStr(name))
		}
	}
	if r.StreamARN != nil {
		arn = *r.StreamARN
		n, _, ok := store.ParseARN(arn)
		if !ok || len(arn) > 1024 {
			return "", "", invalidArg("StreamARN %q is not of the form arn:<partition>:kinesisvideo:<region>:<account>:stream/<name>/<creation-ms>", clipStr(arn))
		}
		if name != "" && n != name {
			return "", "", invalidArg("StreamName %q and StreamARN %q name different streams", name, clipStr(arn))
		}
		name = n
	}
	return name, arn, nil
}

// lookup validates the reference and finds the stream.
func (s *Server) lookup(ctx context.Context, ref *streamRef) (store.StreamInfo, error) {
	name, arn, err := ref.check()
	if err != nil {
		return store.StreamInfo{}, err
	}
	return s.cfg.Store.Stream(ctx, name, arn)
}

// errSource is the media.Source given to the engine when the stream cannot
// be served: the engine validates the request first (so a malformed request
// is InvalidArgumentException whatever the stream), then its Scan fails with
// this error.
type errSource struct{ err error }

func (e errSource) Scan(context.Context, media.Timeline, media.Time, media.Time) (*media.Index, error) {
	return nil, e.err
}
func (e errSource) ReadSample(context.Context, *media.Sample, []byte) ([]byte, error) {
	return nil, e.err
}
func (e errSource) Close() error { return nil }

type getImagesInput struct {
	streamRef
	ImageSelectorType *string           `json:"ImageSelectorType"`
	StartTimestamp    *epoch            `json:"StartTimestamp"`
	EndTimestamp      *epoch            `json:"EndTimestamp"`
	SamplingInterval  *int64            `json:"SamplingInterval"`
	Format            *string           `json:"Format"`
	FormatConfig      map[string]string `json:"FormatConfig"`
	WidthPixels       *int64            `json:"WidthPixels"`
	HeightPixels      *int64            `json:"HeightPixels"`
	MaxResults        *int64            `json:"MaxResults"`
	NextToken         *string           `json:"NextToken"`
}

type imageOut struct {
	TimeStamp    outTime `json:"TimeStamp"`
	Error        string  `json:"Error,omitempty"`
	ImageContent []byte  `json:"ImageContent,omitempty"`
}

// clampInt converts a JSON integer to int, saturating (range checks follow).
func clampInt(v int64) int {
	if v > math.MaxInt32 {
		return math.MaxInt32
	}
	if v < math.MinInt32 {
		return math.MinInt32
	}
	return int(v)
}

func (s *Server) getImages(w http.ResponseWriter, r *http.Request, body []byte) (string, error) {
	var in getImagesInput
	if err := decodeBody(body, &in); err != nil {
		return "", err
	}
	// Values the engine reads as "absent" when zero are rejected here when a
	// client sends them explicitly (the API minimums are 1).
	if in.SamplingInterval != nil && *in.SamplingInterval <= 0 {
		return "", invalidArg("SamplingInterval %d must be a positive number of milliseconds", *in.SamplingInterval)
	}
	if in.WidthPixels != nil && *in.WidthPixels < 1 {
		return "", invalidArg("WidthPixels %d must be from 1 to %d", *in.WidthPixels, stills.MaxWidthPixels)
	}
	if in.HeightPixels != nil && *in.HeightPixels < 1 {
		return "", invalidArg("HeightPixels %d must be from 1 to %d", *in.HeightPixels, stills.MaxHeightPixels)
	}
	if in.MaxResults != nil && *in.MaxResults < 1 {
		return "", invalidArg("MaxResults %d must be from 1 to %d", *in.MaxResults, stills.MaxMaxResults)
	}
	if in.NextToken != nil && *in.NextToken == "" {
		return "", invalidArg("NextToken must not be empty")
	}
	if in.StreamName != nil && *in.StreamName == "" {
		return "", invalidArg("StreamName must be 1-256 characters of [a-zA-Z0-9_.-]")
	}
	if in.StreamARN != nil && *in.StreamARN == "" {
		return "", invalidArg("StreamARN must not be empty")
	}
	req := &stills.Request{FormatConfig: in.FormatConfig}
	if in.StreamName != nil {
		req.StreamName = *in.StreamName
	}
	if in.StreamARN != nil {
		req.StreamARN = *in.StreamARN
	}
	if in.ImageSelectorType != nil {
		req.ImageSelectorType = *in.ImageSelectorType
	}
	if in.StartTimestamp != nil {
		req.StartTimestamp = in.StartTimestamp.time()
	}
	if in.EndTimestamp != nil {
		req.EndTimestamp = in.EndTimestamp.time()
	}
	if in.SamplingInterval != nil {
		req.SamplingInterval = *in.SamplingInterval
	}
	if in.Format != nil {
		req.Format = *in.Format
	}
	if in.WidthPixels != nil {
		req.WidthPixels = clampInt(*in.WidthPixels)
	}
	if in.HeightPixels != nil {
		req.HeightPixels = clampInt(*in.HeightPixels)
	}
	if in.MaxResults != nil {
		req.MaxResults = clampInt(*in.MaxResults)
	}
	if in.NextToken != nil {
		req.NextToken = *in.NextToken
	}

	ctx := r.Context()
	var src media.Source
	name := ""
	info, lerr := s.lookup(ctx, &in.streamRef)
	switch {
	case lerr != nil:
		var ae *apiError
		if errors.As(lerr, &ae) {
			return "", lerr // malformed name/ARN
		}
		src = errSource{toAPIError(lerr)}
	case info.RetentionHours == 0:
		src = errSource{apiErr(errNoDataRetention, "stream %s has DataRetentionInHours 0: it keeps no media to take images from", info.Name)}
	default:
		name = info.Name
		release, err := s.acquire(name)
		if err != nil {
			return name, err
		}
		defer release()
		src, err = s.cfg.Store.Source(ctx, info.Name)
		if err != nil {
			return name, err
		}
		defer src.Close()
	}
	t0 := s.now()
	resp, err := s.cfg.Engine.GetImages(ctx, src, req)
	s.metrics.engine(s.now().Sub(t0))
	if err != nil {
		return name, err
	}
	if es, ok := src.(errSource); ok {
		// The engine did not need the media (cannot happen for a valid
		// request, but never answer images for a missing stream).
		return name, es.err
	}
	out := struct {
		Images    []imageOut `json:"Images"`
		NextToken string     `json:"NextToken,omitempty"`
	}{Images: make([]imageOut, len(resp.Images)), NextToken: resp.NextToken}
	logged := false
	for i, im := range resp.Images {
		out.Images[i] = imageOut{TimeStamp: outTime(im.TimeStamp.UnixNano()), Error: im.Error}
		if im.Error == "" {
			out.Images[i].ImageContent = im.ImageContent
		}
		s.metrics.image(im.Error)
		if im.Error == stills.MediaError && !logged {
			// One line per request says why, for the operator (the API has
			// no field for it).
			logged = true
			s.log.Warn("media error", "stream", name, "timestamp", im.TimeStamp.UTC().Format(time.RFC3339Nano), "detail", im.Detail)
		}
	}
	return name, writeJSON(w, &out)
}

type timestampRange struct {
	StartTimestamp *epoch `json:"StartTimestamp"`
	EndTimestamp   *epoch `json:"EndTimestamp"`
}

type fragmentSelector struct {
	FragmentSelectorType *string         `json:"FragmentSelectorType"`
	TimestampRange       *timestampRange `json:"TimestampRange"`
}

// selector validates a FragmentSelector / ClipFragmentSelector.
func (f *fragmentSelector) selector(field string) (store.Selector, error) {
	var sel store.Selector
	if f.FragmentSelectorType == nil {
		return sel, invalidArg("%s.FragmentSelectorType is required (PRODUCER_TIMESTAMP or SERVER_TIMESTAMP)", field)
	}
	switch *f.FragmentSelectorType {
	case "PRODUCER_TIMESTAMP":
		sel.Timeline = media.ProducerTime
	case "SERVER_TIMESTAMP":
		sel.Timeline = media.ServerTime
	default:
		return sel, invalidArg("%s.FragmentSelectorType %q must be PRODUCER_TIMESTAMP or SERVER_TIMESTAMP", field, clipStr(*f.FragmentSelectorType))
	}
	if f.TimestampRange == nil || f.TimestampRange.StartTimestamp == nil || f.TimestampRange.EndTimestamp == nil {
		return sel, invalidArg("%s.TimestampRange with StartTimestamp and EndTimestamp is required", field)
	}
	sel.From, sel.To = f.TimestampRange.StartTimestamp.ns(), f.TimestampRange.EndTimestamp.ns()
	if sel.To < sel.From {
		return sel, invalidArg("%s.TimestampRange: EndTimestamp is before StartTimestamp", field)
	}
	return sel, nil
}

type listFragmentsInput struct {
	streamRef
	MaxResults       *int64            `json:"MaxResults"`
	NextToken        *string           `json:"NextToken"`
	FragmentSelector *fragmentSelector `json:"FragmentSelector"`
}

type fragmentOut struct {
	FragmentNumber               string  `json:"FragmentNumber"`
	FragmentSizeInBytes          int64   `json:"FragmentSizeInBytes"`
	ProducerTimestamp            outTime `json:"ProducerTimestamp"`
	ServerTimestamp              outTime `json:"ServerTimestamp"`
	FragmentLengthInMilliseconds int64   `json:"FragmentLengthInMilliseconds"`
}

// listToken is the ListFragments NextToken payload: the stream, the
// selector and the cursor, so a token alone continues the listing.
type listToken struct {
	stream string
	sel    store.Selector
	cur    store.Cursor
}

func (t *listToken) marshal() []byte {
	var b []byte
	b = append(b, 1, byte(t.sel.Timeline))
	b = binary.AppendVarint(b, t.sel.From)
	b = binary.AppendVarint(b, t.sel.To)
	b = binary.AppendVarint(b, t.cur.Time)
	b = binary.AppendUvarint(b, t.cur.Seq)
	b = append(b, t.stream...)
	return b
}

func (t *listToken) unmarshal(b []byte) bool {
	if len(b) < 2 || b[0] != 1 || b[1] > 1 {
		return false
	}
	t.sel.Timeline = media.Timeline(b[1])
	b = b[2:]
	var n int
	if t.sel.From, n = binary.Varint(b); n <= 0 {
		return false
	}
	b = b[n:]
	if t.sel.To, n = binary.Varint(b); n <= 0 {
		return false
	}
	b = b[n:]
	if t.cur.Time, n = binary.Varint(b); n <= 0 {
		return false
	}
	b = b[n:]
	if t.cur.Seq, n = binary.Uvarint(b); n <= 0 {
		return false
	}
	t.stream = string(b[n:])
	return true
}

func (s *Server) listFragments(w http.ResponseWriter, r *http.Request, body []byte) (string, error) {
	var in listFragmentsInput
	if err := decodeBody(body, &in); err != nil {
		return "", err
	}
	limit := DefaultListFragmentsMax
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > MaxListFragmentsMax {
			return "", invalidArg("MaxResults %d must be from 1 to %d", *in.MaxResults, MaxListFragmentsMax)
		}
		limit = int(*in.MaxResults)
	}
	sel := store.Selector{Timeline: media.ServerTime, From: math.MinInt64, To: math.MaxInt64}
	if in.FragmentSelector != nil {
		var err error
		if sel, err = in.FragmentSelector.selector("FragmentSelector"); err != nil {
			return "", err
		}
	}
	name, arn, err := in.streamRef.check()
	if err != nil {
		return "", err
	}
	var cur *store.Cursor
	if in.NextToken != nil {
		tok := *in.NextToken
		if len(tok) > 4096 || !nextTokenRE.MatchString(tok) {
			return "", invalidArg("NextToken is malformed: it must be 1-4096 characters of [a-zA-Z0-9+/] with up to two '='")
		}
		payload, err := s.listTok.Open(tok)
		var lt listToken
		if err != nil || !lt.unmarshal(payload) {
			return "", invalidArg("NextToken was not issued by this server for ListFragments")
		}
		if lt.stream != name {
			return "", invalidArg("NextToken was issued for another stream")
		}
		if in.FragmentSelector != nil && sel != lt.sel {
			return "", invalidArg("NextToken was issued for another FragmentSelector")
		}
		sel = lt.sel
		cur = &lt.cur
	}
	info, err := s.cfg.Store.Stream(r.Context(), name, arn)
	if err != nil {
		return "", err
	}
	release, err := s.acquire(info.Name)
	if err != nil {
		return info.Name, err
	}
	defer release()
	hdrs := sel
	hdrs.NoSamples = true
	frags, more, err := s.cfg.Store.ListFragments(r.Context(), info.Name, hdrs, cur, limit)
	if err != nil {
		return info.Name, err
	}
	out := struct {
		Fragments []fragmentOut `json:"Fragments"`
		NextToken string        `json:"NextToken,omitempty"`
	}{Fragments: make([]fragmentOut, len(frags))}
	for i, f := range frags {
		out.Fragments[i] = fragmentOut{
			FragmentNumber:               f.Number,
			FragmentSizeInBytes:          f.Size,
			ProducerTimestamp:            outTime(f.Producer),
			ServerTimestamp:              outTime(f.Server),
			FragmentLengthInMilliseconds: f.Duration / int64(time.Millisecond),
		}
	}
	if more && len(frags) > 0 {
		last := frags[len(frags)-1]
		t := last.Server
		if sel.Timeline == media.ProducerTime {
			t = last.Producer
		}
		lt := listToken{stream: info.Name, sel: sel, cur: store.Cursor{Time: t, Seq: last.Seq}}
		if out.NextToken, err = s.listTok.Seal(lt.marshal()); err != nil {
			return info.Name, err
		}
	}
	return info.Name, writeJSON(w, &out)
}

type getMediaInput struct {
	streamRef
	Fragments []string `json:"Fragments"`
}

func (s *Server) getMediaForFragmentList(w http.ResponseWriter, r *http.Request, body []byte) (string, error) {
	var in getMediaInput
	if err := decodeBody(body, &in); err != nil {
		return "", err
	}
	if len(in.Fragments) == 0 || len(in.Fragments) > MaxFragmentList {
		return "", invalidArg("Fragments must list 1 to %d fragment numbers, got %d", MaxFragmentList, len(in.Fragments))
	}
	for _, n := range in.Fragments {
		if !fragmentNumberRE.MatchString(n) {
			return "", invalidArg("fragment number %q must be 1-%d decimal digits", clipStr(n), MaxFragmentNumberLen)
		}
	}
	ctx := r.Context()
	info, err := s.lookup(ctx, &in.streamRef)
	if err != nil {
		return "", err
	}
	if info.RetentionHours == 0 {
		return info.Name, apiErr(errNoDataRetention, "stream %s has DataRetentionInHours 0: it keeps no media", info.Name)
	}
	release, err := s.acquire(info.Name)
	if err != nil {
		return info.Name, err
	}
	defer release()
	frags := make([]store.Fragment, len(in.Fragments))
	var total int64
	for i, n := range in.Fragments {
		f, err := s.cfg.Store.FragmentByNumber(ctx, info.Name, n)
		if err != nil {
			if errors.Is(err, store.ErrFragmentNotFound) {
				return info.Name, apiErr(errNotFound, "fragment %s is not in stream %s", n, info.Name)
			}
			return info.Name, err
		}
		frags[i] = f
		total += f.Size
	}
	if total > MaxMediaBytes {
		return info.Name, invalidArg("the fragments hold %d bytes; one request returns at most %d", total, int64(MaxMediaBytes))
	}
	// Read the first fragment before answering so that a missing payload is
	// an error status rather than a cut stream.
	first, err := s.cfg.Store.ReadFragment(ctx, info.Name, &frags[0])
	if err != nil {
		return info.Name, err
	}
	w.Header().Set("Content-Type", "video/webm")
	w.Header().Set("Content-Length", strconv.FormatInt(total, 10))
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(first); err != nil {
		return info.Name, nil
	}
	for i := 1; i < len(frags); i++ {
		b, err := s.cfg.Store.ReadFragment(ctx, info.Name, &frags[i])
		if err != nil {
			return info.Name, err
		}
		if _, err := w.Write(b); err != nil {
			return info.Name, nil // client gone
		}
	}
	return info.Name, nil
}
