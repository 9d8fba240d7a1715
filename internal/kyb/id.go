package kyb

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"time"
)

// Prefixes of the ids the service assigns.
const (
	PrefixCustomer = "cus_"
	PrefixPartner  = "ptn_"
	PrefixAPIKey   = "ak_"
)

// NewID returns prefix followed by 32 lowercase hex digits: 48 bits of
// Unix milliseconds then 80 random bits, so ids sort by creation time and
// index inserts stay local.
func NewID(prefix string, now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16)
	rand.Read(b[6:])
	return prefix + hex.EncodeToString(b[:])
}

// IsID reports whether s has the shape NewID gives for prefix.
func IsID(s, prefix string) bool {
	if len(s) != len(prefix)+32 || s[:len(prefix)] != prefix {
		return false
	}
	for _, c := range s[len(prefix):] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
