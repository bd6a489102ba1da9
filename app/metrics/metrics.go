// Package metrics holds the Prometheus collectors of Tenderprobe: requests
// by route, probe runs, the verification queue, PDF renders and the
// database pool, and builds the registry GET /metrics serves.
//
// The counters a request, a worker or a PDF handler moves are one set per
// process, reached through small functions (ObserveRequest, RunFinished,
// PDFRendered, PDFServedFromCache), so code anywhere under app/ and
// handlers/ can count without a dependency threaded through it. They are
// kept out of Prometheus's global default registry: each server builds its
// own with NewRegistry, adding the collectors that need its database.
// Counting costs a few atomic additions whether or not /metrics is served.
package metrics

import (
	"context"
	"database/sql"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"tenderprobe/models"
)

// Unmatched is the route label of requests no route of the table answered
// (a 404, a method the path does not have), so a scanner's thousand made-up
// paths add one series, not a thousand.
const Unmatched = "unmatched"

// Label values of a request's method outside the standard ones.
const otherMethod = "OTHER"

// The collectors of the process, registered in every registry NewRegistry
// builds.
var (
	requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "tenderprobe", Subsystem: "http", Name: "requests_total",
		Help: "HTTP requests answered, by route pattern, method and status class.",
	}, []string{"route", "method", "status"})
	requestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "tenderprobe", Subsystem: "http", Name: "request_duration_seconds",
		Help:    "Time from a request's arrival to its answer, by route pattern, method and status class.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "method", "status"})

	runsFinished = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "tenderprobe", Subsystem: "probe", Name: "runs_finished_total",
		Help: "Probe runs this process worked to an end, by the state they ended in (done, not_measured, failed).",
	}, []string{"state"})
	runDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "tenderprobe", Subsystem: "probe", Name: "run_duration_seconds",
		Help:    "Time a worker of this process spent on a probe run, from its claim to its end, by the state it ended in.",
		Buckets: []float64{.1, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600},
	}, []string{"state"})

	pdfRenders = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "tenderprobe", Subsystem: "pdf", Name: "renders_total",
		Help: "PDFs rendered, by kind of document.",
	}, []string{"kind"})
	pdfRenderDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "tenderprobe", Subsystem: "pdf", Name: "render_duration_seconds",
		Help:    "Time to render a PDF, by kind of document.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"kind"})
	pdfCacheHits = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "tenderprobe", Subsystem: "pdf", Name: "cache_hits_total",
		Help: "PDFs served from storage without rendering, by kind of document.",
	}, []string{"kind"})

	sessionLookups = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "tenderprobe", Subsystem: "session", Name: "lookups_total",
		Help: "Sessions found for a request with a change feed (PostgreSQL), by where from: feed (memory, no query) or database.",
	}, []string{"source"})
)

// Sources of a session, the source label of SessionFound.
const (
	SessionFromFeed     = "feed"
	SessionFromDatabase = "database"
)

// Kinds of PDF, the kind label of the PDF metrics.
const (
	PDFSheet        = "sheet"
	PDFTenderReport = "tender_report"
	PDFAnnual       = "annual"
)

// ObserveRequest counts one answered request and its latency. route is the
// route's pattern ("/tenders/:id"), never the raw path; status is the HTTP
// status, counted by class. The middleware uses a Route's resolved labels
// instead, which cost no allocation.
func ObserveRequest(route, method string, status int, d time.Duration) {
	NewRoute(route, method).Observe(status, d)
}

// Route holds the label sets of one route pattern and method, one per
// status class, resolved on first use and kept, so that observing a
// request allocates nothing and a class never answered shows no series.
type Route struct {
	route, method string
	classes       [6]atomic.Pointer[series]
}

type series struct {
	count    prometheus.Counter
	duration prometheus.Observer
}

// NewRoute returns the label sets of route and method. A method outside
// the standard ones is counted as OTHER.
func NewRoute(route, method string) *Route {
	return &Route{route: route, method: knownMethod(method)}
}

// Observe counts one request answered with status after d.
func (r *Route) Observe(status int, d time.Duration) {
	class := status / 100
	if class < 1 || class > 5 {
		class = 0
	}
	s := r.classes[class].Load()
	if s == nil {
		label := "other"
		if class > 0 {
			label = strconv.Itoa(class) + "xx"
		}
		s = &series{
			count:    requests.WithLabelValues(r.route, r.method, label),
			duration: requestDuration.WithLabelValues(r.route, r.method, label),
		}
		r.classes[class].Store(s)
	}
	s.count.Inc()
	s.duration.Observe(d.Seconds())
}

// knownMethod keeps the method label to the standard methods: anything a
// client makes up is OTHER.
func knownMethod(m string) string {
	switch m {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE":
		return m
	}
	return otherMethod
}

// RunFinished counts a probe run a worker of this process ended in state
// (models.RunDone, RunNotMeasured or RunFailed) after working on it for d.
func RunFinished(state string, d time.Duration) {
	runsFinished.WithLabelValues(state).Inc()
	runDuration.WithLabelValues(state).Observe(d.Seconds())
}

