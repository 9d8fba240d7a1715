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
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/onboardkyb/onboard/internal/envelope"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/screening"
	"github.com/onboardkyb/onboard/internal/sqlstore"
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
	// ReadHeaderTimeout and ReadTimeout cut off a client that sends its
	// request headers, or its whole request, too slowly.
	ReadHeaderTimeout, ReadTimeout time.Duration
	// DBTimeout bounds every database call, transaction and batch of
	// creates, and is PostgreSQL's statement_timeout.
	DBTimeout time.Duration
	// DBTCPUserTimeout is how long PostgreSQL may leave data unacknowledged
	// before its connection is dropped.
	DBTCPUserTimeout time.Duration
	// FileEncryptionKey is the base64 of the 32-byte key that encrypts
	// uploaded files and webhook secrets at rest. A secret: String masks it.
	FileEncryptionKey string
	// EncryptionKeys ("id:base64,...", newest last) or the file
	// EncryptionKeyFile names hold the key-encryption keys of personal
	// data (package envelope). Secrets: String masks them.
	EncryptionKeys, EncryptionKeyFile string
	// RetainRejected is how long a rejected customer's personal data is
	// kept before it is erased; 0 keeps it for ever.
	RetainRejected time.Duration
	// HighRiskCountries and MinRegistrationAge are the risk flags' policy.
	HighRiskCountries  []string
	MinRegistrationAge time.Duration
	// ScreeningThreshold is the score from which a resemblance to a list
	// entry is a screening hit.
	ScreeningThreshold float64
	// AllowInsecureWebhooks permits http endpoints and private addresses.
	AllowInsecureWebhooks bool
	// WebhookTimeout bounds one delivery attempt.
	WebhookTimeout time.Duration
	// WebhookWorkers is how many deliveries one instance sends at once.
	WebhookWorkers int
	// The retry schedule of failed deliveries.
	WebhookRetryInitial, WebhookRetryMax, WebhookGiveUpAfter time.Duration
	// WebhookSecretGrace is how long a rotated webhook secret keeps
	// signing deliveries beside the new one.
	WebhookSecretGrace time.Duration
	// RateLimit and RateBurst are the default rate limit of each API key,
	// per instance; a RateLimit of 0 turns it off.
	RateLimit float64
	RateBurst int
	// TrustedProxies are the proxies whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// MaxInFlight is the most requests an instance serves at once; 0 for
	// no limit.
	MaxInFlight int
	// MetricsAddr is where Prometheus metrics are served; empty for not.
	MetricsAddr string
	// Pprof also serves Go's profiler on the metrics listener.
	Pprof bool
	// OperatorTokenTTL is how long an operator token works after it was
	// issued.
	OperatorTokenTTL time.Duration
	// Sanctions lists: RescreenDelay is how long after an import
	// re-screening against it starts; OFACSDNURL (the folder of sdn.csv,
	// alt.csv and add.csv) and UNListURL are where lists update fetches
	// the publications, every ListUpdateInterval in serve (0: never).
	RescreenDelay         time.Duration
	RescreenLease         time.Duration
	OFACSDNURL, UNListURL string
	ListUpdateInterval    time.Duration
	// ConsoleSessionIdle and ConsoleSessionLifetime end console sessions
	// unused for that long, or that long after their login; ConsoleAdminTOTP
	// requires admins to sign in with a second factor.
	ConsoleSessionIdle, ConsoleSessionLifetime time.Duration
	ConsoleAdminTOTP                           bool
}

