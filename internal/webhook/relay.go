package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// Schedule says when a failed delivery is tried again: after Initial,
// doubling each time up to Max, each delay varied by up to ±20% so that
// retries of many events do not arrive together; once GiveUpAfter has
// passed since the event, the next failure is final.
type Schedule struct {
	Initial     time.Duration
	Max         time.Duration
	GiveUpAfter time.Duration
}

// DefaultSchedule retries for a day: 5s, 10s, 20s … then hourly.
var DefaultSchedule = Schedule{Initial: 5 * time.Second, Max: time.Hour, GiveUpAfter: 24 * time.Hour}

// next returns when to try again after the attempt-th failure of an event
// created at created, or false when the delivery has failed for good.
func (s Schedule) next(attempt int, created, now time.Time) (time.Time, bool) {
	if now.Sub(created) >= s.GiveUpAfter {
		return time.Time{}, false
	}
	delay := s.Initial
	for i := 1; i < attempt && delay < s.Max; i++ {
		delay *= 2
	}
	delay = min(delay, s.Max)
	jitter := time.Duration((rand.Float64()*0.4 - 0.2) * float64(delay))
	return now.Add(delay + jitter), true
}

// Store is the part of the outbox the relay works on: it claims due
// deliveries and records how each attempt went. Every kyb.Store is one.
type Store interface {
	ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]kyb.Job, error)
	RecordAttempt(ctx context.Context, eventID, endpointID string, claim int, a kyb.Attempt, status kyb.DeliveryStatus, next time.Time) error
}

var _ Store = kyb.Store(nil)

// Options configure a Relay.
type Options struct {
	Store  Store
	Cipher *kyb.Cipher // opens endpoint secrets
	Log    *slog.Logger
	// Timeout bounds one delivery: an answer must come within it.
	Timeout  time.Duration
	Schedule Schedule
	// Workers is how many deliveries are in flight at once.
	Workers int
	// Poll is how often the outbox is checked when nothing nudges it.
	Poll time.Duration
	// AllowPrivate permits endpoints on loopback and private addresses,
	// for local development and tests.
	AllowPrivate bool
	Now          func() time.Time
	// OnAttempt, when set, is told the outcome of every attempt, one of
	// OutcomeSucceeded, OutcomeRetry and OutcomeFailed, for metrics.
	OnAttempt func(outcome string)
}

// Relay drains the outbox: it claims due deliveries, sends them signed,
// and records each attempt. Several relays (one per instance) may share a
// database; leases keep them from sending the same delivery at once.
type Relay struct {
	opts   Options
	client *http.Client
	wake   chan struct{}
}

// New returns a relay; Run starts it.
func New(opts Options) *Relay {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.Poll <= 0 {
		opts.Poll = time.Second
	}
	transport := &http.Transport{
		DialContext:           newDialer(opts.AllowPrivate, opts.Timeout).DialContext,
		TLSHandshakeTimeout:   opts.Timeout,
		ResponseHeaderTimeout: opts.Timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	client := &http.Client{
		Transport: transport,
		Timeout:   opts.Timeout,
		// A redirect could lead anywhere, including inside our network:
		// it counts as a failed delivery.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &Relay{opts: opts, client: client, wake: make(chan struct{}, 1)}
}

// Notify nudges the relay to look at the outbox now, after a commit that
// added events.
func (r *Relay) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends, then waits for deliveries in flight.
func (r *Relay) Run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	slots := make(chan struct{}, r.opts.Workers)
	var claimed time.Time
	for {
		free := r.opts.Workers - len(slots)
		var jobs []kyb.Job
		if free > 0 {
			var err error
			claimed = time.Now()
			jobs, err = r.opts.Store.ClaimDeliveries(ctx, r.opts.Now(), r.lease(), free)
			if err != nil && ctx.Err() == nil {
				r.opts.Log.Warn("webhook relay: claim deliveries", "error", err.Error())
			}
		}
		for _, job := range jobs {
			slots <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-slots; wg.Done(); r.Notify() }()
				r.deliver(ctx, job)
			}()
		}
		if len(jobs) == free && free > 0 {
			continue // there may be more waiting
		}
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
			// Every change nudges the relay. Under a stream of changes,
			// claiming at most every minClaimInterval lets many share
			// one query, rather than each costing the database one.
			if wait := minClaimInterval - time.Since(claimed); wait > 0 {
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
			}
		case <-time.After(r.opts.Poll):
		}
	}
}

