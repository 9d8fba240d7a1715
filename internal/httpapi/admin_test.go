package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// operator creates an operator and returns their bearer token.
func (ts *testServer) operator(t *testing.T) string {
	t.Helper()
	return ts.newOperator(t, false).Token
}

// adminOperator creates an admin operator and returns their bearer token.
func (ts *testServer) adminOperator(t *testing.T) string {
	t.Helper()
	return ts.newOperator(t, true).Token
}

func (ts *testServer) newOperator(t *testing.T, admin bool) kyb.OperatorCredentials {
	t.Helper()
	creds, err := ts.Service.CreateOperator(context.Background(), testActor, "Olga Operator", admin)
	if err != nil {
		t.Fatalf("CreateOperator: %v", err)
	}
	return creds
}

// admin sends an operator's request.
func (ts *testServer) admin(t *testing.T, token, method, path, body string) response {
	t.Helper()
	return ts.request(t, method, path, nil, body, "Authorization", "Bearer "+token)
}

// newCustomer creates a customer for a partner and returns its id.
func (ts *testServer) newCustomer(t *testing.T, creds kyb.Credentials) string {
	t.Helper()
	resp := ts.create(t, creds, minimalBody(uniqueID(t)))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create = %d: %s", resp.StatusCode, resp.Body)
	}
	return resp.json(t)["customer_id"].(string)
}

// minimalBody is the smallest valid create body, without file references.
func minimalBody(partnerCustomerID string) string {
	return `{"partner_customer_id":"` + partnerCustomerID + `",
		"business_details":{"business_name":"Example Ltd","business_identifier_number":"12345678","business_identifier_country_code":"GB"},
		"registration_address":{"registration_address_line1":"1 High Street","registration_address_city":"London","registration_address_country_code":"GB"}}`
}

func review(status, reason string) string {
	return `{"status":"` + status + `","reason":"` + reason + `"}`
}

func TestReviewTransitions(t *testing.T) {
	// paths lead a new customer to each status.
	paths := map[kyb.Status][]kyb.Status{
		kyb.StatusPending:   nil,
		kyb.StatusActive:    {kyb.StatusActive},
		kyb.StatusRejected:  {kyb.StatusRejected},
		kyb.StatusSuspended: {kyb.StatusActive, kyb.StatusSuspended},
	}
	allowed := map[[2]kyb.Status]bool{
		{kyb.StatusPending, kyb.StatusActive}:   true,
		{kyb.StatusPending, kyb.StatusRejected}: true,
		{kyb.StatusActive, kyb.StatusSuspended}: true,
		{kyb.StatusSuspended, kyb.StatusActive}: true,
	}
	statuses := []kyb.Status{kyb.StatusPending, kyb.StatusActive, kyb.StatusRejected, kyb.StatusSuspended}
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		token := ts.operator(t)
		creds := ts.partner(t)
		for _, from := range statuses {
			for _, to := range []kyb.Status{kyb.StatusActive, kyb.StatusRejected, kyb.StatusSuspended} {
				t.Run(fmt.Sprintf("%s to %s", from, to), func(t *testing.T) {
					id := ts.newCustomer(t, creds)
					for _, step := range paths[from] {
						if resp := ts.admin(t, token, "POST", "/admin/customers/"+id+"/status", review(string(step), "setup")); resp.StatusCode != 200 {
							t.Fatalf("setup to %s = %d: %s", step, resp.StatusCode, resp.Body)
						}
					}
					resp := ts.admin(t, token, "POST", "/admin/customers/"+id+"/status", review(string(to), "because"))
					if !allowed[[2]kyb.Status{from, to}] {
						if resp.StatusCode != http.StatusConflict {
							t.Fatalf("status = %d, want 409: %s", resp.StatusCode, resp.Body)
						}
						errObj := resp.json(t)["error"].(map[string]any)
						if errObj["code"] != "invalid_status_transition" || !strings.Contains(errObj["message"].(string), "is "+string(from)) {
							t.Errorf("error = %v, want invalid_status_transition naming %s", errObj, from)
						}
						return
					}
					if resp.StatusCode != http.StatusOK {
						t.Fatalf("status = %d, want 200: %s", resp.StatusCode, resp.Body)
					}
					got := resp.json(t)
					if got["status"] != string(to) || got["status_reason"] != "because" || got["status_updated_at"] == nil {
						t.Errorf("customer = %v, want status %s with reason and time", got, to)
					}
					// The partner sees the new status too.
					seen := ts.request(t, "GET", "/api/customers/"+id, &creds, "").json(t)
					if seen["status"] != string(to) || seen["status_reason"] != "because" || seen["status_updated_at"] != got["status_updated_at"] {
						t.Errorf("partner sees %v, want status %s", seen, to)
					}
				})
			}
		}
		id := ts.newCustomer(t, creds)
		for _, body := range []string{review("pending", "x"), review("approved", "x"), review("active", ""), review("active", "   "), `{"status":"active"}`, `{"status":"active","reason":"x","extra":1}`} {
			if resp := ts.admin(t, token, "POST", "/admin/customers/"+id+"/status", body); resp.StatusCode != http.StatusBadRequest {
				t.Errorf("review %s = %d, want 400: %s", body, resp.StatusCode, resp.Body)
			}
		}
		if resp := ts.admin(t, token, "POST", "/admin/customers/cus_00000000000000000000000000000000/status", review("active", "x")); resp.StatusCode != http.StatusNotFound {
			t.Errorf("review of a missing customer = %d, want 404", resp.StatusCode)
		}
	})
}

