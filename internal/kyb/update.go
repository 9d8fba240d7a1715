package kyb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/onboardkyb/onboard/api"
)

// Update is a partner's update of one of its customers: a JSON Merge Patch
// (RFC 7396) over the create shape.
type Update struct {
	// IfMatch is the version the partner read (If-Match), 0 when it gave
	// none: the update then applies to the latest.
	IfMatch int
	// Patch is the body, a JSON object.
	Patch []byte
	// Merge applies the patch to a profile and decodes the result as a
	// create's body is decoded, returning its decoding and validation
	// errors together (the HTTP layer's strict decoder).
	Merge func(current api.Profile, patch []byte) (api.Profile, error)
}

// ErrVersionMismatch is the failed precondition of an update or a
// decision whose If-Match names another version than the customer's.
func ErrVersionMismatch(current int) *Error {
	return &Error{Kind: KindPreconditionFailed, Code: "version_mismatch",
		Message: fmt.Sprintf("the customer is at version %d, not the one If-Match names: it changed since it was read; read it again", current)}
}

// updateReviewReason is the status_reason of an active customer an update sent
// back to review. Partners read it: it says what happens, never what
// screening found (tipping-off rules).
const updateReviewReason = "the update changed details that need review again"

// UpdateCustomer applies a merge patch to one of the partner's pending or
// active customers. The result is validated like a create and saved whole
// as the next version, or not at all. The same body again on the version
// it was made on is a replay: the same answer, replayed true, no new
// version. A change of a name, an identifier, a country, a person or a
// document is screened again, and sends an active customer back to review
// when it raises a new hit or risk flag.
func (s *Service) UpdateCustomer(ctx context.Context, partnerID, customerID string, u Update) (c Customer, replayed bool, err error) {
	digest := patchDigest(u.Patch)
	actor := Actor{ActorPartner, partnerID}
	c, err = s.retryChange(ctx, func() (CustomerChange, error) {
		replayed = false
		cur, err := s.store.Customer(ctx, partnerID, customerID)
		if err != nil {
			return CustomerChange{}, err
		}
		if !cur.ErasedAt.IsZero() {
			return CustomerChange{}, ErrErased(cur.ID)
		}
		if err := requestable(cur); err != nil {
			return CustomerChange{}, err
		}
		if u.IfMatch != 0 && u.IfMatch != cur.Version {
			if s.isReplay(ctx, cur, u.IfMatch, digest) {
				replayed = true
				return CustomerChange{}, errReplay{cur}
			}
			return CustomerChange{}, ErrVersionMismatch(cur.Version)
		}
		merged, err := u.Merge(cur.Profile, u.Patch)
		var errs []api.FieldError
		var ke *Error
		switch {
		case errors.As(err, &ke) && ke.Kind == KindInvalid && len(ke.Fields) > 0:
			errs = ke.Fields
		case err != nil:
			return CustomerChange{}, err
		}
		if merged.PartnerCustomerID != cur.Profile.PartnerCustomerID && !slices.ContainsFunc(errs, func(e api.FieldError) bool { return e.Field == "partner_customer_id" }) {
			errs = append([]api.FieldError{{Field: "partner_customer_id", Code: api.CodeInvalidValue, Message: "cannot change; it identifies the customer"}}, errs...)
		}
		if len(errs) > 0 {
			return CustomerChange{}, Invalid(errs)
		}
		if err := s.checkFileReferences(ctx, partnerID, merged); err != nil {
			return CustomerChange{}, err
		}
		NormalizeProfile(&merged)
		changed := ChangedPaths(cur.Profile, merged)
		if len(changed) == 0 {
			// Nothing changes: the customer as it is, no new version.
			replayed = s.isReplay(ctx, cur, cur.Version-1, digest)
			return CustomerChange{}, errReplay{cur}
		}
		return s.updateChange(ctx, actor, cur, merged, changed, digest)
	})
	var r errReplay
	if errors.As(err, &r) {
		return r.c, replayed, nil
	}
	return c, false, err
}

// errReplay stops retryChange with the customer as it is.
type errReplay struct{ c Customer }

