package app

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"tenderprobe/models"
)

// TestAChangeToATenderPublishedMeanwhileGoesBackToIt: a change sent from
// a page loaded while the tender was a draft, after it was published (in
// another tab, by a colleague), lands on the tender with a note that the
// change was not made; a second Publish lands on the published tender.
func TestAChangeToATenderPublishedMeanwhileGoesBackToIt(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	tn, _ := httpsTender(t, a, "Published meanwhile", false)
	c := a.session("officer@demo.test")
	for _, tc := range []struct {
		name, path string
		form       url.Values
		flash      string
	}{
		{"adding a requirement", fmt.Sprintf("/tenders/%d/requirements", tn.ID), url.Values{"standard": {"dnssec"}, "level": {"mandatory"}}, "not_changed_published"},
		{"publishing again", fmt.Sprintf("/tenders/%d/publish", tn.ID), url.Values{}, "published"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := c.post(tc.path, tc.form)
			want := fmt.Sprintf("/tenders/%d?flash=%s", tn.ID, tc.flash)
			if res.status != 303 || res.header.Get("Location") != want {
				t.Errorf("%d to %q, want 303 to %q\n%.300s", res.status, res.header.Get("Location"), want, res.body)
			}
		})
	}
	if page := c.get(fmt.Sprintf("/tenders/%d?flash=not_changed_published", tn.ID)); page.status != 200 || !strings.Contains(page.body, "your change was not made") {
		t.Errorf("the tender page: %d", page.status)
	}
}

// TestADashboardSaysWhenTheDeadlineHasPassed: an attestation not
// submitted by its tender's deadline is no longer offered as "Answer" on
// the vendor's dashboard, and the buyer's says the deadline passed.
func TestADashboardSaysWhenTheDeadlineHasPassed(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	tn, _ := httpsTender(t, a, "Missed deadline", true)
	if err := a.db.Model(&models.Tender{}).Where("id = ?", tn.ID).Update("deadline", testNow.Add(-time.Hour)).Error; err != nil {
		t.Fatal(err)
	}
	vendor := a.session("vendor@demo.test").get("/")
	if !strings.Contains(vendor.body, "Deadline passed, not submitted: Missed deadline") || strings.Contains(vendor.body, "Answer Missed deadline") {
		t.Errorf("the vendor's dashboard does not say the deadline passed")
	}
	if buyer := a.session("officer@demo.test").get("/"); !strings.Contains(buyer.body, "deadline passed") {
		t.Errorf("the officer's dashboard does not say the deadline passed")
	}
}

// TestAnswersSentAfterTheDeadlineAreShownNotLost: Save all or Submit after
// the deadline says nothing was saved and why, on the attestation, with
// every typed answer there to copy (it was a dead-end 409 page).
func TestAnswersSentAfterTheDeadlineAreShownNotLost(t *testing.T) {
	t.Parallel()
	a := newTestApp(t).withEvidenceStore()
	tn, attID := httpsTender(t, a, "Late answers", true)
	if err := a.db.Model(&models.Tender{}).Where("id = ?", tn.ID).Update("deadline", testNow.Add(-time.Minute)).Error; err != nil {
		t.Fatal(err)
	}
	rid := tn.Requirements[0].ID
	typed := "Our hosting platform enforces TLS 1.3 since March; see the attached scan."
	for _, intent := range []string{"save", "submit"} {
		t.Run(intent, func(t *testing.T) {
			res := a.session("vendor@demo.test").uploadFields(fmt.Sprintf("/attestations/%d/answers", attID), map[string]string{
				fmt.Sprintf("status-%d", rid): "partial", fmt.Sprintf("explanation-%d", rid): typed,
				fmt.Sprintf("planned_date-%d", rid): "2027-03-01", "intent": intent, "declaration": "on", "declarer": "Vera Vendor",
			}, "", nil)
			if res.status != 409 || !strings.Contains(res.body, "Nothing was saved") || !strings.Contains(res.body, typed) ||
				!strings.Contains(res.body, "deadline") {
				t.Errorf("%d %.3000s", res.status, errorText(res.body))
			}
		})
	}
}

// TestSubmittingWithoutDomainsWarns: an attestation with no domains in
// scope says, where it is submitted, that the probes can check nothing.
func TestSubmittingWithoutDomainsWarns(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	_, attID := httpsTender(t, a, "No domains", true)
	page := func() string {
		return a.session("vendor@demo.test").get(fmt.Sprintf("/attestations/%d", attID)).body
	}
	if !strings.Contains(page(), `id="no-domains-warning"`) {
		t.Error("no warning without domains")
	}
	if _, err := models.SetScope(context.Background(), a.db, a.user("vendor@demo.test"), attID, []string{"acme.example"}, nil, nil, testNow); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(page(), `id="no-domains-warning"`) {
		t.Error("a warning with a domain in scope")
	}
}

