package ratelimit

import (
	"sync"
	"time"
)

// Policy says when failures block a key, and for how long.
type Policy struct {
	// Failures within Window of the first of them block the key.
	Failures int
	Window   time.Duration
	// Block is how long the first block lasts; each further one doubles,
	// up to MaxBlock, until the key has had no failure for Forget.
	Block, MaxBlock time.Duration
	Forget          time.Duration
	// MaxKeys bounds how many keys are remembered.
	MaxKeys int
}

// DefaultPolicy blocks a key after 10 failures within a minute, for a
// minute, then 2, 4, 8 and at most 15 minutes while failures go on; a key
// quiet for an hour starts afresh.
var DefaultPolicy = Policy{Failures: 10, Window: time.Minute, Block: time.Minute, MaxBlock: 15 * time.Minute, Forget: time.Hour, MaxKeys: 10000}

// Throttle counts failures per key (a client address, an API key id) and
// blocks keys that fail too often. Blocks end by themselves.
type Throttle struct {
	policy Policy
	mu     sync.Mutex
	m      map[string]*record
	swept  time.Time
}

type record struct {
	start    time.Time // of the current window of failures
	failures int       // in the current window
	last     time.Time // the last failure
	blocks   int       // blocks so far, which lengthen the next
	until    time.Time // the end of the current block
}

// NewThrottle returns a throttle with policy p.
func NewThrottle(p Policy) *Throttle {
	return &Throttle{policy: p, m: make(map[string]*record)}
}

// Blocked reports whether key is blocked at now, and for how much longer.
func (t *Throttle) Blocked(key string, now time.Time) (time.Duration, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if r := t.m[key]; r != nil && now.Before(r.until) {
		return r.until.Sub(now), true
	}
	return 0, false
}

// Fail records a failure of key at now; the failure that reaches the
// policy's count starts a block. Like Blocked, it reports whether key was
// already blocked, in which case the failure does not count again.
func (t *Throttle) Fail(key string, now time.Time) (time.Duration, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.policy
	r := t.m[key]
	if r == nil {
		if !t.makeRoom(now) {
			return 0, false
		}
		r = &record{}
		t.m[key] = r
	}
	if now.Before(r.until) {
		return r.until.Sub(now), true
	}
	if now.Sub(r.last) >= p.Forget {
		r.blocks = 0
	}
	if r.failures == 0 || now.Sub(r.start) >= p.Window {
		r.start, r.failures = now, 0
	}
	r.failures++
	r.last = now
	if r.failures >= p.Failures {
		block := p.Block
		for i := 0; i < r.blocks && block < p.MaxBlock; i++ {
			block *= 2
		}
		r.until, r.failures = now.Add(min(block, p.MaxBlock)), 0
		r.blocks++
	}
	return 0, false
}

// makeRoom keeps the records under MaxKeys before one is added, and
// reports whether there is room. Forgotten keys go first; then keys that
// are neither blocked nor failing of late, whose next block will be short
// again. Blocked keys are never dropped: a key that cannot be remembered
// is not counted instead. Sweeps run at most once a second.
func (t *Throttle) makeRoom(now time.Time) bool {
	if len(t.m) < t.policy.MaxKeys {
		return true
	}
	if now.Sub(t.swept) < time.Second {
		return false
	}
	t.swept = now
	for k, r := range t.m {
		if now.Sub(r.last) >= t.policy.Forget && !now.Before(r.until) {
			delete(t.m, k)
		}
	}
	for k, r := range t.m {
		if len(t.m) < t.policy.MaxKeys {
			break
		}
		if !now.Before(r.until) && now.Sub(r.start) >= t.policy.Window {
			delete(t.m, k)
		}
	}
	return len(t.m) < t.policy.MaxKeys
}

// Len returns how many keys are remembered.
func (t *Throttle) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.m)
}
