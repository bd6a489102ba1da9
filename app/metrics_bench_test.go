package app

import (
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// BenchmarkMetricsOverhead renders the pages of bench_test.go for a
// logged-in officer through two apps on one database, one with metrics on
// and one with them off, alternating request by request (and which goes
// first), so both sides share the machine's load. It reports the
// throughput with metrics as a share of that without (1 = free; the median
// over the pairs of requests) and the allocations each side makes per
// request.
func BenchmarkMetricsOverhead(b *testing.B) {
	for _, tc := range []struct{ name, page string }{{"catalogue", "/catalogue"}, {"tender", "/tenders/1"}} {
		page := tc.page
		b.Run(tc.name, func(b *testing.B) {
			db := demo.Open(b)
			offCfg, onCfg := DefaultConfig(), DefaultConfig()
			onCfg.Metrics = true
			off, on := newTestAppWith(b, db, offCfg), newTestAppWith(b, db, onCfg)
			cookie := "tp_session=" + off.session("officer@demo.test").cookies["tp_session"]
			get := func(a *testApp) (time.Duration, uint64) {
				var m0, m1 runtime.MemStats
				runtime.ReadMemStats(&m0)
				req := httptest.NewRequest(http.MethodGet, page, nil)
				req.Header.Set("Cookie", cookie)
				start := time.Now()
				res, err := a.app.Test(req, -1)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				d := time.Since(start)
				runtime.ReadMemStats(&m1)
				if res.StatusCode != 200 {
					b.Fatalf("GET %s: status %d", page, res.StatusCode)
				}
				return d, m1.Mallocs - m0.Mallocs
			}
			get(off)
			get(on)
			var offTime, onTime time.Duration
			var offAllocs, onAllocs uint64
			var ratios []float64
			n := 0
			for b.Loop() {
				var dOff, dOn time.Duration
				var aOff, aOn uint64
				if n%2 == 0 {
					dOff, aOff = get(off)
					dOn, aOn = get(on)
				} else {
					dOn, aOn = get(on)
					dOff, aOff = get(off)
				}
				offTime, onTime = offTime+dOff, onTime+dOn
				offAllocs, onAllocs = offAllocs+aOff, onAllocs+aOn
				ratios = append(ratios, float64(dOff)/float64(dOn))
				n++
			}
			// The median of the pairs' ratios: a pause of the shared
			// machine spoils one pair, not the figure.
			slices.Sort(ratios)
			b.ReportMetric(ratios[len(ratios)/2], "on/off-throughput")
			b.ReportMetric(float64(n)/offTime.Seconds(), "off-req/s")
			b.ReportMetric(float64(n)/onTime.Seconds(), "on-req/s")
			b.ReportMetric(float64(offAllocs)/float64(n), "off-allocs/req")
			b.ReportMetric(float64(onAllocs)/float64(n), "on-allocs/req")
		})
	}
}

// BenchmarkMetricsMiddleware is the middleware's own cost on the cheapest
// route there is (a handler that writes two bytes, served by fasthttp in
// memory, no network and no database): the upper bound of what metrics
// add to any request. Without a server in front the middleware reads the
// clock twice, where under a server fasthttp's own reading is its start.
// Each iteration serves a batch on each app, alternating which goes first;
// the figures are medians over the pairs of batches.
func BenchmarkMetricsMiddleware(b *testing.B) {
	const batch = 64
	off, on := bareApp(false), bareApp(true)
	ctx := bareRequest()
	serve := func(h fasthttp.RequestHandler) time.Duration {
		start := time.Now()
		for range batch {
			ctx.Response.Reset()
			h(ctx)
		}
		d := time.Since(start)
		if ctx.Response.StatusCode() != 200 {
			b.Fatalf("status %d", ctx.Response.StatusCode())
		}
		return d
	}
	serve(off)
	serve(on)
	var ratios, added []float64
	b.ReportAllocs()
	for b.Loop() {
		var dOff, dOn time.Duration
		if len(ratios)%2 == 0 {
			dOff, dOn = serve(off), serve(on)
		} else {
			dOn, dOff = serve(on), serve(off)
		}
		ratios = append(ratios, float64(dOff)/float64(dOn))
		added = append(added, float64(dOn-dOff)/batch)
	}
	slices.Sort(ratios)
	slices.Sort(added)
	b.ReportMetric(ratios[len(ratios)/2], "on/off-throughput")
	b.ReportMetric(added[len(added)/2], "added-ns/req")
}

// bareRoute is the one route of bareApp. Its requests count into the
// process's metrics like the test apps'.
const bareRoute = "/bench/:id"

// bareApp is a Fiber app with one route that writes two bytes, with or
// without the metrics middleware, as fasthttp's handler.
func bareApp(withMetrics bool) fasthttp.RequestHandler {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	var rm *requestMetrics
	if withMetrics {
		rm = newRequestMetrics()
		app.Use(rm.observe)
	}
	before := rm.snapshot(app)
	app.Get(bareRoute, func(c *fiber.Ctx) error { return c.SendString("ok") })
	rm.label(app, before, "")
	return app.Handler()
}

// bareRequest is a GET of bareApp's route with an id, to serve again and again.
func bareRequest() *fasthttp.RequestCtx {
	var ctx fasthttp.RequestCtx
	ctx.Request.SetRequestURI("/bench/42")
	ctx.Request.Header.SetMethod(fiber.MethodGet)
	return &ctx
}
