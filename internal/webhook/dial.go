package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"syscall"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// ErrForbiddenAddress is returned when an endpoint resolves to an address
// that kyb.PublicAddress refuses.
var ErrForbiddenAddress = errors.New("webhook: endpoint address is not public")

// newDialer returns a dialer that checks the address it actually connects
// to, after DNS resolution, so that a name re-pointed at a private address
// (DNS rebinding) is refused too. allowPrivate turns the check off for
// local development.
func newDialer(allowPrivate bool, timeout time.Duration) *net.Dialer {
	d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
			}
			if !kyb.PublicAddress(ap.Addr()) {
				return fmt.Errorf("%w: %s", ErrForbiddenAddress, ap.Addr())
			}
			return nil
		}
	}
	return d
}

// dialContext is the signature of net.Dialer.DialContext.
type dialContext = func(ctx context.Context, network, addr string) (net.Conn, error)
