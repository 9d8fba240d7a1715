package kyb

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"math/bits"
	"sync"
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
// index inserts stay local. Within one millisecond a process's ids still
// ascend, because lists ordered by (created_at, id), such as a customer's
// audit trail, must keep the order things happened in: the random part of
// the next id is the last one's plus a fresh random step of 1 to 2^48, so
// an id cannot be guessed from the one before it.
func NewID(prefix string, now time.Time) string {
	ms := uint64(max(now.UnixMilli(), 0))
	last.Lock()
	var b [16]byte
	if ms <= last.ms {
		ms = last.ms
		hi, lo := binary.BigEndian.Uint16(last.id[6:8]), binary.BigEndian.Uint64(last.id[8:])
		var carry uint64
		lo, carry = bits.Add64(lo, randomStep(), 0)
		if hi+uint16(carry) < hi {
			// 2^31 ids in one millisecond at least: the next one has room.
			ms++
			rand.Read(b[6:])
			b[6] &= 0x7f
		} else {
			binary.BigEndian.PutUint16(b[6:8], hi+uint16(carry))
			binary.BigEndian.PutUint64(b[8:], lo)
		}
	} else {
		rand.Read(b[6:])
		b[6] &= 0x7f // room to count up without running into the next millisecond
	}
	binary.BigEndian.PutUint64(b[:8], ms<<16|uint64(binary.BigEndian.Uint16(b[6:8])))
	last.ms, last.id = ms, b
	last.Unlock()
	return prefix + hex.EncodeToString(b[:])
}

// randomStep returns a random number from 1 to 2^48.
func randomStep() uint64 {
	var r [8]byte
	rand.Read(r[:])
	return binary.BigEndian.Uint64(r[:])>>16 + 1
}

// last is the most recent id, shared by every prefix.
var last struct {
	sync.Mutex
	ms uint64
	id [16]byte
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