func TestAuditTrail(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		token := ts.operator(t)
		creds := ts.partner(t)
		id := ts.newCustomer(t, creds)
		steps := []struct{ to, reason string }{{"active", "documents verified"}, {"suspended", "chargebacks"}, {"active", "resolved"}}
		for _, s := range steps {
			if resp := ts.admin(t, token, "POST", "/admin/customers/"+id+"/status", review(s.to, s.reason)); resp.StatusCode != 200 {
				t.Fatalf("review to %s = %d: %s", s.to, resp.StatusCode, resp.Body)
			}
		}
		type event struct {
			Action     string `json:"action"`
			ActorType  string `json:"actor_type"`
			ActorID    string `json:"actor_id"`
			FromStatus string `json:"from_status"`
			ToStatus   string `json:"to_status"`
			Reason     string `json:"reason"`
			CreatedAt  string `json:"created_at"`
		}
		var audit struct{ Data []event }
		resp := ts.admin(t, token, "GET", "/admin/customers/"+id+"/audit", "")
		json.Unmarshal(resp.Body, &audit)
		want := []event{
			{Action: "customer.created", ActorType: "partner", ActorID: creds.PartnerID, ToStatus: "pending"},
			{Action: "customer.status_changed", ActorType: "operator", FromStatus: "pending", ToStatus: "active", Reason: "documents verified"},
			{Action: "customer.status_changed", ActorType: "operator", FromStatus: "active", ToStatus: "suspended", Reason: "chargebacks"},
			{Action: "customer.status_changed", ActorType: "operator", FromStatus: "suspended", ToStatus: "active", Reason: "resolved"},
		}
		if len(audit.Data) != len(want) {
			t.Fatalf("audit = %s, want %d events", resp.Body, len(want))
		}
		for i, w := range want {
			g := audit.Data[i]
			if g.CreatedAt == "" || (w.ActorID == "" && !strings.HasPrefix(g.ActorID, kyb.PrefixOperator)) {
				t.Errorf("event %d = %+v: want a time and an actor id", i, g)
			}
			g.CreatedAt = ""
			if w.ActorID == "" {
				g.ActorID = ""
			}
			if g != w {
				t.Errorf("event %d = %+v, want %+v", i, g, w)
			}
		}
		// The single-customer view carries the same history, and its own
		// read at the end.
		one := ts.admin(t, token, "GET", "/admin/customers/"+id, "").json(t)
		h, _ := one["history"].([]any)
		if len(h) != len(want)+1 || one["partner_id"] != creds.PartnerID || one["status"] != "active" {
			t.Fatalf("admin customer = %v, want status active, partner and %d history entries", one, len(want)+1)
		}
		if last := h[len(h)-1].(map[string]any); last["action"] != kyb.ActionCustomerViewed || last["actor_type"] != "operator" {
			t.Errorf("the history ends with %v, want this read", last)
		}
	})
}

