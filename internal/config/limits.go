package config

import (
	"fmt"
	"math"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/onboardkyb/onboard/internal/kyb"
)

type floatValue float64

func (v *floatValue) Set(s string) error {
	f, err := strconv.ParseFloat(s, 64)
	*v = floatValue(f)
	return err
}
func (v *floatValue) String() string { return strconv.FormatFloat(float64(*v), 'f', -1, 64) }

// prefixesValue is a comma-separated list of addresses and CIDR prefixes;
// an address stands for itself alone.
type prefixesValue []netip.Prefix

func (v *prefixesValue) Set(s string) error {
	var out []netip.Prefix
	for field := range strings.SplitSeq(s, ",") {
		field = strings.TrimSpace(field)
		if field == "" {
			continue
		}
		p, err := netip.ParsePrefix(field)
		if err != nil {
			addr, aerr := netip.ParseAddr(field)
			if aerr != nil {
				return fmt.Errorf("%q is neither an address nor a CIDR prefix", field)
			}
			p = netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	*v = out
	return nil
}

func (v *prefixesValue) String() string {
	parts := make([]string, len(*v))
	for i, p := range *v {
		parts[i] = p.String()
	}
	return strings.Join(parts, ",")
}

// maxInFlight is the highest max-in-flight: past it the limit protects
// nothing.
const maxInFlight = 100000

// validateLimits reports the limit and metrics settings that cannot work.
func (c Config) validateLimits() []error {
	var errs []error
	if math.IsNaN(c.RateLimit) || c.RateLimit < 0 || c.RateLimit > kyb.MaxRequestsPerSecond {
		errs = append(errs, fmt.Errorf("rate-limit %v: want 0 (no limit) to %d requests a second", c.RateLimit, kyb.MaxRequestsPerSecond))
	}
	if c.RateLimit > 0 && (c.RateBurst < 1 || c.RateBurst > kyb.MaxBurst) {
		errs = append(errs, fmt.Errorf("rate-burst %d: want 1 to %d", c.RateBurst, kyb.MaxBurst))
	}
	if c.MaxInFlight < 0 || c.MaxInFlight > maxInFlight {
		errs = append(errs, fmt.Errorf("max-in-flight %d: want 0 (no limit) to %d", c.MaxInFlight, maxInFlight))
	}
	if c.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			errs = append(errs, fmt.Errorf("metrics-addr %q: want HOST:PORT", c.MetricsAddr))
		} else if c.MetricsAddr == c.Addr && port != "0" {
			errs = append(errs, fmt.Errorf("metrics-addr %q: must differ from addr, so that metrics are never public", c.MetricsAddr))
		}
	}
	return errs
}
