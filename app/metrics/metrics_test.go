package metrics_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"tenderprobe/app/metrics"
	"tenderprobe/models/dbtest"
)

func TestObservingARequestAllocatesNothingOnceItsClassWasSeen(t *testing.T) {
	r := metrics.NewRoute("/metrics-test/allocations/:id", "GET")
	r.Observe(200, time.Millisecond)
	if n := testing.AllocsPerRun(1000, func() { r.Observe(204, time.Millisecond) }); n != 0 {
		t.Fatalf("%v allocations per observed request, want 0", n)
	}
}

func TestTheRegistryExposesEveryMetric(t *testing.T) {
	t.Parallel()
	sqlDB, err := dbtest.Open(t).DB()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{"queued": 3, "running": 1, "done": 7}
	reg, err := metrics.NewRegistry(sqlDB, func(context.Context) (map[string]int64, error) { return counts, nil })
	if err != nil {
		t.Fatal(err)
	}
	broken, err := metrics.NewRegistry(sqlDB, func(context.Context) (map[string]int64, error) { return nil, errors.New("database gone") })
	if err != nil {
		t.Fatal(err)
	}
	r := metrics.NewRoute("/metrics-test/classes", "BREW")
	for _, status := range []int{200, 201, 302, 404, 500, 99} {
		r.Observe(status, 3*time.Millisecond)
	}
	metrics.ObserveRequest("/metrics-test/function", "GET", 200, time.Millisecond)
	metrics.PDFRendered("metrics-test-kind", 40*time.Millisecond)
	metrics.PDFServedFromCache("metrics-test-kind")
	metrics.PDFServedFromCache("metrics-test-kind")
	metrics.RunFinished("metrics-test-state", 2*time.Second)
	metrics.SessionFound(true)
	metrics.SessionFound(true)
	metrics.SessionFound(false)
	if err := metrics.RenderPDF("metrics-test-wrapped", func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	failed := errors.New("render failed")
	if err := metrics.RenderPDF("metrics-test-wrapped", func() error { return failed }); err != failed {
		t.Fatalf("RenderPDF returned %v, want the render's error", err)
	}

	for _, tc := range []struct {
		name, family, want string
	}{
		{"statuses are counted by class and a made-up method as OTHER", "tenderprobe_http_requests_total",
			`tenderprobe_http_requests_total{method="OTHER",route="/metrics-test/classes",status="2xx"} 2
tenderprobe_http_requests_total{method="OTHER",route="/metrics-test/classes",status="3xx"} 1
tenderprobe_http_requests_total{method="OTHER",route="/metrics-test/classes",status="4xx"} 1
tenderprobe_http_requests_total{method="OTHER",route="/metrics-test/classes",status="5xx"} 1
tenderprobe_http_requests_total{method="OTHER",route="/metrics-test/classes",status="other"} 1`},
		{"ObserveRequest counts under the route it names", "tenderprobe_http_requests_total",
			`tenderprobe_http_requests_total{method="GET",route="/metrics-test/function",status="2xx"} 1`},
		{"a PDF render is counted and timed by kind", "tenderprobe_pdf_renders_total",
			`tenderprobe_pdf_renders_total{kind="metrics-test-kind"} 1`},
		{"a PDF render's time lands in its bucket", "tenderprobe_pdf_render_duration_seconds",
			`tenderprobe_pdf_render_duration_seconds_bucket{kind="metrics-test-kind",le="0.05"} 1`},
		{"a wrapped render is counted once it succeeded, a failed one not", "tenderprobe_pdf_renders_total",
			`tenderprobe_pdf_renders_total{kind="metrics-test-wrapped"} 1`},
		{"PDFs served from storage are counted by kind", "tenderprobe_pdf_cache_hits_total",
			`tenderprobe_pdf_cache_hits_total{kind="metrics-test-kind"} 2`},
		{"sessions found with a change feed are counted by source", "tenderprobe_session_lookups_total",
			`tenderprobe_session_lookups_total{source="database"} 1
tenderprobe_session_lookups_total{source="feed"} 2`},
		{"a finished run is counted by its state", "tenderprobe_probe_runs_finished_total",
			`tenderprobe_probe_runs_finished_total{state="metrics-test-state"} 1`},
		{"runs are reported in every state, zero included", "tenderprobe_probe_runs",
			`tenderprobe_probe_runs{state="queued"} 3
tenderprobe_probe_runs{state="running"} 1
tenderprobe_probe_runs{state="done"} 7
tenderprobe_probe_runs{state="not_measured"} 0
tenderprobe_probe_runs{state="failed"} 0`},
		{"every end state of a run is shown before a run ended in it", "tenderprobe_probe_runs_finished_total",
			`tenderprobe_probe_runs_finished_total{state="failed"} `},
		{"every kind of PDF is shown before one was rendered or served", "tenderprobe_pdf_cache_hits_total",
			`tenderprobe_pdf_cache_hits_total{kind="annual"} `},
		{"the queue depth is the queued runs", "tenderprobe_probe_queue_depth", "tenderprobe_probe_queue_depth 3"},
		{"the database pool is reported", "go_sql_max_open_connections", `go_sql_max_open_connections{db_name="tenderprobe"}`},
		{"Go's runtime is reported", "go_goroutines", "go_goroutines "},
		{"the process is reported", "process_resident_memory_bytes", "process_resident_memory_bytes "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := scrapeText(t, reg)
			for _, line := range strings.Split(tc.want, "\n") {
				if !strings.Contains(text, line) {
					t.Errorf("no line %q in the scrape:\n%s", line, grepLines(text, tc.family))
				}
			}
		})
	}

	t.Run("when the runs cannot be counted the scrape says so and still answers", func(t *testing.T) {
		text := scrapeText(t, broken)
		for _, want := range []string{"tenderprobe_probe_runs_scrape_error 1", "go_goroutines "} {
			if !strings.Contains(text, want) {
				t.Errorf("no %q in the scrape", want)
			}
		}
		if strings.Contains(text, "tenderprobe_probe_queue_depth ") {
			t.Error("a queue depth of a failed count")
		}
	})

	t.Run("two registries of one process both serve the shared counters", func(t *testing.T) {
		want := `tenderprobe_pdf_cache_hits_total{kind="metrics-test-kind"} 2`
		if !strings.Contains(scrapeText(t, reg), want) || !strings.Contains(scrapeText(t, broken), want) {
			t.Errorf("%q is not in both scrapes", want)
		}
	})
}

// scrapeText is the registry's answer to a scrape, in the Prometheus text
// format.
func scrapeText(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("scrape: status %d\n%s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// grepLines returns the lines of text about family, for a failure message.
func grepLines(text, family string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, family) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
