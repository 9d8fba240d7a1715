package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// setETag names the customer's version in the ETag header.
func setETag(w http.ResponseWriter, c kyb.Customer) {
	w.Header().Set("ETag", `"`+strconv.Itoa(max(c.Version, 1))+`"`)
}

// parseIfMatch reads If-Match: the ETag of a version ("3"), weak or not,
// or * (any version, as no header); 0 when absent.
func parseIfMatch(h string) (int, error) {
	h = strings.TrimSpace(h)
	if h == "" || h == "*" {
		return 0, nil
	}
	v := strings.Trim(strings.TrimPrefix(h, "W/"), `"`)
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || !strings.HasSuffix(h, `"`) {
		return 0, kyb.InvalidRequest("invalid_if_match", `If-Match must be the customer's ETag, such as "3"`)
	}
	return n, nil
}

// updateCustomer applies a JSON Merge Patch to one of the partner's
// customers.
func (s *Server) updateCustomer(w http.ResponseWriter, r *http.Request) error {
	infoFrom(r.Context()).customerID = r.PathValue("customer_id")
	ifMatch, err := parseIfMatch(r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	body, err := readJSONBody(w, r)
	if err != nil {
		return err
	}
	// The patch itself must be a JSON object; a key given twice in it is
	// reported here, as the merge would keep only one.
	var shape api.Profile
	patchErrs, err := decodeJSON(body, &shape)
	if err != nil {
		return err
	}
	var twice []api.FieldError
	for _, fe := range patchErrs {
		if fe.Message == "is given more than once" {
			twice = append(twice, fe)
		}
	}
	if len(twice) > 0 {
		return kyb.Invalid(twice)
	}
	c, replayed, err := s.service.UpdateCustomer(r.Context(), partnerID(r.Context()), r.PathValue("customer_id"),
		kyb.Update{IfMatch: ifMatch, Patch: body, Merge: s.mergeProfile})
	if err != nil {
		return err
	}
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	setETag(w, c)
	return writeJSON(w, http.StatusOK, newCustomerJSON(c))
}

// mergeProfile applies a merge patch to a profile and reads the result
// exactly as a create's body is read: every field that fails to decode
// and every rule it breaks, with full paths, at once.
func (s *Server) mergeProfile(current api.Profile, patch []byte) (api.Profile, error) {
	doc, err := json.Marshal(current)
	if err != nil {
		return api.Profile{}, err
	}
	merged, err := kyb.MergePatch(doc, patch)
	if err != nil {
		return api.Profile{}, kyb.InvalidRequest("invalid_json", "the request body is not valid JSON")
	}
	var p api.Profile
	decodeErrs, err := decodeJSON(merged, &p)
	if err != nil {
		return api.Profile{}, err
	}
	validation := kyb.ValidateProfile(&p, s.service.Now())
	if len(decodeErrs) > 0 {
		return p, withDecodeErrors(decodeErrs, validation)
	}
	return p, validation
}

func (s *Server) answerRequirement(w http.ResponseWriter, r *http.Request) error {
	var a api.Answer
	if err := readJSON(w, r, &a, nil); err != nil {
		return err
	}
	infoFrom(r.Context()).customerID = r.PathValue("customer_id")
	c, err := s.service.AnswerRequirement(r.Context(), partnerID(r.Context()), r.PathValue("customer_id"), r.PathValue("requirement_id"), a)
	if err != nil {
		return err
	}
	setETag(w, c)
	return writeJSON(w, http.StatusOK, newCustomerJSON(c))
}

func (s *Server) adminRequestInformation(w http.ResponseWriter, r *http.Request) error {
	var req kyb.RequirementsRequest
	if err := readJSON(w, r, &req, func() error { return req.Validate(s.service.Now()) }); err != nil {
		return err
	}
	infoFrom(r.Context()).customerID = r.PathValue("customer_id")
	c, err := s.service.RequestInformation(r.Context(), actorOf(r), r.PathValue("customer_id"), req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.adminCustomer(c))
}

func (s *Server) adminResolveRequirement(w http.ResponseWriter, r *http.Request) error {
	var res kyb.Resolution
	if err := readJSON(w, r, &res, nil); err != nil {
		return err
	}
	infoFrom(r.Context()).customerID = r.PathValue("customer_id")
	c, err := s.service.ResolveRequirement(r.Context(), actorOf(r), r.PathValue("customer_id"), r.PathValue("requirement_id"), res)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.adminCustomer(c))
}

