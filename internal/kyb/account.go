package kyb

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"golang.org/x/crypto/argon2"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/screening"
)

// Console accounts: an operator signs in to the reviewer console with an
// email, a password and, when it is on, a TOTP code, and gets a session
// kept in the database so that every instance knows it.

// Roles of operators: a reviewer decides on customers; an admin also
// manages partners, keys, policies, webhooks and operators.
const (
	RoleReviewer = "reviewer"
	RoleAdmin    = "admin"
)

// Audit actions of console accounts.
const (
	ActionOperatorAccountReset = "operator.account_reset"
	ActionOperatorAccountSetUp = "operator.account_set_up"
	ActionOperatorLoggedIn     = "operator.logged_in"
	ActionOperatorLoggedOut    = "operator.logged_out"
)

// Password rules: long enough to resist guessing at argon2id's cost,
// bounded so that hashing stays cheap to ask for.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 128
)

// SetupTTL is how long a set-up link works.
const SetupTTL = 72 * time.Hour

// Default session limits.
const (
	DefaultSessionIdle     = 30 * time.Minute
	DefaultSessionLifetime = 12 * time.Hour
)

// PasswordParams are argon2id's cost parameters. Every hash records its
// own, so raising them later still verifies the old hashes.
type PasswordParams struct {
	Time    uint32
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultPasswordParams are OWASP's recommended minimum for argon2id: 19
// MiB, two passes, one lane.
var DefaultPasswordParams = PasswordParams{Time: 2, Memory: 19 * 1024, Threads: 1}

// ConsolePolicy is how console accounts and sessions behave.
type ConsolePolicy struct {
	// SessionIdle ends a session not used for this long; SessionLifetime
	// ends every session this long after its login.
	SessionIdle, SessionLifetime time.Duration
	// AdminTOTP requires a second factor of admins: set-up asks for it
	// and an admin without one cannot sign in.
	AdminTOTP bool
	Password  PasswordParams
}

// WithConsolePolicy sets the policy of console accounts and sessions.
func WithConsolePolicy(p ConsolePolicy) Option { return func(s *Service) { s.console = p } }

// ConsolePolicy returns the service's policy of console accounts.
func (s *Service) ConsolePolicy() ConsolePolicy { return s.console }

// Session is a signed-in operator's console session; its token exists only
// in the operator's cookie, the store keeps its hash.
type Session struct {
	TokenHash  string
	OperatorID string
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// SessionStore keeps console sessions and the account fields of operators.
type SessionStore interface {
	// OperatorByEmail finds the operator whose email is this one, ignoring
	// case.
	OperatorByEmail(ctx context.Context, email string) (Operator, error)
	// OperatorBySetupHash finds the operator holding a set-up token.
	OperatorBySetupHash(ctx context.Context, hash string) (Operator, error)
	// OperatorByID returns an operator.
	OperatorByID(ctx context.Context, id string) (Operator, error)
	// ResetOperatorAccount clears an operator's password and second
	// factor, sets their email when email is not empty, gives them the
	// set-up token hash until expires and ends their sessions, with the
	// audit event. An email another operator has is a conflict.
	ResetOperatorAccount(ctx context.Context, id, email, setupHash string, expires time.Time, audit AuditEvent) error
	// CompleteOperatorSetup sets the password hash and TOTP secret of the
	// operator holding the set-up token hash if it has not expired at
	// audit.At, and uses the token up; an unknown or expired one is not
	// found.
	CompleteOperatorSetup(ctx context.Context, setupHash, passwordHash, totpSecret string, audit AuditEvent) (Operator, error)
	// CreateSession stores a session and its audit event, and ends the
	// session whose token hash is replaces (when not empty) in the same
	// transaction. A totpStep above zero is the time step of the TOTP code
	// the login used: it must be later than the operator's last one
	// (Operator.TOTPStep), which it becomes; otherwise the code is being
	// replayed, and the answer is ErrBadLogin with nothing stored.
	CreateSession(ctx context.Context, s Session, replaces string, totpStep int64, audit AuditEvent) error
	// Session returns a session by its token hash.
	Session(ctx context.Context, tokenHash string) (Session, error)
	// TouchSession records that a session was used at at.
	TouchSession(ctx context.Context, tokenHash string, at time.Time) error
	// EndSession deletes a session, with the audit event when it is not
	// nil; an unknown session changes nothing.
	EndSession(ctx context.Context, tokenHash string, audit *AuditEvent) error
	// FailedDeliveries returns up to limit webhook deliveries that failed
	// for good, of every partner, newest first, with their attempts.
	FailedDeliveries(ctx context.Context, limit int) ([]Delivery, error)
}

// Errors of console accounts. A failed login says nothing about which of
// email, password or code was wrong.
var (
	ErrBadLogin  = &Error{Kind: KindUnauthorized, Code: "bad_login", Message: "the email, password or code is wrong"}
	ErrNoAccount = &Error{Kind: KindUnauthorized, Code: "account_not_set_up",
		Message: "this account has no password yet: use the set-up link, or ask an admin for a new one"}
	ErrTOTPRequired = &Error{Kind: KindForbidden, Code: "totp_required",
		Message: "admins need a second factor to sign in: ask an admin for a reset link and turn the authenticator code on when setting up"}
	ErrNoSession      = &Error{Kind: KindUnauthorized, Code: "no_session", Message: "you are not signed in"}
	ErrSessionExpired = &Error{Kind: KindUnauthorized, Code: "session_expired", Message: "your session has expired: sign in again"}
	ErrBadSetup       = &Error{Kind: KindNotFound, Code: "setup_link_invalid", Message: "this set-up link is not valid: it was used already or has expired; ask an admin for a new one"}
)

// AccountSetup is a one-time set-up token, shown once, when an account is
// created or reset.
type AccountSetup struct {
	OperatorID string
	Token      string
	ExpiresAt  time.Time
}

// newSecretToken returns a random token with a prefix and its hash.
func newSecretToken(prefix string) (token, hash string) {
	var b [32]byte
	rand.Read(b[:])
	token = prefix + base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashSecret(token)
}

// operatorEmail checks an operator's email: present, one address.
func (c *checker) operatorEmail(field, v string) {
	if strings.TrimSpace(v) == "" {
		c.add(field, api.CodeRequired, "is required")
		return
	}
	c.email(field, v, maxEmailLength)
}

// CreateOperatorAccount creates an operator with a console account (an
// admin when admin is set) and returns their one-time set-up token. Their
// bearer token is made but never shown: RotateOperatorToken gives them one
// for the admin API.
func (s *Service) CreateOperatorAccount(ctx context.Context, actor Actor, name, email string, admin bool) (AccountSetup, error) {
	var ch checker
	ch.name("name", name)
	ch.operatorEmail("email", email)
	if len(ch.errs) > 0 {
		return AccountSetup{}, Invalid(ch.errs)
	}
	now := s.Now().UTC()
	_, tokenHash := NewOperatorToken()
	setup, setupHash := newSecretToken("ost_")
	op := Operator{ID: NewID(PrefixOperator, now), Name: name, Admin: admin, TokenHash: tokenHash, CreatedAt: now, TokenIssuedAt: now,
		Email: email, SetupHash: setupHash, SetupExpiresAt: now.Add(SetupTTL)}
	audit := newAuditEvent(now, actor, ActionOperatorCreated)
	audit.TargetID = op.ID
	if err := s.store.CreateOperator(ctx, op, audit); err != nil {
		return AccountSetup{}, fmt.Errorf("create operator: %w", err)
	}
	return AccountSetup{OperatorID: op.ID, Token: setup, ExpiresAt: op.SetupExpiresAt}, nil
}

// ResetOperatorAccount clears an operator's password and second factor,
// ends their sessions and returns a new set-up token; email, when not
// empty, becomes their sign-in email (how an operator of the bearer token
// alone gets an account). Their bearer token is left alone.
func (s *Service) ResetOperatorAccount(ctx context.Context, actor Actor, id, email string) (AccountSetup, error) {
	op, err := s.store.OperatorByID(ctx, id)
	if err != nil {
		return AccountSetup{}, err
	}
	var ch checker
	if email != "" {
		ch.operatorEmail("email", email)
	} else if op.Email == "" {
		ch.add("email", api.CodeRequired, "is required: this operator has no email to sign in with yet")
	}
	if len(ch.errs) > 0 {
		return AccountSetup{}, Invalid(ch.errs)
	}
	now := s.Now().UTC()
	setup, setupHash := newSecretToken("ost_")
	audit := newAuditEvent(now, actor, ActionOperatorAccountReset)
	audit.TargetID = id
	if err := s.store.ResetOperatorAccount(ctx, id, email, setupHash, now.Add(SetupTTL), audit); err != nil {
		return AccountSetup{}, fmt.Errorf("reset account of %s: %w", id, err)
	}
	return AccountSetup{OperatorID: id, Token: setup, ExpiresAt: now.Add(SetupTTL)}, nil
}

// SetupOperator returns the operator a set-up token belongs to, while it
// works.
func (s *Service) SetupOperator(ctx context.Context, token string) (Operator, error) {
	if token == "" || len(token) > 128 {
		return Operator{}, ErrBadSetup
	}
	op, err := s.store.OperatorBySetupHash(ctx, HashSecret(token))
	if ErrorKind(err) == KindNotFound || err == nil && (!s.Now().Before(op.SetupExpiresAt) || op.Disabled()) {
		return Operator{}, ErrBadSetup
	}
	return op, err
}

// AccountChoice is what an operator chooses at set-up: a password, and
// optionally a TOTP secret (offered by NewTOTP) with a current code that
// proves their authenticator holds it.
type AccountChoice struct {
	Password   string
	TOTPSecret string
	TOTPCode   string
}

// CompleteSetup sets up the account of the operator holding a set-up
// token, which is then used up.
func (s *Service) CompleteSetup(ctx context.Context, token string, c AccountChoice) (Operator, error) {
	op, err := s.SetupOperator(ctx, token)
	if err != nil {
		return Operator{}, err
	}
	var ch checker
	if msg := CheckPassword(c.Password, op.Email); msg != "" {
		ch.add("password", api.CodeInvalidValue, msg)
	}
	now := s.Now()
	switch {
	case c.TOTPSecret == "" && op.Admin && s.console.AdminTOTP:
		ch.add("totp", api.CodeRequired, "admins must turn on the authenticator code")
	case c.TOTPSecret != "" && totpStep(c.TOTPSecret, c.TOTPCode, now) == 0:
		ch.add("totp", api.CodeInvalidValue, "the code does not match: enter the 6 digits your authenticator app shows now")
	}
	if len(ch.errs) > 0 {
		return Operator{}, Invalid(ch.errs)
	}
	audit := newAuditEvent(now.UTC(), Actor{ActorOperator, op.ID}, ActionOperatorAccountSetUp)
	audit.TargetID = op.ID
	// The code that proved the authenticator is not recorded as used: the
	// operator may sign in with it at once, as people do.
	op, err = s.store.CompleteOperatorSetup(ctx, HashSecret(token), HashPassword(c.Password, s.console.Password), c.TOTPSecret, audit)
	if ErrorKind(err) == KindNotFound {
		return Operator{}, ErrBadSetup
	}
	return op, err
}

// NewTOTP makes a TOTP secret for an operator's authenticator, with the
// otpauth:// URI that apps read.
func NewTOTP(email string) (secret, uri string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "onboard", AccountName: email})
	if err != nil {
		return "", "", fmt.Errorf("make TOTP secret: %w", err)
	}
	return key.Secret(), key.URL(), nil
}

