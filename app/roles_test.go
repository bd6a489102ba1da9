package app

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tenderprobe/models"
)

// roleEmails are the callers of the role table, in its column order.
var roleEmails = [5]string{"", "admin@demo.test", "officer@demo.test", "vendor@demo.test", "auditor@demo.test"}

var roleNames = [5]string{"anonymous", "admin", "officer", "vendor", "auditor"}

// roleCase is one route of the role table: how to build a request for it
// and the status each caller gets (anonymous, admin, officer, vendor,
// auditor). Each cell gets fresh records so state changes of one caller
// never decide another's answer.
type roleCase struct {
	want [5]int
	// request returns the concrete path and, for POST, the form (web) or
	// the JSON body (API).
	request func(a *testApp) (path string, form url.Values, body any)
}

var uniq atomic.Int64

func next() int64 { return uniq.Add(1) }

func path(p string) func(*testApp) (string, url.Values, any) {
	return func(*testApp) (string, url.Values, any) { return p, nil, nil }
}

func draftPath(suffix string, form url.Values, body any) func(*testApp) (string, url.Values, any) {
	return func(a *testApp) (string, url.Values, any) {
		t, r := a.newDraft(fmt.Sprintf("role table %d", next()))
		p := fmt.Sprintf("/tenders/%d%s", t.ID, strings.ReplaceAll(suffix, ":rid", fmt.Sprint(r.ID)))
		return p, form, body
	}
}

func apiDraftPath(suffix string, body any) func(*testApp) (string, url.Values, any) {
	return func(a *testApp) (string, url.Values, any) {
		t, _ := a.newDraft(fmt.Sprintf("role table %d", next()))
		return fmt.Sprintf("/api/v1/tenders/%d%s", t.ID, suffix), nil, body
	}
}

func freshUserPath(suffix string, form url.Values) func(*testApp) (string, url.Values, any) {
	return func(a *testApp) (string, url.Values, any) {
		u, err := models.CreateUser(context.Background(), a.db, nil, fmt.Sprintf("role%d@demo.test", next()), "Role Table", "long enough password", models.RoleAuditor, nil, time.Now())
		if err != nil {
			a.t.Fatal(err)
		}
		return fmt.Sprintf("/admin/users/%d%s", u.ID, suffix), form, nil
	}
}

