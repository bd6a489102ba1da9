package app

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/seed"
)

// totpCode is the code an authenticator app shows at t for secret.
func totpCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// enrol turns on a second factor for email, confirmed an hour before the
// test clock, and returns its secret and recovery codes.
func (a *testApp) enrol(t *testing.T, email string) (string, []string) {
	t.Helper()
	ctx := context.Background()
	u := a.user(email)
	key, err := models.StartTOTPEnrolment(ctx, a.db, u, "Tenderprobe", testNow)
	if err != nil {
		t.Fatal(err)
	}
	at := testNow.Add(-time.Hour)
	codes, err := models.ConfirmTOTP(ctx, a.db, u, totpCode(t, key.Secret(), at), models.Keep{}, at)
	if err != nil {
		t.Fatal(err)
	}
	return key.Secret(), codes
}

// at sets the test app's clock.
func (a *testApp) at(now time.Time) { a.h.Now = func() time.Time { return now } }

// passwordStep logs email in with the demo password and expects to be
// asked for the code.
func passwordStep(t *testing.T, a *testApp, email string) *client {
	t.Helper()
	c := loginForm(t, a)
	res := c.post("/login", url.Values{"email": {email}, "password": {seed.DemoPassword}, "next": {"/tenders"}})
	if res.status != 303 || res.header.Get("Location") != "/login/code" {
		t.Fatalf("password step: %d to %q, want 303 to /login/code\n%s", res.status, res.header.Get("Location"), errorText(res.body))
	}
	if c.cookies["tp_session"] != "" {
		t.Fatal("the password alone gave a session")
	}
	return c
}

func TestSecondFactorCodesAtTheEdgesOfTheWindow(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	secret, _ := a.enrol(t, "officer@demo.test")
	// testNow is the start of a 30-second step; a code of the step before
	// or after is accepted, two steps away is not.
	for _, tc := range []struct {
		name   string
		shown  time.Duration
		accept bool
	}{
		{"a code shown 31 seconds ago, two steps back, is refused", -31 * time.Second, false},
		{"a code shown 61 seconds ahead, two steps on, is refused", 61 * time.Second, false},
		{"a code shown 30 seconds ago, the step before, is accepted", -30 * time.Second, true},
		{"the current code is accepted", 0, true},
		{"a code of 59 seconds ahead, the step after, is accepted", 59 * time.Second, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The accepted cases come in the order of their steps: a step
			// at or before the last accepted one is refused as reused.
			c := passwordStep(t, a, "officer@demo.test")
			res := c.post("/login/code", url.Values{"code": {totpCode(t, secret, testNow.Add(tc.shown))}})
			if tc.accept {
				if res.status != 303 || res.header.Get("Location") != "/tenders" || c.cookies["tp_session"] == "" {
					t.Fatalf("code step: %d to %q, want a session and 303 to /tenders\n%s", res.status, res.header.Get("Location"), errorText(res.body))
				}
				return
			}
			if res.status != 401 || c.cookies["tp_session"] != "" {
				t.Fatalf("code step: %d, want 401 and no session", res.status)
			}
			if !strings.Contains(res.body, "This code is not right") {
				t.Errorf("the code page does not say the code is wrong:\n%s", errorText(res.body))
			}
		})
	}
}

func TestSecondFactorCodesWorkOnce(t *testing.T) {
	t.Parallel()
	demo.Each(t, testSecondFactorCodesWorkOnce)
}

