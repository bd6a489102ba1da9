package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"gorm.io/gorm"

	"tenderprobe/app/metrics"
	"tenderprobe/handlers"
	"tenderprobe/models"
)

// newMetricsSettings builds GET /metrics over a registry of this app's
// own: the process's request, probe and PDF metrics, Go's and the
// process's, the pool of db and the probe runs in db by state.
func newMetricsSettings(db *gorm.DB, token string, log *slog.Logger) (handlers.MetricsSettings, error) {
	sqlDB, err := db.DB()
	if err != nil {
		return handlers.MetricsSettings{}, fmt.Errorf("app: metrics: %w", err)
	}
	reg, err := metrics.NewRegistry(sqlDB, func(ctx context.Context) (map[string]int64, error) {
		return models.CountRunsByStatus(ctx, db)
	})
	if err != nil {
		return handlers.MetricsSettings{}, fmt.Errorf("app: metrics: %w", err)
	}
	serve := promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(log.Handler(), slog.LevelError),
		ErrorHandling: promhttp.ContinueOnError,
		// A pair of Prometheus servers and an admin's browser at once,
		// and no more: a flood of scrapes gets 503 instead of piling up.
		MaxRequestsInFlight: 4,
		Timeout:             10 * time.Second,
	})
	return handlers.MetricsSettings{Serve: adaptor.HTTPHandler(serve), Token: token}, nil
}

// requestMetrics is the middleware that counts every answer by route
// pattern, method and status class. The label sets of the routes are
// resolved when the app is built, keyed by Fiber's own *Route, so a
// request only looks up a pointer: no path is parsed or copied and raw
// ids never become labels.
type requestMetrics struct {
	routes map[*fiber.Route]*metrics.Route
	// unmatched are the label sets of requests no route answered, by method.
	unmatched map[string]*metrics.Route
	other     *metrics.Route
}

func newRequestMetrics() *requestMetrics {
	m := &requestMetrics{
		routes:    map[*fiber.Route]*metrics.Route{},
		unmatched: map[string]*metrics.Route{},
		other:     metrics.NewRoute(metrics.Unmatched, "OTHER"),
	}
	for _, method := range fiber.DefaultMethods {
		m.unmatched[method] = metrics.NewRoute(metrics.Unmatched, method)
	}
	return m
}

// snapshot returns the routes registered so far; nil-safe, for an app
// without metrics.
func (m *requestMetrics) snapshot(app *fiber.App) map[*fiber.Route]bool {
	if m == nil {
		return nil
	}
	seen := map[*fiber.Route]bool{}
	for _, stack := range app.Stack() {
		for _, r := range stack {
			seen[r] = true
		}
	}
	return seen
}

// label gives every route registered since before its label set: its own
// pattern, or fixed when set (all files under /static are one label).
// Middleware routes such as the final 404 are registered outside these
// spans and stay unmatched.
func (m *requestMetrics) label(app *fiber.App, before map[*fiber.Route]bool, fixed string) {
	if m == nil {
		return
	}
	for _, stack := range app.Stack() {
		for _, r := range stack {
			if before[r] || m.routes[r] != nil {
				continue
			}
			pattern := r.Path
			if fixed != "" {
				pattern = fixed
			}
			m.routes[r] = metrics.NewRoute(pattern, r.Method)
		}
	}
}

// observe times the rest of the chain and counts its answer. An error is
// handed to the app's error handler here, as Fiber would after the chain,
// so the status counted is the one sent. The time starts when the server
// handed over the request (fasthttp reads the clock then anyway), which
// saves a clock read: on this kind of virtual machine one costs ~75 ns,
// half of what the middleware adds.
func (m *requestMetrics) observe(c *fiber.Ctx) error {
	start := c.Context().Time()
	if start.IsZero() {
		// Called without a server, as in a benchmark of the handler.
		start = time.Now()
	}
	if err := c.Next(); err != nil {
		if herr := c.App().ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	r := m.routes[c.Route()]
	if r == nil {
		if r = m.unmatched[c.Method()]; r == nil {
			r = m.other
		}
	}
	r.Observe(c.Response().StatusCode(), time.Since(start))
	return nil
}
