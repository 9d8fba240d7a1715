package kyb

import (
	"context"
	"time"
)

// PrefixFile starts every file id.
const PrefixFile = "file_"

// MaxFileSize is the largest document accepted: 10 MiB.
const MaxFileSize = 10 << 20

// FileType says what a document is; the contract's file id fields each
// take certain types.
type FileType string

// The document types a partner may upload.
const (
	FileBusinessRegistration FileType = "Business Registration"
	FileArticleOfAssociation FileType = "Article of Association"
	FileMainPage             FileType = "Main page"
	FileBackPage             FileType = "Back page"
	FileInvoice              FileType = "Invoice"
	FileContract             FileType = "Contract"
)

// FileTypes lists every FileType in the order the documentation gives.
var FileTypes = []FileType{FileBusinessRegistration, FileArticleOfAssociation, FileMainPage, FileBackPage, FileInvoice, FileContract}

// File is an uploaded document's metadata. Its content is stored
// encrypted, apart from it.
type File struct {
	ID          string
	PartnerID   string
	Type        FileType
	Size        int64
	SHA256      string // hex digest of the plaintext
	ContentType string // application/pdf, image/jpeg or image/png, from the bytes
	CreatedAt   time.Time
}

// FileStore keeps uploaded documents.
type FileStore interface {
	// CreateFile stores a file's metadata with its sealed (encrypted)
	// content and the audit event of its upload.
	CreateFile(ctx context.Context, f File, sealed []byte, audit AuditEvent) error
	// File returns one of a partner's files; another partner's is not
	// found. An empty partnerID finds any partner's, for operators.
	File(ctx context.Context, partnerID, id string) (File, error)
	// FileContent returns one of a partner's files with its sealed
	// content; an empty partnerID finds any partner's.
	FileContent(ctx context.Context, partnerID, id string) (File, []byte, error)
	// Files returns those of ids that exist and belong to the partner,
	// keyed by id; missing ones are simply absent.
	Files(ctx context.Context, partnerID string, ids []string) (map[string]File, error)
}
