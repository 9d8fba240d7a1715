package postgres

import (
	"context"
	"net"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onboardkyb/onboard/internal/sqlstore"
)

// keepAliveCount is how many unanswered keepalive probes drop an idle
// connection; with the probes every third of the TCP user timeout, a
// silent server is noticed within about that timeout, idle or not.
const keepAliveCount = 3

// configureTimeouts applies opts to a pool's configuration: statement_timeout on the
// server, and a dialer whose connections are dropped by the kernel when
// the server stops acknowledging, busy (TCP user timeout) or idle
// (keepalives), as when a firewall silently drops its packets.
func configureTimeouts(cfg *pgxpool.Config, opts sqlstore.Options) {
	if cfg.ConnConfig.RuntimeParams == nil {
		cfg.ConnConfig.RuntimeParams = map[string]string{}
	}
	cfg.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(opts.Timeout.Milliseconds(), 10)
	probe := max(opts.TCPUserTimeout/keepAliveCount, time.Second)
	d := &net.Dialer{
		Timeout:         cfg.ConnConfig.ConnectTimeout,
		KeepAliveConfig: net.KeepAliveConfig{Enable: true, Idle: probe, Interval: probe, Count: keepAliveCount},
		Control:         tcpUserTimeout(opts.TCPUserTimeout),
	}
	cfg.ConnConfig.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}
}
