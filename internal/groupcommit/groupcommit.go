// Package groupcommit runs operations that callers submit one at a time,
// concurrently, in batches: one transaction and one commit (one fsync, one
// round trip) for everything that arrived while the previous batch ran.
// A lone operation starts at once, so batching adds no wait when the load
// is light; under load it divides the cost of a commit among many.
package groupcommit

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Func runs a batch of operations in one transaction and returns each
// one's result, in order. An error fails the whole batch and must mean
// that nothing of it was kept.
type Func[Op, Result any] func(ctx context.Context, ops []Op) ([]Result, error)

// ErrClosed is the error of an operation submitted after Close.
var ErrClosed = errors.New("groupcommit: closed")

// Batcher gathers operations into batches for a Func.
type Batcher[Op, Result any] struct {
	run      Func[Op, Result]
	maxBatch int
	timeout  time.Duration
	mu       sync.RWMutex // held for reading while submitting, for writing to close
	closed   bool
	queue    chan *call[Op, Result]
	workers  sync.WaitGroup
}

type call[Op, Result any] struct {
	ctx  context.Context
	op   Op
	res  Result
	err  error
	done chan struct{}
}

// New returns a Batcher whose workers each run one batch at a time, of up
// to maxBatch operations, each batch given timeout to finish: a batch
// whose database stops answering fails when it ends, so the worker is
// free again for the next one.
func New[Op, Result any](run Func[Op, Result], workers, maxBatch int, timeout time.Duration) *Batcher[Op, Result] {
	b := &Batcher[Op, Result]{run: run, maxBatch: max(maxBatch, 1), timeout: timeout, queue: make(chan *call[Op, Result])}
	for range max(workers, 1) {
		b.workers.Go(b.work)
	}
	return b
}

// Do runs op in the next batch and returns its result. When the batch
// fails, each of its operations is run again alone, so that only the one
// at fault fails. If ctx ends before op is answered Do returns ctx's
// error, though op may still be carried out, as a request cut off after
// it reached the database may be.
func (b *Batcher[Op, Result]) Do(ctx context.Context, op Op) (Result, error) {
	var zero Result
	c := &call[Op, Result]{ctx: ctx, op: op, done: make(chan struct{})}
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return zero, ErrClosed
	}
	select {
	case b.queue <- c:
		b.mu.RUnlock()
	case <-ctx.Done():
		b.mu.RUnlock()
		return zero, ctx.Err()
	}
	select {
	case <-c.done:
		return c.res, c.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// Close runs what was submitted and stops the workers.
func (b *Batcher[Op, Result]) Close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.queue)
	}
	b.mu.Unlock()
	b.workers.Wait()
}

func (b *Batcher[Op, Result]) work() {
	for first := range b.queue {
		batch := []*call[Op, Result]{first}
	gather:
		for len(batch) < b.maxBatch {
			select {
			case c, ok := <-b.queue:
				if !ok {
					break gather
				}
				batch = append(batch, c)
			default:
				break gather
			}
		}
		b.runBatch(batch)
	}
}

// runBatch runs the calls whose callers still wait, as one batch, or one
// by one when the batch fails.
func (b *Batcher[Op, Result]) runBatch(calls []*call[Op, Result]) {
	live := calls[:0]
	for _, c := range calls {
		if err := c.ctx.Err(); err != nil {
			c.err = err
			close(c.done)
			continue
		}
		live = append(live, c)
	}
	if len(live) == 0 {
		return
	}
	ops := make([]Op, len(live))
	for i, c := range live {
		ops[i] = c.op
	}
	// The batch serves many requests, so no one request's end cancels it;
	// its own deadline does.
	ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
	results, err := b.run(ctx, ops)
	cancel()
	if err != nil && len(live) > 1 {
		for _, c := range live {
			b.runBatch([]*call[Op, Result]{c})
		}
		return
	}
	for i, c := range live {
		if err != nil {
			c.err = err
		} else {
			c.res = results[i]
		}
		close(c.done)
	}
}
