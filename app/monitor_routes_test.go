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

// monitorRoleTable is the role table of the monitor's routes.
func monitorRoleTable() map[string]roleCase {
	const ok, see, unauth, forbidden = 200, 303, 401, 403
	staff := [5]int{see, ok, ok, forbidden, ok}
	return map[string]roleCase{
		"GET /monitor":                  {staff, path("/monitor?year=2026")},
		"GET /monitor.pdf":              {staff, path("/monitor.pdf?year=2026")},
		"GET /monitor/tenders.csv":      {staff, path("/monitor/tenders.csv?year=2026")},
		"GET /monitor/standards.csv":    {staff, path("/monitor/standards.csv?year=2026")},
		"GET /monitor/explanations.csv": {staff, path("/monitor/explanations.csv?year=2026")},
		"GET /tenders/:id/monitor":      {staff, draftPath("/monitor", nil, nil)},
		"POST /tenders/:id/monitor/kinds": {[5]int{unauth, see, see, forbidden, forbidden},
			draftPath("/monitor/kinds", url.Values{"kinds": {"website-hosting"}, "kinds_form": {"1"}}, nil)},
		"POST /tenders/:id/monitor/omissions": {[5]int{unauth, see, see, forbidden, forbidden},
			draftPath("/monitor/omissions", url.Values{"explanation_dnssec": {"Not ours to run."}}, nil)},
		"GET /api/v1/monitor": {[5]int{unauth, ok, ok, forbidden, ok}, path("/api/v1/monitor?year=2026")},
	}
}

// monitorWorld is the demo plus a published tender of the demo buyer and
// one of another buyer, each with a mark in its title.
type monitorWorld struct {
	a            *testApp
	mine, theirs *models.Tender
	otherOrg     *models.Org
	otherOfficer string
	markA, markB string
	year         string
}

