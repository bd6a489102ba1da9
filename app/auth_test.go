package app

import (
	"context"
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
		u, err := models.CreateUser(context.Background(), a.db, "gone@demo.test", "Gone", "long enough password", models.RoleAuditor, nil)
		if err != nil {
			t.Fatal(err)
		}
		yes := true
		if _, err := models.UpdateUser(context.Background(), a.db, u.ID, models.UserChanges{Disabled: &yes}); err != nil {
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
	a := newTestApp(t)
	ctx := context.Background()
	officer := a.user("officer@demo.test")
	stale, _, err := models.CreateSession(ctx, a.db, officer.ID, time.Minute, testNow.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := models.RecordLoginFailure(ctx, a.db, "account:old@demo.test", a.h.LoginWindow, testNow.Add(-2*a.h.LoginWindow)); err != nil {
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
