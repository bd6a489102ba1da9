package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"tenderprobe/app/settings"
	"tenderprobe/app/sso"
	"tenderprobe/models"
)

// Version is the program version printed by `tenderprobe version`; release
// builds override it with -ldflags "-X tenderprobe/app.Version=...".
var Version = "dev"

// VersionLine is what `tenderprobe version` prints: the program version and
// the last database migration it knows, which an operator compares with the
// newest id in the table schema_migrations before starting an older binary.
func VersionLine() string {
	return fmt.Sprintf("tenderprobe %s (schema %s)", Version, models.SchemaVersion())
}

// Usage is the help text of the tenderprobe command; serve's flags come
// from its settings table.
func Usage() string {
	cfg := DefaultConfig()
	return `Usage: tenderprobe [subcommand] [flags]

Subcommands:
  serve                      run the web app (default)
` + settings.Usage(cfg.table(), "      ") + `  verify-receipt --db DSN --attestation ID [--version N] [--data-dir DIR]
                             re-compute a submitted attestation's receipt from the database
` + reportUsage + `  catalogue import FILE      import a standards catalogue version (YAML or JSON)
  catalogue export [-o FILE] [--format yaml|json]
                             write the current catalogue version
  probe [flags] DOMAIN...    probe domains from the command line (tenderprobe probe -h)
  version                    print the version and the schema version
  help                       print this text
`
}

// Config holds every setting of the web app. It is built from defaults,
// then TENDERPROBE_* environment variables, then command-line flags, so a
// flag always wins over the environment.
type Config struct {
	// Addr is the TCP address the server listens on.
	Addr string
	// DB is an SQLite file path or a postgres:// URL.
	DB string
	// DBPool is the PostgreSQL connection pool of this process.
	DBPool models.Pool
	// Demo adds the demo organisations, accounts and tenders at start.
	Demo bool
	// TLSCert and TLSKey, when both set, make the server speak HTTPS itself.
	TLSCert string
	TLSKey  string
	// BodyLimit caps request bodies in bytes; larger bodies get 413.
	BodyLimit int
	// PageCacheMB bounds the rendered page bodies this process keeps
	// (dashboard, tender page, review matrix); 0 renders every request.
	PageCacheMB int
	// ChangeFeed, on PostgreSQL, has each process learn of writes by
	// LISTEN/NOTIFY, so a cached page needs no query (models.ChangeFeed).
	ChangeFeed bool
	// SessionTTL is how long a login session lasts without renewal.
	SessionTTL time.Duration
	// APITokenTTL is how long a token from POST /api/v1/tokens is valid.
	APITokenTTL time.Duration
	// LoginFailuresPerAccount and LoginFailuresPerIP are the failed logins
	// allowed within LoginWindow before further attempts get 429: per
	// account from one network (an address, an IPv6 /64), and per address.
	// LoginFailuresPerAccountTotal is an account's from all networks.
	LoginFailuresPerAccount      int
	LoginFailuresPerAccountTotal int
	LoginFailuresPerIP           int
	LoginWindow                  time.Duration
	// RequireSecondFactor makes every officer and admin enrol a second
	// factor (TOTP) before they can use the app; organisations can also
	// require it for their own people.
	RequireSecondFactor bool
	// Probe holds the probe settings and the verification queue's.
	Probe ProbeConfig
	// BaseURL is the app's public address (scheme://host[:port][/path]),
	// used for links that leave the app: invitation links and reminder
	// mails. Empty means the address the request came in on.
	BaseURL string
	// TrustedProxies are the reverse proxies whose X-Forwarded-Host and
	// X-Forwarded-Proto headers are believed; from anyone else they are
	// ignored, or a client could name the host of the links the app mails
	// and claim HTTPS over plain HTTP.
	TrustedProxies []netip.Prefix
	// DataDir holds evidence files (under DataDir/evidence).
	DataDir string
	// SMTPHost and the other SMTP settings configure the relay that mails
	// invitation links; without a host, links are only shown to the officer.
	SMTPHost     string
	SMTPPort     int
	SMTPUser     string
	SMTPPassword string
	SMTPFrom     string
	// Metrics serves GET /metrics in the Prometheus text format, to
	// signed-in admins and to requests carrying MetricsToken.
	Metrics bool
	// MetricsToken, when set, is the bearer token a scraper sends to read
	// /metrics.
	MetricsToken string
	// SecretKey (base64 of 32 bytes) seals the client secrets of the
	// organisations' identity providers; without it none can be saved.
	SecretKey string
	// OSV is an OSV vulnerability export (a directory of OSV JSON files, a
	// zip of them, or an http(s) URL of one) that SBOM evidence pages list
	// the components' known vulnerabilities from; empty lists none.
	OSV string
}

