package app

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"tenderprobe/app/metrics"
)

// scrapeMetrics reads /metrics as c and parses the Prometheus text it answers.
func scrapeMetrics(t *testing.T, c *client) map[string]*dto.MetricFamily {
	t.Helper()
	res := c.get("/metrics")
	if res.status != 200 {
		t.Fatalf("GET /metrics: status %d\n%s", res.status, res.body)
	}
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("Content-Type %q, want the Prometheus text format", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(strings.NewReader(res.body))
	if err != nil {
		t.Fatalf("the scrape is not the Prometheus text format: %v\n%s", err, res.body)
	}
	return families
}

// sample returns the value of the sample of family with exactly labels (a
// counter's count, a histogram's sample count, a gauge's value), 0 when
// there is none.
func sample(families map[string]*dto.MetricFamily, family string, labels map[string]string) float64 {
	f := families[family]
	if f == nil {
		return 0
	}
	for _, m := range f.GetMetric() {
		if len(m.GetLabel()) != len(labels) {
			continue
		}
		match := true
		for _, l := range m.GetLabel() {
			if labels[l.GetName()] != l.GetValue() {
				match = false
			}
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		}
	}
	return 0
}

// rawID is a path segment that is a record's id: a label holding one would
// make a series per record.
var rawID = regexp.MustCompile(`/[0-9]+(/|$|\.)`)

func TestMetricsCountRequestsByRoutePattern(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	admin, officer := a.session("admin@demo.test"), a.session("officer@demo.test")
	tender := a.newPublished("metrics by route")
	page := map[string]string{"route": "/tenders/:id", "method": "GET", "status": "2xx"}
	missing := map[string]string{"route": metrics.Unmatched, "method": "GET", "status": "4xx"}
	refused := map[string]string{"route": "/admin/users", "method": "GET", "status": "4xx"}

	// Other tests of the binary count into the same process-wide metrics
	// at the same time, so each count is checked to have moved by at least
	// this test's requests.
	before := scrapeMetrics(t, admin)
	for _, p := range []string{fmt.Sprintf("/tenders/%d", tender.ID), "/tenders/1", fmt.Sprintf("/tenders/%d", tender.ID)} {
		if res := officer.get(p); res.status != 200 {
			t.Fatalf("GET %s: status %d", p, res.status)
		}
	}
	for _, p := range []string{"/no/such/page/4711", "/tenders/1/no-such-thing"} {
		if res := officer.get(p); res.status != 404 {
			t.Fatalf("GET %s: status %d, want 404", p, res.status)
		}
	}
	if res := officer.get("/admin/users"); res.status != 403 {
		t.Fatalf("GET /admin/users as an officer: status %d, want 403", res.status)
	}
	after := scrapeMetrics(t, admin)

	for _, tc := range []struct {
		name   string
		family string
		labels map[string]string
		moved  float64
	}{
		{"three tender pages count under the route's pattern with status 2xx", "tenderprobe_http_requests_total", page, 3},
		{"three tender pages are timed under the route's pattern", "tenderprobe_http_request_duration_seconds", page, 3},
		{"two unknown paths count as one unmatched label with status 4xx", "tenderprobe_http_requests_total", missing, 2},
		{"a refused page counts with the status the error handler sent", "tenderprobe_http_requests_total", refused, 1},
		{"the first scrape counts under /metrics", "tenderprobe_http_requests_total", map[string]string{"route": "/metrics", "method": "GET", "status": "2xx"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := sample(after, tc.family, tc.labels) - sample(before, tc.family, tc.labels); d < tc.moved {
				t.Fatalf("%s%v moved by %v, want at least %v", tc.family, tc.labels, d, tc.moved)
			}
		})
	}

	t.Run("every route label is a pattern of the route table, /static or unmatched, never a raw path", func(t *testing.T) {
		patterns := map[string]bool{metrics.Unmatched: true, "/static": true, bareRoute: true}
		for _, r := range routeTable(a.h) {
			patterns[r.path] = true
		}
		for _, name := range []string{"tenderprobe_http_requests_total", "tenderprobe_http_request_duration_seconds"} {
			f := after[name]
			if f == nil {
				t.Fatalf("no %s in the scrape", name)
			}
			for _, m := range f.GetMetric() {
				for _, l := range m.GetLabel() {
					if rawID.MatchString(l.GetValue()) {
						t.Errorf("%s has label %s=%q, which holds a raw id", name, l.GetName(), l.GetValue())
					}
					if l.GetName() == "route" && !patterns[l.GetValue()] {
						t.Errorf("%s has route label %q, not a route pattern", name, l.GetValue())
					}
				}
			}
		}
	})

	t.Run("the scrape has the database pool, the runtime, the process and the queue", func(t *testing.T) {
		for _, name := range []string{"go_sql_open_connections", "go_sql_max_open_connections", "go_goroutines",
			"process_resident_memory_bytes", "tenderprobe_probe_queue_depth", "tenderprobe_probe_runs"} {
			if after[name] == nil {
				t.Errorf("no %s in the scrape", name)
			}
		}
		if got := sample(after, "tenderprobe_probe_runs_scrape_error", map[string]string{}); got != 0 {
			t.Errorf("the probe runs could not be counted (error gauge %v)", got)
		}
	})
}

func TestMetricsAccess(t *testing.T) {
	t.Parallel()
	const token = "a-metrics-token-of-32-characters"
	on := DefaultConfig()
	on.Metrics, on.MetricsToken = true, token
	withToken := newTestAppWith(t, demo.Open(t), on)
	adminsOnly := newTestApp(t)
	off := newTestAppWith(t, demo.Open(t), DefaultConfig())

	bearer := func(a *testApp, tok string) *client {
		c := a.anonymous()
		c.bearer = tok
		return c
	}
	for _, tc := range []struct {
		name      string
		client    func() *client
		want      int
		challenge bool
	}{
		{"metrics off: an admin gets 404, as for a route that does not exist", func() *client { return off.session("admin@demo.test") }, 404, false},
		{"metrics off: the token gets 404", func() *client { return bearer(off, token) }, 404, false},
		{"a signed-in admin reads the metrics", func() *client { return withToken.session("admin@demo.test") }, 200, false},
		{"the configured token reads the metrics", func() *client { return bearer(withToken, token) }, 200, false},
		{"a signed-in vendor is forbidden", func() *client { return withToken.session("vendor@demo.test") }, 403, false},
		{"a signed-in officer is forbidden", func() *client { return withToken.session("officer@demo.test") }, 403, false},
		{"a wrong token gets 401 with a bearer challenge", func() *client { return bearer(withToken, token[:31]+"X") }, 401, true},
		{"a longer token that starts with the right one gets 401", func() *client { return bearer(withToken, token+"x") }, 401, true},
		{"a wrong token gets 401 even with an admin's session", func() *client {
			c := withToken.session("admin@demo.test")
			c.bearer = "wrong-token-wrong-token"
			return c
		}, 401, true},
		{"an admin's API token is not the metrics token", func() *client { return withToken.apiClient("admin@demo.test") }, 401, true},
		{"nobody, without session or token, gets 401 and not the login page", func() *client { return withToken.anonymous() }, 401, true},
		{"without a configured token any token gets 401", func() *client { return bearer(adminsOnly, token) }, 401, true},
		{"without a configured token an admin still reads the metrics", func() *client { return adminsOnly.session("admin@demo.test") }, 200, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.client().get("/metrics")
			if res.status != tc.want {
				t.Fatalf("status %d, want %d\n%.300s", res.status, tc.want, res.body)
			}
			if got := strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Bearer"); got != tc.challenge {
				t.Errorf("WWW-Authenticate %q", res.header.Get("WWW-Authenticate"))
			}
			if res.status == 200 && !strings.Contains(res.body, "# TYPE tenderprobe_http_requests_total counter") {
				t.Errorf("no request counter in the answer:\n%.300s", res.body)
			}
			if res.status == 200 && (res.header.Get("Cache-Control") != "no-store" || res.header.Get("X-Content-Type-Options") != "nosniff") {
				t.Errorf("Cache-Control %q, X-Content-Type-Options %q", res.header.Get("Cache-Control"), res.header.Get("X-Content-Type-Options"))
			}
			if res.status != 200 && strings.Contains(res.body, "tenderprobe_") {
				t.Errorf("a refused caller sees metrics:\n%.300s", res.body)
			}
		})
	}

	t.Run("a refused scrape is explained in the reader's language", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		req.Header.Set("Accept-Language", "nl")
		res := withToken.anonymous().do(req)
		if res.status != 401 || !strings.Contains(res.body, "beheerder") {
			t.Fatalf("status %d, body %q", res.status, res.body)
		}
	})
}

