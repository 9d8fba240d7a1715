package kyb_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// fastPasswords makes argon2id cheap in tests; the parameters are in each
// hash, so verification is exercised all the same.
var fastPasswords = kyb.PasswordParams{Time: 1, Memory: 1024, Threads: 1}

func TestPasswordHash(t *testing.T) {
	h := kyb.HashPassword("correct horse battery", fastPasswords)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Errorf("hash %q: want the PHC argon2id form with its parameters", h)
	}
	if h2 := kyb.HashPassword("correct horse battery", fastPasswords); h2 == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	tests := []struct {
		name, hash, password string
		want                 bool
	}{
		{"the password", h, "correct horse battery", true},
		{"another password", h, "correct horse batterY", false},
		{"empty", h, "", false},
		{"a damaged hash", h[:len(h)-4], "correct horse battery", false},
		{"not a hash", "plain", "plain", false},
		{"absurd memory", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$a2V5", "x", false},
		{"the default parameters", kyb.HashPassword("another long one", kyb.PasswordParams{}), "another long one", true},
	}
	for _, tt := range tests {
		if got := kyb.VerifyPassword(tt.hash, tt.password); got != tt.want {
			t.Errorf("%s: VerifyPassword = %t, want %t", tt.name, got, tt.want)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		password string
		ok       bool
	}{
		{"short", false},
		{"elevenchars", false},
		{"a fine long passphrase", true},
		{"password1234", false},     // on the list
		{"Password123456!", false},  // a listed word with digits around it
		{"QWERTYUIOP123", false},    // case does not matter
		{"2024sunshine!!", false},   // digits and symbols before too
		{"aaaaaaaaaaaaaaa", false},  // one character repeated
		{"ana.reviewer1234", false}, // the email's local part
		{"ünïcödé-pässwörd", true},  // counted in characters
		{strings.Repeat("x", 129), false},
	}
	for _, tt := range tests {
		msg := kyb.CheckPassword(tt.password, "ana.reviewer@example.com")
		if (msg == "") != tt.ok {
			t.Errorf("CheckPassword(%q) = %q, want ok %t", tt.password, msg, tt.ok)
		}
	}
}

func TestTOTP(t *testing.T) {
	secret, uri, err := kyb.NewTOTP("ana@example.com")
	if err != nil || len(secret) < 16 || !strings.HasPrefix(uri, "otpauth://totp/onboard:ana@example.com?") {
		t.Fatalf("NewTOTP = %q, %q, %v", secret, uri, err)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	code, err := kyb.TOTPCode(secret, now)
	if err != nil || len(code) != 6 {
		t.Fatalf("TOTPCode = %q, %v", code, err)
	}
	other, _ := kyb.TOTPCode(secret, now.Add(2*time.Minute))
	if other == code {
		t.Skip("two codes two minutes apart happen to be equal")
	}
}

// accountService is a service on a fresh SQLite store with a clock the
// test moves.
func accountService(t *testing.T, policy kyb.ConsolePolicy) (*kyb.Service, *time.Time) {
	t.Helper()
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	policy.Password = fastPasswords
	svc := kyb.NewService(storetest.SQLite(t), kyb.WithClock(func() time.Time { return now }), kyb.WithConsolePolicy(policy))
	return svc, &now
}

var admin = kyb.Actor{Type: kyb.ActorSystem, ID: "test"}

func TestAccountSetupAndLogin(t *testing.T) {
	ctx := context.Background()
	svc, now := accountService(t, kyb.ConsolePolicy{SessionIdle: 30 * time.Minute, SessionLifetime: 2 * time.Hour, AdminTOTP: true})
	if _, err := svc.CreateOperatorAccount(ctx, admin, "Ana", "not an email", false); kyb.ErrorKind(err) != kyb.KindInvalid {
		t.Errorf("an account with a bad email = %v, want invalid", err)
	}
	setup, err := svc.CreateOperatorAccount(ctx, admin, "Ana", "ana@example.com", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateOperatorAccount(ctx, admin, "Ana again", "ANA@example.com", false); kyb.ErrorKind(err) != kyb.KindConflict {
		t.Errorf("a second account with the email in capitals = %v, want a conflict", err)
	}
	// No password yet: the account cannot sign in.
	if _, _, err := svc.Login(ctx, kyb.Login{Email: "ana@example.com", Password: "anything at all"}); !errors.Is(err, kyb.ErrNoAccount) && !errors.Is(err, kyb.ErrBadLogin) {
		t.Errorf("login before set-up = %v", err)
	}
	secret, _, _ := kyb.NewTOTP("ana@example.com")
	code, _ := kyb.TOTPCode(secret, *now)
	for _, bad := range []kyb.AccountChoice{
		{Password: "password12345"},
		{Password: "a fine long passphrase"}, // an admin without TOTP when required
		{Password: "a fine long passphrase", TOTPSecret: secret, TOTPCode: "000000"},
	} {
		if _, err := svc.CompleteSetup(ctx, setup.Token, bad); kyb.ErrorKind(err) != kyb.KindInvalid {
			t.Errorf("set-up with %+v = %v, want invalid", bad, err)
		}
	}
	op, err := svc.CompleteSetup(ctx, setup.Token, kyb.AccountChoice{Password: "a fine long passphrase", TOTPSecret: secret, TOTPCode: code})
	if err != nil || op.TOTPSecret != secret {
		t.Fatalf("CompleteSetup = %+v, %v", op, err)
	}
	if _, err := svc.CompleteSetup(ctx, setup.Token, kyb.AccountChoice{Password: "another fine passphrase"}); !errors.Is(err, kyb.ErrBadSetup) {
		t.Errorf("the set-up link used twice = %v, want ErrBadSetup", err)
	}

	*now = now.Add(time.Minute)
	code, _ = kyb.TOTPCode(secret, *now)
	for _, bad := range []kyb.Login{
		{Email: "ana@example.com", Password: "a fine long passphrase"},                     // no code
		{Email: "ana@example.com", Password: "a fine long passphrase", TOTPCode: "123456"}, // wrong code
		{Email: "ana@example.com", Password: "wrong passphrase here", TOTPCode: code},
		{Email: "bob@example.com", Password: "a fine long passphrase", TOTPCode: code},
	} {
		if _, _, err := svc.Login(ctx, bad); !errors.Is(err, kyb.ErrBadLogin) {
			t.Errorf("Login(%s, code %q) = %v, want ErrBadLogin", bad.Email, bad.TOTPCode, err)
		}
	}
	token, _, err := svc.Login(ctx, kyb.Login{Email: "Ana@Example.com", Password: "a fine long passphrase", TOTPCode: code})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := svc.OperatorSession(ctx, token); err != nil || got.ID != op.ID {
		t.Fatalf("OperatorSession = %+v, %v", got, err)
	}
	// The same code does not sign in twice.
	if _, _, err := svc.Login(ctx, kyb.Login{Email: "ana@example.com", Password: "a fine long passphrase", TOTPCode: code}); !errors.Is(err, kyb.ErrBadLogin) {
		t.Errorf("a TOTP code used again = %v, want ErrBadLogin", err)
	}
	// A new login (with the next code) rotates the session: the old token
	// stops working.
	*now = now.Add(30 * time.Second)
	code, _ = kyb.TOTPCode(secret, *now)
	again, _, err := svc.Login(ctx, kyb.Login{Email: "ana@example.com", Password: "a fine long passphrase", TOTPCode: code, Replaces: token})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.OperatorSession(ctx, token); !errors.Is(err, kyb.ErrNoSession) {
		t.Errorf("the session a login replaced = %v, want ErrNoSession", err)
	}
	if err := svc.Logout(ctx, again); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.OperatorSession(ctx, again); !errors.Is(err, kyb.ErrNoSession) {
		t.Errorf("after logout = %v, want ErrNoSession", err)
	}
	trail, err := svc.AuditTrail(ctx, kyb.AuditFilter{TargetID: op.ID})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range trail {
		actions = append(actions, e.Action)
	}
	if want := "operator.created operator.account_set_up operator.logged_in operator.logged_in operator.logged_out"; strings.Join(actions, " ") != want {
		t.Errorf("audit trail %v, want %s", actions, want)
	}
}

func TestSessionLimits(t *testing.T) {
	ctx := context.Background()
	svc, now := accountService(t, kyb.ConsolePolicy{SessionIdle: 10 * time.Minute, SessionLifetime: time.Hour})
	setup, err := svc.CreateOperatorAccount(ctx, admin, "Rui", "rui@example.com", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CompleteSetup(ctx, setup.Token, kyb.AccountChoice{Password: "a fine long passphrase"}); err != nil {
		t.Fatal(err)
	}
	login := func() string {
		token, _, err := svc.Login(ctx, kyb.Login{Email: "rui@example.com", Password: "a fine long passphrase"})
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	// Idle: used every 9 minutes it lives; 10 minutes unused ends it.
	token := login()
	for range 3 {
		*now = now.Add(9 * time.Minute)
		if _, err := svc.OperatorSession(ctx, token); err != nil {
			t.Fatalf("a session used within its idle timeout = %v", err)
		}
	}
	*now = now.Add(10 * time.Minute)
	if _, err := svc.OperatorSession(ctx, token); !errors.Is(err, kyb.ErrSessionExpired) {
		t.Errorf("an idle session = %v, want ErrSessionExpired", err)
	}
	if _, err := svc.OperatorSession(ctx, token); !errors.Is(err, kyb.ErrNoSession) {
		t.Errorf("an expired session asked again = %v, want it gone", err)
	}
	// Lifetime: however busy, it ends an hour after the login.
	token = login()
	for range 6 {
		*now = now.Add(9*time.Minute + 50*time.Second)
		if _, err := svc.OperatorSession(ctx, token); err != nil {
			t.Fatalf("a busy session within its lifetime = %v", err)
		}
	}
	*now = now.Add(2 * time.Minute)
	if _, err := svc.OperatorSession(ctx, token); !errors.Is(err, kyb.ErrSessionExpired) {
		t.Errorf("a session past its lifetime = %v, want ErrSessionExpired", err)
	}
	// Disabling the operator ends their sessions; a reset does too, and
	// clears the password.
	token = login()
	reset, err := svc.ResetOperatorAccount(ctx, admin, setup.OperatorID, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.OperatorSession(ctx, token); !errors.Is(err, kyb.ErrNoSession) {
		t.Errorf("a session after a reset = %v, want ended", err)
	}
	if _, _, err := svc.Login(ctx, kyb.Login{Email: "rui@example.com", Password: "a fine long passphrase"}); !errors.Is(err, kyb.ErrNoAccount) {
		t.Errorf("the old password after a reset = %v, want ErrNoAccount", err)
	}
	if _, err := svc.CompleteSetup(ctx, reset.Token, kyb.AccountChoice{Password: "a new fine passphrase"}); err != nil {
		t.Fatal(err)
	}
	token = login2(t, svc, "a new fine passphrase")
	if _, err := svc.DisableOperator(ctx, admin, setup.OperatorID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.OperatorSession(ctx, token); !errors.Is(err, kyb.ErrNoSession) {
		t.Errorf("a session after disabling = %v, want ended", err)
	}
	if _, _, err := svc.Login(ctx, kyb.Login{Email: "rui@example.com", Password: "a new fine passphrase"}); !errors.Is(err, kyb.ErrOperatorDisabled) {
		t.Errorf("a disabled operator's login = %v, want ErrOperatorDisabled", err)
	}
	// An expired set-up link does not work.
	other, err := svc.CreateOperatorAccount(ctx, admin, "Late", "late@example.com", false)
	if err != nil {
		t.Fatal(err)
	}
	*now = now.Add(kyb.SetupTTL)
	if _, err := svc.CompleteSetup(ctx, other.Token, kyb.AccountChoice{Password: "a fine long passphrase"}); !errors.Is(err, kyb.ErrBadSetup) {
		t.Errorf("an expired set-up link = %v, want ErrBadSetup", err)
	}
}

func login2(t *testing.T, svc *kyb.Service, password string) string {
	t.Helper()
	token, _, err := svc.Login(context.Background(), kyb.Login{Email: "rui@example.com", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	return token
}
