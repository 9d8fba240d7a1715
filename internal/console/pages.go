package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/screening"
)

// queuePageSize is how many customers a queue page shows.
const queuePageSize = 25

// actor is who the audit trail records for the console's operator.
func actor(op kyb.Operator) kyb.Actor { return kyb.Actor{Type: kyb.ActorOperator, ID: op.ID} }

// queueFilters are the queue's filters as the form holds them.
type queueFilters struct {
	Status, Partner, Risk, Hits, Waiting, Review, From, To string
}

// queueRow is one customer of the queue.
type queueRow struct {
	ID, Name, PartnerName, Status string
	Created                       time.Time
	Age                           string
	Risk                          string
	Flags, Hits                   int
	// AwaitingPartner: an information request is open; NeedsReview:
	// monitoring found a new hit on the active customer.
	AwaitingPartner, NeedsReview bool
}

type queueData struct {
	Filters  queueFilters
	Partners []kyb.Partner
	Statuses []string
	Risks    []string
	// Counts are the customers in each status, of the partner filtered
	// on or of all.
	Counts []statusCount
	Rows   []queueRow
	// Next is the address of the next page; First that of the first,
	// when this is not it.
	Next, First string
}

// statusCount is how many customers have a status.
type statusCount struct {
	Status string
	N      int
}

var statuses = []string{string(kyb.StatusPending), string(kyb.StatusActive), string(kyb.StatusRejected), string(kyb.StatusSuspended)}

// queue lists customers oldest first, pending ones by default.
func (c *Console) queue(w http.ResponseWriter, r *http.Request, op kyb.Operator) error {
	params := r.URL.Query()
	f := queueFilters{Status: params.Get("status"), Partner: params.Get("partner"), Risk: params.Get("risk"), Hits: params.Get("hits"),
		Waiting: params.Get("waiting"), Review: params.Get("review"), From: params.Get("from"), To: params.Get("to")}
	if !params.Has("status") {
		f.Status = string(kyb.StatusPending)
	}
	q := kyb.CustomerQuery{Limit: queuePageSize, OldestFirst: true, PartnerID: f.Partner}
	var problems []string
	switch {
	case f.Status == "":
	case slices.Contains(statuses, f.Status):
		q.Status = kyb.Status(f.Status)
	default:
		problems = append(problems, "Status must be one of "+strings.Join(statuses, ", ")+".")
	}
	switch {
	case f.Risk == "":
	case slices.Contains(kyb.RiskLevels, f.Risk):
		q.RiskLevel = f.Risk
	default:
		problems = append(problems, "Risk must be one of "+strings.Join(kyb.RiskLevels, ", ")+".")
	}
	// either reads a filter of two values (or none) as yes-or-no.
	either := func(v, yes, no, problem string) *bool {
		switch v {
		case "":
			return nil
		case yes, no:
			b := v == yes
			return &b
		}
		problems = append(problems, problem)
		return nil
	}
	q.HasHits = either(f.Hits, "yes", "no", "Screening must be yes or no.")
	q.AwaitingPartner = either(f.Waiting, "partner", "reviewers", "Waiting must be reviewers or partner.")
	switch f.Review {
	case "":
	case "marked":
		q.NeedsReview = true
	default:
		problems = append(problems, "Review must be marked.")
	}
	if f.Partner != "" && !kyb.IsID(f.Partner, kyb.PrefixPartner) {
		problems = append(problems, "Partner must be a partner id.")
	}
	for _, d := range []struct {
		label, v string
		into     *time.Time
		add      time.Duration
	}{{"From", f.From, &q.CreatedAfter, -time.Nanosecond}, {"To", f.To, &q.CreatedBefore, 24 * time.Hour}} {
		if d.v == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, d.v)
		if err != nil {
			problems = append(problems, d.label+" must be a date such as 2026-01-31.")
			continue
		}
		*d.into = t.Add(d.add)
	}
	if after := params.Get("after"); after != "" {
		if !kyb.IsID(after, kyb.PrefixCustomer) {
			problems = append(problems, "The page link is not valid; start from the first page.")
		}
		q.StartingAfter = after
	}
	if len(problems) > 0 {
		return &pageError{status: http.StatusBadRequest, message: strings.Join(problems, " "), back: "/console/"}
	}
	partners, err := c.svc.Partners(r.Context())
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, p := range partners {
		names[p.ID] = p.Name
	}
	pg, err := c.svc.ViewCustomers(r.Context(), actor(op), q)
	if err != nil {
		return err
	}
	counts, err := c.svc.StatusCounts(r.Context(), f.Partner)
	if err != nil {
		return err
	}
	d := queueData{Filters: f, Partners: partners, Statuses: statuses, Risks: kyb.RiskLevels}
	for _, st := range statuses {
		d.Counts = append(d.Counts, statusCount{st, counts[kyb.Status(st)]})
	}
	now := c.svc.Now()
	for _, cust := range pg.Customers {
		risk := c.svc.Risk(cust)
		row := queueRow{ID: cust.ID, Name: businessName(cust.Profile), PartnerName: names[cust.PartnerID], Status: string(cust.Status),
			Created: cust.CreatedAt, Age: age(now.Sub(cust.CreatedAt)), Risk: risk.Level, Flags: len(risk.Flags), AwaitingPartner: cust.OpenRequirements > 0, NeedsReview: cust.NeedsReview}
		if cust.Screening != nil {
			row.Hits = len(cust.Screening.Hits)
		}
		d.Rows = append(d.Rows, row)
	}
	keep := url.Values{}
	for k, v := range map[string]string{"status": f.Status, "partner": f.Partner, "risk": f.Risk, "hits": f.Hits, "waiting": f.Waiting, "review": f.Review, "from": f.From, "to": f.To} {
		if v != "" || k == "status" {
			keep.Set(k, v)
		}
	}
	if pg.HasMore && len(pg.Customers) > 0 {
		next := url.Values{}
		for k, v := range keep {
			next[k] = v
		}
		next.Set("after", pg.Customers[len(pg.Customers)-1].ID)
		d.Next = "/console/?" + next.Encode()
	}
	if q.StartingAfter != "" {
		d.First = "/console/?" + keep.Encode()
	}
	c.render(w, r, http.StatusOK, "queue", page{Title: "Review queue", Data: d})
	return nil
}

