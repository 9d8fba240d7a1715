package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// newCustomerJSON renders a customer for its partner.
func newCustomerJSON(c kyb.Customer) api.Customer { return c.View() }

func (s *Server) createCustomer(w http.ResponseWriter, r *http.Request) error {
	var p api.Profile
	if err := readJSON(w, r, &p, func() error { return kyb.ValidateProfile(&p, s.service.Now()) }); err != nil {
		return err
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
	c, err := s.service.Customer(r.Context(), partnerID(r.Context()), r.PathValue("customer_id"))
	if err != nil {
		return err
	}
	infoFrom(r.Context()).customerID = c.ID
	return writeJSON(w, http.StatusOK, newCustomerJSON(c))
}

func newListJSON[T any](page kyb.CustomerPage, render func(kyb.Customer) T) api.List[T] {
	out := api.List[T]{Data: make([]T, 0, len(page.Customers)), HasMore: page.HasMore}
	for _, c := range page.Customers {
		out.Data = append(out.Data, render(c))
	}
	if page.HasMore {
		out.NextCursor = page.Customers[len(page.Customers)-1].ID
	}
	return out
}

// listCustomers lists the partner's customers, newest first.
func (s *Server) listCustomers(w http.ResponseWriter, r *http.Request) error {
	q, err := parseCustomerQuery(r.URL.Query(), false)
	if err != nil {
		return err
	}
	q.PartnerID = partnerID(r.Context())
	page, err := s.service.ListCustomers(r.Context(), q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newListJSON(page, newCustomerJSON))
}

// readJSON reads a JSON request body strictly into dst. When fields fail
// to decode, validate (if not nil) runs on what did decode, so that the
// partner hears of every problem at once.
func readJSON(w http.ResponseWriter, r *http.Request, dst any, validate func() error) error {
	body, err := readJSONBody(w, r)
	if err != nil {
		return err
	}
	decodeErrs, err := decodeJSON(body, dst)
	if err != nil {
		return err
	}
	if len(decodeErrs) > 0 {
		var validation error
		if validate != nil {
			validation = validate()
		}
		return withDecodeErrors(decodeErrs, validation)
	}
	return nil
}

// withDecodeErrors reports the fields that failed to decode together with
// the validation errors of the fields that did, so a partner sees every
// problem at once. A field that failed to decode is reported once, for
// that, and nothing is said of what lies inside it.
func withDecodeErrors(decodeErrs []api.FieldError, validation error) error {
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
// A list with too many items is the exception: the decoder kept its first
// items, and what is wrong with them is worth saying too.
func within(field string, errs []api.FieldError) bool {
	for _, fe := range errs {
		if fe.Code != api.CodeTooMany && inside(field, fe.Field) {
			return true
		}
	}
	return false
}

// inside reports whether the JSON path field is path or lies inside it.
func inside(field, path string) bool {
	rest, ok := strings.CutPrefix(field, path)
	return ok && (rest == "" || rest[0] == '.' || rest[0] == '[')
}
