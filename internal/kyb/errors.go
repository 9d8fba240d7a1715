package kyb

import (
	"errors"
	"fmt"
	"time"

	"github.com/onboardkyb/onboard/api"
)

// Kind classifies an error by what the caller can do about it. The HTTP
// layer maps each kind to one status code; nothing else inspects kinds.
type Kind string

// The error vocabulary of the service.
const (
	KindInvalid      Kind = "invalid"      // the request is wrong; fix it and retry
	KindUnauthorized Kind = "unauthorized" // credentials missing or wrong
	KindForbidden    Kind = "forbidden"    // authenticated, but not allowed this
	KindNotFound     Kind = "not_found"    // no such thing visible to the caller
	KindConflict     Kind = "conflict"     // the request clashes with current state
	// KindPreconditionFailed: a condition of the request (If-Match) does
	// not hold.
	KindPreconditionFailed Kind = "precondition_failed"
	KindTooLarge           Kind = "too_large"    // the content is over a size limit
	KindUnsupported        Kind = "unsupported"  // the content is of a kind we do not accept
	KindRateLimited        Kind = "rate_limited" // slow down
	KindUnavailable        Kind = "unavailable"  // a dependency is down; retry later
	KindInternal           Kind = "internal"     // a bug or an unexpected failure
)

// Error is an error the service reports to its callers. Code is a stable,
// machine-readable identifier; Message is safe to show to a partner.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	// Fields lists every invalid field when Kind is KindInvalid.
	Fields []api.FieldError
	// CustomerID names the existing customer a conflict is about.
	CustomerID string
	// RetryAfter is how long a rate-limited caller should wait.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %d invalid field(s), first %s: %s", e.Message, len(e.Fields), e.Fields[0].Field, e.Fields[0].Message)
	}
	return e.Message
}

// Is reports whether target is an *Error of the same kind, so that
// errors.Is(err, kyb.ErrNotFound) matches every not-found error.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && (t.Code == "" || t.Code == e.Code)
}

// Sentinels for errors.Is; they match any *Error of their kind.
var (
	ErrInvalid      = &Error{Kind: KindInvalid}
	ErrUnauthorized = &Error{Kind: KindUnauthorized}
	ErrNotFound     = &Error{Kind: KindNotFound}
	ErrConflict     = &Error{Kind: KindConflict}
	ErrUnavailable  = &Error{Kind: KindUnavailable}
)

// NotFound returns a not-found error for a thing, e.g. NotFound("customer").
func NotFound(what string) *Error {
	return &Error{Kind: KindNotFound, Code: "not_found", Message: what + " not found"}
}

// Conflict returns a conflict error with the given code and message.
func Conflict(code, message string) *Error {
	return &Error{Kind: KindConflict, Code: code, Message: message}
}

// Unavailable wraps a failure of a dependency (the database) that a retry
// may cure.
func Unavailable(err error) error {
	return fmt.Errorf("%w: %w", &Error{Kind: KindUnavailable, Code: "service_unavailable", Message: "the service is temporarily unavailable; retry later"}, err)
}

// ErrorKind returns the kind of err, KindInternal for errors outside the
// vocabulary.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// MaxFieldErrors bounds the fields one error lists. A body within the
// profile's limits never has that many problems; one built to have more (a
// list of 200 000 numbers where strings belong) gets the first ones, not a
// response many times its size.
const MaxFieldErrors = 1000

// Invalid returns a validation error listing every failing field, up to
// MaxFieldErrors of them.
func Invalid(fields []api.FieldError) *Error {
	return &Error{Kind: KindInvalid, Code: "invalid_request", Message: "the request has invalid fields", Fields: fields[:min(len(fields), MaxFieldErrors)]}
}

// InvalidRequest returns a validation error that is about the request as a
// whole rather than one field.
func InvalidRequest(code, message string) *Error {
	return &Error{Kind: KindInvalid, Code: code, Message: message}
}
