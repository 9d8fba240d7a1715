package kyb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/onboardkyb/onboard/internal/screening"
)

// Ongoing monitoring: when the set of list snapshots in force changes, a
// re-screening job screens every customer that is not rejected (and not
// erased) against it, in batches that the workers of every instance claim
// from the database. A batch is leased, so that one whose worker died
// comes back when the lease ends, and it is done once: its results and its
// mark commit together. A new hit on an active customer asks operators to
// review it again, with its status unchanged; partners hear nothing of it
// (no event, nothing in their view), as tipping-off rules require.

// PrefixRescreenJob starts every re-screening job id.
const PrefixRescreenJob = "rsj_"

// The audit actions of monitoring.
const (
	// ActionRescreenStarted records the start of a job, with the number of
	// customers it will screen.
	ActionRescreenStarted = "list.rescreen_started"
	// ActionRescreenFinished records the end of a job.
	ActionRescreenFinished = "list.rescreen_finished"
	// ActionCustomerRescreened records a re-screening that changed a
	// customer's hits (and, for an active one with a new hit, its mark
	// for review). A re-screening that finds what was found before only
	// renews the screening's time and snapshots.
	ActionCustomerRescreened = "customer.rescreened"
	// ActionCustomerReviewCleared records an operator clearing a
	// customer's mark for review.
	ActionCustomerReviewCleared = "customer.review_cleared"
)

// monitoringActor is who re-screens, in the audit trail.
var monitoringActor = Actor{Type: ActorSystem, ID: "monitoring"}

// RescreenJob is the re-screening of every customer against one set of
// snapshots, with its progress.
type RescreenJob struct {
	ID string
	// Snapshots are the snapshot ids in force, sorted: one job each.
	Snapshots []string
	// Customers and Batches are what the job set out to screen.
	Customers, Batches int
	// DoneCustomers and DoneBatches are what is done of it.
	DoneCustomers, DoneBatches int
	// Flagged counts the active customers marked for review.
	Flagged    int
	StartedAt  time.Time
	FinishedAt time.Time
	// SupersededAt is set when a newer set of snapshots came in force
	// before the job finished: its remaining batches are left to the
	// newer job, which screens everyone again.
	SupersededAt time.Time
}

// RescreenBatch is a part of a job leased to one worker: the customers
// with AfterID < id <= LastID when the job started.
type RescreenBatch struct {
	JobID           string
	Seq             int
	AfterID, LastID string
	Customers       int
	Owner           string
	LeaseUntil      time.Time
}

// RescreenResult is what re-screening found for one customer.
type RescreenResult struct {
	CustomerID string
	// Version is the customer's version that was screened: a customer
	// updated since keeps what its update's screening found.
	Version   int
	Screening *Screening
	// Risk is the customer's risk with the new screening.
	Risk Risk
	// Review, when set, is the reason to mark the customer for review; the
	// store marks it only if it is still active.
	Review string
	// Audit records a change of hits; nil when they are the same.
	Audit *AuditEvent
}

