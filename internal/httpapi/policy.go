package httpapi

import (
	"net/http"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// policyJSON is a partner's decision policy.
type policyJSON struct {
	PartnerID string `json:"partner_id"`
	Policy    string `json:"policy"`
}

// policyRequest sets a partner's decision policy.
type policyRequest struct {
	Policy kyb.DecisionPolicy `json:"policy"`
}

func (s *Server) adminGetPolicy(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("partner_id")
	infoFrom(r.Context()).partnerID = id
	p, err := s.service.PartnerPolicy(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, policyJSON{PartnerID: id, Policy: string(p)})
}

func (s *Server) adminSetPolicy(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("partner_id")
	infoFrom(r.Context()).partnerID = id
	var in policyRequest
	if err := readJSON(w, r, &in, nil); err != nil {
		return err
	}
	if err := s.service.SetPolicy(r.Context(), actorOf(r), id, in.Policy); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, policyJSON{PartnerID: id, Policy: string(in.Policy)})
}
