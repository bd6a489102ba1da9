package app

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"tenderprobe/models"
	"tenderprobe/seed"
)

const chromeOnLinux = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

// browserLogin logs email in through the login form with a User-Agent.
func browserLogin(t *testing.T, a *testApp, email, agent string) *client {
	t.Helper()
	c := loginForm(t, a)
	form := url.Values{"email": {email}, "password": {seed.DemoPassword}, "_csrf": {c.csrf}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", agent)
	if res := c.do(req); res.status != 303 || c.cookies["tp_session"] == "" {
		t.Fatalf("login: %d", res.status)
	}
	page := c.get("/account")
	c.csrf = csrfFrom(t, page.body)
	return c
}

// sessionID is the stored id of c's session.
func sessionID(c *client) string { return models.HashToken(c.cookies["tp_session"]) }

func TestSessionsPage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	laptop := browserLogin(t, a, "officer@demo.test", chromeOnLinux)
	phone := browserLogin(t, a, "officer@demo.test", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
	stranger := browserLogin(t, a, "vendor@demo.test", chromeOnLinux)

	t.Run("the sessions are listed with device and address, this one marked", func(t *testing.T) {
		res := laptop.get("/account/sessions")
		var s models.Session
		if err := a.db.Where("id = ?", sessionID(laptop)).Take(&s).Error; err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Chrome on Linux", "Safari on iOS", s.IP, `id="session-` + sessionID(laptop) + `" class="current"`, `id="current-session"`} {
			if !strings.Contains(res.body, want) {
				t.Errorf("the sessions page lacks %q", want)
			}
		}
		if s.IP == "" || strings.Contains(res.body, sessionID(stranger)) {
			t.Errorf("address %q recorded; another user's session shown: %v", s.IP, strings.Contains(res.body, sessionID(stranger)))
		}
	})
	t.Run("the device is named in Dutch", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodGet, "/account/sessions", nil)
		req.Header.Set("Accept-Language", "nl")
		if res := laptop.do(req); !strings.Contains(res.body, "Chrome op Linux") || !strings.Contains(res.body, "Deze browser") {
			t.Errorf("the Dutch sessions page:\n%s", res.body)
		}
	})
	t.Run("another user's session is refused like one that does not exist", func(t *testing.T) {
		res := stranger.post("/account/sessions/"+sessionID(phone)+"/end", nil)
		if res.status != 404 {
			t.Fatalf("status %d, want 404", res.status)
		}
		if res := phone.get("/tenders"); res.status != 200 {
			t.Fatalf("the phone was logged out: %d", res.status)
		}
	})
	t.Run("ending another session logs that browser out", func(t *testing.T) {
		res := laptop.post("/account/sessions/"+sessionID(phone)+"/end", nil)
		if res.status != 303 || res.header.Get("Location") != "/account/sessions?flash=sessions_ended" {
			t.Fatalf("end: %d to %q", res.status, res.header.Get("Location"))
		}
		if res := phone.get("/tenders"); res.status != 303 || !strings.HasPrefix(res.header.Get("Location"), "/login") {
			t.Fatalf("the phone after its session ended: %d to %q", res.status, res.header.Get("Location"))
		}
		if res := laptop.get("/tenders"); res.status != 200 {
			t.Fatalf("the laptop was logged out too: %d", res.status)
		}
	})
	t.Run("ending the current session logs out", func(t *testing.T) {
		res := laptop.post("/account/sessions/"+sessionID(laptop)+"/end", nil)
		if res.status != 303 || res.header.Get("Location") != "/login?flash=sessions_ended_current" {
			t.Fatalf("end: %d to %q", res.status, res.header.Get("Location"))
		}
		if res := laptop.get("/tenders"); res.status != 303 || !strings.HasPrefix(res.header.Get("Location"), "/login") {
			t.Fatalf("after ending its own session: %d", res.status)
		}
	})
	t.Run("each ending is in the audit log", func(t *testing.T) {
		var n int64
		a.db.Model(&models.AuditEntry{}).Where("action = ? AND object_id = ?", "session.end", a.user("officer@demo.test").ID).Count(&n)
		if n != 2 {
			t.Errorf("%d audit entries session.end, want 2", n)
		}
	})
}

