package httpapi

import (
	"net/http"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// adminClearReview clears the mark monitoring set on a customer once an
// operator has looked at it; the customer keeps its status. A customer
// whose risk is high needs two operators to clear it: the first gets 202.
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
	out := s.adminCustomerReviewed(c)
	if out.Review != nil && out.Review.AwaitingSecondApproval {
		return writeJSON(w, http.StatusAccepted, out) // still marked
	}
	return writeJSON(w, http.StatusOK, out)
}
