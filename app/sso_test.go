package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/app/sso"
	"tenderprobe/app/sso/ssotest"
	"tenderprobe/models"
	"tenderprobe/seed"
)

// The single sign-on tests run a real OpenID Connect provider on loopback
// (app/sso/ssotest: discovery, JWKS, authorization with PKCE, a token
// endpoint and RS256 ID tokens signed with go-jose): the app discovers
// it, exchanges codes at it and verifies its tokens with go-oidc.

// ssoTestKey is the secret key of the tests' apps.
var ssoTestKey = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, sso.KeySize))

// ssoWorld is an app with a secret key, a provider and its registration
// for a new buyer organisation, SSO Council, vouching for council.test.
type ssoWorld struct {
	a   *testApp
	idp *ssotest.Provider
	org *models.Org
}

func newSSOWorld(t *testing.T, form url.Values) *ssoWorld {
	t.Helper()
	return newSSOWorldOn(t, demo.Open(t), form)
}

// newSSOWorldOn is newSSOWorld on the demo database db.
func newSSOWorldOn(t *testing.T, db *gorm.DB, form url.Values) *ssoWorld {
	t.Helper()
	cfg := DefaultConfig()
	cfg.SecretKey = ssoTestKey
	cfg.BaseURL = "http://tenderprobe.test"
	a := newTestAppWith(t, db, cfg)
	idp, err := ssotest.Start("tenderprobe", "the client secret", func() time.Time { return testNow })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(idp.Close)
	org, err := models.CreateOrg(context.Background(), a.db, nil, "SSO Council", models.OrgBuyer, testNow)
	if err != nil {
		t.Fatal(err)
	}
	w := &ssoWorld{a: a, idp: idp, org: org}
	f := url.Values{"org_id": {fmt.Sprint(org.ID)}, "issuer": {idp.Issuer()}, "client_id": {"tenderprobe"},
		"client_secret": {"the client secret"}, "domains": {"council.test"}, "fixed_role": {"officer"}}
	for k, v := range form {
		f[k] = v
	}
	if res := a.session("admin@demo.test").post("/admin/sso", f); res.status != 303 {
		t.Fatalf("register provider: %d\n%s", res.status, errorText(res.body))
	}
	return w
}

// signIn goes through the login page, the provider and back as a new
// browser whose e-mail address is typed as typed, while the provider has
// signed in who.
func (w *ssoWorld) signIn(t *testing.T, typed string, who ssotest.User) (*client, response, string) {
	t.Helper()
	w.idp.SignIn(who)
	c := loginForm(t, w.a)
	step := c.post("/login", url.Values{"email": {typed}})
	if step.status != 200 || !strings.Contains(step.body, `action="/sso/start"`) {
		t.Fatalf("e-mail step: %d, no step to the provider\n%s", step.status, step.body)
	}
	// The step's form redirects to the provider: its CSP must allow that.
	if csp := step.header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' "+w.idp.Issuer()+";") {
		t.Fatalf("the step's CSP does not let its form go to the provider: %s", csp)
	}
	start := c.post("/sso/start", url.Values{"email": {typed}, "next": {"/tenders"}})
	loc := start.header.Get("Location")
	if start.status != 303 || !strings.HasPrefix(loc, w.idp.Issuer()+"/authorize?") {
		t.Fatalf("start: %d to %q", start.status, loc)
	}
	q, _ := url.Parse(loc)
	if q.Query().Get("code_challenge_method") != "S256" || q.Query().Get("nonce") == "" || q.Query().Get("state") == "" {
		t.Fatalf("authorization request lacks PKCE, nonce or state: %s", loc)
	}
	back, err := w.idp.Approve(loc)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(back)
	if err != nil || u.Host != "tenderprobe.test" || u.Path != "/sso/callback" {
		t.Fatalf("provider sent the browser to %q, want --base-url's /sso/callback", back)
	}
	return c, c.get(u.RequestURI()), u.RequestURI()
}

func person(email string) ssotest.User {
	return ssotest.User{Subject: "sub-" + email, Email: email, EmailVerified: true, Name: "Sam Single"}
}

// lastAudit is the newest audit entry with action.
func (w *ssoWorld) lastAudit(t *testing.T, action string) *models.AuditEntry {
	t.Helper()
	var e models.AuditEntry
	if err := w.a.db.Where("action = ?", action).Order("id DESC").Take(&e).Error; err != nil {
		return nil
	}
	return &e
}

