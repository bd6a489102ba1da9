package app

import (
	"context"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// pageClients is the number of concurrent clients of BenchmarkPagesVsStatic.
const pageClients = 32

// pageLoad is how long each side of BenchmarkPagesVsStatic is loaded;
// TENDERPROBE_BENCH_SECONDS changes it.
func pageLoad() time.Duration {
	if s, err := strconv.ParseFloat(os.Getenv("TENDERPROBE_BENCH_SECONDS"), 64); err == nil && s > 0 {
		return time.Duration(s * float64(time.Second))
	}
	return 2 * time.Second
}

// benchSite is the app on one database, served on a loopback port, with the
// credentials of the pages' readers.
type benchSite struct {
	name   string
	addr   string
	cookie string // the officer's session cookie
	bearer string // the officer's API token
	review string // path of the 200 x 40 review matrix
}

func newBenchSite(b *testing.B, name string, db *gorm.DB) *benchSite {
	a := newTestAppOn(b, db)
	bt := seedBigTender(b, a.db, "Load", 200, 40)
	// PostgreSQL's statistics as a live database would have them (its
	// autovacuum analyses a table after many inserts). SQLite keeps none
	// unless asked, and Tenderprobe does not ask.
	if name == "postgres" {
		if err := a.db.Exec("ANALYZE").Error; err != nil {
			b.Fatal(err)
		}
		// And the seed's change stamps folded, as a running server
		// folds them every minute.
		if err := models.CompactChangeStamps(context.Background(), a.db); err != nil {
			b.Fatal(err)
		}
		// And its change feed, as serve starts it on PostgreSQL
		// (--change-feed, on by default); TENDERPROBE_CHANGE_FEED=false
		// measures without it.
		if os.Getenv("TENDERPROBE_CHANGE_FEED") != "false" {
			a.startFeed(b)
		}
	}
	if os.Getenv("TENDERPROBE_PAGE_CACHE_MB") == "0" {
		a.h.Pages = nil // every request renders, to compare
	}
	base := a.listen(b)
	return &benchSite{
		name:   name,
		addr:   base[len("http://"):],
		cookie: "tp_session=" + a.session("officer@demo.test").cookies["tp_session"],
		bearer: a.apiClient("officer@demo.test").bearer,
		review: fmt.Sprintf("/tenders/%d/review", bt.tender.ID),
	}
}

// request fills req with a GET of path as the officer: the session cookie
// for pages, the bearer token for the API.
func (s *benchSite) request(req *fasthttp.Request, path string) {
	req.Reset()
	req.SetRequestURI("http://" + s.addr + path)
	req.Header.SetMethod(fasthttp.MethodGet)
	if len(path) > 5 && path[:5] == "/api/" {
		req.Header.Set("Authorization", "Bearer "+s.bearer)
	} else {
		req.Header.Set("Cookie", s.cookie)
	}
}

// loadResult is what one load run measured.
type loadResult struct {
	perSecond float64
	p99       time.Duration
}

// load runs pageClients clients, each sending the next request as soon as
// the previous answer is read, for d, and returns throughput and the 99th
// percentile latency. Every answer must be 200 with want bytes.
func load(b *testing.B, addr string, fill func(*fasthttp.Request), want int, d time.Duration) loadResult {
	client := &fasthttp.HostClient{Addr: addr, MaxConns: pageClients, ReadBufferSize: 64 << 10}
	defer client.CloseIdleConnections()
	var (
		mu        sync.Mutex
		latencies []time.Duration
		failure   error
		wg        sync.WaitGroup
	)
	deadline := time.Now().Add(d)
	for range pageClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(res)
			fill(req)
			var mine []time.Duration
			var err error
			for time.Now().Before(deadline) {
				t0 := time.Now()
				if err = client.Do(req, res); err != nil {
					break
				}
				mine = append(mine, time.Since(t0))
				if res.StatusCode() != 200 || len(res.Body()) != want {
					err = fmt.Errorf("status %d, %d bytes, want 200 and %d", res.StatusCode(), len(res.Body()), want)
					break
				}
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			if err != nil && failure == nil {
				failure = err
			}
			mu.Unlock()
		}()
	}
	start := time.Now()
	wg.Wait()
	elapsed := time.Since(start)
	if failure != nil {
		b.Fatal(failure)
	}
	slices.Sort(latencies)
	return loadResult{
		perSecond: float64(len(latencies)) / elapsed.Seconds(),
		p99:       latencies[len(latencies)*99/100],
	}
}