// roleTable lists every route of the app. TestEveryRouteHasARoleCheck
// fails when a route is added without a row here.
func roleTable() map[string]roleCase {
	const (
		ok, created, see, unauth, forbidden, notFound, invalid = 200, 201, 303, 401, 403, 404, 422
	)
	return map[string]roleCase{
		"GET /healthz": {[5]int{ok, ok, ok, ok, ok}, path("/healthz")},
		"GET /login":   {[5]int{ok, see, see, see, see}, path("/login")},
		"POST /login": {[5]int{unauth, unauth, unauth, unauth, unauth}, func(*testApp) (string, url.Values, any) {
			return "/login", url.Values{"email": {fmt.Sprintf("nobody%d@demo.test", next())}, "password": {"wrong password"}}, nil
		}},
		"POST /logout":           {[5]int{unauth, see, see, see, see}, path("/logout")},
		"GET /":                  {[5]int{see, ok, ok, ok, ok}, path("/")},
		"GET /catalogue":         {[5]int{see, ok, ok, ok, ok}, path("/catalogue")},
		"GET /catalogue/export":  {[5]int{see, ok, ok, ok, ok}, path("/catalogue/export")},
		"GET /catalogue/import":  {[5]int{see, ok, forbidden, forbidden, forbidden}, path("/catalogue/import")},
		"POST /catalogue/import": {[5]int{unauth, invalid, forbidden, forbidden, forbidden}, path("/catalogue/import")},
		"GET /catalogue/:slug":   {[5]int{see, ok, ok, ok, ok}, path("/catalogue/dnssec")},
		"GET /tenders":           {[5]int{see, ok, ok, ok, ok}, path("/tenders")},
		"GET /tenders/new":       {[5]int{see, ok, ok, forbidden, forbidden}, path("/tenders/new")},
		"POST /tenders": {[5]int{unauth, see, see, forbidden, forbidden}, func(a *testApp) (string, url.Values, any) {
			org, err := models.FindOrgByName(context.Background(), a.db, "Demostad City Council")
			if err != nil {
				a.t.Fatal(err)
			}
			return "/tenders", url.Values{"title": {"Created by the role table"}, "buyer_org_id": {fmt.Sprint(org.ID)}}, nil
		}},
		"GET /tenders/:id":           {[5]int{see, ok, ok, notFound, ok}, draftPath("", nil, nil)},
		"GET /tenders/:id/sheet.pdf": {[5]int{see, ok, ok, notFound, ok}, draftPath("/sheet.pdf", nil, nil)},
		"GET /tenders/:id/edit":      {[5]int{see, ok, ok, forbidden, forbidden}, draftPath("/edit", nil, nil)},

		// The sheet as Word: whoever may have the PDF.
		"GET /tenders/:id/sheet.docx": {[5]int{see, ok, ok, notFound, ok}, draftPath("/sheet.docx", nil, nil)},
		"POST /tenders/:id": {[5]int{unauth, see, see, forbidden, forbidden},
			draftPath("", url.Values{"title": {"Renamed by the role table"}}, nil)},
		"POST /tenders/:id/requirements": {[5]int{unauth, see, see, forbidden, forbidden},
			draftPath("/requirements", url.Values{"standard": {"dnssec"}, "level": {"mandatory"}}, nil)},
		"POST /tenders/:id/requirements/:rid/move": {[5]int{unauth, see, see, forbidden, forbidden},
			draftPath("/requirements/:rid/move", url.Values{"direction": {"down"}}, nil)},
		"POST /tenders/:id/requirements/:rid/delete": {[5]int{unauth, see, see, forbidden, forbidden},
			draftPath("/requirements/:rid/delete", nil, nil)},
		"POST /tenders/:id/requirements/batch": {[5]int{unauth, see, see, forbidden, forbidden},
			draftPath("/requirements/batch", url.Values{"standards": {"dnssec", "spf"}, "level": {"mandatory"}}, nil)},
		"POST /tenders/:id/requirements/:rid": {[5]int{unauth, see, see, forbidden, forbidden},
			draftPath("/requirements/:rid", url.Values{"level": {"recommended"}, "note": {"role table"}}, nil)},
		"GET /tenders/:id/profile": {[5]int{see, ok, ok, forbidden, forbidden}, draftPath("/profile?profile=website-hosting", nil, nil)},
		"POST /tenders/:id/profile": {[5]int{unauth, see, see, forbidden, forbidden},
			draftPath("/profile", url.Values{"profile": {"website-hosting"}}, nil)},
		"POST /tenders/:id/publish": {[5]int{unauth, see, see, forbidden, forbidden}, draftPath("/publish", nil, nil)},
		"POST /tenders/:id/amend": {[5]int{unauth, see, see, forbidden, forbidden}, func(a *testApp) (string, url.Values, any) {
			return fmt.Sprintf("/tenders/%d/amend", a.newPublished(fmt.Sprintf("role table %d", next())).ID), nil, nil
		}},
		"GET /supplier": {[5]int{see, forbidden, forbidden, ok, forbidden}, path("/supplier")},
		"POST /supplier/invitations": {[5]int{unauth, forbidden, forbidden, created, forbidden}, func(*testApp) (string, url.Values, any) {
			return "/supplier/invitations", url.Values{"email": {fmt.Sprintf("colleague%d@acme.example", next())}}, nil
		}},
		"GET /supplier/answers": {[5]int{see, forbidden, forbidden, ok, forbidden}, path("/supplier/answers")},
		"POST /supplier/answers": {[5]int{unauth, forbidden, forbidden, see, forbidden}, func(*testApp) (string, url.Values, any) {
			return "/supplier/answers", url.Values{"standard": {"dnssec"}, "status": {"complies"}}, nil
		}},
		"POST /supplier/answers/:standing_id/delete":               {[5]int{unauth, forbidden, forbidden, see, forbidden}, libraryStandingReq("/supplier/answers/:standing_id/delete")},
		"GET /supplier/answers/:standing_id/evidence/:evidence_id": {[5]int{see, forbidden, forbidden, ok, forbidden}, libraryStandingReq("/supplier/answers/:standing_id/evidence/:evidence_id")},
		"GET /admin/orgs": {[5]int{see, ok, forbidden, forbidden, forbidden}, path("/admin/orgs")},
		"POST /admin/orgs": {[5]int{unauth, see, forbidden, forbidden, forbidden}, func(*testApp) (string, url.Values, any) {
			return "/admin/orgs", url.Values{"name": {fmt.Sprintf("Org %d", next())}, "kind": {"supplier"}}, nil
		}},
		"POST /admin/orgs/:id": {[5]int{unauth, see, forbidden, forbidden, forbidden}, func(a *testApp) (string, url.Values, any) {
			o, err := models.CreateOrg(context.Background(), a.db, nil, fmt.Sprintf("Org %d", next()), models.OrgSupplier, time.Now())
			if err != nil {
				a.t.Fatal(err)
			}
			return fmt.Sprintf("/admin/orgs/%d", o.ID), url.Values{"name": {fmt.Sprintf("Renamed org %d", next())}}, nil
		}},
		"GET /admin/users": {[5]int{see, ok, forbidden, forbidden, forbidden}, path("/admin/users")},
		// The test apps serve metrics to admins; without a session or the
		// token a scraper gets 401, not the login page.
		"GET /metrics": {[5]int{unauth, ok, forbidden, forbidden, forbidden}, path("/metrics")},
		"POST /admin/users": {[5]int{unauth, see, forbidden, forbidden, forbidden}, func(*testApp) (string, url.Values, any) {
			return "/admin/users", url.Values{"email": {fmt.Sprintf("new%d@demo.test", next())}, "name": {"New"},
				"password": {"long enough password"}, "role": {"auditor"}}, nil
		}},
		"POST /admin/users/:id/disabled": {[5]int{unauth, see, forbidden, forbidden, forbidden},
			freshUserPath("/disabled", url.Values{"disabled": {"true"}})},
		"POST /admin/users/:id/password": {[5]int{unauth, see, forbidden, forbidden, forbidden},
			freshUserPath("/password", url.Values{"password": {"another long password"}})},

		"GET /api/v1/openapi.json": {[5]int{ok, ok, ok, ok, ok}, path("/api/v1/openapi.json")},
		"POST /api/v1/tokens": {[5]int{unauth, unauth, unauth, unauth, unauth}, func(*testApp) (string, url.Values, any) {
			return "/api/v1/tokens", nil, map[string]string{"email": fmt.Sprintf("nobody%d@demo.test", next()), "password": "wrong"}
		}},

		// Your account: API tokens. The revoked token is another user's,
		// so every role gets 404 (the owner's 204 is in TestAPITokens).
		"GET /account/tokens": {[5]int{see, ok, ok, ok, ok}, path("/account/tokens")},
		"GET /account":        {[5]int{see, ok, ok, ok, ok}, path("/account")},
		"POST /account/preferences": {[5]int{unauth, see, see, see, see}, func(*testApp) (string, url.Values, any) {
			return "/account/preferences", url.Values{"language": {"nl"}, "time_zone": {"Europe/Amsterdam"}}, nil
		}},
		"POST /language": {[5]int{see, see, see, see, see}, func(*testApp) (string, url.Values, any) {
			return "/language", url.Values{"lang": {"es"}, "next": {"/login"}}, nil
		}},
		"POST /account/tokens/:id/revoke": {[5]int{unauth, notFound, notFound, notFound, notFound}, someonesTokenPath("/account/tokens", "/revoke")},
		"GET /api/v1/tokens":              {[5]int{unauth, ok, ok, ok, ok}, path("/api/v1/tokens")},
		"DELETE /api/v1/tokens/:id":       {[5]int{unauth, notFound, notFound, notFound, notFound}, someonesTokenPath("/api/v1/tokens", "")},

		// Second factor and sessions (issue 16). Without a pending sign-in
		// the code page goes back to the login form; every caller has a
		// pending enrolment (another row may start one too), so the QR
		// code is there and a wrong code is refused; the session ended is
		// another user's, so every role gets 404.
		"GET /login/code":            {[5]int{see, see, see, see, see}, path("/login/code")},
		"POST /login/code":           {[5]int{see, see, see, see, see}, func(*testApp) (string, url.Values, any) { return "/login/code", url.Values{"code": {"123456"}}, nil }},
		"POST /account/totp":         {[5]int{unauth, see, see, see, see}, path("/account/totp")},
		"GET /account/totp/qr.png":   {[5]int{see, ok, ok, ok, ok}, enrollingPath("/account/totp/qr.png", nil, nil)},
		"POST /account/totp/confirm": {[5]int{unauth, invalid, invalid, invalid, invalid}, enrollingPath("/account/totp/confirm", url.Values{"code": {"000000"}}, nil)},
		"POST /account/totp/disable": {[5]int{unauth, invalid, invalid, invalid, invalid}, func(*testApp) (string, url.Values, any) {
			return "/account/totp/disable", url.Values{"code": {"123456"}}, nil
		}},
		"POST /api/v1/account/totp": {[5]int{unauth, ok, ok, ok, ok}, func(*testApp) (string, url.Values, any) { return "/api/v1/account/totp", nil, map[string]any{} }},
		"POST /api/v1/account/totp/confirm": {[5]int{unauth, invalid, invalid, invalid, invalid},
			enrollingPath("/api/v1/account/totp/confirm", nil, map[string]string{"code": "000000"})},
		"GET /account/sessions":           {[5]int{see, ok, ok, ok, ok}, path("/account/sessions")},
		"POST /account/sessions/:sid/end": {[5]int{unauth, notFound, notFound, notFound, notFound}, someonesSessionPath},
		// Passkeys: the options are a fresh challenge for one's own account;
		// a registration without the browser's answer is refused (422); the
		// removed passkey is another user's, so every role gets 404.
		"POST /account/passkeys/options": {[5]int{unauth, ok, ok, ok, ok}, path("/account/passkeys/options")},
		"POST /account/passkeys": {[5]int{unauth, invalid, invalid, invalid, invalid}, func(*testApp) (string, url.Values, any) {
			return "/account/passkeys", url.Values{"name": {"YubiKey"}}, nil
		}},
		"POST /account/passkeys/:id/remove": {[5]int{unauth, notFound, notFound, notFound, notFound}, someonesPasskeyPath},
		"POST /login/passkey/options":       {[5]int{ok, ok, ok, ok, ok}, path("/login/passkey/options")},
		"POST /login/passkey":               {[5]int{invalid, invalid, invalid, invalid, invalid}, path("/login/passkey")},
		"POST /admin/orgs/:id/second-factor": {[5]int{unauth, see, forbidden, forbidden, forbidden}, func(a *testApp) (string, url.Values, any) {
			o, err := models.CreateOrg(context.Background(), a.db, nil, fmt.Sprintf("Org %d", next()), models.OrgBuyer, time.Now())
			if err != nil {
				a.t.Fatal(err)
			}
			return fmt.Sprintf("/admin/orgs/%d/second-factor", o.ID), url.Values{"required": {"true"}}, nil
		}},
		"POST /admin/users/:id/sessions/end": {[5]int{unauth, see, forbidden, forbidden, forbidden}, freshUserPath("/sessions/end", nil)},

		// Single sign-on (issue 16). No provider vouches for the domain and
		// no state was started, so every caller is refused the same way;
		// the test app has no secret key, so the admin's save is a 409.
		"POST /sso/start":                           {[5]int{invalid, invalid, invalid, invalid, invalid}, ssoStartPath},
		"GET /sso/callback":                         {[5]int{400, 400, 400, 400, 400}, path("/sso/callback?state=none&code=none")},
		"GET /admin/sso":                            {[5]int{see, ok, forbidden, forbidden, forbidden}, path("/admin/sso")},
		"POST /admin/sso":                           {[5]int{unauth, 409, forbidden, forbidden, forbidden}, ssoSavePath},
		"POST /admin/sso/:id/delete":                {[5]int{unauth, see, forbidden, forbidden, forbidden}, ssoDeletePath},
		"POST /admin/users/:id/second-factor/reset": {[5]int{unauth, see, forbidden, forbidden, forbidden}, freshUserPath("/second-factor/reset", nil)},

		"GET /api/v1/standards": {[5]int{unauth, ok, ok, ok, ok}, path("/api/v1/standards")},
		"GET /api/v1/tenders":   {[5]int{unauth, ok, ok, ok, ok}, path("/api/v1/tenders")},
		"POST /api/v1/tenders": {[5]int{unauth, created, created, forbidden, forbidden}, func(a *testApp) (string, url.Values, any) {
			org, err := models.FindOrgByName(context.Background(), a.db, "Demostad City Council")
			if err != nil {
				a.t.Fatal(err)
			}
			return "/api/v1/tenders", nil, map[string]any{"title": "API role table", "buyer_org_id": org.ID}
		}},
		"GET /api/v1/tenders/:id":           {[5]int{unauth, ok, ok, notFound, ok}, apiDraftPath("", nil)},
		"GET /api/v1/tenders/:id/sheet.pdf": {[5]int{unauth, ok, ok, notFound, ok}, apiDraftPath("/sheet.pdf", nil)},

		"GET /api/v1/tenders/:id/sheet.docx": {[5]int{unauth, ok, ok, notFound, ok}, apiDraftPath("/sheet.docx", nil)},
		"POST /api/v1/tenders/:id/requirements": {[5]int{unauth, created, created, forbidden, forbidden},
			apiDraftPath("/requirements", map[string]string{"standard": "dnssec", "level": "recommended"})},
		"POST /api/v1/tenders/:id/publish": {[5]int{unauth, ok, ok, forbidden, forbidden}, apiDraftPath("/publish", map[string]any{})},
	}
}