// totpOpts are the common authenticator settings: 6 digits every 30
// seconds, one step of clock drift either way.
var totpOpts = totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// totpStep returns the time step (Unix time over the period) whose code
// code is, within the allowed drift of now, or 0 when it is none's.
func totpStep(secret, code string, now time.Time) int64 {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0
	}
	period := int64(totpOpts.Period)
	for _, d := range []int64{0, -1, 1} {
		step := now.Unix()/period + d
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*period, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step
		}
	}
	return 0
}

// TOTPCode returns the code of a secret at a time, for tests and tools.
func TOTPCode(secret string, at time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, at, totpOpts)
}

// Login is an attempt to sign in to the console.
type Login struct {
	Email, Password, TOTPCode string
	// Replaces is the token of the session the browser held before, if
	// any: a login always starts a new session and ends that one.
	Replaces string
}

// dummyHash is verified against when no operator has the email, so that a
// login takes as long whether or not the email exists.
var dummyHash = sync.OnceValue(func() string { return HashPassword("not a real password, never matches", DefaultPasswordParams) })

// Login signs an operator in and returns their new session's token.
func (s *Service) Login(ctx context.Context, l Login) (token string, op Operator, err error) {
	if l.Email == "" || len(l.Email) > maxEmailLength || len(l.Password) > MaxPasswordLength {
		return "", Operator{}, ErrBadLogin
	}
	op, err = s.store.OperatorByEmail(ctx, l.Email)
	if err != nil && ErrorKind(err) != KindNotFound {
		return "", Operator{}, fmt.Errorf("login: %w", err)
	}
	hash := op.PasswordHash
	if err != nil || hash == "" {
		hash = dummyHash()
	}
	ok := VerifyPassword(hash, l.Password)
	now := s.Now()
	switch {
	case err != nil:
		return "", Operator{}, ErrBadLogin
	case op.PasswordHash == "":
		return "", Operator{}, ErrNoAccount
	case !ok:
		return "", Operator{}, ErrBadLogin
	case op.TOTPSecret != "" && totpStep(op.TOTPSecret, l.TOTPCode, now) <= op.TOTPStep:
		// A wrong code, or one used already: each code signs in once.
		return "", Operator{}, ErrBadLogin
	case op.Disabled():
		return "", Operator{}, ErrOperatorDisabled
	case op.Admin && s.console.AdminTOTP && op.TOTPSecret == "":
		return "", Operator{}, ErrTOTPRequired
	}
	token, tokenHash := newSecretToken("ocs_")
	at := now.UTC()
	audit := newAuditEvent(at, Actor{ActorOperator, op.ID}, ActionOperatorLoggedIn)
	audit.TargetID = op.ID
	replaces := ""
	if l.Replaces != "" {
		replaces = HashSecret(l.Replaces)
	}
	var step int64
	if op.TOTPSecret != "" {
		step = totpStep(op.TOTPSecret, l.TOTPCode, now)
	}
	if err := s.store.CreateSession(ctx, Session{TokenHash: tokenHash, OperatorID: op.ID, CreatedAt: at, LastSeenAt: at}, replaces, step, audit); err != nil {
		if errors.Is(err, ErrBadLogin) {
			return "", Operator{}, ErrBadLogin
		}
		return "", Operator{}, fmt.Errorf("login: %w", err)
	}
	return token, op, nil
}

