package postgres

import (
	"context"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onboardkyb/onboard/internal/sqlstore"
)

// TestConnectionsNoticeASilentServer: the pool's connections carry
// statement_timeout, and their sockets the TCP user timeout and
// keepalives, read back from the kernel.
func TestConnectionsNoticeASilentServer(t *testing.T) {
	cfg, err := pgxpool.ParseConfig("postgres://onboard@127.0.0.1:5432/onboard")
	if err != nil {
		t.Fatal(err)
	}
	configureTimeouts(cfg, sqlstore.NewOptions(sqlstore.WithTimeout(1500*time.Millisecond), sqlstore.WithTCPUserTimeout(9*time.Second)))
	if got := cfg.ConnConfig.RuntimeParams["statement_timeout"]; got != "1500" {
		t.Errorf("statement_timeout = %q, want 1500 (milliseconds)", got)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	conn, err := cfg.ConnConfig.DialFunc(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	raw, err := conn.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	for _, opt := range []struct {
		name         string
		level, label int
		want         int
	}{
		{"TCP_USER_TIMEOUT", syscall.IPPROTO_TCP, tcpUserTimeoutOption, 9000},
		{"SO_KEEPALIVE", syscall.SOL_SOCKET, syscall.SO_KEEPALIVE, 1},
		{"TCP_KEEPIDLE", syscall.IPPROTO_TCP, syscall.TCP_KEEPIDLE, 3},
		{"TCP_KEEPINTVL", syscall.IPPROTO_TCP, syscall.TCP_KEEPINTVL, 3},
		{"TCP_KEEPCNT", syscall.IPPROTO_TCP, syscall.TCP_KEEPCNT, keepAliveCount},
	} {
		var got int
		var gerr error
		raw.Control(func(fd uintptr) { got, gerr = syscall.GetsockoptInt(int(fd), opt.level, opt.label) })
		if gerr != nil || got != opt.want {
			t.Errorf("%s = %d, %v; want %d", opt.name, got, gerr, opt.want)
		}
	}
}