func testSecondFactorCodesWorkOnce(t *testing.T, db *gorm.DB) {
	a := newTestAppOn(t, db)
	secret, recovery := a.enrol(t, "officer@demo.test")
	code := totpCode(t, secret, testNow)
	for _, tc := range []struct {
		name    string
		code    string
		status  int
		landsOn string
	}{
		{"the current code logs in", code, 303, "/tenders"},
		{"the same code a second time is refused", code, 401, ""},
		{"a recovery code logs in and shows how many are left", recovery[0], 303, "/account?flash=totp_recovery_used#second-factor"},
		{"the same recovery code a second time is refused", recovery[0], 401, ""},
		{"another recovery code, typed in capitals with spaces, logs in", " " + strings.ToUpper(strings.ReplaceAll(recovery[1], "-", " ")) + " ", 303, "/account?flash=totp_recovery_used#second-factor"},
		{"a made-up recovery code is refused", "abcde-fghjk", 401, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := passwordStep(t, a, "officer@demo.test")
			res := c.post("/login/code", url.Values{"code": {tc.code}})
			if res.status != tc.status || res.header.Get("Location") != tc.landsOn {
				t.Fatalf("code step: %d to %q, want %d to %q\n%s", res.status, res.header.Get("Location"), tc.status, tc.landsOn, errorText(res.body))
			}
			if (c.cookies["tp_session"] != "") != (tc.status == 303) {
				t.Errorf("session cookie %q after status %d", c.cookies["tp_session"], res.status)
			}
		})
	}
	t.Run("the account page counts the recovery codes left", func(t *testing.T) {
		res := a.session("officer@demo.test").get("/account")
		if !strings.Contains(res.body, "You have 8 unused recovery codes.") {
			t.Fatalf("account page:\n%s", res.body)
		}
	})
	t.Run("the audit log has the wrong codes and the recovery codes used", func(t *testing.T) {
		for action, want := range map[string]int64{"login.code_failed": 3, "totp.recovery_used": 2, "totp.enable": 1} {
			var n int64
			if err := a.db.Model(&models.AuditEntry{}).Where("action = ?", action).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			if n != want {
				t.Errorf("%d audit entries %s, want %d", n, action, want)
			}
		}
	})
}

func TestSecondFactorFailuresCountTowardsTheLockout(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	secret, _ := a.enrol(t, "officer@demo.test")
	limit := a.h.LoginFailuresPerAccount
	// A right password does not forget earlier wrong codes: otherwise each
	// password entry would buy another round of guesses.
	for i := range limit {
		c := passwordStep(t, a, "officer@demo.test")
		if res := c.post("/login/code", url.Values{"code": {fmt.Sprintf("%06d", i)}}); res.status != 401 {
			t.Fatalf("wrong code %d: status %d, want 401", i+1, res.status)
		}
	}
	for _, tc := range []struct {
		name string
		send func() response
	}{
		{"the right password is refused once the wrong codes used up the limit", func() response {
			return loginForm(t, a).post("/login", url.Values{"email": {"officer@demo.test"}, "password": {seed.DemoPassword}})
		}},
		{"the token endpoint is refused too, even with the right code", func() response {
			return a.anonymous().postJSON("/api/v1/tokens", map[string]string{"email": "officer@demo.test", "password": seed.DemoPassword, "totp": totpCode(t, secret, testNow)})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if res := tc.send(); res.status != 429 || res.header.Get("Retry-After") == "" {
				t.Fatalf("status %d, Retry-After %q; want 429 with Retry-After", res.status, res.header.Get("Retry-After"))
			}
		})
	}
	t.Run("after the window the right password and code log in", func(t *testing.T) {
		a.at(testNow.Add(a.h.LoginWindow + time.Minute))
		c := passwordStep(t, a, "officer@demo.test")
		res := c.post("/login/code", url.Values{"code": {totpCode(t, secret, testNow.Add(a.h.LoginWindow+time.Minute))}})
		if res.status != 303 || c.cookies["tp_session"] == "" {
			t.Fatalf("status %d\n%s", res.status, errorText(res.body))
		}
	})
}

