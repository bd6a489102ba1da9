package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"tenderprobe/handlers"
	"tenderprobe/models"
	"tenderprobe/models/dbtest"
	"tenderprobe/seed"
)

// testNow is the clock of every test app, so PDFs and sessions are
// reproducible.
var testNow = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// testApp is the full Fiber app (all middleware and routes) over a
// migrated database with the catalogue and demo data.
type testApp struct {
	t   testing.TB
	app *fiber.App
	db  *gorm.DB
	h   *handlers.Handler
	// base, once listen has run, is the URL of a real listener; requests
	// then go over TCP instead of through app.Test.
	base string
}

// listen serves the app on a loopback port until the test ends. Some
// answers, like 413 for an oversized body, are only written by the real
// server: app.Test reports them as errors.
func (a *testApp) listen(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = a.app.Listener(ln) }()
	t.Cleanup(func() {
		// The tests' clients use http.DefaultTransport. A connection it
		// keeps idle, or dialled in reserve and never used, would make
		// the shutdown wait out the server's 30 s read timeout.
		http.DefaultClient.CloseIdleConnections()
		_ = a.app.Shutdown()
	})
	return "http://" + ln.Addr().String()
}

// demo is the database of every test app: migrated, with the catalogue and
// the demo data. It is seeded once per test binary and copied per test.
var demo = dbtest.NewTemplate("demo", seed.Demo)

// routeParts is how many parts the tests generated from the route table
// split the routes into. They send thousands of requests one after
// another; in parts, on databases of their own, they run side by side,
// which hides the round trips to PostgreSQL.
const routeParts = 4

// eachRoutePart runs fn once per part of the route table, in parallel,
// each on fresh copies of demo on SQLite and PostgreSQL (also in
// parallel). fn is to test route i of routeTable only when mine(i): every
// route belongs to exactly one part. fn must share nothing with other
// tests.
func eachRoutePart(t *testing.T, fn func(t *testing.T, db *gorm.DB, mine func(i int) bool)) {
	t.Helper()
	for part := range routeParts {
		t.Run(fmt.Sprintf("routes part %d of %d", part+1, routeParts), func(t *testing.T) {
			t.Parallel()
			demo.EachParallel(t, func(t *testing.T, db *gorm.DB) {
				fn(t, db, func(i int) bool { return i%routeParts == part })
			})
		})
	}
}

// newTestApp builds the app on a temp-file SQLite copy of demo.
func newTestApp(t testing.TB) *testApp {
	t.Helper()
	return newTestAppOn(t, demo.Open(t))
}

// newTestAppOn builds the app on db, a copy of demo (demo.Open,
// demo.OpenPostgres or demo.Each). Metrics are on (for admins only), so
// every test request passes the metrics middleware and the role tables
// check GET /metrics.
func newTestAppOn(t testing.TB, db *gorm.DB) *testApp {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Metrics = true
	return newTestAppWith(t, db, cfg)
}

// newTestAppWith builds the app on db with the settings of cfg that
// NewApp reads.
func newTestAppWith(t testing.TB, db *gorm.DB, cfg Config) *testApp {
	t.Helper()
	profiles, err := seed.Profiles()
	if err != nil {
		t.Fatal(err)
	}
	h := &handlers.Handler{
		DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Profiles: profiles,
		SessionTTL: cfg.SessionTTL, APITokenTTL: cfg.APITokenTTL, BodyLimit: cfg.BodyLimit,
		LoginFailuresPerAccount: cfg.LoginFailuresPerAccount, LoginFailuresPerIP: cfg.LoginFailuresPerIP, LoginFailuresPerAccountTotal: cfg.LoginFailuresPerAccountTotal,
		LoginWindow: cfg.LoginWindow, RequireSecondFactor: cfg.RequireSecondFactor, Now: func() time.Time { return testNow },
		Attest: handlers.AttestSettings{BaseURL: cfg.BaseURL},
	}
	if h.SSO, err = ssoSettings(cfg, h.Now); err != nil {
		t.Fatal(err)
	}
	app, err := NewApp(h, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &testApp{t: t, app: app, db: db, h: h}
}

// user returns the demo user with email.
func (a *testApp) user(email string) *models.User {
	a.t.Helper()
	u, err := models.FindUserByEmail(context.Background(), a.db, email)
	if err != nil {
		a.t.Fatal(err)
	}
	return u
}

// client is a browser or API caller: cookies, a CSRF token and/or a bearer
// token, kept between requests.
type client struct {
	a       *testApp
	cookies map[string]string
	csrf    string
	bearer  string
	// from is the loopback address the client connects from (127.0.0.1
	// when empty), for tests about who the server thinks is calling; it
	// needs a listening app (a.base), and redirects are not followed, as
	// with app.Test.
	from string
}

// httpClient sends c's requests to a listening app: the shared client, or
// one that connects from c.from.
func (c *client) httpClient() *http.Client {
	if c.from == "" {
		return http.DefaultClient
	}
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(c.from)}}
	tr := &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (a *testApp) anonymous() *client { return &client{a: a, cookies: map[string]string{}} }

// session logs email in by creating its session directly, for tests about
// what happens after login (login itself has its own tests).
func (a *testApp) session(email string) *client {
	a.t.Helper()
	if email == "" {
		return a.anonymous()
	}
	token, s, err := models.CreateSession(context.Background(), a.db, a.user(email).ID, time.Hour, testNow)
	if err != nil {
		a.t.Fatal(err)
	}
	return &client{a: a, cookies: map[string]string{"tp_session": token}, csrf: s.CSRFToken}
}