// minClaimInterval spaces claims that nudges prompt.
const minClaimInterval = 10 * time.Millisecond

// lease is how long a claimed delivery stays with its worker: long enough
// to send it and record the outcome, short enough that a crashed worker's
// deliveries come back soon.
func (r *Relay) lease() time.Duration { return 2*r.opts.Timeout + time.Second }

// deliver sends one delivery and records the outcome.
func (r *Relay) deliver(ctx context.Context, job kyb.Job) {
	start := r.opts.Now()
	attempt := kyb.Attempt{At: start}
	code, err := r.send(ctx, job)
	attempt.StatusCode, attempt.Latency = code, r.opts.Now().Sub(start)
	status, next := kyb.DeliverySucceeded, time.Time{}
	detail := ""
	if err != nil {
		attempt.Error, detail = errorClass(code, err), err.Error()
		var retry bool
		if next, retry = r.opts.Schedule.next(job.Attempt, job.Event.CreatedAt, r.opts.Now()); retry {
			status = kyb.DeliveryPending
		} else {
			status = kyb.DeliveryFailed
		}
	}
	if r.opts.OnAttempt != nil {
		r.opts.OnAttempt(outcome(status))
	}
	// Record even if shutting down: the attempt happened.
	recordCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := r.opts.Store.RecordAttempt(recordCtx, job.Event.ID, job.Endpoint.ID, job.Attempt, attempt, status, next); err != nil {
		r.opts.Log.Error("webhook relay: record attempt", "event_id", job.Event.ID, "endpoint_id", job.Endpoint.ID, "error", err.Error())
		return
	}
	r.opts.Log.Info("webhook delivery", "event_id", job.Event.ID, "endpoint_id", job.Endpoint.ID, "partner_id", job.Event.PartnerID,
		"attempt", job.Attempt, "status_code", code, "outcome", string(status), "latency_ms", attempt.Latency.Milliseconds(), "error", attempt.Error, "detail", detail)
}

// signingSecrets opens the endpoint's secret and, while its grace after a
// rotation lasts, the one it replaced.
func (r *Relay) signingSecrets(e kyb.Endpoint) ([]string, error) {
	sealed := []string{e.Secret}
	if e.PreviousSecret != "" && r.opts.Now().Before(e.PreviousSecretExpiresAt) {
		sealed = append(sealed, e.PreviousSecret)
	}
	secrets := make([]string, len(sealed))
	for i, s := range sealed {
		secret, err := r.opts.Cipher.Open(e.ID, []byte(s))
		if err != nil {
			return nil, fmt.Errorf("%w: open endpoint secret: %w", errInternal, err)
		}
		secrets[i] = string(secret)
	}
	return secrets, nil
}

// send posts the event to the endpoint and returns the status code; any
// answer but a 2xx is an error.
func (r *Relay) send(ctx context.Context, job kyb.Job) (int, error) {
	secrets, err := r.signingSecrets(job.Endpoint)
	if err != nil {
		return 0, err
	}
	body := job.Event.Body()
	now := r.opts.Now().Unix()
	// One signature per secret, space-separated as Standard Webhooks
	// allows: a receiver verifying with either secret finds its own.
	var standard, plain []string
	for _, secret := range secrets {
		sig, err := api.StandardSignature(secret, job.Event.ID, now, body)
		if err != nil {
			return 0, fmt.Errorf("%w: %w", errInternal, err)
		}
		standard, plain = append(standard, sig), append(plain, api.BodySignature(secret, body))
	}
	ctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, job.Endpoint.URL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("%w: build request: %w", errInternal, err)
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "onboard-webhooks/1")
	h.Set(api.HeaderSignature, strings.Join(plain, " "))
	h.Set(api.HeaderID, job.Event.ID)
	h.Set(api.HeaderTimestamp, strconv.FormatInt(now, 10))
	h.Set(api.HeaderStandardSignature, strings.Join(standard, " "))
	resp, err := r.client.Do(req)
	if errors.Is(err, ErrForbiddenAddress) {
		return 0, ErrForbiddenAddress
	}
	if err != nil {
		return 0, fmt.Errorf("post: %w", errors.Unwrap(err)) // unwrapped: the URL is in the record already
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, fmt.Errorf("endpoint answered %d", resp.StatusCode)
	}
	return resp.StatusCode, nil
}
