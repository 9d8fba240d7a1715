package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// customerJSON is a customer as the API returns it: the profile the partner
// sent, normalised, plus what the service assigned.
type customerJSON struct {
	kyb.Profile
	CustomerID      string     `json:"customer_id"`
	Status          kyb.Status `json:"status"`
	CreatedAt       string     `json:"created_at"`
	StatusReason    string     `json:"status_reason,omitempty"`
	StatusUpdatedAt string     `json:"status_updated_at,omitempty"`
}

func newCustomerJSON(c kyb.Customer) customerJSON {
	out := customerJSON{
		Profile:      c.Profile,
		CustomerID:   c.ID,
		Status:       c.Status,
		CreatedAt:    kyb.FormatTime(c.CreatedAt),
		StatusReason: c.StatusReason,
	}
	if !c.StatusUpdatedAt.IsZero() {
		out.StatusUpdatedAt = kyb.FormatTime(c.StatusUpdatedAt)
	}
	return out
}

func (s *Server) createCustomer(w http.ResponseWriter, r *http.Request) error {
	body, err := readJSONBody(w, r)
	if err != nil {
		return err
	}
	var p kyb.Profile
	decodeErrs, err := decodeJSON(body, &p)
	if err != nil {
		return err
	}
	if len(decodeErrs) > 0 {
		return withDecodeErrors(decodeErrs, p.Validate(s.service.Now()))
	}
	c, created, err := s.service.CreateCustomer(r.Context(), partnerID(r.Context()), p)
	if err != nil {
		return err
	}
	infoFrom(r.Context()).customerID = c.ID
	if !created {
		// As with Stripe's idempotency keys: this is the stored result.
		w.Header().Set("Idempotent-Replayed", "true")
	}
	return writeJSON(w, http.StatusOK, newCustomerJSON(c))
}

func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request) error {
	c, err := s.service.Store.Customer(r.Context(), partnerID(r.Context()), r.PathValue("customer_id"))
	if err != nil {
		return err
	}
	infoFrom(r.Context()).customerID = c.ID
	return writeJSON(w, http.StatusOK, newCustomerJSON(c))
}

// withDecodeErrors reports the fields that failed to decode together with
// the validation errors of the fields that did, so a partner sees every
// problem at once. A field that failed to decode is reported once, for
// that, and nothing is said of what lies inside it.
func withDecodeErrors(decodeErrs []kyb.FieldError, validation error) error {
	all := decodeErrs
	var ke *kyb.Error
	if errors.As(validation, &ke) {
		for _, fe := range ke.Fields {
			if !within(fe.Field, decodeErrs) {
				all = append(all, fe)
			}
		}
	}
	return kyb.Invalid(all)
}

// within reports whether field is one of errs' fields or lies inside one.
func within(field string, errs []kyb.FieldError) bool {
	for _, fe := range errs {
		if rest, ok := strings.CutPrefix(field, fe.Field); ok && (rest == "" || rest[0] == '.' || rest[0] == '[') {
			return true
		}
	}
	return false
}