func TestSSOSignInRefusals(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t, nil)
	// An officer of the demo council whose domain SSO Council's provider
	// also vouches for below: a provider of another organisation.
	if _, err := models.CreateUser(context.Background(), w.a.db, nil, "boss@council.test", "Boss", "a long boss password", models.RoleOfficer,
		w.a.user("officer@demo.test").OrgID, testNow); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		who    ssotest.User
		bend   func(map[string]any)
		rogue  bool
		status int
		words  string
		reason string
	}{
		{name: "a token signed with a key not in the JWKS is refused", who: person("ann@council.test"), rogue: true,
			status: 401, words: "not signed with a key", reason: sso.ReasonSignature},
		{name: "a token for another audience is refused", who: person("ann@council.test"),
			bend: func(c map[string]any) { c["aud"] = "another-app" }, status: 401, words: "issued for another application", reason: sso.ReasonAudience},
		{name: "an expired token is refused", who: person("ann@council.test"),
			bend: func(c map[string]any) { c["exp"] = testNow.Add(-time.Minute).Unix() }, status: 401, words: "has expired", reason: sso.ReasonExpired},
		{name: "a token with another nonce is refused", who: person("ann@council.test"),
			bend: func(c map[string]any) { c["nonce"] = "not-this-attempt" }, status: 401, words: "does not belong to this sign-in", reason: sso.ReasonNonce},
		{name: "a token of another issuer is refused", who: person("ann@council.test"),
			bend: func(c map[string]any) { c["iss"] = "https://evil.test" }, status: 401, words: "another sign-in service", reason: sso.ReasonIssuer},
		{name: "an e-mail address the provider has not verified is refused", who: ssotest.User{Subject: "x", Email: "ann@council.test", Name: "Ann"},
			status: 401, words: "has not confirmed your e-mail address", reason: sso.ReasonEmailVerified},
		{name: "an e-mail domain the provider does not vouch for is refused", who: person("eve@elsewhere.test"),
			status: 403, words: "does not vouch for the domain", reason: models.SSODomainNotVouched},
		{name: "an account of another organisation is not signed into by this organisation's provider", who: person("boss@council.test"),
			status: 403, words: "belongs to another organisation", reason: models.SSOOtherOrg},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w.a.t = t
			w.idp.Bend(tc.bend)
			if err := w.idp.SignWithRogueKey(tc.rogue); err != nil {
				t.Fatal(err)
			}
			defer func() { w.idp.Bend(nil); _ = w.idp.SignWithRogueKey(false) }()
			c, res, _ := w.signIn(t, "ann@council.test", tc.who)
			if res.status != tc.status || !strings.Contains(res.body, tc.words) {
				t.Fatalf("callback: %d, want %d with %q\n%s", res.status, tc.status, tc.words, errorText(res.body))
			}
			if _, ok := c.cookies["tp_session"]; ok {
				t.Fatal("a refused sign-in started a session")
			}
			e := w.lastAudit(t, "sso_login.refused")
			if e == nil || !strings.Contains(string(e.After), tc.reason) {
				t.Fatalf("no audit entry of the refusal with reason %s: %+v", tc.reason, e)
			}
		})
	}
	w.a.t = t
	var n int64
	w.a.db.Model(&models.User{}).Where("email = ?", "ann@council.test").Count(&n)
	if n != 0 {
		t.Fatalf("refused sign-ins created %d accounts", n)
	}
	if boss := w.a.user("boss@council.test"); boss.OrgID == nil || *boss.OrgID == w.org.ID {
		t.Fatal("the other organisation's account was moved")
	}
}

// The state's single use and the account rules run on SQLite and
// PostgreSQL alike.
func TestSSOStateIsSingleUseAndBoundToTheBrowser(t *testing.T) {
	t.Parallel()
	demo.Each(t, testSSOStateIsSingleUse)
}

