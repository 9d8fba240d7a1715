package httpapi

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
)

type operatorKey struct{}

// operatorOf returns the authenticated operator of the request, if any.
func operatorOf(ctx context.Context) (kyb.Operator, bool) {
	op, ok := ctx.Value(operatorKey{}).(kyb.Operator)
	return op, ok
}

// operator requires "Authorization: Bearer <operator token>". Partner
// credentials never open the admin API.
func (s *Server) operator(next handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		// The scheme name is case-insensitive (RFC 9110).
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || len(token) > maxCredentialLength {
			token = ""
		}
		if err := s.admit(r); err != nil {
			return err
		}
		token = strings.TrimSpace(token)
		op, err := s.service.AuthenticateOperator(r.Context(), token)
		if err != nil {
			err = s.authFailed(r, "operator", "", token != "", err)
			if errors.Is(err, kyb.ErrUnauthorized) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="onboard-admin"`)
			}
			return err
		}
		infoFrom(r.Context()).operatorID = op.ID
		return next(w, r.WithContext(context.WithValue(r.Context(), operatorKey{}, op)))
	}
}

// admin requires an admin operator, after operator authentication.
func (s *Server) admin(next handlerFunc) handlerFunc {
	return s.operator(func(w http.ResponseWriter, r *http.Request) error {
		if op, _ := operatorOf(r.Context()); !op.Admin {
			return kyb.ErrNotAdmin
		}
		return next(w, r)
	})
}

// actorOf is who the audit trail records for a request: the operator on
// /admin, the partner on /api.
func actorOf(r *http.Request) kyb.Actor {
	if op, ok := operatorOf(r.Context()); ok {
		return kyb.Actor{Type: kyb.ActorOperator, ID: op.ID}
	}
	return kyb.Actor{Type: kyb.ActorPartner, ID: partnerID(r.Context())}
}

// adminCustomerJSON is a customer as operators see it: with its partner
// and, when one customer is shown, its history.
type adminCustomerJSON struct {
	api.Customer
	PartnerID string         `json:"partner_id"`
	Risk      riskJSON       `json:"risk"`
	Screening *screeningJSON `json:"screening,omitempty"`
	Review    *reviewJSON    `json:"review,omitempty"`
	// Information requests (updates.go): whether the customer waits for
	// its partner (open requirements), whether any is overdue, and, when
	// one customer is shown, every requirement with its resolution.
	AwaitingPartner     bool               `json:"awaiting_partner"`
	RequirementsOverdue bool               `json:"requirements_overdue"`
	RequirementHistory  *[]requirementJSON `json:"requirement_history,omitempty"`
	// NeedsReview and ReviewReason: monitoring found a new hit on the
	// active customer; it waits for an operator (see monitor.go).
	NeedsReview  bool         `json:"needs_review"`
	ReviewReason string       `json:"review_reason,omitempty"`
	History      *[]auditJSON `json:"history,omitempty"`
}

// reviewJSON is where a pending customer stands in the two-person rule.
type reviewJSON struct {
	RequiredApprovals      int            `json:"required_approvals"`
	Approvals              []approvalJSON `json:"approvals"`
	AwaitingSecondApproval bool           `json:"awaiting_second_approval"`
}

type approvalJSON struct {
	OperatorID string    `json:"operator_id"`
	Reason     string    `json:"reason"`
	ApprovedAt time.Time `json:"approved_at"`
}

type auditJSON struct {
	ID         string `json:"id"`
	CreatedAt  string `json:"created_at"`
	ActorType  string `json:"actor_type"`
	ActorID    string `json:"actor_id"`
	Action     string `json:"action"`
	PartnerID  string `json:"partner_id,omitempty"`
	CustomerID string `json:"customer_id,omitempty"`
	APIKey     string `json:"api_key,omitempty"`
	TargetID   string `json:"target_id,omitempty"`
	FromStatus string `json:"from_status,omitempty"`
	ToStatus   string `json:"to_status,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

func newAuditJSON(events []kyb.AuditEvent) []auditJSON {
	out := make([]auditJSON, 0, len(events))
	for _, e := range events {
		out = append(out, auditJSON{
			ID: e.ID, CreatedAt: kyb.FormatTime(e.At), ActorType: string(e.Actor.Type), ActorID: e.Actor.ID, Action: e.Action,
			PartnerID: e.PartnerID, CustomerID: e.CustomerID, APIKey: e.APIKeyID, TargetID: e.TargetID,
			FromStatus: string(e.FromStatus), ToStatus: string(e.ToStatus), Reason: e.Reason,
		})
	}
	return out
}

// adminCustomer is a customer as operators see it, with its risk as of
// now.
func (s *Server) adminCustomer(c kyb.Customer) adminCustomerJSON {
	out := adminCustomerJSON{Customer: c.View(), PartnerID: c.PartnerID, Screening: newScreeningJSON(c.Screening), Risk: newRiskJSON(s.service.Risk(c)),
		NeedsReview: c.NeedsReview, ReviewReason: c.ReviewReason}
	out.AwaitingPartner = len(out.Requirements) > 0
	out.RequirementsOverdue = slices.ContainsFunc(c.Requirements, func(r kyb.Requirement) bool { return r.Overdue(s.service.Now()) })
	return out
}

// adminCustomerReviewed is one customer as operators see it, with where it
// stands in review when it is pending, an approval of its reactivation
// awaits a second, or it is active and marked for review (the approvals
// are then of clearing the mark).
func (s *Server) adminCustomerReviewed(c kyb.Customer) adminCustomerJSON {
	out := s.adminCustomer(c)
	if c.ErasedAt.IsZero() && (c.Status == kyb.StatusPending || c.Status == kyb.StatusSuspended && len(c.Approvals) > 0 || c.Status == kyb.StatusActive && c.NeedsReview) {
		review := &reviewJSON{RequiredApprovals: s.service.RequiredApprovals(c), Approvals: []approvalJSON{}}
		for _, a := range c.Approvals {
			review.Approvals = append(review.Approvals, approvalJSON{OperatorID: a.OperatorID, Reason: a.Reason, ApprovedAt: api.Time(a.At)})
		}
		review.AwaitingSecondApproval = len(review.Approvals) > 0 && len(review.Approvals) < review.RequiredApprovals
		out.Review = review
	}
	return out
}

// adminListCustomers is the review queue: every partner's customers,
// oldest first, typically filtered by status=pending.
func (s *Server) adminListCustomers(w http.ResponseWriter, r *http.Request) error {
	q, err := parseCustomerQuery(r.URL.Query(), true)
	if err != nil {
		return err
	}
	q.OldestFirst = true
	page, err := s.service.ViewCustomers(r.Context(), actorOf(r), q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newListJSON(page, s.adminCustomer))
}

func (s *Server) adminGetCustomer(w http.ResponseWriter, r *http.Request) error {
	c, history, err := s.customerHistory(r, func(ctx context.Context, id string) (kyb.Customer, error) {
		return s.service.ViewCustomer(ctx, actorOf(r), id)
	})
	if err != nil {
		return err
	}
	out := s.adminCustomerReviewed(c)
	out.History = &history
	var requirements []kyb.Requirement
	if c.ErasedAt.IsZero() {
		// An erased customer's requirements keep their kinds and paths in
		// the audit trail alone: their texts are gone.
		if requirements, err = s.service.Requirements(r.Context(), c.ID); err != nil {
			return err
		}
	}
	reqs := s.newRequirementsJSON(requirements)
	out.RequirementHistory = &reqs
	setETag(w, c)
	return writeJSON(w, http.StatusOK, out)
}

// adminCustomerAudit shows no personal data, so reading it is not itself
// recorded.
func (s *Server) adminCustomerAudit(w http.ResponseWriter, r *http.Request) error {
	_, history, err := s.customerHistory(r, s.service.CustomerForOperator)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, api.Data[auditJSON]{Data: history})
}

// customerHistory reads the customer the path names, of any partner, with
// read, and then its audit trail.
func (s *Server) customerHistory(r *http.Request, read func(context.Context, string) (kyb.Customer, error)) (kyb.Customer, []auditJSON, error) {
	c, err := read(r.Context(), r.PathValue("customer_id"))
	if err != nil {
		return kyb.Customer{}, nil, err
	}
	infoFrom(r.Context()).customerID = c.ID
	events, err := s.service.AuditTrail(r.Context(), kyb.AuditFilter{CustomerID: c.ID})
	if err != nil {
		return kyb.Customer{}, nil, err
	}
	return c, newAuditJSON(events), nil
}

// adminAudit shows the audit trail of one partner (its keys and customers)
// or one customer.
func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request) error {
	params, fields := singleParams(r.URL.Query(), "partner_id", "customer_id")
	f := kyb.AuditFilter{PartnerID: params["partner_id"], CustomerID: params["customer_id"]}
	if (f.PartnerID == "") == (f.CustomerID == "") {
		fields = append(fields, api.FieldError{Field: "partner_id", Code: api.CodeRequired, Message: "give exactly one of partner_id and customer_id"})
	}
	if len(fields) > 0 {
		return kyb.Invalid(fields)
	}
	events, err := s.service.AuditTrail(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, api.Data[auditJSON]{Data: newAuditJSON(events)})
}

