package kyb

import (
	"crypto/rand"
	"encoding/base64"
	"time"
)

// PrefixOperator starts every operator id.
const PrefixOperator = "opr_"

// Operator is a compliance operator who reviews customers through the
// admin API, authenticated by a bearer token.
type Operator struct {
	ID        string
	Name      string
	TokenHash string
	CreatedAt time.Time
}

// NewOperatorToken returns a new bearer token and its stored hash.
func NewOperatorToken() (token, hash string) {
	var b [32]byte
	rand.Read(b[:])
	token = "opt_" + base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashSecret(token)
}

// OperatorCredentials are shown once, when an operator is created.
type OperatorCredentials struct {
	OperatorID string `json:"operator_id"`
	Token      string `json:"token"`
}

// ErrBadToken is the one answer to any failed operator authentication.
var ErrBadToken = &Error{Kind: KindUnauthorized, Code: "unauthorized", Message: "missing or invalid operator token"}