func TestAdminAuthentication(t *testing.T) {
	ts := newTestServer(t, storetest.Engines()[0])
	token := ts.operator(t)
	creds := ts.partner(t)
	tests := []struct {
		name    string
		headers []string
	}{
		{"none", nil},
		{"wrong token", []string{"Authorization", "Bearer opt_wrong"}},
		{"not bearer", []string{"Authorization", "Basic " + token}},
		{"bearer without token", []string{"Authorization", "Bearer "}},
		{"partner key", []string{"X-API-Key", creds.APIKey, "X-API-Secret", creds.APISecret}},
		{"partner secret as token", []string{"Authorization", "Bearer " + creds.APISecret}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := ts.request(t, "GET", "/admin/customers", nil, "", tt.headers...)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("status = %d, want 401", resp.StatusCode)
			}
		})
	}
	if resp := ts.request(t, "GET", "/admin/customers", nil, "", "Authorization", "bearer "+token); resp.StatusCode != http.StatusOK {
		t.Errorf("lowercase bearer scheme = %d, want 200", resp.StatusCode)
	}
	// And an operator token does not open the partner API.
	if resp := ts.request(t, "GET", "/api/customers", nil, "", "Authorization", "Bearer "+token); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("operator token on /api = %d, want 401", resp.StatusCode)
	}
}

func TestReviewQueue(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		token := ts.operator(t)
		a, b := ts.partner(t), ts.partner(t)
		ids := []string{ts.newCustomer(t, a), ts.newCustomer(t, b), ts.newCustomer(t, a)}
		ts.admin(t, token, "POST", "/admin/customers/"+ids[1]+"/status", review("rejected", "no"))
		var got []string
		path := "/admin/customers?status=pending&limit=1"
		for {
			resp := ts.admin(t, token, "GET", path, "")
			if resp.StatusCode != 200 {
				t.Fatalf("queue = %d: %s", resp.StatusCode, resp.Body)
			}
			var page struct {
				Data []struct {
					CustomerID string `json:"customer_id"`
					PartnerID  string `json:"partner_id"`
				}
				HasMore    bool   `json:"has_more"`
				NextCursor string `json:"next_cursor"`
			}
			json.Unmarshal(resp.Body, &page)
			for _, c := range page.Data {
				if slices.Contains(ids, c.CustomerID) {
					got = append(got, c.CustomerID)
				}
			}
			if !page.HasMore {
				break
			}
			path = "/admin/customers?status=pending&limit=1&starting_after=" + page.NextCursor
		}
		if want := []string{ids[0], ids[2]}; !slices.Equal(got, want) {
			t.Errorf("pending queue = %v, want oldest first %v", got, want)
		}
	})
}

