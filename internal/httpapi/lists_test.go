package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// importExcerpts imports the screening package's excerpts of both lists.
func (ts *testServer) importExcerpts(t *testing.T) {
	t.Helper()
	storetest.ImportListExcerpts(t, ts.Service, testActor)
}

// TestScreeningSearch searches the lists in force as an operator does,
// with the matcher of create.
func TestScreeningSearch(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		token := ts.operator(t)
		search := func(body string) response {
			return ts.admin(t, token, "POST", "/admin/screening/search", body)
		}
		// Before any import there is nothing to hit (the test binary's
		// PostgreSQL database is shared: another test may have imported).
		snaps, err := ts.Service.ListSnapshots(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if resp := search(`{"name":"Manuel Noriega","type":"person"}`); len(snaps) == 0 && (resp.StatusCode != http.StatusOK || string(resp.Body) != `{"data":[],"snapshots":[]}`+"\n") {
			t.Errorf("search with no lists = %d %s, want 200, no hits and no snapshots", resp.StatusCode, string(resp.Body))
		}
		ts.importExcerpts(t)
		resp := search(`{"name":"Abu Abbas","type":"person","birth_date":"1948-12-10"}`)
		for _, want := range []string{`{"data":[{"list":"ofac-sdn","snapshot_id":"lst_`, `"entry_id":"2674","name":"ABBAS, Abu","name_type":"primary"`,
			`"score":1,"entity_type":"person","programs":["SDGT"],"evidence":{"birth_date":{"match":true,"listed":"1948-12-10","delta":0.04}}`,
			`"snapshots":[{"snapshot_id":"lst_`, `"list":"un"`} {
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(resp.Body), want) {
				t.Errorf("search Abu Abbas = %d %s, want %s", resp.StatusCode, string(resp.Body), want)
			}
		}
		got := resp.json(t)
		if n := len(got["snapshots"].([]any)); n != 2 {
			t.Errorf("search answered %d snapshots, want the 2 in force", n)
		}
		for _, tc := range []struct {
			name, body string
			want       []string // in the answer
			not        []string // not in it
		}{
			{"a birth date that disagrees lowers the score but keeps the hit", `{"name":"Abu Abbas","type":"person","birth_date":"1990-01-01"}`,
				[]string{`"entry_id":"2674"`, `"score":0.88`, `"birth_date":{"match":false,"listed":"1948-12-10","delta":-0.12}`}, nil},
			{"a business", `{"name":"Havin Bank Ltd","type":"business"}`, []string{`"entry_id":"906"`, `"entity_type":"organisation"`}, nil},
			{"a person's name is not matched against businesses", `{"name":"Havin Bank Ltd","type":"person"}`, []string{`"data":[]`}, nil},
			{"an unlisted name", `{"name":"Zhang Wei","type":"person"}`, []string{`"data":[]`}, nil},
			{"a country that agrees", `{"name":"Manuel Antonio Noriega","type":"person","country":"PA"}`, []string{`"entry_id":"1572"`, `"country":{"match":true`}, nil},
			{"limit", `{"name":"Abu Abbas","type":"person","limit":1}`, []string{`"entry_id":"2674"`}, nil},
		} {
			resp := search(tc.body)
			for _, want := range tc.want {
				if resp.StatusCode != http.StatusOK || !strings.Contains(string(resp.Body), want) {
					t.Errorf("%s: %s = %d %s, want %s", tc.name, tc.body, resp.StatusCode, resp.Body, want)
				}
			}
		}
		// A lower min_score finds weaker resemblances, best first.
		strict := len(search(`{"name":"Cimex","type":"business"}`).json(t)["data"].([]any))
		loose := search(`{"name":"Cimex","type":"business","min_score":0.6,"limit":100}`).json(t)["data"].([]any)
		if len(loose) <= strict {
			t.Errorf("min_score 0.6 found %d hits, want more than the %d at the threshold", len(loose), strict)
		}
		for i := 1; i < len(loose); i++ {
			if loose[i].(map[string]any)["score"].(float64) > loose[i-1].(map[string]any)["score"].(float64) {
				t.Errorf("hits not best first: %v", loose)
			}
		}
		if few := search(`{"name":"Cimex","type":"business","min_score":0.6,"limit":1}`).json(t)["data"].([]any); len(few) != 1 {
			t.Errorf("limit 1 answered %d hits", len(few))
		}
		// The threshold is a setting: it decides search and create alike.
		typo := `{"name":"Manuel Antonio Noriegas","type":"person"}`
		if resp := search(typo); !strings.Contains(string(resp.Body), `"entry_id":"1572"`) {
			t.Errorf("search %s at the default threshold = %s, want NORIEGA", typo, resp.Body)
		}
		strictTS := ts.instance(t, kyb.WithRiskPolicy(kyb.RiskPolicy{ScreeningThreshold: 0.99}))
		if resp := strictTS.admin(t, token, "POST", "/admin/screening/search", typo); !strings.Contains(string(resp.Body), `"data":[]`) {
			t.Errorf("search %s at threshold 0.99 = %s, want no hit", typo, resp.Body)
		}
		creds := ts.partner(t)
		for _, tc := range []struct {
			threshold string
			ts        *testServer
			hit       bool
		}{{"0.92", ts, true}, {"0.99", strictTS, false}} {
			created := tc.ts.create(t, creds, with(t, "partner_customer_id", uniqueID(t), "business_person_list.0.basic_info.first_name_english", "Manuel Antonio",
				"business_person_list.0.basic_info.last_name_english", "Noriegas"))
			id, _ := created.json(t)["customer_id"].(string)
			if got := string(tc.ts.admin(t, token, "GET", "/admin/customers/"+id, "").Body); strings.Contains(got, `"entry_id":"1572"`) != tc.hit {
				t.Errorf("at threshold %s, a customer named Noriegas has a hit: %v, want %v: %s", tc.threshold, !tc.hit, tc.hit, got)
			}
		}
		for _, tc := range []struct{ body, field string }{
			{`{"type":"person"}`, "name"},
			{`{"name":"X"}`, "type"},
			{`{"name":"X","type":"vessel"}`, "type"},
			{`{"name":"X","type":"person","birth_date":"1948-12-10T00:00:00Z"}`, "birth_date"},
			{`{"name":"X","type":"person","country":"usa"}`, "country"},
			{`{"name":"X","type":"person","limit":0}`, "limit"},
			{`{"name":"X","type":"person","limit":101}`, "limit"},
			{`{"name":"X","type":"person","limit":"ten"}`, "limit"},
			{`{"name":"X","type":"person","min_score":0.2}`, "min_score"},
			{`{"name":"X","type":"person","nope":1}`, "nope"},
			{`{"name":"` + strings.Repeat("x", 201) + `","type":"person"}`, "name"},
		} {
			resp := search(tc.body)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(resp.Body), `"field":"`+tc.field+`"`) {
				t.Errorf("search %.80s = %d %s, want 400 naming %s", tc.body, resp.StatusCode, resp.Body, tc.field)
			}
		}
		if resp := ts.admin(t, token, "GET", "/admin/lists", ""); resp.StatusCode != http.StatusOK || strings.Count(string(resp.Body), `"in_force":true`) != 2 {
			t.Errorf("GET /admin/lists = %d %s, want both snapshots in force", resp.StatusCode, string(resp.Body))
		}
		if resp := ts.request(t, "POST", "/admin/screening/search", nil, `{"name":"Noriega","type":"person"}`); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("search without a token = %d, want 401", resp.StatusCode)
		}
		if resp := ts.request(t, "POST", "/admin/screening/search", &creds, `{"name":"Noriega","type":"person"}`); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("search with a partner's key = %d, want 401", resp.StatusCode)
		}
	})
}