// roleClient is how the role tables call a route as the account email:
// with its API token on the API, as a visitor when email is empty (a
// visitor's form carries the pre-login CSRF token), else logged in.
func roleClient(t *testing.T, a *testApp, email, method string, api bool) *client {
	switch {
	case api:
		return a.apiClient(email)
	case email == "":
		c := a.anonymous()
		if method == "POST" {
			c.csrf = csrfFrom(t, c.get("/login").body)
		}
		return c
	}
	return a.session(email)
}

func TestEveryRouteHasARoleCheck(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	table := roleTable()
	maps.Copy(table, verifyRoleTable())
	maps.Copy(table, reportRoleTable())
	maps.Copy(table, reviewRoleTable())
	maps.Copy(table, sharedRoleTable())
	maps.Copy(table, docanalysisRoleTable())
	maps.Copy(table, monitorRoleTable())
	maps.Copy(table, analysisMailRoleTable())
	seen := map[string]bool{}
	for _, r := range routeTable(a.h) {
		key := r.method + " " + r.path
		seen[key] = true
		if _, ok := table[key]; !ok && !attestRoutesCovered(key) {
			t.Errorf("route %s has no row in the role table", key)
		}
	}
	for key := range table {
		if !seen[key] {
			t.Errorf("the role table has a row for %s, which is not a route", key)
		}
	}

	for key, rc := range table {
		method := strings.Fields(key)[0]
		for i, email := range roleEmails {
			t.Run(fmt.Sprintf("%s as %s answers %d", key, roleNames[i], rc.want[i]), func(t *testing.T) {
				a.t = t
				defer func() { a.t = nil }()
				p, form, body := rc.request(a)
				api := strings.HasPrefix(p, "/api/")
				c := roleClient(t, a, email, method, api)
				var res response
				switch {
				case method == "GET":
					res = c.get(p)
				case method == "DELETE":
					res = c.del(p)
				case api:
					res = c.postJSON(p, body)
				default:
					res = c.post(p, form)
				}
				if res.status != rc.want[i] {
					t.Fatalf("%s %s as %s: status %d, want %d\n%s", method, p, roleNames[i], res.status, rc.want[i], errorText(res.body))
				}
				if res.status == 303 && email == "" && !strings.HasPrefix(res.header.Get("Location"), "/login") {
					t.Errorf("anonymous visitor sent to %q, want the login page", res.header.Get("Location"))
				}
				if api && res.status >= 400 {
					if msg, _ := res.json(t)["error"].(string); msg == "" {
						t.Errorf("API error without an error message: %s", res.body)
					}
				}
			})
		}
	}
}

