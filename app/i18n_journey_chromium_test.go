package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tenderprobe/app/i18n"
	"tenderprobe/models"
	"tenderprobe/seed"
)

// TestDutchTenderSpanishVendorInChromium runs a tender across languages
// in a real browser: a Dutch officer switches the interface to Dutch,
// creates a tender in Dutch and publishes it; a vendor whose browser asks
// for Spanish opens the invitation and answers in a Spanish interface
// with the clauses in Dutch, as published; the tender report PDF is Dutch
// (pdftotext shows Dutch headings and the Dutch clause).
func TestDutchTenderSpanishVendorInChromium(t *testing.T) {
	t.Parallel()
	// Each step has its own minute (run): a bound that names the step
	// that hangs, with room for journeys running side by side on a
	// loaded machine.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	bctx := startChromium(ctx, t)
	srv, base := startDemoServer(ctx, t)
	cat, err := i18n.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	fragments := englishFragments(cat)
	// Confirmations (publish) are accepted like a user clicking OK.
	if err := chromedp.Listen(bctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			go func() {
				_, _ = chromedp.Call(bctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			}()
		}
	}); err != nil {
		t.Fatal(err)
	}
	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(bctx, time.Minute)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			where, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`location.href + "\n" + (document.querySelector("main") || document.body).innerText`))
			t.Fatalf("%s: %v\nthe page:\n%s", step, err, where)
		}
	}
	js := func(script string, args ...any) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			_, err := chromedp.Evaluate[bool](fmt.Sprintf(script, args...)+"; true")(ctx, tg)
			return chromedp.Void{}, err
		}
	}
	// speaks checks that the page is in lang: <html lang>, and none of
	// the English catalogue's words that lang words differently.
	speaks := func(step, lang string) string {
		t.Helper()
		got, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.documentElement.lang`))
		if err != nil || got != lang {
			t.Fatalf("%s: <html lang=%q> (%v), want %q", step, got, err, lang)
		}
		text, err := chromedp.Run(bctx, chromedp.Evaluate[string](`(() => { const m = document.querySelector("main").cloneNode(true); m.querySelectorAll("[lang], code, textarea").forEach(e => e.remove()); return m.innerText })()`))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fragments[lang] {
			if strings.Contains(text, f.text) {
				t.Errorf("%s: English words of %s on the %s page: %q", step, f.key, lang, f.text)
			}
		}
		return text
	}
	submit := func(field string) chromedp.Action[chromedp.Void] {
		return js(`document.getElementById(%q).form.requestSubmit()`, field)
	}

	title := "Beheer van de website www.gemeente.example"
	// The browser is in Tokyo: app.js hands the zone's name over
	// URL-encoded ("Asia%2FTokyo").
	const browserZone = "Asia/Tokyo"
	if _, err := chromedp.Call(bctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: browserZone}); err != nil {
		t.Fatal(err)
	}
	run("a visitor switches the login page to Dutch",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.Click(chromedp.Search(`//footer//button[@value="nl"]`)),
		chromedp.WaitVisible(chromedp.Search(`//html[@lang="nl"]//input[@id="email"]`)),
	)
	if text := footerText(t, bctx); !strings.Contains(text, cat.Text("nl", "zone.times_in", map[string]any{"zone": browserZone})) {
		t.Errorf("the login page's footer does not name the browser's zone %s: %q", browserZone, text)
	}
	speaks("the login page", "nl")
	run("the officer logs in and opens a new tender",
		chromedp.SendKeys(chromedp.ID("email"), "officer@demo.test"),
		chromedp.SendKeys(chromedp.ID("password"), seed.DemoPassword+kb.Enter),
		// Signed in: the menu links to the account (the login page has an h1 too).
		chromedp.WaitVisible(chromedp.Search(`//html[@lang="nl"]//a[@href="/account"]`)),
		chromedp.Navigate(base+"/tenders/new"),
		chromedp.WaitVisible(chromedp.ID("title")),
	)
	speaks("the new tender form", "nl")
	run("the officer creates a Dutch tender",
		chromedp.SendKeys(chromedp.ID("title"), title),
		chromedp.SetValue(chromedp.ID("language"), "nl"),
		submit("title"),
		chromedp.WaitVisible(chromedp.ID("standard")),
	)
	tenders, err := models.ListTenders(ctx, srv.DB, mustUser(ctx, t, srv, "officer@demo.test"))
	if err != nil {
		t.Fatal(err)
	}
	var tn *models.Tender
	for i := range tenders {
		if tenders[i].Title == title {
			tn = &tenders[i]
		}
	}
	if tn == nil || tn.Language != "nl" {
		t.Fatalf("the tender was not created in Dutch: %+v", tn)
	}
	run("the officer adds DNSSEC and DMARC and publishes",
		chromedp.SetValue(chromedp.ID("standard"), "dnssec"),
		chromedp.SetValue(chromedp.ID("level"), "mandatory"),
		submit("standard"),
		chromedp.WaitVisible(chromedp.Search(`//blockquote[@lang="nl"]`)),
		chromedp.SetValue(chromedp.ID("standard"), "dmarc"),
		chromedp.SetValue(chromedp.ID("level"), "recommended"),
		submit("standard"),
		chromedp.WaitVisible(chromedp.Search(`(//blockquote[@lang="nl"])[2]`)),
		chromedp.Click(chromedp.Search(`//form[contains(@action, "/publish")]//button[@type="submit"]`)),
		chromedp.WaitVisible(chromedp.Search(fmt.Sprintf(`//a[@href="/tenders/%d/invitations"]`, tn.ID))),
	)
	tenderPage := speaks("the published tender", "nl")
	_ = tenderPage
	run("the officer invites a new supplier",
		chromedp.Navigate(fmt.Sprintf("%s/tenders/%d/invitations", base, tn.ID)),
		chromedp.WaitVisible(chromedp.ID("invite-email")),
		chromedp.SendKeys(chromedp.ID("invite-email"), "ventas@proveedor.example"),
		chromedp.SendKeys(chromedp.ID("invite-supplier"), "Proveedor Ejemplo S.L."),
		submit("invite-email"),
		chromedp.WaitVisible(chromedp.ID("invitation-url")),
	)
	speaks("the invitation result", "nl")
	link, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("invitation-url")))
	if err != nil || !strings.Contains(link, "/invitations/") {
		t.Fatalf("invitation link %q (%v)", link, err)
	}
	link = base + link[strings.Index(link, "/invitations/"):]

	// Another person, whose browser asks for Spanish.
	if _, err := chromedp.Call(bctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(bctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": "es-ES,es;q=0.9"}}); err != nil {
		t.Fatal(err)
	}
	run("the vendor opens the invitation and chooses a password",
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.ID("password")),
	)
	speaks("the invitation page", "es")
	run("the vendor chooses a password",
		chromedp.SendKeys(chromedp.ID("password"), "una contraseña bastante larga"),
		chromedp.SendKeys(chromedp.ID("password_confirm"), "una contraseña bastante larga"),
		chromedp.Click(chromedp.ID("set-password")),
		chromedp.WaitVisible(chromedp.ID("attest-progress")),
	)
	answerPage := speaks("the answer page", "es")
	clause, err := chromedp.Run(bctx, chromedp.Evaluate[string](`[...document.querySelectorAll("blockquote.clause")].map(b => b.lang + ": " + b.innerText).join("\n")`))
	if err != nil {
		t.Fatal(err)
	}
	std, err := models.FindStandardBySlug(ctx, srv.DB, "dnssec")
	if err != nil {
		t.Fatal(err)
	}
	dutchClause := std.In("nl").Clause
	if !strings.Contains(clause, "nl: "+dutchClause) || strings.Contains(clause, std.Clause) {
		t.Errorf("the Spanish vendor does not read the Dutch clause as published:\n%s", clause)
	}
	if button := cat.Text("es", "attestation.submit", nil); !strings.Contains(answerPage, button) {
		t.Errorf("the answer page lacks the Spanish button %q", button)
	}
	tn, err = models.FindTender(ctx, srv.DB, tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	var answers []chromedp.Action[chromedp.Void]
	for _, r := range tn.Requirements {
		answers = append(answers, js(`(e => { e.value = "complies"; e.dispatchEvent(new Event("change", {bubbles: true})) })(document.getElementById("status-%d"))`, r.ID),
			// Autosaved, in Spanish, before the next change.
			chromedp.WaitVisible(chromedp.Search(fmt.Sprintf(`//span[@id="autosave-%d" and text()=%q]`, r.ID, cat.Text("es", "answer.autosave_saved", nil)))))
	}
	answers = append(answers,
		chromedp.Click(chromedp.ID("declaration")),
		chromedp.SendKeys(chromedp.ID("declarer"), "María García"),
		chromedp.Click(chromedp.ID("submit-attestation")),
		chromedp.WaitVisible(chromedp.ID("receipt")),
	)
	run("the vendor answers and submits", answers...)
	speaks("the submitted attestation", "es")

	// The officer's tender report, in the tender's language.
	officer := mustUser(ctx, t, srv, "officer@demo.test")
	token, _, err := models.CreateSession(ctx, srv.DB, officer.ID, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/tenders/%d/report.pdf", base, tn.ID), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: "tp_session", Value: token})
	req.Header.Set("Accept-Language", "en")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("report: %d %v %q", res.StatusCode, err, pdf[:min(len(pdf), 40)])
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext (poppler-utils) is required with CI=true")
		}
		t.Skip("pdftotext not installed; the report's words are not checked")
	}
	file := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, key := range []string{"report.summary.heading", "level.mandatory"} {
		nl, en := cat.Text("nl", key, nil), cat.Text("en", key, nil)
		if nl == key || !strings.Contains(strings.ToLower(text), strings.ToLower(nl)) {
			t.Errorf("the Dutch report lacks the heading %s %q", key, nl)
		}
		if strings.Contains(text, en) {
			t.Errorf("the Dutch report has the English %q", en)
		}
	}
	if words := strings.Fields(dutchClause); !strings.Contains(text, strings.Join(words[:8], " ")) {
		t.Errorf("the Dutch report lacks the Dutch clause %q", strings.Join(words[:8], " "))
	}
	if !strings.Contains(text, "María García") {
		t.Error("the report lacks the vendor's declarer")
	}
}

func mustUser(ctx context.Context, t *testing.T, srv *Server, email string) *models.User {
	t.Helper()
	u, err := models.FindUserByEmail(ctx, srv.DB, email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// footerText is the page footer's text.
func footerText(t *testing.T, tab context.Context) string {
	t.Helper()
	text, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector("footer").innerText`))
	if err != nil {
		t.Fatal(err)
	}
	return text
}