// TestScreeningOnCreate screens new customers against the lists in force:
// operators see the hits with their evidence; partners never do, in no
// answer and no webhook event (tipping-off).
func TestScreeningOnCreate(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		creds := ts.partner(t)
		token := ts.operator(t)
		// The test binary's PostgreSQL database is shared: another test may
		// have imported lists already.
		snaps, err := ts.Service.ListSnapshots(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		before := ts.create(t, creds, with(t, "partner_customer_id", uniqueID(t)))
		ts.importExcerpts(t)
		listed := ts.create(t, creds, with(t, "partner_customer_id", uniqueID(t),
			"business_person_list.0.basic_info.first_name_english", "Manuel Antonio", "business_person_list.0.basic_info.last_name_english", "Noriega"))
		clean := ts.create(t, creds, with(t, "partner_customer_id", uniqueID(t)))
		ids := map[string]string{}
		for name, resp := range map[string]response{"before": before, "listed": listed, "clean": clean} {
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("create %s = %d %s", name, resp.StatusCode, resp.Body)
			}
			ids[name] = resp.json(t)["customer_id"].(string)
		}
		admin := func(id string) string { return string(ts.admin(t, token, "GET", "/admin/customers/"+id, "").Body) }
		got := admin(ids["listed"])
		for _, want := range []string{`"screening":{"screened_at":`, `"snapshots":["lst_`, `"entry_id":"1572"`, `"list_name":"NORIEGA, Manuel Antonio"`,
			`"field":"business_person_list[0].basic_info"`, `"value":"Manuel Antonio Noriega"`, `"kind":"country","match":false`, `"risk":{"level":"high"`} {
			if !strings.Contains(got, want) {
				t.Errorf("the operator's view of the listed customer lacks %s: %s", want, got)
			}
		}
		if got := admin(ids["clean"]); !strings.Contains(got, `"hits":[]`) {
			t.Errorf("the operator's view of a clean customer = %s, want screening with no hits", got)
		}
		if got := admin(ids["before"]); len(snaps) == 0 && strings.Contains(got, `"screening"`) {
			t.Errorf("a customer created before any list = %s, want no screening", got)
		}
		if got := admin(ids["clean"]); !strings.Contains(got, `"risk":{"level":"low","flags":[{"code":"operating_country_differs"`) {
			t.Errorf("the operator's view of a clean customer = %s, want low risk with its one flag", got)
		}
		// Partners: the create answer, a read, the list and the events.
		answers := []string{string(listed.Body)}
		for _, path := range []string{"/api/customers/" + ids["listed"], "/api/customers", "/api/customers/" + ids["listed"] + "/events"} {
			answers = append(answers, string(ts.request(t, "GET", path, &creds, "").Body))
		}
		for _, a := range answers {
			if strings.Contains(a, "screening") || strings.Contains(a, "1572") || strings.Contains(a, "ofac") || strings.Contains(a, `"risk"`) {
				t.Errorf("a partner's answer tells of screening: %s", a)
			}
		}
	})
}

