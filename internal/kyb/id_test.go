package kyb

import (
	"testing"
	"time"
)

func TestNewIDAscendsWithinAMillisecond(t *testing.T) {
	now := time.Now()
	prev := NewID(PrefixCustomer, now)
	for range 10000 {
		id := NewID(PrefixCustomer, now)
		if !IsID(id, PrefixCustomer) {
			t.Fatalf("NewID = %q, not cus_ + 32 hex", id)
		}
		if id <= prev {
			t.Fatalf("NewID = %s after %s, want ascending", id, prev)
		}
		prev = id
	}
	later := NewID(PrefixCustomer, now.Add(time.Second))
	if later <= prev || later[4:16] == prev[4:16] {
		t.Errorf("id a second later = %s, want a later time prefix than %s", later, prev)
	}
}
