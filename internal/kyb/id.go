package kyb

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
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
// ascend: the random part of the next id is the last one's plus one.
func NewID(prefix string, now time.Time) string {
	ms := uint64(max(now.UnixMilli(), 0))
	last.Lock()
	var b [16]byte
	if ms <= last.ms {
		ms = last.ms
		b = last.id
		for i := 15; i >= 6; i-- { // add one to the 80-bit random part
			b[i]++
			if b[i] != 0 {
				break
			}
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
