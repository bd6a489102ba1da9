package app

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"tenderprobe/models"
	"tenderprobe/seed"
)

// loginForm fetches the login page like a browser and returns the client
// holding its pre-login CSRF cookie and token.
func loginForm(t *testing.T, a *testApp) *client {
	t.Helper()
	c := a.anonymous()
	res := c.get("/login")
	if res.status != 200 {
		t.Fatalf("GET /login: %d", res.status)
	}
	c.csrf = csrfFrom(t, res.body)
	return c
}

func TestLogin(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)

	t.Run("a correct password starts a session with a safe cookie and a new session id", func(t *testing.T) {
		c := loginForm(t, a)
		res := c.post("/login", url.Values{"email": {"Officer@Demo.Test"}, "password": {seed.DemoPassword}, "next": {"/tenders"}})
		if res.status != 303 || res.header.Get("Location") != "/tenders" {
			t.Fatalf("login: %d to %q, want 303 to /tenders", res.status, res.header.Get("Location"))
		}
		var cookie string
		for _, v := range res.header.Values("Set-Cookie") {
			if strings.HasPrefix(v, "tp_session=") {
				cookie = v
			}
		}
		for _, attr := range []string{"HttpOnly", "SameSite=Lax", "path=/"} {
			if !strings.Contains(cookie, attr) {
				t.Errorf("session cookie %q lacks %s", cookie, attr)
			}
		}
		if strings.Contains(cookie, "Secure") {
			t.Errorf("session cookie over plain HTTP is marked Secure, so the browser would drop it: %q", cookie)
		}
		first := c.cookies["tp_session"]
		if res := c.get("/"); res.status != 200 || !strings.Contains(res.body, "Olivia Officer") {
			t.Fatalf("dashboard after login: %d", res.status)
		}

		// Logging in again from the same browser must not keep the old id.
		c.csrf = csrfFrom(t, c.get("/").body)
		c.post("/login", url.Values{"email": {"officer@demo.test"}, "password": {seed.DemoPassword}})
		if c.cookies["tp_session"] == first || c.cookies["tp_session"] == "" {
			t.Fatal("the session id was not renewed at login")
		}
		if _, err := models.FindSession(context.Background(), a.db, first, testNow); err == nil {
			t.Error("the old session still works after a new login")
		}
	})

	t.Run("a next parameter pointing off-site is ignored", func(t *testing.T) {
		c := loginForm(t, a)
		res := c.post("/login", url.Values{"email": {"auditor@demo.test"}, "password": {seed.DemoPassword}, "next": {"//evil.example/"}})
		if res.header.Get("Location") != "/" {
			t.Fatalf("redirected to %q, want /", res.header.Get("Location"))
		}
	})

	t.Run("wrong or missing credentials are refused without a session", func(t *testing.T) {
		for _, tc := range []struct {
			name, email, password string
			status                int
			message               string
		}{
			{"wrong password", "officer@demo.test", "not the password", 401, "Wrong e-mail address or password."},
			{"unknown account", "nobody@demo.test", seed.DemoPassword, 401, "Wrong e-mail address or password."},
			{"missing password", "officer@demo.test", "", 422, "Enter your e-mail address and password."},
			{"missing e-mail address", "", seed.DemoPassword, 422, "Enter your e-mail address and password."},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := loginForm(t, a)
				res := c.post("/login", url.Values{"email": {tc.email}, "password": {tc.password}})
				if res.status != tc.status || !strings.Contains(res.body, tc.message) {
					t.Fatalf("status %d, want %d with %q; got %q", res.status, tc.status, tc.message, errorText(res.body))
				}
				if c.cookies["tp_session"] != "" {
					t.Fatal("a failed login set a session cookie")
				}
			})
		}
	})

	t.Run("a disabled account cannot log in", func(t *testing.T) {
		u, err := models.CreateUser(context.Background(), a.db, nil, "gone@demo.test", "Gone", "long enough password", models.RoleAuditor, nil, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		yes := true
		if _, err := models.UpdateUser(context.Background(), a.db, nil, u.ID, models.UserChanges{Disabled: &yes}, time.Now()); err != nil {
			t.Fatal(err)
		}
		c := loginForm(t, a)
		if res := c.post("/login", url.Values{"email": {"gone@demo.test"}, "password": {"long enough password"}}); res.status != 401 {
			t.Fatalf("status %d, want 401", res.status)
		}
	})

	t.Run("logout ends the session on the server", func(t *testing.T) {
		c := a.session("officer@demo.test")
		token := c.cookies["tp_session"]
		if res := c.post("/logout", nil); res.status != 303 || res.header.Get("Location") != "/login" {
			t.Fatalf("logout: %d to %q", res.status, res.header.Get("Location"))
		}
		replay := a.anonymous()
		replay.cookies["tp_session"] = token
		if res := replay.get("/"); res.status != 303 {
			t.Fatalf("the logged-out session still opens the dashboard: %d", res.status)
		}
	})
}