// TestARunWithoutDomainsAdvisesAskingTheSupplier: a run that measured
// nothing because the attestation names no domains does not offer a retry
// that cannot help; it says to ask the supplier for domains.
func TestARunWithoutDomainsAdvisesAskingTheSupplier(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	var att models.Attestation
	if err := a.db.Joins("JOIN tenders ON tenders.id = attestations.tender_id").
		Where("tenders.buyer_org_id = ?", *a.user("officer@demo.test").OrgID).Order("attestations.id").First(&att).Error; err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		code        string
		advice, btn bool
	}{{models.NotMeasuredNoDomains, true, false}, {models.NotMeasuredAllErrors, false, true}} {
		run := models.ProbeRun{AttestationID: att.ID, Version: att.Version, Status: models.RunNotMeasured, Reason: "manual",
			NotMeasuredCode: tc.code, NotMeasuredParams: map[string]string{"domains": "1", "error": "x"}, CreatedAt: testNow}
		if err := a.db.Create(&run).Error; err != nil {
			t.Fatal(err)
		}
		page := a.session("officer@demo.test").get(fmt.Sprintf("/probe-runs/%d", run.ID))
		if got := strings.Contains(page.body, `id="probe-run-no-domains"`); page.status != 200 || got != tc.advice {
			t.Errorf("%s: status %d, advice shown %v", tc.code, page.status, got)
		}
		if got := strings.Contains(page.body, `id="probe-run-retry"`); got != tc.btn {
			t.Errorf("%s: retry shown %v", tc.code, got)
		}
	}
}

// httpsTender publishes the officer's tender title with one mandatory
// requirement (HTTPS) and a deadline an hour after testNow; with invite,
// vendor@demo.test's supplier is invited and its attestation id returned.
func httpsTender(t *testing.T, a *testApp, title string, invite bool) (*models.Tender, uint) {
	t.Helper()
	ctx := context.Background()
	officer := a.user("officer@demo.test")
	tn, err := models.CreateTender(ctx, a.db, officer, models.TenderInput{Title: title, Deadline: ptrTime(testNow.Add(time.Hour))}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.AddRequirement(ctx, a.db, officer, tn.ID, models.RequirementInput{Standard: "https", Level: models.LevelMandatory}, testNow); err != nil {
		t.Fatal(err)
	}
	if tn, err = models.PublishTender(ctx, a.db, officer, tn.ID, testNow); err != nil {
		t.Fatal(err)
	}
	if !invite {
		return tn, 0
	}
	inv, _, err := models.Invite(ctx, a.db, officer, tn.ID, models.InviteInput{Email: "vendor@demo.test"}, time.Hour, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return tn, inv.AttestationID
}

// TestAStaleTabDoesNotUndoAnotherTabsSave: the vendor saves an answer in
// one tab; Save all from a second tab, loaded before, is refused for that
// answer (422, typed text kept) instead of silently overwriting it while
// the first tab still says "Saved".
func TestAStaleTabDoesNotUndoAnotherTabsSave(t *testing.T) {
	t.Parallel()
	a := newTestApp(t).withEvidenceStore()
	tn, attID := httpsTender(t, a, "Two tabs", true)
	rid := tn.Requirements[0].ID
	vendor := a.session("vendor@demo.test")
	att, err := models.FindAttestation(context.Background(), a.db, attID)
	if err != nil {
		t.Fatal(err)
	}
	stale := att.Answers[0].LockVersion
	first := vendor.post(fmt.Sprintf("/attestations/%d/answers/%d", attID, rid), url.Values{
		"status": {"partial"}, "explanation": {"Tab one's answer."}, "planned_date": {"2027-03-01"}, "lock_version": {fmt.Sprint(stale)}})
	if first.status >= 400 {
		t.Fatalf("tab one: %d %s", first.status, errorText(first.body))
	}
	res := vendor.uploadFields(fmt.Sprintf("/attestations/%d/answers", attID), map[string]string{
		fmt.Sprintf("status-%d", rid): "does_not_comply", fmt.Sprintf("explanation-%d", rid): "Tab two's answer.",
		fmt.Sprintf("planned_date-%d", rid): "2027-06-01", fmt.Sprintf("lock_version-%d", rid): fmt.Sprint(stale), "intent": "save",
	}, "", nil)
	if res.status != 422 || !strings.Contains(res.body, "Tab two&#39;s answer.") {
		t.Errorf("tab two: %d, want 422 with its text kept\n%.500s", res.status, errorText(res.body))
	}
	att, err = models.FindAttestation(context.Background(), a.db, attID)
	if err != nil || att.Answers[0].Explanation != "Tab one's answer." {
		t.Errorf("stored %q (%v), want tab one's", att.Answers[0].Explanation, err)
	}
}
