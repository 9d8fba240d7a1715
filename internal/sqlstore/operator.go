package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// CreateOperator stores an operator with the audit event of its creation.
func (c *Core) CreateOperator(ctx context.Context, op kyb.Operator, audit kyb.AuditEvent) error {
	return c.Transact(ctx, func(tx Queryer) error {
		if _, err := tx.Exec(ctx, "INSERT INTO operators (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)",
			op.ID, op.Name, op.TokenHash, c.Dialect.Time(op.CreatedAt)); err != nil {
			return fmt.Errorf("insert operator: %w", err)
		}
		return InsertAudit(ctx, c.Dialect, tx, audit)
	})
}

// OperatorByTokenHash finds the operator holding a token.
func (c *Core) OperatorByTokenHash(ctx context.Context, hash string) (kyb.Operator, error) {
	var op kyb.Operator
	var created Time
	err := c.Read.QueryRow(ctx, "SELECT id, name, token_hash, created_at FROM operators WHERE token_hash = ?", hash).
		Scan(&op.ID, &op.Name, &op.TokenHash, &created)
	if errors.Is(err, ErrNoRows) {
		return kyb.Operator{}, kyb.NotFound("operator")
	}
	if err != nil {
		return kyb.Operator{}, fmt.Errorf("select operator: %w", err)
	}
	op.CreatedAt = created.T
	return op, nil
}
