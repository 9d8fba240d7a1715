package kyb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/onboardkyb/onboard/api"
)

// PrefixRequirement starts every requirement id.
const PrefixRequirement = "req_"

// Limits of information requests.
const (
	// MaxRequirementItems bounds the items of one request.
	MaxRequirementItems = 20
	// MaxOpenRequirements bounds the open items of one customer.
	MaxOpenRequirements = 50
	// MaxRequirementMessage bounds an item's message, and
	// MaxRequirementAnswer the partner's answer to a question.
	MaxRequirementMessage = 1000
	MaxRequirementAnswer  = 2000
)

// How a requirement was resolved.
const (
	ResolvedByUpdate   = "updated"    // an update changed its field
	ResolvedByFile     = "file_added" // an update added a file of its type
	ResolvedByAnswer   = "answered"   // the partner answered the question
	ResolvedByOperator = "operator"   // an operator resolved it
)

// Audit actions of information requests and updates.
const (
	ActionRequirementRequested = "customer.requirement_requested"
	ActionRequirementAnswered  = "customer.requirement_answered"
	ActionRequirementResolved  = "customer.requirement_resolved"
	ActionCustomerUpdated      = "customer.updated"
)

// Requirement is an operator's request for information about a customer.
// Its message and answer may quote personal data: stores keep them sealed
// under the customer's data key.
type Requirement struct {
	ID         string
	CustomerID string
	Kind       string // api.RequirementField, RequirementDocument or RequirementQuestion
	Field      string
	FileType   FileType
	Message    string
	CreatedAt  time.Time
	CreatedBy  string // the operator's id
	DueAt      time.Time
	// ResolvedAt is set once resolved, with how (Resolved* constants), by
	// whom and, for a question, the answer.
	ResolvedAt time.Time
	Resolution string
	ResolvedBy Actor
	Answer     string
}

// View is the requirement as its partner sees it.
func (r Requirement) View() api.Requirement {
	v := api.Requirement{ID: r.ID, Kind: r.Kind, Field: r.Field, FileType: string(r.FileType), Message: r.Message, CreatedAt: api.Time(r.CreatedAt)}
	if !r.DueAt.IsZero() {
		v.DueAt = api.Time(r.DueAt)
	}
	return v
}

// Overdue reports whether the requirement is open past its due date.
func (r Requirement) Overdue(now time.Time) bool {
	return r.ResolvedAt.IsZero() && !r.DueAt.IsZero() && now.After(r.DueAt)
}

// RequirementsRequest is an operator's request for information:
// POST /admin/customers/{customer_id}/requirements.
type RequirementsRequest struct {
	Items []RequirementItem `json:"items"`
}

// RequirementItem is one item of a RequirementsRequest.
type RequirementItem struct {
	Kind     string `json:"kind"`
	Field    string `json:"field,omitempty"`
	FileType string `json:"file_type,omitempty"`
	Message  string `json:"message"`
	DueAt    string `json:"due_at,omitempty"`
}

// Validate checks the request on its own, before the customer is known:
// each item's kind, message, file type and due date (in the future).
func (r RequirementsRequest) Validate(now time.Time) error {
	ch := checker{now: now}
	switch {
	case len(r.Items) == 0:
		ch.add("items", api.CodeRequired, "give at least one item")
	case len(r.Items) > MaxRequirementItems:
		ch.add("items", api.CodeTooMany, TooManyItems(MaxRequirementItems))
	}
	for i, it := range r.Items[:min(len(r.Items), MaxRequirementItems)] {
		ch.at = "items[" + strconv.Itoa(i) + "]."
		switch it.Kind {
		case "":
			ch.add("kind", api.CodeRequired, "is required")
		case api.RequirementField:
			if it.Field == "" {
				ch.add("field", api.CodeRequired, "is required for a field item")
			}
		case api.RequirementDocument:
			if it.FileType == "" {
				ch.add("file_type", api.CodeRequired, "is required for a document item")
			}
		case api.RequirementQuestion:
			if it.Field != "" {
				ch.add("field", api.CodeInvalidValue, "a question names no field")
			}
		default:
			ch.add("kind", api.CodeInvalidValue, "must be field, document or question")
		}
		if it.Kind != api.RequirementDocument && it.FileType != "" {
			ch.add("file_type", api.CodeInvalidValue, "only a document item names a file type")
		}
		if it.FileType != "" && !slices.Contains(FileTypes, FileType(it.FileType)) {
			ch.add("file_type", api.CodeInvalidValue, "must be one of "+quotedFileTypes(FileTypes))
		}
		if len(it.Field) > 200 {
			ch.add("field", api.CodeTooLong, "must be at most 200 characters")
		}
		ch.text("message", it.Message, true, MaxRequirementMessage)
		if t, ok := ch.date("due_at", it.DueAt); ok && !t.After(now) {
			ch.add("due_at", api.CodeInvalidValue, "must be in the future")
		}
	}
	if len(ch.errs) > 0 {
		return Invalid(ch.errs)
	}
	return nil
}

