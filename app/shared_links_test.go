package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// sharedRoleTable is the role table of the shared links. Every cell gets
// a fresh link of the demo buyer's officer, which admins and auditors may
// manage too; the public views answer everyone the same.
func sharedRoleTable() map[string]roleCase {
	const (
		ok, created, noContent, see, unauth, forbidden = 200, 201, 204, 303, 401, 403
	)
	form := url.Values{"label": {"Role table link"}, "year": {"2026"}}
	return map[string]roleCase{
		"GET /shared-links":             {[5]int{see, ok, ok, forbidden, ok}, path("/shared-links")},
		"POST /shared-links":            {[5]int{unauth, created, created, forbidden, created}, func(*testApp) (string, url.Values, any) { return "/shared-links", form, nil }},
		"POST /shared-links/:id/revoke": {[5]int{unauth, see, see, forbidden, see}, officerLinkPath("/shared-links/%d/revoke")},
		"GET /api/v1/shared-links":      {[5]int{unauth, ok, ok, forbidden, ok}, path("/api/v1/shared-links")},
		"POST /api/v1/shared-links": {[5]int{unauth, created, created, forbidden, created}, func(*testApp) (string, url.Values, any) {
			return "/api/v1/shared-links", nil, map[string]any{"label": "API role table link"}
		}},
		"DELETE /api/v1/shared-links/:id": {[5]int{unauth, noContent, noContent, forbidden, noContent}, officerLinkPath("/api/v1/shared-links/%d")},
		"GET /shared/:token":              {[5]int{ok, ok, ok, ok, ok}, officerTokenPath("")},
		"GET /shared/:token/:file":        {[5]int{ok, ok, ok, ok, ok}, officerTokenPath("/annual.json")},
	}
}

// newOfficerLink makes a link of the demo buyer's annual report.
func newOfficerLink(a *testApp) (*models.SharedLink, string) {
	a.t.Helper()
	l, token, err := models.CreateSharedLink(context.Background(), a.db, a.user("officer@demo.test"),
		models.SharedLinkInput{Kind: "annual", Label: fmt.Sprintf("Link %d", next()), Year: 2026}, testNow)
	if err != nil {
		a.t.Fatal(err)
	}
	return l, token
}

func officerLinkPath(format string) func(*testApp) (string, url.Values, any) {
	return func(a *testApp) (string, url.Values, any) {
		l, _ := newOfficerLink(a)
		return fmt.Sprintf(format, l.ID), nil, nil
	}
}

func officerTokenPath(suffix string) func(*testApp) (string, url.Values, any) {
	return func(a *testApp) (string, url.Values, any) {
		_, token := newOfficerLink(a)
		return "/shared/" + token + suffix, nil, nil
	}
}

var sharedURL = regexp.MustCompile(`/shared/([A-Za-z0-9_-]{43})`)