// DefaultConfig returns the settings used when nothing is configured.
func DefaultConfig() Config {
	return Config{
		Addr:                         "127.0.0.1:8080",
		DB:                           "./tenderprobe.db",
		DBPool:                       models.DefaultPool,
		BodyLimit:                    1 << 20,
		PageCacheMB:                  64,
		ChangeFeed:                   true,
		SessionTTL:                   12 * time.Hour,
		APITokenTTL:                  30 * 24 * time.Hour,
		LoginFailuresPerAccount:      5,
		LoginFailuresPerAccountTotal: 50,
		LoginFailuresPerIP:           20,
		LoginWindow:                  15 * time.Minute,
		Probe:                        defaultProbeConfig(),
		DataDir:                      "./tenderprobe-data",
		SMTPPort:                     587,
	}
}

// TLS reports whether the server terminates TLS itself.
func (c Config) TLS() bool { return c.TLSCert != "" && c.TLSKey != "" }

// SecureCookies reports whether cookies are marked Secure (and HSTS sent):
// when the app serves TLS itself, or when its public address is https,
// since browsers then reach it over TLS through a proxy even if that proxy
// is not one of TrustedProxies.
func (c Config) SecureCookies() bool {
	if c.TLS() {
		return true
	}
	u, err := url.Parse(c.BaseURL)
	return err == nil && u.Scheme == "https"
}