func (errReplay) Error() string { return "replay" }

// isReplay reports whether the customer's version base+1 was made from a
// body with digest on version base, and is its latest.
func (s *Service) isReplay(ctx context.Context, c Customer, base int, digest string) bool {
	if base < 1 || c.Version != base+1 {
		return false
	}
	v, err := s.store.CustomerVersion(ctx, c.ID, c.Version)
	return err == nil && v.BaseVersion == base && v.PatchDigest != "" && v.PatchDigest == digest
}

// updateChange is the change an update makes: the new version, screening
// again when the change is risky, back to review when that raises a new
// concern, the requirements it resolves, audit and events.
func (s *Service) updateChange(ctx context.Context, actor Actor, cur Customer, merged api.Profile, changed []string, digest string) (CustomerChange, error) {
	now := s.Now().UTC()
	after := cur
	after.Profile, after.Fingerprint, after.Version = merged, Fingerprint(merged), cur.Version+1
	up := &ProfileUpdate{Profile: merged, Fingerprint: after.Fingerprint, Version: Version{
		Number: after.Version, CreatedAt: now.Truncate(time.Second), Actor: actor, BaseVersion: cur.Version, Changed: changed, PatchDigest: digest}}
	ch := CustomerChange{CustomerID: cur.ID, Version: cur.Version, Status: cur.Status, Update: up}
	a := newAuditEvent(now, actor, ActionCustomerUpdated)
	a.PartnerID, a.CustomerID, a.Reason = cur.PartnerID, cur.ID, changedReason(after.Version, changed)
	ch.Audit = append(ch.Audit, a)
	events := []string{api.EventCustomerUpdated}
	if riskyChange(changed) {
		sc, err := s.screenProfile(ctx, merged, now.Truncate(time.Second))
		if err != nil {
			return CustomerChange{}, err
		}
		if sc != nil {
			after.Screening = sc
		}
		up.Rescreened, up.Screening, up.RiskLevel = true, after.Screening, s.Risk(after).Level
		if sc != nil {
			a := newAuditEvent(now, Actor{ActorSystem, "screening"}, ActionCustomerRescreened)
			a.PartnerID, a.CustomerID, a.Reason = cur.PartnerID, cur.ID, "version "+strconv.Itoa(after.Version)
			ch.Audit = append(ch.Audit, a)
		}
		if newHits, newFlags := s.newConcerns(cur, after); cur.Status == StatusActive {
			if newHits > 0 {
				// A new hit asks operators to look with the status
				// unchanged and the partner told nothing, as monitoring
				// does: a status that moved on a hit would tell the
				// partner the name is listed (tipping-off).
				ch.MarkReview = reviewReason(newHits, after.Screening.Snapshots)
				a := newAuditEvent(now, Actor{ActorSystem, "screening"}, ActionCustomerRescreened)
				a.PartnerID, a.CustomerID, a.Reason = cur.PartnerID, cur.ID, "version "+strconv.Itoa(after.Version)+": marked for review"
				ch.Audit = append(ch.Audit, a)
			}
			if newFlags {
				// A new risk flag comes from what the partner sent and
				// tells it nothing it does not know: back to review, openly.
				ch.ToStatus, ch.StatusReason, ch.StatusAt = StatusPending, updateReviewReason, now
				a := newAuditEvent(now, Actor{ActorSystem, "screening"}, ActionCustomerStatusChanged)
				a.PartnerID, a.CustomerID, a.FromStatus, a.ToStatus, a.Reason = cur.PartnerID, cur.ID, StatusActive, StatusPending, updateReviewReason
				ch.Audit = append(ch.Audit, a)
				events = append(events, api.EventCustomerPending)
			}
		}
	}
	resolved, err := s.resolvedBy(ctx, cur, merged, changed)
	if err != nil {
		return CustomerChange{}, err
	}
	for _, r := range resolved {
		r.ResolvedAt, r.ResolvedBy = now.Truncate(time.Second), actor
		ch.Resolve = append(ch.Resolve, r)
		a := newAuditEvent(now, actor, ActionRequirementResolved)
		a.PartnerID, a.CustomerID, a.TargetID, a.Reason = cur.PartnerID, cur.ID, r.ID, r.Resolution
		ch.Audit = append(ch.Audit, a)
	}
	if len(resolved) > 0 {
		events = append(events, api.EventCustomerRequirementsUpdated)
	}
	ch.Events = func(c Customer) []Event {
		out := make([]Event, len(events))
		for i, t := range events {
			out[i] = newEvent(c, t, now)
		}
		return out
	}
	return ch, nil
}

