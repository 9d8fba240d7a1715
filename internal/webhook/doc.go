// Package webhook delivers customer events to partners' endpoints: the
// relay that drains the transactional outbox through its own small Store,
// signs each delivery with the scheme of package api, and posts it through
// the outbound dialer that refuses private addresses.
package webhook
