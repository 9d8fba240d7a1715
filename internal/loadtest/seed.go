package loadtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// SeedOptions say what to load.
type SeedOptions struct {
	PartnerID string
	Customers int
	// Their created_at times are spread evenly, with jitter, over the
	// Spread before Now, oldest first.
	Spread time.Duration
	Now    time.Time
	// Workers is how many creates are in flight at once; the default
	// fills the stores' batches.
	Workers int
	// Progress, when set, hears how many customers are stored so far,
	// every second and once at the end, from one goroutine.
	Progress func(done int)
}

// DefaultSeedWorkers is the number of workers when SeedOptions.Workers is
// zero: two full batches of the stores' group commit (64 creates each),
// so that one fills while the other commits.
const DefaultSeedWorkers = 128

// Seed loads realistic pending customers through the service's
// CreateCustomer, the one way customers are created, so that each gets
// the validation, normalization, audit event and webhook event a
// partner's would. The service reads its time from a clock the seed
// advances by one step per create, which spreads created_at over the
// period; the workers' concurrent creates let the store batch them.
func Seed(ctx context.Context, store kyb.Store, o SeedOptions) error {
	if o.Workers <= 0 {
		o.Workers = DefaultSeedWorkers
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	n := int64(o.Customers)
	start := o.Now.Add(-o.Spread)
	step := o.Spread / time.Duration(max(n, 1))
	// The clock hands out the i-th time at its i-th reading, ascending:
	// start + i steps, plus jitter under half a step. It stops at the
	// last one should the service read it more than once a create.
	var ticks atomic.Int64
	clock := func() time.Time {
		i := min(ticks.Add(1)-1, max(n-1, 0))
		return start.Add(time.Duration(i)*step + time.Duration(mrand.Int64N(int64(step)/2+1)))
	}
	svc := kyb.NewService(store, kyb.WithClock(clock))

	var mark [4]byte
	rand.Read(mark[:])
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		claimed, done atomic.Int64
		firstErr      error
		once          sync.Once
		workers       sync.WaitGroup
	)
	for w := range o.Workers {
		profiles := NewProfiles(fmt.Sprintf("seed-%s-w%03d", hex.EncodeToString(mark[:]), w), mrand.Uint64())
		workers.Go(func() {
			for ctx.Err() == nil && claimed.Add(1) <= n {
				// The profile's dates are of the earliest time the clock
				// can still give this create, so it is valid then.
				p := profiles.Next(start.Add(time.Duration(min(ticks.Load(), n-1)) * step))
				_, created, err := svc.CreateCustomer(ctx, o.PartnerID, p)
				if err == nil && !created {
					err = fmt.Errorf("partner_customer_id %s exists already", p.PartnerCustomerID)
				}
				if err != nil {
					once.Do(func() { firstErr = err; cancel() })
					return
				}
				done.Add(1)
			}
		})
	}
	finished := make(chan struct{})
	go func() { workers.Wait(); close(finished) }()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for waiting := true; waiting; {
		select {
		case <-tick.C:
		case <-finished:
			waiting = false
		}
		if o.Progress != nil {
			o.Progress(int(done.Load()))
		}
	}
	if firstErr != nil {
		return fmt.Errorf("seed after %d of %d customers: %w", done.Load(), n, firstErr)
	}
	return ctx.Err()
}
