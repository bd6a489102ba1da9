package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tenderprobe/models"
	"tenderprobe/seed"
)

// TestVendorNeverLosesAnAnswerInChromium is the lost-answer case in a
// real browser: a vendor types answers in several requirements, then
// uploads evidence for another, then sends a page with an invalid date,
// then reloads. After each step every typed text is still there; the
// answer saved as the vendor typed shows "Saved"; the refused page moves
// focus to its error summary.
func TestVendorNeverLosesAnAnswerInChromium(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	bctx := startChromium(ctx, t)
	srv, base := startDemoServer(ctx, t)

	officer, err := models.FindUserByEmail(ctx, srv.DB, "officer@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	tn, err := models.CreateTender(ctx, srv.DB, officer, models.TenderInput{Title: "Lost answer tender", Deadline: ptrTime(time.Now().Add(72 * time.Hour))}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, slug := range []string{"https", "dnssec", "iso-27001", "dmarc"} {
		if _, err := models.AddRequirement(ctx, srv.DB, officer, tn.ID, models.RequirementInput{Standard: slug, Level: models.LevelMandatory}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if tn, err = models.PublishTender(ctx, srv.DB, officer, tn.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	inv, _, err := models.Invite(ctx, srv.DB, officer, tn.ID, models.InviteInput{Email: "vendor@demo.test"}, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	https, dnssec, iso, dmarc := tn.Requirements[0].ID, tn.Requirements[1].ID, tn.Requirements[2].ID, tn.Requirements[3].ID
	evidence := filepath.Join(t.TempDir(), "certificate.pdf")
	if err := os.WriteFile(evidence, pdfBytes, 0o600); err != nil {
		t.Fatal(err)
	}

	id := func(format string, args ...any) chromedp.Search {
		return chromedp.Search("#" + fmt.Sprintf(format, args...))
	}
	js := func(format string, args ...any) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			_, err := chromedp.Evaluate[bool](fmt.Sprintf(format, args...)+"; true")(ctx, tg)
			return chromedp.Void{}, err
		}
	}
	// choose picks a value in a select or date input as a person does:
	// the field changes and says so.
	choose := func(field string, value string) chromedp.Action[chromedp.Void] {
		return js(`(e => { e.value = %q; e.dispatchEvent(new Event("change", {bubbles: true})) })(document.getElementById(%q))`, value, field)
	}
	texts := map[string]string{
		fmt.Sprintf("explanation-%d", https):  "Our load balancers still accept TLS 1.1 until the migration.",
		fmt.Sprintf("explanation-%d", dnssec): "We run no DNS of our own for this service.",
		fmt.Sprintf("explanation-%d", dmarc):  "A DMARC policy of reject follows once reports are clean.",
	}
	// stillThere checks that every text typed so far is in its field.
	stillThere := func(step string, fields ...string) {
		t.Helper()
		for _, f := range fields {
			got, err := chromedp.Run(bctx, chromedp.Value(id("%s", f)))
			if err != nil {
				t.Fatalf("%s: read %s: %v", step, f, err)
			}
			if got != texts[f] {
				t.Errorf("after %s, %s holds %q, want %q", step, f, got, texts[f])
			}
		}
	}
	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		start := time.Now()
		if err := chromedp.Do(bctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		t.Logf("%s: %v", step, time.Since(start).Round(time.Millisecond))
	}
	page := fmt.Sprintf("%s/attestations/%d", base, inv.AttestationID)
	expHTTPS, expDNSSEC, expDMARC := fmt.Sprintf("explanation-%d", https), fmt.Sprintf("explanation-%d", dnssec), fmt.Sprintf("explanation-%d", dmarc)

	run("the vendor logs in and opens the attestation",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(id("email")),
		chromedp.SendKeys(id("email"), "vendor@demo.test"),
		chromedp.SendKeys(id("password"), seed.DemoPassword+kb.Enter),
		chromedp.WaitVisible(chromedp.Search(`//h1[text()="Dashboard"]`)),
		chromedp.Navigate(page),
		chromedp.WaitVisible(id("attest-progress")),
	)
	run("the vendor answers the first requirement and sees it saved as they type",
		choose(fmt.Sprintf("status-%d", https), "partial"),
		chromedp.SendKeys(id("%s", expHTTPS), texts[expHTTPS]),
		chromedp.WaitVisible(chromedp.Search(fmt.Sprintf(`//span[@id="autosave-%d" and text()="Saved"]`, https))),
	)
	// counted checks the sticky bar's counts: what is saved, and what the
	// server refused is still to go.
	counted := func(step, want string) {
		t.Helper()
		got, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.getElementById("attest-progress-counts").textContent`))
		if err != nil || !strings.HasPrefix(got, want) {
			t.Errorf("after %s the bar says %q (%v), want %q", step, got, err, want)
		}
	}
	counted("the first autosave", "1 of 4 answered · 3 to go")
	if got, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.getElementById("completeness").textContent`)); err != nil || !strings.HasPrefix(got, "1 of 4 answered") {
		t.Errorf("after the first autosave Completeness says %q (%v), want 1 of 4 answered", got, err)
	}
	run("the vendor types two more answers and at once uploads evidence for a third",
		choose(fmt.Sprintf("status-%d", dnssec), "not_applicable"),
		chromedp.SendKeys(id("%s", expDNSSEC), texts[expDNSSEC]),
		choose(fmt.Sprintf("status-%d", dmarc), "does_not_comply"),
		chromedp.SendKeys(id("%s", expDMARC), texts[expDMARC]),
		choose(fmt.Sprintf("status-%d", iso), "complies"),
		chromedp.SetUploadFiles(id("file-%d", iso), []string{evidence}),
		chromedp.Click(id("upload-%d", iso)),
		chromedp.WaitVisible(chromedp.Search(`//p[contains(@class, "flash") and contains(., "Evidence uploaded.")]`)),
	)
	stillThere("the upload", expHTTPS, expDNSSEC, expDMARC)

	pastKey := fmt.Sprintf("planned-%d", dmarc)
	texts[expDMARC] += " Really."
	run("the vendor sends the page with a planned date in the past",
		js(`(e => { e.focus(); e.setSelectionRange(e.value.length, e.value.length) })(document.getElementById(%q))`, expDMARC),
		chromedp.SendKeys(id("%s", expDMARC), " Really."),
		choose(pastKey, "2020-01-01"),
		chromedp.Click(id("save-all")),
		chromedp.WaitVisible(id("error-summary")),
	)
	stillThere("the refused page", expHTTPS, expDNSSEC, expDMARC)
	counted("the refused page", "3 of 4 answered · 1 to go")
	focused, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.activeElement && document.activeElement.id`))
	if err != nil || focused != "error-summary" {
		t.Errorf("focus is on %q (%v), want the error summary", focused, err)
	}
	marked, err := chromedp.Run(bctx, chromedp.Evaluate[string](fmt.Sprintf(`(e => e.getAttribute("aria-invalid") + " " + e.getAttribute("aria-describedby") + " " + e.value)(document.getElementById(%q))`, pastKey)))
	if err != nil || marked != fmt.Sprintf("true %s-error 2020-01-01", pastKey) {
		t.Errorf("the refused date field: %q (%v)", marked, err)
	}
	link, err := chromedp.Run(bctx, chromedp.Evaluate[string](`[...document.querySelectorAll("#error-summary a")].map(a => a.getAttribute("href")).join(" ")`))
	if err != nil || link != "#"+pastKey {
		t.Errorf("the summary links to %q (%v), want #%s", link, err, pastKey)
	}

	run("the vendor reloads the page",
		chromedp.Navigate(page),
		chromedp.WaitVisible(id("attest-progress")),
	)
	stillThere("the reload", expHTTPS, expDNSSEC, expDMARC)

	a, err := models.FindAttestation(ctx, srv.DB, inv.AttestationID)
	if err != nil {
		t.Fatal(err)
	}
	for _, an := range a.Answers {
		switch an.RequirementID {
		case https, dnssec:
			if an.Explanation != texts[fmt.Sprintf("explanation-%d", an.RequirementID)] {
				t.Errorf("stored answer to %d: %q", an.RequirementID, an.Explanation)
			}
		case iso:
			if an.Status != models.AnswerComplies || len(an.Evidence) != 1 {
				t.Errorf("the uploaded evidence's answer: %+v", an)
			}
		case dmarc:
			if strings.Contains(an.Explanation, "Really.") {
				t.Errorf("the refused answer was stored: %+v", an)
			}
		}
	}

	// The session ends elsewhere (a logout in another tab clears the
	// cookie for every tab): an autosave says so, with a way to log in
	// again, the answer counts as still to go, and after logging in again
	// in this tab what was typed comes back and is saved.
	if _, err := chromedp.Call(bctx, network.DeleteCookies, network.DeleteCookiesParams{Name: "tp_session", URL: base}); err != nil {
		t.Fatal(err)
	}
	bar := func() string {
		got, err := chromedp.Run(bctx, chromedp.Evaluate[string](`String(document.getElementById("attest-progress-bar").value)`))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	before := bar()
	texts[expHTTPS] += " Typed after the session ended."
	run("the vendor types on after the session ended",
		js(`(e => { e.focus(); e.setSelectionRange(e.value.length, e.value.length) })(document.getElementById(%q))`, expHTTPS),
		chromedp.SendKeys(id("%s", expHTTPS), " Typed after the session ended."),
		chromedp.WaitVisible(chromedp.Search(fmt.Sprintf(`//span[@id="autosave-%d" and contains(., "your session has ended")]/a[contains(@href, "/login?next=")]`, https))),
	)
	if after := bar(); after == before {
		t.Errorf("the bar still counts %s answered after a save the server refused", after)
	}
	run("the vendor logs in again from the note and is back on the attestation",
		// A click, as a person makes it, where the link is: clear of the
		// sticky bar once scrolled into view.
		chromedp.Click(chromedp.Search(fmt.Sprintf(`//span[@id="autosave-%d"]/a`, https))),
		chromedp.WaitVisible(id("email")),
		chromedp.SendKeys(id("email"), "vendor@demo.test"),
		chromedp.SendKeys(id("password"), seed.DemoPassword+kb.Enter),
		chromedp.WaitVisible(id("attest-progress")),
	)
	stillThere("logging in again", expHTTPS)
	if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.Search(fmt.Sprintf(`//span[@id="autosave-%d" and text()="Saved"]`, https)))); err != nil {
		t.Fatalf("the kept answer was not saved after logging in again: %v", err)
	}
	a, err = models.FindAttestation(ctx, srv.DB, inv.AttestationID)
	if err != nil {
		t.Fatal(err)
	}
	for _, an := range a.Answers {
		if an.RequirementID == https && an.Explanation != texts[expHTTPS] {
			t.Errorf("stored after logging in again: %q, want %q", an.Explanation, texts[expHTTPS])
		}
	}

	// The domains in scope and an evidence link save with the form only:
	// leaving asks first, and what was typed is back on return.
	var asked atomic.Bool
	chromedp.Listen(bctx, func(ev any) {
		if d, ok := ev.(*cdppage.EventJavascriptDialogOpening); ok && d.Type == cdppage.DialogTypeBeforeunload {
			asked.Store(true)
			go func() {
				_, _ = chromedp.Call(bctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: true})
			}()
		}
	})
	evidenceURL := fmt.Sprintf("evidence-url-%d", https)
	texts["scope-web"], texts[evidenceURL] = "www.acme.example", "https://acme.example/tls-report"
	run("the vendor types a domain in scope and an evidence link, then leaves for the dashboard",
		chromedp.SendKeys(id("scope-web"), texts["scope-web"]),
		chromedp.SendKeys(id("%s", evidenceURL), texts[evidenceURL]),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.Search(`//h1[text()="Dashboard"]`)),
	)
	if !asked.Load() {
		t.Error("leaving with unsaved domains and an evidence link did not ask first")
	}
	run("the vendor comes back to the attestation",
		chromedp.Navigate(page),
		chromedp.WaitVisible(id("attest-progress")),
		chromedp.WaitVisible(id("scope-web-draft")),
		chromedp.WaitVisible(id("%s-draft", evidenceURL)),
	)
	stillThere("coming back", "scope-web", evidenceURL)

}
