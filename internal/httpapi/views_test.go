package httpapi_test

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// TestOperatorReadsOfPersonalDataAreAudited checks that every admin route
// that shows personal data records one audit event per customer or
// document shown, with the operator as actor, and that the others do not.
func TestOperatorReadsOfPersonalDataAreAudited(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		token := ts.operator(t)
		operator := operatorIDOf(t, ts, token)
		creds := ts.partner(t)
		first, second := ts.newCustomer(t, creds), ts.newCustomer(t, creds)
		fileID := ts.uploaded(t, creds, kyb.FileMainPage)

		// views returns the reads recorded of a target by the operator.
		views := func(f kyb.AuditFilter, action string) int {
			t.Helper()
			trail, err := ts.Service.AuditTrail(context.Background(), f)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, ev := range trail {
				if ev.Action == action && ev.Actor == (kyb.Actor{Type: kyb.ActorOperator, ID: operator}) && ev.PartnerID == creds.PartnerID {
					n++
				}
			}
			return n
		}
		get := func(path string) response {
			t.Helper()
			resp := ts.admin(t, token, "GET", path, "")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s = %d: %s", path, resp.StatusCode, resp.Body)
			}
			return resp
		}

		get("/admin/customers?partner_id=" + creds.PartnerID)
		for _, id := range []string{first, second} {
			if n := views(kyb.AuditFilter{CustomerID: id}, kyb.ActionCustomerViewed); n != 1 {
				t.Errorf("after a list showing %s: %d views of it recorded, want 1", id, n)
			}
		}
		get("/admin/customers/" + first)
		if n := views(kyb.AuditFilter{CustomerID: first}, kyb.ActionCustomerViewed); n != 2 {
			t.Errorf("after a get of %s: %d views recorded, want 2", first, n)
		}
		get("/admin/customers/" + first + "/events")
		if n := views(kyb.AuditFilter{CustomerID: first}, kyb.ActionCustomerEventsViewed); n != 1 {
			t.Errorf("after reading %s's events: %d reads recorded, want 1", first, n)
		}
		// The audit trail itself holds no personal data.
		get("/admin/customers/" + second + "/audit")
		if n := views(kyb.AuditFilter{CustomerID: second}, kyb.ActionCustomerViewed); n != 1 {
			t.Errorf("after reading %s's audit trail: %d views recorded, want still 1", second, n)
		}

		resp := get("/admin/partners/" + creds.PartnerID + "/files/" + fileID + "/content")
		if !bytes.Equal(resp.Body, samplePNG) || resp.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("the operator's download = %d bytes, CSP %q; want the uploaded PNG, sandboxed", len(resp.Body), resp.Header.Get("Content-Security-Policy"))
		}
		if n := views(kyb.AuditFilter{TargetID: fileID}, kyb.ActionFileViewed); n != 1 {
			t.Errorf("after a download of %s: %d reads recorded, want 1", fileID, n)
		}
		other := ts.partner(t)
		for _, path := range []string{"/admin/partners/" + other.PartnerID + "/files/" + fileID + "/content", "/admin/partners/ptn_nobody/files/" + fileID + "/content"} {
			if resp := ts.admin(t, token, "GET", path, ""); resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
			}
		}
		if n := views(kyb.AuditFilter{TargetID: fileID}, kyb.ActionFileViewed); n != 1 {
			t.Errorf("after refused downloads: %d reads recorded, want still 1", n)
		}
	})
}

// TestIssuedSecretsAreShownOnce checks that an API key issued by an
// operator is audited with the operator as actor and that its secret
// appears in no later answer of any admin route that lists partners, keys
// or the audit trail.
func TestIssuedSecretsAreShownOnce(t *testing.T) {
	ts := newTestServer(t, storetest.Engines()[0])
	token := ts.adminOperator(t)
	operator := operatorIDOf(t, ts, token)
	resp := ts.admin(t, token, "POST", "/admin/partners", `{"name":"Acme"}`)
	partner := resp.json(t)
	resp = ts.admin(t, token, "POST", "/admin/partners/"+partner["partner_id"].(string)+"/keys", "")
	key := resp.json(t)
	trail, err := ts.Service.AuditTrail(context.Background(), kyb.AuditFilter{PartnerID: partner["partner_id"].(string)})
	if err != nil {
		t.Fatal(err)
	}
	var issued []string
	for _, ev := range trail {
		if ev.Actor.ID == operator && (ev.Action == kyb.ActionPartnerCreated || ev.Action == kyb.ActionAPIKeyCreated) {
			issued = append(issued, ev.APIKeyID)
		}
	}
	if !slices.Equal(issued, []string{partner["api_key"].(string), key["api_key"].(string)}) {
		t.Errorf("keys issued by the operator in the audit trail = %v, want both", issued)
	}
	for _, path := range []string{"/admin/partners", "/admin/audit?partner_id=" + partner["partner_id"].(string), "/admin/operators"} {
		body := string(ts.admin(t, token, "GET", path, "").Body)
		for _, secret := range []string{partner["api_secret"].(string), key["api_secret"].(string)} {
			if strings.Contains(body, secret) || strings.Contains(body, kyb.HashSecret(secret)) {
				t.Errorf("GET %s shows an issued secret or its hash", path)
			}
		}
	}
}
