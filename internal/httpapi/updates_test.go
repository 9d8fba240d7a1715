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
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// openAPIPersonCustomer creates a customer with one person and returns its
// id.
func openAPIPersonCustomer(t *testing.T, ts *testServer, creds kyb.Credentials) string {
	t.Helper()
	resp := ts.request(t, "POST", "/api/customers/create", &creds, `{
		"partner_customer_id": "`+fmt.Sprintf("openapi-%d-%06d", time.Now().UnixNano(), openAPICustomers.Add(1))+`",
		"business_details": {"business_name": "Example Ltd", "business_identifier_number": "1", "business_identifier_country_code": "GB"},
		"registration_address": {"registration_address_line1": "1 Street", "registration_address_city": "London", "registration_address_country_code": "GB"},
		"business_person_list": [{"basic_info": {"first_name": "Jane", "last_name": "Doe"}, "identification": {"id_number": "123456789", "id_issuing_country_code": "GB"}}]
	}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create a customer = %d: %s", resp.StatusCode, resp.Body)
	}
	return resp.json(t)["customer_id"].(string)
}

// update sends a partner's update of a customer, with If-Match when
// ifMatch is not empty.
func (ts *testServer) update(t *testing.T, creds kyb.Credentials, id, body, ifMatch string) response {
	t.Helper()
	var headers []string
	if ifMatch != "" {
		headers = []string{"If-Match", ifMatch}
	}
	return ts.request(t, "POST", "/api/customers/"+id+"/update", &creds, body, headers...)
}

// newFullCustomer creates validBody's customer, its files uploaded, and
// returns its id.
func (ts *testServer) newFullCustomer(t *testing.T, creds kyb.Credentials) string {
	t.Helper()
	resp := ts.create(t, creds, with(t, "partner_customer_id", uniqueID(t)))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create = %d: %s", resp.StatusCode, resp.Body)
	}
	return resp.json(t)["customer_id"].(string)
}

// eventTypes lists the types of a customer's events, oldest first.
func (ts *testServer) eventTypes(t *testing.T, creds kyb.Credentials, id string) []string {
	t.Helper()
	resp := ts.request(t, "GET", "/api/customers/"+id+"/events", &creds, "")
	var page struct {
		Data []struct {
			Type string `json:"type"`
		} `json:"data"`
	}
	if err := json.Unmarshal(resp.Body, &page); err != nil {
		t.Fatalf("events: %v %s", err, resp.Body)
	}
	var out []string
	for _, e := range page.Data {
		out = append(out, e.Type)
	}
	return out
}

// fieldsOf returns the fields of an invalid_request answer.
func fieldsOf(t *testing.T, resp response) []string {
	t.Helper()
	var body api.ErrorResponse
	if err := json.Unmarshal(resp.Body, &body); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range body.Error.Details {
		out = append(out, d.Field+" "+d.Code)
	}
	slices.Sort(out)
	return out
}

func TestUpdateCustomerMergeSemantics(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		creds := ts.partner(t)
		tests := []struct {
			name  string
			patch string
			// check inspects the customer after a 200; fields are the
			// invalid fields of a 400, each with its code.
			check  func(t *testing.T, c map[string]any)
			fields []string
		}{
			{name: "replace", patch: `{"business_details":{"website":"https://www.example.org"}}`, check: func(t *testing.T, c map[string]any) {
				d := c["business_details"].(map[string]any)
				if d["website"] != "https://www.example.org" || d["business_name"] != "深圳市示例科技有限公司" {
					t.Errorf("business_details = %v, want the new website and the rest kept", d)
				}
			}},
			{name: "remove", patch: `{"registration_address":{"registration_address_state":null},"primary_contact":null}`, check: func(t *testing.T, c map[string]any) {
				if _, ok := c["registration_address"].(map[string]any)["registration_address_state"]; ok {
					t.Errorf("the state is still there")
				}
				if _, ok := c["primary_contact"]; ok {
					t.Errorf("primary_contact is still there")
				}
			}},
			{name: "array replace", patch: `{"business_person_list":[{"basic_info":{"first_name":"Ann","last_name":"Lee"}}]}`, check: func(t *testing.T, c map[string]any) {
				persons := c["business_person_list"].([]any)
				if len(persons) != 1 || mustJSON(t, persons[0]) != `{"basic_info":{"first_name":"Ann","last_name":"Lee"}}` {
					t.Errorf("business_person_list = %v, want the one new person alone", persons)
				}
			}},
			{name: "amount keeps its digits", patch: `{"account_usage":{"estimated_monthly_revenue_amount":100.50}}`, check: func(t *testing.T, c map[string]any) {}},
			{name: "unknown field", patch: `{"business_details":{"nickname":"x"},"extra":1}`, fields: []string{"business_details.nickname unknown_field", "extra unknown_field"}},
			{name: "invalid result with every path", patch: `{"business_details":{"business_name":null,"business_identifier_country_code":"ZZ"},"business_person_list":[{"basic_info":{"birth_date":"tomorrow"}}]}`,
				fields: []string{"business_details.business_identifier_country_code invalid_format", "business_details.business_name required", "business_person_list[0].basic_info.birth_date invalid_format",
					"business_person_list[0].basic_info.first_name required", "business_person_list[0].basic_info.last_name required"}},
			{name: "wrong type", patch: `{"registration_address":"London"}`, fields: []string{"registration_address invalid_type"}},
			{name: "partner_customer_id cannot change", patch: `{"partner_customer_id":"another-id-0000000000"}`, fields: []string{"partner_customer_id invalid_value"}},
			{name: "a key given twice", patch: `{"business_details":{"website":"https://a.example","website":"https://b.example"}}`, fields: []string{"business_details.website invalid_value"}},
			{name: "a file of another partner", patch: `{"business_details":{"business_identifier_document_list":["file_0123456789abcdef0123456789abcdef"]}}`,
				fields: []string{"business_details.business_identifier_document_list[0] file_not_found"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				id := ts.newFullCustomer(t, creds)
				before := ts.request(t, "GET", "/api/customers/"+id, &creds, "")
				resp := ts.update(t, creds, id, tt.patch, "")
				if tt.check != nil {
					if resp.StatusCode != http.StatusOK {
						t.Fatalf("update = %d %s, want 200", resp.StatusCode, resp.Body)
					}
					c := resp.json(t)
					if c["version"] != float64(2) || resp.Header.Get("ETag") != `"2"` {
						t.Errorf("version %v, ETag %s; want 2", c["version"], resp.Header.Get("ETag"))
					}
					tt.check(t, c)
					if read := ts.request(t, "GET", "/api/customers/"+id, &creds, ""); string(read.Body) != string(resp.Body) {
						t.Errorf("read back %s, want the update's answer %s", read.Body, resp.Body)
					}
					return
				}
				if resp.StatusCode != http.StatusBadRequest {
					t.Fatalf("update = %d %s, want 400", resp.StatusCode, resp.Body)
				}
				if got := fieldsOf(t, resp); !slices.Equal(got, tt.fields) {
					t.Errorf("invalid fields = %q, want %q", got, tt.fields)
				}
				// Nothing was saved.
				if after := ts.request(t, "GET", "/api/customers/"+id, &creds, ""); string(after.Body) != string(before.Body) {
					t.Errorf("after a refused update the customer is %s, want %s", after.Body, before.Body)
				}
				if got := ts.eventTypes(t, creds, id); !slices.Equal(got, []string{api.EventCustomerCreated}) {
					t.Errorf("events = %q, want the create's alone", got)
				}
			})
		}
		t.Run("not a JSON object", func(t *testing.T) {
			id := ts.newFullCustomer(t, creds)
			for _, body := range []string{`[1]`, `{"a":`, `null`} {
				if resp := ts.update(t, creds, id, body, ""); resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(resp.Body), "invalid_json") {
					t.Errorf("update with %s = %d %s, want 400 invalid_json", body, resp.StatusCode, resp.Body)
				}
			}
		})
	})
}

func TestUpdateCustomerVersions(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		creds := ts.partner(t)
		token := ts.operator(t)
		id := ts.newCustomer(t, creds)
		if resp := ts.request(t, "GET", "/api/customers/"+id, &creds, ""); resp.Header.Get("ETag") != `"1"` || resp.json(t)["version"] != float64(1) {
			t.Fatalf("a new customer: ETag %s, body %s; want version 1", resp.Header.Get("ETag"), resp.Body)
		}
		website := `{"business_details":{"website":"https://www.example.org"}}`
		if resp := ts.update(t, creds, id, website, `"1"`); resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") != `"2"` || resp.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("update of version 1 = %d %s %s", resp.StatusCode, resp.Header.Get("ETag"), resp.Body)
		}
		// The same body on the same version again: the same answer, no new
		// version; with no If-Match too.
		for _, ifMatch := range []string{`"1"`, `W/"1"`, ""} {
			resp := ts.update(t, creds, id, " "+website+"\n", ifMatch)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") != `"2"` || resp.Header.Get("Idempotent-Replayed") != "true" {
				t.Errorf("replay with If-Match %s = %d, ETag %s, replayed %q: %s", ifMatch, resp.StatusCode, resp.Header.Get("ETag"), resp.Header.Get("Idempotent-Replayed"), resp.Body)
			}
		}
		// Another body on a stale version is refused.
		if resp := ts.update(t, creds, id, `{"business_details":{"website":"https://other.example"}}`, `"1"`); resp.StatusCode != http.StatusPreconditionFailed || !strings.Contains(string(resp.Body), "version_mismatch") {
			t.Errorf("update of a stale version = %d %s, want 412", resp.StatusCode, resp.Body)
		}
		if resp := ts.update(t, creds, id, website, `"x"`); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("a malformed If-Match = %d, want 400", resp.StatusCode)
		}

		// Two updates of one version at once: one wins, one gets 412.
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = ts.update(t, creds, id, fmt.Sprintf(`{"business_details":{"website":"https://racer%d.example"}}`, i), `"2"`).StatusCode
			}()
		}
		wg.Wait()
		slices.Sort(statuses)
		if !slices.Equal(statuses, []int{http.StatusOK, http.StatusPreconditionFailed}) {
			t.Errorf("two updates of version 2 = %v, want one 200 and one 412", statuses)
		}
		if got := ts.eventTypes(t, creds, id); !slices.Equal(got, []string{api.EventCustomerCreated, api.EventCustomerUpdated, api.EventCustomerUpdated}) {
			t.Errorf("events = %q, want created and two updates", got)
		}

		// The operator sees every version and what each changed.
		resp := ts.admin(t, token, "GET", "/admin/customers/"+id+"/versions", "")
		var list struct {
			Data []struct {
				Version int      `json:"version"`
				Changed []string `json:"changed"`
			} `json:"data"`
		}
		json.Unmarshal(resp.Body, &list)
		if len(list.Data) != 3 || list.Data[0].Version != 1 || len(list.Data[0].Changed) != 0 || !slices.Equal(list.Data[1].Changed, []string{"business_details.website"}) {
			t.Errorf("versions = %s", resp.Body)
		}
		if strings.Contains(string(resp.Body), "example.org") {
			t.Errorf("the version list shows values: %s", resp.Body)
		}
		v1 := ts.admin(t, token, "GET", "/admin/customers/"+id+"/versions/1?compare_to=3", "")
		if v1.StatusCode != http.StatusOK || strings.Contains(string(v1.Body), "website") && !strings.Contains(string(v1.Body), `"changed":["business_details.website"]`) {
			t.Errorf("version 1 compared to 3 = %d %s", v1.StatusCode, v1.Body)
		}
		if !strings.Contains(string(v1.Body), `"profile":{"partner_customer_id"`) || strings.Contains(string(v1.Body), `"website"`) {
			t.Errorf("version 1's profile = %s, want the create's, without a website", v1.Body)
		}
		for _, path := range []string{"/versions/4", "/versions/0", "/versions/x"} {
			if resp := ts.admin(t, token, "GET", "/admin/customers/"+id+path, ""); resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusBadRequest {
				t.Errorf("GET %s = %d, want 404 or 400", path, resp.StatusCode)
			}
		}

		// The audit trail names the changed paths, never the values; the
		// read of a version is recorded.
		audit := string(ts.admin(t, token, "GET", "/admin/customers/"+id+"/audit", "").Body)
		if !strings.Contains(audit, `"action":"customer.updated"`) || !strings.Contains(audit, "business_details.website") || strings.Contains(audit, "example.org") {
			t.Errorf("audit = %s, want the update with its path and without its value", audit)
		}
		if !strings.Contains(audit, `"action":"customer.viewed"`) {
			t.Errorf("audit = %s, want the read of version 1", audit)
		}

		// A rejected customer is not updated.
		asked := ts.admin(t, token, "POST", "/admin/customers/"+id+"/requirements", `{"items":[{"kind":"question","message":"Which marketplaces?"}]}`)
		question := requirementsOf(t, asked.Body)[0].ID
		if resp := ts.admin(t, token, "POST", "/admin/customers/"+id+"/status", review("rejected", "no")); resp.StatusCode != http.StatusOK {
			t.Fatal(resp.Status)
		}
		if resp := ts.update(t, creds, id, `{"business_details":{"website":"https://late.example"}}`, ""); resp.StatusCode != http.StatusConflict || !strings.Contains(string(resp.Body), "customer_not_open") {
			t.Errorf("update of a rejected customer = %d %s, want 409", resp.StatusCode, resp.Body)
		}
		// Its open requirements wait, unshown and unanswerable.
		if resp := ts.request(t, "GET", "/api/customers/"+id, &creds, ""); strings.Contains(string(resp.Body), `"requirements"`) {
			t.Errorf("a rejected customer shows its requirements: %s", resp.Body)
		}
		if resp := ts.request(t, "POST", "/api/customers/"+id+"/requirements/"+question+"/answer", &creds, `{"text":"late"}`); resp.StatusCode != http.StatusConflict {
			t.Errorf("answering for a rejected customer = %d %s, want 409", resp.StatusCode, resp.Body)
		}
	})
}

// requirementsOf returns the requirements of a customer object.
func requirementsOf(t *testing.T, body []byte) []api.Requirement {
	t.Helper()
	var c api.Customer
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	return c.Requirements
}

func TestRequirementsRaisedAndResolved(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		creds := ts.partner(t)
		token := ts.operator(t)
		id := ts.newFullCustomer(t, creds)
		due := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
		ask := `{"items":[
			{"kind":"field","field":"business_person_list[0].identification.id_number","message":"The ID number has a typo"},
			{"kind":"document","file_type":"Main page","field":"business_person_list[0].identification.id_document_front_file_id","message":"The front of the ID is blurred","due_at":"` + due + `"},
			{"kind":"question","message":"Which marketplaces do you sell on?"},
			{"kind":"question","message":"Anything else?"}]}`
		resp := ts.admin(t, token, "POST", "/admin/customers/"+id+"/requirements", ask)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(resp.Body), `"awaiting_partner":true`) {
			t.Fatalf("request information = %d %s", resp.StatusCode, resp.Body)
		}
		// The partner sees them on the customer and in the list, stays
		// pending, and hears of it.
		read := ts.request(t, "GET", "/api/customers/"+id, &creds, "")
		reqs := requirementsOf(t, read.Body)
		if len(reqs) != 4 || reqs[0].Kind != "field" || reqs[1].FileType != "Main page" || reqs[1].DueAt.Format(time.RFC3339) != due || !strings.HasPrefix(reqs[2].ID, "req_") {
			t.Fatalf("requirements = %+v", reqs)
		}
		if read.json(t)["status"] != "pending" || read.Header.Get("ETag") != `"1"` {
			t.Errorf("asking changed the status or the version: %s", read.Body)
		}
		if list := ts.request(t, "GET", "/api/customers", &creds, ""); !strings.Contains(string(list.Body), reqs[2].ID) {
			t.Errorf("the list lacks the requirements: %s", list.Body)
		}
		queue := string(ts.admin(t, token, "GET", "/admin/customers?status=pending&awaiting_partner=false&partner_id="+creds.PartnerID, "").Body)
		waiting := string(ts.admin(t, token, "GET", "/admin/customers?awaiting_partner=true&partner_id="+creds.PartnerID, "").Body)
		if strings.Contains(queue, id) || !strings.Contains(waiting, id) {
			t.Errorf("the reviewers' queue has the customer waiting for its partner: queue %s, waiting %s", queue, waiting)
		}

		// The field item goes with an update of its field, the document item
		// with a new file of its type there.
		front := ts.upload(t, creds, kyb.FileMainPage, "front.png", samplePNG, true).json(t)["file_id"].(string)
		resp = ts.update(t, creds, id, `{"business_person_list":[`+mustJSON(t, personWith(t, ts, creds, id, "E12345679", front))+`]}`, `"1"`)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("update = %d %s", resp.StatusCode, resp.Body)
		}
		if left := requirementsOf(t, resp.Body); len(left) != 2 || left[0].ID != reqs[2].ID {
			t.Errorf("after the update the requirements are %+v, want the questions alone", left)
		}
		// The question is answered; the other resolved by an operator.
		answer := ts.request(t, "POST", "/api/customers/"+id+"/requirements/"+reqs[2].ID+"/answer", &creds, `{"text":"Amazon and eBay"}`)
		if answer.StatusCode != http.StatusOK || len(requirementsOf(t, answer.Body)) != 1 {
			t.Errorf("answer = %d %s", answer.StatusCode, answer.Body)
		}
		if again := ts.request(t, "POST", "/api/customers/"+id+"/requirements/"+reqs[2].ID+"/answer", &creds, `{"text":"again"}`); again.StatusCode != http.StatusConflict {
			t.Errorf("answering again = %d %s, want 409", again.StatusCode, again.Body)
		}
		resolved := ts.admin(t, token, "POST", "/admin/customers/"+id+"/requirements/"+reqs[3].ID+"/resolve", `{"reason":"asked by phone"}`)
		if resolved.StatusCode != http.StatusOK || !strings.Contains(string(resolved.Body), `"awaiting_partner":false`) || strings.Contains(string(resolved.Body), `"requirements"`) {
			t.Errorf("resolve = %d %s, want no requirements left", resolved.StatusCode, resolved.Body)
		}
		if queue := string(ts.admin(t, token, "GET", "/admin/customers?status=pending&awaiting_partner=false&partner_id="+creds.PartnerID, "").Body); !strings.Contains(queue, id) {
			t.Errorf("the customer is not back in the reviewers' queue: %s", queue)
		}
		// The operator sees how each was resolved, and the answer.
		detail := string(ts.admin(t, token, "GET", "/admin/customers/"+id, "").Body)
		for _, want := range []string{`"resolution":"updated"`, `"resolution":"file_added"`, `"resolution":"answered"`, `"answer":"Amazon and eBay"`, `"resolution":"operator"`} {
			if !strings.Contains(detail, want) {
				t.Errorf("the operator's view lacks %s: %s", want, detail)
			}
		}
		// One event for the request, the update with its resolutions, the
		// answer and the operator's resolution.
		want := []string{api.EventCustomerCreated, api.EventCustomerRequirementsUpdated, api.EventCustomerUpdated, api.EventCustomerRequirementsUpdated,
			api.EventCustomerRequirementsUpdated, api.EventCustomerRequirementsUpdated}
		if got := ts.eventTypes(t, creds, id); !slices.Equal(got, want) {
			t.Errorf("events = %q, want %q", got, want)
		}
		// The audit trail names kinds and paths, never the messages or the
		// answer.
		audit := string(ts.admin(t, token, "GET", "/admin/customers/"+id+"/audit", "").Body)
		for _, secret := range []string{"typo", "blurred", "Amazon", "E12345679"} {
			if strings.Contains(audit, secret) {
				t.Errorf("the audit trail quotes %q: %s", secret, audit)
			}
		}
		if !strings.Contains(audit, "customer.requirement_requested") || !strings.Contains(audit, "customer.requirement_answered") {
			t.Errorf("audit = %s", audit)
		}
	})
}

// personWith returns the customer's first person with another ID number
// and front file.
func personWith(t *testing.T, ts *testServer, creds kyb.Credentials, id, idNumber, front string) api.BusinessPerson {
	t.Helper()
	var c api.Customer
	json.Unmarshal(ts.request(t, "GET", "/api/customers/"+id, &creds, "").Body, &c)
	p := c.BusinessPersonList[0]
	ident := *p.Identification
	ident.IDNumber, ident.DocumentFrontFileID = idNumber, front
	p.Identification = &ident
	return p
}

func TestRequestInformationIsChecked(t *testing.T) {
	ts := newTestServer(t, storetest.Engines()[0])
	creds := ts.partner(t)
	token := ts.operator(t)
	id := ts.newFullCustomer(t, creds)
	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	for _, tc := range []struct {
		name, body string
		fields     []string
	}{
		{"no items", `{"items":[]}`, []string{"items required"}},
		{"unknown kind", `{"items":[{"kind":"wish","message":"x"}]}`, []string{"items[0].kind invalid_value"}},
		{"field item without a field", `{"items":[{"kind":"field","message":"x"}]}`, []string{"items[0].field required"}},
		{"no such field", `{"items":[{"kind":"field","field":"business_details.nickname","message":"x"}]}`, []string{"items[0].field invalid_value"}},
		{"no such person", `{"items":[{"kind":"field","field":"business_person_list[3].basic_info","message":"x"}]}`, []string{"items[0].field invalid_value"}},
		{"a leaf with children", `{"items":[{"kind":"field","field":"business_details.website.host","message":"x"}]}`, []string{"items[0].field invalid_value"}},
		{"a document in a text field", `{"items":[{"kind":"document","file_type":"Main page","field":"business_details.website","message":"x"}]}`, []string{"items[0].field invalid_value"}},
		{"unknown file type", `{"items":[{"kind":"document","file_type":"Selfie","message":"x"}]}`, []string{"items[0].file_type invalid_value"}},
		{"due in the past", `{"items":[{"kind":"question","message":"x","due_at":"` + past + `"}]}`, []string{"items[0].due_at invalid_value"}},
		{"no message", `{"items":[{"kind":"question"}]}`, []string{"items[0].message required"}},
	} {
		resp := ts.admin(t, token, "POST", "/admin/customers/"+id+"/requirements", tc.body)
		if got := fieldsOf(t, resp); resp.StatusCode != http.StatusBadRequest || !slices.Equal(got, tc.fields) {
			t.Errorf("%s: %d %q, want 400 %q", tc.name, resp.StatusCode, got, tc.fields)
		}
	}
	ok := `{"items":[{"kind":"field","field":"business_details.business_identifier_document_list[0]","message":"x"},{"kind":"field","field":"business_person_list","message":"add the director"}]}`
	if resp := ts.admin(t, token, "POST", "/admin/customers/"+id+"/requirements", ok); resp.StatusCode != http.StatusOK {
		t.Errorf("valid paths = %d %s", resp.StatusCode, resp.Body)
	}
	if resp := ts.admin(t, token, "POST", "/admin/customers/cus_00000000000000000000000000000000/requirements", ok); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown customer = %d, want 404", resp.StatusCode)
	}
}

// TestReReviewOnRiskyChange: an update of an active customer that raises a
// new hit or risk flag sends it back to review; others keep it active.
// Partners never learn of screening.
func TestReReviewOnRiskyChange(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		ts.importExcerpts(t)
		creds := ts.partner(t)
		token := ts.operator(t)
		id := ts.newFullCustomer(t, creds)
		if resp := ts.admin(t, token, "POST", "/admin/customers/"+id+"/status", review("active", "ok")); resp.StatusCode != http.StatusOK {
			t.Fatal(resp.Status)
		}
		// Not risky: the website, the contact.
		resp := ts.update(t, creds, id, `{"business_details":{"website":"https://www.example.org"},"primary_contact":{"contact_email":"ops@example.com"}}`, "")
		if resp.StatusCode != http.StatusOK || resp.json(t)["status"] != "active" {
			t.Fatalf("a harmless update = %d %s, want active", resp.StatusCode, resp.Body)
		}
		// Risky, but raising nothing new: still active.
		resp = ts.update(t, creds, id, `{"business_details":{"business_name_english":"Shenzhen Example Tech Co., Ltd."}}`, "")
		if resp.StatusCode != http.StatusOK || resp.json(t)["status"] != "active" {
			t.Fatalf("a clean rename = %d %s, want active", resp.StatusCode, resp.Body)
		}
		// A person renamed to a listed one: back to review.
		resp = ts.update(t, creds, id, `{"business_person_list":[{"basic_info":{"first_name_english":"Manuel Antonio","last_name_english":"Noriega","first_name":"M","last_name":"N"}}]}`, "")
		c := resp.json(t)
		if resp.StatusCode != http.StatusOK || c["status"] != "pending" || c["status_reason"] != "the update changed details that need review again" {
			t.Fatalf("a rename to a listed person = %d %s, want pending with a reason", resp.StatusCode, resp.Body)
		}
		want := []string{api.EventCustomerCreated, api.EventCustomerActive, api.EventCustomerUpdated, api.EventCustomerUpdated, api.EventCustomerUpdated, api.EventCustomerPending}
		if got := ts.eventTypes(t, creds, id); !slices.Equal(got, want) {
			t.Errorf("events = %q, want %q", got, want)
		}
		admin := string(ts.admin(t, token, "GET", "/admin/customers/"+id, "").Body)
		if !strings.Contains(admin, `"entry_id":"1572"`) || !strings.Contains(admin, `"action":"customer.rescreened"`) {
			t.Errorf("the operator's view lacks the new hit or the re-screening: %s", admin)
		}
		// Tipping-off: nothing a partner reads tells of screening.
		answers := []string{string(resp.Body)}
		for _, path := range []string{"/api/customers/" + id, "/api/customers", "/api/customers/" + id + "/events"} {
			answers = append(answers, string(ts.request(t, "GET", path, &creds, "").Body))
		}
		for _, a := range answers {
			if strings.Contains(a, "screening") || strings.Contains(a, "1572") || strings.Contains(a, "ofac") || strings.Contains(a, `"risk"`) {
				t.Errorf("a partner's answer tells of screening: %s", a)
			}
		}
		// With a hit it needs two operators to be active again.
		if resp := ts.admin(t, token, "POST", "/admin/customers/"+id+"/status", review("active", "false positive")); resp.StatusCode != http.StatusAccepted {
			t.Errorf("approve again = %d %s, want 202 awaiting a second approval", resp.StatusCode, resp.Body)
		}
		if resp := ts.admin(t, ts.operator(t), "POST", "/admin/customers/"+id+"/status", review("active", "false positive, checked")); resp.StatusCode != http.StatusOK || resp.json(t)["status"] != "active" {
			t.Errorf("the second approval = %d %s, want active", resp.StatusCode, resp.Body)
		}
	})
}

// TestUpdatesIsolation: another partner's customer is 404 on every new
// route, like one that does not exist.
func TestUpdatesIsolation(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		owner, other := ts.partner(t), ts.partner(t)
		token := ts.operator(t)
		id := ts.newFullCustomer(t, owner)
		resp := ts.admin(t, token, "POST", "/admin/customers/"+id+"/requirements", `{"items":[{"kind":"question","message":"Which marketplaces?"}]}`)
		reqID := requirementsOf(t, resp.Body)[0].ID
		for _, tc := range []struct{ path, body string }{
			{"/api/customers/" + id + "/update", `{"business_details":{"website":"https://evil.example"}}`},
			{"/api/customers/" + id + "/requirements/" + reqID + "/answer", `{"text":"x"}`},
			{"/api/customers/cus_00000000000000000000000000000000/update", `{}`},
			{"/api/customers/" + id + "/requirements/req_00000000000000000000000000000000/answer", `{"text":"x"}`},
		} {
			creds := other
			if strings.Contains(tc.path, "req_0000") {
				creds = owner
			}
			if resp := ts.request(t, "POST", tc.path, &creds, tc.body); resp.StatusCode != http.StatusNotFound {
				t.Errorf("POST %s = %d %s, want 404", tc.path, resp.StatusCode, resp.Body)
			}
		}
		for _, path := range []string{"/versions", "/versions/1", "/requirements/req_00000000000000000000000000000000/resolve"} {
			method, body := "GET", ""
			if strings.HasSuffix(path, "resolve") {
				method, body = "POST", `{"reason":"x"}`
			}
			if resp := ts.admin(t, token, method, "/admin/customers/cus_00000000000000000000000000000000"+path, body); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s of an unknown customer = %d, want 404", method, path, resp.StatusCode)
			}
		}
		// Erased, it is still another partner's: 404, not customer_erased.
		erased := ts.newFullCustomer(t, owner)
		erasedReq := requirementsOf(t, ts.admin(t, token, "POST", "/admin/customers/"+erased+"/requirements", `{"items":[{"kind":"question","message":"Which marketplaces?"}]}`).Body)[0].ID
		if resp := ts.admin(t, ts.adminOperator(t), "POST", "/admin/customers/"+erased+"/erase", `{"reason":"the customer asked"}`); resp.StatusCode != http.StatusOK {
			t.Fatalf("erase = %d %s", resp.StatusCode, resp.Body)
		}
		for who, want := range map[*kyb.Credentials]int{&other: http.StatusNotFound, &owner: http.StatusConflict} {
			for _, path := range []string{"/api/customers/" + erased + "/requirements/" + erasedReq + "/answer", "/api/customers/" + erased + "/update"} {
				body := `{"text":"x"}`
				if strings.HasSuffix(path, "update") {
					body = `{"business_details":{"website":"https://evil.example"}}`
				}
				if resp := ts.request(t, "POST", path, who, body); resp.StatusCode != want {
					t.Errorf("POST %s of an erased customer by partner %s = %d %s, want %d", path, who.PartnerID, resp.StatusCode, resp.Body, want)
				}
			}
		}
		if got := ts.request(t, "GET", "/api/customers/"+id, &owner, ""); !strings.Contains(string(got.Body), reqID) || got.Header.Get("ETag") != `"1"` {
			t.Errorf("the owner's customer changed: %s", got.Body)
		}
	})
}

// TestErasureDestroysVersionsAndRequirements: the versions' profiles and
// the requirements' texts go with the customer's data key.
func TestErasureDestroysVersionsAndRequirements(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		creds := ts.partner(t)
		token, admin := ts.operator(t), ts.adminOperator(t)
		id := ts.newFullCustomer(t, creds)
		ts.admin(t, token, "POST", "/admin/customers/"+id+"/requirements", `{"items":[{"kind":"question","message":"Where is Zhang Wei now?"}]}`)
		var before api.Customer
		json.Unmarshal(ts.request(t, "GET", "/api/customers/"+id, &creds, "").Body, &before)
		oldFront := before.BusinessPersonList[0].Identification
		if resp := ts.request(t, "GET", "/api/files/"+oldFront.DocumentFrontFileID, &creds, ""); resp.StatusCode != http.StatusOK {
			t.Fatalf("the front before erasure = %d", resp.StatusCode)
		}
		front := ts.upload(t, creds, kyb.FileMainPage, "front.png", samplePNG, true).json(t)["file_id"].(string)
		patch := `{"business_details":{"business_name":"Secret Name Ltd"},"business_person_list":[` + mustJSON(t, personWith(t, ts, creds, id, "E12345678", front)) + `]}`
		if resp := ts.update(t, creds, id, patch, ""); resp.StatusCode != http.StatusOK {
			t.Fatal(resp.Status, string(resp.Body))
		}
		ts.admin(t, token, "POST", "/admin/customers/"+id+"/status", review("rejected", "no"))
		if resp := ts.admin(t, admin, "POST", "/admin/customers/"+id+"/erase", `{"reason":"erasure request"}`); resp.StatusCode != http.StatusOK {
			t.Fatalf("erase = %d %s", resp.StatusCode, resp.Body)
		}
		// The documents of every version are deleted: the replaced front
		// too.
		if resp := ts.request(t, "GET", "/api/files/"+oldFront.DocumentFrontFileID, &creds, ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("the front the update replaced = %d after erasure, want 404", resp.StatusCode)
		}
		for _, path := range []string{"/versions/1", "/versions/2", ""} {
			body := string(ts.admin(t, token, "GET", "/admin/customers/"+id+path, "").Body)
			for _, secret := range []string{"Secret Name", "深圳", "Zhang Wei"} {
				if strings.Contains(body, secret) {
					t.Errorf("GET %s after erasure shows %q: %s", path, secret, body)
				}
			}
		}
	})
}

// updateBeforeErase is a store that runs update once, just before the
// first erasure it is asked for: an update that lands between the
// service gathering a customer's files and erasing it.
type updateBeforeErase struct {
	kyb.Store
	once   sync.Once
	update func()
}

func (s *updateBeforeErase) EraseCustomer(ctx context.Context, audit kyb.AuditEvent, version int, fileIDs []string) (kyb.Customer, error) {
	s.once.Do(s.update)
	return s.Store.EraseCustomer(ctx, audit, version, fileIDs)
}

// TestErasureAfterAConcurrentUpdate: a document an update names while the
// customer is being erased is erased too; the erasure of the version
// before the update does not happen.
func TestErasureAfterAConcurrentUpdate(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		store := &updateBeforeErase{Store: e.Open(t)}
		ts := startTestServer(t, store, testFileCipher(t), nil)
		creds := ts.partner(t)
		admin := ts.adminOperator(t)
		id := ts.newFullCustomer(t, creds)
		var front string
		store.update = func() {
			front = ts.upload(t, creds, kyb.FileMainPage, "front.png", samplePNG, true).json(t)["file_id"].(string)
			patch := `{"business_person_list":[` + mustJSON(t, personWith(t, ts, creds, id, "E12345678", front)) + `]}`
			if resp := ts.update(t, creds, id, patch, ""); resp.StatusCode != http.StatusOK {
				t.Errorf("the update = %d %s", resp.StatusCode, resp.Body)
			}
		}
		if resp := ts.admin(t, admin, "POST", "/admin/customers/"+id+"/erase", `{"reason":"erasure request"}`); resp.StatusCode != http.StatusOK {
			t.Fatalf("erase = %d %s", resp.StatusCode, resp.Body)
		}
		if front == "" {
			t.Fatal("the update did not run")
		}
		if resp := ts.request(t, "GET", "/api/files/"+front, &creds, ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("the front the concurrent update named = %d after erasure, want 404", resp.StatusCode)
		}
	})
}

// TestHitOnUpdateMarksForReview: an update of an active customer that
// raises a new screening hit and no new risk flag keeps it active and
// marks it for review, as monitoring does; the partner's answers and
// events are those of any harmless update (tipping-off).
func TestHitOnUpdateMarksForReview(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		ts.importExcerpts(t)
		creds := ts.partner(t)
		token := ts.operator(t)
		id := ts.newFullCustomer(t, creds)
		if resp := ts.admin(t, token, "POST", "/admin/customers/"+id+"/status", review("active", "ok")); resp.StatusCode != http.StatusOK {
			t.Fatal(resp.Status)
		}
		// The same person, renamed to a listed one, everything else kept.
		var cur struct {
			People []map[string]any `json:"business_person_list"`
		}
		if err := json.Unmarshal(ts.request(t, "GET", "/api/customers/"+id, &creds, "").Body, &cur); err != nil || len(cur.People) != 1 {
			t.Fatalf("read the customer: %v", err)
		}
		info := cur.People[0]["basic_info"].(map[string]any)
		info["first_name_english"], info["last_name_english"] = "Manuel Antonio", "Noriega"
		patch, _ := json.Marshal(map[string]any{"business_person_list": cur.People})
		resp := ts.update(t, creds, id, string(patch), "")
		if resp.StatusCode != http.StatusOK || resp.json(t)["status"] != "active" || strings.Contains(string(resp.Body), "review") {
			t.Fatalf("a rename to a listed person = %d %s, want active with nothing of review", resp.StatusCode, resp.Body)
		}
		want := []string{api.EventCustomerCreated, api.EventCustomerActive, api.EventCustomerUpdated}
		if got := ts.eventTypes(t, creds, id); !slices.Equal(got, want) {
			t.Errorf("events = %q, want %q", got, want)
		}
		admin := ts.admin(t, token, "GET", "/admin/customers/"+id, "").json(t)
		if admin["needs_review"] != true || !strings.Contains(fmt.Sprint(admin["review_reason"]), "new possible match") {
			t.Errorf("the operator's view: needs_review %v, review_reason %v; want marked", admin["needs_review"], admin["review_reason"])
		}
		page := string(ts.admin(t, token, "GET", "/admin/customers?needs_review=true&partner_id="+creds.PartnerID, "").Body)
		if !strings.Contains(page, id) {
			t.Errorf("the queue of marked customers lacks the customer: %s", page)
		}
	})
}
