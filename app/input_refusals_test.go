package app

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
	"tenderprobe/seed"
)

// Bad input found by a walk through the pages: each is refused next to its
// field, in the reader's language, and changes nothing.

func TestATenderPastItsDeadlineIsNotPublished(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	officer := a.session("officer@demo.test")
	api := a.apiClient("officer@demo.test")
	// The test's clock reads 2026-03-01 09:00 UTC.
	cases := []struct {
		name, lang, deadline, words string
	}{
		{"a deadline years ago, in English", "en", "2020-05-01", "1 May 2020, 23:59 CEST has passed"},
		{"a deadline years ago, in Dutch", "nl", "2021-01-15", "15 jan 2021 23:59 CET is al voorbij"},
		{"yesterday's deadline, in Spanish", "es", "2026-02-28", "28 feb 2026, 23:59 CET ya ha pasado"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			officer.cookies["tp_lang"] = c.lang
			res := officer.post("/tenders", url.Values{"title": {"Past " + c.deadline}, "deadline": {c.deadline}})
			if res.status != 303 {
				t.Fatalf("saving a draft with a past deadline: status %d, want 303: %s", res.status, errorText(res.body))
			}
			base := strings.SplitN(res.header.Get("Location"), "?", 2)[0]
			id := strings.TrimPrefix(base, "/tenders/")
			if res := officer.post(base+"/requirements", url.Values{"standard": {"https"}, "level": {"mandatory"}}); res.status != 303 {
				t.Fatalf("adding a requirement: status %d: %s", res.status, errorText(res.body))
			}
			if page := officer.get(base); !strings.Contains(page.body, `id="publish-error"`) || !strings.Contains(page.body, c.words) {
				t.Errorf("the draft's page does not warn %q next to the publish button: %s", c.words, errorText(page.body))
			}
			res = officer.post(base+"/publish", nil)
			if res.status != 422 || !strings.Contains(res.body, `id="publish-error"`) || !strings.Contains(res.body, c.words) {
				t.Errorf("publishing: status %d, want 422 with %q next to the publish button: %s", res.status, c.words, errorText(res.body))
			}
			res = api.postJSON("/api/v1/"+strings.TrimPrefix(base, "/")+"/publish", map[string]any{})
			if body := res.json(t); res.status != 422 || body["code"] != "field.passed_before_publish" || body["field"] != "deadline" {
				t.Errorf("publishing over the API: status %d %v, want 422 on the deadline", res.status, body)
			}
			if tn := a.tender(t, id); tn.Status != models.StatusDraft || tn.PublishedAt != nil {
				t.Fatalf("the refused tender is %s", tn.Status)
			}
			res = officer.post(base, url.Values{"title": {"Past " + c.deadline}, "deadline": {"2026-04-01"}})
			if res.status != 303 {
				t.Fatalf("moving the deadline on: status %d: %s", res.status, errorText(res.body))
			}
			if page := officer.get(base); strings.Contains(page.body, `id="publish-error"`) {
				t.Errorf("with a later deadline the page still warns: %s", errorText(page.body))
			}
			if res := officer.post(base+"/publish", nil); res.status != 303 || a.tender(t, id).Status != models.StatusPublished {
				t.Errorf("publishing with a later deadline: status %d: %s", res.status, errorText(res.body))
			}
		})
	}
}

func TestABadPositionComesBackNextToTheField(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	ctx := context.Background()
	officer := a.session("officer@demo.test")
	draft, moved := a.newDraft("Positions")
	for _, s := range []string{"hsts", "dnssec"} {
		if _, err := models.AddRequirement(ctx, a.db, dbtest.ManagerOf(a.db, draft.ID), draft.ID, models.RequirementInput{Standard: s, Level: models.LevelMandatory}, testNow); err != nil {
			t.Fatal(err)
		}
	}
	id := fmt.Sprint(draft.ID)
	path := fmt.Sprintf("/tenders/%d/requirements/%d/move", draft.ID, moved.ID)
	cases := []struct {
		name, lang, position, words string
	}{
		{"an empty position, in English", "en", "", "Position is required"},
		{"only spaces, in Dutch", "nl", "  ", "Positie is verplicht"},
		{"letters, in Spanish", "es", "abc", "Posición no es un número"},
		{"a fraction", "en", "1.5", "Position is not a number"},
		{"position 0", "en", "0", "Position must be a number from 1 to 3"},
		{"a position past the end, in Dutch", "nl", "99", "Positie moet een getal van 1 tot en met 3 zijn"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			officer.cookies["tp_lang"] = c.lang
			res := officer.post(path, url.Values{"position": {c.position}})
			if res.status != 422 || !strings.Contains(res.body, fmt.Sprintf(`id="position-%d-error"`, moved.ID)) || !strings.Contains(res.body, c.words) {
				t.Errorf("status %d, want the sheet again (422) with %q next to the position: %s", res.status, c.words, errorText(res.body))
			}
			if got := slugs(a.tender(t, id)); got != "https hsts dnssec" {
				t.Errorf("the refused move changed the sheet to %q", got)
			}
		})
	}
	t.Run("a good position moves the requirement", func(t *testing.T) {
		officer.cookies["tp_lang"] = "en"
		if res := officer.post(path, url.Values{"position": {"3"}}); res.status != 303 || slugs(a.tender(t, id)) != "hsts dnssec https" {
			t.Errorf("status %d and sheet %q, want https moved to the end", res.status, slugs(a.tender(t, id)))
		}
	})
	t.Run("a published sheet refuses any position as locked", func(t *testing.T) {
		pub := a.newPublished("Published positions")
		res := officer.post(fmt.Sprintf("/tenders/%d/requirements/%d/move", pub.ID, pub.Requirements[0].ID), url.Values{"position": {""}})
		// Back to the tender, which says the change was not made.
		if want := fmt.Sprintf("/tenders/%d?flash=not_changed_published", pub.ID); res.status != 303 || res.header.Get("Location") != want {
			t.Errorf("status %d to %q, want 303 to %s: %s", res.status, res.header.Get("Location"), want, errorText(res.body))
		}
	})
}