func businessName(p api.Profile) string {
	if d := p.BusinessDetails; d != nil {
		if d.BusinessName != "" {
			return d.BusinessName
		}
		return d.BusinessNameEnglish
	}
	return ""
}

// age says how long ago, roughly.
func age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// document is a file the application names, with its metadata.
type document struct {
	ID, Type, ContentType, Field string
	Size                         int64
	Uploaded                     time.Time
	Missing                      bool
}

// Image says whether the browser may show the document inline.
func (d document) Image() bool { return strings.HasPrefix(d.ContentType, "image/") }

// hitView is a screening hit beside its list entry.
type hitView struct {
	screening.Hit
	Entry    screening.Entry
	HasEntry bool
}

// timelineItem is one thing that happened to the customer.
type timelineItem struct {
	At     time.Time
	What   string
	Who    string
	Detail string
	// EventID is set on failed deliveries, which may be sent again.
	EventID string
}

// action is a decision the customer's status allows.
type action struct {
	Status, Label string
}

type customerData struct {
	Customer kyb.Customer
	Partner  string
	Risk     kyb.Risk
	Business []document
	// People holds each person's documents, by index.
	People   [][]document
	Hits     []hitView
	Timeline []timelineItem
	Actions  []action
	Notice   string
	// Approvals are those recorded while the customer awaits a second (of
	// clearing its mark for review, when it is active and marked);
	// Required how many different operators must approve it.
	Approvals []kyb.Approval
	Required  int
	// CanRequest says whether information may be requested (pending or
	// active); Requirements are the open requests, FileTypes the
	// document types one may ask for.
	CanRequest   bool
	Requirements []kyb.Requirement
	FileTypes    []kyb.FileType
}