// MonitorStore keeps the re-screening jobs.
type MonitorStore interface {
	// StartRescreen returns the job of job.Snapshots, creating it when
	// there is none: the customers not rejected and not erased are cut,
	// in order of id, into batches of batchSize; every unfinished job of
	// other snapshots is marked superseded at job.StartedAt; audit is
	// recorded; all in one transaction. Instances starting it together
	// get the same job.
	StartRescreen(ctx context.Context, job RescreenJob, batchSize int, audit AuditEvent) (RescreenJob, error)
	// ClaimRescreenBatch leases to owner, until leaseUntil, the first
	// batch of the job that is not done and not leased at now (a lease
	// that ended is free again); ErrNotFound when there is none.
	ClaimRescreenBatch(ctx context.Context, jobID, owner string, now, leaseUntil time.Time) (RescreenBatch, error)
	// RescreenCustomers returns the customers of a batch that are still
	// not rejected and not erased, in order of id.
	RescreenCustomers(ctx context.Context, b RescreenBatch) ([]Customer, error)
	// CompleteRescreenBatch writes a batch's results (each customer's
	// sealed screening, its mark for review, its audit event) and marks
	// the batch done at at, in one transaction, if the batch is still
	// leased to b.Owner and not done; otherwise it writes nothing and
	// returns a conflict. Completing the job's last batch finishes the
	// job, with the finished audit event.
	CompleteRescreenBatch(ctx context.Context, b RescreenBatch, at time.Time, results []RescreenResult, finished AuditEvent) error
	// RescreenJobs returns up to limit jobs, newest first, with their
	// progress.
	RescreenJobs(ctx context.Context, limit int) ([]RescreenJob, error)
	// ClearReview clears the mark for review of audit.CustomerID with the
	// audit event; a customer not marked is ErrNotMarked.
	ClearReview(ctx context.Context, audit AuditEvent) (Customer, error)
}

// Monitoring's pace: how many customers a batch holds, and how long a
// worker holds a batch before another may take it over (a batch takes well
// under a second; the lease is how long a batch whose worker died waits).
const (
	RescreenBatchSize    = 100
	DefaultRescreenLease = 2 * time.Minute
)

// DefaultRescreenDelay is how long after a list import re-screening
// against it starts: every instance looks for new snapshots every 5
// seconds and then builds its index aside (a second or two for the full
// lists), so after it every new customer is screened against the new
// snapshots at create, and the job, which covers the customers that exist
// when it starts, leaves none out.
const DefaultRescreenDelay = 15 * time.Second

// WithRescreenDelay sets how long after a list import re-screening
// against it starts (DefaultRescreenDelay unless set).
func WithRescreenDelay(d time.Duration) Option {
	return func(s *Service) { s.rescreenDelay = max(d, 0) }
}

// WithRescreenLease sets how long a worker holds a re-screening batch
// before another may take it over (DefaultRescreenLease unless set).
func WithRescreenLease(d time.Duration) Option {
	return func(s *Service) {
		if d > 0 {
			s.rescreenLease = d
		}
	}
}

// WithRescreenBatch sets how many customers a re-screening batch of a new
// job holds (RescreenBatchSize unless set).
func WithRescreenBatch(n int) Option { return func(s *Service) { s.rescreenBatch = max(n, 1) } }

// reviewReason is what an operator reads on a customer marked for review:
// the reason, never the hit (the hits are in its screening).
func reviewReason(added int, snapshots []string) string {
	return fmt.Sprintf("re-screening against %s found %d new possible match(es); review the screening", strings.Join(snapshots, ", "), added)
}

// RescreenStep re-screens one batch of the job of the snapshots in force,
// starting the job if it is new. It answers false when there is nothing to
// do now: no list, no batch left to claim, or this instance's index of the
// lists not yet rebuilt for the newest snapshots.
func (s *Service) RescreenStep(ctx context.Context, owner string) (bool, error) {
	job, ix, err := s.currentRescreen(ctx)
	if err != nil || ix == nil || !job.FinishedAt.IsZero() {
		return false, err
	}
	now := s.Now().UTC()
	b, err := s.store.ClaimRescreenBatch(ctx, job.ID, owner, now, now.Add(s.rescreenLease))
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim a re-screening batch: %w", err)
	}
	customers, err := s.store.RescreenCustomers(ctx, b)
	if err != nil {
		return false, fmt.Errorf("read a re-screening batch: %w", err)
	}
	if err := s.withRejectedMatches(ctx, pointers(customers)...); err != nil {
		return false, err
	}
	at := s.Now().UTC().Truncate(time.Second)
	results := make([]RescreenResult, 0, len(customers))
	for _, c := range customers {
		results = append(results, s.rescreen(c, ix, job.Snapshots, at))
	}
	finished := newAuditEvent(s.Now().UTC(), monitoringActor, ActionRescreenFinished)
	finished.TargetID, finished.Reason = job.ID, "re-screened against "+strings.Join(job.Snapshots, ", ")
	if err := s.store.CompleteRescreenBatch(ctx, b, s.Now().UTC(), results, finished); err != nil {
		return false, fmt.Errorf("complete re-screening batch %d of %s: %w", b.Seq, b.JobID, err)
	}
	return true, nil
}

