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

	"tenderprobe/app/jobs"
	"tenderprobe/app/jobs/jobstest"
	"tenderprobe/app/probe"
	"tenderprobe/app/probe/probetest"
	"tenderprobe/app/probecli"
	"tenderprobe/models"
)

// selfCheckDraft invites a vendor named after name to f's tender, answers
// every requirement "complies" with web and mail in scope and leaves the
// attestation a draft. It returns the attestation and the vendor's address.
func selfCheckDraft(t *testing.T, f *jobstest.Fixture, name string, web, mail []string) (uint, string) {
	t.Helper()
	ctx := context.Background()
	email := "vendor@" + strings.ReplaceAll(name, " ", "-") + ".example"
	inv, _, err := models.Invite(ctx, f.DB, f.Officer, f.Tender.ID, models.InviteInput{Email: email, Supplier: name}, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	vendor, err := models.FindUserByEmail(ctx, f.DB, email)
	if err != nil {
		t.Fatal(err)
	}
	tn, err := models.FindTender(ctx, f.DB, f.Tender.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range tn.Requirements {
		if _, err := models.SaveAnswer(ctx, f.DB, vendor, inv.AttestationID, r.ID, models.AnswerInput{Status: models.AnswerComplies}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := models.SetScope(ctx, f.DB, vendor, inv.AttestationID, web, mail, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	return inv.AttestationID, strings.ToLower(email)
}

// TestTheSelfCheckShowsTheContradictionBeforeSubmission walks a vendor
// through a self-check against the loopback internet: a vendor that
// answers "complies" for HSTS and DMARC on a domain that has neither sees
// the contradiction per requirement and a warning in the submit step, must
// confirm it to submit, and the buyer sees nothing of it.
func TestTheSelfCheckShowsTheContradictionBeforeSubmission(t *testing.T) {
	t.Parallel()
	tb := probetest.NewTestbed(t)
	a := newTestApp(t)
	// The sessions and tokens of the test app are made at testNow.
	clock := testNow
	a.h.Now = func() time.Time { return clock }
	f := jobstest.New(t, a.db, verifySlugs...)
	id, vendor := selfCheckDraft(t, f, "Broken Hosting", []string{probetest.BrokenDomain}, []string{probetest.BrokenDomain})
	ctx := context.Background()
	colleague := "colleague@broken-hosting.example"
	att, err := models.FindAttestation(ctx, a.db, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.CreateUser(ctx, a.db, nil, colleague, "Colleague", "correct horse battery 1", models.RoleVendor, &att.SupplierOrgID, time.Now()); err != nil {
		t.Fatal(err)
	}
	tn, err := models.FindTender(ctx, a.db, f.Tender.ID)
	if err != nil {
		t.Fatal(err)
	}
	reqs := map[string]uint{}
	for _, r := range tn.Requirements {
		reqs[r.Standard.Slug] = r.ID
	}
	cfg, err := probecli.BuildConfig(ctx, jobstest.Settings(tb))
	if err != nil {
		t.Fatal(err)
	}
	engine, err := probe.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	pool := jobs.New(a.db, engine, nil, nil, jobs.Config{Now: func() time.Time { return clock }})
	work := func(t *testing.T) {
		t.Helper()
		for {
			ran, err := pool.RunOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !ran {
				return
			}
		}
	}
	page := fmt.Sprintf("/attestations/%d", id)
	start := fmt.Sprintf("/api/v1/attestations/%d/self-check", id)

	t.Run("before any self-check the page says so and offers the button", func(t *testing.T) {
		res := a.session(vendor).get(page)
		for _, want := range []string{`id="self-check-none"`, `id="self-check-start"`, `action="/attestations/` + fmt.Sprint(id) + `/self-check"`, `id="selfcheck-submit-none"`} {
			if res.status != 200 || !strings.Contains(res.body, want) {
				t.Errorf("page %d has no %s", res.status, want)
			}
		}
		if strings.Contains(res.body, `id="selfcheck-warnings"`) {
			t.Error("warnings before any self-check")
		}
	})
	t.Run("the buyer's officer does not see the self-check section", func(t *testing.T) {
		res := a.session("officer@buyer.test").get(page)
		if res.status != 200 || strings.Contains(res.body, `id="self-check"`) {
			t.Errorf("officer's page %d shows the self-check", res.status)
		}
	})

	var runID uint
	t.Run("who may start a self-check", func(t *testing.T) {
		tests := []struct {
			name   string
			email  string
			status int
		}{
			{"an anonymous caller must authenticate", "", 401},
			{"the buyer's officer may not", "officer@buyer.test", 403},
			{"an admin may not", "admin@demo.test", 403},
			{"an auditor may not", "auditor@demo.test", 403},
			{"a vendor of another supplier does not see the attestation", "vendor@demo.test", 404},
			{"the attestation's vendor starts one", vendor, 202},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := a.apiClient(tt.email).postJSON(start, map[string]any{})
				if res.status != tt.status {
					t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
				}
				if tt.status != 202 {
					return
				}
				var doc struct {
					RunID uint `json:"run_id"`
				}
				if !strings.HasPrefix(res.body, `{"run_id":`) || strings.Count(res.body, ":") != 1 {
					t.Errorf("body %s, want exactly {\"run_id\":N}", res.body)
				}
				doc.RunID = uint(res.json(t)["run_id"].(float64))
				runID = doc.RunID
				if loc := res.header.Get("Location"); loc != fmt.Sprintf("/api/v1/probe-runs/%d", runID) {
					t.Errorf("Location %q", loc)
				}
			})
		}
	})
	if runID == 0 {
		t.Fatal("no self-check was started")
	}

	t.Run("a second one within the minute answers 429 with Retry-After", func(t *testing.T) {
		clock = clock.Add(20 * time.Second)
		res := a.apiClient(colleague).postJSON(start, map[string]any{})
		if res.status != 429 || res.header.Get("Retry-After") != "40" {
			t.Fatalf("status %d, Retry-After %q, want 429 and 40: %s", res.status, res.header.Get("Retry-After"), res.body)
		}
		doc := res.json(t)
		if doc["code"] != "selfcheck.too_soon" || !strings.Contains(fmt.Sprint(doc["error"]), "40 seconds") {
			t.Errorf("error document %v", doc)
		}
	})
	t.Run("the button within the minute says in the reader's language how long to wait", func(t *testing.T) {
		c := a.session(vendor)
		req := httptest.NewRequest(http.MethodPost, page+"/self-check", strings.NewReader(url.Values{"_csrf": {c.csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept-Language", "nl")
		res := c.do(req)
		if res.status != 429 || !strings.Contains(res.body, `id="self-check-refused"`) || !strings.Contains(res.body, "over 40 seconden") {
			t.Errorf("status %d; the page does not say to wait 40 seconds in Dutch", res.status)
		}
	})

	work(t)
	runPath := fmt.Sprintf("/api/v1/probe-runs/%d", runID)
	t.Run("only the vendors read the self-check run", func(t *testing.T) {
		tests := []struct {
			name   string
			email  string
			status int
		}{
			{"the vendor reads it", vendor, 200},
			{"a colleague reads it", colleague, 200},
			{"the buyer's officer does not see it", "officer@buyer.test", 404},
			{"an auditor does not see it", "auditor@demo.test", 404},
			{"an admin does not see it", "admin@demo.test", 404},
			{"another vendor does not see it", "vendor@demo.test", 404},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := a.apiClient(tt.email).get(runPath)
				if res.status != tt.status {
					t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
				}
				if tt.status == 200 {
					doc := res.json(t)
					if doc["reason"] != models.RunReasonSelf || doc["status"] != models.RunDone {
						t.Errorf("run %v %v", doc["reason"], doc["status"])
					}
				}
			})
		}
		if res := a.session("officer@buyer.test").get(fmt.Sprintf("/probe-runs/%d", runID)); res.status != 404 {
			t.Errorf("the officer got the self-check's run page: %d", res.status)
		}
		if res := a.session(vendor).get(fmt.Sprintf("/probe-runs/%d", runID)); res.status != 200 || !strings.Contains(res.body, page+"#self-check") {
			t.Errorf("the vendor's run page %d does not lead back to the attestation", res.status)
		}
	})

	t.Run("the page shows per requirement what the probes say", func(t *testing.T) {
		res := a.session(vendor).get(page)
		if res.status != 200 {
			t.Fatalf("status %d", res.status)
		}
		outcome := func(slug string) string {
			marker := fmt.Sprintf(`id="self-check-%d-outcome">`, reqs[slug])
			i := strings.Index(res.body, marker)
			if i < 0 {
				t.Fatalf("no outcome for %s", slug)
			}
			rest := res.body[i+len(marker):]
			return rest[:strings.Index(rest, "<")]
		}
		want := map[string]string{"hsts": "problem found", "dmarc": "problem found", "tls": "probes pass", "iso-27001": "no probe for this standard"}
		for slug, w := range want {
			if got := outcome(slug); got != w {
				t.Errorf("%s: %q, want %q", slug, got, w)
			}
		}
		row := res.body[strings.Index(res.body, fmt.Sprintf(`id="self-check-%d"`, reqs["hsts"])):]
		row = row[:strings.Index(row, "</tr>")]
		if !strings.Contains(row, "Contradicts your answer") || !strings.Contains(row, probetest.BrokenDomain) || !strings.Contains(row, `href="/catalogue/hsts"`) {
			t.Errorf("the HSTS row does not show the contradiction with its evidence: %s", row)
		}
		if strings.Contains(res.body, `id="self-check-stale"`) {
			t.Error("a fresh self-check is called out of date")
		}
	})
	t.Run("the submit step warns per contradicted answer with the evidence and the standard's page", func(t *testing.T) {
		res := a.session(vendor).get(page)
		i := strings.Index(res.body, `id="selfcheck-warnings"`)
		if i < 0 {
			t.Fatal("no warnings in the submit step")
		}
		box := res.body[i:]
		box = box[:strings.Index(box, `id="selfcheck-confirm"`)]
		for _, slug := range []string{"hsts", "dmarc"} {
			if !strings.Contains(box, fmt.Sprintf(`id="selfcheck-warning-%d"`, reqs[slug])) || !strings.Contains(box, `href="/catalogue/`+slug+`"`) {
				t.Errorf("no warning with a link to the standard for %s", slug)
			}
		}
		if strings.Contains(box, fmt.Sprintf(`id="selfcheck-warning-%d"`, reqs["tls"])) {
			t.Error("a warning for TLS, which passed")
		}
		if !strings.Contains(box, "The probes contradict 2 of your answers") {
			t.Error("the warnings do not say how many answers they contradict")
		}
	})

	t.Run("the buyer sees nothing of the failing self-check", func(t *testing.T) {
		officer := a.session("officer@buyer.test")
		if run, err := models.LatestRun(ctx, a.db, id); err != nil || run != nil {
			t.Errorf("latest run %v %v, want none", run, err)
		}
		res := officer.get(page)
		if res.status != 200 || strings.Contains(res.body, "verdict-contradicted") || strings.Contains(res.body, fmt.Sprintf(`id="answer-%d-verdict"`, reqs["hsts"])) {
			t.Errorf("the officer's attestation page %d shows a verdict", res.status)
		}
		matrix := officer.get(fmt.Sprintf("/tenders/%d/review", f.Tender.ID))
		if matrix.status != 200 || strings.Contains(matrix.body, `class="cell-contradicted"`) {
			t.Errorf("the matrix %d colours a cell", matrix.status)
		}
		if dash := officer.get("/"); strings.Contains(dash.body, "Broken Hosting") && strings.Contains(dash.body, `id="contradicted-claims"`) {
			t.Error("the dashboard lists the self-check's contradictions")
		}
		doc := a.apiClient("officer@buyer.test").get(fmt.Sprintf("/api/v1/attestations/%d", id))
		if strings.Contains(doc.body, `"verification":{`) {
			t.Errorf("the API shows a verification: %s", doc.body)
		}
		verification := officer.get(page + "/verification")
		if strings.Contains(verification.body, fmt.Sprintf("/probe-runs/%d", runID)) {
			t.Error("the verification page lists the self-check")
		}
	})

	t.Run("submitting without confirming the warnings is refused", func(t *testing.T) {
		c := a.session(vendor)
		form := url.Values{"intent": {"submit"}, "declaration": {"yes"}, "declarer": {"Vera Vendor"}}
		res := c.post(page+"/answers", form)
		if res.status != 422 || !strings.Contains(res.body, `id="selfcheck-confirm-error"`) {
			t.Errorf("status %d; want 422 asking to confirm the warnings", res.status)
		}
		res = c.post(page+"/submit", form)
		if res.status != 422 || !strings.Contains(res.body, `id="selfcheck-confirm-error"`) {
			t.Errorf("the submit route: status %d; want 422 asking to confirm the warnings", res.status)
		}
		if a, err := models.FindAttestation(ctx, a.db, id); err != nil || a.Submitted() {
			t.Fatalf("submitted without confirming (%v)", err)
		}
	})
	t.Run("confirming the warnings submits", func(t *testing.T) {
		form := url.Values{"intent": {"submit"}, "declaration": {"yes"}, "declarer": {"Vera Vendor"}, "selfcheck_confirm": {"yes"}}
		res := a.session(vendor).post(page+"/answers", form)
		if res.status != 303 || !strings.Contains(res.header.Get("Location"), "flash=submitted") {
			t.Fatalf("status %d %s", res.status, res.header.Get("Location"))
		}
	})

	work(t) // the buyer's verification of the submission
	buyerRun, err := models.LatestRun(ctx, a.db, id)
	if err != nil || buyerRun == nil || buyerRun.Reason != models.RunReasonSubmitted || buyerRun.Status != models.RunDone {
		t.Fatalf("the buyer's run %+v %v", buyerRun, err)
	}
	t.Run("after the minute the vendor may check again, and the newer self-check hides nothing of the buyer's", func(t *testing.T) {
		clock = clock.Add(41 * time.Second) // 61 s after the first
		res := a.apiClient(vendor).postJSON(start, map[string]any{})
		if res.status != 202 {
			t.Fatalf("status %d: %s", res.status, res.body)
		}
		work(t)
		if latest, err := models.LatestRun(ctx, a.db, id); err != nil || latest.ID != buyerRun.ID {
			t.Errorf("latest run %v %v, want the buyer's %d", latest, err, buyerRun.ID)
		}
		doc := a.apiClient("officer@buyer.test").get(fmt.Sprintf("/api/v1/attestations/%d", id)).json(t)
		for _, x := range doc["answers"].([]any) {
			v, _ := x.(map[string]any)["verification"].(map[string]any)
			if v == nil || v["run_id"] != float64(buyerRun.ID) {
				t.Errorf("verification %v, want the buyer's run %d", v, buyerRun.ID)
			}
		}
	})
}

// TestTheAPISubmitAnswersWithTheSelfChecksWarnings checks that the API
// submits without a confirmation and lists the warnings, and that a scope
// changed since the self-check makes it out of date.
func TestTheAPISubmitAnswersWithTheSelfChecksWarnings(t *testing.T) {
	t.Parallel()
	tb := probetest.NewTestbed(t)
	a := newTestApp(t)
	f := jobstest.New(t, a.db, verifySlugs...)
	id, vendor := selfCheckDraft(t, f, "Broken Mail", []string{probetest.BrokenDomain}, []string{probetest.BrokenDomain})
	ctx := context.Background()
	cfg, err := probecli.BuildConfig(ctx, jobstest.Settings(tb))
	if err != nil {
		t.Fatal(err)
	}
	engine, err := probe.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	pool := jobs.New(a.db, engine, nil, nil, jobs.Config{})
	if res := a.apiClient(vendor).postJSON(fmt.Sprintf("/api/v1/attestations/%d/self-check", id), map[string]any{}); res.status != 202 {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	for {
		ran, err := pool.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !ran {
			break
		}
	}
	v, err := models.FindUserByEmail(ctx, a.db, vendor)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.SetScope(ctx, a.db, v, id, []string{probetest.BrokenDomain, probetest.GoodDomain}, []string{probetest.BrokenDomain}, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	t.Run("a scope changed since the self-check makes it out of date", func(t *testing.T) {
		res := a.session(vendor).get(fmt.Sprintf("/attestations/%d", id))
		if !strings.Contains(res.body, `id="self-check-stale"`) || !strings.Contains(res.body, `id="selfcheck-warnings-stale"`) {
			t.Errorf("page %d does not say the self-check is out of date", res.status)
		}
	})
	t.Run("the API submits and lists the warnings", func(t *testing.T) {
		res := a.apiClient(vendor).postJSON(fmt.Sprintf("/api/v1/attestations/%d/submit", id), map[string]any{"declaration": true, "declarer": "Vera Vendor"})
		if res.status != 200 {
			t.Fatalf("status %d: %s", res.status, res.body)
		}
		doc := res.json(t)
		if doc["status"] != "submitted" || doc["receipt"] == nil {
			t.Errorf("the answer lost its fields: %v", doc)
		}
		warnings, _ := doc["warnings"].([]any)
		got := map[string]map[string]any{}
		for _, w := range warnings {
			m := w.(map[string]any)
			got[m["standard"].(string)] = m
		}
		if len(got) != 2 || got["hsts"] == nil || got["dmarc"] == nil {
			t.Fatalf("warnings %v, want hsts and dmarc", warnings)
		}
		hsts := got["hsts"]
		checks, _ := hsts["checks"].([]any)
		if hsts["howto_url"] != "/catalogue/hsts" || hsts["out_of_date"] != true || len(checks) == 0 ||
			checks[0].(map[string]any)["domain"] != probetest.BrokenDomain || checks[0].(map[string]any)["message"] == "" {
			t.Errorf("HSTS warning %v", hsts)
		}
	})
}
