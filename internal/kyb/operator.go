package kyb

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"
)

// PrefixOperator starts every operator id.
const PrefixOperator = "opr_"

// DefaultOperatorTokenTTL is how long an operator token works after it was
// issued, unless the service is configured otherwise.
const DefaultOperatorTokenTTL = 90 * 24 * time.Hour

// Operator is a compliance operator who reviews customers through the
// admin API, authenticated by a bearer token. An admin operator also
// manages operators.
type Operator struct {
	ID        string
	Name      string
	Admin     bool
	TokenHash string
	CreatedAt time.Time
	// TokenIssuedAt is when the current token was issued: at creation or
	// at the last rotation. The token expires a TTL after it.
	TokenIssuedAt time.Time
	// DisabledAt is zero while the operator may sign in.
	DisabledAt time.Time
	// Email signs in to the console; empty for an operator with a bearer
	// token alone. It is personal data: sealed at rest.
	Email string
	// PasswordHash is the argon2id hash of the console password, empty
	// until the account is set up; TOTPSecret the base32 secret of the
	// second factor, empty when it is off (sealed at rest).
	PasswordHash, TOTPSecret string
	// TOTPStep is the time step of the last TOTP code used, which no
	// later sign-in may use again.
	TOTPStep int64
	// SetupHash is the hash of the one-time set-up token, empty once used;
	// it works until SetupExpiresAt.
	SetupHash      string
	SetupExpiresAt time.Time
}

// Role is "admin" or "reviewer".
func (o Operator) Role() string {
	if o.Admin {
		return RoleAdmin
	}
	return RoleReviewer
}

// Disabled reports whether the operator has been disabled.
func (o Operator) Disabled() bool { return !o.DisabledAt.IsZero() }

// TokenExpiresAt is when the operator's token stops working under a TTL.
func (o Operator) TokenExpiresAt(ttl time.Duration) time.Time { return o.TokenIssuedAt.Add(ttl) }

// NewOperatorToken returns a new bearer token and its stored hash.
func NewOperatorToken() (token, hash string) {
	var b [32]byte
	rand.Read(b[:])
	token = "opt_" + base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashSecret(token)
}

// OperatorCredentials are shown once, when an operator is created or their
// token rotated.
type OperatorCredentials struct {
	OperatorID string `json:"operator_id"`
	Token      string `json:"token"`
	// ExpiresAt is when the token stops working, in RFC 3339.
	ExpiresAt string `json:"expires_at"`
}

// ErrBadToken is the one answer to an operator token that is missing or
// matches no operator.
var ErrBadToken = &Error{Kind: KindUnauthorized, Code: "unauthorized", Message: "missing or invalid operator token"}

// ErrTokenExpired answers a token that matched but is past its expiry.
var ErrTokenExpired = &Error{Kind: KindUnauthorized, Code: "token_expired",
	Message: "the operator token has expired; an admin issues a new one with onboard operators rotate-token or POST /admin/operators/{operator_id}/rotate-token"}

// ErrOperatorDisabled answers a token of a disabled operator.
var ErrOperatorDisabled = &Error{Kind: KindUnauthorized, Code: "operator_disabled", Message: "the operator has been disabled"}

// ErrNotAdmin refuses an operator who is not an admin an admin's action.
var ErrNotAdmin = &Error{Kind: KindForbidden, Code: "admin_required", Message: "only an admin operator may do this"}

// WithOperatorTokenTTL makes operator tokens expire ttl after they were
// issued instead of DefaultOperatorTokenTTL.
func WithOperatorTokenTTL(ttl time.Duration) Option {
	return func(s *Service) { s.operatorTokenTTL = ttl }
}

// OperatorTokenTTL is how long an operator token works after it was
// issued.
func (s *Service) OperatorTokenTTL() time.Duration { return s.operatorTokenTTL }