func (s *Server) adminChangeStatus(w http.ResponseWriter, r *http.Request) error {
	var change kyb.StatusChange
	if err := readJSON(w, r, &change, func() error { return change.Validate() }); err != nil {
		return err
	}
	infoFrom(r.Context()).customerID = r.PathValue("customer_id")
	ifMatch, err := parseIfMatch(r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	change.IfMatch = ifMatch
	c, err := s.service.ChangeStatus(r.Context(), actorOf(r), r.PathValue("customer_id"), change)
	if err != nil {
		return err
	}
	out := s.adminCustomerReviewed(c)
	if out.Review != nil && out.Review.AwaitingSecondApproval {
		// Accepted, not done: the customer stays pending.
		return writeJSON(w, http.StatusAccepted, out)
	}
	return writeJSON(w, http.StatusOK, out)
}

// adminStatusCounts counts customers by status, of one partner or all:
// the review queue's tabs.
func (s *Server) adminStatusCounts(w http.ResponseWriter, r *http.Request) error {
	params, fields := singleParams(r.URL.Query(), "partner_id")
	if len(fields) > 0 {
		return kyb.Invalid(fields)
	}
	counts, err := s.service.StatusCounts(r.Context(), params["partner_id"])
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, statusCountsJSON{
		Pending: counts[kyb.StatusPending], Active: counts[kyb.StatusActive], Rejected: counts[kyb.StatusRejected], Suspended: counts[kyb.StatusSuspended],
	})
}

