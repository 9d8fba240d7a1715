package httpapi

import (
	"context"
	"net/http"
)

// maxCredentialLength bounds the credential headers we bother to look up.
const maxCredentialLength = 256

type partnerKey struct{}

// partnerID returns the id of the authenticated partner of the request.
func partnerID(ctx context.Context) string {
	id, _ := ctx.Value(partnerKey{}).(string)
	return id
}

// partner requires valid X-API-Key and X-API-Secret headers. Every failure
// gets the same 401, whichever part was missing or wrong.
func (s *Server) partner(next handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		keyID, secret := r.Header.Get("X-API-Key"), r.Header.Get("X-API-Secret")
		if len(keyID) > maxCredentialLength || len(secret) > maxCredentialLength {
			keyID, secret = "", ""
		}
		if err := s.admit(r); err != nil {
			return err
		}
		key, err := s.service.Authenticate(r.Context(), keyID, secret)
		if err != nil {
			return s.authFailed(r, "partner", keyID, keyID != "" || secret != "", err)
		}
		infoFrom(r.Context()).partnerID = key.PartnerID
		if err := s.takeToken(w, key); err != nil {
			return err
		}
		return next(w, r.WithContext(context.WithValue(r.Context(), partnerKey{}, key.PartnerID)))
	}
}
