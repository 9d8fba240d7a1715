package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/onboardkyb/onboard/internal/sqlstore"
)

// Creates are sent in batches of up to maxCreateBatch, one batch at a
// time: while it runs the next one gathers, and the fewer and larger the
// batches, the less each create costs the server. (Two at a time made
// batches of two creates on average at 8 connections, one at a time of
// three and a half, and that was faster.)
const (
	maxCreateBatch = 64
	createWorkers  = 1
)

// createBatch runs createCustomerSQL once for each op (its arguments) in
// one pipeline: one round trip and one implicit transaction, so one commit
// for all. Per create, that costs the server a third of the CPU time of a
// statement of its own and a commit. It answers whether each op inserted
// its customer; when any statement fails, none is kept.
func (s *Store) createBatch(ctx context.Context, ops [][]any) ([]bool, error) {
	b := &pgx.Batch{}
	// The batch appends to the audit chain once per create, between
	// inserts that may wait for another instance's batch: taking the
	// chain's lock first keeps two batches from waiting for each other.
	b.Queue(sqlstore.PostgreSQL.LockAudit)
	for _, args := range ops {
		b.Queue(createCustomerSQL, args...)
	}
	results := s.pool.SendBatch(ctx, b)
	if _, err := results.Exec(); err != nil {
		results.Close()
		return nil, err
	}
	created := make([]bool, len(ops))
	for i := range ops {
		if err := results.QueryRow().Scan(&created[i]); err != nil {
			results.Close()
			return nil, err
		}
	}
	// Close reads up to the end of the implicit transaction: its commit.
	if err := results.Close(); err != nil {
		return nil, err
	}
	return created, nil
}
