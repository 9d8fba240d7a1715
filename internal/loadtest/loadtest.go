// Package loadtest drives the onboard HTTP API under load and measures it
// against ceilings taken in the same run: a server that does only the same
// JSON decoding and encoding, and one that adds a single durable statement
// on the same database. Reporting throughput as a ratio to a ceiling keeps
// the figures meaningful on a machine whose speed varies with what else
// runs on it. It also bulk-loads customers for measuring reads at scale.
package loadtest

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Options shape a run.
type Options struct {
	// Concurrency is how many requests are in flight at once, each worker
	// sending its next request when the last one is answered.
	Concurrency int
	// Duration is how long to measure, unless Requests is set.
	Duration time.Duration
	// Requests, when positive, is how many requests to measure.
	Requests int
	// Warmup is how long requests are sent, and not counted, before
	// measuring starts: connections open and caches fill.
	Warmup time.Duration
}

// Do sends one request on behalf of a worker (0 to Concurrency-1) and
// returns the answer's status code, or an error when there was none.
type Do func(ctx context.Context, worker int) (status int, err error)

// Run sends requests with do as Options say and summarizes them.
func Run(ctx context.Context, o Options, do Do) Summary {
	return Compare(ctx, o, 1, []Target{{Do: do}})[0]
}

// Target is one server that Compare measures.
type Target struct {
	Do Do
	// Procs, when positive, is this process's GOMAXPROCS while the target
	// is measured.
	Procs int
}

// use sets the process up for t and returns what undoes it.
func (t Target) use() (undo func()) {
	if t.Procs <= 0 {
		return func() {}
	}
	prev := runtime.GOMAXPROCS(t.Procs)
	return func() { runtime.GOMAXPROCS(prev) }
}

// Compare measures several targets under the same load, taking turns in
// rounds (each gets Duration/rounds, or its share of Requests, per
// round), so that a spell of noise on the machine falls on all of them
// rather than on one. Each is warmed up first.
func Compare(ctx context.Context, o Options, rounds int, targets []Target) []Summary {
	o.Concurrency, rounds = max(o.Concurrency, 1), max(rounds, 1)
	if o.Warmup > 0 {
		for _, t := range targets {
			undo := t.use()
			loop(ctx, o.Concurrency, time.Now().Add(o.Warmup), 0, t.Do)
			undo()
		}
	}
	results := make([][]result, len(targets))
	elapsed := make([]time.Duration, len(targets))
	for round := range rounds {
		for i, t := range targets {
			var deadline time.Time
			budget := 0
			if o.Requests > 0 {
				// The last round takes what division left over.
				budget = o.Requests / rounds
				if round == rounds-1 {
					budget = o.Requests - budget*(rounds-1)
				}
			} else {
				deadline = time.Now().Add(o.Duration / time.Duration(rounds))
			}
			undo := t.use()
			start := time.Now()
			results[i] = append(results[i], loop(ctx, o.Concurrency, deadline, budget, t.Do)...)
			elapsed[i] += time.Since(start)
			undo()
		}
	}
	summaries := make([]Summary, len(targets))
	for i := range targets {
		summaries[i] = summarize(results[i], elapsed[i])
	}
	return summaries
}

// loop runs workers until the deadline (when not zero) or until budget
// requests (when positive) have been sent, and returns what they saw.
// Requests in flight at the deadline are finished, not cut off.
func loop(ctx context.Context, workers int, deadline time.Time, budget int, do Do) []result {
	var sent atomic.Int64
	perWorker := make([][]result, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				if !deadline.IsZero() && !time.Now().Before(deadline) {
					return
				}
				if budget > 0 && sent.Add(1) > int64(budget) {
					return
				}
				start := time.Now()
				status, err := do(ctx, w)
				perWorker[w] = append(perWorker[w], result{latency: time.Since(start), status: status, err: err})
			}
		})
	}
	wg.Wait()
	var all []result
	for _, rs := range perWorker {
		all = append(all, rs...)
	}
	return all
}
