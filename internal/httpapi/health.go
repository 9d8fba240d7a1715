package httpapi

import (
	"context"
	_ "embed"
	"net/http"
	"time"
)

//go:generate go run ./openapigen openapi.json ../../README.md

//go:embed openapi.json
var openAPIDocument []byte

// OpenAPIDocument returns the OpenAPI 3.1 description of the API.
func OpenAPIDocument() []byte { return openAPIDocument }

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, err := w.Write(openAPIDocument)
	return err
}

type healthJSON struct {
	Status string `json:"status"`
}

// healthz says the process is up; it touches nothing else.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, healthJSON{Status: "ok"})
}

// readyz says whether the database answers, so a load balancer can stop
// sending traffic to an instance that cannot serve it.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.service.Ping(ctx); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, healthJSON{Status: "ready"})
}