// TestListsReachOtherInstances imports a list on one instance: another,
// already screening, picks it up by itself, building the new index aside.
func TestListsReachOtherInstances(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		var ahead atomic.Int64
		other := ts.instance(t, kyb.WithClock(func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }))
		creds := ts.partner(t)
		noriega := func() string {
			return with(t, "partner_customer_id", uniqueID(t),
				"business_person_list.0.basic_info.first_name_english", "Manuel Antonio", "business_person_list.0.basic_info.last_name_english", "Noriega")
		}
		// other screens once, against whatever is in force now.
		if resp := other.create(t, creds, noriega()); resp.StatusCode != http.StatusOK {
			t.Fatalf("create = %d %s", resp.StatusCode, resp.Body)
		}
		ts.importExcerpts(t)
		token := ts.operator(t)
		for i := 0; ; i++ {
			ahead.Add(int64(6 * time.Second)) // past the recheck
			resp := other.create(t, creds, noriega())
			id := resp.json(t)["customer_id"].(string)
			if strings.Contains(string(ts.admin(t, token, "GET", "/admin/customers/"+id, "").Body), `"entry_id":"1572"`) {
				break
			}
			if i == 200 {
				t.Fatal("the other instance never screened against the imported list")
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// TestDecisionPolicy: under auto_approve_clean a clean customer is active in
// its own create answer, decided by the system with its reasons audited;
// one with a hit or a flag stays pending, as every customer does under
// manual.
func TestDecisionPolicy(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		ts.importExcerpts(t)
		creds := ts.partner(t)
		admin, reviewer := ts.adminOperator(t), ts.operator(t)
		clean := func() string {
			return with(t, "partner_customer_id", uniqueID(t), "account_usage.operating_country", "CN")
		}
		status := func(resp response) string {
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("create = %d %s", resp.StatusCode, resp.Body)
			}
			return resp.json(t)["status"].(string)
		}
		if got := status(ts.create(t, creds, clean())); got != "pending" {
			t.Errorf("a clean customer under manual is %s, want pending", got)
		}
		policyPath := "/admin/partners/" + creds.PartnerID + "/policy"
		if resp := ts.admin(t, reviewer, "PUT", policyPath, `{"policy":"auto_approve_clean"}`); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a reviewer setting the policy = %d, want 403", resp.StatusCode)
		}
		if resp := ts.admin(t, admin, "PUT", policyPath, `{"policy":"approve_all"}`); resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(resp.Body), `"policy"`) {
			t.Errorf("an unknown policy = %d %s, want 400 naming policy", resp.StatusCode, resp.Body)
		}
		if resp := ts.admin(t, admin, "PUT", policyPath, `{"policy":"auto_approve_clean"}`); resp.StatusCode != http.StatusOK {
			t.Fatalf("set the policy = %d %s", resp.StatusCode, resp.Body)
		}
		if resp := ts.admin(t, reviewer, "GET", policyPath, ""); !strings.Contains(string(resp.Body), `"policy":"auto_approve_clean"`) {
			t.Errorf("GET policy = %s", resp.Body)
		}
		approved := ts.create(t, creds, clean())
		if got := status(approved); got != "active" || !strings.Contains(string(approved.Body), "approved automatically") {
			t.Errorf("a clean customer under auto_approve_clean = %s, want active with the reason", approved.Body)
		}
		id := approved.json(t)["customer_id"].(string)
		trail := string(ts.admin(t, reviewer, "GET", "/admin/customers/"+id+"/audit", "").Body)
		if !strings.Contains(trail, `"actor_type":"system","actor_id":"policy","action":"customer.status_changed"`) {
			t.Errorf("the audit trail of an approved customer = %s, want the system's decision", trail)
		}
		if events := string(ts.request(t, "GET", "/api/customers/"+id+"/events", &creds, "").Body); !strings.Contains(events, "customer.active") {
			t.Errorf("events of an approved customer = %s, want customer.active", events)
		}
		listed := with(t, "partner_customer_id", uniqueID(t), "account_usage.operating_country", "CN",
			"business_person_list.0.basic_info.first_name_english", "Manuel Antonio", "business_person_list.0.basic_info.last_name_english", "Noriega")
		if got := status(ts.create(t, creds, listed)); got != "pending" {
			t.Errorf("a customer with a hit under auto_approve_clean is %s, want pending", got)
		}
		if got := status(ts.create(t, creds, with(t, "partner_customer_id", uniqueID(t)))); got != "pending" {
			t.Errorf("a customer with a risk flag under auto_approve_clean is %s, want pending", got)
		}
	})
}
