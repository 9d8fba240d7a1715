package kyb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/onboardkyb/onboard/api"
)

// fileFormat is a document format we accept, known by its first bytes.
type fileFormat struct {
	magic       string
	contentType string
	extension   string
}

// fileFormats are the accepted formats. The content type is decided from
// the bytes alone, never from a file name or a declared type, so that an
// executable renamed to .pdf is refused.
var fileFormats = []fileFormat{
	{"%PDF-", "application/pdf", "pdf"},
	{"\xff\xd8\xff", "image/jpeg", "jpg"},
	{"\x89PNG\r\n\x1a\n", "image/png", "png"},
}

// SniffContentType returns the content type of a PDF, JPEG or PNG
// document, or "" for anything else.
func SniffContentType(content []byte) string {
	for _, f := range fileFormats {
		if bytes.HasPrefix(content, []byte(f.magic)) {
			return f.contentType
		}
	}
	return ""
}

// Name returns the file name a download of the file gets: its id with the
// extension of its content type.
func (f File) Name() string {
	for _, format := range fileFormats {
		if format.contentType == f.ContentType {
			return f.ID + "." + format.extension
		}
	}
	return f.ID
}

// IsFileType reports whether t is one of FileTypes.
func IsFileType(t FileType) bool { return slices.Contains(FileTypes, t) }

// ErrFileTooLarge and ErrUnsupportedFileType match, with errors.Is, the
// errors UploadFile returns for content over MaxFileSize and content of
// another format.
var (
	ErrFileTooLarge        = &Error{Kind: KindTooLarge, Code: "file_too_large", Message: "the file is larger than " + strconv.Itoa(MaxFileSize>>20) + " MiB"}
	ErrUnsupportedFileType = &Error{Kind: KindUnsupported, Code: "unsupported_file_type", Message: "the file must be a PDF, JPEG or PNG document"}
)

// errNoCipher means the Service was built without a Cipher.
var errNoCipher = errors.New("kyb: the service has no file cipher")

// ValidateUpload checks a document a partner uploads: its content is
// required and its type one of FileTypes (both reported at once), then the
// content must be at most MaxFileSize bytes of PDF, JPEG or PNG.
func ValidateUpload(fileType FileType, content []byte) error {
	var c checker
	if len(content) == 0 {
		c.add("file", api.CodeRequired, "is required")
	}
	if fileType == "" {
		c.add("fileType", api.CodeRequired, "is required")
	} else if !IsFileType(fileType) {
		c.add("fileType", api.CodeInvalidValue, "must be one of "+quotedFileTypes(FileTypes))
	}
	switch {
	case len(c.errs) > 0:
		return Invalid(c.errs)
	case len(content) > MaxFileSize:
		return ErrFileTooLarge
	case SniffContentType(content) == "":
		return ErrUnsupportedFileType
	}
	return nil
}

// UploadFile validates, encrypts and stores a partner's document.
func (s *Service) UploadFile(ctx context.Context, partnerID string, fileType FileType, content []byte) (File, error) {
	if err := ValidateUpload(fileType, content); err != nil {
		return File{}, err
	}
	if s.cipher == nil {
		return File{}, errNoCipher
	}
	now := s.Now().UTC()
	sum := sha256.Sum256(content)
	f := File{
		ID:          NewID(PrefixFile, now),
		PartnerID:   partnerID,
		Type:        fileType,
		Size:        int64(len(content)),
		SHA256:      hex.EncodeToString(sum[:]),
		ContentType: SniffContentType(content),
		CreatedAt:   now.Truncate(time.Second),
	}
	audit := newAuditEvent(now, Actor{ActorPartner, partnerID}, ActionFileUploaded)
	audit.PartnerID, audit.TargetID = partnerID, f.ID
	if err := s.store.CreateFile(ctx, f, s.cipher.Seal(f.ID, content), audit); err != nil {
		return File{}, fmt.Errorf("upload file: %w", err)
	}
	return f, nil
}

// FileContent returns one of a partner's files with its decrypted content
// (any partner's when partnerID is empty: only operators read so).
func (s *Service) FileContent(ctx context.Context, partnerID, id string) (File, []byte, error) {
	if s.cipher == nil {
		return File{}, nil, errNoCipher
	}
	f, sealed, err := s.store.FileContent(ctx, partnerID, id)
	if err != nil {
		return File{}, nil, err
	}
	content, err := s.cipher.Open(f.ID, sealed)
	if err != nil {
		return File{}, nil, err
	}
	return f, content, nil
}

// quotedFileTypes lists types for a message: "A", "B" or "C".
func quotedFileTypes(types []FileType) string {
	quoted := make([]string, len(types))
	for i, t := range types {
		quoted[i] = strconv.Quote(string(t))
	}
	if len(quoted) < 2 {
		return strings.Join(quoted, "")
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
}

// File returns one of a partner's files, without its content.
func (s *Service) File(ctx context.Context, partnerID, id string) (File, error) {
	return s.store.File(ctx, partnerID, id)
}

// FileForOperator returns any partner's file, without its content.
func (s *Service) FileForOperator(ctx context.Context, id string) (File, error) {
	return s.store.File(ctx, "", id)
}