func testSSOStateIsSingleUse(t *testing.T, db *gorm.DB) {
	w := newSSOWorldOn(t, db, nil)
	c, res, callback := w.signIn(t, "ann@council.test", person("ann@council.test"))
	if res.status != 303 || res.header.Get("Location") != "/tenders" {
		t.Fatalf("first sign-in: %d to %q\n%s", res.status, res.header.Get("Location"), errorText(res.body))
	}
	t.Run("the same state replayed by the same browser is refused", func(t *testing.T) {
		w.a.t = t
		replay := c.get(callback)
		if replay.status != 400 || !strings.Contains(replay.body, "expired or was already used") {
			t.Fatalf("replay: %d\n%s", replay.status, errorText(replay.body))
		}
	})
	t.Run("a state started by another browser is refused", func(t *testing.T) {
		w.a.t = t
		w.idp.SignIn(person("ann@council.test"))
		first := loginForm(t, w.a)
		start := first.post("/sso/start", url.Values{"email": {"ann@council.test"}})
		back, err := w.idp.Approve(start.header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(back)
		other := loginForm(t, w.a)
		if res := other.get(u.RequestURI()); res.status != 400 {
			t.Fatalf("another browser's callback: %d", res.status)
		}
		// The state was used up by the refused attempt: it works once.
		if res := first.get(u.RequestURI()); res.status != 400 {
			t.Fatalf("callback after the state was spent: %d", res.status)
		}
	})
}

func TestSSOFirstSignInCreatesTheAccount(t *testing.T) {
	t.Parallel()
	t.Run("a fixed role: the account is created, then reused, and key rotation changes nothing", func(t *testing.T) {
		w := newSSOWorld(t, nil)
		c, res, _ := w.signIn(t, "ann@council.test", person("ann@council.test"))
		if res.status != 303 {
			t.Fatalf("first sign-in: %d\n%s", res.status, errorText(res.body))
		}
		u := w.a.user("ann@council.test")
		if u.Role != models.RoleOfficer || u.OrgID == nil || *u.OrgID != w.org.ID || u.Disabled || u.Name != "Sam Single" {
			t.Fatalf("account: role %s org %v disabled %v name %q", u.Role, u.OrgID, u.Disabled, u.Name)
		}
		if page := c.get("/"); page.status != 200 || !strings.Contains(page.body, "Sam Single") {
			t.Fatalf("dashboard after sign-in: %d", page.status)
		}
		if _, err := models.Authenticate(context.Background(), w.a.db, "ann@council.test", models.NoPassword); err == nil {
			t.Fatal("the account made by single sign-on accepts a password")
		}
		if err := w.idp.Rotate(); err != nil {
			t.Fatal(err)
		}
		_, again, _ := w.signIn(t, "ann@council.test", person("ann@council.test"))
		if again.status != 303 {
			t.Fatalf("sign-in after the provider rotated its key: %d\n%s", again.status, errorText(again.body))
		}
		var n int64
		w.a.db.Model(&models.User{}).Where("email = ?", "ann@council.test").Count(&n)
		if n != 1 || w.a.user("ann@council.test").ID != u.ID {
			t.Fatalf("second sign-in: %d accounts", n)
		}
		if w.lastAudit(t, "sso_user.create") == nil || w.lastAudit(t, "sso_login") == nil {
			t.Fatal("no audit entries of the account made and the sign-in")
		}
	})
	t.Run("a claim mapped to roles: the first matching line decides", func(t *testing.T) {
		w := newSSOWorld(t, url.Values{"role_claim": {"groups"}, "role_map": {"tp-auditors=auditor\ntp-officers=officer"}})
		who := person("aud@council.test")
		who.Extra = map[string]any{"groups": []string{"staff", "tp-auditors"}}
		if _, res, _ := w.signIn(t, "aud@council.test", who); res.status != 303 {
			t.Fatalf("sign-in: %d\n%s", res.status, errorText(res.body))
		}
		if r := w.a.user("aud@council.test").Role; r != models.RoleAuditor {
			t.Fatalf("role %s, want auditor", r)
		}
		nobody := person("guest@council.test")
		nobody.Extra = map[string]any{"groups": "visitors"}
		if _, res, _ := w.signIn(t, "guest@council.test", nobody); res.status != 403 || !strings.Contains(res.body, "no role that Tenderprobe knows") {
			t.Fatalf("sign-in without a mapped value: %d", res.status)
		}
	})
	t.Run("approval mode: the account waits for the admin, then signs in", func(t *testing.T) {
		w := newSSOWorld(t, url.Values{"approval": {"true"}})
		_, res, _ := w.signIn(t, "new@council.test", person("new@council.test"))
		if res.status != 202 || !strings.Contains(res.body, "waits for an administrator") {
			t.Fatalf("first sign-in: %d\n%s", res.status, errorText(res.body))
		}
		u := w.a.user("new@council.test")
		if !u.Disabled || !u.AwaitingApproval {
			t.Fatalf("account disabled %v awaiting %v", u.Disabled, u.AwaitingApproval)
		}
		if _, res, _ := w.signIn(t, "new@council.test", person("new@council.test")); res.status != 202 {
			t.Fatalf("second sign-in before approval: %d", res.status)
		}
		admin := w.a.session("admin@demo.test")
		if page := admin.get("/admin/users?q=new%40council.test"); !strings.Contains(page.body, "awaiting approval") || !strings.Contains(page.body, "Approve") {
			t.Fatalf("Users page does not show the account waiting:\n%s", page.body)
		}
		if res := admin.post(fmt.Sprintf("/admin/users/%d/disabled", u.ID), url.Values{"disabled": {"false"}}); res.status != 303 {
			t.Fatalf("approve: %d", res.status)
		}
		if u := w.a.user("new@council.test"); u.Disabled || u.AwaitingApproval {
			t.Fatalf("after approval: disabled %v awaiting %v", u.Disabled, u.AwaitingApproval)
		}
		if _, res, _ := w.signIn(t, "new@council.test", person("new@council.test")); res.status != 303 {
			t.Fatalf("sign-in after approval: %d", res.status)
		}
	})
}

func TestSSOLogoutOffersTheProvidersEndSession(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t, nil)
	c, res, _ := w.signIn(t, "ann@council.test", person("ann@council.test"))
	if res.status != 303 {
		t.Fatalf("sign-in: %d", res.status)
	}
	c.csrf = csrfFrom(t, c.get("/").body)
	out := c.post("/logout", nil)
	if out.status != 200 || !strings.Contains(out.body, w.idp.Issuer()+"/logout?") {
		t.Fatalf("logout: %d without the provider's end-session link\n%s", out.status, out.body)
	}
	for _, want := range []string{"id_token_hint=", "post_logout_redirect_uri=" + url.QueryEscape("http://tenderprobe.test/login")} {
		if !strings.Contains(strings.ReplaceAll(out.body, "&amp;", "&"), want) {
			t.Errorf("end-session link lacks %s", want)
		}
	}
	if res := c.get("/"); res.status != 303 {
		t.Fatalf("after logout the dashboard answers %d", res.status)
	}
}

