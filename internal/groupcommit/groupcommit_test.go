package groupcommit_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/internal/groupcommit"
)

// recorder is a Func that doubles numbers, refuses negative ones (failing
// its whole batch), and remembers the batches it was given.
type recorder struct {
	mu      sync.Mutex
	batches [][]int
	// gate, when not nil, holds every batch until it is closed.
	gate chan struct{}
}

var errNegative = errors.New("negative")

func (r *recorder) run(_ context.Context, ops []int) ([]int, error) {
	if r.gate != nil {
		<-r.gate
	}
	r.mu.Lock()
	r.batches = append(r.batches, slices.Clone(ops))
	r.mu.Unlock()
	out := make([]int, len(ops))
	for i, op := range ops {
		if op < 0 {
			return nil, errNegative
		}
		out[i] = 2 * op
	}
	return out, nil
}

// submitGated calls Do for each op concurrently on a batcher of one
// worker whose batches wait at a gate until the operations have had time
// to queue behind the first, and returns the results and errors in the
// order of ops, and the batches run.
func submitGated(maxBatch int, ops []int) ([]int, []error, [][]int) {
	r := &recorder{gate: make(chan struct{})}
	b := groupcommit.New(r.run, 1, maxBatch, time.Minute)
	defer b.Close()
	results, errs := make([]int, len(ops)), make([]error, len(ops))
	var wg sync.WaitGroup
	for i, op := range ops {
		wg.Go(func() { results[i], errs[i] = b.Do(context.Background(), op) })
	}
	time.Sleep(200 * time.Millisecond)
	close(r.gate)
	wg.Wait()
	return results, errs, r.batches
}

func TestOperationsThatWaitShareABatch(t *testing.T) {
	results, errs, batches := submitGated(100, []int{1, 2, 3, 4, 5, 6, 7, 8})
	for i, got := range results {
		if errs[i] != nil || got != 2*(i+1) {
			t.Errorf("op %d = %d, %v; want %d", i+1, got, errs[i], 2*(i+1))
		}
	}
	// Normally two: the first alone and the other seven together; a slow
	// machine may start some goroutines after the gate opened.
	if len(batches) == 8 {
		t.Errorf("batches = %v, want some operations batched together", batches)
	}
}

func TestBatchSizeIsBounded(t *testing.T) {
	_, _, batches := submitGated(3, make([]int, 10))
	total := 0
	for _, batch := range batches {
		if len(batch) > 3 {
			t.Errorf("batch of %d, want at most 3", len(batch))
		}
		total += len(batch)
	}
	if total != 10 {
		t.Errorf("ran %d operations, want 10", total)
	}
}

func TestAFailedBatchFailsOnlyTheCulprit(t *testing.T) {
	results, errs, _ := submitGated(100, []int{1, 2, -3, 4, 5})
	for i, op := range []int{1, 2, -3, 4, 5} {
		switch {
		case op < 0 && !errors.Is(errs[i], errNegative):
			t.Errorf("op %d: error = %v, want %v", op, errs[i], errNegative)
		case op > 0 && (errs[i] != nil || results[i] != 2*op):
			t.Errorf("op %d = %d, %v; want %d", op, results[i], errs[i], 2*op)
		}
	}
}

func TestCancelledCallersAreLeftOut(t *testing.T) {
	r := &recorder{gate: make(chan struct{})}
	b := groupcommit.New(r.run, 1, 100, time.Minute)
	defer b.Close()
	go b.Do(context.Background(), 1) // holds the worker at the gate
	time.Sleep(50 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := b.Do(ctx, 2); errc <- err }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Do = %v, want context.Canceled", err)
	}
	close(r.gate)
	if got, err := b.Do(context.Background(), 3); err != nil || got != 6 {
		t.Errorf("Do(3) = %d, %v", got, err)
	}
	for _, batch := range r.batches {
		if slices.Contains(batch, 2) {
			t.Errorf("the cancelled operation ran in %v", batch)
		}
	}
}

func TestClose(t *testing.T) {
	r := &recorder{}
	b := groupcommit.New(r.run, 2, 10, time.Minute)
	if got, err := b.Do(context.Background(), 21); err != nil || got != 42 {
		t.Fatalf("Do = %d, %v", got, err)
	}
	b.Close()
	b.Close()
	if _, err := b.Do(context.Background(), 1); !errors.Is(err, groupcommit.ErrClosed) {
		t.Errorf("Do after Close = %v, want ErrClosed", err)
	}
}

// TestABatchThatHangsEndsAtItsDeadline: a batch whose database never
// answers fails with the deadline's error, and the worker it held runs
// the next batch.
func TestABatchThatHangsEndsAtItsDeadline(t *testing.T) {
	hang := make(chan struct{})
	defer close(hang)
	run := func(ctx context.Context, ops []int) ([]int, error) {
		if ops[0] < 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-hang:
			}
		}
		return ops, nil
	}
	b := groupcommit.New(run, 1, 1, 50*time.Millisecond)
	defer b.Close()
	if _, err := b.Do(context.Background(), -1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Do of a hanging batch = %v, want context.DeadlineExceeded", err)
	}
	if got, err := b.Do(context.Background(), 7); err != nil || got != 7 {
		t.Errorf("Do after it = %d, %v; want 7", got, err)
	}
}