// requirementJSON is a requirement as operators see it: with who asked,
// whether it is overdue and, once resolved, how, by whom and the answer.
type requirementJSON struct {
	api.Requirement
	CreatedBy      string `json:"created_by"`
	Overdue        bool   `json:"overdue"`
	ResolvedAt     string `json:"resolved_at,omitempty"`
	Resolution     string `json:"resolution,omitempty"`
	ResolvedByType string `json:"resolved_by_type,omitempty"`
	ResolvedByID   string `json:"resolved_by_id,omitempty"`
	Answer         string `json:"answer,omitempty"`
}

func (s *Server) newRequirementsJSON(rs []kyb.Requirement) []requirementJSON {
	now := s.service.Now()
	out := make([]requirementJSON, 0, len(rs))
	for _, r := range rs {
		j := requirementJSON{Requirement: r.View(), CreatedBy: r.CreatedBy, Overdue: r.Overdue(now), Resolution: r.Resolution,
			ResolvedByType: string(r.ResolvedBy.Type), ResolvedByID: r.ResolvedBy.ID, Answer: r.Answer}
		if !r.ResolvedAt.IsZero() {
			j.ResolvedAt = kyb.FormatTime(r.ResolvedAt)
		}
		out = append(out, j)
	}
	return out
}

// versionJSON is one version of a customer's profile; Profile is shown
// only when one version is read.
type versionJSON struct {
	Version     int          `json:"version"`
	CreatedAt   string       `json:"created_at"`
	ActorType   string       `json:"actor_type"`
	ActorID     string       `json:"actor_id"`
	BaseVersion int          `json:"base_version"`
	Changed     []string     `json:"changed"`
	CompareTo   int          `json:"compare_to,omitempty"`
	Profile     *api.Profile `json:"profile,omitempty"`
}

func newVersionJSON(v kyb.Version) versionJSON {
	return versionJSON{Version: v.Number, CreatedAt: kyb.FormatTime(v.CreatedAt), ActorType: string(v.Actor.Type), ActorID: v.Actor.ID,
		BaseVersion: v.BaseVersion, Changed: nonNil(v.Changed)}
}

// adminCustomerVersions lists a customer's versions with the paths each
// changed; it shows no personal data, so reading it is not recorded.
func (s *Server) adminCustomerVersions(w http.ResponseWriter, r *http.Request) error {
	infoFrom(r.Context()).customerID = r.PathValue("customer_id")
	vs, err := s.service.CustomerVersions(r.Context(), r.PathValue("customer_id"))
	if err != nil {
		return err
	}
	out := make([]versionJSON, 0, len(vs))
	for _, v := range vs {
		out = append(out, newVersionJSON(v))
	}
	return writeJSON(w, http.StatusOK, api.Data[versionJSON]{Data: out})
}

// adminCustomerVersion shows one version with its profile, and with
// compare_to the paths that differ from another version.
func (s *Server) adminCustomerVersion(w http.ResponseWriter, r *http.Request) error {
	infoFrom(r.Context()).customerID = r.PathValue("customer_id")
	params, errs := singleParams(r.URL.Query(), "compare_to")
	n, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || n < 1 {
		errs = append(errs, api.FieldError{Field: "version", Code: api.CodeInvalidValue, Message: "must be a version number from 1"})
	}
	compareTo := 0
	if v, ok := params["compare_to"]; ok {
		if compareTo, err = strconv.Atoi(v); err != nil || compareTo < 1 {
			errs = append(errs, api.FieldError{Field: "compare_to", Code: api.CodeInvalidValue, Message: "must be a version number from 1"})
		}
	}
	if len(errs) > 0 {
		return kyb.Invalid(errs)
	}
	v, err := s.service.ViewCustomerVersion(r.Context(), actorOf(r), r.PathValue("customer_id"), n, compareTo)
	if err != nil {
		return err
	}
	out := newVersionJSON(v)
	out.CompareTo, out.Profile = compareTo, &v.Profile
	return writeJSON(w, http.StatusOK, out)
}