// Default returns the settings used when nothing else is given: the
// embedded SQLite database in ./data, listening on localhost.
func Default() Config {
	return Config{
		Addr:            "127.0.0.1:8083",
		DatabaseURL:     "sqlite:./data/onboard.db",
		LogLevel:        "info",
		ShutdownTimeout: 30 * time.Second,

		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,

		DBTimeout:        sqlstore.DefaultTimeout,
		DBTCPUserTimeout: sqlstore.DefaultTCPUserTimeout,

		WebhookTimeout:      10 * time.Second,
		WebhookWorkers:      4,
		WebhookRetryInitial: 5 * time.Second,
		WebhookRetryMax:     time.Hour,
		WebhookGiveUpAfter:  24 * time.Hour,
		WebhookSecretGrace:  kyb.DefaultWebhookSecretGrace,

		RateLimit: kyb.DefaultRateLimit.PerSecond,
		RateBurst: kyb.DefaultRateLimit.Burst,

		RetainRejected:     kyb.DefaultRetainRejected,
		HighRiskCountries:  kyb.DefaultHighRiskCountries,
		MinRegistrationAge: kyb.DefaultMinRegistrationAge,
		ScreeningThreshold: kyb.DefaultThreshold,
		// Enough to keep a database pool busy with a queue behind it, so
		// a burst waits rather than being refused, while 64 uploads of
		// 10 MiB at once (the worst case) stay within 640 MiB.
		MaxInFlight:      64,
		OperatorTokenTTL: kyb.DefaultOperatorTokenTTL,

		RescreenDelay:          kyb.DefaultRescreenDelay,
		RescreenLease:          kyb.DefaultRescreenLease,
		OFACSDNURL:             screening.DefaultOFACURL,
		UNListURL:              screening.DefaultUNURL,
		ConsoleSessionIdle:     kyb.DefaultSessionIdle,
		ConsoleSessionLifetime: kyb.DefaultSessionLifetime,
	}
}

// option is one setting: its flag, its environment variable, and the
// field it sets.
type option struct {
	flag, env, usage string
	value            flag.Value
}

