package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/stills/stills"
	"github.com/stills/stills/store"
)

// API error names (SPEC §2, botocore's error shapes).
const (
	errInvalidArgument   = "InvalidArgumentException"
	errClientLimit       = "ClientLimitExceededException"
	errNotFound          = "ResourceNotFoundException"
	errNotAuthorized     = "NotAuthorizedException"
	errNoDataRetention   = "NoDataRetentionException"
	errResourceInUse     = "ResourceInUseException"
	errUnsupportedMedia  = "UnsupportedStreamMediaTypeException"
	errMissingCodecPriv  = "MissingCodecPrivateDataException"
	errInvalidCodecPriv  = "InvalidCodecPrivateDataException"
	errInternal          = "InternalFailure" // AWS's generic 500 name
	errUnknownOperation  = "UnknownOperationException"
	errServiceUnavailabe = "ServiceUnavailable"
)

// apiError is an error answered to the client.
type apiError struct {
	Name    string
	Message string
	Status  int
}

func (e *apiError) Error() string { return e.Name + ": " + e.Message }

func statusOf(name string) int {
	switch name {
	case errNotFound, errUnknownOperation:
		return http.StatusNotFound
	case errNotAuthorized:
		return http.StatusUnauthorized
	case errInternal:
		return http.StatusInternalServerError
	case errServiceUnavailabe:
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}

func apiErr(name, format string, a ...any) *apiError {
	return &apiError{Name: name, Message: fmt.Sprintf(format, a...), Status: statusOf(name)}
}

func invalidArg(format string, a ...any) *apiError { return apiErr(errInvalidArgument, format, a...) }

// toAPIError maps any error to the API error a client sees.
func toAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var se *stills.Error
	if errors.As(err, &se) {
		return &apiError{Name: se.Name, Message: se.Message, Status: statusOf(se.Name)}
	}
	switch {
	case errors.Is(err, store.ErrStreamNotFound):
		return apiErr(errNotFound, "%v", err)
	case errors.Is(err, store.ErrFragmentNotFound):
		return apiErr(errNotFound, "%v", err)
	case errors.Is(err, store.ErrStreamExists):
		return apiErr(errResourceInUse, "%v", err)
	case errors.Is(err, store.ErrInvalid):
		return apiErr(errInvalidArgument, "%v", err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return apiErr(errServiceUnavailabe, "request cancelled or timed out: %v", err)
	}
	return apiErr(errInternal, "internal error: %v", err)
}

// writeError answers e as AWS restJson does.
func writeError(w http.ResponseWriter, e *apiError) {
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{e.Name, e.Message})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("x-amzn-ErrorType", e.Name)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Status)
	w.Write(body)
}
