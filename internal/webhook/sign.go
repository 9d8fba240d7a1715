// Package webhook delivers customer events to partners' endpoints: the
// relay that drains the transactional outbox, the signatures receivers
// verify, and the outbound dialer that refuses private addresses.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// Header names of a delivery.
const (
	HeaderSignature         = "X-Webhook-Signature" // hex HMAC-SHA256 of the body, keyed by the whole secret string
	HeaderID                = "webhook-id"          // Standard Webhooks: the event id, the same on every retry
	HeaderTimestamp         = "webhook-timestamp"   // Standard Webhooks: Unix seconds of this attempt
	HeaderStandardSignature = "webhook-signature"   // Standard Webhooks: "v1,<base64 HMAC-SHA256 of id.timestamp.body>"
)

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
var ErrBadSecret = errors.New("webhook: secret must be whsec_ followed by base64")

func secretKey(secret string) ([]byte, error) {
	enc, ok := strings.CutPrefix(secret, kyb.WebhookSecretPrefix)
	if !ok {
		return nil, ErrBadSecret
	}
	key, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(key) == 0 {
		return nil, ErrBadSecret
	}
	return key, nil
}
