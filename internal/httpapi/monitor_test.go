package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// freshServer serves a service on a database of the test's own: a
// re-screening job covers every customer of the database.
func freshServer(t *testing.T, e storetest.Engine, opts ...kyb.Option) *testServer {
	t.Helper()
	u := storetest.SQLiteURL(t)
	if e.Name == "postgres" {
		u = storetest.FreshPostgresURL(t)
	}
	store, err := storetest.OpenURL(t, u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return startTestServer(t, store, testFileCipher(t), append([]kyb.Option{kyb.WithRescreenDelay(0)}, opts...))
}

// noriega is a create body whose representative is a listed person.
func noriega(t *testing.T) string {
	return with(t, "partner_customer_id", uniqueID(t),
		"business_person_list.0.basic_info.first_name_english", "Manuel Antonio", "business_person_list.0.basic_info.last_name_english", "Noriega")
}

// markedForReview returns a server on a database of its own, an
// operator's token and a customer that monitoring marked for review.
func markedForReview(t *testing.T) (*testServer, string, string) {
	t.Helper()
	ts := freshServer(t, storetest.Engines()[0])
	creds, token := ts.partner(t), ts.operator(t)
	id := customerID(t, ts.create(t, creds, noriega(t)))
	if resp := ts.admin(t, token, "POST", "/admin/customers/"+id+"/status", review("active", "documents checked")); resp.StatusCode != http.StatusOK {
		t.Fatalf("approve = %d %s", resp.StatusCode, resp.Body)
	}
	ts.importExcerpts(t)
	if _, err := ts.Service.RunRescreen(context.Background(), "test"); err != nil {
		t.Fatal(err)
	}
	return ts, token, id
}

func customerID(t *testing.T, resp response) string {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create = %d %s", resp.StatusCode, resp.Body)
	}
	return resp.json(t)["customer_id"].(string)
}

// TestMonitoringResumesAfterACrash re-screens in batches: a worker that
// dies holding a batch leaves it leased; the others go on, and take it
// over once its lease ends. Every batch is done once, none is skipped, and
// the dead worker's late results are refused.
func TestMonitoringResumesAfterACrash(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		var offset atomic.Int64
		clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
		ts := freshServer(t, e, kyb.WithClock(clock), kyb.WithRescreenBatch(3))
		creds := ts.partner(t)
		var ids []string
		for range 7 {
			ids = append(ids, customerID(t, ts.create(t, creds, with(t, "partner_customer_id", uniqueID(t)))))
		}
		rejected := customerID(t, ts.create(t, creds, with(t, "partner_customer_id", uniqueID(t))))
		if _, err := ts.Service.ChangeStatus(context.Background(), testActor, rejected, kyb.StatusChange{Status: kyb.StatusRejected, Reason: "test"}); err != nil {
			t.Fatal(err)
		}
		ts.importExcerpts(t)

		// The clock runs in minutes from an hour ahead, a lease lasting two.
		step := func(minutes int, owner string) bool {
			t.Helper()
			offset.Store(int64(time.Duration(minutes) * time.Minute))
			worked, err := ts.Service.RescreenStep(context.Background(), owner)
			if err != nil {
				t.Fatalf("RescreenStep(%s) at +%dm: %v", owner, minutes, err)
			}
			return worked
		}
		if !step(60, "a") {
			t.Fatal("the first step did nothing")
		}
		jobs, err := ts.Service.RescreenJobs(context.Background(), 10)
		if err != nil || len(jobs) != 1 {
			t.Fatalf("RescreenJobs = %v, %v; want one job", jobs, err)
		}
		job := jobs[0]
		if job.Customers != 7 || job.Batches != 3 || job.DoneBatches != 1 || job.DoneCustomers != 3 {
			t.Errorf("job after one batch = %+v, want 7 customers (not the rejected one) in 3 batches, 1 done", job)
		}
		// Worker a claims the second batch and dies.
		now := clock()
		dead, err := ts.Store.ClaimRescreenBatch(context.Background(), job.ID, "a", now, now.Add(kyb.DefaultRescreenLease))
		if err != nil || dead.Seq != 2 {
			t.Fatalf("claim = %+v, %v; want batch 2", dead, err)
		}
		if !step(61, "b") || step(61, "b") {
			t.Error("worker b, while a's lease holds, did not do exactly the one free batch")
		}
		// Past the lease, b takes a's batch over; then nothing is left.
		if !step(65, "b") || step(65, "b") {
			t.Error("worker b, after a's lease ended, did not do exactly a's batch")
		}
		err = ts.Store.CompleteRescreenBatch(context.Background(), dead, clock(), nil, kyb.AuditEvent{})
		if kyb.ErrorKind(err) != kyb.KindConflict {
			t.Errorf("the dead worker's late completion = %v, want a conflict", err)
		}
		jobs, _ = ts.Service.RescreenJobs(context.Background(), 10)
		if j := jobs[0]; j.DoneCustomers != 7 || j.DoneBatches != 3 || j.FinishedAt.IsZero() {
			t.Errorf("job at the end = %+v, want all done and finished", j)
		}
		// Each batch was screened once, at the minute it was done: batch 1
		// (ids 0-2) at +60m, batch 3 (6) at +61m, batch 2 (3-5) at +65m.
		base := time.Now()
		for i, id := range ids {
			c, err := ts.Service.CustomerForOperator(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if c.Screening == nil || len(c.Screening.Snapshots) != 2 {
				t.Fatalf("customer %d screening = %+v, want one against both snapshots", i, c.Screening)
			}
			want := map[int]int{0: 60, 1: 60, 2: 60, 3: 65, 4: 65, 5: 65, 6: 61}[i]
			if got := int(c.Screening.ScreenedAt.Sub(base).Round(time.Minute) / time.Minute); got != want {
				t.Errorf("customer %d screened at +%dm, want +%dm", i, got, want)
			}
		}
		if c, _ := ts.Service.CustomerForOperator(context.Background(), rejected); c.Screening != nil && len(c.Screening.Snapshots) > 0 {
			t.Errorf("the rejected customer was re-screened: %+v", c.Screening)
		}
		// The same snapshots again start nothing.
		if step(70, "c") {
			t.Error("a finished job was worked on again")
		}
	})
}

