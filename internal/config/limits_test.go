package config

import (
	"flag"
	"io"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func TestLimitSettings(t *testing.T) {
	c := Default()
	if c.RateLimit != 50 || c.RateBurst != 100 || c.MetricsAddr != "" || c.TrustedProxies != nil || c.MaxInFlight != 64 {
		t.Errorf("defaults = %v/s burst %d, metrics %q, proxies %v, %d in flight; want 50/s burst 100, no metrics, no proxies, 64 in flight", c.RateLimit, c.RateBurst, c.MetricsAddr, c.TrustedProxies, c.MaxInFlight)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	env := map[string]string{"ONBOARD_RATE_LIMIT": "2.5", "ONBOARD_METRICS_ADDR": "127.0.0.1:9090", "ONBOARD_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7", "ONBOARD_MAX_IN_FLIGHT": "8"}
	if err := c.Bind(fs, func(name string) string { return env[name] }, ServeSettings...); err != nil {
		t.Fatal(err)
	}
	if err := fs.Parse([]string{"--rate-burst", "7"}); err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32")}
	if c.RateLimit != 2.5 || c.RateBurst != 7 || c.MetricsAddr != "127.0.0.1:9090" || !slices.Equal(c.TrustedProxies, want) || c.MaxInFlight != 8 {
		t.Errorf("settings = %v/s burst %d, metrics %q, proxies %v; want 2.5/s burst 7, 127.0.0.1:9090, %v", c.RateLimit, c.RateBurst, c.MetricsAddr, c.TrustedProxies, want)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if s := c.String(); !strings.Contains(s, "rate-limit=2.5 rate-burst=7 trusted-proxies=10.0.0.0/8,192.0.2.7/32 max-in-flight=8 metrics-addr=127.0.0.1:9090") {
		t.Errorf("String() = %q, want the limits and metrics address", s)
	}

	off := Default()
	off.RateLimit, off.RateBurst = 0, 0
	if err := off.Validate(); err != nil {
		t.Errorf("Validate with the rate limit off: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"negative rate", func(c *Config) { c.RateLimit = -1 }, "rate-limit"},
		{"no burst", func(c *Config) { c.RateBurst = 0 }, "rate-burst"},
		{"negative in flight", func(c *Config) { c.MaxInFlight = -1 }, "max-in-flight"},
		{"metrics without a port", func(c *Config) { c.MetricsAddr = "localhost" }, "metrics-addr"},
		{"metrics on the public address", func(c *Config) { c.MetricsAddr = c.Addr }, "metrics-addr"},
	} {
		c := Default()
		tc.edit(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate = %v, want an error about %s", tc.name, err, tc.want)
		}
	}
	var p prefixesValue
	if err := p.Set("10.0.0.0/8,proxy.example.com"); err == nil {
		t.Error("a host name was taken for a proxy address")
	}
}
