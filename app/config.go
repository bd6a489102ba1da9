package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

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

// Usage is the help text of the tenderprobe command.
const Usage = `Usage: tenderprobe [subcommand] [flags]

Subcommands:
  serve                      run the web app (default)
      --addr ADDR            listen address (env TENDERPROBE_ADDR, default 127.0.0.1:8080)
      --db DSN               SQLite file or postgres:// URL (env TENDERPROBE_DB, default ./tenderprobe.db)
      --demo                 add demo organisations, accounts and tenders (env TENDERPROBE_DEMO=true)
      --tls-cert FILE        serve HTTPS with this certificate (env TENDERPROBE_TLS_CERT)
      --tls-key FILE         private key for --tls-cert (env TENDERPROBE_TLS_KEY)
      --base-url URL         public address of the app, for links in mails (env TENDERPROBE_BASE_URL;
                             default: taken from each request's Host)
      --data-dir DIR         where evidence files are stored (env TENDERPROBE_DATA_DIR, default ./tenderprobe-data)
      --smtp-host HOST       SMTP relay for invitation mails; unset: links are only shown (env TENDERPROBE_SMTP_HOST)
      --smtp-port N          relay port, STARTTLS is used when offered (env TENDERPROBE_SMTP_PORT, default 587)
      --smtp-user USER       relay login (env TENDERPROBE_SMTP_USER); --smtp-password (env TENDERPROBE_SMTP_PASSWORD)
      --smtp-from ADDR       sender address (env TENDERPROBE_SMTP_FROM)
` + probeUsage + `  verify-receipt --db DSN --attestation ID [--version N] [--data-dir DIR]
                             re-compute a submitted attestation's receipt from the database
` + reportUsage + `  catalogue import FILE      import a standards catalogue version (YAML or JSON)
  catalogue export [-o FILE] [--format yaml|json]
                             write the current catalogue version
  probe [flags] DOMAIN...    probe domains from the command line (tenderprobe probe -h)
  version                    print the version and the schema version
  help                       print this text
`

// Config holds every setting of the web app. It is built from defaults,
// then TENDERPROBE_* environment variables, then command-line flags, so a
// flag always wins over the environment.
type Config struct {
	// Addr is the TCP address the server listens on.
	Addr string
	// DB is an SQLite file path or a postgres:// URL.
	DB string
	// Demo adds the demo organisations, accounts and tenders at start.
	Demo bool
	// TLSCert and TLSKey, when both set, make the server speak HTTPS itself.
	TLSCert string
	TLSKey  string
	// BodyLimit caps request bodies in bytes; larger bodies get 413.
	BodyLimit int
	// SessionTTL is how long a login session lasts without renewal.
	SessionTTL time.Duration
	// APITokenTTL is how long a token from POST /api/v1/tokens is valid.
	APITokenTTL time.Duration
	// LoginFailuresPerAccount and LoginFailuresPerIP are the failed logins
	// allowed within LoginWindow before further attempts get 429.
	LoginFailuresPerAccount int
	LoginFailuresPerIP      int
	LoginWindow             time.Duration
	// Probe holds the probe settings and the verification queue's.
	Probe ProbeConfig
	// BaseURL is the app's public address (scheme://host[:port][/path]),
	// used for links that leave the app: invitation links and reminder
	// mails. Empty means the address the request came in on.
	BaseURL string
	// DataDir holds evidence files (under DataDir/evidence).
	DataDir string
	// SMTPHost and the other SMTP settings configure the relay that mails
	// invitation links; without a host, links are only shown to the officer.
	SMTPHost     string
	SMTPPort     int
	SMTPUser     string
	SMTPPassword string
	SMTPFrom     string
}

// DefaultConfig returns the settings used when nothing is configured.
func DefaultConfig() Config {
	return Config{
		Addr:                    "127.0.0.1:8080",
		DB:                      "./tenderprobe.db",
		BodyLimit:               1 << 20,
		SessionTTL:              12 * time.Hour,
		APITokenTTL:             30 * 24 * time.Hour,
		LoginFailuresPerAccount: 5,
		LoginFailuresPerIP:      20,
		LoginWindow:             15 * time.Minute,
		Probe:                   defaultProbeConfig(),
		DataDir:                 "./tenderprobe-data",
		SMTPPort:                587,
	}
}

