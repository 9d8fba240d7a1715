// Package ratelimit keeps the abuse limits of one instance, in memory: a
// token bucket per API key, and a throttle that blocks clients and keys
// whose authentication keeps failing. Nothing is shared between instances,
// so nothing is added to the database's load; with N instances a client
// may get up to N times a limit. Every method takes the time, so tests
// need no sleeping.
package ratelimit

import (
	"math"
	"sync"
	"time"
)

// Rate is a token bucket: it holds up to Burst tokens and gains PerSecond
// of them a second; each request takes one. PerSecond must be above 0 and
// Burst at least 1.
type Rate struct {
	PerSecond float64
	Burst     int
}

// Decision is the outcome of taking a token.
type Decision struct {
	Allowed bool
	// Limit is the bucket's size; Remaining the whole tokens left in it.
	Limit, Remaining int
	// RetryAfter is, when the request is refused, how long until the
	// bucket holds a token again.
	RetryAfter time.Duration
	// Reset is how long until the bucket is full again.
	Reset time.Duration
}

// Buckets holds a token bucket per key, for at most max keys.
type Buckets struct {
	max int
	mu  sync.Mutex
	m   map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time // when tokens was last brought up to date
	full   time.Time // when the bucket will be full, as good as new
}

// NewBuckets returns buckets for up to max keys. Beyond that, buckets
// that have filled up are dropped (a new one is the same), and then, if
// need be, others: their keys start again with a full bucket.
func NewBuckets(max int) *Buckets {
	return &Buckets{max: max, m: make(map[string]*bucket)}
}

// Take takes a token from key's bucket, which refills at r, if it has one.
// A change of r applies at once to the tokens the bucket holds.
func (b *Buckets) Take(key string, r Rate, now time.Time) Decision {
	b.mu.Lock()
	defer b.mu.Unlock()
	size := float64(r.Burst)
	bk := b.m[key]
	if bk == nil {
		b.makeRoom(now)
		bk = &bucket{tokens: size, at: now}
		b.m[key] = bk
	}
	if now.After(bk.at) {
		bk.tokens += now.Sub(bk.at).Seconds() * r.PerSecond
		bk.at = now
	}
	bk.tokens = min(bk.tokens, size)
	d := Decision{Limit: r.Burst}
	if bk.tokens >= 1 {
		bk.tokens--
		d.Allowed = true
	} else {
		d.RetryAfter = refill(1-bk.tokens, r.PerSecond)
	}
	d.Remaining = int(bk.tokens)
	d.Reset = refill(size-bk.tokens, r.PerSecond)
	bk.full = now.Add(d.Reset)
	return d
}

// refill returns how long perSecond takes to add tokens.
func refill(tokens, perSecond float64) time.Duration {
	return time.Duration(math.Ceil(tokens / perSecond * float64(time.Second)))
}

// makeRoom keeps the buckets under max before one is added.
func (b *Buckets) makeRoom(now time.Time) {
	if len(b.m) < b.max {
		return
	}
	for k, bk := range b.m {
		if !now.Before(bk.full) {
			delete(b.m, k)
		}
	}
	for k := range b.m {
		if len(b.m) < b.max {
			break
		}
		delete(b.m, k)
	}
}

// Len returns how many buckets are held.
func (b *Buckets) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.m)
}