func TestAdminPartnersAndKeys(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		token := ts.operator(t)
		resp := ts.admin(t, token, "POST", "/admin/partners", `{"name":"Acme Payments"}`)
		if resp.StatusCode != 200 {
			t.Fatalf("create partner = %d: %s", resp.StatusCode, resp.Body)
		}
		var first kyb.Credentials
		json.Unmarshal(resp.Body, &first)
		if resp := ts.create(t, first, minimalBody(uniqueID(t))); resp.StatusCode != 200 {
			t.Errorf("new partner's key = %d, want 200", resp.StatusCode)
		}
		for _, body := range []string{`{"name":""}`, `{"name":"   "}`, `{}`, `{"name":"x","sandbox":true}`} {
			if resp := ts.admin(t, token, "POST", "/admin/partners", body); resp.StatusCode != 400 {
				t.Errorf("create partner %s = %d, want 400", body, resp.StatusCode)
			}
		}
		if resp := ts.admin(t, token, "GET", "/admin/audit?partner_id=a&partner_id=b", ""); resp.StatusCode != 400 {
			t.Errorf("audit with a repeated parameter = %d, want 400", resp.StatusCode)
		}
		list := ts.admin(t, token, "GET", "/admin/partners", "")
		if !strings.Contains(string(list.Body), first.PartnerID) {
			t.Errorf("partners = %s, want %s listed", list.Body, first.PartnerID)
		}

		resp = ts.admin(t, token, "POST", "/admin/partners/"+first.PartnerID+"/keys", "")
		var second kyb.Credentials
		json.Unmarshal(resp.Body, &second)
		if resp.StatusCode != 200 || second.APIKey == "" || second.APIKey == first.APIKey {
			t.Fatalf("rotate = %d %s, want a new key", resp.StatusCode, resp.Body)
		}
		if resp := ts.admin(t, token, "POST", "/admin/partners/"+first.PartnerID+"/keys", ""); resp.StatusCode != http.StatusConflict {
			t.Errorf("third live key = %d, want 409", resp.StatusCode)
		}
		if resp := ts.admin(t, token, "POST", "/admin/partners/ptn_missing/keys", ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("key for a missing partner = %d, want 404", resp.StatusCode)
		}
		if resp := ts.admin(t, token, "POST", "/admin/keys/"+first.APIKey+"/revoke", ""); resp.StatusCode != 200 {
			t.Fatalf("revoke = %d: %s", resp.StatusCode, resp.Body)
		}
		if resp := ts.create(t, first, minimalBody(uniqueID(t))); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("revoked key = %d, want 401", resp.StatusCode)
		}
		if resp := ts.create(t, second, minimalBody(uniqueID(t))); resp.StatusCode != 200 {
			t.Errorf("second key after revoking the first = %d, want 200", resp.StatusCode)
		}

		// Every key change is in the partner's audit trail.
		var audit struct {
			Data []struct {
				Action    string `json:"action"`
				ActorType string `json:"actor_type"`
				APIKey    string `json:"api_key"`
			}
		}
		json.Unmarshal(ts.admin(t, token, "GET", "/admin/audit?partner_id="+first.PartnerID, "").Body, &audit)
		var actions []string
		for _, ev := range audit.Data {
			if ev.ActorType != "operator" && ev.Action != "customer.created" && ev.Action != "file.uploaded" {
				t.Errorf("event %+v not recorded as the operator's", ev)
			}
			actions = append(actions, ev.Action+" "+ev.APIKey)
		}
		for _, want := range []string{"partner.created " + first.APIKey, "api_key.created " + second.APIKey, "api_key.revoked " + first.APIKey} {
			if !slices.Contains(actions, want) {
				t.Errorf("partner audit = %v, want %q", actions, want)
			}
		}
	})
}