func TestSSOAskTheSecondFactorAfterTheProvider(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t, nil)
	if _, res, _ := w.signIn(t, "ann@council.test", person("ann@council.test")); res.status != 303 {
		t.Fatalf("first sign-in: %d", res.status)
	}
	if err := w.a.db.Model(&models.User{}).Where("email = ?", "ann@council.test").
		Updates(map[string]any{"totp_secret": "JBSWY3DPEHPK3PXP", "totp_enabled_at": testNow}).Error; err != nil {
		t.Fatal(err)
	}
	c, res, _ := w.signIn(t, "ann@council.test", person("ann@council.test"))
	if res.status != 303 || res.header.Get("Location") != "/login/code" {
		t.Fatalf("sign-in with a second factor on: %d to %q, want the code page", res.status, res.header.Get("Location"))
	}
	if _, ok := c.cookies["tp_session"]; ok {
		t.Fatal("a session started before the second factor")
	}
}

// A passkey is a second factor of its own: a user who has only passkeys
// signs in through the provider without a code, unless a second factor is
// required, when the passkey must be used (as after a password).
func TestSSOAndAUserWithOnlyPasskeys(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t, nil)
	if _, res, _ := w.signIn(t, "ann@council.test", person("ann@council.test")); res.status != 303 {
		t.Fatalf("first sign-in: %d", res.status)
	}
	if err := w.a.db.Model(&models.User{}).Where("email = ?", "ann@council.test").Update("passkeys", 1).Error; err != nil {
		t.Fatal(err)
	}
	if _, res, _ := w.signIn(t, "ann@council.test", person("ann@council.test")); res.status != 303 || res.header.Get("Location") == "/login/code" {
		t.Fatalf("passkeys, nothing required: %d to %q, want signed in", res.status, res.header.Get("Location"))
	}
	if err := w.a.db.Model(w.org).Update("require_second_factor", true).Error; err != nil {
		t.Fatal(err)
	}
	c, res, _ := w.signIn(t, "ann@council.test", person("ann@council.test"))
	if res.status != 401 || !strings.Contains(res.body, "passkey") {
		t.Fatalf("passkeys only, a second factor required: %d\n%s", res.status, errorText(res.body))
	}
	if _, ok := c.cookies["tp_session"]; ok {
		t.Fatal("a session started without the required passkey")
	}
}

