// Package config holds the service's settings: one struct, defaults from
// one function, values from ONBOARD_* environment variables and then from
// flags, validated once at start-up.
package config

import (
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// Config is every setting of the onboard binary.
type Config struct {
	// Addr is where serve listens.
	Addr string
	// DatabaseURL is sqlite:PATH or postgres://...
	DatabaseURL string
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// SandboxPartner makes serve create a sandbox partner on a database
	// without partners even on PostgreSQL; on SQLite it always does.
	SandboxPartner bool
	// ShutdownTimeout bounds how long serve waits for in-flight requests
	// after SIGTERM.
	ShutdownTimeout time.Duration
	// FileEncryptionKey is the base64 of the 32-byte key that encrypts
	// uploaded files at rest. A secret: String masks it.
	FileEncryptionKey string
}

// Default returns the settings used when nothing else is given: the
// embedded SQLite database in ./data, listening on localhost.
func Default() Config {
	return Config{
		Addr:            "127.0.0.1:8083",
		DatabaseURL:     "sqlite:./data/onboard.db",
		LogLevel:        "info",
		ShutdownTimeout: 30 * time.Second,
	}
}

// option describes one setting: its flag, its variable and where it lives.
type option struct {
	flag, env, usage string
	bind             func(fs *flag.FlagSet, name, usage string)
	set              func(string) error
}

func (c *Config) options() []option {
	str := func(p *string) (func(*flag.FlagSet, string, string), func(string) error) {
		return func(fs *flag.FlagSet, name, usage string) { fs.StringVar(p, name, *p, usage) },
			func(v string) error { *p = v; return nil }
	}
	addrBind, addrSet := str(&c.Addr)
	dbBind, dbSet := str(&c.DatabaseURL)
	logBind, logSet := str(&c.LogLevel)
	keyBind, keySet := str(&c.FileEncryptionKey)
	return []option{
		{"addr", "ONBOARD_ADDR", "address to listen on", addrBind, addrSet},
		{"database-url", "ONBOARD_DATABASE_URL", "database: sqlite:PATH (embedded, the default) or postgres://USER@HOST:PORT/DB", dbBind, dbSet},
		{"log-level", "ONBOARD_LOG_LEVEL", "log level: debug, info, warn or error", logBind, logSet},
		{"create-sandbox-partner", "ONBOARD_CREATE_SANDBOX_PARTNER", "create a sandbox partner on an empty PostgreSQL database too (SQLite always gets one)",
			func(fs *flag.FlagSet, name, usage string) {
				fs.BoolVar(&c.SandboxPartner, name, c.SandboxPartner, usage)
			},
			func(v string) error {
				switch strings.ToLower(v) {
				case "1", "true", "yes":
					c.SandboxPartner = true
				case "0", "false", "no", "":
					c.SandboxPartner = false
				default:
					return fmt.Errorf("not a boolean: %q", v)
				}
				return nil
			}},
		{"shutdown-timeout", "ONBOARD_SHUTDOWN_TIMEOUT", "how long to let in-flight requests finish on SIGTERM",
			func(fs *flag.FlagSet, name, usage string) {
				fs.DurationVar(&c.ShutdownTimeout, name, c.ShutdownTimeout, usage)
			},
			func(v string) (err error) { c.ShutdownTimeout, err = time.ParseDuration(v); return err }},
		{"file-encryption-key", "ONBOARD_FILE_ENCRYPTION_KEY", "base64 of the 32-byte key that encrypts uploaded files; required with PostgreSQL, kept beside the database file with SQLite when unset (prefer the variable: flags show in process lists)", keyBind, keySet},
	}
}

// Bind reads the environment variables of the named settings into c and
// then registers their flags on fs, so that a flag overrides its variable,
// which overrides the default.
func (c *Config) Bind(fs *flag.FlagSet, getenv func(string) string, names ...string) error {
	for _, o := range c.options() {
		if !slices.Contains(names, o.flag) {
			continue
		}
		if v := getenv(o.env); v != "" {
			if err := o.set(v); err != nil {
				return fmt.Errorf("%s: %w", o.env, err)
			}
		}
		o.bind(fs, o.flag, o.usage+" (env "+o.env+")")
	}
	return nil
}

// Validate reports every setting that cannot work.
func (c Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("addr %q: want HOST:PORT", c.Addr))
	}
	if _, _, err := ParseDatabaseURL(c.DatabaseURL); err != nil {
		errs = append(errs, err)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log-level %q: want debug, info, warn or error", c.LogLevel))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, fmt.Errorf("shutdown-timeout %v: must be positive", c.ShutdownTimeout))
	}
	if c.FileEncryptionKey != "" {
		if _, err := DecodeFileKey(c.FileEncryptionKey); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Engines of ParseDatabaseURL.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// ParseDatabaseURL returns the engine of a database URL and what to open:
// the file path for SQLite, the URL itself for PostgreSQL.
func ParseDatabaseURL(s string) (engine, target string, err error) {
	switch {
	case strings.HasPrefix(s, "sqlite:"):
		path := strings.TrimPrefix(s, "sqlite:")
		if path == "" {
			return "", "", fmt.Errorf("database-url %q: want sqlite:PATH", s)
		}
		return SQLite, path, nil
	case strings.HasPrefix(s, "postgres://"), strings.HasPrefix(s, "postgresql://"):
		return Postgres, s, nil
	}
	return "", "", fmt.Errorf("database-url %q: want sqlite:PATH or postgres://...", MaskURL(s))
}

// MaskURL hides the password in a database URL so that it can be logged.
func MaskURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// String prints the settings with secrets masked.
func (c Config) String() string {
	key := "unset"
	if c.FileEncryptionKey != "" {
		key = "xxxxx"
	}
	return fmt.Sprintf("addr=%s database=%s log-level=%s create-sandbox-partner=%t shutdown-timeout=%s file-encryption-key=%s",
		c.Addr, MaskURL(c.DatabaseURL), c.LogLevel, c.SandboxPartner, c.ShutdownTimeout, key)
}

// DecodeFileKey decodes a file encryption key given as standard base64 of
// exactly kyb.FileKeySize bytes. Its errors never quote the key.
func DecodeFileKey(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, errors.New("file-encryption-key: not standard base64")
	}
	if len(key) != kyb.FileKeySize {
		return nil, fmt.Errorf("file-encryption-key: %d bytes, want %d (generate one with: openssl rand -base64 %[2]d)", len(key), kyb.FileKeySize)
	}
	return key, nil
}