// otherBuyerTender publishes a tender of a second buyer organisation, with
// an officer of its own, and returns that officer's address.
func otherBuyerTender(t *testing.T, a *testApp, title string) string {
	t.Helper()
	ctx := context.Background()
	org, err := models.CreateOrg(ctx, a.db, nil, "Other Buyer "+title, models.OrgBuyer, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	email := fmt.Sprintf("officer%d@other-buyer.test", next())
	u, err := models.CreateUser(ctx, a.db, nil, email, "Other Officer", "a long enough password", models.RoleOfficer, &org.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tender, err := models.CreateTender(ctx, a.db, u, models.TenderInput{Title: title}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.AddRequirement(ctx, a.db, u, tender.ID, models.RequirementInput{Standard: "dnssec", Level: models.LevelMandatory}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := models.PublishTender(ctx, a.db, dbtest.ManagerOf(a.db, tender.ID), tender.ID, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	return email
}

func TestSharedLinkFromCreationToRevocation(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	own := a.newPublished("Our shared municipal hosting")
	otherBuyerTender(t, a, "Secret tender of another buyer")
	year := fmt.Sprint(own.PublishedAt.UTC().Year())
	officer := a.session("officer@demo.test")

	res := officer.post("/shared-links", url.Values{"label": {"For the council"}, "year": {year}})
	if res.status != 201 {
		t.Fatalf("create: status %d\n%s", res.status, errorText(res.body))
	}
	m := sharedURL.FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("the page does not show the new link:\n%s", res.body)
	}
	token := m[1]

	t.Run("the token is stored only as its SHA-256", func(t *testing.T) {
		var l models.SharedLink
		if err := a.db.Where("label = ?", "For the council").Take(&l).Error; err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(token))
		if l.TokenHash != hex.EncodeToString(sum[:]) {
			t.Errorf("token_hash %q is not the SHA-256 of the token", l.TokenHash)
		}
		var row map[string]any
		if err := a.db.Table("shared_links").Where("id = ?", l.ID).Take(&row).Error; err != nil {
			t.Fatal(err)
		}
		for col, v := range row {
			if s := fmt.Sprint(v); strings.Contains(s, token) || (len(s) >= 20 && strings.Contains(token, s)) {
				t.Errorf("column %s holds the token in clear: %q", col, s)
			}
		}
		if l.OrgID == nil || *l.OrgID != *a.user("officer@demo.test").OrgID {
			t.Errorf("an officer's link has scope %v, want the officer's organisation", l.OrgID)
		}
	})

	t.Run("the list shows the link by its prefix, never in full", func(t *testing.T) {
		res := officer.get("/shared-links")
		if res.status != 200 || !strings.Contains(res.body, "For the council") || !strings.Contains(res.body, token[:6]) {
			t.Fatalf("status %d, list without the link\n%s", res.status, res.body)
		}
		if strings.Contains(res.body, token) {
			t.Error("the list shows the whole token")
		}
	})

	visitor := a.anonymous()
	t.Run("anyone opens the page, read-only and not indexed", func(t *testing.T) {
		res := visitor.get("/shared/" + token)
		if res.status != 200 {
			t.Fatalf("status %d\n%s", res.status, errorText(res.body))
		}
		for _, want := range []string{`<meta name="robots" content="noindex`, "Our shared municipal hosting", "Demostad City Council", "annual.csv", "annual.json"} {
			if !strings.Contains(res.body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		for _, leak := range []string{"Secret tender of another buyer", `action="/logout"`, `href="/tenders`, `href="/audit"`} {
			if strings.Contains(res.body, leak) {
				t.Errorf("the page shows %q", leak)
			}
		}
		if got := res.header.Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("Referrer-Policy %q", got)
		}
		if got := res.header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("Cache-Control %q", got)
		}
	})
	t.Run("the page is in the visitor's language", func(t *testing.T) {
		res := visitor.getLang("/shared/"+token, "nl")
		if res.status != 200 || !strings.Contains(res.body, `<html lang="nl">`) || !strings.Contains(res.body, "Per domein") {
			t.Errorf("status %d, not in Dutch", res.status)
		}
	})
	t.Run("the CSV, JSON and PDF hold the same scope", func(t *testing.T) {
		csv := visitor.get("/shared/" + token + "/annual.csv")
		if csv.status != 200 || !strings.HasPrefix(csv.header.Get("Content-Type"), "text/csv") || !strings.Contains(csv.body, "dnssec") && !strings.Contains(csv.body, "https") {
			t.Errorf("CSV: status %d %q\n%s", csv.status, csv.header.Get("Content-Type"), csv.body)
		}
		js := visitor.get("/shared/" + token + "/annual.json")
		if js.status != 200 {
			t.Fatalf("JSON: status %d", js.status)
		}
		body := js.json(t)
		if body["scope"] != "buyer" || body["buyer"] != "Demostad City Council" {
			t.Errorf("JSON scope %v of %v", body["scope"], body["buyer"])
		}
		if !strings.Contains(js.body, "Our shared municipal hosting") || strings.Contains(js.body, "Secret tender of another buyer") {
			t.Errorf("JSON tenders are not the officer's organisation's:\n%s", js.body)
		}
		pdf := visitor.get("/shared/" + token + "/annual.pdf")
		if pdf.status != 200 || pdf.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.body, "%PDF") || pdf.header.Get("Cache-Control") != "no-store" {
			t.Errorf("PDF: status %d %q, Cache-Control %q", pdf.status, pdf.header.Get("Content-Type"), pdf.header.Get("Cache-Control"))
		}
		if res := visitor.get("/shared/" + token + "/monitor.csv"); res.status != 404 {
			t.Errorf("a file of another kind: status %d, want 404", res.status)
		}
	})
	t.Run("opening records when the link was last opened", func(t *testing.T) {
		var l models.SharedLink
		if err := a.db.Where("label = ?", "For the council").Take(&l).Error; err != nil {
			t.Fatal(err)
		}
		if l.LastOpenedAt == nil || !l.LastOpenedAt.Equal(testNow) {
			t.Errorf("last opened %v, want %v", l.LastOpenedAt, testNow)
		}
	})
	t.Run("creating is in the audit log", func(t *testing.T) {
		if n := auditCount(t, a, "shared_link.create"); n != 1 {
			t.Errorf("%d create entries", n)
		}
	})

	var id uint
	if err := a.db.Model(&models.SharedLink{}).Where("label = ?", "For the council").Pluck("id", &id).Error; err != nil {
		t.Fatal(err)
	}
	if res := officer.post(fmt.Sprintf("/shared-links/%d/revoke", id), nil); res.status != 303 {
		t.Fatalf("revoke: status %d\n%s", res.status, errorText(res.body))
	}
	t.Run("a revoked link is a 404 at once, page and files", func(t *testing.T) {
		for _, p := range []string{"", "/annual.csv", "/annual.json", "/annual.pdf"} {
			if res := visitor.get("/shared/" + token + p); res.status != 404 {
				t.Errorf("%s: status %d, want 404", p, res.status)
			}
		}
		// The reader is told what may have happened, in their language,
		// and not sent to a dashboard they have no account for.
		page := getIn(visitor, "nl", "/shared/"+token)
		if !strings.Contains(page.body, "Deze gedeelde link is niet beschikbaar") || strings.Contains(page.body, `<a href="/">`) {
			t.Errorf("the page of a revoked link:\n%s", errorText(page.body))
		}
		if n := auditCount(t, a, "shared_link.revoke"); n != 1 {
			t.Errorf("%d revoke entries", n)
		}
		if res := officer.post(fmt.Sprintf("/shared-links/%d/revoke", id), nil); res.status != 404 {
			t.Errorf("revoking twice: status %d, want 404", res.status)
		}
		if res := officer.get("/shared-links"); strings.Contains(res.body, "For the council") {
			t.Error("the list still shows the revoked link")
		}
	})
}

// getLang is a GET with an Accept-Language header.
func (c *client) getLang(path, lang string) response {
	c.a.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept-Language", lang)
	return c.do(req)
}

func auditCount(t *testing.T, a *testApp, action string) int64 {
	t.Helper()
	var n int64
	if err := a.db.Model(&models.AuditEntry{}).Where("action = ?", action).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSharedLinkScopes(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	own := a.newPublished("Demo buyer own tender")
	otherEmail := otherBuyerTender(t, a, "Another buyer tender")
	ctx := context.Background()
	year := own.PublishedAt.UTC().Year()
	mk := func(email string) string {
		t.Helper()
		_, token, err := models.CreateSharedLink(ctx, a.db, a.user(email), models.SharedLinkInput{Kind: "annual", Label: "scope", Year: year}, testNow)
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	visitor := a.anonymous()
	for _, tc := range []struct {
		name, email string
		shows       []string
		hides       []string
	}{
		{"an auditor's link shows every buyer", "auditor@demo.test", []string{"Demo buyer own tender", "Another buyer tender"}, nil},
		{"an admin's link shows every buyer", "admin@demo.test", []string{"Demo buyer own tender", "Another buyer tender"}, nil},
		{"an officer's link shows only the own organisation", "officer@demo.test", []string{"Demo buyer own tender"}, []string{"Another buyer tender"}},
		{"another buyer's officer's link shows only that buyer", otherEmail, []string{"Another buyer tender"}, []string{"Demo buyer own tender"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			token := mk(tc.email)
			for _, p := range []string{"", "/annual.json"} {
				res := visitor.get("/shared/" + token + p)
				if res.status != 200 {
					t.Fatalf("%s: status %d", p, res.status)
				}
				for _, s := range tc.shows {
					if !strings.Contains(res.body, s) {
						t.Errorf("%s lacks %q", p, s)
					}
				}
				for _, s := range tc.hides {
					if strings.Contains(res.body, s) {
						t.Errorf("%s shows %q", p, s)
					}
				}
			}
		})
	}
}

func TestSharedLinkEnds(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	ctx := context.Background()
	visitor := a.anonymous()
	officer := a.user("officer@demo.test")
	t.Run("an expired link is a 404", func(t *testing.T) {
		exp := testNow.Add(time.Hour)
		_, token, err := models.CreateSharedLink(ctx, a.db, officer, models.SharedLinkInput{Kind: "annual", Label: "short", Year: 2026, ExpiresAt: &exp}, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if res := visitor.get("/shared/" + token); res.status != 200 {
			t.Fatalf("before its expiry: status %d", res.status)
		}
		l, err := models.OpenSharedLink(ctx, a.db, token, testNow.Add(2*time.Hour))
		if err == nil {
			t.Fatalf("after its expiry the link %d still opens", l.ID)
		}
		if err := a.db.Model(&models.SharedLink{}).Where("label = ?", "short").Update("expires_at", testNow.Add(-time.Minute)).Error; err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"", "/annual.csv"} {
			if res := visitor.get("/shared/" + token + p); res.status != 404 {
				t.Errorf("%s after its expiry: status %d, want 404", p, res.status)
			}
		}
	})
	t.Run("the last day is a date in the creator's zone and must not be past", func(t *testing.T) {
		c := a.session("officer@demo.test")
		res := c.post("/shared-links", url.Values{"label": {"old"}, "year": {"2026"}, "expires_on": {"2026-02-28"}})
		if res.status != 422 || !strings.Contains(res.body, "in the past") {
			t.Errorf("a past last day: status %d\n%s", res.status, errorText(res.body))
		}
		res = c.post("/shared-links", url.Values{"label": {"bad"}, "year": {"2026"}, "expires_on": {"next week"}})
		if res.status != 422 {
			t.Errorf("a last day that is no date: status %d", res.status)
		}
		res = c.post("/shared-links", url.Values{"label": {"today"}, "year": {"2026"}, "expires_on": {"2026-03-01"}})
		if res.status != 201 {
			t.Fatalf("today as last day: status %d\n%s", res.status, errorText(res.body))
		}
		var l models.SharedLink
		if err := a.db.Where("label = ?", "today").Take(&l).Error; err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC); l.ExpiresAt == nil || !l.ExpiresAt.Equal(want) {
			t.Errorf("expires at %v, want the end of the day, %v", l.ExpiresAt, want)
		}
		if res := c.post("/shared-links", url.Values{"label": {"  "}, "year": {"2026"}}); res.status != 422 {
			t.Errorf("no label: status %d", res.status)
		}
	})
	t.Run("a link dies with its creator's account or right to see", func(t *testing.T) {
		auditor, err := models.CreateUser(ctx, a.db, nil, "auditor2@demo.test", "Second Auditor", "a long enough password", models.RoleAuditor, nil, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		_, token, err := models.CreateSharedLink(ctx, a.db, auditor, models.SharedLinkInput{Kind: "annual", Label: "auditor", Year: 2026}, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if res := visitor.get("/shared/" + token); res.status != 200 {
			t.Fatalf("status %d", res.status)
		}
		role, org := models.RoleOfficer, *officer.OrgID
		if _, err := models.UpdateUser(ctx, a.db, a.user("admin@demo.test"), auditor.ID, models.UserChanges{Role: &role, OrgID: &org}, time.Now()); err != nil {
			t.Fatal(err)
		}
		if res := visitor.get("/shared/" + token); res.status != 404 {
			t.Errorf("after its creator became an officer, who may not see every buyer: status %d, want 404", res.status)
		}
		_, token, err = models.CreateSharedLink(ctx, a.db, a.user("auditor2@demo.test"), models.SharedLinkInput{Kind: "annual", Label: "officer", Year: 2026}, testNow)
		if err != nil {
			t.Fatal(err)
		}
		disabled := true
		if _, err := models.UpdateUser(ctx, a.db, a.user("admin@demo.test"), auditor.ID, models.UserChanges{Disabled: &disabled}, time.Now()); err != nil {
			t.Fatal(err)
		}
		if res := visitor.get("/shared/" + token); res.status != 404 {
			t.Errorf("after its creator was disabled: status %d, want 404", res.status)
		}
	})
	t.Run("an unknown token is a 404", func(t *testing.T) {
		for _, p := range []string{"/shared/" + strings.Repeat("A", 43), "/shared/x/annual.json", "/shared/" + strings.Repeat("A", 43) + "/annual.csv"} {
			if res := visitor.get(p); res.status != 404 {
				t.Errorf("%s: status %d", p, res.status)
			}
		}
	})
}

func TestSharedLinksBelongToTheirOrganisation(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	l, token := newOfficerLink(a)
	other := otherBuyerTender(t, a, "Tender of the outsider")
	t.Run("another buyer's officer cannot see or revoke the link", func(t *testing.T) {
		web := a.session(other)
		if res := web.get("/shared-links"); res.status != 200 || strings.Contains(res.body, l.Label) {
			t.Errorf("status %d, or the outsider's list shows the link", res.status)
		}
		if res := web.post(fmt.Sprintf("/shared-links/%d/revoke", l.ID), nil); res.status != 404 {
			t.Errorf("web revoke: status %d, want 404", res.status)
		}
		if res := a.apiClient(other).del(fmt.Sprintf("/api/v1/shared-links/%d", l.ID)); res.status != 404 {
			t.Errorf("API revoke: status %d, want 404", res.status)
		}
		if res := a.anonymous().get("/shared/" + token); res.status != 200 {
			t.Errorf("the link no longer opens: status %d", res.status)
		}
	})
	t.Run("a vendor cannot share", func(t *testing.T) {
		before := a.count(&models.SharedLink{})
		if res := a.session("vendor@demo.test").post("/shared-links", url.Values{"label": {"vendor"}, "year": {"2026"}}); res.status != 403 {
			t.Errorf("web: status %d, want 403", res.status)
		}
		if res := a.apiClient("vendor@demo.test").postJSON("/api/v1/shared-links", map[string]any{"label": "vendor"}); res.status != 403 {
			t.Errorf("API: status %d, want 403", res.status)
		}
		if after := a.count(&models.SharedLink{}); after != before {
			t.Errorf("links %d -> %d", before, after)
		}
	})
}

func TestSharedLinksAPI(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	api := a.apiClient("auditor@demo.test")
	res := api.postJSON("/api/v1/shared-links", map[string]any{"label": "Open data", "year": 2026, "expires_on": "2026-12-31"})
	if res.status != 201 {
		t.Fatalf("create: status %d\n%s", res.status, res.body)
	}
	body := res.json(t)
	link, _ := body["url"].(string)
	m := sharedURL.FindStringSubmatch(link)
	if m == nil {
		t.Fatalf("no link in %s", res.body)
	}
	token := m[1]
	files, _ := body["files"].(map[string]any)
	if files["json"] != link+"/annual.json" {
		t.Errorf("files %v", files)
	}
	if strings.Contains(res.body, `"token_hash"`) {
		t.Error("the answer holds the hash")
	}
	list := api.get("/api/v1/shared-links")
	if list.status != 200 || !strings.Contains(list.body, `"token_prefix":"`+token[:6]+`"`) || strings.Contains(list.body, token) {
		t.Errorf("list: status %d\n%s", list.status, list.body)
	}
	if res := api.postJSON("/api/v1/shared-links", map[string]any{"label": "x", "kind": "dashboard"}); res.status != 422 || res.json(t)["field"] != "kind" {
		t.Errorf("an unknown kind: status %d %s", res.status, res.body)
	}
	if res := api.postJSON("/api/v1/shared-links", map[string]any{"label": ""}); res.status != 422 || res.json(t)["field"] != "label" {
		t.Errorf("no label: status %d %s", res.status, res.body)
	}
	var l models.SharedLink
	if err := a.db.Where("label = ?", "Open data").Take(&l).Error; err != nil {
		t.Fatal(err)
	}
	if l.OrgID != nil {
		t.Errorf("an auditor's link has scope org %d, want every buyer", *l.OrgID)
	}
	if res := a.anonymous().get("/shared/" + token + "/annual.json"); res.status != 200 || res.json(t)["scope"] != "all" {
		t.Fatalf("open: status %d %s", res.status, res.body)
	}
	if res := api.del(fmt.Sprintf("/api/v1/shared-links/%d", l.ID)); res.status != 204 {
		t.Fatalf("revoke: status %d %s", res.status, res.body)
	}
	if res := a.anonymous().get("/shared/" + token + "/annual.json"); res.status != 404 {
		t.Errorf("after revoking: status %d, want 404", res.status)
	}
}

// sharedVisits are the shared link pages the language test reads besides
// the crawl: the public page of a link with tenders, the page that shows a
// new link once, and a refused form.
func sharedVisits(t *testing.T, a *testApp) []visit {
	t.Helper()
	_, token, err := models.CreateSharedLink(context.Background(), a.db, a.user("auditor@demo.test"),
		models.SharedLinkInput{Kind: "annual", Label: "Every language", Year: time.Now().UTC().Year()}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	_, monitorToken, err := models.CreateSharedLink(context.Background(), a.db, a.user("auditor@demo.test"),
		models.SharedLinkInput{Kind: "monitor", Label: "Every language monitor", Year: time.Now().UTC().Year()}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return []visit{
		{name: "a shared annual report", path: "/shared/" + token},
		{name: "a shared monitor", path: "/shared/" + monitorToken},
		{name: "an unknown shared link", path: "/shared/" + strings.Repeat("x", 43)},
		{name: "a new shared link", email: "officer@demo.test", path: "/shared-links", form: url.Values{"label": {"Council"}, "year": {"2026"}, "expires_on": {"2026-12-31"}}},
		{name: "a refused shared link", email: "officer@demo.test", path: "/shared-links", form: url.Values{"label": {""}, "year": {"19"}, "expires_on": {"yesterday"}}},
	}
}