func TestSSOLoginPageAsksForTheEmailFirst(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t, nil)
	c := loginForm(t, w.a)
	page := c.get("/login")
	if !strings.Contains(page.body, `id="email"`) || strings.Contains(page.body, `id="password"`) {
		t.Fatal("with a provider registered, the login page does not start with the e-mail address alone")
	}
	step := c.post("/login", url.Values{"email": {"officer@demo.test"}})
	if step.status != 200 || !strings.Contains(step.body, `id="password"`) || strings.Contains(step.body, "/sso/start") {
		t.Fatalf("an address no provider vouches for: %d, want the password field", step.status)
	}
	if res := c.post("/login", url.Values{"email": {"officer@demo.test"}, "password": {seed.DemoPassword}}); res.status != 303 {
		t.Fatalf("e-mail and password at once: %d", res.status)
	}
}

func TestSSOProviderRegistration(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t, nil)
	admin := w.a.session("admin@demo.test")
	page := admin.get("/admin/sso")
	if page.status != 200 || strings.Contains(page.body, "the client secret") || !strings.Contains(page.body, "Client secret: set") ||
		!strings.Contains(page.body, "http://tenderprobe.test/sso/callback") {
		t.Fatalf("providers page: %d, secret shown or redirect URI missing", page.status)
	}
	var p models.SSOProvider
	if err := w.a.db.Where("org_id = ?", w.org.ID).Take(&p).Error; err != nil {
		t.Fatal(err)
	}
	if strings.Contains(p.ClientSecret, "the client secret") || p.ClientSecret == "" {
		t.Fatal("the client secret is stored in the clear")
	}
	other, err := models.CreateOrg(context.Background(), w.a.db, nil, "Other SSO Council", models.OrgBuyer, testNow)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		form  url.Values
		words string
	}{
		{"a domain another provider vouches for is refused", ssoProviderForm(other.ID, "council.test"), "already belongs to the sign-in service of another organisation"},
		{"a vendor role for a buyer is refused", withField(ssoProviderForm(other.ID, "other.test"), "fixed_role", "vendor"), "does not fit this organisation"},
		{"an issuer that is no URL is refused", withField(ssoProviderForm(other.ID, "other.test"), "issuer", "login.example.org"), "must be the issuer"},
		{"a role map line without = is refused", withField(withField(ssoProviderForm(other.ID, "other.test"), "role_claim", "groups"), "role_map", "staff"), "is not a line like value=role"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w.a.t = t
			res := admin.post("/admin/sso", tc.form)
			if res.status != 422 || !strings.Contains(res.body, tc.words) {
				t.Fatalf("%d, want 422 with %q\n%s", res.status, tc.words, errorText(res.body))
			}
		})
	}
	w.a.t = t
	t.Run("without the secret key nothing is saved", func(t *testing.T) {
		a := newTestApp(t)
		res := a.session("admin@demo.test").post("/admin/sso", ssoProviderForm(*a.user("officer@demo.test").OrgID, "demo.test"))
		if res.status != 409 || !strings.Contains(res.body, "--secret-key") {
			t.Fatalf("%d", res.status)
		}
	})
	if w.lastAudit(t, "sso_provider.create") == nil {
		t.Fatal("no audit entry of the registration")
	}
}

func withField(f url.Values, k, v string) url.Values {
	f.Set(k, v)
	return f
}

// ssoProviderForm is the registration form of a provider for org.
func ssoProviderForm(org uint, domain string) url.Values {
	return url.Values{"org_id": {fmt.Sprint(org)}, "issuer": {"https://login.example.org"}, "client_id": {"tenderprobe"},
		"client_secret": {"secret"}, "domains": {domain}, "fixed_role": {"officer"}}
}