func (c *Config) options() []option {
	return []option{
		{"addr", "ONBOARD_ADDR", "address to listen on", (*stringValue)(&c.Addr)},
		{"database-url", "ONBOARD_DATABASE_URL", "database: sqlite:PATH (embedded, the default) or postgres://USER@HOST:PORT/DB", (*stringValue)(&c.DatabaseURL)},
		{"log-level", "ONBOARD_LOG_LEVEL", "log level: debug, info, warn or error", (*stringValue)(&c.LogLevel)},
		{"create-sandbox-partner", "ONBOARD_CREATE_SANDBOX_PARTNER", "create a sandbox partner on an empty PostgreSQL database too (SQLite always gets one)", (*boolValue)(&c.SandboxPartner)},
		{"shutdown-timeout", "ONBOARD_SHUTDOWN_TIMEOUT", "how long to let in-flight requests finish on SIGTERM", (*durationValue)(&c.ShutdownTimeout)},
		{"read-header-timeout", "ONBOARD_READ_HEADER_TIMEOUT", "how long a client may take to send a request's headers", (*durationValue)(&c.ReadHeaderTimeout)},
		{"read-timeout", "ONBOARD_READ_TIMEOUT", "how long a client may take to send a whole request, body included", (*durationValue)(&c.ReadTimeout)},
		{"db-timeout", "ONBOARD_DB_TIMEOUT", "how long a database call, transaction or batch of creates may take before the request gets 503 with Retry-After; also PostgreSQL's statement_timeout", (*durationValue)(&c.DBTimeout)},
		{"db-tcp-user-timeout", "ONBOARD_DB_TCP_USER_TIMEOUT", "how long PostgreSQL may leave data unacknowledged before its connection is dropped (TCP_USER_TIMEOUT, Linux; keepalives every third of it), so a server whose packets are silently dropped is noticed", (*durationValue)(&c.DBTCPUserTimeout)},
		{"file-encryption-key", "ONBOARD_FILE_ENCRYPTION_KEY", "base64 of the 32-byte key that encrypts uploaded files and webhook secrets; required with PostgreSQL, kept beside the database file with SQLite when unset (prefer the variable: flags show in process lists)", (*stringValue)(&c.FileEncryptionKey)},
		{"encryption-keys", "ONBOARD_ENCRYPTION_KEYS", "the keys that encrypt personal data, files and webhook secrets at rest: comma-separated id:base64-of-32-bytes, ids 1 to 255, the newest (which seals new data) last; required with PostgreSQL unless file-encryption-key or encryption-key-file is set; a file-encryption-key is key 1 (prefer the variable: flags show in process lists)", (*stringValue)(&c.EncryptionKeys)},
		{"encryption-key-file", "ONBOARD_ENCRYPTION_KEY_FILE", "a file holding the encryption-keys, one id:base64 per line, instead of the variable", (*stringValue)(&c.EncryptionKeyFile)},
		{"high-risk-countries", "ONBOARD_HIGH_RISK_COUNTRIES", "comma-separated ISO 3166-1 alpha-2 codes of the jurisdictions whose ties flag a customer high risk (registration, operating, nationality, residence or ID issuing country); the default is the FATF's call-for-action list", (*countriesValue)(&c.HighRiskCountries)},
		{"min-registration-age", "ONBOARD_MIN_REGISTRATION_AGE", "a company registered more recently than this is flagged recently_registered", (*durationValue)(&c.MinRegistrationAge)},
		{"screening-threshold", "ONBOARD_SCREENING_THRESHOLD", "the score (0.5 to 1) from which a name's resemblance to a list entry is a screening hit; lower finds more variants and more look-alikes (see BENCHMARKS.md for both at each threshold)", (*floatValue)(&c.ScreeningThreshold)},
		{"retain-rejected", "ONBOARD_RETAIN_REJECTED", "how long after its rejection a customer's personal data is kept before it is erased (crypto-shredded); 0 keeps it", (*durationValue)(&c.RetainRejected)},
		{"allow-insecure-webhooks", "ONBOARD_ALLOW_INSECURE_WEBHOOKS", "allow http webhook endpoints on loopback and private addresses, for local development only", (*boolValue)(&c.AllowInsecureWebhooks)},
		{"webhook-timeout", "ONBOARD_WEBHOOK_TIMEOUT", "how long an endpoint has to answer a delivery", (*durationValue)(&c.WebhookTimeout)},
		{"webhook-workers", "ONBOARD_WEBHOOK_WORKERS", "deliveries in flight at once, per instance", (*intValue)(&c.WebhookWorkers)},
		{"webhook-retry-initial", "ONBOARD_WEBHOOK_RETRY_INITIAL", "delay before the first retry of a failed delivery; it doubles with each retry", (*durationValue)(&c.WebhookRetryInitial)},
		{"webhook-retry-max", "ONBOARD_WEBHOOK_RETRY_MAX", "longest delay between retries", (*durationValue)(&c.WebhookRetryMax)},
		{"webhook-give-up-after", "ONBOARD_WEBHOOK_GIVE_UP_AFTER", "how long after an event its failing deliveries keep being retried", (*durationValue)(&c.WebhookGiveUpAfter)},
		{"webhook-secret-grace", "ONBOARD_WEBHOOK_SECRET_GRACE", "how long after a secret rotation deliveries are signed with the previous secret as well as the new one, so deliveries in flight and receivers not yet updated keep verifying; 0 for not at all", (*durationValue)(&c.WebhookSecretGrace)},
		{"rate-limit", "ONBOARD_RATE_LIMIT", "requests a second each API key may make on average, counted by each instance apart; 0 for no limit; a partner's own limit (onboard partners rate-limit) replaces it", (*floatValue)(&c.RateLimit)},
		{"rate-burst", "ONBOARD_RATE_BURST", "requests an API key may make at once after a pause", (*intValue)(&c.RateBurst)},
		{"trusted-proxies", "ONBOARD_TRUSTED_PROXIES", "comma-separated addresses or CIDR prefixes of the proxies in front of the service, whose X-Forwarded-For then names the client that failed authentications are counted against; by default the connecting address is the client", (*prefixesValue)(&c.TrustedProxies)},
		{"max-in-flight", "ONBOARD_MAX_IN_FLIGHT", "the most requests this instance serves at once; more get 503 overloaded with Retry-After at once instead of waiting (/healthz, /readyz and /openapi.json are not counted); 0 for no limit", (*intValue)(&c.MaxInFlight)},
		{"metrics-addr", "ONBOARD_METRICS_ADDR", "address to serve Prometheus metrics on at /metrics, such as 127.0.0.1:9090; never the public address; empty for none", (*stringValue)(&c.MetricsAddr)},
		{"pprof", "ONBOARD_PPROF", "also serve Go's profiler (net/http/pprof) at /debug/pprof/ on the metrics listener, to see what a load is spent on", (*boolValue)(&c.Pprof)},
		{"operator-token-ttl", "ONBOARD_OPERATOR_TOKEN_TTL", "how long an operator token works after it was issued (2160h is 90 days); then it gets 401 token_expired until rotated", (*durationValue)(&c.OperatorTokenTTL)},
		{"rescreen-lease", "ONBOARD_RESCREEN_LEASE", "how long a re-screening worker holds a batch of customers; a batch whose worker died (a killed or crashed instance) is taken over by another after it", (*durationValue)(&c.RescreenLease)},
		{"rescreen-delay", "ONBOARD_RESCREEN_DELAY", "how long after a sanctions list is imported the re-screening of every customer against it starts, so that every instance screens new customers against it first", (*durationValue)(&c.RescreenDelay)},
		{"ofac-sdn-url", "ONBOARD_OFAC_SDN_URL", "the folder URL that lists update fetches the OFAC SDN list's sdn.csv, alt.csv and add.csv from", (*stringValue)(&c.OFACSDNURL)},
		{"un-list-url", "ONBOARD_UN_LIST_URL", "the URL that lists update fetches the UN Security Council Consolidated List XML from", (*stringValue)(&c.UNListURL)},
		{"list-update-interval", "ONBOARD_LIST_UPDATE_INTERVAL", "how often serve fetches both lists and imports what changed, as lists update does; 0 (the default) for never", (*durationValue)(&c.ListUpdateInterval)},
		{"console-session-idle", "ONBOARD_CONSOLE_SESSION_IDLE", "a console session unused for this long ends; the operator signs in again", (*durationValue)(&c.ConsoleSessionIdle)},
		{"console-session-lifetime", "ONBOARD_CONSOLE_SESSION_LIFETIME", "every console session ends this long after its login, used or not", (*durationValue)(&c.ConsoleSessionLifetime)},
		{"console-admin-totp", "ONBOARD_CONSOLE_ADMIN_TOTP", "admins must set up and use an authenticator code (TOTP) to sign in to the console", (*boolValue)(&c.ConsoleAdminTOTP)},
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
			if err := o.value.Set(v); err != nil {
				return fmt.Errorf("%s: %w", o.env, err)
			}
		}
		fs.Var(o.value, o.flag, o.usage+" (env "+o.env+")")
	}
	return nil
}

