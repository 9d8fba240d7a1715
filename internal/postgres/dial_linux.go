package postgres

import (
	"syscall"
	"time"
)

// tcpUserTimeoutOption is TCP_USER_TIMEOUT of linux/tcp.h, which package
// syscall does not name.
const tcpUserTimeoutOption = 0x12

// tcpUserTimeout returns a dialer's Control that sets TCP_USER_TIMEOUT on
// TCP sockets (not on Unix sockets, which have no such thing).
func tcpUserTimeout(d time.Duration) func(network, address string, c syscall.RawConn) error {
	return func(network, _ string, c syscall.RawConn) error {
		if network != "tcp" && network != "tcp4" && network != "tcp6" {
			return nil
		}
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, tcpUserTimeoutOption, int(d.Milliseconds()))
		})
		if err != nil {
			return err
		}
		return serr
	}
}
