package kyb

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/onboardkyb/onboard/api"
)

// The file types each file id field of a profile accepts.
var (
	businessDocumentTypes = []FileType{FileBusinessRegistration, FileArticleOfAssociation}
	idFrontTypes          = []FileType{FileMainPage}
	idBackTypes           = []FileType{FileBackPage}
)

// fileReference is a field of a profile that names an uploaded file.
type fileReference struct {
	field string
	id    string
	types []FileType // what the field accepts
}

// fileReferences lists every file id the profile gives, with its path.
func fileReferences(p api.Profile) []fileReference {
	var refs []fileReference
	if d := p.BusinessDetails; d != nil {
		for i, id := range d.BusinessIdentifierDocumentList {
			refs = append(refs, fileReference{"business_details.business_identifier_document_list[" + strconv.Itoa(i) + "]", id, businessDocumentTypes})
		}
	}
	for i, person := range p.BusinessPersonList {
		id := person.Identification
		if id == nil {
			continue
		}
		at := "business_person_list[" + strconv.Itoa(i) + "].identification."
		if id.DocumentFrontFileID != "" {
			refs = append(refs, fileReference{at + "id_document_front_file_id", id.DocumentFrontFileID, idFrontTypes})
		}
		if id.DocumentBackFileID != "" {
			refs = append(refs, fileReference{at + "id_document_back_file_id", id.DocumentBackFileID, idBackTypes})
		}
	}
	return refs
}

// checkFileReferences reports every file id of a valid profile that is not
// a file of the partner, or not of a type its field accepts.
func (s *Service) checkFileReferences(ctx context.Context, partnerID string, p api.Profile) error {
	refs := fileReferences(p)
	if len(refs) == 0 {
		return nil
	}
	ids := referencedFiles(p)
	files, err := s.store.Files(ctx, partnerID, ids)
	if err != nil {
		return fmt.Errorf("check file references: %w", err)
	}
	var errs []api.FieldError
	for _, r := range refs {
		f, ok := files[r.id]
		switch {
		case !ok:
			errs = append(errs, api.FieldError{Field: r.field, Code: api.CodeFileNotFound, Message: "must be the id of a file you uploaded"})
		case !slices.Contains(r.types, f.Type):
			errs = append(errs, api.FieldError{Field: r.field, Code: api.CodeWrongFileType,
				Message: "must be a file of type " + quotedFileTypes(r.types) + "; this one is " + strconv.Quote(string(f.Type))})
		}
	}
	if len(errs) > 0 {
		return Invalid(errs)
	}
	return nil
}
