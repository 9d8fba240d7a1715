package client

import (
	"crypto/hmac"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/onboardkyb/onboard/api"
)

// WebhookEvent is an event delivered to a partner's webhook endpoint.
type WebhookEvent = api.Event[api.Customer]

// DefaultWebhookTolerance is how far a delivery's timestamp may be from
// the receiver's clock before it is refused as a possible replay.
const DefaultWebhookTolerance = 5 * time.Minute

// Errors of VerifyWebhook.
var (
	ErrWebhookSignature = errors.New("onboard: webhook signature does not match")
	ErrWebhookTimestamp = errors.New("onboard: webhook timestamp is missing or too far from now")
)

// VerifyWebhook checks that a delivery comes from onboard and is fresh,
// then decodes it. secret is the endpoint's whsec_ secret; header and body
// are the request's, body exactly as received. It checks the Standard
// Webhooks signature over id, timestamp and body, refuses a timestamp more
// than tolerance from now (0 means DefaultWebhookTolerance), and checks
// X-Webhook-Signature as well when it is present.
func VerifyWebhook(secret string, header http.Header, body []byte, tolerance time.Duration) (*WebhookEvent, error) {
	return verifyWebhookAt(secret, header, body, tolerance, time.Now())
}

func verifyWebhookAt(secret string, header http.Header, body []byte, tolerance time.Duration, now time.Time) (*WebhookEvent, error) {
	if tolerance <= 0 {
		tolerance = DefaultWebhookTolerance
	}
	id := header.Get(api.HeaderID)
	ts, err := strconv.ParseInt(header.Get(api.HeaderTimestamp), 10, 64)
	if err != nil {
		return nil, ErrWebhookTimestamp
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return nil, ErrWebhookTimestamp
	}
	want, err := api.StandardSignature(secret, id, ts, body)
	if err != nil {
		return nil, fmt.Errorf("onboard: %w", err)
	}
	if !anySignature(header.Get(api.HeaderStandardSignature), want) {
		return nil, ErrWebhookSignature
	}
	if sig := header.Get(api.HeaderSignature); sig != "" && !anySignature(sig, api.BodySignature(secret, body)) {
		return nil, ErrWebhookSignature
	}
	var ev WebhookEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, fmt.Errorf("onboard: decode webhook: %w", err)
	}
	if ev.ID != id {
		return nil, ErrWebhookSignature
	}
	return &ev, nil
}

// anySignature reports whether one of the space-separated signatures of a
// header is want: after a secret rotation, deliveries are signed with the
// new secret and the previous one for a while, and one match is enough.
func anySignature(header, want string) bool {
	matched := false
	for _, sig := range strings.Fields(header) {
		matched = hmac.Equal([]byte(sig), []byte(want)) || matched
	}
	return matched
}