// changedReason is the audit reason of an update: its version and the
// paths it changed, as many as MaxReasonLength allows.
func changedReason(version int, changed []string) string {
	reason := "version " + strconv.Itoa(version) + ": "
	for i, p := range changed {
		more := " and " + strconv.Itoa(len(changed)-i) + " more"
		sep := ", "
		if i == 0 {
			sep = ""
		}
		if len(reason)+len(sep)+len(p)+len(" and 999 more") > MaxReasonLength {
			return reason + more
		}
		reason += sep + p
	}
	return reason
}

// riskyChange reports whether a change touches what screening and the
// risk flags read: names, identifiers, countries, people, documents and
// their dates. A website, an address line, the contact or the usage's
// description and amounts are not.
func riskyChange(changed []string) bool {
	for _, p := range changed {
		switch {
		case strings.HasPrefix(p, "business_person_list"),
			strings.HasPrefix(p, "business_details.") && p != "business_details.website",
			strings.Contains(p, "country"):
			return true
		}
	}
	return false
}

// newConcerns counts the screening hits after has that before did not, and
// reports whether it has a risk flag before did not: concerns a reviewer
// has not judged.
func (s *Service) newConcerns(before, after Customer) (hits int, flags bool) {
	type hitKey struct{ source, entry, field string }
	seen := map[hitKey]bool{}
	if before.Screening != nil {
		for _, h := range before.Screening.Hits {
			seen[hitKey{h.Source, h.EntryID, h.Field}] = true
		}
	}
	if after.Screening != nil {
		for _, h := range after.Screening.Hits {
			if !seen[hitKey{h.Source, h.EntryID, h.Field}] {
				hits++
			}
		}
	}
	flagged := map[string]bool{}
	for _, f := range s.Risk(before).Flags {
		flagged[f.Code+" "+f.Field] = true
	}
	for _, f := range s.Risk(after).Flags {
		if !flagged[f.Code+" "+f.Field] {
			flags = true
		}
	}
	return hits, flags
}

