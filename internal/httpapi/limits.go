package httpapi

import (
	"errors"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/ratelimit"
)

// Limits are a Server's defences against abuse. They are kept in the
// memory of each instance: with N instances behind a load balancer a
// client may get up to N times a limit.
type Limits struct {
	// Rate is the rate limit of every API key whose partner has none of
	// its own; a PerSecond of 0 leaves such keys unlimited.
	Rate kyb.RateLimit
	// AuthFailures says when failed authentications block the client
	// address (on /api and /admin) or the API key id they came from.
	AuthFailures ratelimit.Policy
	// TrustedProxies are the proxies whose X-Forwarded-For header names
	// the client; by default no one's is believed.
	TrustedProxies []netip.Prefix
	// MaxInFlight is the most requests the server serves at once; one more
	// is answered 503 at once rather than queued. The health probes and the
	// OpenAPI document are not counted, so that a busy instance still says
	// it is alive. 0 is no limit.
	MaxInFlight int
	// Now is the limits' clock.
	Now func() time.Time
}

// DefaultLimits returns the limits of a Server given none.
func DefaultLimits() Limits {
	return Limits{Rate: kyb.DefaultRateLimit, AuthFailures: ratelimit.DefaultPolicy, Now: time.Now}
}

// maxBuckets bounds the rate limiter's memory. Only authenticated keys get
// a bucket, so there are rarely more than twice the partners.
const maxBuckets = 100000

// An Option changes a Server from its defaults.
type Option func(*Server)

// WithLimits sets the server's limits; a nil clock is the wall clock and a
// zero AuthFailures the default policy.
func WithLimits(l Limits) Option {
	return func(s *Server) {
		if l.Now == nil {
			l.Now = time.Now
		}
		if l.AuthFailures == (ratelimit.Policy{}) {
			l.AuthFailures = ratelimit.DefaultPolicy
		}
		s.limits = newLimiter(l)
	}
}

// Observer is told what the server does, for metrics. Its methods are
// called on the request path, concurrently, and must be quick.
type Observer interface {
	// Request is told of every answered request: its route pattern, such
	// as "POST /api/customers/create" ("unmatched" for none), its status
	// and how long it took.
	Request(route string, status int, elapsed time.Duration)
	// AuthFailed is told of every failed authentication on surface
	// "partner" (/api) or "operator" (/admin).
	AuthFailed(surface string)
	// Refused is told of every 429, for reason "rate_limit" (the key's
	// rate limit) or "auth_failures" (too many failed authentications).
	Refused(reason string)
}

// WithObserver has o told of every request.
func WithObserver(o Observer) Option {
	return func(s *Server) { s.observer = o }
}

type nopObserver struct{}

func (nopObserver) Request(string, int, time.Duration) {}
func (nopObserver) AuthFailed(string)                  {}
func (nopObserver) Refused(string)                     {}

// limiter enforces a Server's Limits.
type limiter struct {
	Limits
	buckets *ratelimit.Buckets
	// addrs and keys count failed authentications per client address
	// and per API key id, apart, so that a flood of made-up key ids
	// cannot push blocked addresses out of memory.
	addrs, keys *ratelimit.Throttle
	// inFlight holds a token for each request being served; nil for no
	// limit.
	inFlight chan struct{}
}

func newLimiter(l Limits) *limiter {
	lim := &limiter{Limits: l, buckets: ratelimit.NewBuckets(maxBuckets),
		addrs: ratelimit.NewThrottle(l.AuthFailures), keys: ratelimit.NewThrottle(l.AuthFailures)}
	if l.MaxInFlight > 0 {
		lim.inFlight = make(chan struct{}, l.MaxInFlight)
	}
	return lim
}

// uncounted are the paths MaxInFlight does not count: cheap, and what a
// load balancer or an operator asks a busy instance.
var uncounted = map[string]bool{"/healthz": true, "/readyz": true, "/openapi.json": true}

// errOverloaded answers a request over MaxInFlight.
var errOverloaded = &kyb.Error{Kind: kyb.KindUnavailable, Code: "overloaded",
	Message: "the server is serving as many requests as it can; retry after the seconds in Retry-After", RetryAfter: time.Second}