// TestMonitoringFlagsActiveCustomers: a new snapshot that lists an active
// customer's representative marks it for review, status unchanged,
// audited; its partner hears nothing, in no answer and no webhook event.
func TestMonitoringFlagsActiveCustomers(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := freshServer(t, e)
		creds := ts.partner(t)
		token := ts.operator(t)
		active := customerID(t, ts.create(t, creds, noriega(t)))
		pending := customerID(t, ts.create(t, creds, noriega(t)))
		clean := customerID(t, ts.create(t, creds, with(t, "partner_customer_id", uniqueID(t))))
		for _, id := range []string{active, clean} {
			if resp := ts.admin(t, token, "POST", "/admin/customers/"+id+"/status", review("active", "documents checked")); resp.StatusCode != http.StatusOK {
				t.Fatalf("approve = %d %s", resp.StatusCode, resp.Body)
			}
		}
		eventsBefore := string(ts.request(t, "GET", "/api/customers/"+active+"/events", &creds, "").Body)
		ts.importExcerpts(t)
		if n, err := ts.Service.RunRescreen(context.Background(), "test"); err != nil || n != 1 {
			t.Fatalf("RunRescreen = %d, %v; want 1 batch", n, err)
		}
		view := func(id string) map[string]any {
			return ts.admin(t, token, "GET", "/admin/customers/"+id, "").json(t)
		}
		got := view(active)
		if got["needs_review"] != true || got["status"] != "active" || !strings.Contains(got["review_reason"].(string), "1 new possible match") {
			t.Errorf("the active listed customer = needs_review %v, status %v, reason %v; want marked, still active", got["needs_review"], got["status"], got["review_reason"])
		}
		if body := string(ts.admin(t, token, "GET", "/admin/customers/"+active, "").Body); !strings.Contains(body, `"entry_id":"1572"`) ||
			!strings.Contains(body, `"action":"customer.rescreened"`) || !strings.Contains(body, "marked for review") {
			t.Errorf("the operator's view lacks the new hit or its audit: %s", body)
		}
		for name, id := range map[string]string{"pending": pending, "clean": clean} {
			if got := view(id); got["needs_review"] != false {
				t.Errorf("the %s customer needs_review = %v, want false", name, got["needs_review"])
			}
		}
		list := string(ts.admin(t, token, "GET", "/admin/customers?needs_review=true", "").Body)
		if !strings.Contains(list, active) || strings.Contains(list, pending) || strings.Contains(list, clean) {
			t.Errorf("GET /admin/customers?needs_review=true = %s, want only %s", list, active)
		}
		if resp := ts.admin(t, token, "GET", "/admin/customers?needs_review=yes", ""); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("needs_review=yes = %d, want 400", resp.StatusCode)
		}
		// The partner: the customer, the list and the events are as before.
		if got := string(ts.request(t, "GET", "/api/customers/"+active+"/events", &creds, "").Body); got != eventsBefore {
			t.Errorf("the partner's events changed with the re-screening:\nbefore %s\nafter  %s", eventsBefore, got)
		}
		for _, path := range []string{"/api/customers/" + active, "/api/customers"} {
			a := string(ts.request(t, "GET", path, &creds, "").Body)
			for _, leak := range []string{"review", "screening", "1572", "ofac", "match"} {
				if strings.Contains(a, leak) {
					t.Errorf("the partner's %s tells of monitoring (%q): %s", path, leak, a)
				}
			}
		}
		// An operator who looked clears the mark; the customer stays active.
		if resp := ts.admin(t, token, "POST", "/admin/customers/"+clean+"/clear-review", `{"reason":"checked"}`); resp.StatusCode != http.StatusConflict {
			t.Errorf("clear-review of an unmarked customer = %d %s, want 409", resp.StatusCode, resp.Body)
		}
		if resp := ts.admin(t, token, "POST", "/admin/customers/"+active+"/clear-review", `{}`); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("clear-review without a reason = %d, want 400", resp.StatusCode)
		}
		// Its hit makes its risk high: clearing the mark takes two
		// different operators, as approving it would.
		resp := ts.admin(t, token, "POST", "/admin/customers/"+active+"/clear-review", `{"reason":"a different person: birth date and nationality differ"}`)
		if got := resp.json(t); resp.StatusCode != http.StatusAccepted || got["needs_review"] != true || got["status"] != "active" ||
			!strings.Contains(string(resp.Body), `"review":{"required_approvals":2,"approvals":[{"operator_id":`) || !strings.Contains(string(resp.Body), `"awaiting_second_approval":true`) {
			t.Errorf("the first clear-review = %d %s, want 202, still marked, awaiting a second operator", resp.StatusCode, resp.Body)
		}
		if got := string(ts.admin(t, token, "GET", "/admin/customers/"+active, "").Body); !strings.Contains(got, `"needs_review":true`) || !strings.Contains(got, `"awaiting_second_approval":true`) {
			t.Errorf("the operator's view after one clearance = %s, want still marked, awaiting a second", got)
		}
		if resp := ts.admin(t, token, "POST", "/admin/customers/"+active+"/clear-review", `{"reason":"again"}`); resp.StatusCode != http.StatusConflict || !strings.Contains(string(resp.Body), "second_approval_same_operator") {
			t.Errorf("the same operator clearing twice = %d %s, want 409 second_approval_same_operator", resp.StatusCode, resp.Body)
		}
		resp = ts.admin(t, ts.operator(t), "POST", "/admin/customers/"+active+"/clear-review", `{"reason":"agreed: the birth date differs"}`)
		if got := resp.json(t); resp.StatusCode != http.StatusOK || got["needs_review"] != false || got["status"] != "active" {
			t.Errorf("the second operator's clear-review = %d %s, want the customer active and unmarked", resp.StatusCode, resp.Body)
		}
		if body := string(ts.admin(t, token, "GET", "/admin/customers/"+active+"/audit", "").Body); !strings.Contains(body, `"action":"customer.review_clearance_recorded"`) || !strings.Contains(body, `"action":"customer.review_cleared"`) {
			t.Errorf("the clearing is not audited: %s", body)
		}
	})
}

