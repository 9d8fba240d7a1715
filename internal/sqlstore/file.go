package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/onboardkyb/onboard/internal/kyb"
)

const fileColumns = "id, partner_id, file_type, size, sha256, content_type, created_at"

// CreateFile stores a file's metadata with its sealed content and the
// audit event of its upload.
func (c *Core) CreateFile(ctx context.Context, f kyb.File, sealed []byte, audit kyb.AuditEvent) error {
	return c.transactAudited(ctx, func(tx Queryer) error {
		if _, err := tx.Exec(ctx, "INSERT INTO files ("+fileColumns+", content) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			f.ID, f.PartnerID, f.Type, f.Size, f.SHA256, f.ContentType, c.Dialect.Time(f.CreatedAt), sealed); err != nil {
			return fmt.Errorf("insert file: %w", err)
		}
		return InsertAudit(ctx, c.Dialect, tx, audit)
	})
}

// File returns one of a partner's files (any partner's when partnerID is
// empty, for operators).
func (c *Core) File(ctx context.Context, partnerID, id string) (kyb.File, error) {
	where, args := fileWhere(partnerID, id)
	return scanFile(c.Read.QueryRow(ctx, "SELECT "+fileColumns+" FROM files WHERE "+where, args...))
}

// FileContent returns one of a partner's files (any partner's when
// partnerID is empty) with its sealed content.
func (c *Core) FileContent(ctx context.Context, partnerID, id string) (kyb.File, []byte, error) {
	var sealed []byte
	where, args := fileWhere(partnerID, id)
	f, err := scanFile(c.Read.QueryRow(ctx, "SELECT "+fileColumns+", content FROM files WHERE "+where, args...), &sealed)
	if err != nil {
		return kyb.File{}, nil, err
	}
	return f, sealed, nil
}

// fileWhere picks a file by id, of one partner unless partnerID is empty.
func fileWhere(partnerID, id string) (string, []any) {
	if partnerID == "" {
		return "id = ?", []any{id}
	}
	return "id = ? AND partner_id = ?", []any{id, partnerID}
}

// Files returns those of ids that are files of the partner.
func (c *Core) Files(ctx context.Context, partnerID string, ids []string) (map[string]kyb.File, error) {
	out := make(map[string]kyb.File, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, partnerID)
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := c.Read.Query(ctx, "SELECT "+fileColumns+" FROM files WHERE partner_id = ? AND id IN (?"+strings.Repeat(", ?", len(ids)-1)+")", args...)
	if err != nil {
		return nil, fmt.Errorf("select files: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		f, err := scanFile(rows)
		if err != nil {
			return nil, err
		}
		out[f.ID] = f
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("select files: %w", err)
	}
	return out, nil
}

// scanFile reads fileColumns, then into extra whatever else was selected.
func scanFile(row Row, extra ...any) (kyb.File, error) {
	var f kyb.File
	var created Time
	err := row.Scan(append([]any{&f.ID, &f.PartnerID, &f.Type, &f.Size, &f.SHA256, &f.ContentType, &created}, extra...)...)
	if errors.Is(err, ErrNoRows) {
		return kyb.File{}, kyb.NotFound("file")
	}
	if err != nil {
		return kyb.File{}, fmt.Errorf("select file: %w", err)
	}
	f.CreatedAt = created.T
	return f, nil
}
