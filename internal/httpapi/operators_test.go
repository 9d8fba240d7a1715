package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// twoInstances starts two servers, each with its own store, on one
// database, as two instances of the service behind a load balancer are.
func twoInstances(t *testing.T, e storetest.Engine, opts ...kyb.Option) (a, b *testServer) {
	t.Helper()
	url := e.URL(t)
	var servers [2]*testServer
	for i := range servers {
		store, err := storetest.OpenURL(t, url)
		if err != nil {
			t.Fatalf("open %s: %v", url, err)
		}
		t.Cleanup(func() { store.Close() })
		servers[i] = startTestServer(t, store, testFileCipher(t), opts)
	}
	return servers[0], servers[1]
}

func TestOperatorAdministration(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		a, b := twoInstances(t, e)
		admin := a.adminOperator(t)

		resp := a.admin(t, admin, "POST", "/admin/operators", `{"name":"Nina Newcomer"}`)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("create operator = %d: %s", resp.StatusCode, resp.Body)
		}
		var creds kyb.OperatorCredentials
		if err := json.Unmarshal(resp.Body, &creds); err != nil || creds.Token == "" || creds.ExpiresAt == "" {
			t.Fatalf("create operator answered %s (%v); want operator_id, token and expires_at", resp.Body, err)
		}
		nina := creds.Token
		if resp := b.admin(t, nina, "GET", "/admin/customers", ""); resp.StatusCode != http.StatusOK {
			t.Fatalf("the new operator on the other instance = %d: %s", resp.StatusCode, resp.Body)
		}

		// The list shows operators, never a token or its hash.
		resp = b.admin(t, admin, "GET", "/admin/operators", "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("list operators = %d: %s", resp.StatusCode, resp.Body)
		}
		if strings.Contains(string(resp.Body), nina) || strings.Contains(string(resp.Body), kyb.HashSecret(nina)) {
			t.Errorf("the operator list shows a token: %s", resp.Body)
		}
		var list struct{ Data []kyb.OperatorView }
		json.Unmarshal(resp.Body, &list)
		found := false
		for _, v := range list.Data {
			if v.OperatorID == creds.OperatorID {
				found = v.Name == "Nina Newcomer" && !v.Admin && v.DisabledAt == "" && v.TokenExpiresAt == creds.ExpiresAt
			}
		}
		if !found {
			t.Errorf("the operator list %s lacks %s as created", resp.Body, creds.OperatorID)
		}

		// Only admins manage operators; anyone may renew their own token.
		for _, req := range []struct{ method, path, body string }{
			{"GET", "/admin/operators", ""},
			{"POST", "/admin/operators", `{"name":"Mallory"}`},
			{"POST", "/admin/operators/" + creds.OperatorID + "/disable", ""},
		} {
			if resp := a.admin(t, nina, req.method, req.path, req.body); resp.StatusCode != http.StatusForbidden || resp.json(t)["error"].(map[string]any)["code"] != "admin_required" {
				t.Errorf("%s %s by a non-admin = %d %s, want 403 admin_required", req.method, req.path, resp.StatusCode, resp.Body)
			}
		}
		adminID := operatorIDOf(t, a, admin)
		if resp := a.admin(t, nina, "POST", "/admin/operators/"+adminID+"/rotate-token", ""); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a non-admin rotating another's token = %d, want 403", resp.StatusCode)
		}

		// Rotation: the new token works on both instances, the old one on none.
		resp = a.admin(t, nina, "POST", "/admin/operators/"+creds.OperatorID+"/rotate-token", "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("rotate own token = %d: %s", resp.StatusCode, resp.Body)
		}
		var rotated kyb.OperatorCredentials
		json.Unmarshal(resp.Body, &rotated)
		if rotated.OperatorID != creds.OperatorID || rotated.Token == "" || rotated.Token == nina {
			t.Fatalf("rotate answered %s; want a new token for %s", resp.Body, creds.OperatorID)
		}
		for name, ts := range map[string]*testServer{"a": a, "b": b} {
			if resp := ts.admin(t, nina, "GET", "/admin/customers", ""); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("old token on instance %s = %d, want 401", name, resp.StatusCode)
			}
			if resp := ts.admin(t, rotated.Token, "GET", "/admin/customers", ""); resp.StatusCode != http.StatusOK {
				t.Errorf("new token on instance %s = %d, want 200", name, resp.StatusCode)
			}
		}

		// Disabling on one instance refuses the operator on the other at once:
		// operator authentication asks the database on every request.
		resp = a.admin(t, admin, "POST", "/admin/operators/"+creds.OperatorID+"/disable", "")
		if resp.StatusCode != http.StatusOK || resp.json(t)["disabled_at"] == nil {
			t.Fatalf("disable = %d: %s", resp.StatusCode, resp.Body)
		}
		for name, ts := range map[string]*testServer{"a": a, "b": b} {
			resp := ts.admin(t, rotated.Token, "GET", "/admin/customers", "")
			if resp.StatusCode != http.StatusUnauthorized || resp.json(t)["error"].(map[string]any)["code"] != "operator_disabled" {
				t.Errorf("disabled operator on instance %s = %d %s, want 401 operator_disabled", name, resp.StatusCode, resp.Body)
			}
		}
		// Disabling again changes nothing; an unknown operator is a 404.
		if resp := b.admin(t, admin, "POST", "/admin/operators/"+creds.OperatorID+"/disable", ""); resp.StatusCode != http.StatusOK {
			t.Errorf("disable again = %d, want 200", resp.StatusCode)
		}
		for _, path := range []string{"/admin/operators/opr_nobody/disable", "/admin/operators/opr_nobody/rotate-token"} {
			if resp := a.admin(t, admin, "POST", path, ""); resp.StatusCode != http.StatusNotFound {
				t.Errorf("POST %s = %d, want 404", path, resp.StatusCode)
			}
		}

		// Each change is in the operator's audit trail, with its actor.
		trail, err := a.Service.AuditTrail(context.Background(), kyb.AuditFilter{TargetID: creds.OperatorID})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ev := range trail {
			got = append(got, ev.Action+" by "+ev.Actor.ID)
		}
		want := []string{kyb.ActionOperatorCreated + " by " + adminID, kyb.ActionOperatorTokenRotated + " by " + creds.OperatorID, kyb.ActionOperatorDisabled + " by " + adminID}
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			t.Errorf("the operator's audit trail = %v, want %v", got, want)
		}
	})
}