// ssoStartPath is the role table's request to start a sign-in for an
// address no provider vouches for.
func ssoStartPath(*testApp) (string, url.Values, any) {
	return "/sso/start", url.Values{"email": {fmt.Sprintf("someone%d@no-provider.test", next())}}, nil
}

func ssoSavePath(a *testApp) (string, url.Values, any) {
	return "/admin/sso", ssoProviderForm(*a.user("officer@demo.test").OrgID, fmt.Sprintf("d%d.test", next())), nil
}

// newSSOProvider registers a provider (its secret sealed under the test
// key) for a new buyer organisation.
func newSSOProvider(t testing.TB, a *testApp) *models.SSOProvider {
	t.Helper()
	ctx := context.Background()
	org, err := models.CreateOrg(ctx, a.db, nil, fmt.Sprintf("SSO Org %d", next()), models.OrgBuyer, testNow)
	if err != nil {
		t.Fatal(err)
	}
	p, err := models.SaveSSOProvider(ctx, a.db, nil, models.SSOProviderInput{OrgID: org.ID, Issuer: "https://login.example.org",
		ClientID: "tenderprobe", SealedSecret: "c2VhbGVk", Domains: fmt.Sprintf("org%d.test", org.ID), FixedRole: models.RoleOfficer}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ssoDeletePath(a *testApp) (string, url.Values, any) {
	return fmt.Sprintf("/admin/sso/%d/delete", newSSOProvider(a.t, a).ID), nil, nil
}

// ssoProvider is the provider of the authorisation world's tests.
func (w *authzWorld) ssoProvider(t testing.TB) uint {
	var p models.SSOProvider
	if err := w.a.db.Order("id").Take(&p).Error; err == nil {
		return p.ID
	}
	return newSSOProvider(t, w.a).ID
}

// ssoVisits are the single sign-on pages for TestEveryPageSpeaksEveryLanguage:
// it gives the app a secret key and a loopback provider for a new
// organisation, then reads the admin page, the login page's step to the
// provider and the page after logging out of a provider's sign-in.
func ssoVisits(t *testing.T, a *testApp) []visit {
	t.Helper()
	cfg := DefaultConfig()
	cfg.SecretKey = ssoTestKey
	s, err := ssoSettings(cfg, a.h.Now)
	if err != nil {
		t.Fatal(err)
	}
	a.h.SSO = s
	idp, err := ssotest.Start("tenderprobe", "the client secret", func() time.Time { return testNow })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(idp.Close)
	ctx := context.Background()
	org, err := models.CreateOrg(ctx, a.db, nil, "Every Language Council", models.OrgBuyer, testNow)
	if err != nil {
		t.Fatal(err)
	}
	f := url.Values{"org_id": {fmt.Sprint(org.ID)}, "issuer": {idp.Issuer()}, "client_id": {"tenderprobe"},
		"client_secret": {"the client secret"}, "domains": {"every-language.test"}, "fixed_role": {"officer"},
		"role_claim": {"groups"}, "role_map": {"tp-officers=officer"}, "approval": {"true"}}
	if res := a.session("admin@demo.test").post("/admin/sso", f); res.status != 303 {
		t.Fatalf("register provider: %d\n%s", res.status, errorText(res.body))
	}
	p, err := models.SSOProviderForEmail(ctx, a.db, "x@every-language.test")
	if err != nil {
		t.Fatal(err)
	}
	member, err := models.CreateUser(ctx, a.db, nil, "member@every-language.test", "Member", "a long member password", models.RoleOfficer, &org.ID, testNow)
	if err != nil {
		t.Fatal(err)
	}
	waiting, err := models.CreateUser(ctx, a.db, nil, "waiting@every-language.test", "Waiting", "a long waiting password", models.RoleOfficer, &org.ID, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.db.Model(waiting).Updates(map[string]any{"disabled": true, "awaiting_approval": true}).Error; err != nil {
		t.Fatal(err)
	}
	signedIn := func(c *client) {
		token, err := models.CreateSSOSignOut(ctx, a.db, p.ID, member.ID, "id-token", time.Hour, testNow)
		if err != nil {
			t.Fatal(err)
		}
		c.cookies["tp_sso_out"] = token
	}
	return []visit{
		{name: "the single sign-on page", email: "admin@demo.test", path: "/admin/sso"},
		{name: "a refused sign-in service", email: "admin@demo.test", path: "/admin/sso", form: withField(ssoProviderForm(org.ID, "every-language.test"), "fixed_role", "vendor")},
		{name: "the login page's step to the provider", path: "/login", form: url.Values{"email": {"someone@every-language.test"}}},
		{name: "the login page's password step", path: "/login", form: url.Values{"email": {"someone@elsewhere.test"}}},
		{name: "a refused sign-in at the provider", path: "/sso/callback?state=unknown"},
		{name: "logged out after a provider's sign-in", email: member.Email, path: "/logout", form: url.Values{}, prepare: signedIn},
		{name: "an account awaiting approval", email: "admin@demo.test", path: "/admin/users?q=" + url.QueryEscape(waiting.Email)},
	}
}

// TestASignInServiceCannotClaimOthersAccountsOrMakeAdmins: a provider is
// registered for one organisation's people. It may not vouch for a domain
// whose accounts belong elsewhere (the login page then sent every demo
// account, the only admin included, to a supplier's provider), nor make
// admins, nor (for a supplier) auditors; its issuer is https, or http on
// this machine only. An account outside the provider's organisation in a
// vouched domain keeps its password step.
func TestASignInServiceCannotClaimOthersAccountsOrMakeAdmins(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t, nil)
	admin := w.a.session("admin@demo.test")
	acme := w.a.user("vendor@demo.test").OrgID
	base := func(org uint, domain, role string) url.Values {
		return url.Values{"org_id": {fmt.Sprint(org)}, "issuer": {w.idp.Issuer()}, "client_id": {"c"},
			"client_secret": {"s"}, "domains": {domain}, "fixed_role": {role}}
	}
	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"a domain whose accounts are other organisations'", base(*acme, "demo.test", "vendor"), "has accounts outside this organisation"},
		{"admins from a buyer's provider", base(w.org.ID, "admins.council.test", "admin"), "no sign-in service makes admins"},
		{"auditors from a supplier's provider", base(*acme, "acme-staff.test", "auditor"), "no sign-in service makes admins"},
		{"an issuer over plain http elsewhere", func() url.Values {
			f := base(w.org.ID, "http.council.test", "officer")
			f.Set("issuer", "http://login.council.test")
			return f
		}(), "https://"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := admin.post("/admin/sso", tc.form)
			if res.status != 422 || !strings.Contains(res.body, tc.want) {
				t.Fatalf("%d, want 422 saying %q\n%s", res.status, tc.want, errorText(res.body))
			}
		})
	}
	t.Run("an account outside the organisation keeps its password", func(t *testing.T) {
		// Made after the provider, so its registration could not refuse.
		if _, err := models.CreateUser(context.Background(), w.a.db, nil, "boss@council.test", "Boss", "correct horse battery 9", models.RoleAdmin, nil, testNow); err != nil {
			t.Fatal(err)
		}
		step := loginForm(t, w.a).post("/login", url.Values{"email": {"boss@council.test"}})
		if step.status != 200 || strings.Contains(step.body, `action="/sso/start"`) || !strings.Contains(step.body, `type="password"`) {
			t.Fatalf("%d: the admin in the provider's domain is not asked for a password", step.status)
		}
	})
}

// TestTheSignInServiceFormWaitsForTheSecretKey: without --secret-key no
// provider can be saved, so the form is shown disabled under the notice
// that says why, rather than filled in and refused.
func TestTheSignInServiceFormWaitsForTheSecretKey(t *testing.T) {
	t.Parallel()
	page := newTestApp(t).session("admin@demo.test").get("/admin/sso")
	if page.status != 200 || !strings.Contains(page.body, `id="sso-no-key"`) || !strings.Contains(page.body, `<fieldset class="bare" disabled aria-describedby="sso-no-key">`) {
		t.Errorf("without a key: %d, the form is not disabled", page.status)
	}
	w := newSSOWorld(t, nil)
	page = w.a.session("admin@demo.test").get("/admin/sso")
	if strings.Contains(page.body, `id="sso-no-key"`) || strings.Contains(page.body, `<fieldset class="bare" disabled`) {
		t.Error("with a key the form is disabled")
	}
}
