package api

import "time"

// File is an uploaded document's metadata, as POST /api/files/upload and
// GET /api/files/{file_id} return it.
type File struct {
	FileID   string `json:"file_id"`
	FileType string `json:"file_type"`
	Size     int64  `json:"size"`
	// SHA256 is the hex digest of the content.
	SHA256 string `json:"sha256"`
	// ContentType is application/pdf, image/jpeg or image/png, read from
	// the bytes.
	ContentType string    `json:"content_type"`
	CreatedAt   time.Time `json:"created_at"`
}

// The document types a partner may upload, in the order the documentation
// gives them.
const (
	FileBusinessRegistration = "Business Registration"
	FileArticleOfAssociation = "Article of Association"
	FileMainPage             = "Main page"
	FileBackPage             = "Back page"
	FileInvoice              = "Invoice"
	FileContract             = "Contract"
)

// Upload is the JSON form of an upload: the content in base64. The other
// form is multipart/form-data with the parts fileType and file.
type Upload struct {
	File     string `json:"file"`
	FileType string `json:"fileType"`
}
