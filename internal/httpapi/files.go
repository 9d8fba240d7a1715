package httpapi

import (
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// MaxUploadBytes is the largest upload request body accepted: a file of
// kyb.MaxFileSize bytes grows by a third in base64 (13.4 MiB), which
// leaves room for the JSON or multipart framing around it.
const MaxUploadBytes = 14 << 20

// maxFileTypeBytes bounds the fileType part of a multipart upload; every
// valid type is far shorter.
const maxFileTypeBytes = 256

var (
	errUploadTooLarge  = &statusError{http.StatusRequestEntityTooLarge, "request_too_large", "the request body is larger than 14 MiB"}
	errUploadMediaType = &statusError{http.StatusUnsupportedMediaType, "unsupported_media_type", "the request body must be sent as Content-Type: multipart/form-data or application/json"}
	errMultipart       = kyb.InvalidRequest("invalid_multipart", "the request body is not valid multipart/form-data")
)

// newFileJSON renders a file's metadata.
func newFileJSON(f kyb.File) api.File {
	return api.File{
		FileID:      f.ID,
		FileType:    string(f.Type),
		Size:        f.Size,
		SHA256:      f.SHA256,
		ContentType: f.ContentType,
		CreatedAt:   api.Time(f.CreatedAt),
	}
}

// upload is what an upload request carries, in either form. fields lists
// the parts of it that could not be read.
type upload struct {
	fileType kyb.FileType
	content  []byte
	fields   []api.FieldError
}

func (s *Server) uploadFile(w http.ResponseWriter, r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return errUploadMediaType
	}
	var up upload
	switch mt {
	case "multipart/form-data":
		up, err = readMultipartUpload(w, r)
	case "application/json":
		up, err = readJSONUpload(w, r)
	default:
		return errUploadMediaType
	}
	if err != nil {
		return err
	}
	if len(up.fields) > 0 {
		return withDecodeErrors(up.fields, kyb.ValidateUpload(up.fileType, up.content))
	}
	f, err := s.service.UploadFile(r.Context(), partnerID(r.Context()), up.fileType, up.content)
	if err != nil {
		return err
	}
	infoFrom(r.Context()).fileID = f.ID
	return writeJSON(w, http.StatusOK, newFileJSON(f))
}

// readJSONUpload reads {"file": "<base64>", "fileType": "..."}.
func readJSONUpload(w http.ResponseWriter, r *http.Request) (upload, error) {
	body, err := readBody(w, r, MaxUploadBytes, errUploadTooLarge)
	if err != nil {
		return upload{}, err
	}
	var in api.Upload
	fields, err := decodeJSON(body, &in)
	if err != nil {
		return upload{}, err
	}
	up := upload{fileType: kyb.FileType(in.FileType), fields: fields}
	if up.content, err = base64.StdEncoding.DecodeString(in.File); err != nil {
		up.fields = append(up.fields, api.FieldError{Field: "file", Code: api.CodeInvalidFormat, Message: "must be base64 in the standard alphabet, with padding"})
	}
	return up, nil
}

// readMultipartUpload streams the parts of a multipart/form-data upload,
// keeping at most one byte more than a file may have: nothing is spilled to
// temporary files, and the whole body is bounded by MaxUploadBytes.
func readMultipartUpload(w http.ResponseWriter, r *http.Request) (upload, error) {
	if r.ContentLength > MaxUploadBytes {
		return upload{}, errUploadTooLarge
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxUploadBytes)
	mr, err := r.MultipartReader()
	if err != nil {
		return upload{}, errMultipart
	}
	var up upload
	seen := map[string]bool{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return up, nil
		}
		if err != nil {
			return upload{}, multipartError(err)
		}
		name := part.FormName()
		var value []byte
		switch name {
		case "file":
			value, err = readPart(part, kyb.MaxFileSize+1)
			up.content = value
		case "fileType":
			value, err = readPart(part, maxFileTypeBytes)
			up.fileType = kyb.FileType(value)
		default:
			_, err = io.Copy(io.Discard, part)
			up.fields = append(up.fields, api.FieldError{Field: name, Code: api.CodeUnknownField, Message: "is not a known field"})
		}
		if err != nil {
			return upload{}, multipartError(err)
		}
		if seen[name] && (name == "file" || name == "fileType") {
			up.fields = append(up.fields, api.FieldError{Field: name, Code: api.CodeInvalidValue, Message: "must be sent once"})
		}
		seen[name] = true
	}
}