// staticServer serves body with contentType (and encoding, if not empty)
// from memory with a bare Fiber app on loopback: the ceiling a page is
// measured against.
func staticServer(b *testing.B, body []byte, contentType, encoding string) string {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/*", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, contentType)
		if encoding != "" {
			c.Set(fiber.HeaderContentEncoding, encoding)
		}
		return c.Send(body)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	b.Cleanup(func() { _ = app.Shutdown() })
	return ln.Addr().String()
}

// BenchmarkPagesVsStatic loads each page with 32 concurrent clients (keep-
// alive connections, each sending its next request when the answer is
// read) for 2 s (TENDERPROBE_BENCH_SECONDS) and, in the same run, the same
// response bytes served from memory by a bare Fiber app. The app runs on
// an SQLite file and, when TENDERPROBE_TEST_POSTGRES is set, on PostgreSQL
// with the default pool, both with the demo data and a tender of 200
// vendors x 40 requirements. The dashboard, tender page and review matrix
// come from the page cache after the first request (each page's key stays
// the same: nothing writes); TENDERPROBE_PAGE_CACHE_MB=0 turns it off to
// measure every request rendering.
//
// Metrics per page: req/s of each side, "of-static" (the page's throughput
// on SQLite divided by the static one; the goal is at least 0.05), p99 in
// ms at 32 clients (goal: under 50), and "pg/sqlite" (goal: at least 0.8).
// The load generator shares the 2 cores with the servers, which caps the
// static side too: the ratio is of two servers measured the same way.
//
//	go test ./app -run '^$' -bench PagesVsStatic -benchtime 1x
func BenchmarkPagesVsStatic(b *testing.B) {
	sites := []*benchSite{newBenchSite(b, "sqlite", demo.Open(b))}
	if os.Getenv(dbtest.EnvPostgres) != "" {
		pg := demo.OpenPostgres(b)
		// The pool serve runs with (models.DefaultPool), not the test
		// suite's smaller share of the server's connections (dbtest).
		sqlDB, err := pg.DB()
		if err != nil {
			b.Fatal(err)
		}
		sqlDB.SetMaxOpenConns(models.DefaultPool.MaxOpen)
		sqlDB.SetMaxIdleConns(models.DefaultPool.MaxIdle)
		sites = append(sites, newBenchSite(b, "postgres", pg))
	} else {
		b.Logf("%s is not set: SQLite only", dbtest.EnvPostgres)
	}
	// The matrix twice: as every browser asks for it (Accept-Encoding:
	// gzip) and as a client that takes no compression.
	pages := []struct {
		name, path string
		gzip       bool
	}{
		{"dashboard", "/", true},
		{"catalogue", "/catalogue", true},
		{"tender", "/tenders/1", true},
		{"review-200x40", "", true},
		{"review-200x40-identity", "", false},
		{"api-standards", "/api/v1/standards", false},
	}
	for _, page := range pages {
		b.Run(page.name, func(b *testing.B) {
			for b.Loop() {
				measurePage(b, sites, page.path, page.gzip)
			}
		})
	}
}

// measurePage loads path (the review matrix when empty) on every site and
// its bytes from memory, and reports the ratios. With gzip the requests
// say Accept-Encoding: gzip, as browsers do, and the static side serves
// the same compressed bytes.
func measurePage(b *testing.B, sites []*benchSite, path string, gzip bool) {
	d := pageLoad()
	pathOn := func(s *benchSite) string {
		if path == "" {
			return s.review
		}
		return path
	}
	// The bytes of the first site are the static side's.
	req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(res)
	request := func(s *benchSite, r *fasthttp.Request) {
		s.request(r, pathOn(s))
		if gzip {
			r.Header.Set(fasthttp.HeaderAcceptEncoding, "gzip")
		}
	}
	first := sites[0]
	request(first, req)
	if err := fasthttp.Do(req, res); err != nil || res.StatusCode() != 200 {
		b.Fatalf("GET %s: %v %d", pathOn(first), err, res.StatusCode())
	}
	body := append([]byte(nil), res.Body()...)
	static := staticServer(b, body, string(res.Header.ContentType()), string(res.Header.ContentEncoding()))

	got := map[string]loadResult{}
	got["static"] = load(b, static, func(r *fasthttp.Request) {
		r.SetRequestURI("http://" + static + "/")
	}, len(body), d)
	for _, s := range sites {
		res.Reset()
		request(s, req)
		if err := fasthttp.Do(req, res); err != nil || res.StatusCode() != 200 {
			b.Fatalf("GET %s on %s: %v %d", pathOn(s), s.name, err, res.StatusCode())
		}
		size := len(res.Body())
		got[s.name] = load(b, s.addr, func(r *fasthttp.Request) { request(s, r) }, size, d)
	}
	b.ReportMetric(got["static"].perSecond, "static-req/s")
	// The static side's own p99: on a loaded machine no page can be
	// expected to answer faster than the same bytes from memory.
	b.ReportMetric(float64(got["static"].p99)/float64(time.Millisecond), "static-p99-ms")
	b.ReportMetric(float64(len(body))/1024, "KB")
	for _, s := range sites {
		b.ReportMetric(got[s.name].perSecond, s.name+"-req/s")
		b.ReportMetric(float64(got[s.name].p99)/float64(time.Millisecond), s.name+"-p99-ms")
	}
	b.ReportMetric(got["sqlite"].perSecond/got["static"].perSecond, "of-static")
	if pg, ok := got["postgres"]; ok {
		b.ReportMetric(pg.perSecond/got["static"].perSecond, "pg-of-static")
		b.ReportMetric(pg.perSecond/got["sqlite"].perSecond, "pg/sqlite")
	}
}