// TLS reports whether the server terminates TLS itself.
func (c Config) TLS() bool { return c.TLSCert != "" && c.TLSKey != "" }

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		return fmt.Errorf("config: addr %q is not host:port", c.Addr)
	}
	if strings.TrimSpace(c.DB) == "" {
		return errors.New("config: db is empty")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("config: tls-cert and tls-key must be given together")
	}
	if c.BodyLimit <= 0 {
		return errors.New("config: body limit must be positive")
	}
	if c.SessionTTL <= 0 || c.APITokenTTL <= 0 {
		return errors.New("config: session and API token lifetimes must be positive")
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
	if c.SMTPHost != "" && (c.SMTPFrom == "" || c.SMTPPort <= 0 || c.SMTPPort > 65535) {
		return errors.New("config: smtp-host needs smtp-from and a port between 1 and 65535")
	}
	if c.LoginFailuresPerAccount <= 0 || c.LoginFailuresPerIP <= 0 || c.LoginWindow <= 0 {
		return errors.New("config: login rate limits must be positive")
	}
	if err := c.Probe.validate(); err != nil {
		return err
	}
	return nil
}

// ParseServeConfig builds the Config of `tenderprobe serve` from the
// environment (read through getenv) and the command-line args.
func ParseServeConfig(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	cfg := DefaultConfig()
	if v := getenv("TENDERPROBE_ADDR"); v != "" {
		cfg.Addr = v
	}
	if v := getenv("TENDERPROBE_DB"); v != "" {
		cfg.DB = v
	}
	if v := getenv("TENDERPROBE_DEMO"); v != "" {
		demo, err := strconv.ParseBool(v)
		if err != nil {
			return cfg, fmt.Errorf("config: TENDERPROBE_DEMO=%q is not a boolean", v)
		}
		cfg.Demo = demo
	}
	if v := getenv("TENDERPROBE_TLS_CERT"); v != "" {
		cfg.TLSCert = v
	}
	if v := getenv("TENDERPROBE_TLS_KEY"); v != "" {
		cfg.TLSKey = v
	}

	for env, dst := range map[string]*string{"TENDERPROBE_BASE_URL": &cfg.BaseURL, "TENDERPROBE_DATA_DIR": &cfg.DataDir, "TENDERPROBE_SMTP_HOST": &cfg.SMTPHost,
		"TENDERPROBE_SMTP_USER": &cfg.SMTPUser, "TENDERPROBE_SMTP_PASSWORD": &cfg.SMTPPassword, "TENDERPROBE_SMTP_FROM": &cfg.SMTPFrom} {
		if v := getenv(env); v != "" {
			*dst = v
		}
	}
	if v := getenv("TENDERPROBE_SMTP_PORT"); v != "" {
		port, err := strconv.Atoi(v)
		if err != nil {
			return cfg, fmt.Errorf("config: TENDERPROBE_SMTP_PORT=%q is not a number", v)
		}
		cfg.SMTPPort = port
	}

	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address")
	fs.StringVar(&cfg.DB, "db", cfg.DB, "SQLite file or postgres:// URL")
	fs.BoolVar(&cfg.Demo, "demo", cfg.Demo, "add demo data")
	fs.StringVar(&cfg.TLSCert, "tls-cert", cfg.TLSCert, "TLS certificate file")
	fs.StringVar(&cfg.TLSKey, "tls-key", cfg.TLSKey, "TLS private key file")
	fs.StringVar(&cfg.BaseURL, "base-url", cfg.BaseURL, "public address of the app for links in mails")
	fs.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "directory for evidence files")
	fs.StringVar(&cfg.SMTPHost, "smtp-host", cfg.SMTPHost, "SMTP relay host")
	fs.IntVar(&cfg.SMTPPort, "smtp-port", cfg.SMTPPort, "SMTP relay port")
	fs.StringVar(&cfg.SMTPUser, "smtp-user", cfg.SMTPUser, "SMTP login")
	fs.StringVar(&cfg.SMTPPassword, "smtp-password", cfg.SMTPPassword, "SMTP password")
	fs.StringVar(&cfg.SMTPFrom, "smtp-from", cfg.SMTPFrom, "sender address of mails")
	if err := cfg.Probe.register(fs, getenv); err != nil {
		return cfg, err
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
