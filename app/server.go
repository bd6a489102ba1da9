// Package app wires Tenderprobe together: configuration, the database, the
// Fiber app with its middleware and routes, and the subcommands.
package app

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"gorm.io/gorm"

	"tenderprobe/app/jobs"
	"tenderprobe/app/pagecache"
	"tenderprobe/app/sbom"
	"tenderprobe/handlers"
	"tenderprobe/models"
	"tenderprobe/seed"
	"tenderprobe/static"
	"tenderprobe/templates"
)

// shutdownTimeout bounds how long in-flight requests may finish after
// SIGINT or SIGTERM.
const shutdownTimeout = 10 * time.Second

// Server is a configured Tenderprobe web app with its open database.
type Server struct {
	Cfg     Config
	DB      *gorm.DB
	Log     *slog.Logger
	Handler *handlers.Handler
	App     *fiber.App
	// Jobs verifies attestations in the background while the server runs.
	Jobs *jobs.Pool
}

// Open validates cfg, opens and migrates the database, loads the catalogue
// and the first admin (or the demo data) and builds the Fiber app. Startup
// messages, such as a new admin's one-time password, go to out.
func Open(ctx context.Context, cfg Config, log *slog.Logger, out io.Writer) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	for _, msg := range cfg.Warnings() {
		log.Warn(msg)
	}
	db, err := openDatabaseWith(ctx, cfg.DB, cfg.DBPool)
	if err != nil {
		return nil, err
	}
	if err := seedDatabase(ctx, db, cfg, out); err != nil {
		_ = models.Close(db)
		return nil, err
	}
	profiles, err := seed.Profiles()
	if err != nil {
		_ = models.Close(db)
		return nil, err
	}
	h := &handlers.Handler{
		Profiles:                     profiles,
		DB:                           db,
		Log:                          log,
		SecureCookies:                cfg.SecureCookies(),
		SessionTTL:                   cfg.SessionTTL,
		APITokenTTL:                  cfg.APITokenTTL,
		BodyLimit:                    cfg.BodyLimit,
		LoginFailuresPerAccount:      cfg.LoginFailuresPerAccount,
		LoginFailuresPerAccountTotal: cfg.LoginFailuresPerAccountTotal,
		LoginFailuresPerIP:           cfg.LoginFailuresPerIP,
		LoginWindow:                  cfg.LoginWindow,
		RequireSecondFactor:          cfg.RequireSecondFactor,
		Now:                          time.Now,
		Attest:                       attestSettings(cfg),
	}
	if cfg.OSV != "" {
		if h.SBOM.Vulns, err = sbom.LoadOSV(ctx, cfg.OSV, &http.Client{Timeout: 10 * time.Minute}); err != nil {
			_ = models.Close(db)
			return nil, fmt.Errorf("--osv: %w", err)
		}
		log.Info("OSV export loaded", "advisories", h.SBOM.Vulns.Advisories)
	}
	if h.SSO, err = ssoSettings(cfg, h.Now); err != nil {
		_ = models.Close(db)
		return nil, err
	}
	pool, err := newJobs(ctx, cfg, db, log, h.Attest.Mailer)
	if err != nil {
		_ = models.Close(db)
		return nil, err
	}
	if pool != nil {
		h.Verify.Wake = pool.Wake
	}
	app, err := NewApp(h, cfg)
	if err != nil {
		_ = models.Close(db)
		return nil, err
	}
	if cfg.ChangeFeed {
		switch h.Feed, err = models.StartChangeFeed(db, log); {
		case errors.Is(err, models.ErrNoChangeFeed):
			h.Feed = nil // SQLite: every request reads the stamp, in-process
		case err != nil:
			_ = models.Close(db)
			return nil, err
		}
	}
	return &Server{Cfg: cfg, DB: db, Log: log, Handler: h, App: app, Jobs: pool}, nil
}

// Close stops the change feed and releases the database.
func (s *Server) Close() error {
	if s.Handler != nil && s.Handler.Feed != nil {
		s.Handler.Feed.Stop()
	}
	return models.Close(s.DB)
}

// newViews parses every template of fsys now, so a broken template stops
// the start with its name instead of failing the first page that uses it.
func newViews(fsys fs.FS) (*handlers.Views, error) {
	v, err := handlers.NewViews(fsys, Version)
	if err != nil {
		return nil, fmt.Errorf("app: templates: %w", err)
	}
	return v, nil
}