// currentRescreen returns the job of the snapshots in force, started if it
// is new, with the index to screen against; a nil index when there is no
// list or this instance's index is still of older snapshots.
func (s *Service) currentRescreen(ctx context.Context) (RescreenJob, *screening.Index, error) {
	snaps, err := s.store.ListSnapshots(ctx)
	if err != nil {
		return RescreenJob{}, nil, fmt.Errorf("rescreen: %w", err)
	}
	current, imported := snapshotsInForce(snaps)
	if len(current) == 0 || s.Now().Sub(imported) < s.rescreenDelay {
		return RescreenJob{}, nil, nil
	}
	ix, inHand, err := s.listIndex(ctx)
	if err != nil {
		return RescreenJob{}, nil, fmt.Errorf("rescreen: %w", err)
	}
	if !slices.Equal(snapshotIDs(inHand), current) {
		return RescreenJob{}, nil, nil
	}
	now := s.Now().UTC()
	audit := newAuditEvent(now, monitoringActor, ActionRescreenStarted)
	job := RescreenJob{ID: NewID(PrefixRescreenJob, now), Snapshots: current, StartedAt: now}
	audit.TargetID = job.ID
	if job, err = s.store.StartRescreen(ctx, job, s.rescreenBatch, audit); err != nil {
		return RescreenJob{}, nil, fmt.Errorf("start re-screening: %w", err)
	}
	return job, ix, nil
}

// snapshotsInForce returns the ids of the newest snapshot of each source,
// sorted, and when the last of them was imported.
func snapshotsInForce(snaps []ListSnapshot) (ids []string, imported time.Time) {
	current := newestOfEachList(snaps)
	for _, snap := range current {
		if snap.ImportedAt.After(imported) {
			imported = snap.ImportedAt
		}
	}
	return snapshotIDs(current), imported
}

// rescreen screens one customer again and compares its hits with those
// it had.
func (s *Service) rescreen(c Customer, ix *screening.Index, snapshots []string, at time.Time) RescreenResult {
	sc := screenAgainst(ix, s.risk.threshold(), snapshots, c.Profile, at)
	after := c
	after.Screening = sc
	r := RescreenResult{CustomerID: c.ID, Version: c.Version, Screening: sc, Risk: s.Risk(after)}
	added, gone := compareHits(c.Screening, sc)
	if added == 0 && gone == 0 {
		return r
	}
	audit := newAuditEvent(s.Now().UTC(), monitoringActor, ActionCustomerRescreened)
	audit.PartnerID, audit.CustomerID = c.PartnerID, c.ID
	audit.Reason = fmt.Sprintf("re-screened against %s: %d hit(s), %d new, %d no longer found", strings.Join(snapshots, ", "), len(sc.Hits), added, gone)
	if added > 0 && c.Status == StatusActive {
		r.Review = reviewReason(added, snapshots)
		audit.Reason += "; marked for review"
	}
	r.Audit = &audit
	return r
}

// compareHits counts the hits of after that before did not have, and
// those of before that after no longer has: a hit is its list entry and
// the field it matched.
func compareHits(before, after *Screening) (added, gone int) {
	key := func(h screening.Hit) string { return h.Source + "\x00" + h.EntryID + "\x00" + h.Field }
	had := map[string]bool{}
	if before != nil {
		for _, h := range before.Hits {
			had[key(h)] = true
		}
	}
	has := map[string]bool{}
	for _, h := range after.Hits {
		k := key(h)
		if has[k] {
			continue
		}
		has[k] = true
		if !had[k] {
			added++
		}
	}
	for k := range had {
		if !has[k] {
			gone++
		}
	}
	return added, gone
}