func TestTheCodePageNeedsAPendingLogin(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	secret, _ := a.enrol(t, "officer@demo.test")
	t.Run("a pending login is no session: no other page opens", func(t *testing.T) {
		c := passwordStep(t, a, "officer@demo.test")
		if res := c.get("/tenders"); res.status != 303 || !strings.HasPrefix(res.header.Get("Location"), "/login") {
			t.Fatalf("GET /tenders while the code is asked: %d to %q", res.status, res.header.Get("Location"))
		}
	})
	t.Run("a pending login expires after five minutes", func(t *testing.T) {
		c := passwordStep(t, a, "officer@demo.test")
		later := testNow.Add(6 * time.Minute)
		a.at(later)
		defer a.at(testNow)
		res := c.post("/login/code", url.Values{"code": {totpCode(t, secret, later)}})
		if res.status != 303 || res.header.Get("Location") != "/login?flash=totp_expired" || c.cookies["tp_session"] != "" {
			t.Fatalf("code after expiry: %d to %q", res.status, res.header.Get("Location"))
		}
	})
	t.Run("a browser without a pending login is sent to the login form", func(t *testing.T) {
		if res := loginForm(t, a).get("/login/code"); res.status != 303 || !strings.HasPrefix(res.header.Get("Location"), "/login?") {
			t.Fatalf("GET /login/code: %d to %q", res.status, res.header.Get("Location"))
		}
	})
	t.Run("the code page asks for the code in Dutch", func(t *testing.T) {
		c := passwordStep(t, a, "officer@demo.test")
		req := httptest.NewRequest(http.MethodGet, "/login/code", nil)
		req.Header.Set("Accept-Language", "nl")
		res := c.do(req)
		if res.status != 200 || !strings.Contains(res.body, "Code uit uw authenticator-app") {
			t.Fatalf("GET /login/code: %d\n%s", res.status, res.body)
		}
	})
}

func TestTurningTheSecondFactorOnAndOff(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := a.session("vendor@demo.test")
	if res := c.post("/account/totp", nil); res.status != 303 {
		t.Fatalf("start: %d", res.status)
	}
	page := c.get("/account")
	if !strings.Contains(page.body, `src="/account/totp/qr.png"`) || !strings.Contains(page.body, `id="totp-secret"`) {
		t.Fatalf("the account page shows no QR code and secret:\n%s", page.body)
	}
	qr := c.get("/account/totp/qr.png")
	if qr.status != 200 || qr.header.Get("Content-Type") != "image/png" || !strings.HasPrefix(qr.body, "\x89PNG") || qr.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("QR code: %d %q %q", qr.status, qr.header.Get("Content-Type"), qr.header.Get("Cache-Control"))
	}
	secret := a.user("vendor@demo.test").TOTPPending
	steps := []struct {
		name   string
		path   string
		code   string
		status int
		on     bool
	}{
		{"a wrong confirmation code leaves it off", "/account/totp/confirm", "000000", 422, false},
		{"the current code turns it on and shows ten recovery codes", "/account/totp/confirm", totpCode(t, secret, testNow), 200, true},
		{"turning it off with a wrong code is refused", "/account/totp/disable", "999999", 422, true},
		{"turning it off with the code just used is refused", "/account/totp/disable", totpCode(t, secret, testNow), 422, true},
		{"turning it off with the next code works", "/account/totp/disable", totpCode(t, secret, testNow.Add(30*time.Second)), 303, false},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			res := c.post(s.path, url.Values{"code": {s.code}})
			if res.status != s.status {
				t.Fatalf("status %d, want %d\n%s", res.status, s.status, errorText(res.body))
			}
			if got := a.user("vendor@demo.test").HasSecondFactor(); got != s.on {
				t.Fatalf("second factor on = %v, want %v", got, s.on)
			}
			if s.status == 200 && strings.Count(res.body, "<li><code>") != 10 {
				t.Errorf("the page does not show ten recovery codes:\n%s", res.body)
			}
		})
	}
	var n int64
	a.db.Model(&models.RecoveryCode{}).Where("user_id = ?", a.user("vendor@demo.test").ID).Count(&n)
	if n != 0 {
		t.Errorf("%d recovery codes left after turning the second factor off", n)
	}
}

func TestSecondFactorThroughTheAPI(t *testing.T) {
	t.Parallel()
	demo.Each(t, testSecondFactorThroughTheAPI)
}

