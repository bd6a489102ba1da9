package app

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
)

var tenderLocation = regexp.MustCompile(`^/tenders/(\d+)\?flash=created$`)

func TestTenderSheetInTheBrowserForms(t *testing.T) {
	t.Parallel()
	demo.Each(t, testTenderSheetForms)
}

func testTenderSheetForms(t *testing.T, db *gorm.DB) {
	a := newTestAppOn(t, db)
	officer := a.session("officer@demo.test")
	ctx := context.Background()

	var id string
	t.Run("an officer creates a tender from the form", func(t *testing.T) {
		res := officer.post("/tenders", url.Values{
			"title": {"Managed e-mail"}, "reference": {"MAIL-1"}, "estimated_value": {"125,000.50"},
			"currency": {"eur"}, "deadline": {"2026-06-30"}, "scope_tags": {"mail, Hosting, mail"},
		})
		m := tenderLocation.FindStringSubmatch(res.header.Get("Location"))
		if res.status != 303 || m == nil {
			t.Fatalf("status %d to %q (%s)", res.status, res.header.Get("Location"), errorText(res.body))
		}
		id = m[1]
		page := officer.get("/tenders/" + id + "?flash=created")
		for _, want := range []string{"Managed e-mail", "MAIL-1", "€125,000.50", "30 Jun 2026", "mail, hosting", "Tender created."} {
			if !strings.Contains(page.body, want) {
				t.Errorf("tender page lacks %q", want)
			}
		}
	})

	t.Run("bad tender input is shown next to its field and creates nothing", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			form  url.Values
			field string
			msg   string
		}{
			{"missing title", url.Values{"title": {"  "}}, "title", "is required"},
			{"amount that is not a number", url.Values{"title": {"x"}, "estimated_value": {"lots"}}, "estimated_value", "is not an amount"},
			{"date that is not a date", url.Values{"title": {"x"}, "deadline": {"next week"}}, "deadline", "is not a date"},
			{"currency that is not a code", url.Values{"title": {"x"}, "currency": {"euros"}}, "currency", "three-letter"},
			{"title too long", url.Values{"title": {strings.Repeat("t", 201)}}, "title", "longer than 200"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := a.count(&models.Tender{})
				res := officer.post("/tenders", tc.form)
				if res.status != 422 {
					t.Fatalf("status %d, want 422", res.status)
				}
				errP := regexp.MustCompile(`id="` + tc.field + `-error">([^<]*)<`).FindStringSubmatch(res.body)
				if errP == nil || !strings.Contains(errP[1], tc.msg) {
					t.Fatalf("no error %q next to field %s; got %v", tc.msg, tc.field, errP)
				}
				if a.count(&models.Tender{}) != before {
					t.Fatal("a refused form created a tender")
				}
			})
		}
	})

	base := "/tenders/" + id
	t.Run("requirements are added, reordered and removed", func(t *testing.T) {
		for _, f := range []url.Values{
			{"standard": {"dmarc"}, "level": {"mandatory"}, "custom_clause": {"DMARC p=reject on all our domains."}, "note": {"Also parked domains."}},
			{"standard": {"spf"}, "level": {"recommended"}},
			{"standard": {"dkim"}, "level": {"mandatory"}},
		} {
			if res := officer.post(base+"/requirements", f); res.status != 303 {
				t.Fatalf("add %s: %d (%s)", f.Get("standard"), res.status, errorText(res.body))
			}
		}
		tender := a.tender(t, id)
		if got := slugs(tender); got != "dmarc spf dkim" {
			t.Fatalf("sheet is %q", got)
		}
		if c := tender.Requirements[0].ClauseIn("en"); c != "DMARC p=reject on all our domains." {
			t.Errorf("custom clause not kept: %q", c)
		}
		last := tender.Requirements[2].ID
		officer.post(fmt.Sprintf("%s/requirements/%d/move", base, last), url.Values{"direction": {"up"}})
		if got := slugs(a.tender(t, id)); got != "dmarc dkim spf" {
			t.Fatalf("after moving dkim up the sheet is %q", got)
		}
		officer.post(fmt.Sprintf("%s/requirements/%d/move", base, tender.Requirements[0].ID), url.Values{"direction": {"down"}})
		if got := slugs(a.tender(t, id)); got != "dkim dmarc spf" {
			t.Fatalf("after moving dmarc down the sheet is %q", got)
		}
		if res := officer.post(fmt.Sprintf("%s/requirements/%d/move", base, last), url.Values{"direction": {"sideways"}}); res.status != 400 {
			t.Fatalf("bad direction: %d, want 400", res.status)
		}
		officer.post(fmt.Sprintf("%s/requirements/%d/delete", base, tender.Requirements[1].ID), nil)
		if got := slugs(a.tender(t, id)); got != "dkim dmarc" {
			t.Fatalf("after removing spf the sheet is %q", got)
		}
		page := officer.get(base)
		if !strings.Contains(page.body, "DMARC p=reject on all our domains.") || !strings.Contains(page.body, "Also parked domains.") {
			t.Error("the page does not show the custom clause and note")
		}
	})

	t.Run("bad requirement input is refused next to its field", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			form   url.Values
			status int
			field  string
		}{
			{"unknown standard", url.Values{"standard": {"telepathy"}, "level": {"mandatory"}}, 422, "standard"},
			{"unknown level", url.Values{"standard": {"dnssec"}, "level": {"optional"}}, 422, "level"},
			{"note too long", url.Values{"standard": {"dnssec"}, "level": {"mandatory"}, "note": {strings.Repeat("n", models.MaxNoteLength+1)}}, 422, "note"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := a.count(&models.Requirement{})
				res := officer.post(base+"/requirements", tc.form)
				if res.status != tc.status || !strings.Contains(res.body, `id="`+tc.field+`-error"`) {
					t.Fatalf("status %d, want %d with an error on %s", res.status, tc.status, tc.field)
				}
				if a.count(&models.Requirement{}) != before {
					t.Fatal("a refused requirement was stored")
				}
			})
		}
		if res := officer.post(base+"/requirements", url.Values{"standard": {"dkim"}, "level": {"mandatory"}}); res.status != 409 {
			t.Fatalf("adding a standard twice: %d, want 409", res.status)
		}
		if res := officer.post(base+"/requirements/999999/delete", nil); res.status != 404 {
			t.Fatalf("removing an unknown requirement: %d, want 404", res.status)
		}
		if res := officer.post("/tenders/999999/requirements", url.Values{"standard": {"dkim"}, "level": {"mandatory"}}); res.status != 404 {
			t.Fatalf("adding to an unknown tender: %d, want 404", res.status)
		}
		// Issue 9: a malformed id is a 400 that says what an id looks like.
		if res := officer.get("/tenders/not-a-number"); res.status != 400 || !strings.Contains(res.body, "positive whole number") {
			t.Fatalf("a tender id that is not a number: %d, want 400 saying what an id is", res.status)
		}
	})

	t.Run("a profile adds its standards once", func(t *testing.T) {
		if res := officer.post(base+"/profile", url.Values{"profile": {"email-service"}}); res.status != 303 {
			t.Fatalf("apply: %d", res.status)
		}
		n := len(a.tender(t, id).Requirements)
		officer.post(base+"/profile", url.Values{"profile": {"email-service"}})
		if again := len(a.tender(t, id).Requirements); again != n || n <= 2 {
			t.Fatalf("profile gave %d requirements, then %d", n, again)
		}
		if res := officer.post(base+"/profile", url.Values{"profile": {"no-such-profile"}}); res.status != 422 {
			t.Fatalf("unknown profile: %d, want 422", res.status)
		}
	})

	t.Run("a draft's details can be edited, with errors next to the field", func(t *testing.T) {
		form := officer.get(base + "/edit")
		if form.status != 200 || !strings.Contains(form.body, `value="Managed e-mail"`) || !strings.Contains(form.body, `value="125,000.50"`) {
			t.Fatalf("edit form: %d, not filled in", form.status)
		}
		if res := officer.post(base, url.Values{"title": {""}, "reference": {"MAIL-1"}}); res.status != 422 || !strings.Contains(res.body, `id="title-error"`) {
			t.Fatalf("empty title: %d, want 422 next to the field", res.status)
		}
		if a.tender(t, id).Title != "Managed e-mail" {
			t.Fatal("a refused edit changed the title")
		}
		res := officer.post(base, url.Values{"title": {"Managed e-mail and relay"}, "reference": {"MAIL-1"}, "estimated_value": {"99000"}, "currency": {"EUR"}})
		if res.status != 303 {
			t.Fatalf("save: %d (%s)", res.status, errorText(res.body))
		}
		if got := a.tender(t, id); got.Title != "Managed e-mail and relay" || got.EstimatedValueCents != 9900000 {
			t.Fatalf("saved %q, %d cents", got.Title, got.EstimatedValueCents)
		}
	})

	t.Run("publishing freezes the sheet", func(t *testing.T) {
		if res := officer.post(base+"/publish", nil); res.status != 303 {
			t.Fatalf("publish: %d (%s)", res.status, errorText(res.body))
		}
		tender := a.tender(t, id)
		before := slugs(tender)
		for name, res := range map[string]response{
			"add":     officer.post(base+"/requirements", url.Values{"standard": {"dnssec"}, "level": {"mandatory"}}),
			"remove":  officer.post(fmt.Sprintf("%s/requirements/%d/delete", base, tender.Requirements[0].ID), nil),
			"move":    officer.post(fmt.Sprintf("%s/requirements/%d/move", base, tender.Requirements[1].ID), url.Values{"direction": {"up"}}),
			"profile": officer.post(base+"/profile", url.Values{"profile": {"website-hosting"}}),
			"publish": officer.post(base+"/publish", nil),
			"edit":    officer.post(base, url.Values{"title": {"Changed after publishing"}}),
			"form":    officer.get(base + "/edit"),
		} {
			// A change goes back to the tender with a note that it was
			// not made; publishing again lands on the published tender;
			// the edit form (a GET) is refused in place.
			want := base + "?flash=not_changed_published"
			switch name {
			case "publish":
				want = base + "?flash=published"
			case "form":
				want = ""
			}
			switch {
			case want == "" && (res.status != 409 || !strings.Contains(res.body, "published and can no longer change")):
				t.Errorf("%s after publishing: %d (%s), want 409", name, res.status, errorText(res.body))
			case want != "" && (res.status != 303 || res.header.Get("Location") != want):
				t.Errorf("%s after publishing: %d to %q, want 303 to %q", name, res.status, res.header.Get("Location"), want)
			}
		}
		if after := slugs(a.tender(t, id)); after != before {
			t.Fatalf("the published sheet changed from %q to %q", before, after)
		}
		page := officer.get(base)
		if strings.Contains(page.body, `action="`+base+`/requirements"`) {
			t.Error("the published tender still shows the add form")
		}
	})

	t.Run("an amendment is a new draft revision and the old one stays", func(t *testing.T) {
		res := officer.post(base+"/amend", nil)
		m := regexp.MustCompile(`^/tenders/(\d+)\?flash=amended$`).FindStringSubmatch(res.header.Get("Location"))
		if res.status != 303 || m == nil {
			t.Fatalf("amend: %d to %q", res.status, res.header.Get("Location"))
		}
		amended := a.tender(t, m[1])
		if amended.Revision != 2 || !amended.IsDraft() || slugs(amended) != slugs(a.tender(t, id)) {
			t.Fatalf("amendment: revision %d, status %s, sheet %q", amended.Revision, amended.Status, slugs(amended))
		}
		if res := officer.post(fmt.Sprintf("/tenders/%d/requirements", amended.ID), url.Values{"standard": {"hsts"}, "level": {"mandatory"}}); res.status != 303 {
			t.Fatalf("the amendment cannot be edited: %d", res.status)
		}
		if old := officer.get(base); old.status != 200 || !strings.Contains(old.body, "Revision 2") {
			t.Fatalf("the old revision is not readable with a link to the new one: %d", old.status)
		}
		if res := officer.post(base+"/amend", nil); res.status != 409 {
			t.Fatalf("amending the same revision twice: %d, want 409", res.status)
		}
	})

	t.Run("the sheet downloads as a PDF", func(t *testing.T) {
		res := officer.get(base + "/sheet.pdf")
		if res.status != 200 || res.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(res.body, "%PDF-") {
			t.Fatalf("status %d, type %q, starts %q", res.status, res.header.Get("Content-Type"), res.body[:min(8, len(res.body))])
		}
		if cd := res.header.Get("Content-Disposition"); !strings.Contains(cd, `filename="MAIL-1-rev1-requirements.pdf"`) {
			t.Errorf("Content-Disposition %q", cd)
		}
	})

	t.Run("an officer of another buyer cannot see or change the tender", func(t *testing.T) {
		org, err := models.CreateOrg(ctx, a.db, nil, "Other Council", models.OrgBuyer, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.CreateUser(ctx, a.db, nil, "other@demo.test", "Other", "long enough password", models.RoleOfficer, &org.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		draft, _ := a.newDraft("Not yours")
		other := a.session("other@demo.test")
		for name, res := range map[string]response{
			"view":    other.get(fmt.Sprintf("/tenders/%d", draft.ID)),
			"pdf":     other.get(fmt.Sprintf("/tenders/%d/sheet.pdf", draft.ID)),
			"add":     other.post(fmt.Sprintf("/tenders/%d/requirements", draft.ID), url.Values{"standard": {"dnssec"}, "level": {"mandatory"}}),
			"publish": other.post(fmt.Sprintf("/tenders/%d/publish", draft.ID), nil),
		} {
			if res.status != 404 {
				t.Errorf("%s: %d, want 404", name, res.status)
			}
		}
		if a.tender(t, fmt.Sprint(draft.ID)).Status != models.StatusDraft {
			t.Fatal("another buyer's officer published the tender")
		}
	})
}

// tender loads a tender with its sheet.
func (a *testApp) tender(t *testing.T, id string) *models.Tender {
	t.Helper()
	var n uint
	if _, err := fmt.Sscan(id, &n); err != nil {
		t.Fatal(err)
	}
	tender, err := models.FindTender(context.Background(), a.db, n)
	if err != nil {
		t.Fatal(err)
	}
	return tender
}

// slugs lists the sheet's standards in order.
func slugs(t *models.Tender) string {
	var s []string
	for _, r := range t.Requirements {
		s = append(s, r.Standard.Slug)
	}
	return strings.Join(s, " ")
}
