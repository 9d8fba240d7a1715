package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/onboardkyb/onboard/internal/kyb"
)

const fileColumns = "id, partner_id, file_type, size, sha256, content_type, created_at"

// CreateFile stores a file's metadata with its sealed content.
func (s *Store) CreateFile(ctx context.Context, f kyb.File, sealed []byte, audit kyb.AuditEvent) error {
	return s.transact(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO files (`+fileColumns+`, content) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			f.ID, f.PartnerID, f.Type, f.Size, f.SHA256, f.ContentType, f.CreatedAt, sealed)
		if err != nil {
			return fmt.Errorf("insert file: %w", wrapErr(err))
		}
		return insertAudit(ctx, tx, audit)
	})
}

// File returns one of a partner's files.
func (s *Store) File(ctx context.Context, partnerID, id string) (kyb.File, error) {
	return scanFile(s.pool.QueryRow(ctx, "SELECT "+fileColumns+" FROM files WHERE id = $1 AND partner_id = $2", id, partnerID))
}

// FileContent returns one of a partner's files with its sealed content.
func (s *Store) FileContent(ctx context.Context, partnerID, id string) (kyb.File, []byte, error) {
	var sealed []byte
	f, err := scanFile(s.pool.QueryRow(ctx, "SELECT "+fileColumns+", content FROM files WHERE id = $1 AND partner_id = $2", id, partnerID), &sealed)
	if err != nil {
		return kyb.File{}, nil, err
	}
	return f, sealed, nil
}

// Files returns those of ids that are files of the partner.
func (s *Store) Files(ctx context.Context, partnerID string, ids []string) (map[string]kyb.File, error) {
	out := make(map[string]kyb.File, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, "SELECT "+fileColumns+" FROM files WHERE partner_id = $1 AND id = ANY($2)", partnerID, ids)
	if err != nil {
		return nil, fmt.Errorf("select files: %w", wrapErr(err))
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
		return nil, fmt.Errorf("select files: %w", wrapErr(err))
	}
	return out, nil
}

// scanFile reads fileColumns, then into extra whatever else was selected.
func scanFile(row pgx.Row, extra ...any) (kyb.File, error) {
	var f kyb.File
	err := row.Scan(append([]any{&f.ID, &f.PartnerID, &f.Type, &f.Size, &f.SHA256, &f.ContentType, &f.CreatedAt}, extra...)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return kyb.File{}, kyb.NotFound("file")
	}
	if err != nil {
		return kyb.File{}, fmt.Errorf("select file: %w", wrapErr(err))
	}
	f.CreatedAt = f.CreatedAt.UTC()
	return f, nil
}