// readPart returns the first limit bytes of a part and skips the rest, so
// that a too large file is still told apart from a too large request.
func readPart(part io.Reader, limit int64) ([]byte, error) {
	value, err := io.ReadAll(io.LimitReader(part, limit))
	if err != nil {
		return nil, err
	}
	_, err = io.Copy(io.Discard, part)
	return value, err
}

// multipartError tells a body over MaxUploadBytes from a malformed one.
func multipartError(err error) error {
	var over *http.MaxBytesError
	if errors.As(err, &over) {
		return errUploadTooLarge
	}
	return errMultipart
}

func (s *Server) getFile(w http.ResponseWriter, r *http.Request) error {
	f, err := s.service.File(r.Context(), partnerID(r.Context()), r.PathValue("file_id"))
	if err != nil {
		return err
	}
	infoFrom(r.Context()).fileID = f.ID
	return writeJSON(w, http.StatusOK, newFileJSON(f))
}

func (s *Server) getFileContent(w http.ResponseWriter, r *http.Request) error {
	f, content, err := s.service.FileContent(r.Context(), partnerID(r.Context()), r.PathValue("file_id"))
	if err != nil {
		return err
	}
	return writeFileContent(w, r, f, content)
}

// adminGetFileContent gives an operator a partner's document, a read that
// the service records.
func (s *Server) adminGetFileContent(w http.ResponseWriter, r *http.Request) error {
	partnerID, err := s.pathPartner(r)
	if err != nil {
		return err
	}
	f, content, err := s.service.ViewFileContent(r.Context(), actorOf(r), partnerID, r.PathValue("file_id"))
	if err != nil {
		return err
	}
	return writeFileContent(w, r, f, content)
}

// adminGetFile gives an operator any partner's file's metadata, which
// holds nothing personal.
func (s *Server) adminGetFile(w http.ResponseWriter, r *http.Request) error {
	f, err := s.service.FileForOperator(r.Context(), r.PathValue("file_id"))
	if err != nil {
		return err
	}
	infoFrom(r.Context()).fileID = f.ID
	return writeJSON(w, http.StatusOK, adminFileJSON{File: newFileJSON(f), PartnerID: f.PartnerID})
}

// adminFileJSON is a file as operators see it: with its partner.
type adminFileJSON struct {
	api.File
	PartnerID string `json:"partner_id"`
}

// adminGetFileByID gives an operator any partner's document, a read that
// the service records.
func (s *Server) adminGetFileByID(w http.ResponseWriter, r *http.Request) error {
	f, content, err := s.service.ViewFileContent(r.Context(), actorOf(r), "", r.PathValue("file_id"))
	if err != nil {
		return err
	}
	return writeFileContent(w, r, f, content)
}

func writeFileContent(w http.ResponseWriter, r *http.Request, f kyb.File, content []byte) error {
	infoFrom(r.Context()).fileID = f.ID
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(content)))
	// The name is our own id and extension, nothing a partner chose, so it
	// needs no escaping.
	h.Set("Content-Disposition", `attachment; filename="`+f.Name()+`"`)
	// Opened in a browser after all, a document runs no script and reaches
	// nothing of ours.
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	w.WriteHeader(http.StatusOK)
	// The status is sent: a client that went away has nothing left to be
	// told, and it is no failure of ours.
	w.Write(content)
	return nil
}
