package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// CreateOperator stores an operator.
func (s *Store) CreateOperator(ctx context.Context, op kyb.Operator, audit kyb.AuditEvent) error {
	return s.transact(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO operators (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)",
			op.ID, op.Name, op.TokenHash, micros(op.CreatedAt))
		if err != nil {
			return fmt.Errorf("insert operator: %w", wrapErr(err))
		}
		return insertAudit(ctx, tx, audit)
	})
}

// OperatorByTokenHash finds the operator holding a token.
func (s *Store) OperatorByTokenHash(ctx context.Context, hash string) (kyb.Operator, error) {
	var op kyb.Operator
	var created sql.NullInt64
	err := s.read.QueryRowContext(ctx, "SELECT id, name, token_hash, created_at FROM operators WHERE token_hash = ?", hash).
		Scan(&op.ID, &op.Name, &op.TokenHash, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return kyb.Operator{}, kyb.NotFound("operator")
	}
	if err != nil {
		return kyb.Operator{}, fmt.Errorf("select operator: %w", wrapErr(err))
	}
	op.CreatedAt = fromMicros(created)
	return op, nil
}
