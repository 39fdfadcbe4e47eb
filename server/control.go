package server

import (
	"net/http"
	"regexp"

	"github.com/stills/stills/store"
)

// Limits of the control-plane calls (botocore kinesisvideo shapes).
const (
	DefaultListStreamsMax = 10000
	MaxListStreamsMax     = 10000
)

var (
	mediaTypeRE = regexp.MustCompile(`^[\w\-.+]+/[\w\-.+]+(,[\w\-.+]+/[\w\-.+]+)*$`)
	apiNames    = map[string]bool{"PUT_MEDIA": true, "GET_MEDIA": true, "LIST_FRAGMENTS": true, "GET_MEDIA_FOR_FRAGMENT_LIST": true,
		"GET_HLS_STREAMING_SESSION_URL": true, "GET_DASH_STREAMING_SESSION_URL": true, "GET_CLIP": true, "GET_IMAGES": true}
)

type streamInfoOut struct {
	DeviceName           string  `json:"DeviceName,omitempty"`
	StreamName           string  `json:"StreamName"`
	StreamARN            string  `json:"StreamARN"`
	MediaType            string  `json:"MediaType,omitempty"`
	KmsKeyId             string  `json:"KmsKeyId,omitempty"`
	Version              string  `json:"Version"`
	Status               string  `json:"Status"`
	CreationTime         outTime `json:"CreationTime"`
	DataRetentionInHours int     `json:"DataRetentionInHours"`
}

func infoOut(s store.StreamInfo) streamInfoOut {
	return streamInfoOut{DeviceName: s.DeviceName, StreamName: s.Name, StreamARN: s.ARN, MediaType: s.MediaType,
		KmsKeyId: s.KmsKeyID, Version: s.Version, Status: "ACTIVE", CreationTime: outTime(s.CreationTime.UnixNano()),
		DataRetentionInHours: s.RetentionHours}
}

