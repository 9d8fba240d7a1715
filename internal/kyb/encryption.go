package kyb

import (
	"context"
	"fmt"
)

// EncryptionStore moves what the store keeps sealed onto the keyring's
// newest key.
type EncryptionStore interface {
	// RewrapBatch puts up to limit values of each kind that are not under
	// the newest key under it: customers' data keys (re-wrapped, the data
	// they seal untouched), customers and events written before
	// encryption (sealed under a new data key), the service's own wrapped
	// keys, webhook secrets and uploaded files (re-sealed). Each value is
	// replaced only if it is unchanged since it was read, so serving
	// instances and other rotations may run beside it. It returns how
	// many values it changed: 0 when nothing is left.
	RewrapBatch(ctx context.Context, limit int) (int, error)
}

// RotateEncryption re-wraps everything sealed under an older key with the
// newest, batch by batch, calling progress (when not nil) with the running
// total after each, and returns the total. Interrupted, it resumes where
// it stopped: what is done stays done.
func (s *Service) RotateEncryption(ctx context.Context, batch int, progress func(done int)) (int, error) {
	if batch < 1 {
		batch = 1
	}
	total := 0
	for {
		n, err := s.store.RewrapBatch(ctx, batch)
		if err != nil {
			return total, fmt.Errorf("rotate encryption: %w", err)
		}
		if n == 0 {
			return total, nil
		}
		total += n
		if progress != nil {
			progress(total)
		}
	}
}