// table is serve's settings table: every flag, its TENDERPROBE_* variable,
// its default (the value in c) and its range, declared once. The probe
// settings are the rows `tenderprobe probe` reads too.
func (c *Config) table() []settings.Setting {
	rows := []settings.Setting{
		settings.String(&c.Addr).With("addr", "TENDERPROBE_ADDR", "ADDR", "listen address"),
		settings.String(&c.DB).With("db", "TENDERPROBE_DB", "DSN", "SQLite file or postgres:// URL"),
		settings.Int(&c.DBPool.MaxOpen, 1, 1000).With("db-max-open", "TENDERPROBE_DB_MAX_OPEN", "N", "PostgreSQL: connections this process may open"),
		settings.Int(&c.DBPool.MaxIdle, 0, 1000).With("db-max-idle", "TENDERPROBE_DB_MAX_IDLE", "N", "PostgreSQL: connections kept open between requests"),
		settings.Duration(&c.DBPool.MaxLifetime, time.Second).With("db-conn-lifetime", "TENDERPROBE_DB_CONN_LIFETIME", "D", "PostgreSQL: replace a connection after this long"),
		settings.Duration(&c.DBPool.MaxIdleTime, time.Second).With("db-conn-idle-time", "TENDERPROBE_DB_CONN_IDLE_TIME", "D", "PostgreSQL: close a connection idle this long"),
		settings.Bool(&c.Demo).With("demo", "TENDERPROBE_DEMO", "", "add demo organisations, accounts and tenders"),
		settings.String(&c.TLSCert).With("tls-cert", "TENDERPROBE_TLS_CERT", "FILE", "serve HTTPS with this certificate"),
		settings.String(&c.TLSKey).With("tls-key", "TENDERPROBE_TLS_KEY", "FILE", "private key for --tls-cert"),
		settings.String(&c.BaseURL).With("base-url", "TENDERPROBE_BASE_URL", "URL", "public address of the app, for links in mails and the passkeys' relying party").Showing("taken from each request's Host"),
		settings.Prefixes(&c.TrustedProxies).With("trusted-proxies", "TENDERPROBE_TRUSTED_PROXIES", "CIDR", "reverse proxies whose X-Forwarded-Host and -Proto are believed; unset: none, the headers are ignored"),
		settings.String(&c.DataDir).With("data-dir", "TENDERPROBE_DATA_DIR", "DIR", "where evidence files are stored"),
		settings.String(&c.SMTPHost).With("smtp-host", "TENDERPROBE_SMTP_HOST", "HOST", "SMTP relay for mails; unset: invitation links are only shown"),
		settings.Int(&c.SMTPPort, 1, 65535).With("smtp-port", "TENDERPROBE_SMTP_PORT", "N", "relay port; STARTTLS is used when offered"),
		settings.String(&c.SMTPUser).With("smtp-user", "TENDERPROBE_SMTP_USER", "USER", "relay login"),
		settings.String(&c.SMTPPassword).With("smtp-password", "TENDERPROBE_SMTP_PASSWORD", "PASSWORD", "relay password"),
		settings.String(&c.SMTPFrom).With("smtp-from", "TENDERPROBE_SMTP_FROM", "ADDR", "sender address of mails"),
		settings.Int(&c.BodyLimit, 1<<10, 1<<30).With("body-limit", "TENDERPROBE_BODY_LIMIT", "BYTES", "largest request body, evidence uploads aside"),
		settings.Int(&c.PageCacheMB, 0, 1<<16).With("page-cache-mb", "TENDERPROBE_PAGE_CACHE_MB", "MB", "rendered pages kept in memory (dashboard, tender page, review matrix), renewed on any write; 0: none"),
		settings.Bool(&c.ChangeFeed).With("change-feed", "TENDERPROBE_CHANGE_FEED", "", "on PostgreSQL, learn of every process's writes by LISTEN/NOTIFY, so cached pages and sessions need no query; false: ask the database on every request"),
		settings.Duration(&c.SessionTTL, time.Minute).With("session-ttl", "TENDERPROBE_SESSION_TTL", "D", "how long a login session lasts"),
		settings.Duration(&c.APITokenTTL, time.Minute).With("api-token-ttl", "TENDERPROBE_API_TOKEN_TTL", "D", "how long an API token is valid"),
		settings.Int(&c.LoginFailuresPerAccount, 1, 1000).With("login-failures-per-account", "TENDERPROBE_LOGIN_FAILURES_PER_ACCOUNT", "N", "failed logins per account from one network (an address, an IPv6 /64) within --login-window before 429 from that network; the account's owner elsewhere still logs in"),
		settings.Int(&c.LoginFailuresPerAccountTotal, 1, 100000).With("login-failures-per-account-total", "TENDERPROBE_LOGIN_FAILURES_PER_ACCOUNT_TOTAL", "N", "failed logins per account from all networks within --login-window before 429 from anywhere"),
		settings.Int(&c.LoginFailuresPerIP, 1, 100000).With("login-failures-per-ip", "TENDERPROBE_LOGIN_FAILURES_PER_IP", "N", "failed logins per client address within --login-window before 429"),
		settings.Duration(&c.LoginWindow, time.Minute).With("login-window", "TENDERPROBE_LOGIN_WINDOW", "D", "window of the login limits"),
		settings.Bool(&c.RequireSecondFactor).With("require-second-factor", "TENDERPROBE_REQUIRE_SECOND_FACTOR", "", "officers and admins must enrol a second factor (TOTP) before using the app"),
		settings.Bool(&c.Metrics).With("metrics", "TENDERPROBE_METRICS", "", "serve GET /metrics (Prometheus) to admins and --metrics-token"),
		settings.String(&c.MetricsToken).With("metrics-token", "TENDERPROBE_METRICS_TOKEN", "TOKEN", "bearer token a scraper sends for /metrics; unset: admins only"),
		settings.String(&c.SecretKey).With("secret-key", "TENDERPROBE_SECRET_KEY", "BASE64", "32 random bytes, base64: seals identity providers' client secrets; unset: no single sign-on"),
		settings.String(&c.OSV).With("osv", "TENDERPROBE_OSV", "PATH", "OSV vulnerability export for SBOM evidence: a directory of OSV JSON files, a zip of them (osv.dev's all.zip) or an http(s) URL of one; unset: no vulnerabilities listed"),
	}
	rows = append(rows, c.Probe.Settings.Table(true)...)
	return append(rows,
		settings.Int(&c.Probe.Workers, 0, 256).With("probe-workers", "TENDERPROBE_PROBE_WORKERS", "N", "probe runs worked on at once; 0: none in this process"),
		settings.Duration(&c.Probe.RecheckInterval, time.Minute).With("recheck-interval", "TENDERPROBE_RECHECK_INTERVAL", "D", "re-verify awarded and active tenders this often"),
		settings.Duration(&c.Probe.Lease, time.Second).With("probe-lease", "TENDERPROBE_PROBE_LEASE", "D", "how long a run stays with a worker that stopped answering"),
	)
}