// TestRejectedIdentifierFlag: an ID number (with its issuing country) or a
// business identifier of a rejected customer flags the partner's other
// customers that carry it, until the rejected customer is erased.
func TestRejectedIdentifierFlag(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		ts.importExcerpts(t) // auto_approve_clean approves only screened customers
		creds, other := ts.partner(t), ts.partner(t)
		token, admin := ts.operator(t), ts.adminOperator(t)
		number := "R" + strings.TrimPrefix(uniqueID(t), "pcid-")[:12]
		withID := func(country string, more ...any) string {
			return with(t, append([]any{"partner_customer_id", uniqueID(t), "business_person_list.0.identification.id_number", number,
				"business_person_list.0.identification.id_issuing_country_code", country,
				"business_details.business_identifier_number", "BIZ" + number}, more...)...)
		}
		earlier := customerID(t, ts.create(t, creds, withID("CN")))
		first := customerID(t, ts.create(t, creds, withID("CN")))
		if resp := ts.admin(t, token, "POST", "/admin/customers/"+first+"/status", review("rejected", "forged documents")); resp.StatusCode != http.StatusOK {
			t.Fatalf("reject = %d %s", resp.StatusCode, resp.Body)
		}
		again := customerID(t, ts.create(t, creds, withID("CN")))
		otherCountry := customerID(t, ts.create(t, creds, with(t, "partner_customer_id", uniqueID(t),
			"business_person_list.0.identification.id_number", number, "business_person_list.0.identification.id_issuing_country_code", "HK")))
		otherPartner := customerID(t, ts.create(t, other, withID("CN")))
		flags := func(id string) string {
			resp := ts.admin(t, token, "GET", "/admin/customers/"+id, "")
			var out []string
			for _, f := range resp.json(t)["risk"].(map[string]any)["flags"].([]any) {
				if f := f.(map[string]any); f["code"] == "identifier_on_rejected_customer" {
					out = append(out, f["field"].(string)+" "+f["level"].(string)+" "+f["message"].(string))
				}
			}
			return strings.Join(out, "\n")
		}
		got := flags(again)
		for _, want := range []string{"business_person_list[0].identification.id_number medium The ID number, with its issuing country, is also on rejected customer " + first + " of",
			"business_details.business_identifier_number medium The business identifier"} {
			if !strings.Contains(got, want) {
				t.Errorf("flags of the customer created after the rejection = %q, want %q", got, want)
			}
		}
		if strings.Contains(got, number) {
			t.Errorf("a flag quotes the ID number: %q", got)
		}
		if got := flags(earlier); !strings.Contains(got, first) {
			t.Errorf("flags of a customer created before the rejection = %q, want it flagged too (risk is assessed when read)", got)
		}
		if got := flags(first); got != "" {
			t.Errorf("the rejected customer flags itself: %q", got)
		}
		if got := flags(otherCountry); strings.Contains(got, "id_number") {
			t.Errorf("the same number issued elsewhere is flagged: %q", got)
		}
		if got := flags(otherPartner); got != "" {
			t.Errorf("another partner's customer is flagged: %q", got)
		}
		list := string(ts.admin(t, token, "GET", "/admin/customers?partner_id="+creds.PartnerID, "").Body)
		if !strings.Contains(list, "is also on rejected customer "+first) {
			t.Errorf("the admin list does not flag the customer: %s", list)
		}
		// Under auto_approve_clean the flag keeps a customer pending.
		if resp := ts.admin(t, admin, "PUT", "/admin/partners/"+creds.PartnerID+"/policy", `{"policy":"auto_approve_clean"}`); resp.StatusCode != http.StatusOK {
			t.Fatalf("set policy = %d %s", resp.StatusCode, resp.Body)
		}
		if got := ts.create(t, creds, with(t, "partner_customer_id", uniqueID(t), "account_usage.operating_country", "CN")).json(t)["status"]; got != "active" {
			t.Fatalf("a clean customer under auto_approve_clean = %v, want active", got)
		}
		resp := ts.create(t, creds, withID("CN", "account_usage.operating_country", "CN"))
		if got := resp.json(t)["status"]; got != "pending" {
			t.Errorf("a customer with a rejected customer's ID under auto_approve_clean = %v, want pending", got)
		}
		// Erasing the rejected customer drops its hashes with the rest.
		if resp := ts.admin(t, admin, "POST", "/admin/customers/"+first+"/erase", `{"reason":"data subject's request"}`); resp.StatusCode != http.StatusOK {
			t.Fatalf("erase = %d %s", resp.StatusCode, resp.Body)
		}
		if got := flags(again); got != "" {
			t.Errorf("after the erasure the flags are %q, want none", got)
		}
	})
}