// Not parallel: testing.AllocsPerRun needs the test alone.
func TestTheMetricsMiddlewareAddsNoAllocation(t *testing.T) {
	allocs := func(withMetrics bool) float64 {
		h, ctx := bareApp(withMetrics), bareRequest()
		serve := func() {
			ctx.Response.Reset()
			h(ctx)
			if ctx.Response.StatusCode() != 200 {
				t.Fatalf("status %d", ctx.Response.StatusCode())
			}
		}
		serve() // the first answer of a status class resolves its labels
		return testing.AllocsPerRun(200, serve)
	}
	off, on := allocs(false), allocs(true)
	if on > off {
		t.Fatalf("%v allocations per request with metrics, %v without", on, off)
	}
}

// TestMetricsCountPDFRendersAndStoredSends: a published tender's sheet is
// rendered once, then sent from storage, and the metrics say which.
func TestMetricsCountPDFRendersAndStoredSends(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	admin, officer := a.session("admin@demo.test"), a.session("officer@demo.test")
	tender := a.newPublished("metrics of a sheet")
	sheet := map[string]string{"kind": metrics.PDFSheet}
	before := scrapeMetrics(t, admin)
	for range 2 {
		if res := officer.get(fmt.Sprintf("/tenders/%d/sheet.pdf", tender.ID)); res.status != 200 {
			t.Fatalf("GET sheet.pdf: status %d", res.status)
		}
	}
	after := scrapeMetrics(t, admin)
	for _, family := range []string{"tenderprobe_pdf_renders_total", "tenderprobe_pdf_render_duration_seconds", "tenderprobe_pdf_cache_hits_total"} {
		// Other tests of the binary count too: at least this test's one.
		if moved := sample(after, family, sheet) - sample(before, family, sheet); moved < 1 {
			t.Errorf("%s{kind=sheet} moved by %v, want at least 1", family, moved)
		}
	}
}
