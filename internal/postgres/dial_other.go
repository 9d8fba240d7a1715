//go:build !linux

package postgres

import (
	"syscall"
	"time"
)

// tcpUserTimeout is Linux's; elsewhere the keepalives and the deadline of
// each call are what notice a silent server.
func tcpUserTimeout(time.Duration) func(network, address string, c syscall.RawConn) error {
	return nil
}
