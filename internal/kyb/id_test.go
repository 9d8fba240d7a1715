package kyb

import (
	"math/big"
	"testing"
	"time"
)

func TestNewIDAscendsWithinAMillisecond(t *testing.T) {
	now := time.Now()
	prev := NewID(PrefixCustomer, now)
	steps := map[string]bool{}
	const n = 10000
	for range n {
		id := NewID(PrefixCustomer, now)
		if !IsID(id, PrefixCustomer) {
			t.Fatalf("NewID = %q, not cus_ + 32 hex", id)
		}
		if id <= prev {
			t.Fatalf("NewID = %s after %s, want ascending", id, prev)
		}
		if id[4:16] != prev[4:16] {
			t.Fatalf("NewID = %s after %s in the same millisecond, want the same time prefix", id, prev)
		}
		steps[step(t, prev, id).String()] = true
		prev = id
	}
	// Each id draws fresh random bits: the step from one to the next is
	// not one, nor any fixed amount (48 random bits: a repeat among 10 000
	// is a one in 10^7 chance).
	if len(steps) < n-1 || steps["1"] {
		t.Errorf("%d distinct steps between %d ids made in one millisecond, want all different and none of 1", len(steps), n)
	}
	later := NewID(PrefixCustomer, now.Add(time.Second))
	if later <= prev || later[4:16] == prev[4:16] {
		t.Errorf("id a second later = %s, want a later time prefix than %s", later, prev)
	}
}

// step returns b - a, read as the 128-bit numbers of their hex digits.
func step(t *testing.T, a, b string) *big.Int {
	t.Helper()
	x, okA := new(big.Int).SetString(a[4:], 16)
	y, okB := new(big.Int).SetString(b[4:], 16)
	if !okA || !okB {
		t.Fatalf("ids %s and %s are not hex", a, b)
	}
	return y.Sub(y, x)
}
