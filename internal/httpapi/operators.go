package httpapi

import (
	"net/http"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// newOperatorJSON is the body that creates an operator.
type newOperatorJSON struct {
	Name  string `json:"name"`
	Admin bool   `json:"admin,omitempty"`
}

func (s *Server) adminListOperators(w http.ResponseWriter, r *http.Request) error {
	ops, err := s.service.Operators(r.Context())
	if err != nil {
		return err
	}
	out := make([]kyb.OperatorView, 0, len(ops))
	for _, op := range ops {
		out = append(out, s.service.OperatorView(op))
	}
	return writeJSON(w, http.StatusOK, api.Data[kyb.OperatorView]{Data: out})
}

func (s *Server) adminCreateOperator(w http.ResponseWriter, r *http.Request) error {
	var in newOperatorJSON
	if err := readJSON(w, r, &in, nil); err != nil {
		return err
	}
	creds, err := s.service.CreateOperator(r.Context(), actorOf(r), in.Name, in.Admin)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, creds)
}

func (s *Server) adminDisableOperator(w http.ResponseWriter, r *http.Request) error {
	op, err := s.service.DisableOperator(r.Context(), actorOf(r), r.PathValue("operator_id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.service.OperatorView(op))
}

// adminRotateOperatorToken issues a new token to the operator the path
// names: an admin may do it for anyone, every operator for themselves, so
// that a token can be renewed before it expires.
func (s *Server) adminRotateOperatorToken(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("operator_id")
	if op, _ := operatorOf(r.Context()); !op.Admin && op.ID != id {
		return kyb.ErrNotAdmin
	}
	creds, err := s.service.RotateOperatorToken(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, creds)
}
