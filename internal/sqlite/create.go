package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/sqlstore"
)

// maxCreateBatch bounds how many creates share a transaction.
const maxCreateBatch = 64

// createOp is one CreateCustomer waiting for its batch.
type createOp struct {
	customer kyb.Customer
	sealed   sqlstore.SealedCustomer // sealed by the caller, outside the batch
	audit    kyb.AuditEvent
	event    kyb.Event
}

type createResult struct {
	customer kyb.Customer
	created  bool
}

// createBatch stores creates in one transaction. SQLite has one writer at
// a time and makes each commit durable with an fsync of the WAL, so
// creates that queued while the previous transaction ran are committed
// together: one fsync and one write of the index pages they share, instead
// of one each.
func (s *Store) createBatch(ctx context.Context, ops []createOp) ([]createResult, error) {
	results := make([]createResult, len(ops))
	var missed []string
	err := s.transact(ctx, func(tx *sql.Tx) error {
		ptx := &preparedTx{tx: tx, shared: s.writes, stmts: map[string]*sql.Stmt{}}
		defer ptx.close()
		var link sqlstore.AuditLink
		for i, op := range ops {
			r, err := s.createOne(ctx, ptx, &link, op)
			if err != nil {
				return err
			}
			results[i] = r
		}
		missed = ptx.missed
		return nil
	})
	// The writer's one connection is free again: prepare there what this
	// batch prepared for itself, so later batches find it (a failure only
	// means the next batch prepares it again).
	for _, query := range missed {
		s.writes.prepare(ctx, query)
	}
	if err != nil {
		return nil, err
	}
	return results, nil
}

// customerInsertParams are the placeholders of sqlstore.CustomerInsertArgs.
var customerInsertParams = strings.Repeat("?, ", sqlstore.CustomerInsertCount-1) + "?"

// createOne stores one customer with its audit event and webhook event,
// or finds the one the partner already has with its partner_customer_id.
func (s *Store) createOne(ctx context.Context, tx *preparedTx, link *sqlstore.AuditLink, op createOp) (createResult, error) {
	c := op.customer
	res, err := tx.ExecContext(ctx, `INSERT INTO customers (`+sqlstore.CustomerInsertColumns+`, event_sequence)
		VALUES (`+customerInsertParams+`, 1)
		ON CONFLICT (partner_id, partner_customer_id) DO NOTHING`,
		sqlstore.CustomerInsertArgs(sqlstore.SQLite, c, op.sealed)...)
	if err != nil {
		return createResult{}, fmt.Errorf("insert customer: %w", wrapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 1 {
		if err := link.Insert(ctx, sqlstore.SQLite, tx.queryer(), op.audit); err != nil {
			return createResult{}, err
		}
		event := op.event
		event.Sequence = 1
		return createResult{customer: c, created: true}, insertEvent(ctx, tx, event, "", op.sealed.Event)
	}
	existing, err := s.scanRow(tx.QueryRowContext(ctx, "SELECT "+customerColumns+" FROM customers WHERE partner_id = ? AND partner_customer_id = ?",
		c.PartnerID, c.Profile.PartnerCustomerID))
	return createResult{customer: existing}, err
}

// execer is a *sql.Tx or a *preparedTx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// preparedTx is a transaction that runs each statement prepared: the
// driver would otherwise parse the SQL on every call. A statement already
// prepared on the writer's connection (shared) is used as it is; one that
// is not is prepared for this transaction and listed in missed, since the
// connection, held by the transaction, cannot prepare it for later ones
// until it ends.
type preparedTx struct {
	tx     *sql.Tx
	shared *stmtCache
	stmts  map[string]*sql.Stmt
	missed []string
}

func (p *preparedTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := p.stmts[query]; ok {
		return st, nil
	}
	if shared, ok := p.shared.load(query); ok {
		st := p.tx.StmtContext(ctx, shared)
		p.stmts[query] = st
		return st, nil
	}
	st, err := p.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	p.stmts[query] = st
	p.missed = append(p.missed, query)
	return st, nil
}

func (p *preparedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryRowContext returns a row, or a scanner of the error of preparing
// the query.
func (p *preparedTx) QueryRowContext(ctx context.Context, query string, args ...any) scanner {
	st, err := p.stmt(ctx, query)
	if err != nil {
		return errScanner{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// queryer runs the store core's SQL in this transaction, each statement
// prepared once: the audit insert and its read of the chain's head run on
// every create.
func (p *preparedTx) queryer() queryer {
	return queryer{exec: p.ExecContext, row: p.QueryRowContext}
}

func (p *preparedTx) close() {
	for _, st := range p.stmts {
		st.Close()
	}
}

type errScanner struct{ err error }

func (e errScanner) Scan(...any) error { return e.err }
