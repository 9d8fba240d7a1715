package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/screening"
)

// entriesPerStatement bounds the rows of one INSERT of list entries: a
// list of thousands goes in a few statements, not one round trip each.
const entriesPerStatement = 200

// AddListSnapshot stores a snapshot, its entries and its audit event in
// one transaction.
func (c *Core) AddListSnapshot(ctx context.Context, s kyb.ListSnapshot, entries []screening.Entry, audit kyb.AuditEvent) error {
	var published any
	if !s.PublishedAt.IsZero() {
		published = c.Dialect.Time(s.PublishedAt)
	}
	return c.transactAudited(ctx, func(tx Queryer) error {
		if _, err := tx.Exec(ctx, "INSERT INTO list_snapshots (id, source, published_at, sha256, entries, aliases, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			s.ID, s.Source, published, s.SHA256, s.Entries, s.Aliases, c.Dialect.Time(s.ImportedAt)); err != nil {
			return fmt.Errorf("insert list snapshot: %w", err)
		}
		for start := 0; start < len(entries); start += entriesPerStatement {
			chunk := entries[start:min(start+entriesPerStatement, len(entries))]
			args := make([]any, 0, 3*len(chunk))
			for _, e := range chunk {
				data, err := json.Marshal(e)
				if err != nil {
					return fmt.Errorf("encode list entry %s: %w", e.ID, err)
				}
				args = append(args, s.ID, e.ID, string(data))
			}
			values := strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(chunk)), ", ")
			if _, err := tx.Exec(ctx, "INSERT INTO list_entries (snapshot_id, entry_id, data) VALUES "+values, args...); err != nil {
				return fmt.Errorf("insert list entries: %w", err)
			}
		}
		return InsertAudit(ctx, c.Dialect, tx, audit)
	})
}

// ListSnapshots returns every snapshot, newest first.
func (c *Core) ListSnapshots(ctx context.Context) ([]kyb.ListSnapshot, error) {
	rows, err := c.Read.Query(ctx, "SELECT id, source, published_at, sha256, entries, aliases, imported_at FROM list_snapshots ORDER BY imported_at DESC, id DESC")
	if err != nil {
		return nil, fmt.Errorf("select list snapshots: %w", err)
	}
	defer rows.Close()
	var out []kyb.ListSnapshot
	for rows.Next() {
		var s kyb.ListSnapshot
		var published, imported Time
		if err := rows.Scan(&s.ID, &s.Source, &published, &s.SHA256, &s.Entries, &s.Aliases, &imported); err != nil {
			return nil, fmt.Errorf("scan list snapshot: %w", err)
		}
		s.PublishedAt, s.ImportedAt = published.T, imported.T
		out = append(out, s)
	}
	return out, rows.Err()
}

// ListEntries returns a snapshot's entries, in the publisher's order of
// ids.
func (c *Core) ListEntries(ctx context.Context, snapshotID string) ([]screening.Entry, error) {
	rows, err := c.Read.Query(ctx, "SELECT data FROM list_entries WHERE snapshot_id = ? ORDER BY entry_id", snapshotID)
	if err != nil {
		return nil, fmt.Errorf("select list entries: %w", err)
	}
	defer rows.Close()
	var out []screening.Entry
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("scan list entry: %w", err)
		}
		var e screening.Entry
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, fmt.Errorf("decode list entry: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
