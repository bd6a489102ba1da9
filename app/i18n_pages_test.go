package app

import (
	"context"
	"fmt"
	"io/fs"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"html"

	xhtml "golang.org/x/net/html"

	"tenderprobe/app/i18n"
	"tenderprobe/handlers"
	"tenderprobe/models"
	"tenderprobe/templates"
)

// TestEveryPageSpeaksEveryLanguage renders every page template in every
// language: it crawls the demo as each role (and as a visitor on the
// login and invitation pages), adds the pages only a refused form or a
// missing record shows, and reads the visible text of each page in each
// language. It fails on
//   - a template no page rendered in some language,
//   - a message key shown instead of its words,
//   - an English message shown on a Dutch or Spanish page whose own file
//     has other words for it (compared against the English catalogue),
//   - a button, label, table heading or legend whose words are the same
//     as on the English page and read as English (a string written into
//     a template; names of standards and organisations are the same in
//     every language, so only words of the interface count),
//   - an internal code (snake_case, such as does_not_comply) in visible text.
func TestEveryPageSpeaksEveryLanguage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	views, ok := a.app.Config().Views.(*handlers.Views)
	if !ok {
		t.Fatalf("the app's views are %T, not handlers.Views", a.app.Config().Views)
	}
	views.Rendered = &sync.Map{}
	cat, err := i18n.Embedded()
	if err != nil {
		t.Fatal(err)
	}

	visits := pagesToRead(t, a)
	pages := map[string]map[string]pageText{} // visit name → language → text
	for _, lang := range cat.Languages() {
		for _, v := range visits {
			res := v.send(a, lang)
			if res.status == 0 || res.status >= 500 {
				t.Fatalf("%s in %s: status %d\n%s", v.name, lang, res.status, res.body)
			}
			if pages[v.name] == nil {
				pages[v.name] = map[string]pageText{}
			}
			pages[v.name][lang] = readPage(t, res.body)
		}
	}

	var problems []string
	keys := map[string]bool{}
	for _, k := range cat.Keys(i18n.Default) {
		keys[k] = true
	}
	english := englishFragments(cat)
	for _, v := range visits {
		en := pages[v.name][i18n.Default]
		for _, lang := range cat.Languages() {
			p := pages[v.name][lang]
			if p.lang != lang {
				problems = append(problems, fmt.Sprintf("%s in %s: <html lang=%q>", v.name, lang, p.lang))
			}
			for _, s := range p.visible {
				for _, tok := range messageKeyLike.FindAllString(s, -1) {
					if keys[tok] {
						problems = append(problems, fmt.Sprintf("%s in %s: the message key %q shows instead of its words", v.name, lang, tok))
					}
				}
				if code := codeLike.FindString(urlPath.ReplaceAllString(s, "")); code != "" {
					problems = append(problems, fmt.Sprintf("%s in %s: the code %q shows in %q", v.name, lang, code, clip(s)))
				}
			}
			if lang == i18n.Default {
				continue
			}
			whole := strings.Join(p.visible, "\n")
			for _, f := range english[lang] {
				if strings.Contains(whole, f.text) {
					problems = append(problems, fmt.Sprintf("%s in %s: English words of %s: %q", v.name, lang, f.key, f.text))
				}
			}
			for _, s := range p.interface_ {
				if slices.Contains(en.interface_, s) && englishWord.MatchString(s) {
					problems = append(problems, fmt.Sprintf("%s in %s: %q is as on the English page", v.name, lang, s))
				}
			}
		}
	}

	// Every page template, in every language (layouts, partials and the
	// templates pages include are rendered inside them).
	included := map[string]bool{}
	includes := regexp.MustCompile(`\{\{-?\s*template\s+"([^"]+)"`)
	_ = fs.WalkDir(templates.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := fs.ReadFile(templates.FS, path)
		for _, m := range includes.FindAllStringSubmatch(string(src), -1) {
			included[m[1]] = true
		}
		return err
	})
	var missing []string
	_ = fs.WalkDir(templates.FS, ".", func(path string, d fs.DirEntry, err error) error {
		name := strings.TrimSuffix(path, ".html")
		if err != nil || d.IsDir() || name == path || strings.HasPrefix(name, "layouts/") || included[name] {
			return err
		}
		for _, lang := range cat.Languages() {
			if _, ok := views.Rendered.Load(lang + " " + name); !ok {
				missing = append(missing, lang+" "+name)
			}
		}
		return nil
	})
	if len(missing) > 0 {
		problems = append(problems, "templates no page rendered: "+strings.Join(missing, ", "))
	}
	sort.Strings(problems)
	problems = slices.Compact(problems)
	for _, p := range problems {
		t.Error(p)
	}
	t.Logf("%d pages × %d languages read", len(visits), len(cat.Languages()))
}