func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	limit := a.h.LoginFailuresPerAccount

	t.Run("an account is locked for the window after too many failures, even with the right password", func(t *testing.T) {
		c := loginForm(t, a)
		for i := 0; i < limit; i++ {
			if res := c.post("/login", url.Values{"email": {"vendor@demo.test"}, "password": {"guess"}}); res.status != 401 {
				t.Fatalf("failure %d: status %d, want 401", i+1, res.status)
			}
		}
		res := c.post("/login", url.Values{"email": {"vendor@demo.test"}, "password": {seed.DemoPassword}})
		if res.status != 429 {
			t.Fatalf("after %d failures: status %d, want 429", limit, res.status)
		}
		if c.cookies["tp_session"] != "" {
			t.Fatal("a blocked login set a session cookie")
		}
		api := a.anonymous()
		if res := api.postJSON("/api/v1/tokens", map[string]string{"email": "vendor@demo.test", "password": seed.DemoPassword}); res.status != 429 {
			t.Fatalf("the API token endpoint ignores the lock: %d", res.status)
		}
	})

	t.Run("other accounts still log in", func(t *testing.T) {
		c := loginForm(t, a)
		if res := c.post("/login", url.Values{"email": {"vendor2@demo.test"}, "password": {seed.DemoPassword}}); res.status != 303 {
			t.Fatalf("status %d, want 303", res.status)
		}
	})

	t.Run("one address trying many accounts is blocked", func(t *testing.T) {
		b := newTestApp(t)
		c := loginForm(t, b)
		for i := 0; i < b.h.LoginFailuresPerIP; i++ {
			email := "spray" + strings.Repeat("x", i) + "@demo.test"
			if res := c.post("/login", url.Values{"email": {email}, "password": {"guess"}}); res.status != 401 {
				t.Fatalf("failure %d: status %d, want 401", i+1, res.status)
			}
		}
		if res := c.post("/login", url.Values{"email": {"officer@demo.test"}, "password": {seed.DemoPassword}}); res.status != 429 {
			t.Fatalf("status %d, want 429", res.status)
		}
	})
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	officer := a.session("officer@demo.test")
	before := a.count(&models.Tender{})

	for _, tc := range []struct {
		name  string
		token string
	}{
		{"a form without a token", ""},
		{"a form with a wrong token", "forged-token-forged-token-forged-token"},
		{"a form with another session's token", a.session("admin@demo.test").csrf},
	} {
		t.Run(tc.name+" is refused with 403 and changes nothing", func(t *testing.T) {
			res := officer.post("/tenders", url.Values{"_csrf": {tc.token}, "title": {"CSRF victim"}})
			if res.status != 403 || !strings.Contains(res.body, "did not come from this site") {
				t.Fatalf("status %d (%q), want 403", res.status, errorText(res.body))
			}
			if n := a.count(&models.Tender{}); n != before {
				t.Fatalf("tenders went from %d to %d", before, n)
			}
		})
	}

	t.Run("a login form without the pre-login token is refused", func(t *testing.T) {
		c := a.anonymous()
		res := c.post("/login", url.Values{"email": {"officer@demo.test"}, "password": {seed.DemoPassword}})
		if res.status != 403 || c.cookies["tp_session"] != "" {
			t.Fatalf("status %d, want 403 and no session", res.status)
		}
	})

	t.Run("logout without a token is refused", func(t *testing.T) {
		c := a.session("auditor@demo.test")
		if res := c.post("/logout", url.Values{"_csrf": {""}}); res.status != 403 {
			t.Fatalf("status %d, want 403", res.status)
		}
	})

	t.Run("the token may come in the X-CSRF-Token header", func(t *testing.T) {
		req := httptest.NewRequest("POST", "/tenders", strings.NewReader("title=Header+token"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-CSRF-Token", officer.csrf)
		csrf := officer.csrf
		officer.csrf = ""
		res := officer.do(req)
		officer.csrf = csrf
		if res.status != 303 {
			t.Fatalf("status %d (%s), want 303", res.status, errorText(res.body))
		}
	})
}

func TestLoginCleansUpExpiredSessions(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	ctx := context.Background()
	officer := a.user("officer@demo.test")
	stale, _, err := models.CreateSession(ctx, a.db, officer.ID, time.Minute, testNow.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.ReserveLoginAttempt(ctx, a.db, "account:old@demo.test", a.h.LoginFailuresPerAccount, a.h.LoginWindow, testNow.Add(-2*a.h.LoginWindow)); err != nil {
		t.Fatal(err)
	}
	c := loginForm(t, a)
	if res := c.post("/login", url.Values{"email": {"officer@demo.test"}, "password": {seed.DemoPassword}}); res.status != 303 {
		t.Fatalf("login: %d", res.status)
	}
	var n int64
	a.db.Model(&models.Session{}).Where("id = ?", models.HashToken(stale)).Count(&n)
	if n != 0 {
		t.Error("an expired session is still stored after a login")
	}
	a.db.Model(&models.LoginAttempt{}).Where("subject = ?", "account:old@demo.test").Count(&n)
	if n != 0 {
		t.Error("an old failure count is still stored after a login")
	}
}

// noRedirect is an HTTP client that shows a redirect instead of following
// it, so a test sees the Location and headers a browser would get.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// wire sends req over the app's real listener (a.base) with the client's
// cookies, without following redirects.
func (c *client) wire(req *http.Request) response {
	c.a.t.Helper()
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := noRedirect.Do(req)
	if err != nil {
		return response{body: fmt.Sprintf("%s %s: %v", req.Method, req.URL, err)}
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: string(body)}
}

// rawGet sends target as the request line unchanged, for paths that an
// http.Request would clean up or refuse.
func rawGet(t *testing.T, base, target string) response {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: tenderprobe.test\r\nConnection: close\r\n\r\n", target)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return response{body: fmt.Sprintf("GET %q: %v", target, err)}
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: string(body)}
}

// sameSitePath reports whether a browser given loc as a redirect stays on
// this site: a path with one leading slash and nothing a browser would drop
// or reinterpret (control characters, blanks, backslashes, raw non-ASCII).
func sameSitePath(loc string) bool {
	if loc == "" || strings.ContainsFunc(loc, func(r rune) bool { return r < '!' || r > '~' || r == '\\' }) {
		return false
	}
	u, err := url.Parse(loc)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return false
	}
	return strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "//")
}

