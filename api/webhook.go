package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Event types sent to partners.
const (
	EventCustomerCreated   = "customer.created"
	EventCustomerActive    = "customer.active"
	EventCustomerRejected  = "customer.rejected"
	EventCustomerSuspended = "customer.suspended"
	// EventCustomerUpdated tells of an update of the profile (a new
	// version); EventCustomerPending of an active customer sent back to
	// review by an update; EventCustomerRequirementsUpdated of
	// information requests raised or resolved.
	EventCustomerUpdated             = "customer.updated"
	EventCustomerPending             = "customer.pending"
	EventCustomerRequirementsUpdated = "customer.requirements_updated"
)

// EventTypes lists every event type.
var EventTypes = []string{EventCustomerCreated, EventCustomerActive, EventCustomerRejected, EventCustomerSuspended,
	EventCustomerUpdated, EventCustomerPending, EventCustomerRequirementsUpdated}

// Event is one change of a customer, as delivered to a webhook endpoint and
// as GET /api/customers/{customer_id}/events lists it. Its Data is the
// customer right after the change: a Customer for receivers, raw JSON for
// the server that stored it.
type Event[T any] struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	// Sequence grows with every event of a customer: ignore an event whose
	// sequence is not above the last one you processed for that customer.
	Sequence int64 `json:"sequence"`
	Data     T     `json:"data"`
}

// Endpoint is a webhook endpoint. Secret is set only in the answers that
// create it or rotate its secret: it is shown once.
type Endpoint struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	CreatedAt time.Time `json:"created_at"`
	Secret    string    `json:"secret,omitempty"`
}

// EndpointRequest registers an endpoint.
type EndpointRequest struct {
	URL string `json:"url"`
}

// Deleted answers a deletion.
type Deleted struct {
	ID      string `json:"id"`
	Deleted bool   `json:"deleted"`
}

// Delivery is an event on its way to one endpoint, with every attempt.
type Delivery struct {
	EventID    string `json:"event_id"`
	EndpointID string `json:"endpoint_id"`
	URL        string `json:"url"`
	// Status is pending, succeeded or failed.
	Status string `json:"status"`
	// NextAttemptAt is set while the delivery is pending.
	NextAttemptAt time.Time `json:"next_attempt_at,omitzero"`
	Attempts      []Attempt `json:"attempts"`
}

// Attempt is one try at a delivery.
type Attempt struct {
	At time.Time `json:"at"`
	// StatusCode is the endpoint's answer, absent when none came.
	StatusCode int    `json:"status_code,omitempty"`
	LatencyMS  int64  `json:"latency_ms"`
	Error      string `json:"error,omitempty"`
}

// Header names of a delivery.
const (
	HeaderSignature         = "X-Webhook-Signature" // hex HMAC-SHA256 of the body, keyed by the whole secret string
	HeaderID                = "webhook-id"          // Standard Webhooks: the event id, the same on every retry
	HeaderTimestamp         = "webhook-timestamp"   // Standard Webhooks: Unix seconds of this attempt
	HeaderStandardSignature = "webhook-signature"   // Standard Webhooks: "v1,<base64 HMAC-SHA256 of id.timestamp.body>"
)

// WebhookSecretPrefix starts every endpoint signing secret, which is this
// prefix and the base64 of 32 random bytes, the form Standard Webhooks
// libraries accept.
const WebhookSecretPrefix = "whsec_"

// BodySignature is the X-Webhook-Signature of body: the hex HMAC-SHA256
// keyed by the secret string exactly as shown to the partner.
func BodySignature(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// StandardSignature is the webhook-signature value of a delivery under the
// Standard Webhooks scheme: "v1," and the base64 HMAC-SHA256 of
// "id.timestamp.body", keyed by the base64-decoded part of the secret.
func StandardSignature(secret, id string, timestamp int64, body []byte) (string, error) {
	key, err := secretKey(secret)
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(timestamp, 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// ErrBadSecret reports a secret that is not whsec_ followed by base64.
var ErrBadSecret = errors.New("webhook secret must be whsec_ followed by base64")

func secretKey(secret string) ([]byte, error) {
	enc, ok := strings.CutPrefix(secret, WebhookSecretPrefix)
	if !ok {
		return nil, ErrBadSecret
	}
	key, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(key) == 0 {
		return nil, ErrBadSecret
	}
	return key, nil
}