// enter counts r in flight, and returns the function that counts it out,
// or errOverloaded when MaxInFlight requests are already being served.
func (l *limiter) enter(r *http.Request) (leave func(), err error) {
	if l.inFlight == nil || uncounted[r.URL.Path] {
		return func() {}, nil
	}
	select {
	case l.inFlight <- struct{}{}:
		return func() { <-l.inFlight }, nil
	default:
		return nil, errOverloaded
	}
}

// applyOptions sets a new Server's defaults and then its options.
func (s *Server) applyOptions(opts []Option) {
	s.limits, s.observer = newLimiter(DefaultLimits()), nopObserver{}
	for _, o := range opts {
		o(s)
	}
}

// admit refuses a request from a client address blocked for failing to
// authenticate, before its credentials are looked at: a blocked address
// learns nothing, even with a right guess.
func (s *Server) admit(r *http.Request) error {
	if wait, blocked := s.limits.addrs.Blocked(s.limits.clientKey(r), s.limits.Now()); blocked {
		s.observer.Refused("auth_failures")
		return kyb.TooManyAuthFailures(wait)
	}
	return nil
}

// authFailed counts a failed authentication against the client address
// and the API key id (empty for operators) when credentials were presented,
// and returns the error to answer with. A key id already blocked answers
// 429 instead of 401, but only to wrong credentials: the right ones still
// work from an address that is not blocked, so that a key's holder is not
// locked out by whoever knows its id.
func (s *Server) authFailed(r *http.Request, surface, keyID string, presented bool, err error) error {
	if !errors.Is(err, kyb.ErrUnauthorized) {
		return err
	}
	s.observer.AuthFailed(surface)
	if !presented {
		return err
	}
	now := s.limits.Now()
	s.limits.addrs.Fail(s.limits.clientKey(r), now)
	if keyID == "" {
		return err
	}
	if wait, blocked := s.limits.keys.Fail(keyID, now); blocked {
		s.observer.Refused("auth_failures")
		return kyb.TooManyAuthFailures(wait)
	}
	return err
}

// takeToken charges a request to its API key's rate limit, the partner's
// own or the default, and says where the key stands in the X-RateLimit-*
// headers of the response: Limit is the burst, Remaining the requests left
// in it, Reset the seconds until it is whole again.
func (s *Server) takeToken(w http.ResponseWriter, key kyb.APIKey) error {
	rate := key.RateLimit
	if rate.IsZero() {
		rate = s.limits.Rate
	}
	if rate.PerSecond <= 0 {
		return nil
	}
	d := s.limits.buckets.Take(key.ID, ratelimit.Rate{PerSecond: rate.PerSecond, Burst: rate.Burst}, s.limits.Now())
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(d.Limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(d.Remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(wholeSeconds(d.Reset), 10))
	if !d.Allowed {
		s.observer.Refused("rate_limit")
		return kyb.RateLimited(d.RetryAfter)
	}
	return nil
}

// wholeSeconds rounds d up to whole seconds.
func wholeSeconds(d time.Duration) int64 {
	return int64(math.Ceil(d.Seconds()))
}

// clientKey names the client of a request for the failure throttle: its
// address, or for IPv6 its /64, which one host commonly holds whole.
func (l *limiter) clientKey(r *http.Request) string {
	addr := l.clientAddr(r)
	switch {
	case !addr.IsValid():
		return r.RemoteAddr
	case addr.Is6():
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}

// clientAddr returns the address a request comes from: the peer's, unless
// the peer is a trusted proxy; then the last address of X-Forwarded-For
// that is not a trusted proxy's, since a client may write anything before
// it.
func (l *limiter) clientAddr(r *http.Request) netip.Addr {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	addr := peer.Addr().Unmap()
	if !l.trusted(addr) {
		return addr
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0 && l.trusted(addr); i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		addr = hop.Unmap()
	}
	return addr
}

func (l *limiter) trusted(addr netip.Addr) bool {
	for _, p := range l.TrustedProxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
