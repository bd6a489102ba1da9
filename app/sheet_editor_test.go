package app

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
)

// sheetSlugs returns the standards of tender id in sheet order.
func sheetSlugs(t *testing.T, db *gorm.DB, id uint) []string {
	t.Helper()
	tn, err := models.FindTender(context.Background(), db, id)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(tn.Requirements))
	for i, r := range tn.Requirements {
		out[i] = r.Standard.Slug
	}
	return out
}

// draftWith creates a draft of the demo buyer with the standards slugs.
func draftWith(t *testing.T, a *testApp, title string, slugs ...string) *models.Tender {
	t.Helper()
	ctx := context.Background()
	officer := a.user("officer@demo.test")
	tn, err := models.CreateTender(ctx, a.db, officer, models.TenderInput{Title: title}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range slugs {
		if _, err := models.AddRequirement(ctx, a.db, officer, tn.ID, models.RequirementInput{Standard: s, Level: models.LevelMandatory}, testNow); err != nil {
			t.Fatal(err)
		}
	}
	if tn, err = models.FindTender(ctx, a.db, tn.ID); err != nil {
		t.Fatal(err)
	}
	return tn
}

func TestSheetEditor(t *testing.T) {
	t.Parallel()
	demo.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newTestAppOn(t, db)
		officer := a.session("officer@demo.test")

		t.Run("a requirement's level, clause and note can be edited after adding it", func(t *testing.T) {
			tn := draftWith(t, a, "edit a requirement", "https")
			r := tn.Requirements[0]
			res := officer.post(fmt.Sprintf("/tenders/%d/requirements/%d", tn.ID, r.ID), url.Values{
				"level": {"recommended"}, "custom_clause": {"Our own HTTPS clause."}, "note": {"Check the old domains too."}, "note_visibility": {"public"},
			})
			if res.status != 303 {
				t.Fatalf("status %d: %s", res.status, errorText(res.body))
			}
			got, err := models.FindTender(context.Background(), db, tn.ID)
			if err != nil {
				t.Fatal(err)
			}
			g := got.Requirements[0]
			if g.Level != "recommended" || g.CustomClause != "Our own HTTPS clause." || g.Note != "Check the old domains too." || !g.NotePublic {
				t.Fatalf("after editing: %+v", g)
			}
			page := officer.get(fmt.Sprintf("/tenders/%d", tn.ID)).body
			for _, want := range []string{"Our own HTTPS clause.", "Public note (printed on the sheet)", "Check the old domains too."} {
				if !strings.Contains(page, want) {
					t.Errorf("the page lacks %q", want)
				}
			}
		})

		t.Run("an edit with a bad level is refused next to that requirement's field", func(t *testing.T) {
			tn := draftWith(t, a, "bad edit", "https", "dnssec")
			r := tn.Requirements[1]
			res := officer.post(fmt.Sprintf("/tenders/%d/requirements/%d", tn.ID, r.ID), url.Values{"level": {"optional"}, "note": {"kept"}})
			if res.status != 422 || !strings.Contains(res.body, fmt.Sprintf(`id="level-%d-error"`, r.ID)) {
				t.Fatalf("status %d, want 422 with the error under level-%d", res.status, r.ID)
			}
			if !strings.Contains(res.body, ">kept</textarea>") {
				t.Error("the note typed was not kept in the form")
			}
		})

		t.Run("a position field moves a requirement to any place in one step", func(t *testing.T) {
			tn := draftWith(t, a, "move to a position", "https", "dnssec", "spf", "dkim")
			last := tn.Requirements[3]
			if res := officer.post(fmt.Sprintf("/tenders/%d/requirements/%d/move", tn.ID, last.ID), url.Values{"position": {"1"}}); res.status != 303 {
				t.Fatalf("status %d: %s", res.status, errorText(res.body))
			}
			if got := strings.Join(sheetSlugs(t, db, tn.ID), " "); got != "dkim https dnssec spf" {
				t.Fatalf("sheet %q, want dkim first and the others in their order", got)
			}
			if res := officer.post(fmt.Sprintf("/tenders/%d/requirements/%d/move", tn.ID, last.ID), url.Values{"position": {"3"}}); res.status != 303 {
				t.Fatalf("status %d", res.status)
			}
			if got := strings.Join(sheetSlugs(t, db, tn.ID), " "); got != "https dnssec dkim spf" {
				t.Fatalf("sheet %q, want dkim third", got)
			}
		})

		t.Run("a position outside the sheet is refused and changes nothing", func(t *testing.T) {
			tn := draftWith(t, a, "bad position", "https", "dnssec")
			r := tn.Requirements[0]
			for _, pos := range []string{"0", "3", "two"} {
				res := officer.post(fmt.Sprintf("/tenders/%d/requirements/%d/move", tn.ID, r.ID), url.Values{"position": {pos}})
				if res.status != 422 || !strings.Contains(res.body, fmt.Sprintf(`id="position-%d-error"`, r.ID)) {
					t.Fatalf("position %q: status %d, want 422 with the error next to the field", pos, res.status)
				}
			}
			if got := strings.Join(sheetSlugs(t, db, tn.ID), " "); got != "https dnssec" {
				t.Fatalf("sheet %q changed", got)
			}
		})

		t.Run("several ticked standards are added in one step at one level", func(t *testing.T) {
			tn := draftWith(t, a, "add several", "https")
			res := officer.post(fmt.Sprintf("/tenders/%d/requirements/batch", tn.ID), url.Values{"standards": {"spf", "dkim", "dmarc"}, "level": {"recommended"}})
			if res.status != 303 {
				t.Fatalf("status %d: %s", res.status, errorText(res.body))
			}
			got, _ := models.FindTender(context.Background(), db, tn.ID)
			if s := strings.Join(sheetSlugs(t, db, tn.ID), " "); s != "https spf dkim dmarc" {
				t.Fatalf("sheet %q", s)
			}
			for _, r := range got.Requirements[1:] {
				if r.Level != "recommended" {
					t.Errorf("%s is %s, want recommended", r.Standard.Slug, r.Level)
				}
			}
		})

		t.Run("a list with a standard already on the sheet adds none of them", func(t *testing.T) {
			tn := draftWith(t, a, "add several, one twice", "https")
			res := officer.post(fmt.Sprintf("/tenders/%d/requirements/batch", tn.ID), url.Values{"standards": {"spf", "https"}, "level": {"mandatory"}})
			if res.status != 409 {
				t.Fatalf("status %d, want 409", res.status)
			}
			if s := strings.Join(sheetSlugs(t, db, tn.ID), " "); s != "https" {
				t.Fatalf("sheet %q: part of a refused list was added", s)
			}
		})

		t.Run("nothing ticked is refused next to the list", func(t *testing.T) {
			tn := draftWith(t, a, "add nothing", "https")
			res := officer.post(fmt.Sprintf("/tenders/%d/requirements/batch", tn.ID), url.Values{"level": {"mandatory"}})
			if res.status != 422 || !strings.Contains(res.body, `id="standards-error"`) {
				t.Fatalf("status %d, want 422 with the error next to the list", res.status)
			}
		})

		t.Run("a profile's preview lists what it adds and changes nothing until confirmed", func(t *testing.T) {
			tn := draftWith(t, a, "profile preview", "https")
			mark := auditMark(t, db)
			res := officer.get(fmt.Sprintf("/tenders/%d/profile?profile=website-hosting", tn.ID))
			if res.status != 200 {
				t.Fatalf("preview: status %d", res.status)
			}
			if n := len(sheetSlugs(t, db, tn.ID)); n != 1 {
				t.Fatalf("the preview changed the sheet: %d requirements", n)
			}
			if n := len(auditSince(t, db, mark)); n != 0 {
				t.Fatalf("the preview wrote %d audit entries", n)
			}
			items, err := models.PreviewProfile(context.Background(), db, a.user("officer@demo.test"), tn.ID, *profileNamed(t, a, "website-hosting"))
			if err != nil || len(items) == 0 {
				t.Fatalf("preview: %v %v", items, err)
			}
			table := res.body[strings.Index(res.body, `id="profile-preview"`):]
			table = table[:strings.Index(table, "</table>")]
			for _, it := range items {
				if !strings.Contains(table, ">"+it.Standard.Name+"<") {
					t.Errorf("the preview does not list %s", it.Standard.Name)
				}
				if it.Standard.Slug == "https" {
					t.Error("the preview lists a standard already on the sheet")
				}
			}
			if strings.Contains(table, `href="/catalogue/https"`) {
				t.Error("the preview table lists HTTPS, which is on the sheet already")
			}
			if res := officer.post(fmt.Sprintf("/tenders/%d/profile", tn.ID), url.Values{"profile": {"website-hosting"}}); res.status != 303 {
				t.Fatalf("apply: status %d", res.status)
			}
			if n := len(sheetSlugs(t, db, tn.ID)); n != 1+len(items) {
				t.Fatalf("applying added %d, the preview listed %d", n-1, len(items))
			}
		})

		t.Run("an unknown profile's preview is refused next to the field", func(t *testing.T) {
			tn := draftWith(t, a, "unknown profile", "https")
			res := officer.get(fmt.Sprintf("/tenders/%d/profile?profile=nope", tn.ID))
			if res.status != 422 || !strings.Contains(res.body, `id="profile-error"`) {
				t.Fatalf("status %d, want 422 with the error next to the profile field", res.status)
			}
		})
	})
}

