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
// of one each. Each statement is prepared once per batch.
func (s *Store) createBatch(ctx context.Context, ops []createOp) ([]createResult, error) {
	results := make([]createResult, len(ops))
	err := s.transact(ctx, func(tx *sql.Tx) error {
		ptx := &preparedTx{tx: tx, stmts: map[string]*sql.Stmt{}}
		defer ptx.close()
		var link sqlstore.AuditLink
		for i, op := range ops {
			r, err := s.createOne(ctx, ptx, &link, op)
			if err != nil {
				return err
			}
			results[i] = r
		}
		return nil
	})
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

// preparedTx is a transaction that prepares each statement it runs once,
// however often it runs it: the driver would otherwise parse the SQL on
// every call.
type preparedTx struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (p *preparedTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := p.stmts[query]; ok {
		return st, nil
	}
	st, err := p.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	p.stmts[query] = st
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
