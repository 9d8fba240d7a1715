package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// testSessions checks console accounts (email found ignoring case, unique,
// sealed; set-up tokens used once; resets) and sessions (stored, touched,
// ended by logout, by a reset, by disabling the operator).
func testSessions(t *testing.T, s kyb.Store) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	_, tokenHash := kyb.NewOperatorToken()
	_, setupHash := kyb.NewOperatorToken()
	email := "Reviewer." + kyb.NewID("", now) + "@example.com"
	op := kyb.Operator{ID: kyb.NewID(kyb.PrefixOperator, now), Name: "Rita", TokenHash: tokenHash, CreatedAt: now, TokenIssuedAt: now,
		Email: email, SetupHash: setupHash, SetupExpiresAt: now.Add(time.Hour)}
	if err := s.CreateOperator(ctx, op, AuditOf(kyb.ActionOperatorCreated, "", op.ID)); err != nil {
		t.Fatalf("CreateOperator: %v", err)
	}
	got, err := s.OperatorByEmail(ctx, "reviewer."+email[len("Reviewer."):])
	if err != nil || got.ID != op.ID || got.Email != email || got.SetupHash != setupHash || !got.SetupExpiresAt.Equal(op.SetupExpiresAt) {
		t.Fatalf("OperatorByEmail in lower case = %+v, %v; want %s with its email and set-up token", got, err, op.ID)
	}
	twin := op
	twin.ID, twin.TokenHash, twin.SetupHash = kyb.NewID(kyb.PrefixOperator, now), "other-"+tokenHash, ""
	if err := s.CreateOperator(ctx, twin, AuditOf(kyb.ActionOperatorCreated, "", twin.ID)); kyb.ErrorKind(err) != kyb.KindConflict {
		t.Errorf("CreateOperator with a taken email = %v, want a conflict", err)
	}
	if got, err := s.OperatorBySetupHash(ctx, setupHash); err != nil || got.ID != op.ID {
		t.Errorf("OperatorBySetupHash = %+v, %v", got, err)
	}

	setUp := AuditOf(kyb.ActionOperatorAccountSetUp, "", op.ID)
	got, err = s.CompleteOperatorSetup(ctx, setupHash, "$argon2id$hash", "JBSWY3DPEHPK3PXP", setUp)
	if err != nil || got.PasswordHash != "$argon2id$hash" || got.TOTPSecret != "JBSWY3DPEHPK3PXP" || got.TOTPStep != 0 || got.SetupHash != "" {
		t.Fatalf("CompleteOperatorSetup = %+v, %v; want the password and secret set, the token used", got, err)
	}
	if _, err := s.CompleteOperatorSetup(ctx, setupHash, "$argon2id$again", "", setUp); !errors.Is(err, kyb.ErrNotFound) {
		t.Errorf("a set-up token used twice = %v, want not found", err)
	}

	newSession := func(at time.Time) kyb.Session {
		_, h := kyb.NewOperatorToken()
		sess := kyb.Session{TokenHash: h, OperatorID: op.ID, CreatedAt: at, LastSeenAt: at}
		if err := s.CreateSession(ctx, sess, "", 0, AuditOf(kyb.ActionOperatorLoggedIn, "", op.ID)); err != nil {
			t.Fatalf("CreateSession: %v", err)
		}
		return sess
	}
	first := newSession(now)
	if got, err := s.Session(ctx, first.TokenHash); err != nil || got != first {
		t.Errorf("Session = %+v, %v; want %+v", got, err, first)
	}
	later := now.Add(time.Minute)
	if err := s.TouchSession(ctx, first.TokenHash, later); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Session(ctx, first.TokenHash); !got.LastSeenAt.Equal(later) {
		t.Errorf("after TouchSession last seen %v, want %v", got.LastSeenAt, later)
	}
	// A login replaces the session the browser held.
	_, h := kyb.NewOperatorToken()
	second := kyb.Session{TokenHash: h, OperatorID: op.ID, CreatedAt: later, LastSeenAt: later}
	if err := s.CreateSession(ctx, second, first.TokenHash, 1001, AuditOf(kyb.ActionOperatorLoggedIn, "", op.ID)); err != nil {
		t.Fatal(err)
	}
	// A TOTP step used already (or older) is refused, and stores nothing.
	_, replay := kyb.NewOperatorToken()
	if err := s.CreateSession(ctx, kyb.Session{TokenHash: replay, OperatorID: op.ID, CreatedAt: later, LastSeenAt: later}, "", 1001, AuditOf(kyb.ActionOperatorLoggedIn, "", op.ID)); !errors.Is(err, kyb.ErrBadLogin) {
		t.Errorf("a session with a TOTP step used already = %v, want ErrBadLogin", err)
	}
	if _, err := s.Session(ctx, replay); !errors.Is(err, kyb.ErrNotFound) {
		t.Errorf("the refused session = %v, want not stored", err)
	}
	if got, _ := s.OperatorByID(ctx, op.ID); got.TOTPStep != 1001 {
		t.Errorf("TOTP step after the login = %d, want 1001", got.TOTPStep)
	}
	if _, err := s.Session(ctx, first.TokenHash); !errors.Is(err, kyb.ErrNotFound) {
		t.Errorf("the replaced session = %v, want not found", err)
	}
	logout := AuditOf(kyb.ActionOperatorLoggedOut, "", op.ID)
	if err := s.EndSession(ctx, second.TokenHash, &logout); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, second.TokenHash); !errors.Is(err, kyb.ErrNotFound) {
		t.Errorf("the ended session = %v, want not found", err)
	}
	if err := s.EndSession(ctx, second.TokenHash, &logout); err != nil {
		t.Errorf("ending an ended session = %v, want nothing", err)
	}

	// A reset clears the password and second factor and ends sessions.
	third := newSession(later)
	_, resetHash := kyb.NewOperatorToken()
	if err := s.ResetOperatorAccount(ctx, op.ID, "", resetHash, later.Add(time.Hour), AuditOf(kyb.ActionOperatorAccountReset, "", op.ID)); err != nil {
		t.Fatal(err)
	}
	got, err = s.OperatorByID(ctx, op.ID)
	if err != nil || got.PasswordHash != "" || got.TOTPSecret != "" || got.TOTPStep != 0 || got.SetupHash != resetHash || got.Email != email {
		t.Errorf("after the reset %+v, %v; want no password, no secret, the new token, the same email", got, err)
	}
	if _, err := s.Session(ctx, third.TokenHash); !errors.Is(err, kyb.ErrNotFound) {
		t.Errorf("a session after the reset = %v, want ended", err)
	}
	if err := s.ResetOperatorAccount(ctx, "opr_nobody", "", resetHash+"x", later, AuditOf(kyb.ActionOperatorAccountReset, "", "opr_nobody")); !errors.Is(err, kyb.ErrNotFound) {
		t.Errorf("resetting an unknown operator = %v, want not found", err)
	}

	// Disabling the operator ends their sessions.
	fourth := newSession(later)
	if _, err := s.DisableOperator(ctx, op.ID, AuditOf(kyb.ActionOperatorDisabled, "", op.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, fourth.TokenHash); !errors.Is(err, kyb.ErrNotFound) {
		t.Errorf("a session after disabling = %v, want ended", err)
	}
}
