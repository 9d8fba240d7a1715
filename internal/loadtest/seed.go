package loadtest

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// Seeder is a store that bulk-loads customers.
type Seeder interface {
	// SeedCustomers writes customers with the audit event and the webhook
	// event of each one's creation, as fast as the engine allows.
	SeedCustomers(ctx context.Context, customers []kyb.Customer) error
}

// SeedOptions say what to load.
type SeedOptions struct {
	PartnerID string
	Customers int
	// Their created_at times are spread evenly, with jitter, over the
	// Spread before Now, oldest first.
	Spread time.Duration
	Now    time.Time
	// Batch is how many customers go to the store at once.
	Batch int
	// Progress, when set, hears how many customers are stored so far.
	Progress func(done int)
}

// DefaultSeedBatch is the batch size when SeedOptions.Batch is zero.
const DefaultSeedBatch = 5000

// Seed loads realistic pending customers into s: valid, varied profiles
// with their fingerprints, unique partner_customer_ids, and ids that embed
// their creation time as the service's do. Batches are made while the
// previous one is written.
func Seed(ctx context.Context, s Seeder, o SeedOptions) error {
	if o.Batch <= 0 {
		o.Batch = DefaultSeedBatch
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	var mark [4]byte
	rand.Read(mark[:])
	profiles := NewProfiles("seed-"+hex.EncodeToString(mark[:]), mrand.Uint64())
	rng := mrand.New(mrand.NewPCG(mrand.Uint64(), 1))
	start := o.Now.Add(-o.Spread)
	step := o.Spread / time.Duration(max(o.Customers, 1))

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []kyb.Customer, 2)
	go func() {
		defer close(batches)
		for first := 0; first < o.Customers && ctx.Err() == nil; first += o.Batch {
			batch := make([]kyb.Customer, 0, min(o.Batch, o.Customers-first))
			for i := first; i < first+cap(batch); i++ {
				at := start.Add(time.Duration(i)*step + time.Duration(rng.Int64N(int64(step)/2+1)))
				p := profiles.Next(at)
				kyb.NormalizeProfile(&p)
				batch = append(batch, kyb.Customer{
					ID:          idAt(kyb.PrefixCustomer, at, rng),
					PartnerID:   o.PartnerID,
					Status:      kyb.StatusPending,
					CreatedAt:   at.UTC().Truncate(time.Second),
					Profile:     p,
					Fingerprint: kyb.Fingerprint(p),
				})
			}
			select {
			case batches <- batch:
			case <-ctx.Done():
			}
		}
	}()
	done := 0
	for batch := range batches {
		if err := s.SeedCustomers(ctx, batch); err != nil {
			cancel()
			for range batches { // let the maker stop
			}
			return fmt.Errorf("seed customers %d to %d: %w", done+1, done+len(batch), err)
		}
		done += len(batch)
		if o.Progress != nil {
			o.Progress(done)
		}
	}
	return ctx.Err()
}

// idAt is kyb.NewID for a time in the past: the millisecond of at, then
// 80 random bits. (NewID keeps ids ascending across its calls, so it
// would stamp past times with the latest it has seen.)
func idAt(prefix string, at time.Time, rng *mrand.Rand) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(at.UnixMilli())<<16|uint64(rng.Uint32()&0xffff))
	binary.BigEndian.PutUint64(b[8:], rng.Uint64())
	return prefix + hex.EncodeToString(b[:])
}