// operatorIDOf finds the id of the operator holding token.
func operatorIDOf(t *testing.T, ts *testServer, token string) string {
	t.Helper()
	op, err := ts.Service.AuthenticateOperator(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return op.ID
}

func TestOperatorTokenExpiry(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		now := time.Now()
		clock := func() time.Time { return now }
		ts := newTestServer(t, e)
		ts.reconfigure(t, kyb.WithClock(clock), kyb.WithOperatorTokenTTL(time.Hour))
		creds := ts.newOperator(t, false)
		if creds.ExpiresAt != kyb.FormatTime(now.Add(time.Hour)) {
			t.Errorf("expires_at = %s, want an hour from now", creds.ExpiresAt)
		}
		if resp := ts.admin(t, creds.Token, "GET", "/admin/customers", ""); resp.StatusCode != http.StatusOK {
			t.Fatalf("a fresh token = %d, want 200", resp.StatusCode)
		}
		now = now.Add(time.Hour)
		resp := ts.admin(t, creds.Token, "GET", "/admin/customers", "")
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("an expired token = %d, want 401", resp.StatusCode)
		}
		body := resp.json(t)["error"].(map[string]any)
		if body["code"] != "token_expired" || !strings.Contains(body["message"].(string), "expired") {
			t.Errorf("an expired token's error = %v, want token_expired saying so", body)
		}
		// A rotation restarts the clock.
		rotated, err := ts.Service.RotateOperatorToken(context.Background(), testActor, creds.OperatorID)
		if err != nil {
			t.Fatal(err)
		}
		if resp := ts.admin(t, rotated.Token, "GET", "/admin/customers", ""); resp.StatusCode != http.StatusOK {
			t.Errorf("the rotated token = %d, want 200", resp.StatusCode)
		}
	})
}