// OperatorSession returns the operator signed in with a session token,
// if the session has been used within the idle timeout, is younger than
// the lifetime and the operator is not disabled; it records the use.
func (s *Service) OperatorSession(ctx context.Context, token string) (Operator, error) {
	if token == "" || len(token) > 128 {
		return Operator{}, ErrNoSession
	}
	hash := HashSecret(token)
	sess, err := s.store.Session(ctx, hash)
	if ErrorKind(err) == KindNotFound {
		return Operator{}, ErrNoSession
	}
	if err != nil {
		return Operator{}, fmt.Errorf("session: %w", err)
	}
	now := s.Now()
	if !now.Before(sess.LastSeenAt.Add(s.console.SessionIdle)) || !now.Before(sess.CreatedAt.Add(s.console.SessionLifetime)) {
		if err := s.store.EndSession(ctx, hash, nil); err != nil {
			return Operator{}, fmt.Errorf("end expired session: %w", err)
		}
		return Operator{}, ErrSessionExpired
	}
	op, err := s.store.OperatorByID(ctx, sess.OperatorID)
	if err != nil {
		return Operator{}, fmt.Errorf("session: %w", err)
	}
	if op.Disabled() {
		return Operator{}, ErrOperatorDisabled
	}
	// A session's use is written at most every few seconds of its idle
	// timeout, not on every request.
	if now.Sub(sess.LastSeenAt) >= min(s.console.SessionIdle/20, time.Minute) {
		if err := s.store.TouchSession(ctx, hash, now.UTC()); err != nil {
			return Operator{}, fmt.Errorf("session: %w", err)
		}
	}
	return op, nil
}

