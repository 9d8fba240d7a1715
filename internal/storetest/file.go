package storetest

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// NewFile stores a file of a partner with the given sealed content and
// returns it. The store neither opens nor checks the content, so any bytes
// do.
func NewFile(t *testing.T, s kyb.Store, partnerID string, fileType kyb.FileType, sealed []byte) kyb.File {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	sum := sha256.Sum256(sealed)
	f := kyb.File{
		ID:          kyb.NewID(kyb.PrefixFile, now),
		PartnerID:   partnerID,
		Type:        fileType,
		Size:        int64(len(sealed)),
		SHA256:      hex.EncodeToString(sum[:]),
		ContentType: "image/png",
		CreatedAt:   now,
	}
	if err := s.CreateFile(ctx, f, sealed, AuditOf(kyb.ActionFileUploaded, f.PartnerID, f.ID)); err != nil {
		t.Fatalf("CreateFile: %v", err)
	}
	return f
}

func testFiles(t *testing.T, s kyb.Store) {
	p, _ := NewPartner(t, s)
	other, _ := NewPartner(t, s)
	// Sealed content is binary and may be large: every byte value, and
	// more than a megabyte.
	sealed := make([]byte, 1<<20+257)
	rand.Read(sealed)
	sealed[0], sealed[1] = 0, 0xff
	f := NewFile(t, s, p.ID, kyb.FileMainPage, sealed)
	second := NewFile(t, s, p.ID, kyb.FileBusinessRegistration, []byte{1})
	theirs := NewFile(t, s, other.ID, kyb.FileMainPage, []byte{2})

	got, err := s.File(ctx, p.ID, f.ID)
	if err != nil {
		t.Fatalf("File: %v", err)
	}
	if got != f {
		t.Errorf("File = %+v, want %+v", got, f)
	}
	got, content, err := s.FileContent(ctx, p.ID, f.ID)
	if err != nil {
		t.Fatalf("FileContent: %v", err)
	}
	if got != f || !bytes.Equal(content, sealed) {
		t.Errorf("FileContent = %+v with %d bytes, want %+v with the %d bytes stored", got, len(content), f, len(sealed))
	}

	// Another partner's file is not found, exactly like a missing one.
	missing := kyb.NewID(kyb.PrefixFile, time.Now())
	for _, id := range []string{theirs.ID, missing} {
		if _, err := s.File(ctx, p.ID, id); !errors.Is(err, kyb.ErrNotFound) {
			t.Errorf("File(%s) error = %v, want not found", id, err)
		}
		if _, _, err := s.FileContent(ctx, p.ID, id); !errors.Is(err, kyb.ErrNotFound) {
			t.Errorf("FileContent(%s) error = %v, want not found", id, err)
		}
	}

	files, err := s.Files(ctx, p.ID, []string{f.ID, missing, theirs.ID, second.ID, f.ID})
	if err != nil {
		t.Fatalf("Cipher: %v", err)
	}
	if want := map[string]kyb.File{f.ID: f, second.ID: second}; !maps.Equal(files, want) {
		t.Errorf("Files = %+v, want %+v", files, want)
	}
	if files, err := s.Files(ctx, p.ID, nil); err != nil || len(files) != 0 {
		t.Errorf("Files(none) = %+v, %v; want none", files, err)
	}

	if err := s.CreateFile(ctx, f, sealed, AuditOf(kyb.ActionFileUploaded, f.PartnerID, f.ID)); err == nil {
		t.Errorf("CreateFile with an existing id succeeded, want an error")
	}
	if trail, err := s.AuditEvents(ctx, kyb.AuditFilter{TargetID: f.ID}); err != nil || len(trail) != 1 || trail[0].Action != kyb.ActionFileUploaded || trail[0].PartnerID != p.ID {
		t.Errorf("the file's audit trail = %+v, %v; want its one upload", trail, err)
	}
}