func TestSessionsListAPITokensWithTheirClient(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	req := httptest.NewRequest(http.MethodPost, "/api/v1/tokens", strings.NewReader(`{"email":"auditor@demo.test","password":"`+seed.DemoPassword+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", chromeOnLinux)
	if res := a.anonymous().do(req); res.status != 201 {
		t.Fatalf("token: %d %s", res.status, res.body)
	}
	c := a.session("auditor@demo.test")
	res := c.get("/account/sessions")
	if !strings.Contains(res.body, `id="session-tokens"`) || !strings.Contains(res.body, "Chrome on Linux") {
		t.Fatalf("the token is not listed with its device:\n%s", res.body)
	}
	var tok models.APIToken
	if err := a.db.Where("user_id = ?", a.user("auditor@demo.test").ID).Take(&tok).Error; err != nil {
		t.Fatal(err)
	}
	res = c.post(fmt.Sprintf("/account/tokens/%d/revoke", tok.ID), url.Values{"from": {"sessions"}})
	if res.status != 303 || res.header.Get("Location") != "/account/sessions?flash=sessions_token_revoked" {
		t.Fatalf("revoke from the sessions page: %d to %q", res.status, res.header.Get("Location"))
	}
}

func TestSessionLastUseIsWrittenAtMostOnceAMinute(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := a.session("auditor@demo.test")
	lastSeen := func() time.Time {
		var s models.Session
		if err := a.db.Where("id = ?", sessionID(c)).Take(&s).Error; err != nil || s.LastSeenAt == nil {
			t.Fatalf("session: %v, last seen %v", err, s.LastSeenAt)
		}
		return s.LastSeenAt.UTC()
	}
	for _, tc := range []struct {
		name  string
		after time.Duration
		want  time.Duration
	}{
		{"the first request records its time", 0, 0},
		{"a request 59 seconds later writes nothing", 59 * time.Second, 0},
		{"a request a minute after the last write records its time", time.Minute, time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a.at(testNow.Add(tc.after))
			if res := c.get("/"); res.status != 200 {
				t.Fatalf("GET /: %d", res.status)
			}
			if got := lastSeen(); !got.Equal(testNow.Add(tc.want)) {
				t.Fatalf("last seen %v, want %v", got, testNow.Add(tc.want))
			}
		})
	}
}

func TestAdminEndsAllSessionsOfAUser(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	officer := a.user("officer@demo.test")
	browsers := []*client{a.session("officer@demo.test"), a.session("officer@demo.test")}
	api := a.apiClient("officer@demo.test")
	bystander := a.session("vendor@demo.test")
	for _, tc := range []struct {
		name   string
		caller *client
		status int
	}{
		{"an officer cannot end another user's sessions", a.session("auditor@demo.test"), 403},
		{"the admin ends them", a.session("admin@demo.test"), 303},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.caller.post(fmt.Sprintf("/admin/users/%d/sessions/end", officer.ID), nil)
			if res.status != tc.status {
				t.Fatalf("status %d, want %d", res.status, tc.status)
			}
			loggedIn := tc.status != 303
			for i, b := range browsers {
				if got := b.get("/tenders").status == 200; got != loggedIn {
					t.Errorf("browser %d logged in = %v, want %v", i, got, loggedIn)
				}
			}
			if got := api.get("/api/v1/tenders").status == 200; got != loggedIn {
				t.Errorf("API token works = %v, want %v", got, loggedIn)
			}
		})
	}
	if res := bystander.get("/tenders"); res.status != 200 {
		t.Errorf("another user was logged out: %d", res.status)
	}
	var n int64
	a.db.Model(&models.AuditEntry{}).Where("action = ? AND object_id = ?", "user.sessions_end", officer.ID).Count(&n)
	if n != 1 {
		t.Errorf("%d audit entries user.sessions_end, want 1", n)
	}
}