// Logout ends a session; ending one that is gone already is no error.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" || len(token) > 128 {
		return nil
	}
	hash := HashSecret(token)
	sess, err := s.store.Session(ctx, hash)
	if ErrorKind(err) == KindNotFound {
		return nil
	}
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	audit := newAuditEvent(s.Now().UTC(), Actor{ActorOperator, sess.OperatorID}, ActionOperatorLoggedOut)
	audit.TargetID = sess.OperatorID
	return s.store.EndSession(ctx, hash, &audit)
}

// HashPassword returns the argon2id hash of a password in the PHC string
// format, with a random salt and the parameters p.
func HashPassword(password string, p PasswordParams) string {
	if p == (PasswordParams{}) {
		p = DefaultPasswordParams
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// errBadHash reports a stored hash that is not one of HashPassword's.
var errBadHash = errors.New("not an argon2id hash")

func parseHash(encoded string) (p PasswordParams, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil || p.Time == 0 || p.Threads == 0 || p.Memory > 1<<22 {
		return p, nil, nil, errBadHash
	}
	if salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil {
		return p, nil, nil, errBadHash
	}
	if key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(key) == 0 {
		return p, nil, nil, errBadHash
	}
	return p, salt, key, nil
}

// VerifyPassword reports whether password matches a HashPassword hash, in
// constant time.
func VerifyPassword(encoded, password string) bool {
	p, salt, key, err := parseHash(encoded)
	if err != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

//go:embed passwords.txt
var commonPasswordList string

// commonPasswords holds the common passwords and the words they are
// commonly built on, lower case.
var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(commonPasswordList, "\n") {
		if w := strings.TrimSpace(line); w != "" && !strings.HasPrefix(w, "#") {
			m[strings.ToLower(w)] = true
		}
	}
	return m
}()

// CheckPassword returns why a password may not be chosen, or "" when it
// may: too short or too long, or common: on the list, or a word of the
// list with digits and symbols around it ("Password123!"), or the
// account's email or a character repeated.
func CheckPassword(password, email string) string {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLength:
		return fmt.Sprintf("must be at least %d characters long", MinPasswordLength)
	case len(password) > MaxPasswordLength:
		return fmt.Sprintf("must be at most %d bytes long", MaxPasswordLength)
	}
	lower := strings.ToLower(password)
	core := strings.TrimFunc(lower, func(r rune) bool { return !('a' <= r && r <= 'z') })
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	switch {
	case commonPasswords[lower] || commonPasswords[core]:
		return "is one of the most common passwords; choose another"
	case local != "" && (core == local || lower == strings.ToLower(email)):
		return "must not be your email"
	case strings.Count(lower, lower[:1]) == len(lower):
		return "must not be one character repeated"
	}
	return ""
}

// HitEntries returns the list entry of each of a screening's hits, from
// the lists in force (an entry since delisted is missing), for operators
// to compare side by side.
func (s *Service) HitEntries(ctx context.Context, sc *Screening) (map[string]screening.Entry, error) {
	out := map[string]screening.Entry{}
	if sc == nil || len(sc.Hits) == 0 {
		return out, nil
	}
	ix, _, err := s.listIndex(ctx)
	if err != nil {
		return nil, fmt.Errorf("hit entries: %w", err)
	}
	for _, h := range sc.Hits {
		if e, ok := ix.Entry(h); ok {
			out[h.Source+"/"+h.EntryID] = e
		}
	}
	return out, nil
}

// ReferencesFile reports whether a profile names a file among its
// documents.
func ReferencesFile(p api.Profile, fileID string) bool {
	for _, ref := range fileReferences(p) {
		if ref.id == fileID {
			return true
		}
	}
	return false
}

// FailedDeliveries returns up to limit webhook deliveries that failed for
// good, of every partner, newest first, for operators to send again.
func (s *Service) FailedDeliveries(ctx context.Context, limit int) ([]Delivery, error) {
	return s.store.FailedDeliveries(ctx, min(max(limit, 1), MaxPageSize))
}
