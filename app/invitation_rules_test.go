package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
	"tenderprobe/seed"
)

// otherBuyer is a second buyer with its own officer and two published
// tenders: one it invites suppliers to, one nobody is invited to.
type otherBuyer struct {
	officer          string
	tender, untended *models.Tender
}

func newOtherBuyer(t *testing.T, a *testApp) *otherBuyer {
	t.Helper()
	ctx := context.Background()
	org, err := models.CreateOrg(ctx, a.db, nil, "Other Buyer", models.OrgBuyer, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b := &otherBuyer{officer: "officer@other-buyer.test"}
	officer, err := models.CreateUser(ctx, a.db, nil, b.officer, "Otto Other", "a long other-buyer password", models.RoleOfficer, &org.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	publish := func(title string) *models.Tender {
		tn, err := models.CreateTender(ctx, a.db, officer, models.TenderInput{Title: title, Deadline: ptrTime(testNow.Add(10 * 24 * time.Hour))}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.AddRequirement(ctx, a.db, dbtest.ManagerOf(a.db, tn.ID), tn.ID, models.RequirementInput{Standard: "https", Level: models.LevelMandatory}, time.Now()); err != nil {
			t.Fatal(err)
		}
		if tn, err = models.PublishTender(ctx, a.db, dbtest.ManagerOf(a.db, tn.ID), tn.ID, testNow); err != nil {
			t.Fatal(err)
		}
		return tn
	}
	b.tender, b.untended = publish("Other buyer's hosting"), publish("Other buyer's mail")
	return b
}

// invitationLinkOf picks the invitation link out of a page and returns its path.
func invitationLinkOf(t *testing.T, res response) string {
	t.Helper()
	m := linkPattern.FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("status %d and no invitation link on the page: %s", res.status, errorText(res.body))
	}
	u, err := url.Parse(m[1])
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

// openLink opens an invitation link as a new visitor, ready to post its form.
func (a *testApp) openLink(t *testing.T, path string) (*client, response) {
	t.Helper()
	c := a.anonymous()
	page := c.get(path)
	// A page without a form still gets the visitor a CSRF token, which a
	// crafted request can carry.
	if m := csrfInput.FindStringSubmatch(page.body); m != nil {
		c.csrf = m[1]
	} else {
		c.csrf = csrfFrom(t, c.get("/login").body)
	}
	return c, page
}

func orgID(t *testing.T, a *testApp, name string) uint {
	t.Helper()
	org, err := models.FindOrgByName(context.Background(), a.db, name)
	if err != nil {
		t.Fatal(err)
	}
	return org.ID
}

// TestInvitationRulesOverTheWeb checks who may bring whom into a supplier
// organisation, through the pages and the API, on each database.
func TestInvitationRulesOverTheWeb(t *testing.T) {
	t.Parallel()
	demo.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newTestAppOn(t, db).withEvidenceStore()
		w := newAttestWorld(t, a)
		b := newOtherBuyer(t, a)
		ctx := context.Background()
		acme, nordwind := orgID(t, a, seed.DemoSupplier), orgID(t, a, seed.DemoSupplier2)
		if _, err := models.CreateOrg(ctx, a.db, nil, "acme.example", models.OrgSupplier, time.Now()); err != nil {
			t.Fatal(err)
		}
		fp := newFingerprint(t, a.db)
		officerB := a.session(b.officer)
		invitePath := fmt.Sprintf("/tenders/%d/invitations", b.tender.ID)

		t.Run("an officer of another buyer who names an existing supplier is refused and nothing is created", func(t *testing.T) {
			cases := []struct{ name, email, supplier string }{
				{"by its exact name", "newhire@acme-hosting.example", seed.DemoSupplier},
				{"by its name in other case, with spaces around and between", "newhire@acme-hosting.example", "  ACME   hosting b.v. "},
				{"by leaving the name out when the address's domain is an organisation's name", "newhire@acme.example", ""},
				{"by the name of a buyer", "newhire@acme-hosting.example", "Demostad City Council"},
			}
			for _, c := range cases {
				t.Run(c.name+" on the page", func(t *testing.T) {
					before := fp.take(t)
					res := officerB.post(invitePath, url.Values{"email": {c.email}, "supplier": {c.supplier}})
					if res.status != 422 || !strings.Contains(res.body, `id="invite-supplier-error"`) || !strings.Contains(res.body, "choose it from the list") {
						t.Errorf("status %d, want 422 with the error on the supplier field: %s", res.status, errorText(res.body))
					}
					if after := fp.take(t); after != before {
						t.Errorf("the database changed: %s", fp.diff(before, after))
					}
				})
				t.Run(c.name+" over the API", func(t *testing.T) {
					before := fp.take(t)
					res := a.apiClient(b.officer).postJSON("/api/v1"+invitePath, map[string]string{"email": c.email, "supplier": c.supplier})
					if res.status != 422 || !strings.Contains(res.body, "supplier") {
						t.Errorf("status %d, want 422 about the supplier: %s", res.status, res.body)
					}
					if after := fp.take(t); after != before {
						t.Errorf("the database changed: %s", fp.diff(before, after))
					}
				})
			}
		})

		t.Run("an officer of another buyer invites an existing supplier by id and its vendors see that tender only", func(t *testing.T) {
			users := a.count(&models.User{})
			res := officerB.post(invitePath, url.Values{"supplier_id": {fmt.Sprint(acme)}})
			if res.status != 201 || !strings.Contains(res.body, `id="invited-supplier"`) || strings.Contains(res.body, `id="invitation-url"`) {
				t.Fatalf("status %d, want 201 naming the supplier and showing no link: %s", res.status, errorText(res.body))
			}
			if got := a.count(&models.User{}); got != users {
				t.Errorf("%d accounts after inviting an existing supplier, want %d: none is created", got, users)
			}
			vendor := a.session("vendor@demo.test")
			if res := vendor.get(fmt.Sprintf("/tenders/%d", b.tender.ID)); res.status != 200 {
				t.Errorf("the supplier's vendor gets %d for the tender it was invited to, want 200", res.status)
			}
			if res := vendor.get(fmt.Sprintf("/tenders/%d", b.untended.ID)); res.status != 404 {
				t.Errorf("the supplier's vendor gets %d for the buyer's other tender, want 404", res.status)
			}
			if res := a.session("vendor2@demo.test").get(fmt.Sprintf("/tenders/%d", b.tender.ID)); res.status != 404 {
				t.Errorf("another supplier's vendor gets %d for the tender, want 404", res.status)
			}
			api := a.apiClient(b.officer).postJSON(fmt.Sprintf("/api/v1/tenders/%d/invitations", b.untended.ID), map[string]any{"supplier_id": nordwind})
			body := api.json(t)
			invs, _ := body["invitations"].([]any)
			if api.status != 201 || body["attestation_id"] == nil || len(invs) != 1 || body["url"] != nil {
				t.Errorf("API: status %d %v, want 201 with the attestation and one invitation, no link", api.status, body)
			}
			both := a.apiClient(b.officer).postJSON(fmt.Sprintf("/api/v1/tenders/%d/invitations", b.untended.ID), map[string]any{"supplier_id": acme, "email": "x@acme-hosting.example"})
			if both.status != 422 {
				t.Errorf("API with both an e-mail address and a supplier id: status %d, want 422", both.status)
			}
			if buyer := officerB.post(invitePath, url.Values{"supplier_id": {fmt.Sprint(orgID(t, a, "Demostad City Council"))}}); buyer.status != 422 {
				t.Errorf("inviting a buyer as a supplier: status %d, want 422", buyer.status)
			}
		})

		t.Run("a pending address invited by the first buyer and then by another keeps its first link", func(t *testing.T) {
			const email = "pending@hole-two.example"
			res := a.session("officer@demo.test").post(fmt.Sprintf("/tenders/%d/invitations", w.tender.ID), url.Values{"email": {email}, "supplier": {"Hole Two Ltd"}})
			linkA := invitationLinkOf(t, res)
			res = officerB.post(invitePath, url.Values{"email": {email}})
			linkB := invitationLinkOf(t, res)

			invitee, page := a.openLink(t, linkB)
			if page.status != 200 || !strings.Contains(page.body, `id="account-pending"`) || strings.Contains(page.body, `id="set-password"`) {
				t.Errorf("the other buyer's link: status %d, want the page saying the account is not activated, without a password form: %s", page.status, errorText(page.body))
			}
			res = invitee.post(linkB, url.Values{"password": {"taken over by buyer B"}, "password_confirm": {"taken over by buyer B"}})
			if res.status != 409 || invitee.cookies["tp_session"] != "" {
				t.Errorf("posting a password to the other buyer's link: status %d (session %t), want 409 and no session", res.status, invitee.cookies["tp_session"] != "")
			}
			if _, err := models.Authenticate(ctx, a.db, email, "taken over by buyer B"); err == nil {
				t.Error("the other buyer's link set the password")
			}
			for _, p := range []string{fmt.Sprintf("/tenders/%d", w.tender.ID), "/attestations"} {
				if res := invitee.get(p); res.status != 303 || !strings.HasPrefix(res.header.Get("Location"), "/login") {
					t.Errorf("the other buyer's invitee gets %d for %s, want a redirect to the login", res.status, p)
				}
			}

			owner, page := a.openLink(t, linkA)
			if page.status != 200 || !strings.Contains(page.body, `id="set-password"`) {
				t.Fatalf("the first buyer's link: status %d, want the password form: %s", page.status, errorText(page.body))
			}
			res = owner.post(linkA, url.Values{"password": {"the owner's own password"}, "password_confirm": {"the owner's own password"}})
			if res.status != 303 || !strings.HasPrefix(res.header.Get("Location"), "/attestations/") {
				t.Fatalf("the first buyer's link: status %d, want a redirect to the attestation: %s", res.status, errorText(res.body))
			}
			for _, tn := range []*models.Tender{w.tender, b.tender} {
				if res := owner.get(fmt.Sprintf("/tenders/%d", tn.ID)); res.status != 200 {
					t.Errorf("after activating, the vendor gets %d for %q, which its supplier was invited to", res.status, tn.Title)
				}
			}
			if res := owner.get(fmt.Sprintf("/tenders/%d", b.untended.ID)); res.status != 404 {
				t.Errorf("after activating, the vendor gets %d for a tender nobody invited it to, want 404", res.status)
			}
			if _, page := a.openLink(t, linkB); page.status != 200 || !strings.Contains(page.body, "Log in to answer") {
				t.Errorf("the other buyer's link after activation: status %d, want a login link: %s", page.status, errorText(page.body))
			}
		})

		t.Run("a vendor invites a colleague, who joins the vendor's supplier", func(t *testing.T) {
			vendor := a.session("vendor@demo.test")
			if page := vendor.get("/supplier"); page.status != 200 || !strings.Contains(page.body, seed.DemoSupplier) || !strings.Contains(page.body, "vendor@demo.test") {
				t.Fatalf("supplier page: status %d: %s", page.status, errorText(page.body))
			}
			res := vendor.post("/supplier/invitations", url.Values{"email": {"colleague@acme-hosting.example"}, "name": {"Cora Colleague"}})
			link := invitationLinkOf(t, res)
			colleague, page := a.openLink(t, link)
			if page.status != 200 || !strings.Contains(page.body, "invites you to join") || !strings.Contains(page.body, seed.DemoSupplier) {
				t.Fatalf("colleague link: status %d: %s", page.status, errorText(page.body))
			}
			res = colleague.post(link, url.Values{"password": {"short"}, "password_confirm": {"short"}})
			if res.status != 422 || !strings.Contains(res.body, `id="password-error"`) || !strings.Contains(res.body, "at least") {
				t.Errorf("a too-short password: status %d, want the page again with the message: %s", res.status, errorText(res.body))
			}
			res = colleague.post(link, url.Values{"password": {"cora's long password"}, "password_confirm": {"cora's long password"}})
			if res.status != 303 || !strings.HasPrefix(res.header.Get("Location"), "/supplier") {
				t.Fatalf("set password: status %d: %s", res.status, errorText(res.body))
			}
			u := a.user("colleague@acme-hosting.example")
			if u.OrgID == nil || *u.OrgID != acme || u.Role != models.RoleVendor {
				t.Errorf("the colleague is a %s of org %v, want a vendor of %s", u.Role, u.OrgID, seed.DemoSupplier)
			}
			if res := colleague.get(w.path("")); res.status != 200 {
				t.Errorf("the colleague gets %d for the supplier's attestation, want 200", res.status)
			}
		})

		t.Run("a vendor cannot invite into another supplier", func(t *testing.T) {
			vendor := a.session("vendor@demo.test")
			res := vendor.post("/supplier/invitations", url.Values{"email": {"sneaky@nordwind.example"}, "org_id": {fmt.Sprint(nordwind)}})
			if res.status != 201 {
				t.Fatalf("status %d: %s", res.status, errorText(res.body))
			}
			if u := a.user("sneaky@nordwind.example"); u.OrgID == nil || *u.OrgID != acme {
				t.Errorf("the invitee joined org %v, want the inviting vendor's own %d", u.OrgID, acme)
			}
			before := fp.take(t)
			res = vendor.post("/supplier/invitations", url.Values{"email": {"vendor2@demo.test"}})
			if res.status != 422 || !strings.Contains(res.body, `id="colleague-email-error"`) {
				t.Errorf("inviting another supplier's vendor: status %d, want 422 on the e-mail field: %s", res.status, errorText(res.body))
			}
			if after := fp.take(t); after != before {
				t.Errorf("the database changed: %s", fp.diff(before, after))
			}
		})

		t.Run("an officer, an admin and an auditor cannot reach the supplier page", func(t *testing.T) {
			for _, email := range []string{"officer@demo.test", b.officer, "admin@demo.test", "auditor@demo.test"} {
				c := a.session(email)
				before := fp.take(t)
				if res := c.get("/supplier"); res.status != 403 {
					t.Errorf("%s gets %d for the supplier page, want 403", email, res.status)
				}
				if res := c.post("/supplier/invitations", url.Values{"email": {"staff-pick@acme-hosting.example"}}); res.status != 403 {
					t.Errorf("%s gets %d inviting a colleague, want 403", email, res.status)
				}
				if after := fp.take(t); after != before {
					t.Errorf("%s changed the database: %s", email, fp.diff(before, after))
				}
			}
		})

		t.Run("a too-short password on a tender invitation shows the page with the message", func(t *testing.T) {
			res := a.session("officer@demo.test").post(fmt.Sprintf("/tenders/%d/invitations", w.tender.ID), url.Values{"email": {"short@short-password.example"}})
			link := invitationLinkOf(t, res)
			c, _ := a.openLink(t, link)
			res = c.post(link, url.Values{"password": {"short"}, "password_confirm": {"short"}})
			if res.status != 422 || !strings.Contains(res.body, `id="password-error"`) || !strings.Contains(res.body, w.tender.Title) {
				t.Errorf("status %d, want 422 with the tender and the message: %s", res.status, errorText(res.body))
			}
			res = c.post(link, url.Values{"password": {"one long password"}, "password_confirm": {"another long password"}})
			if res.status != 422 || !strings.Contains(res.body, `id="password-confirm-error"`) {
				t.Errorf("differing passwords: status %d: %s", res.status, errorText(res.body))
			}
		})
	})
}

// loadClients is how many people invite, accept, answer and submit at once.
const loadClients = 50

var hiddenCSRF = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// TestInvitationsUnderConcurrentLoad has 50 officers invite 50 new
// suppliers to one tender at once, over real loopback connections, while
// each invitee sets a password, answers and submits as soon as its link
// exists. No request may fail with a server error such as "database is
// locked". Every new password hash takes a realistic time (models.HashDelay,
// 150 ms, about bcrypt's cost 11), since slow hashing inside write
// transactions is what made requests fail on SQLite, whose writers queue
// for at most the busy timeout: 50 hashes in turn hold the lock 7.5 s. The
// delay is waited, not computed, so the run costs no bcrypt CPU (cost 11
// spent 6 CPU seconds here).
func TestInvitationsUnderConcurrentLoad(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newTestAppOn(t, db).withEvidenceStore()
		w := newAttestWorld(t, a)
		models.HashDelay = 150 * time.Millisecond
		t.Cleanup(func() { models.HashDelay = 0 })
		base := a.listen(t)
		officers := make([]*client, loadClients)
		for i := range officers {
			officers[i] = a.session("officer@demo.test")
		}

		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		var mu sync.Mutex
		var failures []string
		requests, serverErrors := 0, 0
		var wg sync.WaitGroup
		for i := range loadClients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				hc := &http.Client{Timeout: time.Minute,
					CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
				// Cookies by hand: the test clock is fixed, so a cookie jar
				// would drop the sessions as expired by the real one.
				cookies := map[string]string{"tp_session": officers[i].cookies["tp_session"]}
				send := func(method, path string, form url.Values, want int) (string, http.Header, error) {
					var body io.Reader
					if form != nil {
						body = strings.NewReader(form.Encode())
					}
					req, err := http.NewRequestWithContext(ctx, method, base+path, body)
					if err != nil {
						return "", nil, err
					}
					if form != nil {
						req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					}
					for k, v := range cookies {
						req.AddCookie(&http.Cookie{Name: k, Value: v})
					}
					res, err := hc.Do(req)
					if err != nil {
						return "", nil, fmt.Errorf("%s %s: %w", method, path, err)
					}
					defer res.Body.Close()
					for _, ck := range res.Cookies() {
						if ck.MaxAge < 0 || ck.Value == "" {
							delete(cookies, ck.Name)
						} else {
							cookies[ck.Name] = ck.Value
						}
					}
					data, _ := io.ReadAll(res.Body)
					mu.Lock()
					requests++
					if res.StatusCode >= 500 {
						serverErrors++
					}
					mu.Unlock()
					if res.StatusCode != want {
						return "", nil, fmt.Errorf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, want, errorText(string(data)))
					}
					return string(data), res.Header, nil
				}
				fail := func(err error) {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("client %d: %v", i, err))
					mu.Unlock()
				}
				page, _, err := send(http.MethodPost, fmt.Sprintf("/tenders/%d/invitations", w.tender.ID), url.Values{
					"_csrf": {officers[i].csrf}, "email": {fmt.Sprintf("sales@load-%d.example", i)}, "supplier": {fmt.Sprintf("Load Supplier %d", i)}}, 201)
				if err != nil {
					fail(err)
					return
				}
				m := linkPattern.FindStringSubmatch(page)
				if m == nil {
					fail(fmt.Errorf("no invitation link on the page"))
					return
				}
				link, _ := url.Parse(m[1])
				// The invitee is a new visitor: the officer's cookies stay behind.
				cookies = map[string]string{}
				page, _, err = send(http.MethodGet, link.Path, nil, 200)
				if err != nil {
					fail(err)
					return
				}
				csrf := hiddenCSRF.FindStringSubmatch(page)
				if csrf == nil {
					fail(fmt.Errorf("no CSRF field on the invitation page"))
					return
				}
				password := fmt.Sprintf("load client %d password", i)
				_, header, err := send(http.MethodPost, link.Path, url.Values{"_csrf": {csrf[1]}, "password": {password}, "password_confirm": {password}}, 303)
				if err != nil {
					fail(err)
					return
				}
				att := strings.SplitN(header.Get("Location"), "?", 2)[0]
				if page, _, err = send(http.MethodGet, att, nil, 200); err != nil {
					fail(err)
					return
				}
				if csrf = hiddenCSRF.FindStringSubmatch(page); csrf == nil {
					fail(fmt.Errorf("no CSRF field on the attestation page"))
					return
				}
				for _, r := range []uint{w.https, w.dnssec} {
					if _, _, err := send(http.MethodPost, fmt.Sprintf("%s/answers/%d", att, r), url.Values{"_csrf": {csrf[1]}, "status": {"complies"}}, 303); err != nil {
						fail(err)
						return
					}
				}
				if _, _, err := send(http.MethodPost, att+"/submit", url.Values{"_csrf": {csrf[1]}, "declaration": {"yes"}, "declarer": {fmt.Sprintf("Load %d", i)}}, 303); err != nil {
					fail(err)
				}
			}()
		}
		wg.Wait()
		if serverErrors > 0 || len(failures) > 0 {
			shown := failures
			if len(shown) > 10 {
				shown = shown[:10]
			}
			t.Errorf("%d of %d requests failed with a server error; %d clients did not finish:\n%s", serverErrors, requests, len(failures), strings.Join(shown, "\n"))
		}
		var submitted int64
		if err := a.db.Model(&models.Attestation{}).Where("tender_id = ? AND status = ?", w.tender.ID, models.AttestationSubmitted).Count(&submitted).Error; err != nil {
			t.Fatal(err)
		}
		if submitted != loadClients {
			t.Errorf("%d attestations submitted, want %d", submitted, loadClients)
		}
	})
}

