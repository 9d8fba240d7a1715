package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// listedBody is a create body whose representative is a listed person
// (Manuel Antonio Noriega, OFAC SDN entry 1572, in the excerpts).
func listedBody(t *testing.T) string {
	return with(t, "partner_customer_id", uniqueID(t),
		"business_person_list.0.basic_info.first_name_english", "Manuel Antonio", "business_person_list.0.basic_info.last_name_english", "Noriega")
}

// createdID creates a customer and returns its id.
func (ts *testServer) createdID(t *testing.T, creds kyb.Credentials, body string) string {
	t.Helper()
	resp := ts.create(t, creds, body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create = %d %s", resp.StatusCode, resp.Body)
	}
	return resp.json(t)["customer_id"].(string)
}

// reviewOf is the review part of an operator's answer.
type reviewOf struct {
	Status string `json:"status"`
	Review *struct {
		RequiredApprovals int `json:"required_approvals"`
		Approvals         []struct {
			OperatorID string `json:"operator_id"`
			Reason     string `json:"reason"`
			ApprovedAt string `json:"approved_at"`
		} `json:"approvals"`
		AwaitingSecondApproval bool `json:"awaiting_second_approval"`
	} `json:"review"`
}

func decodeReview(t *testing.T, r response) reviewOf {
	t.Helper()
	var out reviewOf
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
	return out
}

