package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// skipLocked ends a SELECT of queue rows that concurrent workers share:
// each takes rows no other holds, without waiting (PostgreSQL). SQLite has
// one writer at a time and needs nothing.
func (d Dialect) skipLocked() string {
	if d.ForUpdate == "" {
		return ""
	}
	return d.ForUpdate + " SKIP LOCKED"
}

const rescreenJobColumns = "id, snapshots, customers, batches, flagged, started_at, finished_at, superseded_at"

func scanRescreenJob(r Row) (kyb.RescreenJob, error) {
	var j kyb.RescreenJob
	var snapshots string
	var started, finished, superseded Time
	if err := r.Scan(&j.ID, &snapshots, &j.Customers, &j.Batches, &j.Flagged, &started, &finished, &superseded); err != nil {
		return kyb.RescreenJob{}, err
	}
	j.Snapshots = strings.Fields(snapshots)
	j.StartedAt, j.FinishedAt, j.SupersededAt = started.T, finished.T, superseded.T
	return j, nil
}

// StartRescreen returns the job of job.Snapshots, creating it with its
// batches when there is none.
func (c *Core) StartRescreen(ctx context.Context, job kyb.RescreenJob, batchSize int, audit kyb.AuditEvent) (kyb.RescreenJob, error) {
	key := strings.Join(job.Snapshots, " ")
	byKey := func(q Queryer) (kyb.RescreenJob, error) {
		return scanRescreenJob(q.QueryRow(ctx, "SELECT "+rescreenJobColumns+" FROM rescreen_jobs WHERE snapshots = ?", key))
	}
	existing, err := byKey(c.Read)
	if err == nil || !errors.Is(err, ErrNoRows) {
		return existing, err
	}
	var started kyb.RescreenJob
	err = c.transactAudited(ctx, func(tx Queryer) error {
		n, err := tx.Exec(ctx, `INSERT INTO rescreen_jobs (id, snapshots, customers, batches, started_at) VALUES (?, ?, 0, 0, ?)
			ON CONFLICT (snapshots) DO NOTHING`, job.ID, key, c.Dialect.Time(job.StartedAt))
		if err != nil {
			return fmt.Errorf("insert re-screening job: %w", err)
		}
		if n == 0 {
			// Another instance started it first.
			started, err = byKey(tx)
			return err
		}
		customers, batches, err := c.cutRescreenBatches(ctx, tx, job.ID, batchSize)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE rescreen_jobs SET customers = ?, batches = ?, finished_at = ? WHERE id = ?",
			customers, batches, finishedIfEmpty(c.Dialect, batches, job.StartedAt), job.ID); err != nil {
			return fmt.Errorf("count re-screening job: %w", err)
		}
		if _, err := tx.Exec(ctx, "UPDATE rescreen_jobs SET superseded_at = ? WHERE id <> ? AND finished_at IS NULL AND superseded_at IS NULL",
			c.Dialect.Time(job.StartedAt), job.ID); err != nil {
			return fmt.Errorf("supersede re-screening jobs: %w", err)
		}
		audit.Reason = fmt.Sprintf("re-screening %d customer(s) in %d batch(es) against %s", customers, batches, key)
		if err := InsertAudit(ctx, c.Dialect, tx, audit); err != nil {
			return err
		}
		started, err = byKey(tx)
		return err
	})
	return started, err
}

func finishedIfEmpty(d Dialect, batches int, at time.Time) any {
	if batches == 0 {
		return d.Time(at)
	}
	return nil
}

// cutRescreenBatches stores the batches of a new job: the customers to
// re-screen, in order of id, batchSize at a time.
func (c *Core) cutRescreenBatches(ctx context.Context, tx Queryer, jobID string, batchSize int) (customers, batches int, err error) {
	rows, err := tx.Query(ctx, "SELECT id FROM customers WHERE status <> ? AND erased_at IS NULL ORDER BY id", kyb.StatusRejected)
	if err != nil {
		return 0, 0, fmt.Errorf("select customers to re-screen: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, 0, fmt.Errorf("scan customer to re-screen: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, fmt.Errorf("select customers to re-screen: %w", err)
	}
	// The batches go in entriesPerStatement at a time: a million
	// customers make ten thousand batches, not as many round trips.
	var args []any
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		values := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?), ", len(args)/5), ", ")
		if _, err := tx.Exec(ctx, "INSERT INTO rescreen_batches (job_id, seq, after_id, last_id, customers) VALUES "+values, args...); err != nil {
			return fmt.Errorf("insert re-screening batches: %w", err)
		}
		args = args[:0]
		return nil
	}
	after := ""
	for start := 0; start < len(ids); start += batchSize {
		chunk := ids[start:min(start+batchSize, len(ids))]
		last := chunk[len(chunk)-1]
		batches++
		args = append(args, jobID, batches, after, last, len(chunk))
		after = last
		if len(args) == 5*entriesPerStatement {
			if err := flush(); err != nil {
				return 0, 0, err
			}
		}
	}
	return len(ids), batches, flush()
}