func TestASupplierIsInvitedOnceOnThePageAndOverTheAPI(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	w := newAttestWorld(t, a) // invites vendor@demo.test's supplier
	officer := a.session("officer@demo.test")
	api := a.apiClient("officer@demo.test")
	acme, nordwind := orgID(t, a, seed.DemoSupplier), orgID(t, a, seed.DemoSupplier2)
	path := fmt.Sprintf("/tenders/%d/invitations", w.tender.ID)
	invitations := func() int64 {
		var n int64
		if err := a.db.Model(&models.Invitation{}).Where("tender_id = ?", w.tender.ID).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	cases := []struct {
		name, lang   string
		form         url.Values
		field, words string
	}{
		{"the same address again", "en", url.Values{"email": {"vendor@demo.test"}}, "invite-email", "Acme Hosting B.V. is invited to this tender already"},
		{"the same address in capitals, in Dutch", "nl", url.Values{"email": {"VENDOR@demo.test"}}, "invite-email", "Acme Hosting B.V. is al uitgenodigd voor deze aanbesteding"},
		{"the same supplier from the list, in Spanish", "es", url.Values{"invite": {"existing"}, "supplier_id": {fmt.Sprint(acme)}}, "invite-supplier-id", "Acme Hosting B.V. ya está invitado a esta licitación"},
	}
	for _, c := range cases {
		t.Run(c.name+" on the page", func(t *testing.T) {
			before := invitations()
			officer.cookies["tp_lang"] = c.lang
			res := officer.post(path, c.form)
			if res.status != 422 || !strings.Contains(res.body, `id="`+c.field+`-error"`) || !strings.Contains(res.body, c.words) {
				t.Errorf("status %d, want 422 with %q next to %s: %s", res.status, c.words, c.field, errorText(res.body))
			}
			if after := invitations(); after != before {
				t.Errorf("%d invitations, want %d", after, before)
			}
		})
	}
	for _, c := range []struct {
		name string
		body map[string]any
	}{
		{"the same address again over the API", map[string]any{"email": "vendor@demo.test"}},
		{"the same supplier by id over the API", map[string]any{"supplier_id": acme}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := invitations()
			res := api.postJSON("/api/v1"+path, c.body)
			if got := res.json(t); res.status != 422 || got["code"] != "field.already_invited" {
				t.Errorf("status %d %v, want 422 field.already_invited", res.status, got)
			}
			if after := invitations(); after != before {
				t.Errorf("%d invitations, want %d", after, before)
			}
		})
	}
	t.Run("another supplier is still invited", func(t *testing.T) {
		officer.cookies["tp_lang"] = "en"
		if res := officer.post(path, url.Values{"invite": {"existing"}, "supplier_id": {fmt.Sprint(nordwind)}}); res.status != 201 {
			t.Errorf("status %d, want 201: %s", res.status, errorText(res.body))
		}
	})
}

func TestOrgNamesDifferingOnlyInCaseOrSpacesAreRefused(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	admin := a.session("admin@demo.test")
	nordwind := orgID(t, a, seed.DemoSupplier2)
	orgs := func() string {
		list, err := models.ListOrgs(context.Background(), a.db, "")
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, o := range list {
			names = append(names, o.Name)
		}
		return strings.Join(names, "|")
	}
	cases := []struct {
		name, lang, typed, words string
	}{
		{"in small letters", "en", "acme hosting b.v.", "An organisation called Acme Hosting B.V. exists already"},
		{"in capitals with spaces around and between, in Dutch", "nl", "  ACME   HOSTING B.V. ", "De organisatie Acme Hosting B.V. bestaat al"},
		{"exactly, in Spanish", "es", "Acme Hosting B.V.", "La organización Acme Hosting B.V. ya existe"},
	}
	for _, c := range cases {
		t.Run("a new organisation named "+c.name, func(t *testing.T) {
			before := orgs()
			admin.cookies["tp_lang"] = c.lang
			res := admin.post("/admin/orgs", url.Values{"name": {c.typed}, "kind": {"supplier"}})
			if res.status != 409 || !strings.Contains(res.body, `id="org-name-error"`) || !strings.Contains(res.body, c.words) {
				t.Errorf("status %d, want 409 with %q next to the name: %s", res.status, c.words, errorText(res.body))
			}
			if after := orgs(); after != before {
				t.Errorf("the organisations went from %s to %s", before, after)
			}
		})
		t.Run("another organisation renamed "+c.name, func(t *testing.T) {
			before := orgs()
			admin.cookies["tp_lang"] = c.lang
			res := admin.post(fmt.Sprintf("/admin/orgs/%d", nordwind), url.Values{"name": {c.typed}})
			if res.status != 409 || !strings.Contains(res.body, fmt.Sprintf(`id="rename-%d-error"`, nordwind)) || !strings.Contains(res.body, c.words) {
				t.Errorf("status %d, want 409 with %q next to the new name: %s", res.status, c.words, errorText(res.body))
			}
			if after := orgs(); after != before {
				t.Errorf("the organisations went from %s to %s", before, after)
			}
		})
	}
}