// RunRescreen re-screens batches until none is left to claim now, and
// returns how many it did.
func (s *Service) RunRescreen(ctx context.Context, owner string) (int, error) {
	n := 0
	for ctx.Err() == nil {
		worked, err := s.RescreenStep(ctx, owner)
		if err != nil || !worked {
			return n, err
		}
		n++
	}
	return n, ctx.Err()
}

// RescreenInForce returns the re-screening job of the snapshots in force,
// with false when it has not started (or no list was imported), and the
// snapshots in force.
func (s *Service) RescreenInForce(ctx context.Context) (RescreenJob, bool, []string, error) {
	snaps, err := s.store.ListSnapshots(ctx)
	if err != nil {
		return RescreenJob{}, false, nil, err
	}
	current, _ := snapshotsInForce(snaps)
	jobs, err := s.store.RescreenJobs(ctx, 1)
	if err != nil || len(jobs) == 0 || !slices.Equal(jobs[0].Snapshots, current) {
		return RescreenJob{}, false, current, err
	}
	return jobs[0], true, current, nil
}

// RescreenJobs returns up to limit re-screening jobs, newest first.
func (s *Service) RescreenJobs(ctx context.Context, limit int) ([]RescreenJob, error) {
	return s.store.RescreenJobs(ctx, limit)
}

// ErrNotMarked refuses to clear the mark for review of a customer that
// has none.
var ErrNotMarked = Conflict("review_not_requested", "the customer is not marked for review")

// ClearReview clears an operator-visible mark for review that monitoring
// (or an update) set on a customer, once an operator has looked: the
// customer keeps its status. The reason is required and audited. A
// customer whose risk is high keeps the mark until two different
// operators have cleared it (the two-person rule, as for its approval):
// the first clearance is recorded and the customer comes back still
// marked, with that approval in Approvals.
func (s *Service) ClearReview(ctx context.Context, actor Actor, customerID string, req ReviewClearance) (Customer, error) {
	if err := req.Validate(); err != nil {
		return Customer{}, err
	}
	c, err := s.changeable(ctx, customerID)
	if err != nil {
		return Customer{}, err
	}
	if !c.NeedsReview {
		return Customer{}, ErrNotMarked
	}
	if err := s.withRejectedMatches(ctx, &c); err != nil {
		return Customer{}, err
	}
	now := s.Now().UTC()
	if required := s.RequiredApprovals(c); required > 1 {
		audit := newAuditEvent(now, actor, ActionCustomerReviewClearanceRecorded)
		audit.PartnerID, audit.CustomerID = c.PartnerID, c.ID
		audit.FromStatus, audit.ToStatus, audit.Reason = c.Status, c.Status, req.Reason
		if c.Approvals, err = s.store.RecordApproval(ctx, audit); err != nil {
			return Customer{}, fmt.Errorf("record clearance of %s: %w", customerID, err)
		}
		if len(c.Approvals) < required {
			return c, nil
		}
	}
	audit := newAuditEvent(now, actor, ActionCustomerReviewCleared)
	audit.PartnerID, audit.CustomerID, audit.Reason = c.PartnerID, c.ID, req.Reason
	cleared, err := s.store.ClearReview(ctx, audit)
	if err != nil {
		return Customer{}, fmt.Errorf("clear review of %s: %w", customerID, err)
	}
	return cleared, nil
}

// ReviewClearance is an operator's word that a customer marked for review
// was looked at.
type ReviewClearance struct {
	Reason string `json:"reason"`
}

// Validate checks the request on its own: a reason is required.
func (r ReviewClearance) Validate() error { return requireReason(r.Reason) }