// NewApp builds the Fiber app: templates, static files, middleware and
// routes, and with cfg.Metrics the request metrics and GET /metrics.
func NewApp(h *handlers.Handler, cfg Config) (*fiber.App, error) {
	engine, err := newViews(templates.FS)
	if err != nil {
		return nil, err
	}
	app := fiber.New(fiber.Config{
		AppName:      "tenderprobe",
		Views:        engine,
		ErrorHandler: h.ErrorHandler,
		BodyLimit:    cfg.BodyLimit,
		// Bodies stream: each route reads its own, after deciding how much
		// it accepts and from whom (handlers.LimitBody).
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		ReadTimeout:                  30 * time.Second,
		WriteTimeout:                 60 * time.Second,
		IdleTimeout:                  120 * time.Second,
		DisableStartupMessage:        true,
		// Every value a handler reads (parameters, form fields, cookies,
		// headers, the path) is a copy. Fiber's default hands out strings
		// backed by request buffers the server reuses, so anything kept
		// beyond the request (a cache key, a loaded zone's name) came to
		// show another request's bytes, a password among them.
		Immutable: true,
		// X-Forwarded-Host and -Proto only from the configured proxies:
		// Fiber believes them from anyone by default. The client address
		// stays the connection's: the first X-Forwarded-For entry, which
		// Fiber would take, is whatever the client wrote there.
		EnableTrustedProxyCheck: true,
		TrustedProxies:          prefixStrings(cfg.TrustedProxies),
	})
	if h.Pages == nil && cfg.PageCacheMB > 0 {
		h.Pages = pagecache.New(cfg.PageCacheMB << 20)
	}
	var rm *requestMetrics
	if cfg.Metrics {
		if h.Metrics, err = newMetricsSettings(h.DB, cfg.MetricsToken, h.Log); err != nil {
			return nil, err
		}
		// First, so that it times the whole answer and sees the status
		// the error handler gives.
		rm = newRequestMetrics()
		app.Use(rm.observe)
	}
	app.Use(recover.New())
	app.Use(h.SecurityHeaders)
	before := rm.snapshot(app)
	app.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(static.FS), MaxAge: 3600}))
	rm.label(app, before, "/static")
	routes(app, h, cfg.BodyLimit, rm)
	return app, nil
}

// Listen opens the listener for cfg.Addr, wrapped in TLS when a certificate
// is configured.
func Listen(cfg Config) (net.Listener, error) {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("app: listen on %s: %w", cfg.Addr, err)
	}
	if !cfg.TLS() {
		return ln, nil
	}
	cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("app: load TLS certificate: %w", err)
	}
	return tls.NewListener(ln, serverTLSConfig(cert)), nil
}

// serverTLSConfig follows the NCSC-NL TLS guidelines (2025-05) that the
// probe judges others by: TLS 1.2 and 1.3 only, ECDHE with AEAD suites only
// on TLS 1.2 (Go's defaults still include CBC with SHA-1, rated
// insufficient), and the post-quantum hybrid key exchange offered first.
func serverTLSConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		},
		CurvePreferences: []tls.CurveID{tls.X25519MLKEM768, tls.X25519, tls.CurveP256, tls.CurveP384},
	}
}

// Serve answers requests on ln until ctx ends, then lets in-flight requests
// finish for up to shutdownTimeout.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	stopJobs := s.startJobs(ctx)
	defer stopJobs()
	defer s.startReminders(ctx)()
	defer s.startStampCompaction(ctx)()
	errc := make(chan error, 1)
	go func() { errc <- s.App.Listener(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("app: serve: %w", err)
	case <-ctx.Done():
	}
	s.Log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := s.App.ShutdownWithContext(sctx); err != nil {
		return fmt.Errorf("app: shutdown: %w", err)
	}
	// A cancel that comes before the listener goroutine reached Serve finds
	// no listener to stop; closing it ourselves ends that late Serve too.
	_ = ln.Close()
	if err := <-errc; err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("app: serve: %w", err)
	}
	return nil
}

// RunServe is `tenderprobe serve`: it returns the process exit code (2 for
// bad flags, 1 for runtime failures).
func RunServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := ParseServeConfig(args, os.Getenv, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "tenderprobe serve:", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	srv, err := Open(ctx, cfg, log, stdout)
	if err != nil {
		log.Error("start", "err", err)
		return 1
	}
	defer srv.Close()
	ln, err := Listen(cfg)
	if err != nil {
		log.Error("start", "err", err)
		return 1
	}
	scheme := "http"
	if cfg.TLS() {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "Tenderprobe is serving on %s://%s\n", scheme, ln.Addr())
	log.Info("listening", "addr", ln.Addr().String(), "db", redactDSN(cfg.DB), "demo", cfg.Demo, "metrics", cfg.Metrics)
	if err := srv.Serve(ctx, ln); err != nil {
		log.Error("serve", "err", err)
		return 1
	}
	return 0
}

// prefixStrings writes prefixes as Fiber's TrustedProxies takes them.
func prefixStrings(ps []netip.Prefix) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}