func testSecondFactorThroughTheAPI(t *testing.T, db *gorm.DB) {
	a := newTestAppOn(t, db)
	c := a.apiClient("officer@demo.test")
	res := c.postJSON("/api/v1/account/totp", map[string]any{})
	start := res.json(t)
	secret, _ := start["secret"].(string)
	if res.status != 200 || len(start) != 2 || secret == "" || !strings.HasPrefix(fmt.Sprint(start["otpauth_url"]), "otpauth://totp/Tenderprobe:officer@demo.test?") ||
		!strings.Contains(fmt.Sprint(start["otpauth_url"]), "secret="+secret) {
		t.Fatalf("POST /api/v1/account/totp: %d %s", res.status, res.body)
	}
	t.Run("a wrong confirmation code is 422 with the usual error", func(t *testing.T) {
		res := c.postJSON("/api/v1/account/totp/confirm", map[string]string{"code": "000000"})
		body := res.json(t)
		if res.status != 422 || body["code"] != "totp.code_invalid" || body["field"] != "code" || body["error"] == "" {
			t.Fatalf("%d %s", res.status, res.body)
		}
	})
	t.Run("the current code turns it on and answers ten recovery codes", func(t *testing.T) {
		res := c.postJSON("/api/v1/account/totp/confirm", map[string]string{"code": totpCode(t, secret, testNow)})
		body := res.json(t)
		codes, _ := body["recovery_codes"].([]any)
		if res.status != 200 || len(body) != 1 || len(codes) != 10 {
			t.Fatalf("%d %s", res.status, res.body)
		}
	})
	t.Run("a new enrolment while it is on is refused, so a stolen token cannot swap the app", func(t *testing.T) {
		res := c.postJSON("/api/v1/account/totp", map[string]any{})
		if body := res.json(t); res.status != 409 || body["code"] != "totp.already_on" {
			t.Fatalf("%d %s", res.status, res.body)
		}
		if a.user("officer@demo.test").TOTPSecret != secret {
			t.Fatal("the active secret changed")
		}
	})
	t.Run("a token without a code is 401 naming the second factor", func(t *testing.T) {
		res := a.anonymous().postJSON("/api/v1/tokens", map[string]string{"email": "officer@demo.test", "password": seed.DemoPassword})
		body := res.json(t)
		if res.status != 401 || body["second_factor"] != "totp" || body["error"] == "" || body["token"] != nil {
			t.Fatalf("%d %s", res.status, res.body)
		}
	})
	t.Run("a token with the code just used to confirm is refused", func(t *testing.T) {
		res := a.anonymous().postJSON("/api/v1/tokens", map[string]string{"email": "officer@demo.test", "password": seed.DemoPassword, "totp": totpCode(t, secret, testNow)})
		if body := res.json(t); res.status != 401 || body["second_factor"] != "totp" {
			t.Fatalf("%d %s", res.status, res.body)
		}
	})
	t.Run("a token with the next code is issued and works", func(t *testing.T) {
		next := testNow.Add(30 * time.Second)
		a.at(next)
		res := a.anonymous().postJSON("/api/v1/tokens", map[string]string{"email": "officer@demo.test", "password": seed.DemoPassword, "totp": totpCode(t, secret, next)})
		body := res.json(t)
		token, _ := body["token"].(string)
		if res.status != 201 || len(body) != 1 || token == "" {
			t.Fatalf("%d %s", res.status, res.body)
		}
		caller := a.anonymous()
		caller.bearer = token
		if res := caller.get("/api/v1/tenders"); res.status != 200 {
			t.Fatalf("GET /api/v1/tenders with the new token: %d", res.status)
		}
	})
}