// ServeSettings names the settings of "onboard serve".
var ServeSettings = append([]string{"addr", "database-url", "log-level", "create-sandbox-partner", "shutdown-timeout", "read-header-timeout", "read-timeout", "db-timeout", "db-tcp-user-timeout", "retain-rejected", "high-risk-countries", "min-registration-age", "screening-threshold",
	"allow-insecure-webhooks", "webhook-timeout", "webhook-workers", "webhook-retry-initial", "webhook-retry-max", "webhook-give-up-after", "webhook-secret-grace",
	"rate-limit", "rate-burst", "trusted-proxies", "max-in-flight", "metrics-addr", "pprof", "operator-token-ttl",
	"rescreen-delay", "rescreen-lease", "ofac-sdn-url", "un-list-url", "list-update-interval",
	"console-session-idle", "console-session-lifetime", "console-admin-totp"}, KeySettings...)

// KeySettings name the settings of the encryption keys, which every
// command that opens the database reads.
var KeySettings = []string{"file-encryption-key", "encryption-keys", "encryption-key-file"}

type countriesValue []string

func (v *countriesValue) Set(s string) error {
	c, err := kyb.ParseCountries(s)
	if err != nil {
		return err
	}
	*v = c
	return nil
}
func (v *countriesValue) String() string { return strings.Join(*v, ",") }