// ErrCustomerChanged is what a store answers when the customer changed
// (its version or status) since the change was computed; the service
// computes it again.
var ErrCustomerChanged = Conflict("customer_changed", "the customer changed while the request was handled; read it and try again")

// ErrRequirementResolved is the conflict of resolving an item that is no
// longer open.
var ErrRequirementResolved = Conflict("requirement_resolved", "the requirement is already resolved")

// ChangeStore keeps the changes of customers after create: updates of
// their profile (as versions) and their information requests.
type ChangeStore interface {
	// ChangeCustomer makes ch in one transaction and returns the customer
	// after it, with its open requirements. It is ErrCustomerChanged when
	// the customer's version or status is no longer ch's, or it was
	// erased; ErrRequirementResolved when an item of ch.Resolve is not
	// open.
	ChangeCustomer(ctx context.Context, ch CustomerChange) (Customer, error)
	// Requirements returns every requirement of a customer, open or
	// resolved, oldest first.
	Requirements(ctx context.Context, customerID string) ([]Requirement, error)
	// CustomerVersions lists the stored versions of a customer, oldest
	// first, without their profiles; none before its first update.
	CustomerVersions(ctx context.Context, customerID string) ([]Version, error)
	// CustomerVersion returns one stored version with its profile.
	CustomerVersion(ctx context.Context, customerID string, n int) (Version, error)
}

// CustomerChange is one change of a customer after create.
type CustomerChange struct {
	CustomerID string
	// Version and Status are the customer's when the change was computed.
	Version int
	Status  Status
	// Update, when set, is the profile's next version: Version+1.
	Update *ProfileUpdate
	// ToStatus, when set, moves the customer there with StatusReason at
	// StatusAt (an update that sends an active customer back to review).
	ToStatus     Status
	StatusReason string
	StatusAt     time.Time
	// MarkReview, when set, marks the active customer for review with this
	// reason and its status unchanged (a new screening hit: the partner
	// must not learn of it, see Customer.NeedsReview).
	MarkReview string
	// Add are new requirements; Resolve are open ones to resolve, with
	// their Resolved* fields set.
	Add     []Requirement
	Resolve []Requirement
	Audit   []AuditEvent
	// Events renders the webhook events of the change from the customer
	// after it.
	Events func(Customer) []Event
}

// ProfileUpdate is a new version of a customer's profile.
type ProfileUpdate struct {
	Version     Version
	Profile     api.Profile
	Fingerprint string
	// Rescreened says the update was screened again: Screening (nil when
	// no list was ever imported) and RiskLevel, the level assessed with
	// it, replace the customer's.
	Rescreened bool
	Screening  *Screening
	RiskLevel  string
}

// Version is one version of a customer's profile.
type Version struct {
	Number    int
	CreatedAt time.Time
	Actor     Actor
	// BaseVersion is the version the update was made on (0 for the
	// create); Changed the paths that changed from it.
	BaseVersion int
	Changed     []string
	// PatchDigest identifies the update's body, so that the same body on
	// the same version is a replay.
	PatchDigest string
	// Profile is set by CustomerVersion; an erased customer's holds
	// PartnerCustomerID alone.
	Profile api.Profile
}

// requestable refuses an information request on a customer that is not
// pending or active.
func requestable(c Customer) error {
	if c.Status != StatusPending && c.Status != StatusActive {
		e := Conflict("customer_not_open", fmt.Sprintf("the customer is %s; only a pending or active customer can be asked for information or updated", c.Status))
		e.CustomerID = c.ID
		return e
	}
	return nil
}

