package app

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"tenderprobe/app/i18n"
	"tenderprobe/models"
)

// getIn fetches path as c with the browser asking for lang.
func getIn(c *client, lang, path string) response {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept-Language", lang)
	return c.do(req)
}

// postIn sends a form as c with the browser asking for lang.
func postIn(c *client, lang, path string, form url.Values) response {
	form = cloneForm(form)
	if _, ok := form["_csrf"]; !ok && c.csrf != "" {
		form.Set("_csrf", c.csrf)
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", lang)
	return c.do(req)
}

var (
	// Parts of a page that are not the interface's words: scripts, the
	// technical code samples and hashes, and the tender's clauses, which
	// are in the tender's own language.
	notInterface = regexp.MustCompile(`(?s)<script.*?</script>|<code[^>]*>.*?</code>|<blockquote class="clause">.*?</blockquote>`)
	// Attributes whose values a reader sees or hears.
	visibleAttr = regexp.MustCompile(`\s(?:aria-label|title|placeholder|data-confirm|data-label|data-copied|data-failed|data-text-[a-z-]+)="([^"]*)"`)
	anyTag      = regexp.MustCompile(`(?s)<[^>]*>`)
	// E-mail addresses and domain names are the records' own data.
	emailOrHost = regexp.MustCompile(`[\w.+-]+@[\w.-]+|\b(?:https?://)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:test|nl|com|org|example)\b\S*`)
	dotted      = regexp.MustCompile(`\b[a-z][a-z0-9_]*(?:\.[a-z0-9_-]+)+\b`)
	snakeCase   = regexp.MustCompile(`\b[a-z]+_[a-z_]+\b`)
	// Codes and English words that must not reach a Dutch or Spanish page.
	englishCodes = regexp.MustCompile(`\b(?:admin|draft|submitted|vendor|officer|complies|partial|pending|accepted|mandatory|recommended|disabled|expired|revoked|buyer|supplier|not applicable|does not comply|Save all|Log in|Log out|Answer|Attestations?|Invitations?)\b`)
)

// visibleText is what a reader of page sees or hears: the text between
// tags and the values of the attributes read out or shown, with the
// records' own data (e-mail addresses, domain names) left out.
func visibleText(page string) string {
	page = notInterface.ReplaceAllString(page, " ")
	var b strings.Builder
	for _, m := range visibleAttr.FindAllStringSubmatch(page, -1) {
		b.WriteString(m[1] + " \n")
	}
	b.WriteString(anyTag.ReplaceAllString(page, " \n"))
	return emailOrHost.ReplaceAllString(html.UnescapeString(b.String()), " ")
}

// untranslated lists what in text looks like a message key or an internal
// code, or (for a language other than English) an English word or code.
func untranslated(cat *i18n.Catalogue, lang, text string) []string {
	var out []string
	for _, m := range dotted.FindAllString(text, -1) {
		if cat.Has(i18n.Default, m) || strings.Contains(m, "_") {
			out = append(out, "message key "+m)
		}
	}
	for _, m := range snakeCase.FindAllString(text, -1) {
		out = append(out, "code "+m)
	}
	if lang != i18n.Default {
		for _, m := range englishCodes.FindAllString(text, -1) {
			out = append(out, "English "+m)
		}
		// Any English message of a few words that the language words
		// differently, such as a domain's name.
		for _, key := range cat.Keys(i18n.Default) {
			en := cat.Source(i18n.Default, key)
			if strings.ContainsAny(en, "{}") || !strings.Contains(en, " ") || cat.Source(lang, key) == en {
				continue
			}
			if strings.Contains(text, en) {
				out = append(out, fmt.Sprintf("English %q (%s)", en, key))
			}
		}
	}
	return out
}

var h1Text = regexp.MustCompile(`(?s)<h1[^>]*>(.*?)</h1>`)

// TestVendorAdminAndSignInPagesSpeakDutchAndSpanish fetches every page of
// the vendor, admin and sign-in areas as the user who sees it, in Dutch
// and in Spanish: the heading and buttons are the catalogue's words in
// that language, and nothing of the page is a message key, an internal
// code or an English word.
func TestVendorAdminAndSignInPagesSpeakDutchAndSpanish(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	cat, err := i18n.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	w := newAttestWorld(t, a)
	w.fill(t)
	if _, err := models.Submit(ctx, a.db, a.user("vendor@demo.test"), w.att.ID, models.SubmitInput{Declaration: true, Declarer: "Victor Vendor"}, testNow); err != nil {
		t.Fatal(err)
	}
	if _, err := models.Reopen(ctx, a.db, a.user("vendor@demo.test"), w.att.ID, nil, testNow); err != nil {
		t.Fatal(err)
	}
	if _, err := models.SaveAnswer(ctx, a.db, a.user("vendor@demo.test"), w.att.ID, w.dnssec,
		models.AnswerInput{Status: "partial", Explanation: "Signing in Q3", PlannedDate: "2026-09-30"}, testNow); err != nil {
		t.Fatal(err)
	}
	submitted := newAttestWorld(t, a)
	submitted.fill(t)
	if _, err := models.Submit(ctx, a.db, a.user("vendor@demo.test"), submitted.att.ID, models.SubmitInput{Declaration: true, Declarer: "Victor Vendor"}, testNow); err != nil {
		t.Fatal(err)
	}
	draft := newAttestWorld(t, a)
	_, token, err := models.Invite(ctx, a.db, a.user("officer@demo.test"), draft.tender.ID,
		models.InviteInput{Email: "new@i18n-pages.test", Supplier: "I18n Pages Ltd"}, 24*time.Hour, testNow)
	if err != nil {
		t.Fatal(err)
	}
	_, colleagueToken, err := models.InviteColleague(ctx, a.db, a.user("vendor@demo.test"), models.ColleagueInput{Email: "colleague@i18n-pages.test", Name: "Cora Colleague"}, 24*time.Hour, testNow)
	if err != nil {
		t.Fatal(err)
	}
	att := fmt.Sprintf("/attestations/%d", w.att.ID)
	pages := []struct {
		name, who, path, heading string
		words                    []string // message keys whose words the page shows
	}{
		{"the login page", "", "/login", "login.heading", []string{"login.submit", "language.switch"}},
		{"an invitation page", "", "/invitations/" + token, "invitation.heading_tender", []string{"invitation.set_and_answer", "invitation.new_password", "language.switch"}},
		{"a colleague's invitation page", "", "/invitations/" + colleagueToken, "", []string{"invitation.set_and_join", "invitation.repeat_password"}},
		{"a page that does not exist", "", "/no-such-page", "title.404", []string{"page.back_to_dashboard"}},
		{"the vendor's attestation list", "vendor@demo.test", "/attestations", "attestation.list_heading", []string{"filter.show", "nav.logout", "nav.colleagues"}},
		{"the vendor's answer page", "vendor@demo.test", att, "", []string{"attestation.save_all", "attestation.submit", "answer.label.explanation", "answer.status.partial", "attestation.changes_heading"}},
		{"the receipt page", "vendor@demo.test", att + "/receipt?version=1", "", []string{"receipt.match", "receipt.download"}},
		{"an earlier version", "vendor@demo.test", att + "/versions/1", "", []string{"attestation.answers_heading", "answer.status.complies"}},
		{"the vendor's colleagues", "vendor@demo.test", "/supplier", "supplier.heading", []string{"supplier.invite", "supplier.invite_heading"}},
		{"the API tokens page", "vendor@demo.test", "/account/tokens", "token.heading", []string{"token.none"}},
		{"the officer's view of an answer page", "officer@demo.test", fmt.Sprintf("/attestations/%d", draft.att.ID), "", []string{"attestation.review_matrix", "answer.status_none"}},
		{"the officer's review of a submitted attestation", "officer@demo.test", fmt.Sprintf("/attestations/%d", submitted.att.ID), "", []string{"attestation.accept", "attestation.ask_clarification", "answer.label.comment", "attestation.verify_receipt"}},
		{"the officer's invitations", "officer@demo.test", fmt.Sprintf("/tenders/%d/invitations", w.tender.ID), "invitation.index_heading", []string{"invitation.invite_existing", "invitation.invite_new", "invitation.head.expires"}},
		{"the users page", "admin@demo.test", "/admin/users", "user.heading", []string{"user.add", "user.reset_password", "role.vendor"}},
		{"the organisations page", "admin@demo.test", "/admin/orgs", "org.heading", []string{"org.add", "org_kind.supplier"}},
	}
	for _, lang := range []string{"nl", "es"} {
		for _, p := range pages {
			t.Run(fmt.Sprintf("%s in %s is in %s throughout", p.name, lang, lang), func(t *testing.T) {
				res := getIn(a.session(p.who), lang, p.path)
				if res.status != http.StatusOK && !(p.heading == "title.404" && res.status == http.StatusNotFound) {
					t.Fatalf("status %d: %s", res.status, errorText(res.body))
				}
				if !strings.Contains(res.body, `<html lang="`+lang+`">`) {
					t.Errorf("the page is not marked as %s", lang)
				}
				if p.heading != "" {
					m := h1Text.FindStringSubmatch(res.body)
					if want := html.EscapeString(cat.Text(lang, p.heading, nil)); m == nil || strings.TrimSpace(m[1]) != want {
						t.Errorf("heading %q, want %q", m, want)
					}
				}
				for _, key := range p.words {
					want := cat.Text(lang, key, nil)
					if want == cat.Text(i18n.Default, key, nil) {
						t.Fatalf("%s is the same in English and %s, so it proves nothing", key, lang)
					}
					if !strings.Contains(html.UnescapeString(res.body), want) {
						t.Errorf("the page lacks %q (%s)", want, key)
					}
				}
				for _, bad := range untranslated(cat, lang, visibleText(res.body)) {
					t.Errorf("visible text has %s", bad)
				}
			})
		}
	}
	forms := []struct {
		name, who, path string
		form            url.Values
		words           []string
	}{
		{"the link of a new supplier's invitation", "officer@demo.test", fmt.Sprintf("/tenders/%d/invitations", draft.tender.ID),
			url.Values{"email": {"contact@another-i18n.test"}, "supplier": {"Another I18n Ltd"}}, []string{"invitation.copy", "invitation.link_new_account"}},
		{"the link of a colleague's invitation", "vendor@demo.test", "/supplier/invitations",
			url.Values{"email": {"second@i18n-pages.test"}}, []string{"invitation.copy", "invitation.copied"}},
		{"a refused new user", "admin@demo.test", "/admin/users",
			url.Values{"email": {"not an address"}, "name": {""}, "role": {"vendor"}}, []string{"user.add_heading", "user.add"}},
	}
	for _, lang := range []string{"nl", "es"} {
		for _, f := range forms {
			t.Run(fmt.Sprintf("%s in %s is in %s throughout", f.name, lang, lang), func(t *testing.T) {
				form := cloneForm(f.form)
				if e := form.Get("email"); strings.Contains(e, "@") {
					form.Set("email", lang+"."+e) // a new address in each language
				}
				if n := form.Get("supplier"); n != "" {
					form.Set("supplier", n+" "+lang)
				}
				res := postIn(a.session(f.who), lang, f.path, form)
				if res.status >= 500 || res.status == http.StatusSeeOther {
					t.Fatalf("status %d: %s", res.status, errorText(res.body))
				}
				for _, key := range f.words {
					if want := cat.Text(lang, key, nil); !strings.Contains(html.UnescapeString(res.body), want) {
						t.Errorf("the page lacks %q (%s)", want, key)
					}
				}
				for _, bad := range untranslated(cat, lang, visibleText(res.body)) {
					t.Errorf("visible text has %s", bad)
				}
			})
		}
	}
	t.Run("the check finds an English word, a code and a message key", func(t *testing.T) {
		got := strings.Join(untranslated(cat, "nl", visibleText(`<p title="attestation.save_all">Status: draft, does_not_comply</p>`)), "; ")
		for _, want := range []string{"message key attestation.save_all", "code does_not_comply", "English draft"} {
			if !strings.Contains(got, want) {
				t.Errorf("found %q, want also %s", got, want)
			}
		}
	})
}

// TestAnswerPageErrorNamesTheFieldInTheReadersLanguage sends the answer
// page in Dutch with a "does not comply" answer and no explanation: the
// error summary and the message next to the field name the field by the
// Dutch words of its label, and the answer kind in words.
func TestAnswerPageErrorNamesTheFieldInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	cat, err := i18n.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	w := newAttestWorld(t, a)
	cases := []struct{ lang, field, label, status string }{
		{"nl", "Toelichting", "Toelichting (verplicht, tenzij u voldoet)", "voldoet niet"},
		{"es", "Justificación", "Justificación (obligatoria salvo que cumpla)", "no cumple"},
	}
	for _, tc := range cases {
		t.Run("in "+tc.lang+" the explanation is named "+tc.field, func(t *testing.T) {
			res := postIn(a.session("vendor@demo.test"), tc.lang, w.path("/answers"), url.Values{
				fmt.Sprintf("status-%d", w.dnssec): {"does_not_comply"}, fmt.Sprintf("explanation-%d", w.dnssec): {""},
			})
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %s", res.status, errorText(res.body))
			}
			body := html.UnescapeString(res.body)
			summary := regexp.MustCompile(`(?s)<div class="error-summary".*?</div>`).FindString(body)
			wantItem := fmt.Sprintf(`href="#explanation-%d">`, w.dnssec)
			if !strings.Contains(summary, wantItem) {
				t.Fatalf("the error summary does not link to the explanation:\n%s", summary)
			}
			item := summary[strings.Index(summary, wantItem):]
			if !strings.Contains(item, ", "+tc.field+": ") || !strings.Contains(item, tc.status) {
				t.Errorf("the summary item does not name the field %q and the answer %q: %s", tc.field, tc.status, item)
			}
			if !strings.Contains(body, fmt.Sprintf(`<label for="explanation-%d">%s</label>`, w.dnssec, tc.label)) {
				t.Errorf("the field is not labelled %q", tc.label)
			}
			next := regexp.MustCompile(fmt.Sprintf(`<p class="error-text" id="explanation-%d-error">([^<]*)</p>`, w.dnssec)).FindStringSubmatch(body)
			if next == nil || next[1] != cat.Text(tc.lang, "field.explanation_required", map[string]any{"status": "does_not_comply"}) {
				t.Errorf("the message next to the field is %q", next)
			}
			for _, bad := range untranslated(cat, tc.lang, visibleText(res.body)) {
				t.Errorf("visible text has %s", bad)
			}
		})
	}
}
