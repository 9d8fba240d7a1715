package kyb

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// FileKeySize is the length of a file encryption key: AES-256.
const FileKeySize = 32

// fileKeyVersion is the first byte of every sealed file. It names the key
// that sealed it, so that a second key can be introduced later while files
// sealed under this one still open.
const fileKeyVersion byte = 1

// Cipher encrypts secrets at rest (uploaded documents, webhook signing
// secrets) with AES-256-GCM. Each value gets a random 96-bit nonce, and the
// id of its row is authenticated with it, so that one row's ciphertext
// cannot be passed off as another's.
type Cipher struct {
	aead cipher.AEAD
}

// NewCipher returns a Cipher for a 32-byte key.
func NewCipher(key []byte) (*Cipher, error) {
	if len(key) != FileKeySize {
		return nil, fmt.Errorf("file encryption key: %d bytes, want %d", len(key), FileKeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("file encryption key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("file encryption key: %w", err)
	}
	return &Cipher{aead: aead}, nil
}

// Seal encrypts the content of the file with the given id and returns
// version || nonce || ciphertext.
func (c *Cipher) Seal(fileID string, content []byte) []byte {
	size := c.aead.NonceSize()
	out := make([]byte, 1+size, 1+size+len(content)+c.aead.Overhead())
	out[0] = fileKeyVersion
	nonce := out[1:]
	rand.Read(nonce)
	return c.aead.Seal(out, nonce, content, []byte(fileID))
}

// errSealed is the one error of Open: a wrong key, another file's content
// or damaged bytes all look the same from here.
var errSealed = errors.New("sealed content does not open under this key and file id")

// Open decrypts what Seal returned for the same file id.
func (c *Cipher) Open(fileID string, sealed []byte) ([]byte, error) {
	size := c.aead.NonceSize()
	if len(sealed) < 1+size+c.aead.Overhead() {
		return nil, fmt.Errorf("open file %s: %d sealed bytes are too few", fileID, len(sealed))
	}
	if sealed[0] != fileKeyVersion {
		return nil, fmt.Errorf("open file %s: sealed with unknown key version %d", fileID, sealed[0])
	}
	content, err := c.aead.Open(nil, sealed[1:1+size], sealed[1+size:], []byte(fileID))
	if err != nil {
		return nil, fmt.Errorf("open file %s: %w", fileID, errSealed)
	}
	return content, nil
}
