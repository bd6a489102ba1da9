package app

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tenderprobe/models"
	"tenderprobe/seed"
)

// reportRoleTable lists the report routes for TestEveryRouteHasARoleCheck:
// tender reports for staff (vendors 403), the annual report for auditors
// and admins.
func reportRoleTable() map[string]roleCase {
	const ok, see, unauth, forbidden = 200, 303, 401, 403
	tender := [5]int{see, ok, ok, forbidden, ok}
	apiTender := [5]int{unauth, ok, ok, forbidden, ok}
	annual := [5]int{see, ok, forbidden, forbidden, ok}
	apiAnnual := [5]int{unauth, ok, forbidden, forbidden, ok}
	return map[string]roleCase{
		"GET /tenders/:id/report.pdf":                 {tender, draftPath("/report.pdf", nil, nil)},
		"GET /tenders/:id/report.csv":                 {tender, draftPath("/report.csv", nil, nil)},
		"GET /tenders/:id/ocds.json":                  {tender, draftPath("/ocds.json", nil, nil)},
		"GET /reports/annual.pdf":                     {annual, path("/reports/annual.pdf?year=2026")},
		"GET /reports/annual.csv":                     {annual, path("/reports/annual.csv?year=2026")},
		"GET /reports/annual-explanations.csv":        {annual, path("/reports/annual-explanations.csv?year=2026")},
		"GET /api/v1/tenders/:id/report.pdf":          {apiTender, apiDraftPath("/report.pdf", nil)},
		"GET /api/v1/tenders/:id/report.csv":          {apiTender, apiDraftPath("/report.csv", nil)},
		"GET /api/v1/tenders/:id/ocds.json":           {apiTender, apiDraftPath("/ocds.json", nil)},
		"GET /api/v1/reports/annual.pdf":              {apiAnnual, path("/api/v1/reports/annual.pdf?year=2026")},
		"GET /api/v1/reports/annual.csv":              {apiAnnual, path("/api/v1/reports/annual.csv?year=2026")},
		"GET /api/v1/reports/annual-explanations.csv": {apiAnnual, path("/api/v1/reports/annual-explanations.csv?year=2026")},
		"GET /tenders/:id/report.xlsx":                {tender, draftPath("/report.xlsx", nil, nil)},
		"GET /reports/annual.xlsx":                    {annual, path("/reports/annual.xlsx?year=2026")},
		"GET /api/v1/tenders/:id/report.xlsx":         {apiTender, apiDraftPath("/report.xlsx", nil)},
		"GET /api/v1/reports/annual.xlsx":             {apiAnnual, path("/api/v1/reports/annual.xlsx?year=2026")},
	}
}