func TestListCustomers(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e, withoutRateLimit())
		creds, other := ts.partner(t), ts.partner(t)
		const n = 250
		existing := map[string]bool{}
		for range n {
			existing[ts.newCustomer(t, creds)] = true
		}
		ts.newCustomer(t, other)

		// Walk every page while more customers are being created.
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					// Not newCustomer: only the test goroutine may stop the test.
					if resp := ts.create(t, creds, minimalBody(uniqueID(t))); resp.StatusCode != http.StatusOK {
						t.Errorf("concurrent create = %d: %s", resp.StatusCode, resp.Body)
						return
					}
				}
			}
		}()
		seen := map[string]bool{}
		path := "/api/customers?limit=7"
		var lastCreated string
		for pages := 0; ; pages++ {
			resp := ts.request(t, "GET", path, &creds, "")
			if resp.StatusCode != 200 {
				t.Fatalf("page %d = %d: %s", pages, resp.StatusCode, resp.Body)
			}
			var page struct {
				Data []struct {
					CustomerID string `json:"customer_id"`
					CreatedAt  string `json:"created_at"`
				}
				HasMore    bool   `json:"has_more"`
				NextCursor string `json:"next_cursor"`
			}
			json.Unmarshal(resp.Body, &page)
			for _, c := range page.Data {
				if seen[c.CustomerID] {
					t.Errorf("customer %s listed twice", c.CustomerID)
				}
				if lastCreated != "" && c.CreatedAt > lastCreated {
					t.Errorf("customer %s created %s listed after one created %s", c.CustomerID, c.CreatedAt, lastCreated)
				}
				seen[c.CustomerID], lastCreated = true, c.CreatedAt
			}
			if !page.HasMore {
				break
			}
			path = "/api/customers?limit=7&starting_after=" + page.NextCursor
		}
		close(stop)
		wg.Wait()
		for id := range existing {
			if !seen[id] {
				t.Errorf("customer %s missing from the walk", id)
			}
		}

		first := ts.request(t, "GET", "/api/customers", &creds, "").json(t)
		if data := first["data"].([]any); len(data) != kyb.DefaultPageSize || first["has_more"] != true {
			t.Errorf("default page has %d customers, has_more %v; want %d, true", len(data), first["has_more"], kyb.DefaultPageSize)
		}
		one := ts.request(t, "GET", "/api/customers?partner_customer_id="+strings.Split(minimalBody(uniqueID(t)), `"`)[3], &creds, "").json(t)
		if data := one["data"].([]any); len(data) != 0 || one["has_more"] != false {
			t.Errorf("filter by an unknown partner_customer_id = %v, want an empty page", one)
		}
		for _, bad := range []string{"limit=0", "limit=101", "limit=abc", "status=approved", "created_after=yesterday", "starting_after=nope", "sort=asc", "limit=1&limit=2"} {
			if resp := ts.request(t, "GET", "/api/customers?"+bad, &creds, ""); resp.StatusCode != http.StatusBadRequest {
				t.Errorf("GET /api/customers?%s = %d, want 400", bad, resp.StatusCode)
			}
		}
		theirs := ts.request(t, "GET", "/api/customers?limit=1", &other, "").json(t)["data"].([]any)[0].(map[string]any)["customer_id"].(string)
		if resp := ts.request(t, "GET", "/api/customers?starting_after="+theirs, &creds, ""); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("another partner's cursor = %d, want 400", resp.StatusCode)
		}
	})
}

// TestStatusChangeIfMatch: an operator's decision with If-Match is of that
// version only; a customer updated since is 412 and stays as it was.
func TestStatusChangeIfMatch(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		token := ts.operator(t)
		creds := ts.partner(t)
		id := ts.newCustomer(t, creds)
		decide := func(ifMatch string) response {
			return ts.request(t, "POST", "/admin/customers/"+id+"/status", nil, review("active", "verified"), "Authorization", "Bearer "+token, "If-Match", ifMatch)
		}
		if resp := ts.update(t, creds, id, `{"business_details":{"business_name":"Example Two Ltd"}}`, `"1"`); resp.StatusCode != http.StatusOK {
			t.Fatalf("update = %d: %s", resp.StatusCode, resp.Body)
		}
		resp := decide(`"1"`)
		if resp.StatusCode != http.StatusPreconditionFailed || resp.json(t)["error"].(map[string]any)["code"] != "version_mismatch" {
			t.Fatalf("a decision on version 1 of a customer at 2 = %d, want 412 version_mismatch: %s", resp.StatusCode, resp.Body)
		}
		if got := ts.admin(t, token, "GET", "/admin/customers/"+id, "").json(t); got["status"] != "pending" {
			t.Errorf("after the refused decision the customer is %v, want pending", got["status"])
		}
		if resp := decide("3x"); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("a malformed If-Match = %d, want 400", resp.StatusCode)
		}
		if resp := decide(`W/"2"`); resp.StatusCode != http.StatusOK || resp.json(t)["status"] != "active" {
			t.Errorf("a decision on the current version = %d: %s", resp.StatusCode, resp.Body)
		}
	})
}