// TestTwoPersonRule approves a customer with a screening hit: the first
// operator's approval leaves it pending, awaiting a second; the same
// operator cannot give both; a second operator's activates it. A clean
// customer needs one approval.
func TestTwoPersonRule(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		creds := ts.partner(t)
		ts.importExcerpts(t)
		first, second := ts.newOperator(t, false), ts.newOperator(t, false)
		listed, clean := ts.createdID(t, creds, listedBody(t)), ts.createdID(t, creds, with(t, "partner_customer_id", uniqueID(t)))
		approve := func(op kyb.OperatorCredentials, id, reason string) response {
			return ts.admin(t, op.Token, "POST", "/admin/customers/"+id+"/status", review("active", reason))
		}

		if got := decodeReview(t, ts.admin(t, first.Token, "GET", "/admin/customers/"+listed, "")); got.Review == nil || got.Review.RequiredApprovals != 2 || len(got.Review.Approvals) != 0 || got.Review.AwaitingSecondApproval {
			t.Errorf("a pending customer with a hit before any approval: review = %+v, want 2 required, none given", got.Review)
		}
		resp := approve(first, listed, "the hit is a namesake")
		got := decodeReview(t, resp)
		if resp.StatusCode != http.StatusAccepted || got.Status != "pending" || got.Review == nil || !got.Review.AwaitingSecondApproval ||
			len(got.Review.Approvals) != 1 || got.Review.Approvals[0].OperatorID != first.OperatorID || got.Review.Approvals[0].Reason != "the hit is a namesake" {
			t.Fatalf("first approval = %d %s, want 202, pending, awaiting a second approval by another operator", resp.StatusCode, resp.Body)
		}
		if at := got.Review.Approvals[0].ApprovedAt; len(at) != len("2006-01-02T15:04:05Z") {
			t.Errorf("approved_at = %q, want UTC to the second", at)
		}
		partner := string(ts.request(t, "GET", "/api/customers/"+listed, &creds, "").Body)
		if !strings.Contains(partner, `"status":"pending"`) || strings.Contains(partner, "approv") || strings.Contains(partner, "review") {
			t.Errorf("the partner's view after one approval = %s, want pending and nothing of the review", partner)
		}
		if resp := approve(first, listed, "again"); resp.StatusCode != http.StatusConflict || !strings.Contains(string(resp.Body), `"code":"second_approval_same_operator"`) {
			t.Errorf("the same operator's second approval = %d %s, want 409 second_approval_same_operator", resp.StatusCode, resp.Body)
		}
		if got := decodeReview(t, ts.admin(t, second.Token, "GET", "/admin/customers/"+listed, "")); got.Review == nil || len(got.Review.Approvals) != 1 || !got.Review.AwaitingSecondApproval {
			t.Errorf("the customer read after one approval: review = %+v, want the one approval, awaiting a second", got.Review)
		}
		resp = approve(second, listed, "agreed: other birth date")
		if got := decodeReview(t, resp); resp.StatusCode != http.StatusOK || got.Status != "active" || got.Review != nil {
			t.Errorf("second operator's approval = %d %s, want 200 active", resp.StatusCode, resp.Body)
		}
		if partner := string(ts.request(t, "GET", "/api/customers/"+listed, &creds, "").Body); !strings.Contains(partner, `"status":"active"`) || !strings.Contains(partner, `"status_reason":"agreed: other birth date"`) {
			t.Errorf("the partner's view after two approvals = %s, want active", partner)
		}
		trail, err := ts.Service.AuditTrail(context.Background(), kyb.AuditFilter{CustomerID: listed})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, a := range trail {
			actions = append(actions, a.Action+" by "+a.Actor.ID)
		}
		want := []string{kyb.ActionCustomerApprovalRecorded + " by " + first.OperatorID, kyb.ActionCustomerStatusChanged + " by " + second.OperatorID}
		if !slices.Contains(actions, want[0]) || !slices.Contains(actions, want[1]) || slices.Contains(actions, kyb.ActionCustomerStatusChanged+" by "+first.OperatorID) {
			t.Errorf("audit trail = %v, want %v", actions, want)
		}

		// Reactivating a suspended high-risk customer needs two operators
		// as well.
		if resp := ts.admin(t, first.Token, "POST", "/admin/customers/"+listed+"/status", review("suspended", "new adverse media")); resp.StatusCode != http.StatusOK {
			t.Fatalf("suspend = %d %s", resp.StatusCode, resp.Body)
		}
		resp = approve(first, listed, "media report was about a namesake")
		if got := decodeReview(t, resp); resp.StatusCode != http.StatusAccepted || got.Status != "suspended" || got.Review == nil || !got.Review.AwaitingSecondApproval {
			t.Errorf("first reactivation = %d %s, want 202, still suspended, awaiting a second approval", resp.StatusCode, resp.Body)
		}
		if resp := approve(first, listed, "again"); resp.StatusCode != http.StatusConflict {
			t.Errorf("the same operator's second reactivation = %d, want 409", resp.StatusCode)
		}
		if resp := approve(second, listed, "agreed"); resp.StatusCode != http.StatusOK || decodeReview(t, resp).Status != "active" {
			t.Errorf("second operator's reactivation = %d %s, want 200 active", resp.StatusCode, resp.Body)
		}

		if resp := approve(first, clean, "verified"); resp.StatusCode != http.StatusOK || decodeReview(t, resp).Status != "active" {
			t.Errorf("approving a clean customer = %d %s, want 200 active at once", resp.StatusCode, resp.Body)
		}
		// Rejecting needs one operator, approval given or not.
		other := ts.createdID(t, creds, listedBody(t))
		approve(first, other, "looks fine")
		if resp := ts.admin(t, second.Token, "POST", "/admin/customers/"+other+"/status", review("rejected", "it is him")); resp.StatusCode != http.StatusOK || decodeReview(t, resp).Status != "rejected" {
			t.Errorf("rejecting after one approval = %d %s, want 200 rejected", resp.StatusCode, resp.Body)
		}
	})
}

