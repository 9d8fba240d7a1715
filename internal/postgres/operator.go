package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// CreateOperator stores an operator.
func (s *Store) CreateOperator(ctx context.Context, op kyb.Operator, audit kyb.AuditEvent) error {
	return s.transact(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO operators (id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)",
			op.ID, op.Name, op.TokenHash, op.CreatedAt)
		if err != nil {
			return fmt.Errorf("insert operator: %w", wrapErr(err))
		}
		return insertAudit(ctx, tx, audit)
	})
}

// OperatorByTokenHash finds the operator holding a token.
func (s *Store) OperatorByTokenHash(ctx context.Context, hash string) (kyb.Operator, error) {
	var op kyb.Operator
	err := s.pool.QueryRow(ctx, "SELECT id, name, token_hash, created_at FROM operators WHERE token_hash = $1", hash).
		Scan(&op.ID, &op.Name, &op.TokenHash, &op.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return kyb.Operator{}, kyb.NotFound("operator")
	}
	if err != nil {
		return kyb.Operator{}, fmt.Errorf("select operator: %w", wrapErr(err))
	}
	op.CreatedAt = op.CreatedAt.UTC()
	return op, nil
}
