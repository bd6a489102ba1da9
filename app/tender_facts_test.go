package app

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"tenderprobe/app/i18n"
)

// TestATenderWithoutAValueSaysSo: an estimated value nobody entered reads
// as "none" on the tender page, as it does in the sheet, not as a value of
// zero; in Spanish with a word that fits every field it stands for.
func TestATenderWithoutAValueSaysSo(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	res := a.apiClient("officer@demo.test").postJSON("/api/v1/tenders", map[string]any{"title": "No value given"})
	if res.status != 201 {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	id := res.json(t)["id"]
	for _, tc := range []struct{ lang, want, notWant string }{
		{"en", "none", "0.00"},
		{"es", "sin indicar", "0,00"},
		{"nl", "geen", "0,00"},
	} {
		c := a.session("officer@demo.test")
		c.cookies["tp_lang"] = tc.lang
		page := c.get(fmt.Sprintf("/tenders/%v", id))
		_, after, _ := strings.Cut(page.body, `<dt>`+i18n.Messages().Text(tc.lang, "label.estimated_value", nil)+`</dt>`)
		dd, _, _ := strings.Cut(after, "</dd>")
		if page.status != 200 || !strings.Contains(dd, tc.want) || strings.Contains(dd, tc.notWant) {
			t.Errorf("%s: status %d, the estimated value reads %q", tc.lang, page.status, dd)
		}
	}
}

// TestAStandardAlreadyOnTheSheetIsNamed: adding a standard twice names it
// as the reader's language does, not by its slug.
func TestAStandardAlreadyOnTheSheetIsNamed(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	api := a.apiClient("officer@demo.test")
	res := api.postJSON("/api/v1/tenders", map[string]any{"title": "Twice"})
	if res.status != 201 {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	id := res.json(t)["id"]
	path := fmt.Sprintf("/api/v1/tenders/%v/requirements", id)
	if res := api.postJSON(path, map[string]string{"standard": "security-headers", "level": "mandatory"}); res.status != 201 {
		t.Fatalf("first: %d %s", res.status, res.body)
	}
	for _, tc := range []struct{ lang, want string }{
		{"en", "HTTP security headers is already on the sheet"},
		{"es", "Cabeceras de seguridad HTTP ya está en el pliego"},
	} {
		c := a.apiClient("officer@demo.test")
		c.cookies["tp_lang"] = tc.lang
		res := c.postJSON(path, map[string]string{"standard": "security-headers", "level": "mandatory"})
		if msg, _ := res.json(t)["error"].(string); res.status != 409 || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %d %q, want %q", tc.lang, res.status, msg, tc.want)
		}
	}
}

// TestAnInvitedSupplierCannotBeChosenAgain: the list of existing
// suppliers shows those already invited to the tender, but not as a
// choice (choosing one only gave a refusal).
func TestAnInvitedSupplierCannotBeChosenAgain(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	page := a.session("officer@demo.test").get("/tenders/1/invitations")
	if page.status != 200 || !strings.Contains(page.body, `disabled>Acme Hosting B.V. (already invited)</option>`) {
		t.Errorf("%d: the invited supplier is still a choice", page.status)
	}
}

// TestASupplierNobodyCanAnswerForIsNotAChoice: a supplier whose only
// vendor has not set a password yet (invited by e-mail to another tender)
// is listed but cannot be chosen, with the reason; choosing it only gave
// a refusal.
func TestASupplierNobodyCanAnswerForIsNotAChoice(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	officer := a.session("officer@demo.test")
	first := a.newPublished("First")
	res := officer.post(fmt.Sprintf("/tenders/%d/invitations", first.ID), url.Values{"invite": {"new"}, "email": {"new@pending.test"}, "supplier": {"Pending Hosting"}})
	if res.status >= 400 {
		t.Fatalf("invite by e-mail: %d", res.status)
	}
	second := a.newPublished("Second")
	for _, tc := range []struct{ lang, want string }{
		{"en", `disabled>Pending Hosting (nobody can log in yet)</option>`},
		{"nl", `disabled>Pending Hosting (nog niemand kan inloggen)</option>`},
	} {
		officer.cookies["tp_lang"] = tc.lang
		page := officer.get(fmt.Sprintf("/tenders/%d/invitations", second.ID))
		if page.status != 200 || !strings.Contains(page.body, tc.want) {
			t.Errorf("%s: %d, the supplier nobody can answer for is a choice", tc.lang, page.status)
		}
		if !strings.Contains(page.body, `<option value="`) || strings.Contains(page.body, `disabled>Acme Hosting B.V.`) {
			t.Errorf("%s: a supplier whose vendor can log in is not a choice", tc.lang)
		}
	}
}

// TestATendersOwnWordsCarryItsLanguage: on a Spanish reader's page, an
// English tender's title and description are marked English, as its
// clauses are, so a screen reader says them as English.
func TestATendersOwnWordsCarryItsLanguage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	res := a.apiClient("officer@demo.test").postJSON("/api/v1/tenders", map[string]any{"title": "Hosting for the council", "description": "Managed hosting of the council's web sites."})
	if res.status != 201 {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	c := a.session("officer@demo.test")
	c.cookies["tp_lang"] = "es"
	page := c.get(fmt.Sprintf("/tenders/%v", res.json(t)["id"]))
	for _, want := range []string{`<h1 lang="en">Hosting for the council</h1>`, `<p lang="en">Managed hosting of the council&#39;s web sites.</p>`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("%q missing", want)
		}
	}
}