// notices are the messages a redirect after an action may show.
var notices = map[string]string{
	"active":      "Approved: the customer is active.",
	"pending":     "Your approval is recorded. The customer's risk is high, so it stays pending until a second operator approves it too.",
	"awaiting":    "Your approval is recorded. The customer's risk is high, so it stays suspended until a second operator approves its reactivation too.",
	"rejected":    "Rejected.",
	"suspended":   "Suspended.",
	"redelivered": "The event is queued for delivery again.",
	"cleared":     "The mark for review is cleared; the customer keeps its status.",
	"clearance":   "Your clearance is recorded. The customer's risk is high, so it stays marked for review until a second operator clears it too.",
	"requested":   "Information requested: the partner is told by webhook, and the customer waits for its answer.",
}

func (c *Console) customer(w http.ResponseWriter, r *http.Request, op kyb.Operator) error {
	ctx := r.Context()
	cust, err := c.svc.ViewCustomer(ctx, actor(op), r.PathValue("customer_id"))
	if err != nil {
		return err
	}
	d := customerData{Customer: cust, Risk: c.svc.Risk(cust), Notice: notices[r.URL.Query().Get("done")],
		Approvals: cust.Approvals, Required: c.svc.RequiredApprovals(cust), Requirements: cust.Requirements, FileTypes: kyb.FileTypes,
		CanRequest: cust.ErasedAt.IsZero() && (cust.Status == kyb.StatusPending || cust.Status == kyb.StatusActive)}
	if p, err := c.svc.Partner(ctx, cust.PartnerID); err == nil {
		d.Partner = p.Name
	}
	if bd := cust.Profile.BusinessDetails; bd != nil {
		d.Business = c.documents(ctx, cust.PartnerID, "business_identifier_document_list", bd.BusinessIdentifierDocumentList...)
	}
	for _, person := range cust.Profile.BusinessPersonList {
		var docs []document
		if id := person.Identification; id != nil {
			docs = append(docs, c.documents(ctx, cust.PartnerID, "id_document_front_file_id", id.DocumentFrontFileID)...)
			docs = append(docs, c.documents(ctx, cust.PartnerID, "id_document_back_file_id", id.DocumentBackFileID)...)
		}
		d.People = append(d.People, docs)
	}
	if cust.Screening != nil {
		entries, err := c.svc.HitEntries(ctx, cust.Screening)
		if err != nil {
			return err
		}
		for _, h := range cust.Screening.Hits {
			e, ok := entries[h.Source+"/"+h.EntryID]
			d.Hits = append(d.Hits, hitView{Hit: h, Entry: e, HasEntry: ok})
		}
	}
	if d.Timeline, err = c.timeline(ctx, op, cust); err != nil {
		return err
	}
	for _, a := range []action{{"active", "Approve"}, {"rejected", "Reject"}, {"suspended", "Suspend"}} {
		if cust.Status.CanBecome(kyb.Status(a.Status)) {
			if a.Status == "active" && cust.Status == kyb.StatusSuspended {
				a.Label = "Reactivate"
			}
			d.Actions = append(d.Actions, a)
		}
	}
	c.render(w, r, http.StatusOK, "customer", page{Title: businessName(cust.Profile), Data: d})
	return nil
}

// documents returns the metadata of the files an application names.
func (c *Console) documents(ctx context.Context, partnerID, field string, ids ...string) []document {
	var out []document
	for _, id := range ids {
		if id == "" {
			continue
		}
		f, err := c.svc.File(ctx, partnerID, id)
		if err != nil {
			out = append(out, document{ID: id, Field: field, Missing: true})
			continue
		}
		out = append(out, document{ID: f.ID, Field: field, Type: string(f.Type), ContentType: f.ContentType, Size: f.Size, Uploaded: f.CreatedAt})
	}
	return out
}