// injected reports whether an attacker's header made it into the answer:
// a header or cookie named "injected".
func injected(res response) bool {
	for k := range res.header {
		if strings.Contains(strings.ToLower(k), "injected") {
			return true
		}
	}
	for _, v := range res.header.Values("Set-Cookie") {
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(v)), "injected") {
			return true
		}
	}
	return false
}

func TestLoginNextStaysOnSite(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	a.base = a.listen(t)

	login := func(t *testing.T, next string) response {
		t.Helper()
		c := loginForm(t, a)
		form := url.Values{"email": {"auditor@demo.test"}, "password": {seed.DemoPassword}, "next": {next}, "_csrf": {c.csrf}}
		req, err := http.NewRequest(http.MethodPost, a.base+"/login", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return c.wire(req)
	}

	t.Run("after login", func(t *testing.T) {
		for _, tc := range []struct{ name, next, want string }{
			{"a tab between two slashes goes home", "/\t/evil.example/", "/"},
			{"an encoded tab between two slashes goes home", "/%09/evil.example/", "/"},
			{"a line break with a header goes home", "/\r\nSet-Cookie: injected=1", "/"},
			{"a bare line feed with a header goes home", "/\nSet-Cookie: injected=1", "/"},
			{"an encoded line break with a header goes home", "/%0d%0aSet-Cookie:%20injected=1", "/"},
			{"an encoded line break in the query goes home", "/tenders?q=%0D%0ASet-Cookie:%20injected=1", "/"},
			{"an encoded line break in the fragment goes home", "/#%0d%0aSet-Cookie:%20injected=1", "/"},
			{"two slashes go home", "//evil.example/", "/"},
			{"a slash and a backslash go home", "/\\evil.example/", "/"},
			{"an encoded backslash goes home", "/%5cevil.example/", "/"},
			{"an encoded second slash goes home", "/%2f/evil.example/", "/"},
			{"two encoded slashes go home", "%2F%2Fevil.example/", "/"},
			{"a dot segment before two slashes goes home", "/..//evil.example/", "/"},
			{"an absolute URL goes home", "https://evil.example/", "/"},
			{"a scheme without slashes goes home", "https:evil.example", "/"},
			{"user info goes home", "//user@evil.example/", "/"},
			{"a javascript URL goes home", "javascript:alert(document.domain)", "/"},
			{"a data URL goes home", "data:text/html,<script>alert(1)</script>", "/"},
			{"a leading space goes home", " //evil.example/", "/"},
			{"a NUL byte goes home", "/\x00/evil.example/", "/"},
			{"an ideographic space goes home", "/\u3000/evil.example/", "/"},
			{"an encoded ideographic space goes home", "/%E3%80%80/evil.example/", "/"},
			{"an encoded zero-width space goes home", "/%E2%80%8B/evil.example/", "/"},
			{"fullwidth slashes go home", "\uFF0F\uFF0Fevil.example/", "/"},
			{"a relative path goes home", "evil.example/", "/"},
			{"a page of this site is kept", "/tenders/5", "/tenders/5"},
			{"a page with a query is kept", "/tenders?status=draft&sort=deadline", "/tenders?status=draft&sort=deadline"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := login(t, tc.next)
				loc := res.header.Get("Location")
				if res.status != 303 || loc != tc.want {
					t.Fatalf("status %d to %q, want 303 to %q\n%s", res.status, loc, tc.want, errorText(res.body))
				}
				if !sameSitePath(loc) {
					t.Errorf("Location %q leaves the site", loc)
				}
				if injected(res) {
					t.Errorf("the answer carries an injected header: %v", res.header)
				}
			})
		}
	})

	t.Run("via the login redirect of a protected page", func(t *testing.T) {
		for _, tc := range []struct{ name, target string }{
			{"an encoded line break in the query", "/tenders?q=%0d%0aSet-Cookie:%20injected=1"},
			{"an encoded line break in the path", "/tenders/%0d%0aSet-Cookie:%20injected=1"},
			{"an encoded tab and slashes", "/tenders/%09%2F%2Fevil.example"},
			{"a backslash in the path", "/tenders/\\evil.example"},
			{"an address in the query", "/tenders?next=//evil.example/"},
			{"an encoded ideographic space", "/catalogue/%E3%80%80evil.example"},
		} {
			t.Run(tc.name+" keeps the visitor on the site", func(t *testing.T) {
				res := rawGet(t, a.base, tc.target)
				loc := res.header.Get("Location")
				if res.status != 303 || !strings.HasPrefix(loc, "/login?next=") || !sameSitePath(loc) {
					t.Fatalf("status %d to %q, want 303 to /login?next=...\n%s", res.status, loc, errorText(res.body))
				}
				if injected(res) {
					t.Errorf("the redirect carries an injected header: %v", res.header)
				}
				u, _ := url.Parse(loc)
				next := u.Query().Get("next")
				if !sameSitePath(next) {
					t.Fatalf("next=%q leaves the site", next)
				}
				after := login(t, next)
				if after.status != 303 || !sameSitePath(after.header.Get("Location")) || injected(after) {
					t.Fatalf("login with next=%q: status %d to %q", next, after.status, after.header.Get("Location"))
				}
			})
		}
	})
}