// pdfTextOf extracts the text of a PDF with pdftotext after qpdf --check;
// without the tools the test skips, or fails with CI=true.
func pdfTextOf(t *testing.T, pdf string) string {
	t.Helper()
	for _, tool := range []string{"qpdf", "pdftotext"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required with CI=true", tool)
			}
			t.Skipf("%s not installed", tool)
		}
	}
	p := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(p, []byte(pdf), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("qpdf", "--check", p).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	out, err := exec.Command("pdftotext", "-layout", p, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

func TestReportRoutes(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	ctx := context.Background()
	officer := a.user("officer@demo.test")
	tn, err := models.FindTenderByReference(ctx, a.db, *officer.OrgID, "DSC-2026-014")
	if err != nil {
		t.Fatal(err)
	}
	// Victor Vendor answers the demo hosting tender: everything complies
	// except the first requirement, which he explains.
	// The demo data has invited his supplier and submitted its
	// attestation: reopen it.
	vendor := a.user("vendor@demo.test")
	att, err := models.FindAttestationByTender(ctx, a.db, tn.ID, *vendor.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.Reopen(ctx, a.db, vendor, att.ID, nil, testNow); err != nil {
		t.Fatal(err)
	}
	for i, r := range tn.Requirements {
		in := models.AnswerInput{Status: models.AnswerComplies}
		if i == 0 {
			in = models.AnswerInput{Status: models.AnswerPartial, Explanation: "=cmd|' /C calc'!A0 Zoë Ångström signs the zone in May.", PlannedDate: "2026-05-31"}
		}
		if _, err := models.SaveAnswer(ctx, a.db, vendor, att.ID, r.ID, in, testNow); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := models.Submit(ctx, a.db, vendor, att.ID, models.SubmitInput{Declaration: true, Declarer: "Zoë Ångström"}, testNow); err != nil {
		t.Fatal(err)
	}
	first := tn.Requirements[0].Standard.Name

	t.Run("an officer's tender report shows the vendor, the explanation and the receipt", func(t *testing.T) {
		res := a.session("officer@demo.test").get(fmt.Sprintf("/tenders/%d/report.pdf", tn.ID))
		if res.status != 200 || res.header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("status %d, type %q", res.status, res.header.Get("Content-Type"))
		}
		if cd := res.header.Get("Content-Disposition"); !strings.Contains(cd, "DSC-2026-014-rev1-report.pdf") {
			t.Errorf("Content-Disposition %q", cd)
		}
		text := pdfTextOf(t, res.body)
		for _, want := range []string{"Hosting of www.demostad.example", seed.DemoSupplier, "Zoë Ångström signs the zone in May.",
			"31 May 2026", "Appendix B. Submission receipts", first,
			// The other demo vendor's claims were verified (with labelled demo
			// results); this vendor's resubmitted answers not yet.
			"Demo data, not measured", "No verification exists for this vendor"} {
			if !strings.Contains(text, want) {
				t.Errorf("tender report lacks %q", want)
			}
		}
	})

	t.Run("the same request gives the same PDF", func(t *testing.T) {
		c := a.apiClient("auditor@demo.test")
		one, two := c.get(fmt.Sprintf("/api/v1/tenders/%d/report.pdf", tn.ID)), c.get(fmt.Sprintf("/api/v1/tenders/%d/report.pdf", tn.ID))
		if one.status != 200 || one.body != two.body {
			t.Fatalf("status %d; equal bodies: %v", one.status, one.body == two.body)
		}
	})

	t.Run("an officer of another buyer gets 404 for every tender export", func(t *testing.T) {
		org, err := models.CreateOrg(ctx, a.db, nil, fmt.Sprintf("Other Council %d", next()), models.OrgBuyer, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		email := fmt.Sprintf("other%d@demo.test", next())
		if _, err := models.CreateUser(ctx, a.db, nil, email, "Other Officer", "long enough password", models.RoleOfficer, &org.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		for _, suffix := range []string{"report.pdf", "report.csv", "ocds.json"} {
			if res := a.apiClient(email).get(fmt.Sprintf("/api/v1/tenders/%d/%s", tn.ID, suffix)); res.status != 404 {
				t.Errorf("%s: status %d, want 404", suffix, res.status)
			}
		}
	})

	t.Run("the tender matrix CSV neutralises a formula typed by the vendor", func(t *testing.T) {
		res := a.apiClient("admin@demo.test").get(fmt.Sprintf("/api/v1/tenders/%d/report.csv", tn.ID))
		if res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("status %d, type %q", res.status, res.header.Get("Content-Type"))
		}
		recs, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		// Both demo vendors answered the demo tender: one row per vendor and requirement.
		if len(recs) != 1+2*len(tn.Requirements) {
			t.Fatalf("%d records, want a header and one per vendor and requirement", len(recs))
		}
		neutralised := false
		for _, rec := range recs[1:] {
			if strings.Contains(rec[10], "=cmd") {
				neutralised = strings.HasPrefix(rec[10], "'=cmd")
			}
		}
		if !neutralised {
			t.Fatal("the explanation cell with a formula is not neutralised")
		}
	})

	t.Run("the OCDS export answers every requirement of the sheet", func(t *testing.T) {
		res := a.apiClient("auditor@demo.test").get(fmt.Sprintf("/api/v1/tenders/%d/ocds.json", tn.ID))
		var pkg struct {
			Releases []struct {
				Tender struct{ Criteria []any }
				Bids   struct {
					Details []struct{ RequirementResponses []any }
				}
			}
		}
		if err := json.Unmarshal([]byte(res.body), &pkg); err != nil || res.status != 200 {
			t.Fatalf("status %d: %v", res.status, err)
		}
		rel := pkg.Releases[0]
		if len(rel.Tender.Criteria) != len(tn.Requirements) || len(rel.Bids.Details) != 2 || len(rel.Bids.Details[0].RequirementResponses) != len(tn.Requirements) {
			t.Fatalf("%d criteria, %d bids for %d requirements", len(rel.Tender.Criteria), len(rel.Bids.Details), len(tn.Requirements))
		}
	})

	t.Run("the annual report lists the year's tenders and the explanation", func(t *testing.T) {
		year := tn.PublishedAt.UTC().Year()
		res := a.apiClient("auditor@demo.test").get(fmt.Sprintf("/api/v1/reports/annual.pdf?year=%d", year))
		if res.status != 200 {
			t.Fatalf("status %d: %s", res.status, res.body)
		}
		text := pdfTextOf(t, res.body)
		for _, want := range []string{fmt.Sprintf("Comply-or-explain annual report %d", year), "DSC-2026-014", "Zoë Ångström signs", "Compliance rate per standard"} {
			if !strings.Contains(text, want) {
				t.Errorf("annual report lacks %q", want)
			}
		}
	})

	t.Run("the explanations CSV lists every explained answer with its tender and vendor", func(t *testing.T) {
		year := tn.PublishedAt.UTC().Year()
		for _, lang := range []string{"en", "nl"} {
			res := a.apiClient("auditor@demo.test").getWith(fmt.Sprintf("/api/v1/reports/annual-explanations.csv?year=%d", year), map[string]string{"Accept-Language": lang})
			if res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
				t.Fatalf("status %d %s: %s", res.status, res.header.Get("Content-Type"), res.body)
			}
			rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			header := map[string]string{"en": "Explanation", "nl": "Toelichting"}[lang]
			if len(rows) < 2 || rows[0][8] != header {
				t.Fatalf("%s header %v", lang, rows[0])
			}
			found := false
			for _, r := range rows[1:] {
				if r[5] == "DSC-2026-014" && strings.Contains(r[8], "Zoë Ångström signs") && r[6] != "" {
					found = true
				}
				if r[7] == models.AnswerComplies {
					t.Errorf("an answer that complies is listed: %v", r)
				}
			}
			if !found {
				t.Errorf("%s: the vendor's explanation is missing:\n%s", lang, res.body)
			}
		}
	})

	t.Run("a year without tenders gives a short report", func(t *testing.T) {
		res := a.session("auditor@demo.test").get("/reports/annual.pdf?year=1999")
		if res.status != 200 || !strings.Contains(pdfTextOf(t, res.body), "No tender was published in 1999") {
			t.Fatalf("status %d", res.status)
		}
	})

	for _, year := range []string{"20x6", "99999", "26", "-2026", "1066"} {
		t.Run(fmt.Sprintf("the malformed year %q is a 400", year), func(t *testing.T) {
			res := a.apiClient("auditor@demo.test").get("/api/v1/reports/annual.csv?year=" + year)
			if res.status != 400 || !strings.Contains(res.body, "four-digit year") {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			if web := a.session("admin@demo.test").get("/reports/annual.pdf?year=" + year); web.status != 400 {
				t.Fatalf("web: status %d", web.status)
			}
		})
	}
}

func TestReportButtons(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	officer := a.user("officer@demo.test")
	tn, err := models.FindTenderByReference(context.Background(), a.db, *officer.OrgID, "DSC-2026-014")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("the tender page links the report, the matrix and the OCDS export", func(t *testing.T) {
		body := a.session("auditor@demo.test").get(fmt.Sprintf("/tenders/%d", tn.ID)).body
		for _, suffix := range []string{"report.pdf", "report.csv", "ocds.json"} {
			if !strings.Contains(body, fmt.Sprintf(`href="/tenders/%d/%s"`, tn.ID, suffix)) {
				t.Errorf("no link to %s", suffix)
			}
		}
	})

	t.Run("the auditor's dashboard has the annual report form and it works without a year", func(t *testing.T) {
		c := a.session("auditor@demo.test")
		if body := c.get("/").body; !strings.Contains(body, `action="/reports/annual.pdf"`) || !strings.Contains(body, `formaction="/reports/annual.csv"`) {
			t.Fatal("the dashboard lacks the annual report form")
		}
		res := c.get("/reports/annual.pdf?year=")
		if res.status != 200 || !strings.Contains(pdfTextOf(t, res.body), fmt.Sprintf("annual report %d", testNow.Year())) {
			t.Fatalf("status %d", res.status)
		}
	})

	t.Run("an officer's dashboard has no annual report form", func(t *testing.T) {
		if body := a.session("officer@demo.test").get("/").body; strings.Contains(body, "/reports/annual.pdf") {
			t.Fatal("the officer sees the annual report form")
		}
	})
}
