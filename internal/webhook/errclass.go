package webhook

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strconv"
)

// The classes of a failed attempt: all that partners are shown of it
// (GET /api/webhooks/deliveries). The error itself can name our resolver's
// address and tells an address we refuse from a name that does not
// resolve, which would let a partner map our network; it goes only to the
// operators' log.
const (
	ClassConnection = "connection failed"
	ClassTimeout    = "timeout"
	ClassTLS        = "tls error"
	ClassInternal   = "internal error"
)

// errInternal marks a failure of ours before anything was sent.
var errInternal = errors.New("webhook: internal error")

// errorClass returns the class of an attempt that failed with err, having
// got the status code (0 for none).
func errorClass(code int, err error) string {
	var dnsErr *net.DNSError
	switch {
	case code != 0:
		return "http status " + strconv.Itoa(code)
	case errors.Is(err, errInternal):
		return ClassInternal
	// Before timeouts: a lookup that timed out is as much a connection
	// failure as a refused address or an unknown name.
	case errors.As(err, &dnsErr), errors.Is(err, ErrForbiddenAddress):
		return ClassConnection
	case isTimeout(err):
		return ClassTimeout
	case isTLS(err):
		return ClassTLS
	}
	return ClassConnection
}

func isTimeout(err error) bool {
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout()
}

func isTLS(err error) bool {
	var (
		header   tls.RecordHeaderError
		verify   *tls.CertificateVerificationError
		alert    tls.AlertError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	return errors.As(err, &header) || errors.As(err, &verify) || errors.As(err, &alert) ||
		errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid)
}