// ClaimRescreenBatch leases the first free batch of a job to owner.
func (c *Core) ClaimRescreenBatch(ctx context.Context, jobID, owner string, now, leaseUntil time.Time) (kyb.RescreenBatch, error) {
	var b kyb.RescreenBatch
	err := c.Transact(ctx, func(tx Queryer) error {
		err := tx.QueryRow(ctx, `SELECT job_id, seq, after_id, last_id, customers FROM rescreen_batches
			WHERE job_id = ? AND done_at IS NULL AND (lease_until IS NULL OR lease_until < ?)
			ORDER BY seq LIMIT 1`+c.Dialect.skipLocked(), jobID, c.Dialect.Time(now)).Scan(&b.JobID, &b.Seq, &b.AfterID, &b.LastID, &b.Customers)
		if errors.Is(err, ErrNoRows) {
			return kyb.NotFound("re-screening batch")
		}
		if err != nil {
			return fmt.Errorf("select re-screening batch: %w", err)
		}
		b.Owner, b.LeaseUntil = owner, leaseUntil
		_, err = tx.Exec(ctx, "UPDATE rescreen_batches SET lease_owner = ?, lease_until = ? WHERE job_id = ? AND seq = ?",
			owner, c.Dialect.Time(leaseUntil), b.JobID, b.Seq)
		return err
	})
	return b, err
}

// RescreenCustomers returns a batch's customers still to re-screen.
func (c *Core) RescreenCustomers(ctx context.Context, b kyb.RescreenBatch) ([]kyb.Customer, error) {
	rows, err := c.Read.Query(ctx, "SELECT "+CustomerColumns+" FROM customers WHERE id > ? AND id <= ? AND status <> ? AND erased_at IS NULL ORDER BY id",
		b.AfterID, b.LastID, kyb.StatusRejected)
	if err != nil {
		return nil, fmt.Errorf("select customers of batch %d: %w", b.Seq, err)
	}
	defer rows.Close()
	var out []kyb.Customer
	for rows.Next() {
		cust, err := c.ScanCustomer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, cust)
	}
	return out, rows.Err()
}