// visit is one page the test reads: a GET as a role, or a form sent.
type visit struct {
	name  string
	email string // "" is a visitor
	path  string
	form  url.Values // nil: GET
	// pending is the token of a sign-in waiting for its second factor.
	pending string
	// prepare, when set, readies the caller's browser before the visit.
	prepare func(c *client)
}

func (v visit) send(a *testApp, lang string) response {
	c := a.session(v.email)
	c.cookies["tp_lang"] = lang
	if v.pending != "" {
		c.cookies["tp_pending"] = v.pending
	}
	if v.prepare != nil {
		v.prepare(c)
	}
	if v.form == nil {
		return c.get(v.path)
	}
	if v.email == "" {
		// A visitor's form carries the pre-login CSRF token of the page.
		page := c.get(v.path)
		c.csrf = csrfFrom(a.t, page.body)
	}
	return c.post(v.path, v.form)
}

// pagesToRead crawls the demo in English as each role, one page per route
// (per role for pages that differ by role), and adds the pages only a
// visitor, a refused form or a missing record shows.
func pagesToRead(t *testing.T, a *testApp) []visit {
	t.Helper()
	patterns := routePatterns()
	var out []visit
	for _, email := range crawlRoles {
		c := a.session(email)
		seen := map[string]bool{}
		perPattern := map[string]int{}
		queue := []string{"/"}
		for len(queue) > 0 && len(seen) < 120 {
			p := queue[0]
			queue = queue[1:]
			if seen[p] {
				continue
			}
			seen[p] = true
			route := ""
			for r, re := range patterns {
				if re.MatchString(strings.SplitN(p, "?", 2)[0]) {
					route = r
				}
			}
			if route == "" || perPattern[route] >= 2 {
				continue
			}
			res := c.get(p)
			if res.status != 200 || !strings.Contains(res.header.Get("Content-Type"), "text/html") {
				continue
			}
			perPattern[route]++
			out = append(out, visit{name: email + " " + p, email: email, path: p})
			for _, link := range links(res.body) {
				if !seen[link] && !notAPage.MatchString(strings.SplitN(link, "?", 2)[0]) {
					queue = append(queue, link)
				}
			}
		}
	}

	ctx := context.Background()
	officer := a.user("officer@demo.test")
	tender := a.newPublished("Every language tender")
	_, newVendor, err := models.Invite(ctx, a.db, officer, tender.ID, models.InviteInput{Email: "new.vendor@every-language-supplier.test", Supplier: "Every Language Supplier"}, 24*time.Hour, testNow)
	if err != nil {
		t.Fatal(err)
	}
	_, colleague, err := models.InviteColleague(ctx, a.db, a.user("vendor@demo.test"), models.ColleagueInput{Email: "colleague@acme.example"}, 24*time.Hour, testNow)
	if err != nil {
		t.Fatal(err)
	}
	draft, _ := a.newDraft("Every language draft")
	// A sign-in that waits for its second factor, and an enrolment that
	// waits for its confirmation code.
	pending, err := models.CreatePendingLogin(ctx, a.db, officer.ID, "/", time.Hour, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.StartTOTPEnrolment(ctx, a.db, a.user("vendor2@demo.test"), "Tenderprobe", testNow); err != nil {
		t.Fatal(err)
	}
	// A claim the probes contradict: accepting it asks to confirm first.
	var confirm []visit
	var tenders []models.Tender
	if err := a.db.Where("status <> ?", models.StatusDraft).Find(&tenders).Error; err != nil {
		t.Fatal(err)
	}
	for _, tn := range tenders {
		verdicts, err := models.TenderVerdicts(ctx, a.db, tn.ID)
		if err != nil {
			t.Fatal(err)
		}
		for att, byReq := range verdicts {
			for req, v := range byReq {
				if v == models.VerdictContradicted && len(confirm) == 0 {
					confirm = append(confirm, visit{name: "accepting a contradicted claim", email: "admin@demo.test",
						path: fmt.Sprintf("/tenders/%d/review/accept", tn.ID), form: url.Values{"answer": {fmt.Sprintf("%d-%d", att, req)}}})
				}
			}
		}
	}
	if len(confirm) == 0 {
		t.Fatal("the demo has no contradicted claim to accept")
	}
	out = append(out, confirm...)
	out = append(out, ssoVisits(t, a)...)
	out = append(out, sharedVisits(t, a)...)
	sbomWorld := newAttestWorld(t, a.withEvidenceStore())
	sbomPage := sbomWorld.path("/evidence/%d/sbom", sbomWorld.addSBOM(t).ID)
	return append(out,
		visit{name: "a profile's preview", email: "officer@demo.test", path: fmt.Sprintf("/tenders/%d/profile?profile=website-hosting", draft.ID)},
		visit{name: "an SBOM's components", email: "officer@demo.test", path: sbomPage},
		visit{name: "the login page", path: "/login"},
		visit{name: "the second factor code page", path: "/login/code", pending: pending},
		visit{name: "a refused second factor code", path: "/login/code", pending: pending, form: url.Values{"code": {"000000"}}},
		visit{name: "a second factor being set up", email: "vendor2@demo.test", path: "/account"},
		visit{name: "the sessions page", email: "vendor2@demo.test", path: "/account/sessions"},
		visit{name: "a refused login", path: "/login", form: url.Values{"email": {"officer@demo.test"}, "password": {"not the password"}}},
		visit{name: "an invitation that makes an account", path: "/invitations/" + newVendor},
		visit{name: "a refused invitation password", path: "/invitations/" + newVendor, form: url.Values{"name": {""}, "password": {"short"}}},
		visit{name: "a colleague invitation", path: "/invitations/" + colleague},
		visit{name: "an expired or unknown invitation", path: "/invitations/not-a-token-at-all-0000000000000000"},
		visit{name: "a record that does not exist", email: "officer@demo.test", path: "/tenders/999999"},
		visit{name: "a refused new tender", email: "officer@demo.test", path: "/tenders", form: url.Values{"title": {""}, "estimated_value": {"1,250.000,5"}, "deadline": {"4 January"}}},
		visit{name: "a refused tender edit", email: "officer@demo.test", path: fmt.Sprintf("/tenders/%d", draft.ID), form: url.Values{"title": {""}}},
		visit{name: "refused account settings", email: "vendor@demo.test", path: "/account/preferences", form: url.Values{"language": {"xx"}, "time_zone": {"Mars/Olympus"}}},
		visit{name: "a refused new user", email: "admin@demo.test", path: "/admin/users", form: url.Values{"email": {"not an address"}, "role": {"officer"}}},
	)
}

// links are the local links of a page.
func links(body string) []string {
	var out []string
	z := xhtml.NewTokenizer(strings.NewReader(body))
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return out
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			name, attr := z.TagName()
			if string(name) != "a" || !attr {
				continue
			}
			for {
				k, v, more := z.TagAttr()
				if string(k) == "href" && strings.HasPrefix(string(v), "/") && !strings.HasPrefix(string(v), "//") {
					out = append(out, strings.SplitN(string(v), "#", 2)[0])
				}
				if !more {
					break
				}
			}
		}
	}
}

