package app

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// libSupplier is a supplier organisation of its own with one vendor, so
// the answer library's tests do not depend on the demo's answers.
type libSupplier struct {
	a      *testApp
	org    *models.Org
	vendor *models.User
}

func newLibSupplier(t testing.TB, a *testApp, name string) *libSupplier {
	t.Helper()
	ctx := context.Background()
	n := next()
	org, err := models.CreateOrg(ctx, a.db, nil, fmt.Sprintf("%s %d", name, n), models.OrgSupplier, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	email := fmt.Sprintf("vendor%d@library%d.test", n, n)
	if _, err := models.CreateUser(ctx, a.db, nil, email, name+" Vendor", "a long library password", models.RoleVendor, &org.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	return &libSupplier{a: a, org: org, vendor: a.user(email)}
}

// libReq is one requirement of a library test's tender.
type libReq struct {
	slug, clause string
}

// tender publishes a tender of the demo buyer with reqs (a custom clause
// when given) and invites s; it returns the attestation (with answers)
// and the requirement ids by slug.
func (s *libSupplier) tender(t testing.TB, lang string, reqs ...libReq) (*models.Attestation, map[string]uint) {
	t.Helper()
	ctx, a := context.Background(), s.a
	officer := a.user("officer@demo.test")
	tn, err := models.CreateTender(ctx, a.db, officer, models.TenderInput{Title: fmt.Sprintf("Library tender %d", next()), Reference: fmt.Sprintf("LIB-%d", next()),
		Language: lang, Deadline: ptrTime(testNow.Add(10 * 24 * time.Hour))}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reqs {
		if _, err := models.AddRequirement(ctx, a.db, dbtest.ManagerOf(a.db, tn.ID), tn.ID, models.RequirementInput{Standard: r.slug, Level: models.LevelMandatory, CustomClause: r.clause}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := models.PublishTender(ctx, a.db, dbtest.ManagerOf(a.db, tn.ID), tn.ID, testNow); err != nil {
		t.Fatal(err)
	}
	inv, _, err := models.Invite(ctx, a.db, officer, tn.ID, models.InviteInput{Email: s.vendor.Email}, time.Hour, testNow)
	if err != nil {
		t.Fatal(err)
	}
	att, err := models.FindAttestation(ctx, a.db, inv.AttestationID)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]uint{}
	for _, an := range att.Answers {
		ids[an.Requirement.Standard.Slug] = an.RequirementID
	}
	return att, ids
}

// answer saves answers by slug, the scope web, and submits at when set.
func (s *libSupplier) answer(t testing.TB, att *models.Attestation, ids map[string]uint, answers map[string]models.AnswerInput, web []string, at *time.Time) {
	t.Helper()
	ctx, a := context.Background(), s.a
	for slug, in := range answers {
		if _, err := models.SaveAnswer(ctx, a.db, s.vendor, att.ID, ids[slug], in, testNow); err != nil {
			t.Fatal(err)
		}
	}
	if web != nil {
		if _, err := models.SetScope(ctx, a.db, s.vendor, att.ID, web, nil, nil, testNow); err != nil {
			t.Fatal(err)
		}
	}
	if at != nil {
		if _, err := models.Submit(ctx, a.db, s.vendor, att.ID, models.SubmitInput{Declaration: true, Declarer: "Library Vendor"}, *at); err != nil {
			t.Fatal(err)
		}
	}
}

// file stores content as file evidence of requirement rid.
func (s *libSupplier) file(t testing.TB, att *models.Attestation, rid uint, name string, content []byte) *models.Evidence {
	t.Helper()
	st, err := s.a.h.Attest.Store.Stage(bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := models.AddFileEvidence(context.Background(), s.a.db, s.vendor, att.ID, rid,
		models.FileEvidence{FileName: name, ContentType: st.ContentType, Size: st.Size, SHA256: st.SHA256, StoragePath: st.RelPath}, nil, st.Commit, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// standing saves a standing answer of s.
func (s *libSupplier) standing(t testing.TB, in models.StandingInput) *models.StandingAnswer {
	t.Helper()
	sa, err := models.SaveStanding(context.Background(), s.a.db, s.vendor, in, nil, nil, nil, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return sa
}

func at(d time.Duration) *time.Time { t := testNow.Add(d); return &t }

func suggestionsOf(t testing.TB, a *testApp, email string, attID uint) (int, []any) {
	t.Helper()
	res := a.apiClient(email).get(fmt.Sprintf("/api/v1/attestations/%d/suggestions", attID))
	if res.status != 200 {
		return res.status, nil
	}
	list, _ := res.json(t)["suggestions"].([]any)
	return res.status, list
}

func TestSuggestionsOfferTheBestEarlierAnswerOfTheSameSupplier(t *testing.T) {
	t.Parallel()
	demo.Each(t, testSuggestionsOfferTheBestEarlierAnswer)
}

func testSuggestionsOfferTheBestEarlierAnswer(t *testing.T, db *gorm.DB) {
	a := newTestAppOn(t, db).withEvidenceStore()
	acme := newLibSupplier(t, a, "Library Acme")
	// Last year's tender, answered and submitted; and a later one.
	old, oldIDs := acme.tender(t, "en", libReq{slug: "dnssec"}, libReq{slug: "https"}, libReq{slug: "spf"})
	acme.answer(t, old, oldIDs, map[string]models.AnswerInput{
		"dnssec": {Status: "partial", Explanation: "Signing in June", PlannedDate: "2026-06-30"},
		"https":  {Status: "complies", Explanation: "HTTPS everywhere, old"},
		"spf":    {Status: "complies"},
	}, []string{"www.acme-library.test"}, at(-48*time.Hour))
	later, laterIDs := acme.tender(t, "en", libReq{slug: "https"}, libReq{slug: "dmarc"})
	acme.answer(t, later, laterIDs, map[string]models.AnswerInput{"https": {Status: "complies", Explanation: "HTTPS everywhere, new"}, "dmarc": {Status: "complies"}}, nil, at(-24*time.Hour))
	// A draft that was never submitted does not count.
	draft, draftIDs := acme.tender(t, "en", libReq{slug: "spf"})
	acme.answer(t, draft, draftIDs, map[string]models.AnswerInput{"spf": {Status: "does_not_comply", Explanation: "DRAFT ONLY"}}, nil, nil)
	// Standing answers: a live one for DANE beats nothing, an expired one
	// for spf is not offered, so spf falls back to the tender answer.
	acme.standing(t, models.StandingInput{Standard: "dane", ValidUntil: "2026-12-31", AnswerInput: models.AnswerInput{Status: "complies", Explanation: "Standing DANE", EvidenceURL: "https://acme.example/dane"}})
	expired := acme.standing(t, models.StandingInput{Standard: "spf", AnswerInput: models.AnswerInput{Status: "not_applicable", Explanation: "EXPIRED STANDING"}})
	if err := a.db.Model(expired).Update("valid_until", "2026-02-01").Error; err != nil {
		t.Fatal(err)
	}
	// Another supplier answers the same standards in the same tender.
	nord := newLibSupplier(t, a, "Library Nordwind")
	nAtt, nIDs := nord.tender(t, "en", libReq{slug: "dnssec"}, libReq{slug: "https"}, libReq{slug: "dane"})
	nord.answer(t, nAtt, nIDs, map[string]models.AnswerInput{"dnssec": {Status: "complies", Explanation: "NORDWIND SECRET"},
		"https": {Status: "complies", Explanation: "NORDWIND SECRET"}, "dane": {Status: "complies", Explanation: "NORDWIND SECRET"}}, nil, at(-time.Hour))

	fresh, _ := acme.tender(t, "en", libReq{slug: "dnssec"}, libReq{slug: "https"}, libReq{slug: "spf"}, libReq{slug: "dane"}, libReq{slug: "dmarc"}, libReq{slug: "ipv6"})
	status, list := suggestionsOf(t, a, acme.vendor.Email, fresh.ID)
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	got := map[string]map[string]any{}
	for _, s := range list {
		m := s.(map[string]any)
		got[m["standard"].(string)] = m
	}
	cases := []struct {
		name, standard, source, explanation string
		from                                uint
	}{
		{"a standard answered once comes from that tender", "dnssec", "attestation", "Signing in June", old.ID},
		{"of two submitted answers the most recent wins", "https", "attestation", "HTTPS everywhere, new", later.ID},
		{"an expired standing answer gives way to the tender answer, and a draft never counts", "spf", "attestation", "", old.ID},
		{"a live standing answer is offered with from_attestation 0", "dane", "standing", "Standing DANE", 0},
		{"the later tender's standard is offered too", "dmarc", "attestation", "", later.ID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, ok := got[c.standard]
			if !ok {
				t.Fatalf("no suggestion for %s in %v", c.standard, list)
			}
			if s["source"] != c.source || s["explanation"] != c.explanation || uint(s["from_attestation"].(float64)) != c.from {
				t.Errorf("suggestion %v, want source %s, explanation %q, from %d", s, c.source, c.explanation, c.from)
			}
		})
	}
	t.Run("a standard never answered has no suggestion", func(t *testing.T) {
		if _, ok := got["ipv6"]; ok || len(list) != 5 {
			t.Errorf("%d suggestions: %v", len(list), list)
		}
	})
	t.Run("an earlier answer carries its planned date and the scope of its version", func(t *testing.T) {
		s := got["dnssec"]
		doms, _ := s["domains"].([]any)
		if s["planned_date"] != "2026-06-30" || len(doms) != 1 || doms[0].(map[string]any)["name"] != "www.acme-library.test" {
			t.Errorf("%v", s)
		}
		if ev, _ := got["dane"]["evidence"].([]any); len(ev) != 1 || ev[0].(map[string]any)["url"] != "https://acme.example/dane" {
			t.Errorf("the standing answer's evidence: %v", got["dane"]["evidence"])
		}
	})
	t.Run("nothing of another supplier, nor of a draft, is offered", func(t *testing.T) {
		res := a.apiClient(acme.vendor.Email).get(fmt.Sprintf("/api/v1/attestations/%d/suggestions", fresh.ID))
		for _, mark := range []string{"NORDWIND SECRET", "DRAFT ONLY", "EXPIRED STANDING"} {
			if strings.Contains(res.body, mark) {
				t.Errorf("the suggestions show %q", mark)
			}
		}
		page := a.session(acme.vendor.Email).get(fmt.Sprintf("/attestations/%d", fresh.ID))
		for _, mark := range []string{"NORDWIND SECRET", "DRAFT ONLY", "EXPIRED STANDING"} {
			if strings.Contains(page.body, mark) {
				t.Errorf("the page shows %q", mark)
			}
		}
		if !strings.Contains(page.body, "Signing in June") || !strings.Contains(page.body, `id="reuse-all"`) {
			t.Errorf("the page should offer the suggestions: %s", errorText(page.body))
		}
	})
	t.Run("the other supplier's suggestions hold only its own answers", func(t *testing.T) {
		nFresh, _ := nord.tender(t, "en", libReq{slug: "dnssec"}, libReq{slug: "dmarc"})
		_, list := suggestionsOf(t, a, nord.vendor.Email, nFresh.ID)
		if len(list) != 1 || list[0].(map[string]any)["explanation"] != "NORDWIND SECRET" {
			t.Errorf("%v", list)
		}
	})
	t.Run("who may read an attestation's suggestions", func(t *testing.T) {
		for _, c := range []struct {
			who, email string
			want       int
		}{
			{"a vendor of another supplier gets 404", nord.vendor.Email, 404},
			{"the demo's other vendor gets 404", "vendor2@demo.test", 404},
			{"the buyer's officer gets 403", "officer@demo.test", 403},
			{"the auditor gets 403", "auditor@demo.test", 403},
			{"the admin gets 403", "admin@demo.test", 403},
		} {
			if status, _ := suggestionsOf(t, a, c.email, fresh.ID); status != c.want {
				t.Errorf("%s: status %d, want %d", c.who, status, c.want)
			}
		}
		page := a.session("officer@demo.test").get(fmt.Sprintf("/attestations/%d", fresh.ID))
		if page.status != 200 || strings.Contains(page.body, "library-suggestion") || strings.Contains(page.body, "Signing in June") {
			t.Errorf("the officer's page (status %d) must show no suggestion", page.status)
		}
	})
}

func TestReuseFillsTheDraftAndNeverOverwritesSilently(t *testing.T) {
	t.Parallel()
	a := newTestApp(t).withEvidenceStore()
	acme := newLibSupplier(t, a, "Reuse Acme")
	old, oldIDs := acme.tender(t, "en", libReq{slug: "dnssec"}, libReq{slug: "https"}, libReq{slug: "iso-27001"})
	acme.answer(t, old, oldIDs, map[string]models.AnswerInput{
		"dnssec":    {Status: "partial", Explanation: "Signing the zone in Q2", PlannedDate: "2026-03-05"},
		"https":     {Status: "complies", Explanation: "All sites on HTTPS", EvidenceURL: "https://acme.example/https"},
		"iso-27001": {Status: "complies", Explanation: "Certified"},
	}, []string{"www.reuse-acme.test"}, nil)
	cert := acme.file(t, old, oldIDs["iso-27001"], "iso-certificate.pdf", pdfBytes)
	acme.answer(t, old, oldIDs, nil, nil, at(-time.Hour))

	fresh, ids := acme.tender(t, "en", libReq{slug: "dnssec"}, libReq{slug: "https"}, libReq{slug: "iso-27001"})
	c := a.session(acme.vendor.Email)
	page := func() response { return c.get(fmt.Sprintf("/attestations/%d", fresh.ID)) }
	send := func(form url.Values) response { return c.post(fmt.Sprintf("/attestations/%d/answers", fresh.ID), form) }
	answerOf := func(slug string) models.Answer {
		t.Helper()
		att, err := models.FindAttestation(context.Background(), a.db, fresh.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, an := range att.Answers {
			if an.RequirementID == ids[slug] {
				return an
			}
		}
		t.Fatalf("no answer to %s", slug)
		return models.Answer{}
	}

	t.Run("one action fills the answer, its evidence, and the empty scope", func(t *testing.T) {
		res := send(url.Values{"reuse": {fmt.Sprint(ids["iso-27001"])}})
		if res.status != 303 || !strings.Contains(res.header.Get("Location"), "flash=library_reused_scope") {
			t.Fatalf("status %d %s: %s", res.status, res.header.Get("Location"), errorText(res.body))
		}
		an := answerOf("iso-27001")
		if an.Status != "complies" || an.Explanation != "Certified" || len(an.Evidence) != 1 {
			t.Fatalf("answer %+v", an)
		}
		if ev := an.Evidence[0]; ev.SHA256 != cert.SHA256 || ev.StoragePath != cert.StoragePath || ev.ID == cert.ID {
			t.Errorf("the reused file should be a new row sharing the stored file: %+v vs %+v", ev, cert)
		}
		if got := fresh.ID; got == 0 {
			t.Fatal("no attestation")
		}
		att, _ := models.FindAttestation(context.Background(), a.db, fresh.ID)
		if names := att.ScopeNames(models.ScopeWeb); len(names) != 1 || names[0] != "www.reuse-acme.test" {
			t.Errorf("scope %v, want the earlier one", names)
		}
		dl := c.get(fmt.Sprintf("/attestations/%d/evidence/%d", fresh.ID, an.Evidence[0].ID))
		if dl.status != 200 || dl.body != string(pdfBytes) {
			t.Errorf("download of the reused file: status %d", dl.status)
		}
	})
	t.Run("a planned date that has passed is left out", func(t *testing.T) {
		// The date was in the future when it was submitted; it is not now.
		if err := a.db.Model(&models.Answer{}).Where("attestation_id = ? AND requirement_id = ?", old.ID, oldIDs["dnssec"]).Update("planned_date", "2026-02-01").Error; err != nil {
			t.Fatal(err)
		}
		res := send(url.Values{"reuse": {fmt.Sprint(ids["dnssec"])}})
		if res.status != 303 || !strings.Contains(res.header.Get("Location"), "flash=library_reused_no_date") {
			t.Fatalf("status %d %s", res.status, res.header.Get("Location"))
		}
		if an := answerOf("dnssec"); an.Status != "partial" || an.PlannedDate != "" {
			t.Errorf("%+v", an)
		}
	})
	t.Run("an answer typed on the page is saved and kept, and the reuse refused with the reason", func(t *testing.T) {
		rid := ids["https"]
		res := send(url.Values{fmt.Sprintf("status-%d", rid): {"partial"}, fmt.Sprintf("explanation-%d", rid): {"Typed by hand"}, "reuse": {fmt.Sprint(rid)}})
		if res.status != 422 || !strings.Contains(res.body, "already has an answer, which was kept") {
			t.Fatalf("status %d: %s", res.status, errorText(res.body))
		}
		if an := answerOf("https"); an.Status != "partial" || an.Explanation != "Typed by hand" || len(an.Evidence) != 0 {
			t.Errorf("%+v", an)
		}
		if !strings.Contains(page().body, "Replace my answer with this one") {
			t.Error("an answered requirement should offer the explicit replace")
		}
	})
	t.Run("replacing is an explicit action and keeps the vendor's evidence", func(t *testing.T) {
		rid := ids["https"]
		if _, err := models.SaveAnswer(context.Background(), a.db, acme.vendor, fresh.ID, rid, models.AnswerInput{Status: "partial", Explanation: "Typed by hand", EvidenceURL: "https://acme.example/mine"}, testNow); err != nil {
			t.Fatal(err)
		}
		res := send(url.Values{"reuse_replace": {fmt.Sprint(rid)}})
		if res.status != 303 {
			t.Fatalf("status %d: %s", res.status, errorText(res.body))
		}
		an := answerOf("https")
		if an.Status != "complies" || an.Explanation != "All sites on HTTPS" || len(an.Evidence) != 2 {
			t.Errorf("%+v", an)
		}
		if body := page().body; !strings.Contains(body, "your answer says the same") || strings.Contains(body, fmt.Sprintf(`id="reuse-%d"`, rid)) {
			t.Error("a reused answer should say it is the same and offer no button")
		}
	})
	t.Run("a page with a refused answer reuses nothing until it is corrected", func(t *testing.T) {
		other, otherIDs := acme.tender(t, "en", libReq{slug: "dnssec"})
		rid := otherIDs["dnssec"]
		res := c.post(fmt.Sprintf("/attestations/%d/answers", other.ID), url.Values{fmt.Sprintf("status-%d", rid): {"partial"},
			fmt.Sprintf("explanation-%d", rid): {"Typed"}, fmt.Sprintf("planned_date-%d", rid): {"2020-01-01"}, "reuse": {fmt.Sprint(rid)}})
		got, _ := models.FindAttestation(context.Background(), a.db, other.ID)
		if res.status != 422 || got.Answers[0].Answered() || !strings.Contains(res.body, `value="Typed"`) && !strings.Contains(res.body, ">Typed<") {
			t.Errorf("status %d, stored %+v", res.status, got.Answers[0])
		}
	})
	t.Run("using all suggested answers fills only unanswered requirements", func(t *testing.T) {
		again, againIDs := acme.tender(t, "en", libReq{slug: "dnssec"}, libReq{slug: "https"}, libReq{slug: "ipv6"})
		if _, err := models.SaveAnswer(context.Background(), a.db, acme.vendor, again.ID, againIDs["https"], models.AnswerInput{Status: "does_not_comply", Explanation: "Mine"}, testNow); err != nil {
			t.Fatal(err)
		}
		res := c.post(fmt.Sprintf("/attestations/%d/answers", again.ID), url.Values{"reuse": {"all"}})
		if res.status != 303 || !strings.Contains(res.header.Get("Location"), "flash=library_reused_all") {
			t.Fatalf("status %d %s", res.status, res.header.Get("Location"))
		}
		att, _ := models.FindAttestation(context.Background(), a.db, again.ID)
		got := map[string]string{}
		for _, an := range att.Answers {
			got[an.Requirement.Standard.Slug] = an.Status + "/" + an.Explanation
		}
		want := map[string]string{"dnssec": "partial/Signing the zone in Q2", "https": "does_not_comply/Mine", "ipv6": "/"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %q, want %q", k, got[k], v)
			}
		}
		if res := c.post(fmt.Sprintf("/attestations/%d/answers", again.ID), url.Values{"reuse": {"all"}}); !strings.Contains(res.header.Get("Location"), "flash=library_reused_none") {
			t.Errorf("a second time: %s", res.header.Get("Location"))
		}
	})
}

func TestReuseIsRefusedWhenTheAttestationCannotChange(t *testing.T) {
	t.Parallel()
	a := newTestApp(t).withEvidenceStore()
	acme := newLibSupplier(t, a, "Locked Acme")
	old, oldIDs := acme.tender(t, "en", libReq{slug: "dnssec"})
	acme.answer(t, old, oldIDs, map[string]models.AnswerInput{"dnssec": {Status: "complies", Explanation: "Signed"}}, nil, at(-time.Hour))
	ctx := context.Background()
	cases := []struct {
		name, code string
		status     int
		setup      func(t *testing.T, att *models.Attestation)
	}{
		{"a submitted attestation", "state.attestation_locked", 409, func(t *testing.T, att *models.Attestation) {
			acme.answer(t, att, map[string]uint{"dnssec": att.Answers[0].RequirementID}, map[string]models.AnswerInput{"dnssec": {Status: "complies", Explanation: "Signed"}}, nil, at(0))
		}},
		{"a closed tender", "state.tender_not_open", 409, func(t *testing.T, att *models.Attestation) {
			if _, err := models.SetTenderStatus(ctx, a.db, dbtest.ManagerOf(a.db, att.TenderID), att.TenderID, models.StatusClosed, time.Now()); err != nil {
				t.Fatal(err)
			}
		}},
		{"a passed deadline", "state.deadline_passed", 409, func(t *testing.T, att *models.Attestation) {
			if err := a.db.Model(&models.Tender{}).Where("id = ?", att.TenderID).Update("deadline", testNow.Add(-time.Hour)).Error; err != nil {
				t.Fatal(err)
			}
		}},
	}
	fp := newFingerprint(t, a.db)
	for _, c := range cases {
		t.Run(c.name+" refuses the reuse and changes nothing", func(t *testing.T) {
			att, _ := acme.tender(t, "en", libReq{slug: "dnssec"})
			att, err := models.FindAttestation(ctx, a.db, att.ID)
			if err != nil {
				t.Fatal(err)
			}
			c.setup(t, att)
			before := fp.take(t)
			res := a.apiClient(acme.vendor.Email).postJSON(fmt.Sprintf("/api/v1/attestations/%d/suggestions/%d/reuse", att.ID, att.Answers[0].RequirementID), map[string]any{"replace": true})
			body := res.json(t)
			if res.status != c.status || body["code"] != c.code || body["error"] == "" {
				t.Errorf("status %d %v, want %d %s", res.status, body, c.status, c.code)
			}
			web := a.session(acme.vendor.Email).post(fmt.Sprintf("/attestations/%d/answers", att.ID), url.Values{"reuse": {fmt.Sprint(att.Answers[0].RequirementID)}})
			if web.status != c.status {
				t.Errorf("the page's reuse: status %d, want %d", web.status, c.status)
			}
			if after := fp.take(t); after != before {
				t.Errorf("the database changed: %s -> %s", before, after)
			}
		})
	}
	t.Run("a requirement without a suggestion answers 404 with the reason", func(t *testing.T) {
		att, ids := acme.tender(t, "en", libReq{slug: "ipv6"})
		res := a.apiClient(acme.vendor.Email).postJSON(fmt.Sprintf("/api/v1/attestations/%d/suggestions/%d/reuse", att.ID, ids["ipv6"]), nil)
		if body := res.json(t); res.status != 404 || body["code"] != "library.no_suggestion" {
			t.Errorf("status %d %v", res.status, body)
		}
	})
	t.Run("over the API an answered requirement needs replace", func(t *testing.T) {
		att, ids := acme.tender(t, "en", libReq{slug: "dnssec"})
		acme.answer(t, att, ids, map[string]models.AnswerInput{"dnssec": {Status: "partial", Explanation: "Mine"}}, nil, nil)
		p := fmt.Sprintf("/api/v1/attestations/%d/suggestions/%d/reuse", att.ID, ids["dnssec"])
		if res := a.apiClient(acme.vendor.Email).postJSON(p, nil); res.status != 409 || res.json(t)["code"] != "state.library_answered" {
			t.Errorf("without replace: status %d %s", res.status, res.body)
		}
		res := a.apiClient(acme.vendor.Email).postJSON(p, map[string]any{"replace": true})
		ans, _ := res.json(t)["answer"].(map[string]any)
		if res.status != 200 || ans["explanation"] != "Signed" {
			t.Errorf("with replace: status %d %s", res.status, res.body)
		}
	})
	t.Run("a vendor of another supplier cannot reuse into the attestation", func(t *testing.T) {
		att, ids := acme.tender(t, "en", libReq{slug: "dnssec"})
		before := fp.take(t)
		res := a.apiClient("vendor2@demo.test").postJSON(fmt.Sprintf("/api/v1/attestations/%d/suggestions/%d/reuse", att.ID, ids["dnssec"]), nil)
		if res.status != 404 || fp.take(t) != before {
			t.Errorf("status %d", res.status)
		}
	})
}

func TestTheClauseChangeSinceTheEarlierAnswerIsShown(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	acme := newLibSupplier(t, a, "Clause Acme")
	old, oldIDs := acme.tender(t, "en", libReq{"https", "Serve every site over HTTPS with TLS 1.2 or later."}, libReq{slug: "dnssec"}, libReq{slug: "spf"})
	acme.answer(t, old, oldIDs, map[string]models.AnswerInput{"https": {Status: "complies"}, "dnssec": {Status: "complies"}, "spf": {Status: "complies"}}, nil, at(-time.Hour))
	dutch, dutchIDs := acme.tender(t, "nl", libReq{slug: "spf"})
	acme.answer(t, dutch, dutchIDs, map[string]models.AnswerInput{"spf": {Status: "complies", Explanation: "Nederlands"}}, nil, at(-time.Minute))
	fresh, ids := acme.tender(t, "en", libReq{"https", "Serve every site over HTTPS with TLS 1.3 only."}, libReq{slug: "dnssec"}, libReq{slug: "spf"})
	body := a.session(acme.vendor.Email).get(fmt.Sprintf("/attestations/%d", fresh.ID)).body
	cases := []struct{ name, want string }{
		{"the changed clause is compared word by word", fmt.Sprintf(`<p class="library-diff" id="suggestion-%d-diff">Serve every site over HTTPS with TLS <del><span class="library-sr">removed: </span>1.2 or later.</del><ins><span class="library-sr">added: </span>1.3 only.</ins></p>`, ids["https"])},
		{"an unchanged clause says so", "The clause is the same as in that tender."},
		{"a clause in another language is not compared", "That tender was in Dutch, so its clause is not compared with this one."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(body, c.want) {
				i := strings.Index(body, "library-diff")
				t.Errorf("the page lacks %s\n%s", c.want, body[max(i, 0):min(len(body), max(i, 0)+600)])
			}
		})
	}
	t.Run("the API says which clauses changed", func(t *testing.T) {
		_, list := suggestionsOf(t, a, acme.vendor.Email, fresh.ID)
		got := map[string]bool{}
		for _, s := range list {
			m := s.(map[string]any)
			got[m["standard"].(string)] = m["clause_changed"].(bool)
		}
		if !got["https"] || got["dnssec"] || !got["spf"] {
			t.Errorf("clause_changed %v", got)
		}
	})
}

func TestStandingAnswersPage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t).withEvidenceStore()
	acme := newLibSupplier(t, a, "Standing Acme")
	c := a.session(acme.vendor.Email)
	t.Run("a standing answer with a certificate is saved and listed", func(t *testing.T) {
		res := c.uploadFields("/supplier/answers", map[string]string{"standard": "iso-27001", "status": "complies", "explanation": "Certified by an accredited body", "valid_until": "2026-09-30"}, "iso.pdf", pdfBytes)
		if res.status != 303 {
			t.Fatalf("status %d: %s", res.status, errorText(res.body))
		}
		page := c.get("/supplier/answers")
		if !strings.Contains(page.body, "Certified by an accredited body") || !strings.Contains(page.body, "iso.pdf") {
			t.Errorf("%s", errorText(page.body))
		}
	})
	list, err := models.ListStandingAnswers(context.Background(), a.db, acme.vendor)
	if err != nil || len(list) != 1 || len(list[0].Evidence) != 1 {
		t.Fatalf("%v %+v", err, list)
	}
	sa, ev := list[0], list[0].Evidence[0]
	t.Run("its file is sent to the supplier's vendors only", func(t *testing.T) {
		p := fmt.Sprintf("/supplier/answers/%d/evidence/%d", sa.ID, ev.ID)
		if res := c.get(p); res.status != 200 || res.body != string(pdfBytes) {
			t.Errorf("own vendor: status %d", res.status)
		}
		if res := a.session("vendor@demo.test").get(p); res.status != 404 {
			t.Errorf("another supplier's vendor: status %d", res.status)
		}
	})
	t.Run("it is suggested and reused, sharing the stored file", func(t *testing.T) {
		att, ids := acme.tender(t, "en", libReq{slug: "iso-27001"})
		res := c.post(fmt.Sprintf("/attestations/%d/answers", att.ID), url.Values{"reuse": {fmt.Sprint(ids["iso-27001"])}})
		if res.status != 303 {
			t.Fatalf("status %d: %s", res.status, errorText(res.body))
		}
		got, _ := models.FindAttestation(context.Background(), a.db, att.ID)
		an := got.Answers[0]
		if an.Explanation != "Certified by an accredited body" || len(an.Evidence) != 1 || an.Evidence[0].StoragePath != ev.StoragePath {
			t.Errorf("%+v", an)
		}
	})
	t.Run("bad input is refused with the reason and nothing stored", func(t *testing.T) {
		for _, bad := range []struct {
			name   string
			fields map[string]string
			want   string
		}{
			{"a date in the past", map[string]string{"standard": "dnssec", "status": "complies", "valid_until": "2020-01-01"}, `id="standing-valid_until-error"`},
			{"no explanation for a gap", map[string]string{"standard": "dnssec", "status": "partial"}, `id="standing-explanation-error"`},
			{"no standard", map[string]string{"status": "complies"}, `id="standing-standard-error"`},
			{"an unknown standard", map[string]string{"standard": "no-such-standard", "status": "complies"}, `id="standing-standard-error"`},
		} {
			res := c.uploadFields("/supplier/answers", bad.fields, "", nil)
			if res.status != 422 || !strings.Contains(res.body, bad.want) {
				t.Errorf("%s: status %d: %s", bad.name, res.status, errorText(res.body))
			}
		}
		if list, _ := models.ListStandingAnswers(context.Background(), a.db, acme.vendor); len(list) != 1 {
			t.Errorf("%d standing answers, want 1", len(list))
		}
	})
	t.Run("another supplier's vendor cannot remove it", func(t *testing.T) {
		if res := a.session("vendor@demo.test").post(fmt.Sprintf("/supplier/answers/%d/delete", sa.ID), nil); res.status != 404 {
			t.Errorf("status %d", res.status)
		}
		if res := c.post(fmt.Sprintf("/supplier/answers/%d/delete", sa.ID), nil); res.status != 303 {
			t.Errorf("own vendor: status %d", res.status)
		}
		if list, _ := models.ListStandingAnswers(context.Background(), a.db, acme.vendor); len(list) != 0 {
			t.Errorf("%d standing answers left", len(list))
		}
	})
}

func TestStandingAnswerExpiryIsRemindedOncePerStage(t *testing.T) {
	t.Parallel()
	demo.Each(t, testStandingAnswerExpiryIsRemindedOncePerStage)
}

func testStandingAnswerExpiryIsRemindedOncePerStage(t *testing.T, db *gorm.DB) {
	a := newTestAppOn(t, db)
	sink := startMailSink(t)
	acme := newLibSupplier(t, a, "Expiry Acme")
	acme.standing(t, models.StandingInput{Standard: "iso-27001", ValidUntil: "2026-04-30", AnswerInput: models.AnswerInput{Status: "complies", Explanation: "Certified"}})
	ctx := context.Background()
	log := a.h.Log
	// Two serve processes' rounds at once, then again an hour later.
	round := func(now time.Time) int {
		done := make(chan int, 2)
		for range 2 {
			go func() {
				n, err := sendStandingReminders(ctx, a.db, sink.mailer(), "https://tenders.example", log, now)
				if err != nil {
					t.Error(err)
				}
				done <- n
			}()
		}
		return <-done + <-done
	}
	mine := func() []string {
		var out []string
		for _, m := range sink.messages() {
			if strings.Contains(m, acme.vendor.Email) {
				out = append(out, m)
			}
		}
		return out
	}
	stages := []struct {
		name  string
		now   time.Time
		mails int
		want  string
	}{
		{"more than 30 days before: nothing", time.Date(2026, 3, 30, 9, 0, 0, 0, time.UTC), 0, ""},
		{"30 days before: one mail", time.Date(2026, 3, 31, 9, 0, 0, 0, time.UTC), 1, "in 30 days"},
		{"the same stage an hour later: no second mail", time.Date(2026, 3, 31, 10, 0, 0, 0, time.UTC), 1, ""},
		{"between the stages: nothing more", time.Date(2026, 4, 20, 9, 0, 0, 0, time.UTC), 1, ""},
		{"7 days before: the second mail", time.Date(2026, 4, 23, 9, 0, 0, 0, time.UTC), 2, "in 7 days"},
		{"the day before: still two", time.Date(2026, 4, 29, 9, 0, 0, 0, time.UTC), 2, ""},
		{"after the date: no more", time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC), 2, ""},
	}
	for _, s := range stages {
		round(s.now)
		got := mine()
		if len(got) != s.mails {
			t.Fatalf("%s: %d mails, want %d", s.name, len(got), s.mails)
		}
		if s.want != "" {
			last := got[len(got)-1]
			for _, w := range []string{s.want, "ISO", acme.org.Name, "https://tenders.example/supplier/answers?standard=iso-27001", "30 Apr 2026"} {
				if !strings.Contains(strings.ReplaceAll(last, "=\r\n", ""), w) {
					t.Errorf("%s: the mail lacks %q:\n%s", s.name, w, last)
				}
			}
		}
	}
	t.Run("a new valid-until date starts the stages again", func(t *testing.T) {
		acme.standing(t, models.StandingInput{Standard: "iso-27001", ValidUntil: "2026-05-20", AnswerInput: models.AnswerInput{Status: "complies", Explanation: "Renewed"}})
		round(time.Date(2026, 5, 13, 9, 0, 0, 0, time.UTC))
		if got := mine(); len(got) != 3 || !strings.Contains(got[2], "in 7 days") {
			t.Errorf("%d mails", len(got))
		}
	})
	t.Run("without a mail relay nothing is claimed", func(t *testing.T) {
		if n, err := sendStandingReminders(ctx, a.db, nil, "", log, time.Date(2026, 5, 19, 9, 0, 0, 0, time.UTC)); n != 0 || err != nil {
			t.Errorf("%d %v", n, err)
		}
		var claims int64
		a.db.Model(&models.StandingReminder{}).Where("valid_until = ?", "2026-05-20").Count(&claims)
		if claims != 1 {
			t.Errorf("%d claims, want 1", claims)
		}
	})
}

// libraryReuseReq is the role tables' reuse: a fresh attestation of the
// demo vendor whose https requirement has a standing answer to reuse.
func libraryReuseReq(a *testApp) (string, url.Values, any) {
	w := newAttestWorld(a.t, a)
	vendor := a.user("vendor@demo.test")
	if _, err := models.SaveStanding(context.Background(), a.db, vendor, models.StandingInput{Standard: "https", AnswerInput: models.AnswerInput{Status: "complies"}}, nil, nil, nil, testNow); err != nil {
		a.t.Fatal(err)
	}
	return w.apiPath("/suggestions/%d/reuse", w.https), nil, map[string]any{}
}

// libraryStandingReq makes a standing answer of the demo vendor's
// supplier with a file and fills :standing_id and :evidence_id of suffix.
func libraryStandingReq(suffix string) func(a *testApp) (string, url.Values, any) {
	return func(a *testApp) (string, url.Values, any) {
		if a.h.Attest.Store.Dir == "" {
			a.withEvidenceStore()
		}
		st, err := a.h.Attest.Store.Stage(bytes.NewReader(pdfBytes))
		if err != nil {
			a.t.Fatal(err)
		}
		f := &models.FileEvidence{FileName: "cert.pdf", ContentType: st.ContentType, Size: st.Size, SHA256: st.SHA256, StoragePath: st.RelPath}
		sa, err := models.SaveStanding(context.Background(), a.db, a.user("vendor@demo.test"),
			models.StandingInput{Standard: "iso-27001", AnswerInput: models.AnswerInput{Status: "complies"}}, f, st.Commit, nil, testNow)
		if err != nil {
			a.t.Fatal(err)
		}
		s := strings.ReplaceAll(suffix, ":standing_id", fmt.Sprint(sa.ID))
		return strings.ReplaceAll(s, ":evidence_id", fmt.Sprint(sa.Evidence[len(sa.Evidence)-1].ID)), nil, nil
	}
}

// standing is a standing answer of the first supplier carrying the
// private mark, for the authorisation test.
func (w *authzWorld) standing(t testing.TB) uint {
	t.Helper()
	// Made once: the test fingerprints the database around each call.
	list, err := models.ListStandingAnswers(context.Background(), w.a.db, w.a.user("vendor@demo.test"))
	if err != nil {
		t.Fatal(err)
	}
	for _, sa := range list {
		if sa.Explanation == markAnswer {
			return sa.ID
		}
	}
	sa, err := models.SaveStanding(context.Background(), w.a.db, w.a.user("vendor@demo.test"),
		models.StandingInput{Standard: "dnssec", AnswerInput: models.AnswerInput{Status: "partial", Explanation: markAnswer}}, nil, nil, nil, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return sa.ID
}