type stringValue string

func (v *stringValue) Set(s string) error { *v = stringValue(s); return nil }
func (v *stringValue) String() string     { return string(*v) }

type boolValue bool

func (v *boolValue) Set(s string) error {
	b, err := strconv.ParseBool(s)
	*v = boolValue(b)
	return err
}
func (v *boolValue) String() string   { return strconv.FormatBool(bool(*v)) }
func (v *boolValue) IsBoolFlag() bool { return true }

type durationValue time.Duration

func (v *durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	*v = durationValue(d)
	return err
}
func (v *durationValue) String() string { return time.Duration(*v).String() }

type intValue int

func (v *intValue) Set(s string) error {
	n, err := strconv.Atoi(s)
	*v = intValue(n)
	return err
}
func (v *intValue) String() string { return strconv.Itoa(int(*v)) }

// StoreOptions are the settings the database is opened with.
func (c Config) StoreOptions() []sqlstore.Option {
	return []sqlstore.Option{sqlstore.WithTimeout(c.DBTimeout), sqlstore.WithTCPUserTimeout(c.DBTCPUserTimeout)}
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
	for _, d := range []struct {
		name  string
		value time.Duration
	}{{"read-header-timeout", c.ReadHeaderTimeout}, {"read-timeout", c.ReadTimeout}, {"db-timeout", c.DBTimeout}, {"db-tcp-user-timeout", c.DBTCPUserTimeout}, {"webhook-timeout", c.WebhookTimeout}, {"webhook-retry-initial", c.WebhookRetryInitial}, {"webhook-retry-max", c.WebhookRetryMax}, {"webhook-give-up-after", c.WebhookGiveUpAfter}, {"operator-token-ttl", c.OperatorTokenTTL},
		{"rescreen-lease", c.RescreenLease}, {"console-session-idle", c.ConsoleSessionIdle}, {"console-session-lifetime", c.ConsoleSessionLifetime}} {
		if d.value <= 0 {
			errs = append(errs, fmt.Errorf("%s %v: must be positive", d.name, d.value))
		}
	}
	if !kyb.ValidThreshold(c.ScreeningThreshold) {
		errs = append(errs, fmt.Errorf("screening-threshold %v: want 0.5 to 1", c.ScreeningThreshold))
	}
	if c.WebhookSecretGrace < 0 {
		errs = append(errs, fmt.Errorf("webhook-secret-grace %v: must not be negative", c.WebhookSecretGrace))
	}
	if c.WebhookWorkers < 1 || c.WebhookWorkers > 256 {
		errs = append(errs, fmt.Errorf("webhook-workers %d: want 1 to 256", c.WebhookWorkers))
	}
	if c.FileEncryptionKey != "" {
		if _, err := DecodeFileKey(c.FileEncryptionKey); err != nil {
			errs = append(errs, err)
		}
	}
	if c.EncryptionKeys != "" {
		if _, err := envelope.ParseKeys(c.EncryptionKeys); err != nil {
			errs = append(errs, err)
		}
	}
	if c.RetainRejected < 0 {
		errs = append(errs, fmt.Errorf("retain-rejected %v: must not be negative", c.RetainRejected))
	}
	errs = append(errs, c.validateLimits()...)
	errs = append(errs, c.validateLists()...)
	if c.ConsoleSessionLifetime < c.ConsoleSessionIdle {
		errs = append(errs, fmt.Errorf("console-session-lifetime %v: must be at least console-session-idle (%v)", c.ConsoleSessionLifetime, c.ConsoleSessionIdle))
	}
	if c.Pprof && c.MetricsAddr == "" {
		errs = append(errs, errors.New("pprof: needs metrics-addr, the listener the profiler is served on"))
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
	key, keys := "unset", "unset"
	if c.FileEncryptionKey != "" {
		key = "xxxxx"
	}
	if c.EncryptionKeys != "" {
		keys = "xxxxx"
	}
	return fmt.Sprintf("addr=%s database=%s log-level=%s create-sandbox-partner=%t shutdown-timeout=%s read-header-timeout=%s read-timeout=%s db-timeout=%s db-tcp-user-timeout=%s "+
		"file-encryption-key=%s encryption-keys=%s encryption-key-file=%s retain-rejected=%s high-risk-countries=%s min-registration-age=%s screening-threshold=%s "+
		"allow-insecure-webhooks=%t webhook-timeout=%s webhook-workers=%d webhook-retry=%s..%s webhook-give-up-after=%s webhook-secret-grace=%s "+
		"rate-limit=%s rate-burst=%d trusted-proxies=%s max-in-flight=%d metrics-addr=%s pprof=%t operator-token-ttl=%s "+
		"rescreen-delay=%s rescreen-lease=%s ofac-sdn-url=%s un-list-url=%s list-update-interval=%s "+
		"console-session-idle=%s console-session-lifetime=%s console-admin-totp=%t",
		c.Addr, MaskURL(c.DatabaseURL), c.LogLevel, c.SandboxPartner, c.ShutdownTimeout, c.ReadHeaderTimeout, c.ReadTimeout, c.DBTimeout, c.DBTCPUserTimeout,
		key, keys, c.EncryptionKeyFile, c.RetainRejected, strings.Join(c.HighRiskCountries, ","), c.MinRegistrationAge, (*floatValue)(&c.ScreeningThreshold),
		c.AllowInsecureWebhooks, c.WebhookTimeout, c.WebhookWorkers, c.WebhookRetryInitial, c.WebhookRetryMax, c.WebhookGiveUpAfter, c.WebhookSecretGrace,
		(*floatValue)(&c.RateLimit), c.RateBurst, (*prefixesValue)(&c.TrustedProxies), c.MaxInFlight, c.MetricsAddr, c.Pprof, c.OperatorTokenTTL,
		c.RescreenDelay, c.RescreenLease, c.OFACSDNURL, c.UNListURL, c.ListUpdateInterval,
		c.ConsoleSessionIdle, c.ConsoleSessionLifetime, c.ConsoleAdminTOTP)
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

// validateLists checks the settings of the sanctions lists.
func (c Config) validateLists() []error {
	var errs []error
	if c.RescreenDelay < 0 {
		errs = append(errs, fmt.Errorf("rescreen-delay %v: must not be negative", c.RescreenDelay))
	}
	if c.ListUpdateInterval != 0 && c.ListUpdateInterval < time.Minute {
		errs = append(errs, fmt.Errorf("list-update-interval %v: 0 (never) or at least 1m", c.ListUpdateInterval))
	}
	for _, u := range []struct{ name, value string }{{"ofac-sdn-url", c.OFACSDNURL}, {"un-list-url", c.UNListURL}} {
		if p, err := url.Parse(u.value); err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			errs = append(errs, fmt.Errorf("%s %q: want an http or https URL", u.name, u.value))
		}
	}
	return errs
}

// ConsolePolicy is the policy of console accounts and sessions the
// settings give.
func (c Config) ConsolePolicy() kyb.ConsolePolicy {
	return kyb.ConsolePolicy{SessionIdle: c.ConsoleSessionIdle, SessionLifetime: c.ConsoleSessionLifetime, AdminTOTP: c.ConsoleAdminTOTP, Password: kyb.DefaultPasswordParams}
}