// RequestInformation asks a customer's partner for information: fields to
// correct, documents to provide, questions to answer. The customer stays
// in its status; the partner sees the items on the customer and gets a
// customer.requirements_updated event.
func (s *Service) RequestInformation(ctx context.Context, actor Actor, customerID string, req RequirementsRequest) (Customer, error) {
	now := s.Now().UTC()
	if err := req.Validate(now); err != nil {
		return Customer{}, err
	}
	return s.retryChange(ctx, func() (CustomerChange, error) {
		c, err := s.changeable(ctx, customerID)
		if err != nil {
			return CustomerChange{}, err
		}
		if err := requestable(c); err != nil {
			return CustomerChange{}, err
		}
		if err := checkItemFields(c.Profile, req.Items); err != nil {
			return CustomerChange{}, err
		}
		if len(c.Requirements)+len(req.Items) > MaxOpenRequirements {
			return CustomerChange{}, Conflict("too_many_requirements", fmt.Sprintf("a customer may have at most %d open requirements; resolve some first", MaxOpenRequirements))
		}
		ch := CustomerChange{CustomerID: c.ID, Version: c.Version, Status: c.Status}
		for _, it := range req.Items {
			r := Requirement{ID: NewID(PrefixRequirement, now), CustomerID: c.ID, Kind: it.Kind, Field: it.Field, FileType: FileType(it.FileType),
				Message: it.Message, CreatedAt: now.Truncate(time.Second), CreatedBy: actor.ID}
			if it.DueAt != "" {
				r.DueAt, _ = time.Parse(time.RFC3339, it.DueAt)
				r.DueAt = r.DueAt.UTC().Truncate(time.Second)
			}
			ch.Add = append(ch.Add, r)
			// The audit trail names the item's kind and path, never its
			// message.
			a := newAuditEvent(now, actor, ActionRequirementRequested)
			a.PartnerID, a.CustomerID, a.TargetID, a.Reason = c.PartnerID, c.ID, r.ID, strings.TrimSpace(r.Kind+" "+r.Field+" "+string(r.FileType))
			ch.Audit = append(ch.Audit, a)
		}
		ch.Events = func(after Customer) []Event {
			return []Event{newEvent(after, api.EventCustomerRequirementsUpdated, now)}
		}
		return ch, nil
	})
}

// AnswerRequirement answers a question of an operator about one of the
// partner's customers, which resolves it.
func (s *Service) AnswerRequirement(ctx context.Context, partnerID, customerID, requirementID string, a api.Answer) (Customer, error) {
	var ch0 checker
	if ch0.text("text", a.Text, true, MaxRequirementAnswer); len(ch0.errs) > 0 {
		return Customer{}, Invalid(ch0.errs)
	}
	actor := Actor{ActorPartner, partnerID}
	return s.resolve(ctx, actor, customerID, requirementID, func(c Customer) error {
		if c.PartnerID != partnerID {
			return NotFound("customer")
		}
		return nil
	}, func(r *Requirement) error {
		if r.Kind != api.RequirementQuestion {
			return Conflict("requirement_not_question", "only a question is answered; a field or document item is resolved by an update of the customer")
		}
		r.Resolution, r.Answer = ResolvedByAnswer, a.Text
		return nil
	}, ActionRequirementAnswered, "")
}

// Resolution is an operator's resolution of a requirement.
type Resolution struct {
	Reason string `json:"reason"`
}

// ResolveRequirement resolves an open requirement of any partner's
// customer, for operators: what was asked is no longer needed, or was
// given another way.
func (s *Service) ResolveRequirement(ctx context.Context, actor Actor, customerID, requirementID string, res Resolution) (Customer, error) {
	var ch0 checker
	if ch0.reason(res.Reason); len(ch0.errs) > 0 {
		return Customer{}, Invalid(ch0.errs)
	}
	return s.resolve(ctx, actor, customerID, requirementID, func(Customer) error { return nil }, func(r *Requirement) error {
		r.Resolution = ResolvedByOperator
		return nil
	}, ActionRequirementResolved, res.Reason)
}

// resolve resolves one open requirement of a customer that visible
// admits, as how fills it in, recording action.
func (s *Service) resolve(ctx context.Context, actor Actor, customerID, requirementID string, visible func(Customer) error, how func(*Requirement) error, action, reason string) (Customer, error) {
	return s.retryChange(ctx, func() (CustomerChange, error) {
		// Whose it is comes first: another partner's customer, erased or
		// not, is as unknown as none.
		c, err := s.store.CustomerByID(ctx, customerID)
		if errors.Is(err, ErrNotFound) || err == nil && visible(c) != nil {
			return CustomerChange{}, NotFound("customer")
		}
		if err != nil {
			return CustomerChange{}, err
		}
		if !c.ErasedAt.IsZero() {
			return CustomerChange{}, ErrErased(c.ID)
		}
		if err := requestable(c); err != nil && actor.Type == ActorPartner {
			return CustomerChange{}, err
		}
		i := slices.IndexFunc(c.Requirements, func(r Requirement) bool { return r.ID == requirementID })
		if i < 0 {
			all, err := s.store.Requirements(ctx, c.ID)
			if err != nil {
				return CustomerChange{}, err
			}
			if slices.ContainsFunc(all, func(r Requirement) bool { return r.ID == requirementID }) {
				return CustomerChange{}, ErrRequirementResolved
			}
			return CustomerChange{}, NotFound("requirement")
		}
		now := s.Now().UTC()
		r := c.Requirements[i]
		if err := how(&r); err != nil {
			return CustomerChange{}, err
		}
		r.ResolvedAt, r.ResolvedBy = now.Truncate(time.Second), actor
		a := newAuditEvent(now, actor, action)
		a.PartnerID, a.CustomerID, a.TargetID, a.Reason = c.PartnerID, c.ID, r.ID, reason
		return CustomerChange{CustomerID: c.ID, Version: c.Version, Status: c.Status, Resolve: []Requirement{r}, Audit: []AuditEvent{a},
			Events: func(after Customer) []Event {
				return []Event{newEvent(after, api.EventCustomerRequirementsUpdated, now)}
			}}, nil
	})
}

