package httpapi

import (
	"encoding/json"
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

// rateLimitRequest is an operator's setting of a partner's rate limit, as
// sent: the numbers keep their text for kyb.ParseRateLimit to check.
type rateLimitRequest struct {
	RequestsPerSecond json.Number `json:"requests_per_second"`
	Burst             json.Number `json:"burst"`
}

func (r rateLimitRequest) parse() (kyb.RateLimit, error) {
	return kyb.ParseRateLimit(string(r.RequestsPerSecond), string(r.Burst))
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
	var in rateLimitRequest
	if err := readJSON(w, r, &in, func() error { _, err := in.parse(); return err }); err != nil {
		return err
	}
	l, err := in.parse()
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
