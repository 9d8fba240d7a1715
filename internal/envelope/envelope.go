// Package envelope encrypts personal data at rest with envelope
// encryption: each customer's data is sealed with AES-256-GCM under a data
// key of its own, and that data key is stored wrapped (sealed) by a
// key-encryption key of the Keyring, named by a one-byte key id. Rotating
// the key-encryption key re-wraps the small data keys, never the data;
// destroying a data key makes everything sealed under it unreadable
// (crypto-shredding).
//
// Every sealed value carries associated data naming its row and purpose,
// so a ciphertext copied to another row, or to another column of the same
// row, does not open.
//
// The Keyring keeps its keys in memory. A KMS would sit behind the same
// two methods, Wrap and Unwrap, as the one place key-encryption keys are
// used; data keys never leave the process unwrapped.
package envelope

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"sync"
)

// KeySize is the length of every key: AES-256.
const KeySize = 32

// ErrOpen is the one error of opening: a wrong key, another row's
// ciphertext or damaged bytes all look the same from here.
var ErrOpen = errors.New("sealed value does not open under this key and row")

// Keyring holds key-encryption keys by id; the newest (the last given)
// seals new values, any of them opens what it sealed.
type Keyring struct {
	keys   map[byte]cipher.AEAD
	newest byte
}

// Key is a key-encryption key with its id. Ids are 1 to 255; 1 is the key
// that sealed files before keyrings existed.
type Key struct {
	ID     byte
	Secret []byte
}

// NewKeyring returns a keyring whose newest key is the last of keys.
func NewKeyring(keys ...Key) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("encryption keys: none given")
	}
	k := &Keyring{keys: map[byte]cipher.AEAD{}}
	for _, key := range keys {
		if key.ID == 0 {
			return nil, errors.New("encryption keys: key id 0 is reserved; ids are 1 to 255")
		}
		if _, dup := k.keys[key.ID]; dup {
			return nil, fmt.Errorf("encryption keys: key id %d is given twice", key.ID)
		}
		aead, err := newAEAD(key.Secret)
		if err != nil {
			return nil, fmt.Errorf("encryption key %d: %w", key.ID, err)
		}
		k.keys[key.ID] = aead
		k.newest = key.ID
	}
	return k, nil
}

// ParseKeys reads "id:base64,id:base64" (newest last), the form of
// ONBOARD_ENCRYPTION_KEYS. Whitespace and newlines around entries are
// ignored, so a key file may hold one entry per line.
func ParseKeys(spec string) ([]Key, error) {
	var keys []Key
	for _, entry := range strings.FieldsFunc(spec, func(r rune) bool { return r == ',' || r == '\n' || r == ' ' || r == '\r' || r == '\t' }) {
		idText, secretText, ok := strings.Cut(entry, ":")
		if !ok {
			// Never quote the entry: it may be a key.
			return nil, errors.New("encryption keys: an entry is not id:base64-key")
		}
		id, err := strconv.ParseUint(idText, 10, 8)
		if err != nil || id == 0 {
			return nil, fmt.Errorf("encryption keys: key id %q is not a number from 1 to 255", idText)
		}
		secret, err := DecodeKey(secretText)
		if err != nil {
			return nil, fmt.Errorf("encryption key %d: %w", id, err)
		}
		keys = append(keys, Key{ID: byte(id), Secret: secret})
	}
	if len(keys) == 0 {
		return nil, errors.New("encryption keys: none given")
	}
	return keys, nil
}