// CompleteRescreenBatch writes a batch's results and marks it done, if it
// is still the owner's.
func (c *Core) CompleteRescreenBatch(ctx context.Context, b kyb.RescreenBatch, at time.Time, results []kyb.RescreenResult, finished kyb.AuditEvent) error {
	return c.transactAudited(ctx, func(tx Queryer) error {
		// The job's row first: batches that end together take turns, so
		// the last one sees all others done.
		if _, err := tx.Exec(ctx, "UPDATE rescreen_jobs SET flagged = flagged WHERE id = ?", b.JobID); err != nil {
			return fmt.Errorf("lock re-screening job: %w", err)
		}
		n, err := tx.Exec(ctx, "UPDATE rescreen_batches SET done_at = ?, lease_until = NULL WHERE job_id = ? AND seq = ? AND lease_owner = ? AND done_at IS NULL",
			c.Dialect.Time(at), b.JobID, b.Seq, b.Owner)
		if err != nil {
			return fmt.Errorf("mark re-screening batch done: %w", err)
		}
		if n == 0 {
			return kyb.Conflict("batch_taken_over", "the re-screening batch was done or taken over by another worker after its lease ended")
		}
		flagged := 0
		for _, r := range results {
			marked, written, err := c.writeRescreen(ctx, tx, r)
			if err != nil {
				return err
			}
			if !written {
				continue // updated since: its update screened it again
			}
			if marked {
				flagged++
			}
			if r.Audit != nil {
				if err := InsertAudit(ctx, c.Dialect, tx, *r.Audit); err != nil {
					return err
				}
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE rescreen_jobs SET flagged = flagged + ? WHERE id = ?", flagged, b.JobID); err != nil {
			return fmt.Errorf("count flagged customers: %w", err)
		}
		n, err = tx.Exec(ctx, `UPDATE rescreen_jobs SET finished_at = ? WHERE id = ? AND finished_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM rescreen_batches WHERE job_id = ? AND done_at IS NULL)`, c.Dialect.Time(at), b.JobID, b.JobID)
		if err != nil {
			return fmt.Errorf("finish re-screening job: %w", err)
		}
		if n == 1 {
			return InsertAudit(ctx, c.Dialect, tx, finished)
		}
		return nil
	})
}

// writeRescreen writes one customer's re-screening: its screening, and its
// mark for review when it asks for one and the customer is still active.
// A customer updated since it was read is left alone (written false): the
// update screened its new profile, which this result must not overwrite.
// It answers whether it marked the customer.
func (c *Core) writeRescreen(ctx context.Context, tx Queryer, r kyb.RescreenResult) (marked, written bool, err error) {
	var version int
	if err := tx.QueryRow(ctx, "SELECT version FROM customers WHERE id = ?"+c.Dialect.ForUpdate, r.CustomerID).Scan(&version); err != nil {
		if errors.Is(err, ErrNoRows) {
			return false, false, nil
		}
		return false, false, fmt.Errorf("read version of %s: %w", r.CustomerID, err)
	}
	if r.Version != 0 && version != r.Version {
		return false, false, nil
	}
	if err := c.SaveScreeningTx(ctx, tx, r.CustomerID, r.Screening, r.Risk.Level); err != nil {
		return false, false, err
	}
	if r.Review == "" {
		return false, true, nil
	}
	n, err := tx.Exec(ctx, "UPDATE customers SET needs_review = TRUE, review_reason = ? WHERE id = ? AND status = ? AND erased_at IS NULL",
		r.Review, r.CustomerID, kyb.StatusActive)
	if err != nil {
		return false, false, fmt.Errorf("mark customer %s for review: %w", r.CustomerID, err)
	}
	return n == 1, true, nil
}

// RescreenJobs returns up to limit jobs, newest first, with what is done
// of each.
func (c *Core) RescreenJobs(ctx context.Context, limit int) ([]kyb.RescreenJob, error) {
	rows, err := c.Read.Query(ctx, "SELECT "+rescreenJobColumns+" FROM rescreen_jobs ORDER BY started_at DESC, id DESC LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("select re-screening jobs: %w", err)
	}
	var jobs []kyb.RescreenJob
	for rows.Next() {
		j, err := scanRescreenJob(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan re-screening job: %w", err)
		}
		jobs = append(jobs, j)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("select re-screening jobs: %w", err)
	}
	for i := range jobs {
		if err := c.Read.QueryRow(ctx, "SELECT count(*), coalesce(sum(customers), 0) FROM rescreen_batches WHERE job_id = ? AND done_at IS NOT NULL",
			jobs[i].ID).Scan(&jobs[i].DoneBatches, &jobs[i].DoneCustomers); err != nil {
			return nil, fmt.Errorf("count re-screening batches: %w", err)
		}
	}
	return jobs, nil
}

// ClearReview clears a customer's mark for review, with the audit event.
func (c *Core) ClearReview(ctx context.Context, audit kyb.AuditEvent) (kyb.Customer, error) {
	var cleared kyb.Customer
	err := c.transactAudited(ctx, func(tx Queryer) error {
		n, err := tx.Exec(ctx, "UPDATE customers SET needs_review = FALSE, review_reason = '' WHERE id = ? AND needs_review = TRUE", audit.CustomerID)
		if err != nil {
			return fmt.Errorf("clear review: %w", err)
		}
		if n == 0 {
			return kyb.ErrNotMarked
		}
		if err := InsertAudit(ctx, c.Dialect, tx, audit); err != nil {
			return err
		}
		cleared, err = c.ScanCustomer(tx.QueryRow(ctx, "SELECT "+CustomerColumns+" FROM customers WHERE id = ?", audit.CustomerID))
		return err
	})
	return cleared, err
}
