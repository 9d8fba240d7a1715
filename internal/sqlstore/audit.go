package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// AuditColumns are the audit_events columns the core writes for every
// event: its fields and its digest (see kyb.AuditDigest).
const AuditColumns = "id, created_at, actor_type, actor_id, action, partner_id, customer_id, api_key_id, from_status, to_status, reason, target_id, digest"

// InsertAuditSQL appends one event to the audit trail, with AuditArgs, on
// an engine whose trigger links it into the chain.
const InsertAuditSQL = "INSERT INTO audit_events (" + AuditColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

// insertLinkedAuditSQL appends one event with its link, for the engines
// where the core links it.
const insertLinkedAuditSQL = "INSERT INTO audit_events (" + AuditColumns + ", seq, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

// AuditArgs are an event's values in the order of AuditColumns.
func AuditArgs(d Dialect, e kyb.AuditEvent) []any {
	return []any{e.ID, d.Time(e.At), e.Actor.Type, e.Actor.ID, e.Action, e.PartnerID, e.CustomerID, e.APIKeyID, e.FromStatus, e.ToStatus, e.Reason, e.TargetID,
		kyb.AuditDigest(e)}
}

// InsertAudit appends an event to the audit trail through q, inside the
// transaction of the change it records, linked to the chain's head.
func InsertAudit(ctx context.Context, d Dialect, q Queryer, e kyb.AuditEvent) error {
	var link AuditLink
	return link.Insert(ctx, d, q, e)
}

// AuditLink appends the audit events of one transaction: on an engine
// where the core links the chain, it reads the chain's head for the first
// event and knows it for the next, as nothing else writes in the
// transaction (a batch of creates appends dozens of events).
type AuditLink struct {
	seq  int64
	hash string
	read bool
}

// Insert appends e as InsertAudit does.
func (l *AuditLink) Insert(ctx context.Context, d Dialect, q Queryer, e kyb.AuditEvent) error {
	query, args := InsertAuditSQL, AuditArgs(d, e)
	var hash string
	if !d.ChainsAudit {
		if !l.read {
			seq, prev, err := auditHead(ctx, q)
			if err != nil {
				return err
			}
			l.seq, l.hash, l.read = seq, prev, true
		}
		hash = kyb.ChainHash(l.hash, args[len(args)-1].(string))
		query, args = insertLinkedAuditSQL, append(args, l.seq+1, l.hash, hash)
	}
	if _, err := q.Exec(ctx, query, args...); err != nil {
		return fmt.Errorf("insert audit event: %w", err)
	}
	if l.read {
		l.seq, l.hash = l.seq+1, hash // the event is the chain's head now
	}
	return nil
}

// AuditHeadSQL reads the seq and hash of the audit chain's last event (no
// row when there is none). PostgreSQL's create batch reads it with this
// statement; its trigger (migration 0022), in PL/pgSQL's own words.
const AuditHeadSQL = "SELECT seq, hash FROM audit_events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1"

// auditHead returns the seq and hash of the chain's last event, zero and
// empty when there is none.
func auditHead(ctx context.Context, q Queryer) (seq int64, hash string, err error) {
	err = q.QueryRow(ctx, AuditHeadSQL).Scan(&seq, &hash)
	if errors.Is(err, ErrNoRows) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("read the audit chain's head: %w", err)
	}
	return seq, hash, nil
}

// AppendAudit records events in one transaction.
func (c *Core) AppendAudit(ctx context.Context, events ...kyb.AuditEvent) error {
	return c.transactAudited(ctx, func(tx Queryer) error {
		var link AuditLink
		for _, e := range events {
			if err := link.Insert(ctx, c.Dialect, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// AuditEvents returns the audit trail of a customer, a partner or another
// target, oldest first.
func (c *Core) AuditEvents(ctx context.Context, f kyb.AuditFilter) ([]kyb.AuditEvent, error) {
	column, value := "customer_id", f.CustomerID
	switch {
	case f.PartnerID != "":
		column, value = "partner_id", f.PartnerID
	case f.TargetID != "":
		column, value = "target_id", f.TargetID
	}
	var out []kyb.AuditEvent
	err := scanAudit(ctx, c.Read, false, "SELECT "+eventColumns+" FROM audit_events WHERE "+column+" = ? ORDER BY created_at, id", []any{value}, func(l kyb.AuditLink) {
		out = append(out, l.Event)
	})
	return out, err
}

// AuditChain returns up to limit links after afterSeq, in order.
func (c *Core) AuditChain(ctx context.Context, afterSeq int64, limit int) ([]kyb.AuditLink, error) {
	var out []kyb.AuditLink
	err := scanAudit(ctx, c.Read, true, "SELECT "+eventColumns+", digest, seq, prev_hash, hash FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?", []any{afterSeq, limit}, func(l kyb.AuditLink) {
		out = append(out, l)
	})
	return out, err
}

// AuditCount counts every audit event.
func (c *Core) AuditCount(ctx context.Context) (int64, error) {
	var n int64
	if err := c.Read.QueryRow(ctx, "SELECT count(*) FROM audit_events").Scan(&n); err != nil {
		return 0, fmt.Errorf("count audit events: %w", err)
	}
	return n, nil
}

// eventColumns are an event's own fields, without its digest.
const eventColumns = "id, created_at, actor_type, actor_id, action, partner_id, customer_id, api_key_id, from_status, to_status, reason, target_id"

// scanAudit runs a query of eventColumns, followed by digest, seq,
// prev_hash and hash when linked, and hands each row to fn.
func scanAudit(ctx context.Context, q Queryer, linked bool, query string, args []any, fn func(kyb.AuditLink)) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("select audit events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l kyb.AuditLink
		e := &l.Event
		var at Time
		dest := []any{&e.ID, &at, &e.Actor.Type, &e.Actor.ID, &e.Action, &e.PartnerID, &e.CustomerID, &e.APIKeyID, &e.FromStatus, &e.ToStatus, &e.Reason, &e.TargetID}
		if linked {
			dest = append(dest, &l.Digest, &l.Seq, &l.PrevHash, &l.Hash)
		}
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("scan audit event: %w", err)
		}
		e.At = at.T
		fn(l)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("select audit events: %w", err)
	}
	return nil
}

// linkLegacyAudit links the audit events written before the chain existed
// (migration 0008) into it, oldest first, a page at a time.
func linkLegacyAudit(ctx context.Context, d Dialect, tx Queryer) error {
	seq, prev, err := auditHead(ctx, tx)
	if err != nil {
		return err
	}
	for {
		var page []kyb.AuditEvent
		err := scanAudit(ctx, tx, false, "SELECT "+eventColumns+" FROM audit_events WHERE seq IS NULL ORDER BY created_at, id LIMIT 1000", nil, func(l kyb.AuditLink) {
			page = append(page, l.Event)
		})
		if err != nil || len(page) == 0 {
			return err
		}
		for _, e := range page {
			seq++
			digest := kyb.AuditDigest(e)
			hash := kyb.ChainHash(prev, digest)
			if _, err := tx.Exec(ctx, "UPDATE audit_events SET digest = ?, seq = ?, prev_hash = ?, hash = ? WHERE id = ?", digest, seq, prev, hash, e.ID); err != nil {
				return fmt.Errorf("link audit event %s: %w", e.ID, err)
			}
			prev = hash
		}
	}
}
