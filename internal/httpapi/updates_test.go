package httpapi_test

import (
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
		if resp := ts.admin(t, token, "POST", "/admin/customers/"+id+"/status", review("rejected", "no")); resp.StatusCode != http.StatusOK {
			t.Fatal(resp.Status)
		}
		if resp := ts.update(t, creds, id, `{"business_details":{"website":"https://late.example"}}`, ""); resp.StatusCode != http.StatusConflict || !strings.Contains(string(resp.Body), "customer_not_open") {
			t.Errorf("update of a rejected customer = %d %s, want 409", resp.StatusCode, resp.Body)
		}
	})
}