// CreateOperator creates a compliance operator (an admin when admin is
// set) and returns their token, which exists only in this return value.
func (s *Service) CreateOperator(ctx context.Context, actor Actor, name string, admin bool) (OperatorCredentials, error) {
	var ch checker
	ch.name("name", name)
	if len(ch.errs) > 0 {
		return OperatorCredentials{}, Invalid(ch.errs)
	}
	now := s.Now().UTC()
	token, hash := NewOperatorToken()
	op := Operator{ID: NewID(PrefixOperator, now), Name: name, Admin: admin, TokenHash: hash, CreatedAt: now, TokenIssuedAt: now}
	audit := newAuditEvent(now, actor, ActionOperatorCreated)
	audit.TargetID = op.ID
	if err := s.store.CreateOperator(ctx, op, audit); err != nil {
		return OperatorCredentials{}, fmt.Errorf("create operator: %w", err)
	}
	return s.operatorCredentials(op.ID, token, now), nil
}

func (s *Service) operatorCredentials(id, token string, issued time.Time) OperatorCredentials {
	return OperatorCredentials{OperatorID: id, Token: token, ExpiresAt: FormatTime(issued.Add(s.operatorTokenTTL))}
}

// AuthenticateOperator returns the enabled operator holding token, if the
// token has not expired. The lookup is by the token's hash, so its timing
// says nothing about the token, and it asks the store every time: a
// disabled operator or a rotated token is refused at once on every
// instance.
func (s *Service) AuthenticateOperator(ctx context.Context, token string) (Operator, error) {
	if token == "" {
		return Operator{}, ErrBadToken
	}
	op, err := s.store.OperatorByTokenHash(ctx, HashSecret(token))
	if ErrorKind(err) == KindNotFound {
		return Operator{}, ErrBadToken
	}
	if err != nil {
		return Operator{}, fmt.Errorf("authenticate operator: %w", err)
	}
	switch {
	case op.Disabled():
		return Operator{}, ErrOperatorDisabled
	case !s.Now().Before(op.TokenExpiresAt(s.operatorTokenTTL)):
		return Operator{}, ErrTokenExpired
	}
	return op, nil
}

// Operators lists every operator, oldest first.
func (s *Service) Operators(ctx context.Context) ([]Operator, error) {
	return s.store.Operators(ctx)
}

// DisableOperator stops an operator from signing in, on every instance at
// once. Disabling a disabled operator changes and records nothing.
func (s *Service) DisableOperator(ctx context.Context, actor Actor, id string) (Operator, error) {
	audit := newAuditEvent(s.Now().UTC(), actor, ActionOperatorDisabled)
	audit.TargetID = id
	op, err := s.store.DisableOperator(ctx, id, audit)
	if err != nil {
		return Operator{}, fmt.Errorf("disable operator %s: %w", id, err)
	}
	return op, nil
}

// RotateOperatorToken issues an operator a new token, which exists only in
// this return value; the old one stops working at once. A disabled
// operator stays disabled.
func (s *Service) RotateOperatorToken(ctx context.Context, actor Actor, id string) (OperatorCredentials, error) {
	now := s.Now().UTC()
	token, hash := NewOperatorToken()
	audit := newAuditEvent(now, actor, ActionOperatorTokenRotated)
	audit.TargetID = id
	if err := s.store.SetOperatorToken(ctx, id, hash, audit); err != nil {
		return OperatorCredentials{}, fmt.Errorf("rotate token of %s: %w", id, err)
	}
	return s.operatorCredentials(id, token, now), nil
}

// OperatorView is an operator as the admin API and the command line show
// them: never their token or its hash.
type OperatorView struct {
	OperatorID     string `json:"operator_id"`
	Name           string `json:"name"`
	Admin          bool   `json:"admin"`
	CreatedAt      string `json:"created_at"`
	TokenIssuedAt  string `json:"token_issued_at"`
	TokenExpiresAt string `json:"token_expires_at"`
	// DisabledAt is present once the operator is disabled.
	DisabledAt string `json:"disabled_at,omitempty"`
}

// OperatorView shows op with their token's expiry under this service's
// TTL.
func (s *Service) OperatorView(op Operator) OperatorView {
	v := OperatorView{
		OperatorID: op.ID, Name: op.Name, Admin: op.Admin, CreatedAt: FormatTime(op.CreatedAt),
		TokenIssuedAt: FormatTime(op.TokenIssuedAt), TokenExpiresAt: FormatTime(op.TokenExpiresAt(s.operatorTokenTTL)),
	}
	if op.Disabled() {
		v.DisabledAt = FormatTime(op.DisabledAt)
	}
	return v
}