// statusCountsJSON is how many customers have each status.
type statusCountsJSON struct {
	Pending   int `json:"pending"`
	Active    int `json:"active"`
	Rejected  int `json:"rejected"`
	Suspended int `json:"suspended"`
}

func (s *Server) adminEraseCustomer(w http.ResponseWriter, r *http.Request) error {
	var req kyb.Erasure
	if err := readJSON(w, r, &req, func() error { return req.Validate() }); err != nil {
		return err
	}
	infoFrom(r.Context()).customerID = r.PathValue("customer_id")
	c, err := s.service.EraseCustomer(r.Context(), actorOf(r), r.PathValue("customer_id"), req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.adminCustomer(c))
}

type partnerJSON struct {
	PartnerID string `json:"partner_id"`
	Name      string `json:"name"`
	Sandbox   bool   `json:"sandbox"`
	CreatedAt string `json:"created_at"`
}

func (s *Server) adminListPartners(w http.ResponseWriter, r *http.Request) error {
	partners, err := s.service.Partners(r.Context())
	if err != nil {
		return err
	}
	out := make([]partnerJSON, 0, len(partners))
	for _, p := range partners {
		out = append(out, partnerJSON{p.ID, p.Name, p.Sandbox, kyb.FormatTime(p.CreatedAt)})
	}
	return writeJSON(w, http.StatusOK, api.Data[partnerJSON]{Data: out})
}

type newPartnerJSON struct {
	Name string `json:"name"`
}

func (s *Server) adminCreatePartner(w http.ResponseWriter, r *http.Request) error {
	var in newPartnerJSON
	if err := readJSON(w, r, &in, nil); err != nil {
		return err
	}
	creds, err := s.service.CreatePartner(r.Context(), actorOf(r), in.Name, false)
	if err != nil {
		return err
	}
	infoFrom(r.Context()).partnerID = creds.PartnerID
	return writeJSON(w, http.StatusOK, creds)
}

func (s *Server) adminCreateKey(w http.ResponseWriter, r *http.Request) error {
	infoFrom(r.Context()).partnerID = r.PathValue("partner_id")
	creds, err := s.service.CreateAPIKey(r.Context(), actorOf(r), r.PathValue("partner_id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, creds)
}

type revokedJSON struct {
	APIKey  string `json:"api_key"`
	Revoked bool   `json:"revoked"`
}

func (s *Server) adminRevokeKey(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("api_key")
	if err := s.service.RevokeAPIKey(r.Context(), actorOf(r), key); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, revokedJSON{APIKey: key, Revoked: true})
}