// pageText is what a reader reads of a page.
type pageText struct {
	lang string
	// visible is every text node and every attribute a person reads
	// (aria-label, title, placeholder, alt, data-confirm, a button's
	// value), outside <code>, <kbd>, <samp>, <pre>, scripts and styles.
	visible []string
	// interface_ is the text of buttons, labels, table headings, legends
	// and summaries: words of the interface, never a record's data.
	interface_ []string
}

var readAttrs = map[string]bool{"aria-label": true, "title": true, "placeholder": true, "alt": true, "data-confirm": true}

func readPage(t *testing.T, body string) pageText {
	t.Helper()
	doc, err := xhtml.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var p pageText
	var walk func(n *xhtml.Node, skip, ui bool)
	walk = func(n *xhtml.Node, skip, ui bool) {
		if n.Type == xhtml.ElementNode {
			switch n.Data {
			case "script", "style", "code", "kbd", "samp", "pre", "textarea":
				skip = true
			case "button", "label", "th", "legend", "summary":
				ui = true
			case "html":
				p.lang = attrOf(n, "lang")
			}
			// translate=no marks data to keep as it is; lang marks words
			// in another language on purpose (the language switch).
			if attrOf(n, "translate") == "no" || n.Data != "html" && attrOf(n, "lang") != "" {
				skip = true
			}
			for _, at := range n.Attr {
				if !skip && readAttrs[at.Key] && strings.TrimSpace(at.Val) != "" {
					p.visible = append(p.visible, at.Val)
				}
			}
			if !skip && n.Data == "input" && (attrOf(n, "type") == "submit" || attrOf(n, "type") == "button") {
				p.visible = append(p.visible, attrOf(n, "value"))
			}
		}
		if n.Type == xhtml.TextNode && !skip {
			if s := strings.Join(strings.Fields(n.Data), " "); s != "" {
				p.visible = append(p.visible, s)
				if ui {
					p.interface_ = append(p.interface_, s)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, skip, ui)
		}
	}
	walk(doc, false, false)
	return p
}

func attrOf(n *xhtml.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// messageKeyLike is what a message key looks like: dotted lower-case words.
var messageKeyLike = regexp.MustCompile(`\b[a-z][a-z0-9_]*(?:\.[a-z0-9_-]+)+\b`)

// codeLike is what an internal code looks like (does_not_comply,
// planned_date); no word of a sentence has an underscore.
var codeLike = regexp.MustCompile(`\b[a-z]+(?:_[a-z0-9]+)+\b`)

// urlPath is an address path on a page ("/shared/wnao_z…"): a random token
// in it may look like a code, so it is left out of that check.
var urlPath = regexp.MustCompile(`/[A-Za-z0-9_/.-]+`)

// fragment is a run of an English message's own words (between its
// parameters) long enough to be sure it is that message.
type fragment struct{ key, text string }

// englishFragments are, per language, the English fragments of every
// message that language words differently.
func englishFragments(cat *i18n.Catalogue) map[string][]fragment {
	param := regexp.MustCompile(`\{[^}]*\}`)
	out := map[string][]fragment{}
	for _, lang := range cat.Languages() {
		if lang == i18n.Default {
			continue
		}
		for _, key := range cat.Keys(i18n.Default) {
			en := cat.Source(i18n.Default, key)
			if !cat.Has(lang, key) || cat.Source(lang, key) == en {
				continue
			}
			for _, f := range param.Split(en, -1) {
				f = strings.TrimSpace(f)
				if len(strings.Fields(f)) >= 3 && len(f) >= 18 {
					out[lang] = append(out[lang], fragment{key, f})
				}
			}
		}
	}
	return out
}

// englishWord finds a word of the interface in English: buttons,
// labels and headings use these, names of standards and organisations
// rarely do.
var englishWord = regexp.MustCompile(`(?i)\b(the|to|of|and|for|your|with|not|new|save|create|add|remove|delete|edit|back|cancel|submit|send|show|hide|next|previous|details|title|description|reference|currency|value|deadline|answers?|version|order|verdict|scope|tags|requirements?|vendors?|tenders?|evidence|comment|level|actions?|created|updated|expires|last used|search|filter|reset|download|upload|yes|no|none|all)\b`)

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// TestStandardNamesInListsSpeakTheReadersLanguage: the dashboard's lists
// of contradicted claims and verdict changes name each standard in the
// reader's language, though the change recorded its English name.
func TestStandardNamesInListsSpeakTheReadersLanguage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	ctx := context.Background()
	admin := a.user("admin@demo.test")
	// As many as the dashboard lists (handlers' dashboardRows).
	claims, err := models.OpenContradictions(ctx, a.db, admin, 10)
	if err != nil {
		t.Fatal(err)
	}
	changes, err := models.RecentChanges(ctx, a.db, admin, 20)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range claims {
		if nl := c.StandardIn("nl"); nl != c.Standard {
			names = append(names, nl)
		}
	}
	for _, c := range changes {
		if nl := c.StandardIn("nl"); nl != c.Standard {
			names = append(names, nl)
		}
	}
	if len(names) == 0 {
		t.Fatal("the demo's contradicted claims and changes name no standard whose Dutch name differs: the test shows nothing")
	}
	c := a.session("admin@demo.test")
	c.cookies["tp_lang"] = "nl"
	page := html.UnescapeString(c.get("/").body)
	for _, n := range names {
		if !strings.Contains(page, n) {
			t.Errorf("the Dutch dashboard lacks %q", n)
		}
	}
}
