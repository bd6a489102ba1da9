package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
)

// The marks are written into the first buyer's and supplier's private
// records; no answer to an outsider may contain one.
const (
	markDraft    = "MARK-DRAFT-7f3a"
	markAnswer   = "MARK-ANSWER-7f3a"
	markEvidence = "mark-evidence-7f3a.pdf"
)

var marks = []string{markDraft, markAnswer, markEvidence}

// authzWorld holds the objects of the first buyer (the demo council) and
// the first supplier (Acme), and two outsiders who hold the same roles in
// other organisations.
type authzWorld struct {
	*attestWorld
	draft    *models.Tender
	evidence *models.Evidence
	run      uint
	invite   uint
	// token is an API token of the first supplier's vendor.
	token uint
	// session is the stored id of a session of the first supplier's vendor.
	session string
	// passkey is a passkey of the first supplier's vendor.
	passkey uint
	// sharedLink is a shared link of the first buyer's officer.
	sharedLink uint
	// ids of the first buyer and supplier, for the ownership counts.
	buyer, supplier uint
	// outsiders: an officer of another buyer and a vendor of another supplier.
	otherOfficer, otherVendor string
}

func newAuthzWorld(t *testing.T, a *testApp) *authzWorld {
	t.Helper()
	ctx := context.Background()
	a.withEvidenceStore()
	w := &authzWorld{attestWorld: newAttestWorld(t, a)}
	vendor, officer := a.user("vendor@demo.test"), a.user("officer@demo.test")
	w.buyer, w.supplier = *officer.OrgID, *vendor.OrgID
	if _, err := models.SaveAnswer(ctx, a.db, vendor, w.att.ID, w.https, models.AnswerInput{Status: "complies", Explanation: markAnswer}, testNow); err != nil {
		t.Fatal(err)
	}
	if _, err := models.SaveAnswer(ctx, a.db, vendor, w.att.ID, w.dnssec, models.AnswerInput{Status: "partial", Explanation: markAnswer, PlannedDate: "2026-06-30"}, testNow); err != nil {
		t.Fatal(err)
	}
	w.evidence = w.addFile(t)
	if err := a.db.Model(w.evidence).Update("file_name", markEvidence).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := models.Submit(ctx, a.db, vendor, w.att.ID, models.SubmitInput{Declaration: true, Declarer: "Victor Vendor"}, testNow); err != nil {
		t.Fatal(err)
	}
	run, err := models.LatestRun(ctx, a.db, w.att.ID)
	if err != nil || run == nil {
		t.Fatalf("no probe run queued: %v", err)
	}
	w.run = run.ID
	inv, _, err := models.Invite(ctx, a.db, officer, w.tender.ID, models.InviteInput{Email: "pending@newsupplier.test", Supplier: "New Supplier Ltd"}, time.Hour, testNow)
	if err != nil {
		t.Fatal(err)
	}
	w.invite = inv.ID
	vendorToken, err := models.CreateAPIToken(ctx, a.db, vendor.ID, time.Hour, testNow)
	if err != nil {
		t.Fatal(err)
	}
	w.token = a.tokenID(vendorToken)
	_, vendorSession, err := models.CreateSession(ctx, a.db, vendor.ID, time.Hour, testNow)
	if err != nil {
		t.Fatal(err)
	}
	w.session = vendorSession.ID
	pk, err := models.AddPasskey(ctx, a.db, vendor, "Vendor's key", []byte("authz-vendor-credential"), "{}", 0, testNow)
	if err != nil {
		t.Fatal(err)
	}
	w.passkey = pk.ID
	link, _, err := models.CreateSharedLink(ctx, a.db, officer, models.SharedLinkInput{Kind: "annual", Label: "Authz link", Year: 2026}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	w.sharedLink = link.ID
	if w.draft, err = models.CreateTender(ctx, a.db, officer, models.TenderInput{Title: markDraft}, time.Now()); err != nil {
		t.Fatal(err)
	}
	w.otherOfficer, w.otherVendor = "officer@other-buyer.test", "vendor@other-supplier.test"
	for _, o := range []struct{ org, kind, email, role string }{
		{"Other Buyer", models.OrgBuyer, w.otherOfficer, models.RoleOfficer},
		{"Other Supplier", models.OrgSupplier, w.otherVendor, models.RoleVendor},
	} {
		org, err := models.CreateOrg(ctx, a.db, nil, o.org, o.kind, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.CreateUser(ctx, a.db, nil, o.email, o.org, "a long outsider password", o.role, &org.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// fill puts the world's objects into a route pattern; a parameter it does
// not know fails the test, so a new kind of route needs a fixture here.
func (w *authzWorld) fill(t *testing.T, pattern string) string {
	t.Helper()
	segs := strings.Split(pattern, "/")
	for i, s := range segs {
		if !strings.HasPrefix(s, ":") {
			continue
		}
		var v any
		switch prev := segs[i-1]; {
		case s == ":id" && prev == "tenders":
			v = w.tender.ID
		case s == ":id" && prev == "attestations":
			v = w.att.ID
		case s == ":id" && prev == "probe-runs":
			v = w.run
		case s == ":id" && prev == "users":
			v = w.a.user("officer@demo.test").ID
		case s == ":id" && prev == "orgs":
			v = w.buyer
		case s == ":id" && prev == "sso":
			v = w.ssoProvider(t)
		case s == ":rid", s == ":requirement_id":
			v = w.https
		case s == ":evidence_id":
			v = w.evidence.ID
		case s == ":id" && prev == "tokens":
			v = w.token
		case s == ":iid":
			v = w.invite
		case s == ":sid":
			v = w.session
		case s == ":id" && prev == "passkeys":
			v = w.passkey
		case s == ":standing_id":
			v = w.standing(t)
		case s == ":id" && prev == "tender-documents":
			v = w.tenderDocument(t)
		case s == ":version":
			v = 1
		case s == ":slug":
			v = "dnssec"
		case s == ":token":
			v = "no-such-invitation-token"
		case s == ":id" && prev == "shared-links":
			v = w.sharedLink
		case s == ":file":
			v = "annual.csv"
		default:
			t.Fatalf("route %s: the authorisation test has no object for %s after /%s/; add one", pattern, s, prev)
		}
		segs[i] = fmt.Sprint(v)
	}
	return strings.Join(segs, "/")
}

// authzBody is what a route is sent: a form, a JSON body, a file or a query
// string, each the one an authorised caller would send to succeed, so a
// refusal comes from the authorisation and not from bad input.
type authzBody struct {
	form  url.Values
	json  any
	file  bool
	query string
}

// authzBodies holds the request of every route that takes input; a POST or
// PUT route without a row fails the test.
func authzBodies(w *authzWorld) map[string]authzBody {
	answer := url.Values{"status": {"does_not_comply"}, "explanation": {"changed by an outsider"}}
	// The answer page's one form (every answer and the scope at once).
	page := url.Values{fmt.Sprintf("status-%d", w.https): {"does_not_comply"},
		fmt.Sprintf("explanation-%d", w.https): {"changed by an outsider"}, "web": {"evil.test"}}
	w.ssoProvider(w.a.t) // made now, so no refused call's fingerprint counts it
	w.standing(w.a.t)    // the same
	w.tenderDocument(w.a.t)
	return map[string]authzBody{
		"POST /logout":                                                 {},
		"POST /account/tokens/:id/revoke":                              {},
		"POST /account/preferences":                                    {form: url.Values{"language": {"es"}, "time_zone": {"America/Bogota"}}},
		"POST /account/totp":                                           {},
		"POST /account/totp/confirm":                                   {form: url.Values{"code": {"123456"}}},
		"POST /account/totp/disable":                                   {form: url.Values{"code": {"123456"}}},
		"POST /api/v1/account/totp":                                    {json: map[string]any{}},
		"POST /api/v1/account/totp/confirm":                            {json: map[string]any{"code": "123456"}},
		"POST /account/sessions/:sid/end":                              {},
		"POST /account/passkeys/options":                               {},
		"POST /account/passkeys":                                       {form: url.Values{"name": {"Outsider key"}}},
		"POST /account/passkeys/:id/remove":                            {},
		"POST /admin/orgs/:id/second-factor":                           {form: url.Values{"required": {"true"}}},
		"POST /admin/users/:id/sessions/end":                           {},
		"POST /sso/start":                                              {form: url.Values{"email": {"someone@no-provider.test"}}},
		"POST /admin/sso":                                              {form: ssoProviderForm(w.buyer, "evil.test")},
		"POST /admin/sso/:id/delete":                                   {},
		"POST /admin/users/:id/second-factor/reset":                    {},
		"POST /language":                                               {form: url.Values{"lang": {"es"}, "next": {"/"}}},
		"DELETE /api/v1/tokens/:id":                                    {},
		"POST /shared-links":                                           {form: url.Values{"label": {"Outsider link"}, "year": {"2026"}}},
		"POST /shared-links/:id/revoke":                                {},
		"POST /api/v1/shared-links":                                    {json: map[string]any{"label": "Outsider link", "year": 2026}},
		"DELETE /api/v1/shared-links/:id":                              {},
		"POST /catalogue/import":                                       {file: true},
		"POST /tender-documents":                                       {file: true},
		"POST /api/v1/tender-documents":                                {file: true},
		"POST /tender-documents/:id/tender":                            {form: url.Values{"kinds": {"chosen"}, "profile": {"email-service"}}},
		"POST /tender-documents/:id/mail":                              {form: url.Values{"email": {"contact@buyer.test"}, "hash": {"0"}}},
		"POST /tenders/:id/analysis/mail":                              {form: url.Values{"email": {"contact@buyer.test"}, "hash": {"0"}}},
		"POST /api/v1/tender-documents/:id/mail":                       {json: map[string]string{"to": "contact@buyer.test", "hash": "0"}},
		"GET /tender-documents/:id/mail":                               {query: "email=contact@buyer.test"},
		"GET /tenders/:id/analysis/mail":                               {query: "email=contact@buyer.test"},
		"GET /api/v1/tender-documents/:id/mail-preview":                {query: "to=contact@buyer.test"},
		"POST /api/v1/tenders/:id/analysis/mail":                       {json: map[string]string{"to": "contact@buyer.test", "hash": "0"}},
		"GET /api/v1/tenders/:id/analysis/mail-preview":                {query: "to=contact@buyer.test"},
		"POST /tenders":                                                {form: url.Values{"title": {"Outsider tender"}, "buyer_org_id": {fmt.Sprint(w.buyer)}}},
		"POST /tenders/:id":                                            {form: url.Values{"title": {"Renamed by an outsider"}}},
		"POST /tenders/:id/requirements":                               {form: url.Values{"standard": {"dane"}, "level": {"mandatory"}}},
		"POST /tenders/:id/requirements/:rid/move":                     {form: url.Values{"direction": {"down"}}},
		"POST /tenders/:id/requirements/batch":                         {form: url.Values{"standards": {"dane", "spf"}, "level": {"mandatory"}}},
		"POST /tenders/:id/requirements/:rid":                          {form: url.Values{"level": {"recommended"}, "note": {"changed"}}},
		"POST /tenders/:id/requirements/:rid/delete":                   {},
		"POST /tenders/:id/profile":                                    {form: url.Values{"profile": {"website-hosting"}}},
		"POST /tenders/:id/monitor/kinds":                              {form: url.Values{"kinds": {"email-service"}, "kinds_form": {"1"}}},
		"POST /tenders/:id/monitor/omissions":                          {form: url.Values{"explanation_dnssec": {"changed by an outsider"}}},
		"POST /tenders/:id/publish":                                    {},
		"POST /tenders/:id/amend":                                      {},
		"POST /api/v1/tenders":                                         {json: map[string]any{"title": "Outsider tender", "buyer_org_id": w.buyer}},
		"POST /api/v1/tenders/:id/requirements":                        {json: map[string]any{"standard": "dane", "level": "mandatory"}},
		"POST /api/v1/tenders/:id/publish":                             {json: map[string]any{}},
		"POST /tenders/:id/invitations":                                {form: url.Values{"email": {"outsider@evil.test"}}},
		"POST /tenders/:id/invitations/:iid/revoke":                    {},
		"POST /api/v1/tenders/:id/invitations":                         {json: map[string]any{"email": "outsider@evil.test"}},
		"POST /supplier/invitations":                                   {form: url.Values{"email": {"colleague@evil.test"}}},
		"POST /attestations/:id/answers/:requirement_id":               {form: answer},
		"POST /attestations/:id/answers":                               {form: page},
		"POST /attestations/:id/scope":                                 {form: url.Values{"web": {"evil.test"}}},
		"POST /attestations/:id/evidence/:requirement_id":              {file: true},
		"POST /attestations/:id/evidence/:evidence_id/delete":          {},
		"POST /attestations/:id/submit":                                {form: url.Values{"declaration": {"yes"}, "declarer": {"Outsider"}}},
		"POST /attestations/:id/reopen":                                {},
		"PUT /api/v1/attestations/:id/scope":                           {json: map[string]any{"domains": []string{"evil.test"}}},
		"PUT /api/v1/attestations/:id/answers/:requirement_id":         {json: map[string]any{"status": "does_not_comply", "explanation": "changed by an outsider"}},
		"POST /api/v1/attestations/:id/evidence/:requirement_id":       {file: true},
		"POST /api/v1/attestations/:id/submit":                         {json: map[string]any{"declaration": true, "declarer": "Outsider"}},
		"POST /api/v1/attestations/:id/reopen":                         {json: map[string]any{}},
		"POST /attestations/:id/answers/:requirement_id/review":        {form: url.Values{"decision": {"clarify"}, "comment": {"Outsider asks"}}},
		"POST /attestations/:id/answers/:requirement_id/reply":         {form: url.Values{"reply": {"Outsider replies"}}},
		"POST /attestations/:id/answers/:requirement_id/amend":         {form: url.Values{"status": {"complies"}, "comment": {"x"}, "declaration": {"yes"}, "declarer": {"Outsider"}}},
		"POST /api/v1/attestations/:id/answers/:requirement_id/review": {json: map[string]any{"decision": "clarify", "comment": "Outsider asks"}},
		"POST /api/v1/attestations/:id/answers/:requirement_id/reply":  {json: map[string]any{"body": "Outsider replies"}},
		"POST /tenders/:id/review/accept":                              {form: url.Values{"answer": {fmt.Sprintf("%d-%d", w.att.ID, w.https)}, "confirm": {"yes"}}},
		"POST /tenders/:id/review/accept-confirmed":                    {},
		"POST /api/v1/tenders/:id/review/accept-confirmed":             {json: map[string]any{}},
		"POST /attestations/:id/verify":                                {},
		"POST /api/v1/attestations/:id/verify":                         {json: map[string]any{}},
		"POST /attestations/:id/self-check":                            {},
		"POST /api/v1/attestations/:id/self-check":                     {json: map[string]any{}},
		"POST /admin/orgs":                                             {form: url.Values{"name": {"Outsider Org"}, "kind": {"supplier"}}},
		"POST /admin/orgs/:id":                                         {form: url.Values{"name": {"Outsider Rename"}}},
		"POST /admin/users":                                            {form: url.Values{"email": {"outsider@evil.test"}, "name": {"Outsider"}, "password": {"a long outsider password"}, "role": {"admin"}}},
		"POST /admin/users/:id/disabled":                               {form: url.Values{"disabled": {"true"}}},
		"POST /admin/users/:id/password":                               {form: url.Values{"password": {"a long outsider password"}}},
		"GET /api/v1/attestations":                                     {query: fmt.Sprintf("tender_id=%d", w.tender.ID)},
		"GET /api/v1/audit":                                            {query: fmt.Sprintf("attestation_id=%d", w.att.ID)},
		"GET /audit":                                                   {query: fmt.Sprintf("attestation_id=%d", w.att.ID)},

		// The answer library.
		"POST /supplier/answers":                                          {form: url.Values{"standard": {"dnssec"}, "status": {"complies"}}},
		"POST /supplier/answers/:standing_id/delete":                      {},
		"POST /api/v1/attestations/:id/suggestions/:requirement_id/reuse": {json: map[string]any{"replace": true}},
	}
}

// send makes the request of route r with body b as client c.
func (c *client) send(method, p string, b authzBody, api bool) response {
	c.a.t.Helper()
	if b.query != "" {
		p += "?" + b.query
	}
	switch {
	case method == http.MethodGet:
		return c.get(p)
	case b.file:
		return c.upload(p, "file", "evidence.pdf", pdfBytes)
	case b.json != nil || api:
		raw, _ := jsonBytes(b.json)
		req := httptest.NewRequest(method, p, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		return c.do(req)
	default:
		form := cloneForm(b.form)
		if c.csrf != "" {
			form.Set("_csrf", c.csrf)
		}
		req := httptest.NewRequest(method, p, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return c.do(req)
	}
}

// authzCaller is one caller of the generated test.
type authzCaller struct {
	name, email string
	// outsider callers hold their role in another organisation.
	outsider bool
}

// TestNoRouteServesAnotherOrganisation is generated from the route table:
// every route is called by everyone who must be refused (a visitor, every
// role the route does not name, and an officer of another buyer and a
// vendor of another supplier even where their role is named), against the
// objects of the first buyer and supplier. Each call must be refused,
// leave the database as it was, and show none of the private marks.
func TestNoRouteServesAnotherOrganisation(t *testing.T) {
	t.Parallel()
	eachRoutePart(t, testNoRouteServesAnotherOrganisation)
}

func testNoRouteServesAnotherOrganisation(t *testing.T, db *gorm.DB, mine func(i int) bool) {
	a := newTestAppOn(t, db)
	w := newAuthzWorld(t, a)
	bodies := authzBodies(w)
	callers := []authzCaller{
		{"a visitor", "", false},
		{"the admin", "admin@demo.test", false},
		{"the buyer's officer", "officer@demo.test", false},
		{"the supplier's vendor", "vendor@demo.test", false},
		{"the auditor", "auditor@demo.test", false},
		{"an officer of another buyer", w.otherOfficer, true},
		{"a vendor of another supplier", w.otherVendor, true},
	}
	fp := newFingerprint(t, a.db)
	for i, r := range routeTable(a.h) {
		if !mine(i) {
			continue
		}
		key := r.method + " " + r.path
		if r.access == open || r.access == visitor {
			continue // no login: the bad-input test covers them
		}
		b, ok := bodies[key]
		if !ok && r.method != http.MethodGet {
			t.Errorf("route %s has no request in authzBodies; add the one an authorised caller would send", key)
			continue
		}
		// The catalogue is shared by all; every other parameter names a
		// record of some organisation.
		objectRoute := strings.Contains(strings.ReplaceAll(r.path, "/:slug", ""), "/:")
		for _, caller := range callers {
			role := ""
			if caller.email != "" {
				role = a.user(caller.email).Role
			}
			inRole := slices.Contains(r.roles, role)
			if inRole && !caller.outsider {
				continue // an allowed caller: the role tables check what it gets
			}
			t.Run(fmt.Sprintf("%s is refused to %s", key, caller.name), func(st *testing.T) {
				a.t = st
				defer func() { a.t = t }()
				t := st
				var c *client
				switch {
				case r.access == api:
					c = a.apiClient(caller.email)
				default:
					c = a.session(caller.email)
				}
				before := fp.take(t)
				home := w.owned(t)
				res := c.send(r.method, w.fill(t, r.path), b, r.access == api)
				for _, m := range marks {
					if strings.Contains(res.body, m) {
						t.Errorf("the answer (status %d) shows %q of the first buyer or supplier", res.status, m)
					}
				}
				if inRole && !objectRoute {
					// A list or a create in the outsider's own organisation is
					// allowed; it must not reach the first buyer's records.
					if got := w.owned(t); got != home {
						t.Errorf("status %d changed the first buyer's or supplier's records: %s -> %s", res.status, home, got)
					}
					return
				}
				refused := res.status == 401 || res.status == 403 || res.status == 404 ||
					res.status == 303 && caller.email == "" && strings.HasPrefix(res.header.Get("Location"), "/login")
				if !refused {
					t.Errorf("status %d, want a refusal (401, 403, 404)\n%s", res.status, errorText(res.body))
				}
				if after := fp.take(t); after != before {
					t.Errorf("the database changed: %s", fp.diff(before, after))
				}
			})
		}
	}
}

// owned counts the first buyer's and supplier's records, which no
// outsider's request may add to or take from.
func (w *authzWorld) owned(t *testing.T) string {
	t.Helper()
	var tenders, atts, users int64
	db := w.a.db
	if err := db.Model(&models.Tender{}).Where("buyer_org_id = ?", w.buyer).Count(&tenders).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Model(&models.Attestation{}).Where("supplier_org_id = ?", w.supplier).Count(&atts).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Model(&models.User{}).Where("org_id IN ?", []uint{w.buyer, w.supplier}).Count(&users).Error; err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("tenders=%d attestations=%d users=%d", tenders, atts, users)
}

// fingerprint counts every write to the database, so a test can assert
// that a request changed nothing: test-only triggers on every table
// bump a counter and name the table. Sessions, API tokens and login
// attempts are left out: the test's own callers create them. So are the
// stored PDFs: a GET of a published sheet stores its render, a copy of
// what it shows that changes nothing a reader sees.
type fingerprint struct {
	db *gorm.DB
}

func newFingerprint(t testing.TB, db *gorm.DB) *fingerprint {
	t.Helper()
	tables, err := db.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{"CREATE TABLE IF NOT EXISTS test_writes (n INTEGER NOT NULL, last TEXT NOT NULL)", "INSERT INTO test_writes VALUES (0, '')"}
	pg := db.Dialector.Name() == "postgres"
	if pg {
		stmts = append(stmts, `CREATE OR REPLACE FUNCTION test_writes_bump() RETURNS trigger AS $$
BEGIN UPDATE test_writes SET n = n + 1, last = TG_OP || ' ' || TG_TABLE_NAME; RETURN NULL; END $$ LANGUAGE plpgsql`)
	}
	for _, table := range tables {
		if slices.Contains([]string{"sessions", "api_tokens", "login_attempts", "stored_pdfs", "test_writes", "change_stamps"}, table) || strings.HasPrefix(table, "sqlite_") {
			continue
		}
		if pg {
			stmts = append(stmts, fmt.Sprintf("CREATE TRIGGER test_writes_%s AFTER INSERT OR UPDATE OR DELETE ON %q FOR EACH ROW EXECUTE FUNCTION test_writes_bump()", table, table))
			continue
		}
		for _, op := range []string{"INSERT", "UPDATE", "DELETE"} {
			stmts = append(stmts, fmt.Sprintf("CREATE TRIGGER IF NOT EXISTS test_writes_%s_%s AFTER %s ON %q BEGIN UPDATE test_writes SET n = n + 1, last = '%s %s'; END",
				table, strings.ToLower(op), op, table, op, table))
		}
	}
	for _, q := range stmts {
		if err := db.Exec(q).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return &fingerprint{db: db}
}

// take returns the number of writes so far and the last one.
func (f *fingerprint) take(t testing.TB) string {
	t.Helper()
	var row struct {
		N    int
		Last string
	}
	if err := f.db.Raw("SELECT n, last FROM test_writes").Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d writes, the last %s", row.N, row.Last)
}

// diff says what changed between two fingerprints.
func (f *fingerprint) diff(before, after string) string {
	return before + " -> " + after
}

// jsonBytes encodes v, or gives an empty object for nil.
func jsonBytes(v any) ([]byte, error) {
	if v == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(v)
}
