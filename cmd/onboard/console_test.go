package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/onboardkyb/onboard/internal/storetest"
)

// TestConsoleAccountsOnTheCommandLine creates a console account with
// operators create --email, sets it up from the printed link on the
// console serve mounts, signs in, and resets it.
func TestConsoleAccountsOnTheCommandLine(t *testing.T) {
	dbURL := storetest.SQLiteURL(t)
	srv := startServe(t, "--database-url", dbURL)
	out, err := cli(t, "operators", "create", "--name", "Ana", "--email", "ana@example.com", "--role", "admin", "--console-url", srv.URL, "--json", "--database-url", dbURL)
	if err != nil {
		t.Fatalf("operators create --email: %v", err)
	}
	var setup map[string]string
	if err := json.Unmarshal([]byte(out), &setup); err != nil || len(setup) != 3 || !strings.HasPrefix(setup["setup_url"], srv.URL+"/console/setup?token=ost_") {
		t.Fatalf("operators create --email --json = %s, want operator_id, setup_url on the console and expires_at", out)
	}
	if text, _ := cli(t, "operators", "create", "--name", "Rui", "--email", "rui@example.com", "--role", "reviewer", "--database-url", dbURL); !strings.Contains(text, "setup_url    http://127.0.0.1:8083/console/setup?token=ost_") {
		t.Errorf("without --console-url the link is on --addr:\n%s", text)
	}

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(u string) (int, string) {
		t.Helper()
		resp, err := browser.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	post := func(path string, form url.Values) (int, string) {
		t.Helper()
		resp, err := browser.PostForm(srv.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Location")
	}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	status, page := get(setup["setup_url"])
	if status != http.StatusOK || !strings.Contains(page, "Ana") {
		t.Fatalf("the set-up link = %d\n%s", status, page)
	}
	token := strings.TrimPrefix(setup["setup_url"], srv.URL+"/console/setup?token=")
	if status, _ := post("/console/setup", url.Values{"csrf": {csrf.FindStringSubmatch(page)[1]}, "token": {token},
		"password": {"a good long passphrase"}, "password_again": {"a good long passphrase"}}); status != http.StatusSeeOther {
		t.Fatalf("set-up = %d", status)
	}
	_, page = get(srv.URL + "/console/login")
	if status, where := post("/console/login", url.Values{"csrf": {csrf.FindStringSubmatch(page)[1]}, "email": {"ana@example.com"},
		"password": {"a good long passphrase"}}); status != http.StatusSeeOther || where != "/console/" {
		t.Fatalf("login = %d %s", status, where)
	}
	if status, page := get(srv.URL + "/console/admin/operators"); status != http.StatusOK || !strings.Contains(page, "rui@example.com") {
		t.Errorf("the operators page = %d", status)
	}

	if list, err := cli(t, "operators", "list", "--database-url", dbURL); err != nil || !strings.Contains(list, "set up") || !strings.Contains(list, "set-up link sent") {
		t.Errorf("operators list = %s, %v; want Ana set up and Rui's link sent", list, err)
	}

	// A reset prints a new link and ends the session.
	out, err = cli(t, "operators", "reset", setup["operator_id"], "--database-url", dbURL)
	if err != nil || !strings.Contains(out, "/console/setup?token=ost_") {
		t.Fatalf("operators reset = %s, %v", out, err)
	}
	if status, _ := get(srv.URL + "/console/"); status != http.StatusSeeOther {
		t.Errorf("the queue after a reset = %d, want the login page", status)
	}

	// An operator with a bearer token alone gets an account with --email.
	out, err = cli(t, "operators", "create", "--name", "Olga", "--json", "--database-url", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	var bearer map[string]string
	json.Unmarshal([]byte(out), &bearer)
	if _, err := cli(t, "operators", "reset", bearer["operator_id"], "--database-url", dbURL); err == nil || !strings.Contains(err.Error(), "email") {
		t.Errorf("reset of a bearer-only operator without --email: error = %v, want one naming email", err)
	}
	if out, err := cli(t, "operators", "reset", bearer["operator_id"], "--email", "olga@example.com", "--database-url", dbURL); err != nil || !strings.Contains(out, "setup_url") {
		t.Errorf("reset with --email = %s, %v", out, err)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"operators", "create", "--name", "X", "--role", "admin"}, "--role needs --email"},
		{[]string{"operators", "create", "--name", "X", "--email", "x@example.com"}, "--role must be reviewer or admin"},
		{[]string{"operators", "create", "--name", "X", "--email", "x@example.com", "--role", "boss"}, "--role must be reviewer or admin"},
		{[]string{"operators", "create", "--name", "X", "--email", "x@example.com", "--role", "reviewer", "--admin"}, "disagree"},
		{[]string{"operators", "create", "--name", "X", "--email", "not-an-email", "--role", "reviewer"}, "email"},
		{[]string{"operators", "create", "--name", "Dup", "--email", "ANA@example.com", "--role", "reviewer"}, "another operator already signs in with this email"},
	} {
		if _, err := cli(t, append(tt.args, "--database-url", dbURL)...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("onboard %v: error = %v, want %q", tt.args, err, tt.want)
		}
	}
}
