package kyb

import (
	"fmt"

	"github.com/onboardkyb/onboard/internal/envelope"
)

// FileKeySize is the length of a file encryption key: AES-256.
const FileKeySize = envelope.KeySize

// legacyFileKeyID is the key id of the single file-encryption key that
// sealed files before keyrings existed: sealed values start with it, so
// that key opens them as key 1 of a ring.
const legacyFileKeyID = 1

// Cipher encrypts secrets at rest (uploaded documents, webhook signing
// secrets) with AES-256-GCM under the keyring's newest key. Each value gets
// a random 96-bit nonce, and the id of its row is authenticated with it,
// so that one row's ciphertext cannot be passed off as another's.
type Cipher struct {
	keys *envelope.Keyring
}

// NewCipher returns a Cipher for a single 32-byte key, key 1.
func NewCipher(key []byte) (*Cipher, error) {
	keys, err := envelope.NewKeyring(envelope.Key{ID: legacyFileKeyID, Secret: key})
	if err != nil {
		return nil, fmt.Errorf("file encryption key: %w", err)
	}
	return &Cipher{keys}, nil
}

// CipherOf returns a Cipher sealing under a keyring.
func CipherOf(keys *envelope.Keyring) *Cipher { return &Cipher{keys} }

// Seal encrypts the content of the row with the given id and returns
// key id || nonce || ciphertext.
func (c *Cipher) Seal(id string, content []byte) []byte { return c.keys.Seal([]byte(id), content) }

// Open decrypts what Seal returned for the same id.
func (c *Cipher) Open(id string, sealed []byte) ([]byte, error) {
	content, err := c.keys.Open([]byte(id), sealed)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", id, err)
	}
	return content, nil
}
