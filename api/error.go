package api

// ErrorResponse is the body of every error answer.
type ErrorResponse struct {
	Error ErrorInfo `json:"error"`
}

// ErrorInfo describes what went wrong. Code is stable for programs to switch
// on; Message is for people. Quote RequestID when contacting support.
type ErrorInfo struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
	// Details lists every invalid field of an invalid_request.
	Details []FieldError `json:"details,omitempty"`
	// CustomerID names the existing customer a conflict is about.
	CustomerID string `json:"customer_id,omitempty"`
}

// FieldError describes one invalid field by its full JSON path, such as
// "business_person_list[0].identification.id_number".
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Field error codes, stable for clients to switch on.
const (
	CodeRequired      = "required"
	CodeUnknownField  = "unknown_field"
	CodeInvalidType   = "invalid_type"
	CodeInvalidFormat = "invalid_format"
	CodeInvalidValue  = "invalid_value"
	CodeTooShort      = "too_short"
	CodeTooLong       = "too_long"
	CodeTooMany       = "too_many"
	CodeFileNotFound  = "file_not_found"  // no file of the partner has this id
	CodeWrongFileType = "wrong_file_type" // the file's type does not fit the field
)
