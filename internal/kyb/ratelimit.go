package kyb

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/onboardkyb/onboard/api"
)

// RateLimit is how fast one API key may call the API: PerSecond requests a
// second on average, with bursts of up to Burst requests. The zero value
// stands for the service's default.
type RateLimit struct {
	PerSecond float64
	Burst     int
}

// DefaultRateLimit is the rate limit of every API key whose partner has
// none of its own, unless the service is configured otherwise: room for a
// partner's burst of 100 requests, such as 50 concurrent creates with their
// retries, and 50 a second after that.
var DefaultRateLimit = RateLimit{PerSecond: 50, Burst: 100}

// The largest rate limit an operator may give a partner.
const (
	MaxRequestsPerSecond = 10000
	MaxBurst             = 100000
)

// IsZero reports whether l is the zero value, the service's default.
func (l RateLimit) IsZero() bool { return l == RateLimit{} }

// String describes the limit for the audit trail and the command line.
func (l RateLimit) String() string {
	if l.IsZero() {
		return "the default rate limit"
	}
	return fmt.Sprintf("%s requests per second, bursts of %d", strconv.FormatFloat(l.PerSecond, 'f', -1, 64), l.Burst)
}

// ParseRateLimit reads an operator's setting of a partner's rate limit
// from the text of its two numbers, as sent to the admin API or given on
// the command line, and returns it or every field in error.
func ParseRateLimit(requestsPerSecond, burst string) (RateLimit, error) {
	var ch checker
	var l RateLimit
	if requestsPerSecond == "" {
		ch.add("requests_per_second", api.CodeRequired, "is required")
	} else if f, err := strconv.ParseFloat(requestsPerSecond, 64); err != nil || math.IsNaN(f) || f <= 0 || f > MaxRequestsPerSecond {
		ch.add("requests_per_second", api.CodeInvalidValue, fmt.Sprintf("must be a number above 0 and at most %d", MaxRequestsPerSecond))
	} else {
		l.PerSecond = f
	}
	if burst == "" {
		ch.add("burst", api.CodeRequired, "is required")
	} else if n, err := strconv.Atoi(burst); err != nil || n < 1 || n > MaxBurst {
		ch.add("burst", api.CodeInvalidValue, fmt.Sprintf("must be a whole number from 1 to %d", MaxBurst))
	} else {
		l.Burst = n
	}
	if len(ch.errs) > 0 {
		return RateLimit{}, Invalid(ch.errs)
	}
	return l, nil
}

// ActionPartnerRateLimitChanged records an operator setting or removing a
// partner's rate limit; the audit event's reason describes the new limit.
const ActionPartnerRateLimitChanged = "partner.rate_limit_changed"

// RateLimitStore keeps the rate limits operators give partners. The stores
// also return a partner's limit with each of its API keys (APIKey.RateLimit),
// so that authentication learns it without another query.
type RateLimitStore interface {
	// SetPartnerRateLimit stores a partner's limit, or removes it when l
	// is zero, together with the audit event.
	SetPartnerRateLimit(ctx context.Context, partnerID string, l RateLimit, audit AuditEvent) error
	// PartnerRateLimit returns a partner's limit, zero when it has none.
	PartnerRateLimit(ctx context.Context, partnerID string) (RateLimit, error)
}

// SetRateLimit gives a partner's keys their own rate limit, or back the
// default when l is zero. This instance applies it at once; the others when
// their cached keys expire, within KeyCacheTTL.
func (s *Service) SetRateLimit(ctx context.Context, actor Actor, partnerID string, l RateLimit) error {
	audit := newAuditEvent(s.Now().UTC(), actor, ActionPartnerRateLimitChanged)
	audit.PartnerID, audit.Reason = partnerID, l.String()
	if err := s.store.SetPartnerRateLimit(ctx, partnerID, l, audit); err != nil {
		return fmt.Errorf("set rate limit of %s: %w", partnerID, err)
	}
	s.keys.forgetPartner(partnerID)
	return nil
}

// forgetPartner drops a partner's keys from this instance's cache.
func (c *keyCache) forgetPartner(partnerID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, e := range c.entries {
		if e.key.PartnerID == partnerID {
			delete(c.entries, id)
		}
	}
}

// RateLimited is the answer to a request over its key's rate limit.
func RateLimited(retryAfter time.Duration) *Error {
	return &Error{Kind: KindRateLimited, Code: "rate_limited", Message: "too many requests for this API key; retry after the seconds in Retry-After", RetryAfter: retryAfter}
}

// TooManyAuthFailures is the answer to a client, or about an API key, that
// failed authentication too often of late.
func TooManyAuthFailures(retryAfter time.Duration) *Error {
	return &Error{Kind: KindRateLimited, Code: "too_many_auth_failures", Message: "too many failed authentication attempts; retry after the seconds in Retry-After", RetryAfter: retryAfter}
}

// PartnerRateLimit returns the limit an operator gave a partner, zero when
// it has the default.
func (s *Service) PartnerRateLimit(ctx context.Context, partnerID string) (RateLimit, error) {
	return s.store.PartnerRateLimit(ctx, partnerID)
}
