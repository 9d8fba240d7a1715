package kyb

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// KeyCacheTTL bounds how long a looked-up API key is trusted without asking
// the store again, and so how long a revoked key keeps working on an
// instance that had it cached. The contract promises under five seconds.
const KeyCacheTTL = 3 * time.Second

// maxCachedKeys bounds the cache's memory; when full it starts afresh.
const maxCachedKeys = 10000

// ErrBadCredentials is the one answer to any authentication failure.
var ErrBadCredentials = &Error{Kind: KindUnauthorized, Code: "unauthorized", Message: "missing or invalid API credentials"}

// Authenticate returns the live API key that matches the credentials.
// Every failure is the same error, so a caller learns nothing about which
// part was wrong, and the secret is compared in constant time even when
// the key does not exist.
func (s *Service) Authenticate(ctx context.Context, keyID, secret string) (APIKey, error) {
	key, err := s.lookupKey(ctx, keyID)
	if err != nil && ErrorKind(err) != KindNotFound {
		return APIKey{}, fmt.Errorf("authenticate: %w", err)
	}
	matches := key.Matches(secret)
	if err != nil || !matches || !key.Live() {
		return APIKey{}, ErrBadCredentials
	}
	return key, nil
}

// lookupKey reads a key through a short-lived cache, so that the store is
// not asked on every request.
func (s *Service) lookupKey(ctx context.Context, keyID string) (APIKey, error) {
	now := s.Now()
	if key, ok := s.keys.get(keyID, now); ok {
		return key, nil
	}
	key, err := s.store.APIKey(ctx, keyID)
	if err != nil {
		return APIKey{}, err
	}
	s.keys.put(key, now)
	return key, nil
}

type cachedKey struct {
	key     APIKey
	expires time.Time
}

type keyCache struct {
	mu      sync.RWMutex
	entries map[string]cachedKey
}

func (c *keyCache) get(id string, now time.Time) (APIKey, bool) {
	c.mu.RLock()
	e, ok := c.entries[id]
	c.mu.RUnlock()
	if !ok || !now.Before(e.expires) {
		return APIKey{}, false
	}
	return e.key, true
}

func (c *keyCache) put(key APIKey, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxCachedKeys {
		c.entries = make(map[string]cachedKey)
	}
	c.entries[key.ID] = cachedKey{key: key, expires: now.Add(KeyCacheTTL)}
}

// forget drops a key from this instance's cache, so that a revocation made
// here takes effect at once; other instances see it within KeyCacheTTL.
func (c *keyCache) forget(id string) {
	c.mu.Lock()
	delete(c.entries, id)
	c.mu.Unlock()
}
