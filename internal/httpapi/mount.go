package httpapi

import (
	"net/http"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/ratelimit"
)

// Mount serves h for path and every path under path + "/", inside the
// server's middleware (request ids, the request log, panics, the in-flight
// limit): how the reviewer console is served beside the APIs.
func (s *Server) Mount(path string, h http.Handler) {
	serve := func(w http.ResponseWriter, r *http.Request) {
		infoFrom(r.Context()).route = path
		h.ServeHTTP(w, r)
	}
	s.mux.HandleFunc(path, serve)
	s.mux.HandleFunc(path+"/", serve)
}

// ClientKey names the client of a request as the authentication throttle
// counts it: its address (X-Forwarded-For from a trusted proxy), or its
// /64 for IPv6.
func (s *Server) ClientKey(r *http.Request) string { return s.limits.clientKey(r) }

// AuthFailures is the policy that failed authentications are throttled by.
func (s *Server) AuthFailures() ratelimit.Policy { return s.limits.AuthFailures }

// StatusOf is the HTTP status of an error kind, the same for every surface
// the server has (the APIs and the console's pages).
func StatusOf(kind kyb.Kind) int {
	if status, ok := kindStatus[kind]; ok {
		return status
	}
	return http.StatusInternalServerError
}