func TestLogoutDeletesCookies(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := a.session("officer@demo.test")
	c.cookies["tp_csrf"] = strings.Repeat("c", 43)
	res := c.post("/logout", nil)
	if res.status != 303 {
		t.Fatalf("logout: %d", res.status)
	}
	for _, name := range []string{"tp_session", "tp_csrf"} {
		t.Run("the "+name+" cookie expires in the past with Max-Age 0", func(t *testing.T) {
			var found []*http.Cookie
			for _, line := range res.header.Values("Set-Cookie") {
				ck, err := http.ParseSetCookie(line)
				if err == nil && ck.Name == name {
					found = append(found, ck)
				}
			}
			if len(found) != 1 {
				t.Fatalf("%d Set-Cookie headers for %s, want 1: %q", len(found), name, res.header.Values("Set-Cookie"))
			}
			ck := found[0]
			if ck.Value != "" || ck.MaxAge >= 0 || ck.Expires.IsZero() || !ck.Expires.Before(testNow) || ck.Path != "/" || !ck.HttpOnly {
				t.Errorf("cookie %q: value %q, Max-Age %d, Expires %s, path %q, HttpOnly %v; want empty, Max-Age=0, a past date, /, HttpOnly",
					ck.Raw, ck.Value, ck.MaxAge, ck.Expires, ck.Path, ck.HttpOnly)
			}
		})
	}
}