// retryChange makes the change compute returns, computing it again when
// the customer changed meanwhile.
func (s *Service) retryChange(ctx context.Context, compute func() (CustomerChange, error)) (Customer, error) {
	for attempt := 1; ; attempt++ {
		ch, err := compute()
		if err != nil {
			return Customer{}, err
		}
		c, err := s.store.ChangeCustomer(ctx, ch)
		if errors.Is(err, ErrCustomerChanged) && attempt < 5 {
			continue
		}
		if err != nil {
			return Customer{}, fmt.Errorf("change customer %s: %w", ch.CustomerID, err)
		}
		if len(ch.Audit) > 0 || ch.Events != nil {
			s.notifyEvents()
		}
		return c, nil
	}
}

// Requirements returns every requirement of any partner's customer, open
// or resolved, for operators.
func (s *Service) Requirements(ctx context.Context, customerID string) ([]Requirement, error) {
	return s.store.Requirements(ctx, customerID)
}

// checkItemFields checks that each item's field is a path of the profile's
// shape, with its list indexes within the customer's lists, and that a
// document item's field holds files.
func checkItemFields(p api.Profile, items []RequirementItem) error {
	paths := profilePaths(p)
	var errs []api.FieldError
	for i, it := range items {
		if it.Field == "" {
			continue
		}
		at := "items[" + strconv.Itoa(i) + "].field"
		f, msg := lookupPath(it.Field, paths)
		switch {
		case msg != "":
			errs = append(errs, api.FieldError{Field: at, Code: api.CodeInvalidValue, Message: msg})
		case it.Kind == api.RequirementDocument && f.Kind != FieldFileID && f.Kind != FieldFileIDList:
			errs = append(errs, api.FieldError{Field: at, Code: api.CodeInvalidValue, Message: "a document item's field must be one that holds file ids"})
		}
	}
	if len(errs) > 0 {
		return Invalid(errs)
	}
	return nil
}

// lookupPath finds the field a path such as
// "business_person_list[0].identification.id_number" names, or says why
// it names none: a name the shape does not have, or an index beyond the
// customer's list (paths lists the profile's leaves).
func lookupPath(path string, paths map[string]string) (Field, string) {
	objects := map[string]Object{}
	for _, o := range ProfileObjects() {
		objects[o.Name] = o
	}
	obj := objects["Profile"]
	var f Field
	prefix := ""
	segments := strings.Split(path, ".")
	for n, seg := range segments {
		if n > 0 && f.Kind != FieldObject && !(f.Kind == FieldObjectList && strings.HasSuffix(segments[n-1], "]")) {
			return Field{}, "names no field: " + prefix + " holds no fields"
		}
		name, index, indexed := strings.Cut(seg, "[")
		i := slices.IndexFunc(obj.Fields, func(f Field) bool { return f.Name == name })
		if i < 0 {
			return Field{}, "names no field: " + strconv.Quote(strings.TrimPrefix(prefix+"."+name, ".")) + " is not a field of the customer"
		}
		f = obj.Fields[i]
		prefix = strings.TrimPrefix(prefix+"."+name, ".")
		if indexed {
			k, err := strconv.Atoi(strings.TrimSuffix(index, "]"))
			if !strings.HasSuffix(index, "]") || err != nil || k < 0 || f.MaxItems() == 0 {
				return Field{}, "names no field: " + strconv.Quote(seg) + " is not a list item"
			}
			prefix += "[" + strconv.Itoa(k) + "]"
			if !hasPathWithin(paths, prefix) {
				return Field{}, "names no field: the customer has no " + prefix
			}
			if f.Kind == FieldFileIDList {
				f.Kind = FieldFileID
			}
		}
		if f.Object != "" {
			obj = objects[f.Object]
		}
	}
	return f, ""
}

func hasPathWithin(paths map[string]string, prefix string) bool {
	for p := range paths {
		if WithinPath(p, prefix) {
			return true
		}
	}
	return false
}

// WithinPath reports whether the path field is path or lies inside it.
func WithinPath(field, path string) bool {
	rest, ok := strings.CutPrefix(field, path)
	return ok && (rest == "" || rest[0] == '.' || rest[0] == '[')
}