// timeline merges the customer's audit trail, its webhook events and
// their delivery attempts, oldest first.
func (c *Console) timeline(ctx context.Context, op kyb.Operator, cust kyb.Customer) ([]timelineItem, error) {
	trail, err := c.svc.AuditTrail(ctx, kyb.AuditFilter{CustomerID: cust.ID})
	if err != nil {
		return nil, err
	}
	ops, err := c.svc.Operators(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, o := range ops {
		names[o.ID] = o.Name
	}
	var items []timelineItem
	for _, e := range trail {
		if e.Action == kyb.ActionCustomerViewed || e.Action == kyb.ActionCustomerEventsViewed {
			continue // every page view; the audit API lists them
		}
		who := string(e.Actor.Type) + " " + e.Actor.ID
		if name, ok := names[e.Actor.ID]; ok && e.Actor.Type == kyb.ActorOperator {
			who = name + " (" + e.Actor.ID + ")"
		}
		it := timelineItem{At: e.At, What: e.Action, Who: who, Detail: e.Reason}
		switch e.Action {
		case kyb.ActionCustomerStatusChanged:
			it.What = fmt.Sprintf("status %s → %s", e.FromStatus, e.ToStatus)
		case kyb.ActionCustomerApprovalRecorded:
			it.What = "approval recorded, awaiting a second"
		case kyb.ActionCustomerReviewClearanceRecorded:
			it.What = "clearance of the mark for review recorded, awaiting a second"
		}
		items = append(items, it)
	}
	events, err := c.svc.ViewCustomerEvents(ctx, actor(op), cust.ID)
	if err != nil {
		return nil, err
	}
	for _, ev := range events {
		items = append(items, timelineItem{At: ev.CreatedAt, What: "webhook event " + ev.Type, Who: "system", Detail: ev.ID + " (sequence " + strconv.FormatInt(ev.Sequence, 10) + ")"})
		deliveries, err := c.svc.Deliveries(ctx, "", ev.ID)
		if err != nil {
			return nil, err
		}
		for _, dl := range deliveries {
			for _, at := range dl.Attempts {
				detail := dl.URL
				if at.StatusCode != 0 {
					detail += " answered " + strconv.Itoa(at.StatusCode)
				}
				if at.Error != "" {
					detail += ": " + at.Error
				}
				items = append(items, timelineItem{At: at.At, What: "delivery attempt of " + ev.Type, Who: "relay", Detail: detail})
			}
			if dl.Status == kyb.DeliveryFailed {
				items = append(items, timelineItem{At: dl.CreatedAt, What: "delivery failed: " + ev.Type, Who: "relay", Detail: dl.URL, EventID: ev.ID})
			}
		}
	}
	slices.SortStableFunc(items, func(a, b timelineItem) int { return a.At.Compare(b.At) })
	return items, nil
}

// changeStatus decides on a customer: the status the button names, with
// the reason typed beside it.
func (c *Console) changeStatus(w http.ResponseWriter, r *http.Request, op kyb.Operator) error {
	id := r.PathValue("customer_id")
	back := "/console/customers/" + url.PathEscape(id)
	status := kyb.Status(r.PostForm.Get("status"))
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	if reason == "" {
		return &pageError{status: http.StatusBadRequest, message: "Give a reason for the decision: it is recorded and shown to the partner.", back: back}
	}
	// The decision is of the version the page showed.
	version, err := strconv.Atoi(r.PostForm.Get("version"))
	if err != nil || version < 1 {
		return &pageError{status: http.StatusBadRequest, message: "The form lacks the customer's version: load the page again.", back: back}
	}
	cust, err := c.svc.ChangeStatus(r.Context(), actor(op), id, kyb.StatusChange{Status: status, Reason: reason, IfMatch: version})
	if kyb.ErrorKind(err) == kyb.KindPreconditionFailed {
		return &pageError{status: http.StatusConflict, message: "The customer changed since this page was loaded: look at it again before deciding.", back: back}
	}
	if err != nil {
		return orPage(err, back)
	}
	done := string(cust.Status)
	if cust.Status == kyb.StatusSuspended && len(cust.Approvals) > 0 {
		done = "awaiting" // a reactivation that needs a second approval
	}
	http.Redirect(w, r, back+"?done="+url.QueryEscape(done), http.StatusSeeOther)
	return nil
}

// requestInformation asks the partner for one item: a field to correct,
// a document to provide or a question to answer.
func (c *Console) requestInformation(w http.ResponseWriter, r *http.Request, op kyb.Operator) error {
	id := r.PathValue("customer_id")
	back := "/console/customers/" + url.PathEscape(id)
	item := kyb.RequirementItem{Kind: r.PostForm.Get("kind"), Field: strings.TrimSpace(r.PostForm.Get("field")),
		FileType: r.PostForm.Get("file_type"), Message: strings.TrimSpace(r.PostForm.Get("message"))}
	if due := r.PostForm.Get("due"); due != "" {
		t, err := time.Parse(time.DateOnly, due)
		if err != nil {
			return &pageError{status: http.StatusBadRequest, message: "The due date must be a date such as 2026-01-31.", back: back}
		}
		// Due at the end of that day, in UTC.
		item.DueAt = t.Add(24*time.Hour - time.Second).Format(time.RFC3339)
	}
	if _, err := c.svc.RequestInformation(r.Context(), actor(op), id, kyb.RequirementsRequest{Items: []kyb.RequirementItem{item}}); err != nil {
		return orPage(err, back)
	}
	http.Redirect(w, r, back+"?done=requested", http.StatusSeeOther)
	return nil
}

// clearReview clears the mark monitoring put on an active customer with a
// new screening hit, once an operator has looked and keeps its status.
func (c *Console) clearReview(w http.ResponseWriter, r *http.Request, op kyb.Operator) error {
	id := r.PathValue("customer_id")
	back := "/console/customers/" + url.PathEscape(id)
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	cust, err := c.svc.ClearReview(r.Context(), actor(op), id, kyb.ReviewClearance{Reason: reason})
	if err != nil {
		return orPage(err, back)
	}
	done := "cleared"
	if cust.NeedsReview {
		done = "clearance" // a high-risk customer's mark needs a second operator
	}
	http.Redirect(w, r, back+"?done="+done, http.StatusSeeOther)
	return nil
}

// asPageError turns the service's answer to something the operator did
// into a page that leads back to where they did it.
func asPageError(err error, back string) *pageError {
	switch kyb.ErrorKind(err) {
	case kyb.KindInvalid, kyb.KindConflict, kyb.KindNotFound, kyb.KindForbidden:
		pe := &pageError{status: statusOf(err), message: err.Error(), back: back}
		return pe
	}
	return nil
}

// document serves a file the customer's application names, audited as a
// read, under a policy that runs nothing it holds.
func (c *Console) document(w http.ResponseWriter, r *http.Request, op kyb.Operator) error {
	ctx := r.Context()
	cust, err := c.svc.CustomerForOperator(ctx, r.PathValue("customer_id"))
	if err != nil {
		return err
	}
	fileID := r.PathValue("file_id")
	if !kyb.ReferencesFile(cust.Profile, fileID) {
		return kyb.NotFound("file")
	}
	f, content, err := c.svc.ViewFileContent(ctx, actor(op), cust.PartnerID, fileID)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(content)))
	h.Set("Content-Security-Policy", documentPolicy)
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Cache-Control", "private, no-store")
	disposition := "inline"
	if r.URL.Query().Get("download") != "" {
		disposition = "attachment"
	}
	h.Set("Content-Disposition", fmt.Sprintf("%s; filename=%q", disposition, f.ID+extension(f.ContentType)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(content)
	return err
}

func extension(contentType string) string {
	switch contentType {
	case "application/pdf":
		return ".pdf"
	case "image/png":
		return ".png"
	case "image/jpeg":
		return ".jpg"
	}
	return ""
}
