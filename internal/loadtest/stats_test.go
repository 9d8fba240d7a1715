package loadtest

import (
	"context"
	"encoding/json"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

func ms(n ...int) []time.Duration {
	out := make([]time.Duration, len(n))
	for i, v := range n {
		out[i] = time.Duration(v) * time.Millisecond
	}
	return out
}

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{nil, 50, 0},
		{ms(7), 50, 7 * time.Millisecond},
		{ms(7), 99, 7 * time.Millisecond},
		{ms(1, 2), 50, 1 * time.Millisecond},
		{ms(1, 2), 51, 2 * time.Millisecond},
		{ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{ms(1, 2, 3, 4), 75, 3 * time.Millisecond},
		{ms(1, 2, 3, 4), 100, 4 * time.Millisecond},
		{hundred, 50, 50 * time.Millisecond},
		{hundred, 95, 95 * time.Millisecond},
		{hundred, 99, 99 * time.Millisecond},
		{hundred, 99.5, 100 * time.Millisecond},
		{hundred, 0.1, 1 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := Percentile(tt.sorted, tt.p); got != tt.want {
			t.Errorf("Percentile(%d values, %v) = %v, want %v", len(tt.sorted), tt.p, got, tt.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	var results []result
	// 100 successes of 1 to 100 ms, in no order, and some failures that
	// must count as errors and stay out of the latencies.
	for i := 100; i >= 1; i-- {
		results = append(results, result{latency: time.Duration(i) * time.Millisecond, status: 200})
	}
	results = append(results,
		result{latency: time.Microsecond, status: 429},
		result{latency: time.Microsecond, status: 429},
		result{latency: time.Hour, status: 500},
		result{latency: time.Second, err: errors.New("connection refused")},
	)
	s := summarize(results, 4*time.Second)
	want := Summary{
		Requests: 104, OK: 100, Errors: map[string]int{"429": 2, "500": 1, "transport": 1}, Seconds: 4, Throughput: 25,
		P50: 50, P95: 95, P99: 99, Max: 100, FirstError: "connection refused",
	}
	got, _ := json.Marshal(s)
	wantJSON, _ := json.Marshal(want)
	if string(got) != string(wantJSON) {
		t.Errorf("summary = %s\nwant      %s", got, wantJSON)
	}
}

func TestSummarizeNothing(t *testing.T) {
	s := summarize(nil, 0)
	if s.Requests != 0 || s.Throughput != 0 || s.P99 != 0 || s.Errors != nil {
		t.Errorf("summary of nothing = %+v", s)
	}
}

func TestRatio(t *testing.T) {
	if got := Ratio(Summary{Throughput: 700}, Summary{Throughput: 1000}); got != 0.7 {
		t.Errorf("Ratio = %v, want 0.7", got)
	}
	if got := Ratio(Summary{Throughput: 2}, Summary{Throughput: 3}); got != 0.67 {
		t.Errorf("Ratio = %v, want 0.67", got)
	}
	if got := Ratio(Summary{Throughput: 5}, Summary{}); got != 0 {
		t.Errorf("Ratio to nothing = %v, want 0", got)
	}
}

func TestMillisJSON(t *testing.T) {
	b, _ := json.Marshal(ToMillis(1234567 * time.Nanosecond))
	if string(b) != "1.235" {
		t.Errorf("ToMillis(1.234567ms) = %s, want 1.235", b)
	}
}

func TestCompareRequestsAndRounds(t *testing.T) {
	var calls [2]atomic.Int64
	do := func(i int) Target {
		return Target{Do: func(context.Context, int) (int, error) { calls[i].Add(1); return 200, nil }, Procs: i + 1}
	}
	procs := runtime.GOMAXPROCS(0)
	s := Compare(context.Background(), Options{Concurrency: 3, Requests: 100}, 3, []Target{do(0), do(1)})
	if runtime.GOMAXPROCS(0) != procs {
		t.Errorf("GOMAXPROCS is %d after Compare, want %d back", runtime.GOMAXPROCS(0), procs)
	}
	for i := range 2 {
		if s[i].Requests != 100 || s[i].OK != 100 || calls[i].Load() != 100 {
			t.Errorf("target %d: %d requests, %d ok, %d calls; want 100 each", i, s[i].Requests, s[i].OK, calls[i].Load())
		}
	}
	start := time.Now()
	s = Compare(context.Background(), Options{Concurrency: 2, Duration: 200 * time.Millisecond}, 2, []Target{do(0), do(1)})
	if el := time.Since(start); el < 400*time.Millisecond || el > 2*time.Second {
		t.Errorf("two targets of 200ms took %v", el)
	}
	if s[0].Seconds < 0.2 || s[0].Requests == 0 {
		t.Errorf("timed run = %+v, want 0.2s or more of requests", s[0])
	}
}