// tokenID returns the id of the stored API token.
func (a *testApp) tokenID(token string) uint {
	a.t.Helper()
	var row models.APIToken
	if err := a.db.Where("hash = ?", models.HashToken(token)).First(&row).Error; err != nil {
		a.t.Fatal(err)
	}
	return row.ID
}

// del sends a DELETE request.
func (c *client) del(path string) response {
	return c.do(httptest.NewRequest(http.MethodDelete, path, nil))
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	ctx := context.Background()
	vendor := a.apiClient("vendor@demo.test")
	officer := a.apiClient("officer@demo.test")
	expired, err := models.CreateAPIToken(ctx, a.db, a.user("vendor@demo.test").ID, time.Hour, testNow.Add(-2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}

	issued := a.anonymous().postJSON("/api/v1/tokens", map[string]string{"email": "vendor@demo.test", "password": seed.DemoPassword})
	second := issued.json(t)
	t.Run("POST /api/v1/tokens still answers 201 with only the token", func(t *testing.T) {
		if tok, _ := second["token"].(string); issued.status != 201 || len(second) != 1 || len(tok) < 40 {
			t.Fatalf("status %d: %s", issued.status, issued.body)
		}
	})
	secondToken, _ := second["token"].(string)
	secondID := a.tokenID(secondToken)

	t.Run("a user lists their own live tokens, never a token or its hash", func(t *testing.T) {
		res := vendor.get("/api/v1/tokens")
		if res.status != 200 {
			t.Fatalf("status %d: %s", res.status, res.body)
		}
		var out struct {
			Tokens []map[string]any `json:"tokens"`
		}
		if err := json.Unmarshal([]byte(res.body), &out); err != nil {
			t.Fatal(err)
		}
		got := map[uint]map[string]any{}
		for _, tok := range out.Tokens {
			id, _ := tok["id"].(float64)
			got[uint(id)] = tok
			for _, key := range []string{"created_at", "expires_at", "last_used_at"} {
				if _, ok := tok[key]; !ok {
					t.Errorf("token %v has no %s: %v", tok["id"], key, tok)
				}
			}
		}
		own := a.tokenID(vendor.bearer)
		if len(got) != 2 || got[own] == nil || got[secondID] == nil {
			t.Fatalf("listed %v, want the two live tokens %d and %d", out.Tokens, own, secondID)
		}
		if got[own]["last_used_at"] == nil || got[secondID]["last_used_at"] != nil {
			t.Errorf("last_used_at: the token in use has %v, the unused one %v; want a time and null",
				got[own]["last_used_at"], got[secondID]["last_used_at"])
		}
		for _, secret := range []string{vendor.bearer, secondToken, expired, models.HashToken(vendor.bearer), models.HashToken(secondToken), officer.bearer} {
			if strings.Contains(res.body, secret) {
				t.Errorf("the list shows a token or its hash: %s", res.body)
			}
		}
	})

	t.Run("a user revokes their own token and it stops working at once", func(t *testing.T) {
		if res := vendor.del(fmt.Sprintf("/api/v1/tokens/%d", secondID)); res.status != 204 || res.body != "" {
			t.Fatalf("status %d (%s), want 204 without a body", res.status, res.body)
		}
		revoked := a.anonymous()
		revoked.bearer = secondToken
		if res := revoked.get("/api/v1/standards"); res.status != 401 {
			t.Fatalf("the revoked token still works: %d", res.status)
		}
	})

	t.Run("a token of another user is not found, for an admin too, and keeps working", func(t *testing.T) {
		other := fmt.Sprintf("/api/v1/tokens/%d", a.tokenID(officer.bearer))
		for _, caller := range []*client{vendor, a.apiClient("admin@demo.test")} {
			if res := caller.del(other); res.status != 404 {
				t.Fatalf("status %d, want 404", res.status)
			}
		}
		if res := officer.get("/api/v1/standards"); res.status != 200 {
			t.Fatalf("the officer's token stopped working: %d", res.status)
		}
	})

	t.Run("a revoked or unknown id is not found, a malformed one refused", func(t *testing.T) {
		for _, p := range []string{fmt.Sprintf("/api/v1/tokens/%d", secondID), "/api/v1/tokens/999999"} {
			if res := vendor.del(p); res.status != 404 {
				t.Errorf("DELETE %s: %d, want 404", p, res.status)
			}
		}
		if res := vendor.del("/api/v1/tokens/abc"); res.status != 400 || res.json(t)["code"] != "request.bad_id" {
			t.Errorf("DELETE /api/v1/tokens/abc: %d %s, want 400 request.bad_id", res.status, res.body)
		}
	})
}

func TestAccountTokensPage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	ctx := context.Background()
	web := a.session("vendor@demo.test")
	mine := a.tokenID(a.apiClient("vendor@demo.test").bearer)
	officer := a.apiClient("officer@demo.test")
	theirs := a.tokenID(officer.bearer)
	stored := func(id uint) bool {
		var n int64
		if err := a.db.WithContext(ctx).Model(&models.APIToken{}).Where("id = ?", id).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n == 1
	}

	t.Run("the page lists only the user's tokens with a confirmed revoke button", func(t *testing.T) {
		res := web.get("/account/tokens")
		if res.status != 200 {
			t.Fatalf("status %d", res.status)
		}
		form := fmt.Sprintf(`action="/account/tokens/%d/revoke" data-confirm=`, mine)
		if !strings.Contains(res.body, form) || strings.Contains(res.body, fmt.Sprintf(`id="token-%d"`, theirs)) {
			t.Errorf("want the vendor's token %d with a confirmation and not the officer's %d:\n%s", mine, theirs, res.body)
		}
		if !strings.Contains(res.body, `href="/account/tokens"`) {
			t.Error("the account menu has no link to the API tokens page")
		}
	})

	t.Run("a revoke without the CSRF token is refused", func(t *testing.T) {
		if res := web.post(fmt.Sprintf("/account/tokens/%d/revoke", mine), url.Values{"_csrf": {""}}); res.status != 403 || !stored(mine) {
			t.Fatalf("status %d, want 403 and the token kept", res.status)
		}
	})

	t.Run("another user's token is not found and kept", func(t *testing.T) {
		if res := web.post(fmt.Sprintf("/account/tokens/%d/revoke", theirs), nil); res.status != 404 || !stored(theirs) {
			t.Fatalf("status %d, want 404 and the token kept", res.status)
		}
	})

	t.Run("the user revokes their token and sees it gone", func(t *testing.T) {
		res := web.post(fmt.Sprintf("/account/tokens/%d/revoke", mine), nil)
		if res.status != 303 || res.header.Get("Location") != "/account/tokens?flash=revoked" {
			t.Fatalf("status %d to %q", res.status, res.header.Get("Location"))
		}
		if stored(mine) {
			t.Fatal("the token is still stored")
		}
		page := web.get(res.header.Get("Location"))
		if !strings.Contains(page.body, "API token revoked") || strings.Contains(page.body, fmt.Sprintf(`id="token-%d"`, mine)) {
			t.Errorf("the page after revoking:\n%s", page.body)
		}
	})

	t.Run("a visitor is sent to log in", func(t *testing.T) {
		res := a.anonymous().get("/account/tokens")
		if res.status != 303 || res.header.Get("Location") != "/login?next=%2Faccount%2Ftokens" {
			t.Fatalf("status %d to %q", res.status, res.header.Get("Location"))
		}
	})
}

// someonesTokenPath returns prefix/ID+suffix for an API token of a new
// user, which no caller of the role table owns.
func someonesTokenPath(prefix, suffix string) func(*testApp) (string, url.Values, any) {
	return func(a *testApp) (string, url.Values, any) {
		ctx := context.Background()
		u, err := models.CreateUser(ctx, a.db, nil, fmt.Sprintf("token%d@demo.test", next()), "Token Owner", "long enough password", models.RoleAuditor, nil, time.Now())
		if err != nil {
			a.t.Fatal(err)
		}
		token, err := models.CreateAPIToken(ctx, a.db, u.ID, time.Hour, testNow)
		if err != nil {
			a.t.Fatal(err)
		}
		return fmt.Sprintf("%s/%d%s", prefix, a.tokenID(token), suffix), nil, nil
	}
}
