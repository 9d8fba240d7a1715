package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/onboardkyb/onboard/internal/envelope"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// What an operator's sealed values authenticate: the operator's id and
// their purpose.
const (
	operatorEmailPurpose = "operator email"
	operatorTOTPPurpose  = "operator totp"
)

// errEmailTaken answers an email another operator signs in with.
var errEmailTaken = kyb.Conflict("email_taken", "another operator already signs in with this email")

// sealOperator seals an operator's personal or secret value; nil for an
// empty one.
func (c *Core) sealOperator(id, purpose, v string) any {
	if v == "" {
		return nil
	}
	return c.Keys.Seal(envelope.AD(id, purpose), []byte(v))
}

func (c *Core) openOperator(id, purpose string, sealed []byte) (string, error) {
	if sealed == nil {
		return "", nil
	}
	b, err := c.Keys.Open(envelope.AD(id, purpose), sealed)
	if err != nil {
		return "", fmt.Errorf("operator %s: %s: %w", id, purpose, err)
	}
	return string(b), nil
}

// emailHash is the keyed hash operators are found by their email with,
// ignoring case; nil for none.
func (c *Core) emailHash(email string) any {
	if email == "" {
		return nil
	}
	return c.index.Hash(operatorEmailPurpose, strings.ToLower(email))
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// OperatorByEmail finds the operator who signs in with email.
func (c *Core) OperatorByEmail(ctx context.Context, email string) (kyb.Operator, error) {
	return c.scanOperator(c.Read.QueryRow(ctx, "SELECT "+operatorColumns+" FROM operators WHERE email_hmac = ?", c.emailHash(email)))
}

// OperatorBySetupHash finds the operator holding a set-up token.
func (c *Core) OperatorBySetupHash(ctx context.Context, hash string) (kyb.Operator, error) {
	return c.scanOperator(c.Read.QueryRow(ctx, "SELECT "+operatorColumns+" FROM operators WHERE setup_hash = ?", hash))
}

// OperatorByID returns an operator.
func (c *Core) OperatorByID(ctx context.Context, id string) (kyb.Operator, error) {
	return c.scanOperator(c.Read.QueryRow(ctx, "SELECT "+operatorColumns+" FROM operators WHERE id = ?", id))
}

// ResetOperatorAccount clears an operator's password and second factor and
// gives them a set-up token, ending their sessions.
func (c *Core) ResetOperatorAccount(ctx context.Context, id, email, setupHash string, expires time.Time, audit kyb.AuditEvent) error {
	return c.transactAudited(ctx, func(tx Queryer) error {
		if email != "" {
			var other string
			err := tx.QueryRow(ctx, "SELECT id FROM operators WHERE email_hmac = ? AND id <> ?", c.emailHash(email), id).Scan(&other)
			switch {
			case err == nil:
				return errEmailTaken
			case !errors.Is(err, ErrNoRows):
				return fmt.Errorf("check email: %w", err)
			}
			if _, err := tx.Exec(ctx, "UPDATE operators SET email_hmac = ?, email_sealed = ? WHERE id = ?",
				c.emailHash(email), c.sealOperator(id, operatorEmailPurpose, email), id); err != nil {
				return fmt.Errorf("set email: %w", err)
			}
		}
		n, err := tx.Exec(ctx, "UPDATE operators SET password_hash = '', totp_sealed = NULL, totp_step = 0, setup_hash = ?, setup_expires_at = ? WHERE id = ?",
			setupHash, c.Dialect.Time(expires), id)
		if err != nil {
			return fmt.Errorf("reset account: %w", err)
		}
		if n == 0 {
			return kyb.NotFound("operator")
		}
		if _, err := tx.Exec(ctx, "DELETE FROM console_sessions WHERE operator_id = ?", id); err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		return InsertAudit(ctx, c.Dialect, tx, audit)
	})
}

// CompleteOperatorSetup sets up the account of the operator holding a
// set-up token that has not expired, using the token up.
func (c *Core) CompleteOperatorSetup(ctx context.Context, setupHash, passwordHash, totpSecret string, audit kyb.AuditEvent) (kyb.Operator, error) {
	var op kyb.Operator
	err := c.transactAudited(ctx, func(tx Queryer) error {
		var id string
		if err := tx.QueryRow(ctx, "SELECT id FROM operators WHERE setup_hash = ? AND setup_expires_at > ?"+c.Dialect.ForUpdate,
			setupHash, c.Dialect.Time(audit.At)).Scan(&id); err != nil {
			if errors.Is(err, ErrNoRows) {
				return kyb.NotFound("set-up token")
			}
			return fmt.Errorf("find set-up token: %w", err)
		}
		n, err := tx.Exec(ctx, "UPDATE operators SET password_hash = ?, totp_sealed = ?, totp_step = 0, setup_hash = NULL, setup_expires_at = NULL WHERE id = ? AND setup_hash = ?",
			passwordHash, c.sealOperator(id, operatorTOTPPurpose, totpSecret), id, setupHash)
		if err != nil {
			return fmt.Errorf("set up account: %w", err)
		}
		if n == 0 {
			return kyb.NotFound("set-up token")
		}
		if op, err = c.scanOperator(tx.QueryRow(ctx, "SELECT "+operatorColumns+" FROM operators WHERE id = ?", id)); err != nil {
			return err
		}
		return InsertAudit(ctx, c.Dialect, tx, audit)
	})
	return op, err
}

// CreateSession stores a new session, ending the one it replaces.
func (c *Core) CreateSession(ctx context.Context, s kyb.Session, replaces string, totpStep int64, audit kyb.AuditEvent) error {
	return c.transactAudited(ctx, func(tx Queryer) error {
		if totpStep > 0 {
			n, err := tx.Exec(ctx, "UPDATE operators SET totp_step = ? WHERE id = ? AND totp_step < ?", totpStep, s.OperatorID, totpStep)
			if err != nil {
				return fmt.Errorf("record the TOTP step: %w", err)
			}
			if n == 0 {
				return kyb.ErrBadLogin // the code was used meanwhile
			}
		}
		if replaces != "" {
			if _, err := tx.Exec(ctx, "DELETE FROM console_sessions WHERE token_hash = ?", replaces); err != nil {
				return fmt.Errorf("end replaced session: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, "INSERT INTO console_sessions (token_hash, operator_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)",
			s.TokenHash, s.OperatorID, c.Dialect.Time(s.CreatedAt), c.Dialect.Time(s.LastSeenAt)); err != nil {
			return fmt.Errorf("insert session: %w", err)
		}
		return InsertAudit(ctx, c.Dialect, tx, audit)
	})
}

// Session returns a session by its token hash.
func (c *Core) Session(ctx context.Context, tokenHash string) (kyb.Session, error) {
	s := kyb.Session{TokenHash: tokenHash}
	var created, seen Time
	err := c.Read.QueryRow(ctx, "SELECT operator_id, created_at, last_seen_at FROM console_sessions WHERE token_hash = ?", tokenHash).Scan(&s.OperatorID, &created, &seen)
	if errors.Is(err, ErrNoRows) {
		return kyb.Session{}, kyb.NotFound("session")
	}
	if err != nil {
		return kyb.Session{}, fmt.Errorf("select session: %w", err)
	}
	s.CreatedAt, s.LastSeenAt = created.T, seen.T
	return s, nil
}

// TouchSession records a session's use.
func (c *Core) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	return c.Transact(ctx, func(tx Queryer) error {
		if _, err := tx.Exec(ctx, "UPDATE console_sessions SET last_seen_at = ? WHERE token_hash = ?", c.Dialect.Time(at), tokenHash); err != nil {
			return fmt.Errorf("touch session: %w", err)
		}
		return nil
	})
}

// EndSession deletes a session, recording audit when it is not nil and
// the session existed.
func (c *Core) EndSession(ctx context.Context, tokenHash string, audit *kyb.AuditEvent) error {
	write := c.Transact
	if audit != nil {
		write = c.transactAudited
	}
	return write(ctx, func(tx Queryer) error {
		n, err := tx.Exec(ctx, "DELETE FROM console_sessions WHERE token_hash = ?", tokenHash)
		if err != nil {
			return fmt.Errorf("end session: %w", err)
		}
		if n == 0 || audit == nil {
			return nil
		}
		return InsertAudit(ctx, c.Dialect, tx, *audit)
	})
}