// PDFRendered counts a PDF of kind (PDFSheet, PDFTenderReport, PDFAnnual)
// rendered in d.
func PDFRendered(kind string, d time.Duration) {
	pdfRenders.WithLabelValues(kind).Inc()
	pdfRenderDuration.WithLabelValues(kind).Observe(d.Seconds())
}

// RenderPDF runs render, the rendering of a PDF of kind, and counts it with
// its time when it succeeds; a failed render is not counted. It lets a
// handler count a render by wrapping the call it makes already:
//
//	if err := metrics.RenderPDF(metrics.PDFSheet, func() error { return report.WriteSheet(&buf, ...) }); err != nil {
func RenderPDF(kind string, render func() error) error {
	start := time.Now()
	if err := render(); err != nil {
		return err
	}
	PDFRendered(kind, time.Since(start))
	return nil
}

// PDFServedFromCache counts a PDF of kind served from storage instead of
// rendered.
func PDFServedFromCache(kind string) {
	pdfCacheHits.WithLabelValues(kind).Inc()
}

// SessionFound counts a session looked up with a change feed, answered
// from the feed's memory (cached) or from the database. A feed whose
// share stays near zero hears no notifications.
func SessionFound(cached bool) {
	source := SessionFromDatabase
	if cached {
		source = SessionFromFeed
	}
	sessionLookups.WithLabelValues(source).Inc()
}

// RunCounts tells how many probe runs the database holds in each state;
// models.CountRunsByStatus is one.
type RunCounts func(ctx context.Context) (map[string]int64, error)

// RunStates are the states a probe run can be in, each reported even when
// no run is in it, so a dashboard's query never finds a series missing.
var RunStates = []string{models.RunQueued, models.RunRunning, models.RunDone, models.RunNotMeasured, models.RunFailed}

// scrapeTimeout bounds the database queries of one scrape.
const scrapeTimeout = 5 * time.Second

// NewRegistry returns a registry with the process's request, probe and PDF
// collectors, Go's runtime and the process's own (CPU, memory, open files),
// the pool statistics of db, and the probe runs by state and the queue
// depth read from the database through runs at each scrape. Each call
// returns a registry of its own.
func NewRegistry(db *sql.DB, runs RunCounts) (*prometheus.Registry, error) {
	// The end states of a run and the kinds of PDF are shown at zero
	// before anything happened, so a rate over them has a series to start.
	for _, s := range []string{models.RunDone, models.RunNotMeasured, models.RunFailed} {
		runsFinished.WithLabelValues(s)
		runDuration.WithLabelValues(s)
	}
	for _, k := range []string{PDFSheet, PDFTenderReport, PDFAnnual} {
		pdfRenders.WithLabelValues(k)
		pdfRenderDuration.WithLabelValues(k)
		pdfCacheHits.WithLabelValues(k)
	}
	for _, src := range []string{SessionFromFeed, SessionFromDatabase} {
		sessionLookups.WithLabelValues(src)
	}
	reg := prometheus.NewRegistry()
	for _, c := range []prometheus.Collector{
		requests, requestDuration, runsFinished, runDuration, pdfRenders, pdfRenderDuration, pdfCacheHits, sessionLookups,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(db, "tenderprobe"),
		&queueCollector{runs: runs},
	} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return reg, nil
}

var (
	runsDesc  = prometheus.NewDesc("tenderprobe_probe_runs", "Probe runs in the database, by state.", []string{"state"}, nil)
	depthDesc = prometheus.NewDesc("tenderprobe_probe_queue_depth",
		"Probe runs waiting for a worker (state queued), across every process sharing the database.", nil, nil)
	scrapeErrDesc = prometheus.NewDesc("tenderprobe_probe_runs_scrape_error",
		"1 when the probe runs could not be counted at this scrape.", nil, nil)
)

// queueCollector reads the probe runs by state at each scrape: the queue
// lives in the database and may be shared by several processes, so only
// the database knows its depth.
type queueCollector struct {
	runs RunCounts
}

func (q *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- runsDesc
	ch <- depthDesc
	ch <- scrapeErrDesc
}

func (q *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	counts, err := q.runs(ctx)
	if err != nil {
		// The scrape still answers with every other metric; the error
		// gauge says these are missing.
		ch <- prometheus.MustNewConstMetric(scrapeErrDesc, prometheus.GaugeValue, 1)
		return
	}
	ch <- prometheus.MustNewConstMetric(scrapeErrDesc, prometheus.GaugeValue, 0)
	for _, s := range RunStates {
		ch <- prometheus.MustNewConstMetric(runsDesc, prometheus.GaugeValue, float64(counts[s]), s)
	}
	ch <- prometheus.MustNewConstMetric(depthDesc, prometheus.GaugeValue, float64(counts[models.RunQueued]))
}