func TestExistingSupplierInvitationIsMailedToItsActiveVendors(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	sink := startMailSink(t)
	a.h.Attest.Mailer = sink.mailer()
	ctx := context.Background()
	b := newOtherBuyer(t, a)
	acme := orgID(t, a, seed.DemoSupplier)
	// A colleague who has not set a password yet and a disabled vendor
	// can answer nothing, so they get no mail.
	if _, _, err := models.InviteColleague(ctx, a.db, a.user("vendor@demo.test"), models.ColleagueInput{Email: "pending@acme-hosting.example"}, time.Hour, testNow); err != nil {
		t.Fatal(err)
	}
	gone, err := models.CreateUser(ctx, a.db, nil, "gone@acme-hosting.example", "Gone", "a long departed password", models.RoleVendor, &acme, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.UpdateUser(ctx, a.db, nil, gone.ID, models.UserChanges{Disabled: ptrBool(true)}, time.Now()); err != nil {
		t.Fatal(err)
	}
	before := len(sink.messages())
	res := a.session(b.officer).post(fmt.Sprintf("/tenders/%d/invitations", b.tender.ID), url.Values{"supplier_id": {fmt.Sprint(acme)}})
	if res.status != 201 || !strings.Contains(res.body, "vendor@demo.test was told by e-mail") {
		t.Fatalf("status %d: %s", res.status, errorText(res.body))
	}
	msgs := sink.messages()[before:]
	if len(msgs) != 1 || !strings.Contains(msgs[0], "To: vendor@demo.test") || !strings.Contains(msgs[0], b.tender.Title) {
		t.Errorf("mails %q, want one to the supplier's only active vendor about %q", msgs, b.tender.Title)
	}
}

func ptrBool(b bool) *bool { return &b }
