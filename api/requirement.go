package api

import "time"

// The kinds of Requirement.
const (
	RequirementField    = "field"    // correct the field Field
	RequirementDocument = "document" // provide a file of type FileType, in Field when given
	RequirementQuestion = "question" // answer Message
)

// Requirement is an operator's open request for information about a
// customer. A field item is resolved by an update that changes Field, a
// document item by an update that adds a file of type FileType (in Field,
// when given), a question by POST
// /api/customers/{customer_id}/requirements/{requirement_id}/answer; an
// operator may resolve any.
type Requirement struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	// Field is a path in the notation of validation errors, such as
	// "business_person_list[0].identification.id_number".
	Field     string    `json:"field,omitempty"`
	FileType  string    `json:"file_type,omitempty"`
	Message   string    `json:"message"`
	CreatedAt time.Time `json:"created_at"`
	DueAt     time.Time `json:"due_at,omitzero"`
}

// Answer is the body of POST
// /api/customers/{customer_id}/requirements/{requirement_id}/answer.
type Answer struct {
	Text string `json:"text"`
}