// TestMonitoringSharedByInstances: workers of three instances re-screen
// one job together; each batch is done by exactly one of them.
func TestMonitoringSharedByInstances(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := freshServer(t, e, kyb.WithRescreenBatch(2))
		creds := ts.partner(t)
		const customers = 30
		for i := range customers {
			_, _, err := ts.Service.CreateCustomer(context.Background(), creds.PartnerID, api.Profile{
				PartnerCustomerID:   fmt.Sprintf("shared-monitoring-%06d", i),
				BusinessDetails:     &api.BusinessDetails{BusinessName: "Example Ltd", BusinessIdentifierNumber: "12345678", BusinessIdentifierCountryCode: "GB"},
				RegistrationAddress: &api.RegistrationAddress{Line1: "1 High Street", City: "London", CountryCode: "GB"},
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		ts.importExcerpts(t)
		var wg sync.WaitGroup
		done := make([]int, 3)
		errs := make([]error, 3)
		for i := range 3 {
			svc := ts.instance(t).Service
			wg.Add(1)
			go func() {
				defer wg.Done()
				done[i], errs[i] = svc.RunRescreen(context.Background(), fmt.Sprintf("worker-%d", i))
			}()
		}
		wg.Wait()
		total := 0
		for i := range 3 {
			if errs[i] != nil {
				t.Errorf("worker %d: %v", i, errs[i])
			}
			total += done[i]
		}
		if total != customers/2 {
			t.Errorf("the workers did %v batches, %d in all; want %d, each once", done, total, customers/2)
		}
		jobs, err := ts.Service.RescreenJobs(context.Background(), 1)
		if err != nil || len(jobs) != 1 || jobs[0].DoneCustomers != customers || jobs[0].FinishedAt.IsZero() {
			t.Errorf("the job = %+v, %v; want %d customers done, finished", jobs, err, customers)
		}
	})
}

// TestMonitoringSupersededByNewerLists: a job left unfinished when newer
// snapshots come in force gives way to the job of those.
func TestMonitoringSupersededByNewerLists(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := freshServer(t, e, kyb.WithRescreenBatch(1))
		creds := ts.partner(t)
		for range 3 {
			customerID(t, ts.create(t, creds, with(t, "partner_customer_id", uniqueID(t))))
		}
		ts.importExcerpts(t)
		if worked, err := ts.Service.RescreenStep(context.Background(), "a"); err != nil || !worked {
			t.Fatalf("RescreenStep = %v, %v", worked, err)
		}
		// A new UN publication: the same entries, another file.
		un := storetest.ListExcerpt(t, "un")
		un.SHA256 = strings.Repeat("0", 64)
		if _, imported, err := ts.Service.ImportList(context.Background(), testActor, un); err != nil || !imported {
			t.Fatalf("ImportList = %v, %v", imported, err)
		}
		for i := 0; ; i++ {
			if _, err := ts.Service.RunRescreen(context.Background(), "a"); err != nil {
				t.Fatal(err)
			}
			jobs, err := ts.Service.RescreenJobs(context.Background(), 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(jobs) == 2 && !jobs[0].FinishedAt.IsZero() {
				if old := jobs[1]; old.SupersededAt.IsZero() || !old.FinishedAt.IsZero() || old.DoneBatches != 1 {
					t.Errorf("the older job = %+v, want superseded after its one batch", old)
				}
				if jobs[0].DoneCustomers != 3 {
					t.Errorf("the newer job = %+v, want all 3 customers", jobs[0])
				}
				break
			}
			if i == 100 {
				t.Fatalf("the newer job never finished: %+v", jobs)
			}
			time.Sleep(50 * time.Millisecond) // the index of the new snapshot is built aside
		}
	})
}