// DecodeKey reads the base64 of a 32-byte key.
func DecodeKey(text string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil {
		return nil, errors.New("not valid base64 (generate a key with: openssl rand -base64 32)")
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("%d bytes, want %d (generate a key with: openssl rand -base64 32)", len(key), KeySize)
	}
	return key, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("%d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Newest is the id of the key that seals new values.
func (k *Keyring) Newest() byte { return k.newest }

// Seal encrypts plaintext under the newest key, authenticating ad with it,
// and returns key id || nonce || ciphertext.
func (k *Keyring) Seal(ad, plaintext []byte) []byte {
	return seal(k.keys[k.newest], k.newest, ad, plaintext)
}

// Open decrypts what Seal returned for the same ad, under whichever key
// of the ring sealed it.
func (k *Keyring) Open(ad, sealed []byte) ([]byte, error) {
	id, err := KeyID(sealed)
	if err != nil {
		return nil, err
	}
	aead, ok := k.keys[id]
	if !ok {
		return nil, fmt.Errorf("sealed under encryption key %d, which is not configured", id)
	}
	return open(aead, ad, sealed)
}

// KeyID returns the id of the key that sealed a value.
func KeyID(sealed []byte) (byte, error) {
	if len(sealed) == 0 {
		return 0, errors.New("sealed value is empty")
	}
	return sealed[0], nil
}

// DataKey seals and opens one customer's data. Its plaintext never leaves
// this package; stores keep the wrapped form that NewDataKey returns.
type DataKey struct{ aead cipher.AEAD }

// dataKeyID marks values sealed under a data key rather than the ring.
const dataKeyID = 0

// NewDataKey makes a random data key and returns it with its wrapped
// form, sealed under the newest key with ad naming its row.
func (k *Keyring) NewDataKey(ad []byte) (DataKey, []byte) {
	secret := make([]byte, KeySize)
	rand.Read(secret)
	aead, err := newAEAD(secret)
	if err != nil {
		panic("envelope: " + err.Error()) // a 32-byte key always makes a cipher
	}
	return DataKey{aead}, k.Seal(ad, secret)
}

// OpenDataKey unwraps a data key that NewDataKey (or Rewrap) made for the
// same ad.
func (k *Keyring) OpenDataKey(ad, wrapped []byte) (DataKey, error) {
	secret, err := k.Open(ad, wrapped)
	if err != nil {
		return DataKey{}, fmt.Errorf("open data key: %w", err)
	}
	aead, err := newAEAD(secret)
	if err != nil {
		return DataKey{}, fmt.Errorf("open data key: %w", err)
	}
	return DataKey{aead}, nil
}

// Rewrap re-seals a value (a wrapped data key, a sealed secret) under the
// newest key; the plaintext, and so everything sealed under a data key,
// stays as it is.
func (k *Keyring) Rewrap(ad, sealed []byte) ([]byte, error) {
	plain, err := k.Open(ad, sealed)
	if err != nil {
		return nil, err
	}
	return k.Seal(ad, plain), nil
}

// Seal encrypts plaintext under the data key, authenticating ad.
func (d DataKey) Seal(ad, plaintext []byte) []byte { return seal(d.aead, dataKeyID, ad, plaintext) }

// Open decrypts what Seal returned for the same ad.
func (d DataKey) Open(ad, sealed []byte) ([]byte, error) {
	if id, err := KeyID(sealed); err != nil || id != dataKeyID {
		return nil, fmt.Errorf("not sealed under a data key: %w", ErrOpen)
	}
	return open(d.aead, ad, sealed)
}

func seal(aead cipher.AEAD, id byte, ad, plaintext []byte) []byte {
	size := aead.NonceSize()
	out := make([]byte, 1+size, 1+size+len(plaintext)+aead.Overhead())
	out[0] = id
	nonce := out[1:]
	rand.Read(nonce)
	return aead.Seal(out, nonce, plaintext, ad)
}

func open(aead cipher.AEAD, ad, sealed []byte) ([]byte, error) {
	size := aead.NonceSize()
	if len(sealed) < 1+size+aead.Overhead() {
		return nil, fmt.Errorf("%d sealed bytes are too few: %w", len(sealed), ErrOpen)
	}
	plain, err := aead.Open(nil, sealed[1:1+size], sealed[1+size:], ad)
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}

// AD joins the parts of associated data (a row id, a purpose) so that no
// two different lists of parts give the same bytes.
func AD(parts ...string) []byte {
	var b []byte
	for _, p := range parts {
		b = strconv.AppendInt(b, int64(len(p)), 10)
		b = append(b, ':')
		b = append(b, p...)
	}
	return b
}

// IndexKey makes keyed hashes (HMAC-SHA256) of personal values that must
// be compared but not read, such as ID numbers: equal values give equal
// hashes, and without the key a hash cannot be tested against guesses.
type IndexKey struct {
	// macs holds keyed HMACs, Reset between uses: keying one costs more
	// than the hash of a short value.
	macs *sync.Pool
}

func newIndexKey(secret []byte) IndexKey {
	return IndexKey{&sync.Pool{New: func() any { return hmac.New(sha256.New, secret) }}}
}

// NewIndexKey makes a random index key and returns it with its wrapped
// form.
func (k *Keyring) NewIndexKey(ad []byte) (IndexKey, []byte) {
	secret := make([]byte, KeySize)
	rand.Read(secret)
	return newIndexKey(secret), k.Seal(ad, secret)
}

// OpenIndexKey unwraps an index key that NewIndexKey made for the same ad.
func (k *Keyring) OpenIndexKey(ad, wrapped []byte) (IndexKey, error) {
	secret, err := k.Open(ad, wrapped)
	if err != nil {
		return IndexKey{}, fmt.Errorf("open index key: %w", err)
	}
	return newIndexKey(secret), nil
}

// Hash returns the hex HMAC of the parts, or "" when the parts are all
// empty: an absent value matches nothing.
func (i IndexKey) Hash(parts ...string) string {
	if strings.Join(parts, "") == "" {
		return ""
	}
	m := i.macs.Get().(hash.Hash)
	defer i.macs.Put(m)
	m.Reset()
	m.Write(AD(parts...))
	return hex.EncodeToString(m.Sum(nil))
}
