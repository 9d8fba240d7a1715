package ratelimit_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/internal/ratelimit"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestBucketsAllowBurstThenRate(t *testing.T) {
	b := ratelimit.NewBuckets(100)
	r := ratelimit.Rate{PerSecond: 2, Burst: 5}
	for i := range 5 {
		d := b.Take("ak_a", r, t0)
		if !d.Allowed || d.Limit != 5 || d.Remaining != 4-i {
			t.Fatalf("request %d = %+v, want allowed with %d remaining of 5", i+1, d, 4-i)
		}
	}
	d := b.Take("ak_a", r, t0)
	if d.Allowed || d.Remaining != 0 || d.RetryAfter != 500*time.Millisecond || d.Reset != 2500*time.Millisecond {
		t.Errorf("request over the burst = %+v, want refused, retry after 500ms, full after 2.5s", d)
	}
	// Another key has its own bucket.
	if d := b.Take("ak_b", r, t0); !d.Allowed || d.Remaining != 4 {
		t.Errorf("another key = %+v, want allowed with 4 remaining", d)
	}
	// Half a second later one token is back, and only one.
	if d := b.Take("ak_a", r, t0.Add(500*time.Millisecond)); !d.Allowed || d.Remaining != 0 {
		t.Errorf("after 500ms = %+v, want allowed with 0 remaining", d)
	}
	if d := b.Take("ak_a", r, t0.Add(500*time.Millisecond)); d.Allowed {
		t.Errorf("a second request after 500ms = %+v, want refused", d)
	}
	// A long pause refills the bucket to its size, no more.
	if d := b.Take("ak_a", r, t0.Add(time.Hour)); !d.Allowed || d.Remaining != 4 || d.Reset != 500*time.Millisecond {
		t.Errorf("after an hour = %+v, want allowed with 4 remaining, full again in 500ms", d)
	}
}

func TestBucketsFollowAChangedRate(t *testing.T) {
	b := ratelimit.NewBuckets(100)
	b.Take("ak_a", ratelimit.Rate{PerSecond: 100, Burst: 100}, t0)
	// A smaller bucket holds at most its size at once.
	small := ratelimit.Rate{PerSecond: 1, Burst: 2}
	for i := range 2 {
		if d := b.Take("ak_a", small, t0); !d.Allowed || d.Limit != 2 {
			t.Fatalf("request %d under the new rate = %+v, want allowed of 2", i+1, d)
		}
	}
	if d := b.Take("ak_a", small, t0); d.Allowed || d.RetryAfter != time.Second {
		t.Errorf("third request under the new rate = %+v, want refused for 1s", d)
	}
}

func TestBucketsAreBounded(t *testing.T) {
	b := ratelimit.NewBuckets(10)
	r := ratelimit.Rate{PerSecond: 1, Burst: 3}
	for i := range 50 {
		b.Take(fmt.Sprint("ak_", i), r, t0)
	}
	if n := b.Len(); n > 10 {
		t.Errorf("%d buckets held, want at most 10", n)
	}
	// Full buckets go first: after they refill, a new key displaces them
	// rather than a busy one.
	b = ratelimit.NewBuckets(3)
	for range 3 {
		b.Take("busy", r, t0)
	}
	b.Take("idle1", r, t0)
	b.Take("idle2", r, t0)
	later := t0.Add(1500 * time.Millisecond) // idle buckets are full again; busy is not
	b.Take("new", r, later)
	if d := b.Take("busy", r, later); d.Remaining != 0 {
		t.Errorf("busy key after another key came = %+v, want its own bucket kept (0 remaining)", d)
	}
}
