package httpapi_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/screening"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// excerpt parses the screening package's excerpt of a list: ofac-sdn or
// un.
func (ts *testServer) excerpt(t *testing.T, source string) screening.List {
	t.Helper()
	dir := "../screening/testdata"
	open := func(parts ...string) *os.File {
		f, err := os.Open(filepath.Join(append([]string{dir}, parts...)...))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	var l screening.List
	var err error
	if source == screening.SourceUN {
		l, err = screening.ParseUN(open("un", "consolidated.xml"))
	} else {
		l, err = screening.ParseOFAC(open("ofac-sdn", "sdn.csv"), open("ofac-sdn", "alt.csv"), open("ofac-sdn", "add.csv"))
	}
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// importExcerpts imports the screening package's excerpts of both lists.
func (ts *testServer) importExcerpts(t *testing.T) {
	t.Helper()
	for _, l := range []screening.List{ts.excerpt(t, screening.SourceOFAC), ts.excerpt(t, screening.SourceUN)} {
		if _, _, err := ts.Service.ImportList(context.Background(), testActor, l); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSearchLists(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		token := ts.operator(t)
		search := func(query url.Values) response {
			return ts.admin(t, token, "GET", "/admin/lists/search?"+query.Encode(), "")
		}
		// Before any import there is nothing to hit (the test binary's
		// PostgreSQL database is shared: another test may have imported).
		snaps, err := ts.Service.ListSnapshots(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if resp := search(url.Values{"name": {"Manuel Noriega"}}); len(snaps) == 0 && (resp.StatusCode != http.StatusOK || !strings.Contains(string(resp.Body), `"data":[]`)) {
			t.Errorf("search with no lists = %d %s, want 200 and no hits", resp.StatusCode, string(resp.Body))
		}
		ts.importExcerpts(t)
		resp := search(url.Values{"name": {"Abu Abbas"}, "birth_date": {"1948-12-10T00:00:00Z"}})
		for _, want := range []string{`"list":"ofac-sdn"`, `"entry_id":"2674"`, `"list_name":"ABBAS, Abu"`, `"kind":"birth_date","match":true`, `"programmes":["SDGT"]`, `"snapshot_id":"lst_`} {
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(resp.Body), want) {
				t.Errorf("search Abu Abbas = %d %s, want %s", resp.StatusCode, string(resp.Body), want)
			}
		}
		if resp := search(url.Values{"name": {"Abu Abbas"}, "birth_date": {"1990-01-01T00:00:00Z"}}); !strings.Contains(string(resp.Body), `"kind":"birth_date","match":false`) {
			t.Errorf("search with a birth date that disagrees = %s, want the hit with the mismatch shown", resp.Body)
		}
		if resp := search(url.Values{"name": {"Havin Bank Ltd"}, "kind": {"organisation"}}); !strings.Contains(string(resp.Body), `"entry_id":"906"`) {
			t.Errorf("search an organisation = %s, want HAVIN BANK LIMITED", string(resp.Body))
		}
		if resp := search(url.Values{"name": {"Zhang Wei"}}); !strings.Contains(string(resp.Body), `"data":[]`) {
			t.Errorf("search an unlisted name = %s, want no hit", string(resp.Body))
		}
		for _, bad := range []url.Values{{}, {"name": {"X"}, "kind": {"vessel"}}, {"name": {"X"}, "birth_date": {"1948-12-10"}}, {"name": {"X"}, "country": {"usa"}}, {"name": {"X"}, "nope": {"1"}}} {
			if resp := search(bad); resp.StatusCode != http.StatusBadRequest {
				t.Errorf("search %v = %d %s, want 400", bad, resp.StatusCode, string(resp.Body))
			}
		}
		if resp := ts.admin(t, token, "GET", "/admin/lists", ""); resp.StatusCode != http.StatusOK || strings.Count(string(resp.Body), `"in_force":true`) != 2 {
			t.Errorf("GET /admin/lists = %d %s, want both snapshots in force", resp.StatusCode, string(resp.Body))
		}
		if resp := ts.request(t, "GET", "/admin/lists/search?name=Noriega", nil, ""); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("search without a token = %d, want 401", resp.StatusCode)
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