// resolvedBy returns the open requirements an update resolves: a field
// item whose field changed, a document item when a file of its type was
// added (in its field, when it names one).
func (s *Service) resolvedBy(ctx context.Context, cur Customer, merged api.Profile, changed []string) ([]Requirement, error) {
	if len(cur.Requirements) == 0 {
		return nil, nil
	}
	before := referencedFiles(cur.Profile)
	var added []fileReference
	for _, r := range fileReferences(merged) {
		if !slices.Contains(before, r.id) {
			added = append(added, r)
		}
	}
	var types map[string]File
	if len(added) > 0 {
		ids := make([]string, len(added))
		for i, r := range added {
			ids[i] = r.id
		}
		var err error
		if types, err = s.store.Files(ctx, cur.PartnerID, ids); err != nil {
			return nil, fmt.Errorf("read added files: %w", err)
		}
	}
	var out []Requirement
	for _, r := range cur.Requirements {
		switch r.Kind {
		case api.RequirementField:
			if slices.ContainsFunc(changed, func(p string) bool { return WithinPath(p, r.Field) || WithinPath(r.Field, p) }) {
				r.Resolution = ResolvedByUpdate
				out = append(out, r)
			}
		case api.RequirementDocument:
			if slices.ContainsFunc(added, func(a fileReference) bool {
				return types[a.id].Type == r.FileType && (r.Field == "" || WithinPath(a.field, r.Field) || WithinPath(r.Field, a.field))
			}) {
				r.Resolution = ResolvedByFile
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// patchDigest identifies an update's body whatever its whitespace.
func patchDigest(patch []byte) string {
	var b bytes.Buffer
	if json.Compact(&b, patch) != nil {
		b.Reset()
		b.Write(patch)
	}
	sum := sha256.Sum256(b.Bytes())
	return hex.EncodeToString(sum[:])
}

// MergePatch applies a JSON Merge Patch (RFC 7396) to doc: the patch's
// members replace the document's, null removes one, an object merges into
// an object and anything else, arrays included, replaces whole. Numbers
// keep their digits.
func MergePatch(doc, patch []byte) ([]byte, error) {
	var d, p any
	if err := unmarshalNumbers(doc, &d); err != nil {
		return nil, err
	}
	if err := unmarshalNumbers(patch, &p); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(mergeValue(d, p)); err != nil {
		return nil, err
	}
	return bytes.TrimSpace(out.Bytes()), nil
}

func mergeValue(target, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	tm, ok := target.(map[string]any)
	if !ok {
		tm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(tm, k)
			continue
		}
		tm[k] = mergeValue(tm[k], v)
	}
	return tm
}

func unmarshalNumbers(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

// ChangedPaths lists the paths, in the notation of validation errors, of
// the values that differ between two profiles, sorted: a leaf given in one
// and not the other, or given with another value.
func ChangedPaths(before, after api.Profile) []string {
	a, b := profilePaths(before), profilePaths(after)
	var out []string
	for p, v := range a {
		if w, ok := b[p]; !ok || w != v {
			out = append(out, p)
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// profilePaths flattens a profile to its leaves: each path with its value
// as JSON.
func profilePaths(p api.Profile) map[string]string {
	b, err := json.Marshal(p)
	if err != nil {
		panic("kyb: marshal profile: " + err.Error())
	}
	var v any
	if err := unmarshalNumbers(b, &v); err != nil {
		panic("kyb: read profile: " + err.Error())
	}
	out := map[string]string{}
	var walk func(at string, v any)
	walk = func(at string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				walk(strings.TrimPrefix(at+"."+k, "."), e)
			}
		case []any:
			for i, e := range v {
				walk(at+"["+strconv.Itoa(i)+"]", e)
			}
		default:
			b, _ := json.Marshal(v)
			out[at] = string(b)
		}
	}
	walk("", v)
	return out
}

// CustomerVersions lists the versions of any partner's customer, oldest
// first, with the paths each changed; a customer never updated has its
// create alone. It shows no personal data.
func (s *Service) CustomerVersions(ctx context.Context, customerID string) ([]Version, error) {
	c, err := s.store.CustomerByID(ctx, customerID)
	if err != nil {
		return nil, err
	}
	vs, err := s.store.CustomerVersions(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		vs = []Version{firstVersion(c)}
	}
	return vs, nil
}

func firstVersion(c Customer) Version {
	return Version{Number: 1, CreatedAt: c.CreatedAt, Actor: Actor{ActorPartner, c.PartnerID}, Changed: []string{}, Profile: c.Profile}
}

// ViewCustomerVersion returns one version of any partner's customer with
// its profile, to an operator, recording the read. compareTo, when not 0,
// is another version: Changed then lists the paths that differ between
// the two.
func (s *Service) ViewCustomerVersion(ctx context.Context, actor Actor, customerID string, n, compareTo int) (Version, error) {
	c, err := s.store.CustomerByID(ctx, customerID)
	if err != nil {
		return Version{}, err
	}
	get := func(n int) (Version, error) {
		if n < 1 || n > c.Version {
			return Version{}, NotFound("version")
		}
		if c.Version == 1 {
			return firstVersion(c), nil
		}
		return s.store.CustomerVersion(ctx, c.ID, n)
	}
	v, err := get(n)
	if err != nil {
		return Version{}, err
	}
	if compareTo != 0 {
		other, err := get(compareTo)
		if err != nil {
			return Version{}, err
		}
		v.Changed = ChangedPaths(other.Profile, v.Profile)
	}
	if err := s.recordViews(ctx, actor, ActionCustomerViewed, c); err != nil {
		return Version{}, err
	}
	return v, nil
}