func TestSecondFactorRequiredBeforeAnyOtherPage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		instance bool
		// org makes the user's organisation require it through the admin page.
		org   bool
		email string
		must  bool
	}{
		{"an officer of an organisation that requires it must enrol", false, true, "officer@demo.test", true},
		{"the admin must enrol when the instance requires it", true, false, "admin@demo.test", true},
		{"an officer must enrol when the instance requires it", true, false, "officer@demo.test", true},
		{"a vendor need not enrol even when the instance requires it", true, false, "vendor@demo.test", false},
		{"an officer of an organisation that does not require it need not enrol", false, false, "officer@demo.test", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := DefaultConfig()
			cfg.RequireSecondFactor = tc.instance
			cfg.Metrics = true
			a := newTestAppWith(t, demo.Open(t), cfg)
			if tc.org {
				admin := a.session("admin@demo.test")
				res := admin.post(fmt.Sprintf("/admin/orgs/%d/second-factor", *a.user(tc.email).OrgID), url.Values{"required": {"true"}})
				if res.status != 303 || res.header.Get("Location") != "/admin/orgs?flash=totp_org_required" {
					t.Fatalf("require for the org: %d to %q", res.status, res.header.Get("Location"))
				}
			}
			c := a.session(tc.email)
			api := a.apiClient(tc.email)
			res := c.get("/tenders")
			if !tc.must {
				if res.status != 200 {
					t.Fatalf("GET /tenders: %d", res.status)
				}
				return
			}
			if res.status != 303 || res.header.Get("Location") != "/account?flash=totp_required#second-factor" {
				t.Fatalf("GET /tenders: %d to %q, want the account page", res.status, res.header.Get("Location"))
			}
			if res := c.get("/account?flash=totp_required"); res.status != 200 || !strings.Contains(res.body, "requires a second factor") || !strings.Contains(res.body, `id="totp-start"`) {
				t.Fatalf("the account page does not ask to enrol: %d\n%s", res.status, res.body)
			}
			if res := c.post("/account/sessions/0/end", nil); res.status != 403 {
				t.Errorf("POST elsewhere before enrolling: %d, want 403", res.status)
			}
			if res := api.get("/api/v1/tenders"); res.status != 403 || res.json(t)["code"] != "totp.enrol_required" {
				t.Errorf("the API before enrolling: %d %s", res.status, res.body)
			}
			if tc.email == "admin@demo.test" {
				if res := c.get("/metrics"); res.status != 403 {
					t.Errorf("the metrics before enrolling: %d, want 403", res.status)
				}
			}
			if res := c.post("/account/totp", nil); res.status != 303 {
				t.Fatalf("start enrolment: %d", res.status)
			}
			secret := a.user(tc.email).TOTPPending
			if res := c.post("/account/totp/confirm", url.Values{"code": {totpCode(t, secret, testNow)}}); res.status != 200 {
				t.Fatalf("confirm: %d\n%s", res.status, errorText(res.body))
			}
			if res := c.get("/tenders"); res.status != 200 {
				t.Fatalf("GET /tenders after enrolling: %d", res.status)
			}
			// The token made with the password alone, before the second
			// factor, ends with it; the session that enrolled goes on.
			if res := api.get("/api/v1/tenders"); res.status != 401 {
				t.Fatalf("the password-only token after enrolling: %d, want 401", res.status)
			}
			// Turning it off (for a new phone) closes the pages again until
			// a new one is set up.
			if res := c.post("/account/totp/disable", url.Values{"code": {totpCode(t, secret, testNow.Add(30*time.Second))}}); res.status != 303 {
				t.Fatalf("turning a required second factor off: %d, want 303", res.status)
			}
			if res := c.get("/tenders"); res.status != 303 || res.header.Get("Location") != "/account?flash=totp_required#second-factor" {
				t.Errorf("GET /tenders after turning it off: %d to %q", res.status, res.header.Get("Location"))
			}
		})
	}
}