// Warnings are settings that work but that an operator should know about:
// a mail relay without --base-url sends the mails that go out outside a
// request (deadline reminders, verdict changes, standing answers due)
// with links that name no host, which no mail reader can open.
func (c Config) Warnings() []string {
	var out []string
	if c.SMTPHost != "" && c.BaseURL == "" {
		out = append(out, "config: --smtp-host is set without --base-url: reminders and verdict-change mails will carry links without a host; set --base-url to the app's public address")
	}
	return out
}

// Validate reports the first setting that cannot work: a value out of its
// row's range, or settings that do not fit together.
func (c Config) Validate() error {
	if err := settings.Check(c.table()); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		return fmt.Errorf("config: addr %q is not host:port", c.Addr)
	}
	if strings.TrimSpace(c.DB) == "" {
		return errors.New("config: db is empty")
	}
	if c.DBPool.MaxIdle > c.DBPool.MaxOpen {
		return fmt.Errorf("config: db-max-idle %d is more than db-max-open %d", c.DBPool.MaxIdle, c.DBPool.MaxOpen)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("config: tls-cert and tls-key must be given together")
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return fmt.Errorf("config: base-url %q must be an absolute http(s) URL without query, fragment or user", c.BaseURL)
		}
	}
	if strings.TrimSpace(c.DataDir) == "" {
		return errors.New("config: data-dir is empty")
	}
	if c.SMTPHost != "" && c.SMTPFrom == "" {
		return errors.New("config: smtp-host needs smtp-from")
	}
	if err := checkMetricsToken(c.MetricsToken); err != nil {
		return err
	}
	if c.SecretKey != "" {
		if _, err := sso.ParseKey(c.SecretKey); err != nil {
			return fmt.Errorf("config: secret-key: %w", err)
		}
	}
	return nil
}

// ParseServeConfig builds the Config of `tenderprobe serve` from the
// environment (read through getenv) and the command-line args.
func ParseServeConfig(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	cfg := DefaultConfig()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := settings.Register(fs, cfg.table(), getenv); err != nil {
		return cfg, fmt.Errorf("config: %w", err)
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("config: unexpected argument %q", fs.Arg(0))
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return cfg, cfg.Validate()
}

// redactDSN hides the password of a postgres:// URL before it is logged.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	return u.Redacted()
}

// minMetricsToken is the shortest metrics token accepted: 16 random
// characters are beyond guessing at any rate a server answers.
const minMetricsToken = 16

// checkMetricsToken refuses a metrics token that is short enough to guess
// or that a client cannot send as it is in an Authorization header.
func checkMetricsToken(token string) error {
	if token == "" {
		return nil
	}
	if len(token) < minMetricsToken {
		return fmt.Errorf("config: metrics-token must be at least %d characters", minMetricsToken)
	}
	for _, r := range token {
		if r <= ' ' || r > '~' {
			return errors.New("config: metrics-token may hold only visible ASCII characters, no spaces")
		}
	}
	return nil
}
