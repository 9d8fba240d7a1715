package kyb

import (
	"context"
	"fmt"
)

// EncryptionStore moves what the store keeps sealed onto the keyring's
// newest key.
type EncryptionStore interface {
	// RewrapBatch puts up to limit values that are not under the newest
	// key under it, from where from stands: customers' data keys
	// (re-wrapped, the data they seal untouched), customers and events
	// written before encryption (sealed under a new data key), the
	// service's own wrapped keys, webhook secrets and uploaded files
	// (re-sealed). Each kind is walked in id order, so a rotation reads
	// each row once. A value is replaced only if it is unchanged since it
	// was read, so serving instances and other rotations may run beside
	// it. It returns where the next batch starts and how many values it
	// changed.
	RewrapBatch(ctx context.Context, from RewrapCursor, limit int) (next RewrapCursor, changed int, err error)
}

// RewrapCursor is where a rotation stands: the kind of value (Step) and
// the id after which the next batch starts; Done once every kind is.
type RewrapCursor struct {
	Step  int
	After string
	Done  bool
}

// RotateEncryption re-wraps everything sealed under an older key with the
// newest, batch by batch, calling progress (when not nil) with the running
// total after each, and returns the total. Interrupted, it can run again:
// what is done stays done, and the next run passes over it.
func (s *Service) RotateEncryption(ctx context.Context, batch int, progress func(done int)) (int, error) {
	if batch < 1 {
		batch = 1
	}
	total := 0
	for at := (RewrapCursor{}); !at.Done; {
		next, n, err := s.store.RewrapBatch(ctx, at, batch)
		if err != nil {
			return total, fmt.Errorf("rotate encryption: %w", err)
		}
		if total += n; n > 0 && progress != nil {
			progress(total)
		}
		at = next
	}
	return total, nil
}
