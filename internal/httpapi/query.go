package httpapi

import (
	"slices"
	"strconv"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// parseCustomerQuery reads a list query from URL query parameters,
// reporting every bad or unknown parameter by name. The review queue's
// filters (partner_id, risk, has_hits, awaiting_partner, needs_review) are known only to operators: a
// partner learns nothing of screening, not even by filtering.
func parseCustomerQuery(params map[string][]string, operator bool) (kyb.CustomerQuery, error) {
	q := kyb.CustomerQuery{Limit: kyb.DefaultPageSize}
	var errs []api.FieldError
	add := func(field, code, message string) {
		errs = append(errs, api.FieldError{Field: field, Code: code, Message: message})
	}
	// boolean reads a true|false filter.
	boolean := func(name, v string) *bool {
		b := v == "true"
		if !b && v != "false" {
			add(name, api.CodeInvalidValue, "must be true or false")
		}
		return &b
	}
	for name, values := range params {
		v := values[0]
		if !operator && slices.Contains(operatorFilters, name) {
			add(name, api.CodeUnknownField, "is not a known query parameter")
			continue
		}
		if len(values) > 1 {
			add(name, api.CodeInvalidValue, "must be given once")
			continue
		}
		switch name {
		case "status":
			q.Status = kyb.Status(v)
			if !q.Status.Valid() {
				add(name, api.CodeInvalidValue, "must be pending, active, rejected or suspended")
			}
		case "partner_customer_id":
			q.PartnerCustomerID = v
		case "created_after", "created_before":
			t, dateErrs := kyb.ParseDateTime(name, v)
			errs = append(errs, dateErrs...)
			if v == "" {
				add(name, api.CodeInvalidFormat, "must be an RFC 3339 date-time such as 2023-11-07T05:31:56Z")
			}
			if name == "created_after" {
				q.CreatedAfter = t
			} else {
				q.CreatedBefore = t
			}
		case "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > kyb.MaxPageSize {
				add(name, api.CodeInvalidValue, "must be a whole number from 1 to "+strconv.Itoa(kyb.MaxPageSize))
			}
			q.Limit = n
		case "starting_after":
			if !kyb.IsID(v, kyb.PrefixCustomer) {
				add(name, api.CodeInvalidFormat, "must be a customer_id from a previous page's next_cursor")
			}
			q.StartingAfter = v
		case "partner_id":
			q.PartnerID = v
		case "risk":
			q.RiskLevel = v
			if !slices.Contains(kyb.RiskLevels, v) {
				add(name, api.CodeInvalidValue, "must be low, medium or high")
			}
		case "has_hits":
			q.HasHits = boolean(name, v)
		case "awaiting_partner":
			q.AwaitingPartner = boolean(name, v)
		case "needs_review":
			q.NeedsReview = *boolean(name, v)
		default:
			add(name, api.CodeUnknownField, "is not a known query parameter")
		}
	}
	if len(errs) > 0 {
		return kyb.CustomerQuery{}, kyb.Invalid(errs)
	}
	return q, nil
}

// operatorFilters are the list parameters only operators may give.
var operatorFilters = []string{"partner_id", "risk", "has_hits", "awaiting_partner", "needs_review"}

// singleParams reads query parameters that are each given at most once,
// reporting any given twice or not among known by name.
func singleParams(params map[string][]string, known ...string) (map[string]string, []api.FieldError) {
	out := map[string]string{}
	var errs []api.FieldError
	for name, values := range params {
		switch {
		case len(values) > 1:
			errs = append(errs, api.FieldError{Field: name, Code: api.CodeInvalidValue, Message: "must be given once"})
		case !slices.Contains(known, name):
			errs = append(errs, api.FieldError{Field: name, Code: api.CodeUnknownField, Message: "is not a known query parameter"})
		default:
			out[name] = values[0]
		}
	}
	return out, errs
}
