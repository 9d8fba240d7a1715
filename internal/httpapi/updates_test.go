package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
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
