package kyb

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// Partner is a payment platform that onboards its customers through the API.
type Partner struct {
	ID        string
	Name      string
	Sandbox   bool
	CreatedAt time.Time
}

// MaxLiveKeys is how many unrevoked API keys a partner may hold: two, so
// that a key can be rotated without downtime.
const MaxLiveKeys = 2

// APIKey is one credential pair of a partner. The key id travels in
// X-API-Key and is not secret; only a hash of the secret is kept.
type APIKey struct {
	ID         string
	PartnerID  string
	SecretHash string
	CreatedAt  time.Time
	RevokedAt  time.Time // zero while the key is live
	// RateLimit is the partner's own limit for each of its keys, zero for
	// the service's default; the stores read it with the key.
	RateLimit RateLimit
}

// Live reports whether the key has not been revoked.
func (k APIKey) Live() bool { return k.RevokedAt.IsZero() }

// Matches reports, in constant time, whether secret is this key's secret.
func (k APIKey) Matches(secret string) bool {
	got := HashSecret(secret)
	return subtle.ConstantTimeCompare([]byte(got), []byte(k.SecretHash)) == 1
}

// HashSecret returns the stored form of an API secret. Secrets carry 256
// random bits, so a fast hash is enough: there is nothing to brute-force.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// NewAPIKey creates a key for a partner and returns it with its secret,
// which exists only in this return value.
func NewAPIKey(partnerID string, now time.Time) (key APIKey, secret string) {
	var b [32]byte
	rand.Read(b[:])
	secret = "sk_" + base64.RawURLEncoding.EncodeToString(b[:])
	key = APIKey{
		ID:         NewID(PrefixAPIKey, now),
		PartnerID:  partnerID,
		SecretHash: HashSecret(secret),
		CreatedAt:  now.UTC(),
	}
	return key, secret
}

// Credentials are what a partner needs to call the API, shown only once.
type Credentials struct {
	PartnerID string `json:"partner_id"`
	APIKey    string `json:"api_key"`
	APISecret string `json:"api_secret"`
}

// ErrTooManyKeys is returned when a partner already holds MaxLiveKeys live
// keys; one must be revoked before another is issued.
var ErrTooManyKeys = Conflict("too_many_api_keys", "the partner already has two live API keys; revoke one first")

// AllowAnotherKey is the rule a new API key is stored under: a partner
// holds at most MaxLiveKeys live keys.
func AllowAnotherKey(live int) error {
	if live >= MaxLiveKeys {
		return ErrTooManyKeys
	}
	return nil
}