// apiClient returns a caller holding an API token of email ("" for none).
func (a *testApp) apiClient(email string) *client {
	a.t.Helper()
	c := a.anonymous()
	if email == "" {
		return c
	}
	token, err := models.CreateAPIToken(context.Background(), a.db, a.user(email).ID, time.Hour, testNow)
	if err != nil {
		a.t.Fatal(err)
	}
	c.bearer = token
	return c
}

// response is what a test looks at.
type response struct {
	status int
	header http.Header
	body   string
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("response is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// do sends req through app.Test and keeps any cookies set.
func (c *client) do(req *http.Request) response {
	c.a.t.Helper()
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	var res *http.Response
	var err error
	if c.a.base != "" {
		req.RequestURI = ""
		req.URL, err = url.Parse(c.a.base + req.URL.String())
		if err == nil {
			res, err = c.httpClient().Do(req)
		}
	} else {
		res, err = c.a.app.Test(req, -1)
	}
	if err != nil {
		// Status 0 fails the caller's check, in the caller's own subtest.
		return response{body: fmt.Sprintf("%s %s: %v", req.Method, req.URL, err)}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return response{body: fmt.Sprintf("%s %s: read body: %v", req.Method, req.URL, err)}
	}
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	return response{status: res.StatusCode, header: res.Header, body: string(body)}
}

func (c *client) get(path string) response {
	return c.do(httptest.NewRequest(http.MethodGet, path, nil))
}

// post sends a form with the client's CSRF token unless form sets _csrf.
func (c *client) post(path string, form url.Values) response {
	form = cloneForm(form)
	if _, ok := form["_csrf"]; !ok && c.csrf != "" {
		form.Set("_csrf", c.csrf)
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// upload posts a multipart form with one file field.
func (c *client) upload(path, field, filename string, content []byte) response {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if c.csrf != "" {
		_ = w.WriteField("_csrf", c.csrf)
	}
	if filename != "" {
		fw, err := w.CreateFormFile(field, filename)
		if err != nil {
			c.a.t.Fatal(err)
		}
		_, _ = fw.Write(content)
	}
	_ = w.Close()
	req := httptest.NewRequest(http.MethodPost, path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

// postJSON sends body (a string is sent as is) as application/json.
func (c *client) postJSON(path string, body any) response {
	var raw []byte
	switch b := body.(type) {
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			c.a.t.Fatal(err)
		}
	}
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	return c.do(req)
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrfFrom reads the CSRF token out of a rendered form.
func csrfFrom(t testing.TB, body string) string {
	t.Helper()
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("page has no CSRF field:\n%s", body)
	}
	return m[1]
}

// newDraft creates a draft tender of the demo buyer with one requirement
// (https), for tests that change it.
func (a *testApp) newDraft(title string) (*models.Tender, *models.Requirement) {
	a.t.Helper()
	ctx := context.Background()
	t, err := models.CreateTender(ctx, a.db, a.user("officer@demo.test"), models.TenderInput{Title: title}, time.Now())
	if err != nil {
		a.t.Fatal(err)
	}
	r, err := models.AddRequirement(ctx, a.db, dbtest.ManagerOf(a.db, t.ID), t.ID, models.RequirementInput{Standard: "https", Level: models.LevelMandatory}, time.Now())
	if err != nil {
		a.t.Fatal(err)
	}
	return t, r
}

// newPublished creates a published tender of the demo buyer.
func (a *testApp) newPublished(title string) *models.Tender {
	a.t.Helper()
	t, _ := a.newDraft(title)
	p, err := models.PublishTender(context.Background(), a.db, dbtest.ManagerOf(a.db, t.ID), t.ID, time.Now())
	if err != nil {
		a.t.Fatal(err)
	}
	return p
}

// count returns the rows of model, to check that refused input changed nothing.
func (a *testApp) count(model any) int64 {
	a.t.Helper()
	var n int64
	if err := a.db.Model(model).Count(&n).Error; err != nil {
		a.t.Fatal(err)
	}
	return n
}

var alertText = regexp.MustCompile(`(?s)role="alert"[^>]*>(.*?)</`)

// errorText picks the error message out of an error page or JSON error, to
// keep failure output short.
func errorText(body string) string {
	if m := alertText.FindStringSubmatch(body); m != nil {
		return strings.TrimSpace(m[1])
	}
	if len(body) > 300 {
		return body[:300]
	}
	return body
}

// cloneForm copies form so a table's shared values never keep one
// request's CSRF token for the next.
func cloneForm(form url.Values) url.Values {
	out := url.Values{}
	for k, v := range form {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// oversizedPost announces a JSON body of size bytes on a raw connection and
// sends only its first 64 KB: the server must refuse on the Content-Length
// alone, without waiting for the rest.
func oversizedPost(t testing.TB, base, path, bearer string, size int) response {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: tenderprobe.test\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", path, bearer, size)
	if _, err := conn.Write(make([]byte, 64<<10)); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return response{body: fmt.Sprintf("read answer to an oversized body: %v", err)}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return response{body: fmt.Sprintf("read answer to an oversized body: %v", err)}
	}
	return response{status: res.StatusCode, header: res.Header, body: string(body)}
}
