package httpapi

import (
	"net/http"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// needsReviewParam reads the admin list's needs_review filter: true lists
// only the customers monitoring marked for review; false, or none, every
// customer.
func needsReviewParam(q map[string][]string) (bool, error) {
	v, ok := q["needs_review"]
	if !ok {
		return false, nil
	}
	switch {
	case len(v) == 1 && v[0] == "true":
		return true, nil
	case len(v) == 1 && v[0] == "false":
		return false, nil
	}
	return false, kyb.Invalid([]api.FieldError{{Field: "needs_review", Code: api.CodeInvalidValue, Message: "must be true or false, given once"}})
}

// adminClearReview clears the mark monitoring set on a customer once an
// operator has looked at it; the customer keeps its status.
func (s *Server) adminClearReview(w http.ResponseWriter, r *http.Request) error {
	var req kyb.ReviewClearance
	if err := readJSON(w, r, &req, func() error { return req.Validate() }); err != nil {
		return err
	}
	infoFrom(r.Context()).customerID = r.PathValue("customer_id")
	c, err := s.service.ClearReview(r.Context(), actorOf(r), r.PathValue("customer_id"), req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.adminCustomer(c))
}
