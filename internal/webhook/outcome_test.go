package webhook_test

import (
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/internal/storetest"
	"github.com/onboardkyb/onboard/internal/webhook"
)

// outcomes collects what a relay tells its OnAttempt hook.
type outcomes struct {
	mu  sync.Mutex
	got []string
}

func (o *outcomes) add(outcome string) {
	o.mu.Lock()
	o.got = append(o.got, outcome)
	o.mu.Unlock()
}

// waitFor waits until n outcomes have been told, and returns them.
func (o *outcomes) waitFor(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		o.mu.Lock()
		got := slices.Clone(o.got)
		o.mu.Unlock()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("told %v, want %d outcomes", got, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRelayTellsTheOutcomeOfEachAttempt runs on SQLite alone: a fresh
// database has no other test's deliveries for the relay to tell of.
func TestRelayTellsTheOutcomeOfEachAttempt(t *testing.T) {
	var seen outcomes
	h := newHarness(t, storetest.SQLite(t), webhook.Options{AllowPrivate: true, OnAttempt: seen.add})
	r := newReceiver(t, func(n int) int {
		if n == 1 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	partnerID, _ := subscribe(t, h, r)
	createCustomer(t, h, partnerID)
	want := []string{webhook.OutcomeRetry, webhook.OutcomeSucceeded}
	if got := seen.waitFor(t, 2); !slices.Equal(got, want) {
		t.Errorf("outcomes = %v, want %v", got, want)
	}

	// A failure past the schedule's end is final.
	var final outcomes
	schedule := fastSchedule
	schedule.GiveUpAfter = time.Nanosecond
	h = newHarness(t, storetest.SQLite(t), webhook.Options{AllowPrivate: true, Schedule: schedule, OnAttempt: final.add})
	r = newReceiver(t, always(http.StatusInternalServerError))
	partnerID, _ = subscribe(t, h, r)
	createCustomer(t, h, partnerID)
	if got := final.waitFor(t, 1); !slices.Equal(got, []string{webhook.OutcomeFailed}) {
		t.Errorf("outcomes = %v, want [failed]", got)
	}
}