// TestTwoApprovalsAtOnce sends two operators' approvals together: one is
// the first (202), the other activates the customer (200), whatever the
// order.
func TestTwoApprovalsAtOnce(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		creds := ts.partner(t)
		ts.importExcerpts(t)
		ops := []kyb.OperatorCredentials{ts.newOperator(t, false), ts.newOperator(t, false)}
		for range 3 {
			id := ts.createdID(t, creds, listedBody(t))
			codes := make([]int, len(ops))
			var wg sync.WaitGroup
			for i, op := range ops {
				wg.Go(func() {
					codes[i] = ts.admin(t, op.Token, "POST", "/admin/customers/"+id+"/status", review("active", "verified")).StatusCode
				})
			}
			wg.Wait()
			slices.Sort(codes)
			if !slices.Equal(codes, []int{http.StatusOK, http.StatusAccepted}) {
				t.Errorf("two approvals at once = %v, want one 200 and one 202", codes)
			}
			if got := decodeReview(t, ts.admin(t, ops[0].Token, "GET", "/admin/customers/"+id, "")); got.Status != "active" {
				t.Errorf("after two approvals at once the customer is %s, want active", got.Status)
			}
		}
	})
}

// TestReviewQueueFilters filters the queue on what screening found, counts
// it by status, and keeps both from partners.
func TestReviewQueueFilters(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		creds := ts.partner(t)
		token := ts.operator(t)
		ts.importExcerpts(t)
		listed := ts.createdID(t, creds, listedBody(t))
		clean := ts.createdID(t, creds, with(t, "partner_customer_id", uniqueID(t)))
		recent := ts.createdID(t, creds, with(t, "partner_customer_id", uniqueID(t), "business_details.business_identifier_start_date", ts.Service.Now().UTC().AddDate(0, 0, -10).Format("2006-01-02T15:04:05Z")))
		ts.admin(t, token, "POST", "/admin/customers/"+clean+"/status", review("active", "verified"))
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"has_hits=true", []string{listed}},
			{"has_hits=false", []string{clean, recent}},
			{"risk=high", []string{listed}},
			{"risk=medium", []string{recent}},
			{"risk=low", []string{clean}},
			{"risk=high&has_hits=false", nil},
			{"status=pending&has_hits=false", []string{recent}},
		} {
			resp := ts.admin(t, token, "GET", "/admin/customers?partner_id="+creds.PartnerID+"&"+tc.query, "")
			var page struct {
				Data []struct {
					CustomerID string `json:"customer_id"`
				} `json:"data"`
			}
			if err := json.Unmarshal(resp.Body, &page); resp.StatusCode != http.StatusOK || err != nil {
				t.Fatalf("queue %s = %d %s", tc.query, resp.StatusCode, resp.Body)
			}
			var got []string
			for _, c := range page.Data {
				got = append(got, c.CustomerID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("queue %s = %v, want %v", tc.query, got, tc.want)
			}
		}
		for _, bad := range []string{"risk=severe", "has_hits=yes", "has_hits=1"} {
			if resp := ts.admin(t, token, "GET", "/admin/customers?"+bad, ""); resp.StatusCode != http.StatusBadRequest {
				t.Errorf("queue %s = %d, want 400", bad, resp.StatusCode)
			}
		}
		resp := ts.admin(t, token, "GET", "/admin/customers/counts?partner_id="+creds.PartnerID, "")
		if string(resp.Body) != `{"pending":2,"active":1,"rejected":0,"suspended":0}`+"\n" && string(resp.Body) != `{"pending":2,"active":1,"rejected":0,"suspended":0}` {
			t.Errorf("counts = %d %s, want 2 pending and 1 active", resp.StatusCode, resp.Body)
		}
		for _, path := range []string{"/api/customers?risk=high", "/api/customers?has_hits=true", "/api/customers?partner_id=" + creds.PartnerID} {
			if resp := ts.request(t, "GET", path, &creds, ""); resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(resp.Body), "is not a known query parameter") {
				t.Errorf("a partner's %s = %d %s, want 400 unknown parameter", path, resp.StatusCode, resp.Body)
			}
		}
		if resp := ts.request(t, "GET", "/admin/customers/counts", &creds, ""); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("counts with a partner's key = %d, want 401", resp.StatusCode)
		}
	})
}
