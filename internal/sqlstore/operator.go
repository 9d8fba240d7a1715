package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/onboardkyb/onboard/internal/kyb"
)

const operatorColumns = "id, name, admin, token_hash, created_at, token_issued_at, disabled_at, email_sealed, password_hash, totp_sealed, setup_hash, setup_expires_at, totp_step"

// CreateOperator stores an operator with the audit event of its creation.
func (c *Core) CreateOperator(ctx context.Context, op kyb.Operator, audit kyb.AuditEvent) error {
	return c.transactAudited(ctx, func(tx Queryer) error {
		var setupExpires any
		if !op.SetupExpiresAt.IsZero() {
			setupExpires = c.Dialect.Time(op.SetupExpiresAt)
		}
		n, err := tx.Exec(ctx, "INSERT INTO operators ("+operatorColumns+", email_hmac) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, 0, ?) ON CONFLICT (email_hmac) DO NOTHING",
			op.ID, op.Name, op.Admin, op.TokenHash, c.Dialect.Time(op.CreatedAt), c.Dialect.Time(op.TokenIssuedAt),
			c.sealOperator(op.ID, operatorEmailPurpose, op.Email), op.PasswordHash, c.sealOperator(op.ID, operatorTOTPPurpose, op.TOTPSecret),
			nullable(op.SetupHash), setupExpires, c.emailHash(op.Email))
		if err != nil {
			return fmt.Errorf("insert operator: %w", err)
		}
		if n == 0 {
			return errEmailTaken
		}
		return InsertAudit(ctx, c.Dialect, tx, audit)
	})
}

// OperatorByTokenHash finds the operator holding a token.
func (c *Core) OperatorByTokenHash(ctx context.Context, hash string) (kyb.Operator, error) {
	return c.scanOperator(c.Read.QueryRow(ctx, "SELECT "+operatorColumns+" FROM operators WHERE token_hash = ?", hash))
}

// Operators lists every operator, oldest first.
func (c *Core) Operators(ctx context.Context) ([]kyb.Operator, error) {
	rows, err := c.Read.Query(ctx, "SELECT "+operatorColumns+" FROM operators ORDER BY created_at, id")
	if err != nil {
		return nil, fmt.Errorf("select operators: %w", err)
	}
	defer rows.Close()
	var out []kyb.Operator
	for rows.Next() {
		op, err := c.scanOperator(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, op)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("select operators: %w", err)
	}
	return out, nil
}

// DisableOperator marks an operator disabled at audit.At, recording the
// audit event unless they already were.
func (c *Core) DisableOperator(ctx context.Context, id string, audit kyb.AuditEvent) (kyb.Operator, error) {
	var op kyb.Operator
	err := c.transactAudited(ctx, func(tx Queryer) error {
		n, err := tx.Exec(ctx, "UPDATE operators SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL", c.Dialect.Time(audit.At), id)
		if err != nil {
			return fmt.Errorf("disable operator: %w", err)
		}
		if op, err = c.scanOperator(tx.QueryRow(ctx, "SELECT "+operatorColumns+" FROM operators WHERE id = ?", id)); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, "DELETE FROM console_sessions WHERE operator_id = ?", id); err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		return InsertAudit(ctx, c.Dialect, tx, audit)
	})
	return op, err
}

// SetOperatorToken replaces an operator's token, issued at audit.At.
func (c *Core) SetOperatorToken(ctx context.Context, id, hash string, audit kyb.AuditEvent) error {
	return c.transactAudited(ctx, func(tx Queryer) error {
		n, err := tx.Exec(ctx, "UPDATE operators SET token_hash = ?, token_issued_at = ? WHERE id = ?", hash, c.Dialect.Time(audit.At), id)
		if err != nil {
			return fmt.Errorf("set operator token: %w", err)
		}
		if n == 0 {
			return kyb.NotFound("operator")
		}
		return InsertAudit(ctx, c.Dialect, tx, audit)
	})
}

func (c *Core) scanOperator(r Row) (kyb.Operator, error) {
	var op kyb.Operator
	var created, issued, disabled, setupExpires Time
	var email, totp []byte
	var setupHash *string
	err := r.Scan(&op.ID, &op.Name, &op.Admin, &op.TokenHash, &created, &issued, &disabled, &email, &op.PasswordHash, &totp, &setupHash, &setupExpires, &op.TOTPStep)
	if errors.Is(err, ErrNoRows) {
		return kyb.Operator{}, kyb.NotFound("operator")
	}
	if err != nil {
		return kyb.Operator{}, fmt.Errorf("scan operator: %w", err)
	}
	op.CreatedAt, op.TokenIssuedAt, op.DisabledAt, op.SetupExpiresAt = created.T, issued.T, disabled.T, setupExpires.T
	if setupHash != nil {
		op.SetupHash = *setupHash
	}
	if op.Email, err = c.openOperator(op.ID, operatorEmailPurpose, email); err != nil {
		return kyb.Operator{}, err
	}
	if op.TOTPSecret, err = c.openOperator(op.ID, operatorTOTPPurpose, totp); err != nil {
		return kyb.Operator{}, err
	}
	return op, nil
}