// getDataEndpoint answers this server's own URL: the data plane and the
// control plane are the same endpoint here.
func (s *Server) getDataEndpoint(w http.ResponseWriter, r *http.Request, body []byte) (string, error) {
	var in struct {
		streamRef
		APIName *string `json:"APIName"`
	}
	if err := decodeBody(body, &in); err != nil {
		return "", err
	}
	if in.APIName == nil || !apiNames[*in.APIName] {
		return "", invalidArg("APIName is required and must be one of GET_IMAGES, LIST_FRAGMENTS, GET_MEDIA_FOR_FRAGMENT_LIST, GET_CLIP, ...")
	}
	info, err := s.lookup(r.Context(), &in.streamRef)
	if err != nil {
		return "", err
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return info.Name, writeJSON(w, map[string]string{"DataEndpoint": scheme + "://" + r.Host})
}

func (s *Server) createStream(w http.ResponseWriter, r *http.Request, body []byte) (string, error) {
	var in struct {
		DeviceName           *string `json:"DeviceName"`
		StreamName           *string `json:"StreamName"`
		MediaType            *string `json:"MediaType"`
		KmsKeyId             *string `json:"KmsKeyId"`
		DataRetentionInHours *int64  `json:"DataRetentionInHours"`
	}
	if err := decodeBody(body, &in); err != nil {
		return "", err
	}
	if in.StreamName == nil || !streamNameRE.MatchString(*in.StreamName) {
		return "", invalidArg("StreamName is required: 1-256 characters of [a-zA-Z0-9_.-]")
	}
	ns := store.NewStream{Name: *in.StreamName}
	if in.DeviceName != nil {
		if len(*in.DeviceName) < 1 || len(*in.DeviceName) > 128 || !streamNameRE.MatchString(*in.DeviceName) {
			return "", invalidArg("DeviceName must be 1-128 characters of [a-zA-Z0-9_.-]")
		}
		ns.DeviceName = *in.DeviceName
	}
	if in.MediaType != nil {
		if len(*in.MediaType) > 128 || !mediaTypeRE.MatchString(*in.MediaType) {
			return "", invalidArg("MediaType %q must be a MIME type list such as video/h264", clipStr(*in.MediaType))
		}
		ns.MediaType = *in.MediaType
	}
	if in.KmsKeyId != nil {
		if len(*in.KmsKeyId) < 1 || len(*in.KmsKeyId) > 2048 {
			return "", invalidArg("KmsKeyId must be 1-2048 characters")
		}
		ns.KmsKeyID = *in.KmsKeyId
	}
	if in.DataRetentionInHours != nil {
		if *in.DataRetentionInHours < 0 || *in.DataRetentionInHours > 87600 {
			return "", invalidArg("DataRetentionInHours %d must be from 0 to 87600", *in.DataRetentionInHours)
		}
		ns.RetentionHours = int(*in.DataRetentionInHours)
	}
	info, err := s.cfg.Store.CreateStream(r.Context(), ns)
	if err != nil {
		return ns.Name, err
	}
	return info.Name, writeJSON(w, map[string]string{"StreamARN": info.ARN})
}

func (s *Server) describeStream(w http.ResponseWriter, r *http.Request, body []byte) (string, error) {
	var in streamRef
	if err := decodeBody(body, &in); err != nil {
		return "", err
	}
	info, err := s.lookup(r.Context(), &in)
	if err != nil {
		return "", err
	}
	return info.Name, writeJSON(w, map[string]any{"StreamInfo": infoOut(info)})
}

func (s *Server) listStreams(w http.ResponseWriter, r *http.Request, body []byte) (string, error) {
	var in struct {
		MaxResults          *int64  `json:"MaxResults"`
		NextToken           *string `json:"NextToken"`
		StreamNameCondition *struct {
			ComparisonOperator *string `json:"ComparisonOperator"`
			ComparisonValue    *string `json:"ComparisonValue"`
		} `json:"StreamNameCondition"`
	}
	if err := decodeBody(body, &in); err != nil {
		return "", err
	}
	limit := DefaultListStreamsMax
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > MaxListStreamsMax {
			return "", invalidArg("MaxResults %d must be from 1 to %d", *in.MaxResults, MaxListStreamsMax)
		}
		limit = int(*in.MaxResults)
	}
	prefix := ""
	if c := in.StreamNameCondition; c != nil {
		if c.ComparisonOperator == nil || *c.ComparisonOperator != "BEGINS_WITH" {
			return "", invalidArg("StreamNameCondition.ComparisonOperator must be BEGINS_WITH")
		}
		if c.ComparisonValue == nil || !streamNameRE.MatchString(*c.ComparisonValue) {
			return "", invalidArg("StreamNameCondition.ComparisonValue must be 1-256 characters of [a-zA-Z0-9_.-]")
		}
		prefix = *c.ComparisonValue
	}
	after := ""
	if in.NextToken != nil && *in.NextToken != "" {
		payload, err := HMACTokens{Key: s.listTok.Key, Domain: "ListStreams"}.Open(*in.NextToken)
		if err != nil {
			return "", invalidArg("NextToken was not issued by this server for ListStreams")
		}
		after = string(payload)
	}
	streams, err := s.cfg.Store.ListStreams(r.Context(), prefix, after, limit+1)
	if err != nil {
		return "", err
	}
	out := struct {
		StreamInfoList []streamInfoOut `json:"StreamInfoList"`
		NextToken      string          `json:"NextToken,omitempty"`
	}{StreamInfoList: []streamInfoOut{}}
	for i, st := range streams {
		if i == limit {
			tok, err := HMACTokens{Key: s.listTok.Key, Domain: "ListStreams"}.Seal([]byte(streams[i-1].Name))
			if err != nil {
				return "", err
			}
			out.NextToken = tok
			break
		}
		out.StreamInfoList = append(out.StreamInfoList, infoOut(st))
	}
	return "", writeJSON(w, &out)
}

func (s *Server) deleteStream(w http.ResponseWriter, r *http.Request, body []byte) (string, error) {
	var in struct {
		StreamARN      *string `json:"StreamARN"`
		CurrentVersion *string `json:"CurrentVersion"`
	}
	if err := decodeBody(body, &in); err != nil {
		return "", err
	}
	if in.StreamARN == nil {
		return "", invalidArg("StreamARN is required")
	}
	name, _, ok := store.ParseARN(*in.StreamARN)
	if !ok {
		return "", invalidArg("StreamARN %q is not of the form arn:<partition>:kinesisvideo:<region>:<account>:stream/<name>/<creation-ms>", clipStr(*in.StreamARN))
	}
	if in.CurrentVersion != nil {
		info, err := s.cfg.Store.Stream(r.Context(), name, *in.StreamARN)
		if err != nil {
			return name, err
		}
		if info.Version != *in.CurrentVersion {
			return name, apiErr("VersionMismatchException", "stream %s is at version %s, not %s", name, info.Version, *in.CurrentVersion)
		}
	}
	if err := s.cfg.Store.DeleteStream(r.Context(), *in.StreamARN); err != nil {
		return name, err
	}
	return name, writeJSON(w, struct{}{})
}
