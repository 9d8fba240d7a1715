package ratelimit_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/internal/ratelimit"
)

var policy = ratelimit.Policy{Failures: 3, Window: time.Minute, Block: time.Minute, MaxBlock: 5 * time.Minute, Forget: time.Hour, MaxKeys: 100}

// failN records n failures of key at now and reports whether any found it
// blocked.
func failN(th *ratelimit.Throttle, key string, n int, now time.Time) bool {
	blocked := false
	for range n {
		_, b := th.Fail(key, now)
		blocked = blocked || b
	}
	return blocked
}

func TestThrottleBlocksAfterFailuresAndExpires(t *testing.T) {
	th := ratelimit.NewThrottle(policy)
	if failN(th, "ip:192.0.2.1", 2, t0) {
		t.Fatal("blocked before the third failure")
	}
	if _, blocked := th.Blocked("ip:192.0.2.1", t0); blocked {
		t.Fatal("blocked after 2 failures, want 3")
	}
	if failN(th, "ip:192.0.2.1", 1, t0) {
		t.Fatal("the failure that starts the block reports an earlier block")
	}
	if d, blocked := th.Blocked("ip:192.0.2.1", t0.Add(10*time.Second)); !blocked || d != 50*time.Second {
		t.Errorf("Blocked 10s into the block = %v, %t; want 50s, true", d, blocked)
	}
	if d, blocked := th.Fail("ip:192.0.2.1", t0.Add(10*time.Second)); !blocked || d != 50*time.Second {
		t.Errorf("Fail during the block = %v, %t; want 50s, true", d, blocked)
	}
	if _, blocked := th.Blocked("ip:192.0.2.2", t0); blocked {
		t.Error("another key is blocked")
	}
	if _, blocked := th.Blocked("ip:192.0.2.1", t0.Add(time.Minute)); blocked {
		t.Error("still blocked when the block has ended")
	}
}

func TestThrottleCountsWithinAWindow(t *testing.T) {
	th := ratelimit.NewThrottle(policy)
	failN(th, "k", 2, t0)
	failN(th, "k", 2, t0.Add(2*time.Minute)) // the first two have expired
	if _, blocked := th.Blocked("k", t0.Add(2*time.Minute)); blocked {
		t.Error("failures in two windows added up")
	}
}

func TestThrottleBlocksGrowUpToACap(t *testing.T) {
	th := ratelimit.NewThrottle(policy)
	now := t0
	for _, want := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 5 * time.Minute, 5 * time.Minute} {
		failN(th, "k", 3, now)
		d, blocked := th.Blocked("k", now)
		if !blocked || d != want {
			t.Fatalf("block = %v, %t; want %v", d, blocked, want)
		}
		now = now.Add(d)
	}
	// After an hour without failures, the next block is short again.
	now = now.Add(time.Hour)
	failN(th, "k", 3, now)
	if d, _ := th.Blocked("k", now); d != time.Minute {
		t.Errorf("block after an hour's quiet = %v, want 1m", d)
	}
}

func TestThrottleIsBounded(t *testing.T) {
	p := policy
	p.MaxKeys = 10
	th := ratelimit.NewThrottle(p)
	for i := range 10 {
		failN(th, fmt.Sprint("blocked-", i), 3, t0)
	}
	// Full of blocked keys: new keys are not counted, and blocked ones stay.
	failN(th, "new", 5, t0.Add(time.Second))
	if n := th.Len(); n != 10 {
		t.Errorf("%d keys remembered, want 10", n)
	}
	if _, blocked := th.Blocked("blocked-0", t0.Add(2*time.Second)); !blocked {
		t.Error("a blocked key was dropped to make room")
	}
	// Once the blocks and their windows are over, new keys take their place.
	later := t0.Add(2 * time.Minute)
	failN(th, "new", 3, later)
	if _, blocked := th.Blocked("new", later); !blocked {
		t.Error("a new key is not counted once there is room again")
	}
	if n := th.Len(); n > 10 {
		t.Errorf("%d keys remembered, want at most 10", n)
	}
}