func TestAnAdminResetsALostSecondFactor(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	a.enrol(t, "officer@demo.test")
	officer := a.user("officer@demo.test")
	browser := a.session("officer@demo.test")
	for _, tc := range []struct {
		name   string
		caller string
		status int
		on     bool
	}{
		{"an auditor cannot reset it", "auditor@demo.test", 403, true},
		{"the admin resets it", "admin@demo.test", 303, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.caller == "admin@demo.test" {
				if res := a.session(tc.caller).get("/admin/users"); !strings.Contains(res.body, fmt.Sprintf(`action="/admin/users/%d/second-factor/reset"`, officer.ID)) {
					t.Fatal("the users page offers no reset for the officer")
				}
			}
			res := a.session(tc.caller).post(fmt.Sprintf("/admin/users/%d/second-factor/reset", officer.ID), nil)
			if res.status != tc.status {
				t.Fatalf("status %d, want %d", res.status, tc.status)
			}
			if got := a.user("officer@demo.test").HasSecondFactor(); got != tc.on {
				t.Fatalf("second factor on = %v, want %v", got, tc.on)
			}
			if got := browser.get("/tenders").status == 200; got != tc.on {
				t.Errorf("the officer's browser still logged in = %v, want %v", got, tc.on)
			}
		})
	}
	t.Run("the officer then logs in with the password alone", func(t *testing.T) {
		c := loginForm(t, a)
		res := c.post("/login", url.Values{"email": {"officer@demo.test"}, "password": {seed.DemoPassword}, "next": {"/tenders"}})
		if res.status != 303 || res.header.Get("Location") != "/tenders" || c.cookies["tp_session"] == "" {
			t.Fatalf("login: %d to %q", res.status, res.header.Get("Location"))
		}
	})
}

// TestTurningTheSecondFactorOnEndsTheOtherCredentials: a session or API
// token made with the password alone (perhaps by whoever else knew it)
// ends when the second factor is turned on; the session that turned it
// on goes on.
func TestTurningTheSecondFactorOnEndsTheOtherCredentials(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	enrolling, other := a.session("officer@demo.test"), a.session("officer@demo.test")
	token := a.apiClient("officer@demo.test")
	if res := enrolling.post("/account/totp", nil); res.status != 303 {
		t.Fatalf("start: %d", res.status)
	}
	secret := a.user("officer@demo.test").TOTPPending
	if res := enrolling.post("/account/totp/confirm", url.Values{"code": {totpCode(t, secret, testNow)}}); res.status != 200 {
		t.Fatalf("confirm: %d", res.status)
	}
	if res := enrolling.get("/tenders"); res.status != 200 {
		t.Errorf("the enrolling session: %d", res.status)
	}
	if res := other.get("/tenders"); res.status != 303 || !strings.HasPrefix(res.header.Get("Location"), "/login") {
		t.Errorf("the other session: %d to %q, want the login page", res.status, res.header.Get("Location"))
	}
	if res := token.get("/api/v1/tenders"); res.status != 401 {
		t.Errorf("the password-only token: %d, want 401", res.status)
	}
}

// TestTurningTheSecondFactorOnOverTheAPIKeepsItsToken: enrolled through
// the API, the token that did it goes on; the user's other tokens end.
func TestTurningTheSecondFactorOnOverTheAPIKeepsItsToken(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	enrolling, other := a.apiClient("officer@demo.test"), a.apiClient("officer@demo.test")
	res := enrolling.postJSON("/api/v1/account/totp", nil)
	secret, _ := res.json(t)["secret"].(string)
	if res.status != 200 || secret == "" {
		t.Fatalf("start: %d %s", res.status, res.body)
	}
	if res := enrolling.postJSON("/api/v1/account/totp/confirm", map[string]string{"code": totpCode(t, secret, testNow)}); res.status != 200 {
		t.Fatalf("confirm: %d %s", res.status, res.body)
	}
	if res := enrolling.get("/api/v1/tenders"); res.status != 200 {
		t.Errorf("the enrolling token: %d", res.status)
	}
	if res := other.get("/api/v1/tenders"); res.status != 401 {
		t.Errorf("the other token: %d, want 401", res.status)
	}
}