func newMonitorWorld(t *testing.T) *monitorWorld {
	t.Helper()
	a := newTestApp(t)
	ctx := context.Background()
	w := &monitorWorld{a: a, markA: "MONITOR-MARK-A-4c1", markB: "MONITOR-MARK-B-4c1", year: fmt.Sprint(time.Now().UTC().Year())}
	publish := func(by *models.User, title string) *models.Tender {
		tn, err := models.CreateTender(ctx, a.db, by, models.TenderInput{Title: title, Description: "Web hosting of the website and its web server, with the domain name."}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.AddRequirement(ctx, a.db, by, tn.ID, models.RequirementInput{Standard: "https", Level: models.LevelMandatory}, time.Now()); err != nil {
			t.Fatal(err)
		}
		if tn, err = models.PublishTender(ctx, a.db, by, tn.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		return tn
	}
	w.mine = publish(a.user("officer@demo.test"), w.markA)
	var err error
	if w.otherOrg, err = models.CreateOrg(ctx, a.db, nil, "Other Council", models.OrgBuyer, time.Now()); err != nil {
		t.Fatal(err)
	}
	w.otherOfficer = "other-officer@demo.test"
	other, err := models.CreateUser(ctx, a.db, nil, w.otherOfficer, "Other", "long enough password", models.RoleOfficer, &w.otherOrg.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	w.theirs = publish(other, w.markB)
	return w
}

func TestMonitorScopeOverHTTP(t *testing.T) {
	t.Parallel()
	w := newMonitorWorld(t)
	a := w.a
	y := "?year=" + w.year
	officer := a.session("officer@demo.test")
	paths := []string{"/monitor" + y, "/monitor/tenders.csv" + y, "/monitor/standards.csv" + y, "/monitor/explanations.csv" + y}
	for _, p := range paths {
		t.Run("the officer's "+p+" shows their tender and not the other buyer's", func(t *testing.T) {
			res := officer.get(p)
			if res.status != 200 {
				t.Fatalf("status %d", res.status)
			}
			if strings.Contains(res.body, w.markB) {
				t.Errorf("shows the other buyer's tender")
			}
			if strings.HasSuffix(strings.SplitN(p, "?", 2)[0], "tenders.csv") || strings.HasPrefix(p, "/monitor?") {
				if !strings.Contains(res.body, w.markA) {
					t.Errorf("does not show the officer's own tender")
				}
			}
		})
	}
	t.Run("the officer's JSON holds only their organisation", func(t *testing.T) {
		res := a.apiClient("officer@demo.test").get("/api/v1/monitor" + y)
		if res.status != 200 || strings.Contains(res.body, w.markB) || !strings.Contains(res.body, w.markA) {
			t.Errorf("status %d, body has own %v, other's %v", res.status, strings.Contains(res.body, w.markA), strings.Contains(res.body, w.markB))
		}
	})
	t.Run("asking for another buyer's monitor is not found, in every format", func(t *testing.T) {
		q := fmt.Sprintf("%s&org=%d", y, w.otherOrg.ID)
		for _, p := range []string{"/monitor", "/monitor.pdf", "/monitor/tenders.csv"} {
			if res := officer.get(p + q); res.status != 404 || strings.Contains(res.body, w.markB) {
				t.Errorf("%s: status %d", p, res.status)
			}
		}
		if res := a.apiClient("officer@demo.test").get("/api/v1/monitor" + q); res.status != 404 {
			t.Errorf("API: status %d", res.status)
		}
	})
	t.Run("another buyer's tender monitor view is not found", func(t *testing.T) {
		if res := officer.get(fmt.Sprintf("/tenders/%d/monitor", w.theirs.ID)); res.status != 404 {
			t.Errorf("status %d", res.status)
		}
		res := a.session(w.otherOfficer).post(fmt.Sprintf("/tenders/%d/monitor/kinds", w.mine.ID), url.Values{"kinds": {"email-service"}, "kinds_form": {"1"}})
		if res.status != 404 {
			t.Errorf("the other officer choosing our kinds: status %d", res.status)
		}
	})
	t.Run("the auditor sees both buyers, and one when filtered", func(t *testing.T) {
		au := a.session("auditor@demo.test")
		all := au.get("/monitor" + y)
		if !strings.Contains(all.body, w.markA) || !strings.Contains(all.body, w.markB) {
			t.Errorf("all buyers: own %v, other %v", strings.Contains(all.body, w.markA), strings.Contains(all.body, w.markB))
		}
		one := au.get(fmt.Sprintf("/monitor%s&org=%d", y, w.otherOrg.ID))
		if strings.Contains(one.body, w.markA) || !strings.Contains(one.body, w.markB) {
			t.Errorf("filtered on the other buyer: shows ours %v, theirs %v", strings.Contains(one.body, w.markA), strings.Contains(one.body, w.markB))
		}
	})
	t.Run("a bad organisation number is a clear 400", func(t *testing.T) {
		if res := officer.get("/monitor" + y + "&org=abc"); res.status != 400 || !strings.Contains(res.body, "organisation must be given by its number") {
			t.Errorf("status %d", res.status)
		}
	})
	t.Run("the PDF is a PDF", func(t *testing.T) {
		res := officer.get("/monitor.pdf" + y)
		if res.status != 200 || !strings.HasPrefix(res.body, "%PDF-") {
			t.Errorf("status %d, starts %.8q", res.status, res.body)
		}
	})
}

func TestTenderMonitorForms(t *testing.T) {
	t.Parallel()
	w := newMonitorWorld(t)
	a := w.a
	officer := a.session("officer@demo.test")
	base := fmt.Sprintf("/tenders/%d/monitor", w.mine.ID)

	t.Run("the website tender's kind is suggested from its text", func(t *testing.T) {
		res := officer.get(base)
		if res.status != 200 || !strings.Contains(res.body, "Not chosen yet") || !strings.Contains(res.body, "Website hosting") {
			t.Errorf("status %d\n%s", res.status, errorText(res.body))
		}
	})
	t.Run("an explanation for a missing standard is saved and audit-logged", func(t *testing.T) {
		res := officer.post(base+"/omissions", url.Values{"explanation_dnssec": {"The registry does not offer it."}})
		if res.status != 303 {
			t.Fatalf("status %d\n%s", res.status, errorText(res.body))
		}
		got, err := models.ListTenderOmissions(context.Background(), a.db, w.mine.ID)
		if err != nil || got["dnssec"].Explanation != "The registry does not offer it." {
			t.Errorf("omissions %v, %v", got, err)
		}
		var n int64
		a.db.Model(&models.AuditEntry{}).Where("action = ? AND tender_id = ?", "monitor.omission", w.mine.ID).Count(&n)
		if n != 1 {
			t.Errorf("%d audit entries", n)
		}
		page := officer.get("/monitor?year=" + w.year)
		if !strings.Contains(page.body, "The registry does not offer it.") {
			t.Errorf("the monitor page does not show the explanation")
		}
	})
	t.Run("an explanation for a requested standard is ignored", func(t *testing.T) {
		officer.post(base+"/omissions", url.Values{"explanation_https": {"Should not be stored."}})
		got, _ := models.ListTenderOmissions(context.Background(), a.db, w.mine.ID)
		if _, ok := got["https"]; ok {
			t.Errorf("an explanation for https, which the tender requests, was stored")
		}
	})
	t.Run("an unknown kind is refused and nothing changes", func(t *testing.T) {
		res := officer.post(base+"/kinds", url.Values{"kinds": {"spaceships"}, "kinds_form": {"1"}})
		if res.status != 422 {
			t.Errorf("status %d", res.status)
		}
		if _, chosen, _ := models.TenderKinds(context.Background(), a.db, w.mine.ID); chosen {
			t.Errorf("the kinds were set")
		}
	})
	t.Run("choosing e-mail makes the mail standards relevant", func(t *testing.T) {
		if res := officer.post(base+"/kinds", url.Values{"kinds": {"email-service"}, "kinds_form": {"1"}}); res.status != 303 {
			t.Fatalf("status %d", res.status)
		}
		res := officer.get(base)
		if !strings.Contains(res.body, "Chosen by the buyer") || !strings.Contains(res.body, `name="explanation_dmarc"`) {
			t.Errorf("after choosing e-mail the page lacks DMARC's explanation box")
		}
	})
	t.Run("the auditor reads the view but has no forms", func(t *testing.T) {
		res := a.session("auditor@demo.test").get(base)
		if res.status != 200 || strings.Contains(res.body, "<textarea") || strings.Contains(res.body, "/monitor/kinds") {
			t.Errorf("status %d, forms shown to an auditor", res.status)
		}
	})
}
