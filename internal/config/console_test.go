package config

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func TestConsoleSettings(t *testing.T) {
	env := map[string]string{"ONBOARD_CONSOLE_SESSION_IDLE": "10m", "ONBOARD_CONSOLE_ADMIN_TOTP": "true"}
	c := Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := c.Bind(fs, func(name string) string { return env[name] }, ServeSettings...); err != nil {
		t.Fatal(err)
	}
	if err := fs.Parse([]string{"--console-session-lifetime", "2h"}); err != nil {
		t.Fatal(err)
	}
	p := c.ConsolePolicy()
	if p.SessionIdle != 10*time.Minute || p.SessionLifetime != 2*time.Hour || !p.AdminTOTP || p.Password.Memory == 0 {
		t.Errorf("ConsolePolicy = %+v, want the settings given", p)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate = %v", err)
	}
	for _, tt := range []struct {
		idle, lifetime time.Duration
		want           string
	}{
		{0, time.Hour, "console-session-idle 0s: must be positive"},
		{time.Hour, 30 * time.Minute, "console-session-lifetime 30m0s: must be at least console-session-idle (1h0m0s)"},
	} {
		c.ConsoleSessionIdle, c.ConsoleSessionLifetime = tt.idle, tt.lifetime
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("idle %v lifetime %v: Validate = %v, want %q", tt.idle, tt.lifetime, err, tt.want)
		}
	}
}