// someonesSessionPath is the end address of a session of a fresh user,
// which no caller of the role table owns.
func someonesSessionPath(a *testApp) (string, url.Values, any) {
	ctx := context.Background()
	u, err := models.CreateUser(ctx, a.db, nil, fmt.Sprintf("session%d@demo.test", next()), "Session Owner", "long enough password", models.RoleAuditor, nil, time.Now())
	if err != nil {
		a.t.Fatal(err)
	}
	_, s, err := models.CreateSession(ctx, a.db, u.ID, time.Hour, testNow)
	if err != nil {
		a.t.Fatal(err)
	}
	return "/account/sessions/" + s.ID + "/end", nil, nil
}

// someonesPasskeyPath is the removal of a passkey of a new user, whom no
// account of the role table may touch.
func someonesPasskeyPath(a *testApp) (string, url.Values, any) {
	ctx := context.Background()
	u, err := models.CreateUser(ctx, a.db, nil, fmt.Sprintf("passkey%d@demo.test", next()), "Passkey Owner", "long enough password", models.RoleAuditor, nil, time.Now())
	if err != nil {
		a.t.Fatal(err)
	}
	p, err := models.AddPasskey(ctx, a.db, u, "Owner's key", []byte(fmt.Sprintf("role-table-credential-%d", next())), "{}", 0, testNow)
	if err != nil {
		a.t.Fatal(err)
	}
	return fmt.Sprintf("/account/passkeys/%d/remove", p.ID), nil, nil
}

// enrollingPath starts a second factor enrolment for every account of the
// role table, so that the route finds one whichever rows ran before.
func enrollingPath(p string, form url.Values, body any) func(*testApp) (string, url.Values, any) {
	return func(a *testApp) (string, url.Values, any) {
		for _, email := range roleEmails[1:] {
			if _, err := models.StartTOTPEnrolment(context.Background(), a.db, a.user(email), "Tenderprobe", testNow); err != nil {
				a.t.Fatal(err)
			}
		}
		return p, form, body
	}
}