func profileNamed(t *testing.T, a *testApp, slug string) *models.Profile {
	t.Helper()
	for i := range a.h.Profiles {
		if a.h.Profiles[i].Slug == slug {
			return &a.h.Profiles[i]
		}
	}
	t.Fatalf("no profile %s", slug)
	return nil
}

// TestInternalNotesStayWithTheBuyer checks that an internal note is never
// printed on the sheet PDF nor shown to a vendor (page or API), while a
// public note is, and the buyer's side sees both, labelled.
func TestInternalNotesStayWithTheBuyer(t *testing.T) {
	t.Parallel()
	demo.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		a := newTestAppOn(t, db)
		officerUser, vendorUser := a.user("officer@demo.test"), a.user("vendor@demo.test")
		const internal, public = "INTERNAL-budget-is-tight", "PUBLIC-include-parked-domains"
		tn, err := models.CreateTender(ctx, db, officerUser, models.TenderInput{Title: "Notes"}, testNow)
		if err != nil {
			t.Fatal(err)
		}
		officer := a.session("officer@demo.test")
		for _, f := range []url.Values{
			{"standard": {"https"}, "level": {"mandatory"}, "note": {internal}},
			{"standard": {"dnssec"}, "level": {"mandatory"}, "note": {public}, "note_visibility": {"public"}},
		} {
			if res := officer.post(fmt.Sprintf("/tenders/%d/requirements", tn.ID), f); res.status != 303 {
				t.Fatalf("add: %d %s", res.status, errorText(res.body))
			}
		}
		if _, err := models.PublishTender(ctx, db, officerUser, tn.ID, testNow); err != nil {
			t.Fatal(err)
		}
		if _, err := models.InviteSupplier(ctx, db, officerUser, tn.ID, *vendorUser.OrgID, time.Hour, testNow); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/tenders/%d", tn.ID)
		vendorPage := a.session("vendor@demo.test").get(path)
		officerPage := officer.get(path)
		vendorAPI := a.apiClient("vendor@demo.test").get("/api/v1" + path)
		officerAPI := a.apiClient("officer@demo.test").get("/api/v1" + path)
		pdf := officer.get(path + "/sheet.pdf")
		for _, r := range []response{vendorPage, officerPage, vendorAPI, officerAPI, pdf} {
			if r.status != 200 {
				t.Fatalf("status %d", r.status)
			}
		}
		t.Run("the vendor's page shows the public note only", func(t *testing.T) {
			if !strings.Contains(vendorPage.body, public) || strings.Contains(vendorPage.body, internal) {
				t.Fatalf("public shown %v, internal shown %v", strings.Contains(vendorPage.body, public), strings.Contains(vendorPage.body, internal))
			}
		})
		t.Run("the vendor's API shows the public note only", func(t *testing.T) {
			if !strings.Contains(vendorAPI.body, public) || strings.Contains(vendorAPI.body, internal) {
				t.Fatal("the API shows a vendor the internal note or hides the public one")
			}
		})
		t.Run("the buyer's side sees both notes, each labelled", func(t *testing.T) {
			for _, want := range []string{internal, public, "Internal note (buyer only, never printed)", "Public note (printed on the sheet)"} {
				if !strings.Contains(officerPage.body, want) {
					t.Errorf("the officer's page lacks %q", want)
				}
			}
			if !strings.Contains(officerAPI.body, internal) {
				t.Error("the officer's API lacks the internal note")
			}
		})
		t.Run("the sheet PDF prints the public note only", func(t *testing.T) {
			if _, err := exec.LookPath("pdftotext"); err != nil {
				if os.Getenv("CI") == "true" {
					t.Fatal("pdftotext (poppler-utils) is required with CI=true")
				}
				t.Skip("pdftotext not installed")
			}
			file := filepath.Join(t.TempDir(), "sheet.pdf")
			if err := os.WriteFile(file, []byte(pdf.body), 0o600); err != nil {
				t.Fatal(err)
			}
			text, err := exec.Command("pdftotext", file, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext: %v", err)
			}
			flat := strings.Join(strings.Fields(string(text)), " ")
			if !strings.Contains(flat, public) {
				t.Errorf("the PDF lacks the public note: %s", flat)
			}
			if strings.Contains(flat, "INTERNAL") {
				t.Error("the PDF prints the internal note")
			}
		})
	})
}
