package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// statusError is an error of the HTTP layer itself (wrong method, body too
// large, wrong media type) that has no place in the domain vocabulary.
type statusError struct {
	status  int
	code    string
	message string
}

func (e *statusError) Error() string { return e.message }

var (
	errNotFound         = &statusError{http.StatusNotFound, "not_found", "no such endpoint"}
	errMethodNotAllowed = &statusError{http.StatusMethodNotAllowed, "method_not_allowed", "the endpoint does not support this method"}
	errTooLarge         = &statusError{http.StatusRequestEntityTooLarge, "request_too_large", fmt.Sprintf("the request body is larger than %d KiB", MaxJSONBodyBytes>>10)}
	errMediaType        = &statusError{http.StatusUnsupportedMediaType, "unsupported_media_type", "the request body must be sent as Content-Type: application/json"}
	// errInternal stands for a recovered panic; it renders as a plain 500.
	errInternal = errors.New("handler panicked")
)

// kindStatus is the one table from error kinds to HTTP statuses.
var kindStatus = map[kyb.Kind]int{
	kyb.KindInvalid:            http.StatusBadRequest,
	kyb.KindUnauthorized:       http.StatusUnauthorized,
	kyb.KindForbidden:          http.StatusForbidden,
	kyb.KindNotFound:           http.StatusNotFound,
	kyb.KindConflict:           http.StatusConflict,
	kyb.KindPreconditionFailed: http.StatusPreconditionFailed,
	kyb.KindTooLarge:           http.StatusRequestEntityTooLarge,
	kyb.KindUnsupported:        http.StatusUnsupportedMediaType,
	kyb.KindRateLimited:        http.StatusTooManyRequests,
	kyb.KindUnavailable:        http.StatusServiceUnavailable,
	kyb.KindInternal:           http.StatusInternalServerError,
}

// writeError is the one place where an error becomes an HTTP response.
// Internal failures are logged with the request's fields and reach the
// client only as a generic message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	info := infoFrom(r.Context())
	body := api.ErrorInfo{RequestID: info.id}
	var status int
	var se *statusError
	var ke *kyb.Error
	if errors.Is(err, context.DeadlineExceeded) && kyb.ErrorKind(err) == kyb.KindInternal {
		// A database call that ran out of time, wherever it was not
		// classified: the database is slow or unreachable, a retry may pass.
		err = kyb.Unavailable(err)
	}
	switch {
	case errors.As(err, &se):
		status, body.Code, body.Message = se.status, se.code, se.message
	case errors.As(err, &ke) && ke.Kind != kyb.KindInternal:
		status = kindStatus[ke.Kind]
		body.Code, body.Message, body.Details, body.CustomerID = ke.Code, ke.Message, ke.Fields, ke.CustomerID
		if ke.Kind == kyb.KindUnavailable {
			w.Header().Set("Retry-After", "2")
		}
		if ke.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.FormatInt(max(1, wholeSeconds(ke.RetryAfter)), 10))
		}
	default:
		status, body.Code, body.Message = http.StatusInternalServerError, "internal_error", "an internal error occurred; quote the request_id when you contact support"
	}
	// An overloaded instance says so in the access log line alone: an error
	// line per refused request would add to the load it refuses.
	if status >= 500 && err != errOverloaded {
		s.log.LogAttrs(r.Context(), slog.LevelError, "request failed", slog.String("request_id", info.id), slog.String("error", err.Error()))
	}
	writeJSON(w, status, api.ErrorResponse{Error: body})
}
