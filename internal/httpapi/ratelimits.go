package httpapi

import (
	"net/http"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// rateLimitJSON is the rate limit a partner's keys get: the partner's own
// (source "partner") or this instance's default (source "default"), with
// no numbers when that default is no limit.
type rateLimitJSON struct {
	PartnerID         string   `json:"partner_id"`
	Source            string   `json:"source"`
	RequestsPerSecond *float64 `json:"requests_per_second,omitempty"`
	Burst             *int     `json:"burst,omitempty"`
}

func (s *Server) newRateLimitJSON(partnerID string, own kyb.RateLimit) rateLimitJSON {
	out, l := rateLimitJSON{PartnerID: partnerID, Source: "partner"}, own
	if own.IsZero() {
		out.Source, l = "default", s.limits.Rate
	}
	if l.PerSecond > 0 {
		out.RequestsPerSecond, out.Burst = &l.PerSecond, &l.Burst
	}
	return out
}

func (s *Server) adminGetRateLimit(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("partner_id")
	infoFrom(r.Context()).partnerID = id
	l, err := s.service.PartnerRateLimit(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.newRateLimitJSON(id, l))
}

func (s *Server) adminSetRateLimit(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("partner_id")
	infoFrom(r.Context()).partnerID = id
	var in kyb.RateLimitRequest
	if err := readJSON(w, r, &in, func() error { _, err := in.Parse(); return err }); err != nil {
		return err
	}
	l, err := in.Parse()
	if err != nil {
		return err
	}
	if err := s.service.SetRateLimit(r.Context(), actorOf(r), id, l); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.newRateLimitJSON(id, l))
}

func (s *Server) adminRemoveRateLimit(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("partner_id")
	infoFrom(r.Context()).partnerID = id
	if err := s.service.SetRateLimit(r.Context(), actorOf(r), id, kyb.RateLimit{}); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.newRateLimitJSON(id, kyb.RateLimit{}))
}
