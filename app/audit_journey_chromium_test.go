package app

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tenderprobe/seed"
)

// dragScript drags the requirement whose standard is named from to the
// place before the one named to with the browser's own drag events, as a
// mouse does, so static/tenders.js turns the drop into the position form.
const dragScript = `(function (from, to) {
  function card(name) {
    return Array.from(document.querySelectorAll("li.requirement")).find(function (li) {
      return li.querySelector("h3 a").textContent === name;
    });
  }
  var a = card(from), b = card(to), dt = new DataTransfer(), box = b.getBoundingClientRect();
  a.querySelector(".drag-handle").dispatchEvent(new MouseEvent("mousedown", {bubbles: true}));
  a.dispatchEvent(new DragEvent("dragstart", {bubbles: true, dataTransfer: dt}));
  var at = {bubbles: true, cancelable: true, dataTransfer: dt, clientY: box.top + 2};
  b.dispatchEvent(new DragEvent("dragover", at));
  b.dispatchEvent(new DragEvent("drop", at));
  a.dispatchEvent(new DragEvent("dragend", {bubbles: true, dataTransfer: dt}));
  return true;
})(%q, %q)`

// TestAuditTrailOfAnOfficersDayInChromium is the audit trail of an
// officer's day: in a real browser the officer creates a tender, adds
// requirements (one, then several at once), edits one, moves one with the
// position field and one by dragging, publishes and invites a supplier;
// then the auditor filters the audit page by that tender and reads every
// step in words, with the before and after of the edit and the moves.
func TestAuditTrailOfAnOfficersDayInChromium(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	bctx := startChromium(ctx, t)
	_, base := startDemoServer(ctx, t)
	start := time.Now()

	// Publishing asks for confirmation (static/app.js): accept it.
	if err := chromedp.Listen(bctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			go func() {
				_, _ = chromedp.Call(bctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			}()
		}
	}); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	xpath := func(s string) chromedp.Search { return chromedp.Search(s) }
	card := func(name, rest string) chromedp.Search {
		return xpath(`//li[contains(@class,"requirement")][.//h3/a[text()="` + name + `"]]` + rest)
	}
	flash := func(text string) chromedp.Action[chromedp.Void] {
		return chromedp.WaitVisible(xpath(`//p[contains(@class,"flash")][contains(., "` + text + `")]`))
	}
	login := func(email string) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(base + "/login"),
			chromedp.WaitVisible(chromedp.ID("email")),
			chromedp.SendKeys(chromedp.ID("email"), email),
			chromedp.SendKeys(chromedp.ID("password"), seed.DemoPassword+kb.Enter),
			chromedp.WaitVisible(xpath(`//h1[text()="Dashboard"]`)),
		}
	}
	title := "Audit journey: e-mail for the archive"
	steps := []struct {
		name    string
		actions []chromedp.Action[chromedp.Void]
	}{
		{"the officer logs in", login("officer@demo.test")},
		{"the officer creates a tender", []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(base + "/tenders/new"),
			chromedp.WaitVisible(chromedp.ID("title")),
			chromedp.SendKeys(chromedp.ID("title"), title),
			chromedp.Click(xpath(`//button[text()="Create tender"]`)),
			chromedp.WaitVisible(chromedp.ID("add")),
		}},
		{"the officer adds DNSSEC as mandatory", []chromedp.Action[chromedp.Void]{
			chromedp.SetValue(chromedp.ID("standard"), "dnssec"),
			chromedp.SetValue(chromedp.ID("level"), "mandatory"),
			chromedp.Click(xpath(`//button[text()="Add requirement"]`)),
			flash("Requirement added."),
		}},
		{"the officer ticks SPF, DKIM and DMARC and adds them at once", []chromedp.Action[chromedp.Void]{
			chromedp.Click(chromedp.ID("pick-spf")),
			chromedp.Click(chromedp.ID("pick-dkim")),
			chromedp.Click(chromedp.ID("pick-dmarc")),
			chromedp.Click(xpath(`//button[text()="Add the ticked standards"]`)),
			flash("Requirements added."),
		}},
		{"the officer makes DNSSEC recommended with a public note", []chromedp.Action[chromedp.Void]{
			chromedp.Click(card("DNSSEC", `//summary`)),
			chromedp.SetValue(card("DNSSEC", `//select[@name="level"]`), "recommended"),
			chromedp.SendKeys(card("DNSSEC", `//textarea[@name="note"]`), "Signed zones for every archive domain."),
			chromedp.Click(card("DNSSEC", `//input[@value="public"]`)),
			chromedp.Click(card("DNSSEC", `//button[starts-with(., "Save requirement")]`)),
			flash("Requirement saved."),
			chromedp.WaitVisible(card("DNSSEC", `//p[contains(., "Signed zones for every archive domain.")]`)),
		}},
		{"the officer moves DMARC to the top with the position field", []chromedp.Action[chromedp.Void]{
			chromedp.SetValue(card("DMARC", `//input[@name="position"]`), "1"),
			chromedp.Click(card("DMARC", `//button[starts-with(., "Move") and not(contains(., "up")) and not(contains(., "down"))]`)),
			flash("Requirement moved."),
			chromedp.WaitVisible(xpath(`//ol[contains(@class,"sheet")]/li[1][.//h3/a[text()="DMARC"]]`)),
		}},
		{"the officer drags SPF above DMARC", []chromedp.Action[chromedp.Void]{
			chromedp.WaitVisible(chromedp.ID("drag-hint")),
			chromedp.Action[chromedp.Void](func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
				_, err := chromedp.Evaluate[bool](fmt.Sprintf(dragScript, "SPF", "DMARC"))(ctx, tg)
				return chromedp.Void{}, err
			}),
			flash("Requirement moved."),
			chromedp.WaitVisible(xpath(`//ol[contains(@class,"sheet")]/li[1][.//h3/a[text()="SPF"]]`)),
		}},
		{"the officer publishes the tender", []chromedp.Action[chromedp.Void]{
			chromedp.Click(xpath(`//button[text()="Publish tender"]`)),
			flash("Tender published."),
		}},
		{"the officer invites a new supplier", []chromedp.Action[chromedp.Void]{
			chromedp.Click(xpath(`//a[text()="Invite suppliers"]`)),
			chromedp.WaitVisible(chromedp.ID("invite-email")),
			chromedp.SendKeys(chromedp.ID("invite-email"), "sales@archive-mail.example"),
			chromedp.SendKeys(chromedp.ID("invite-supplier"), "Archive Mail Ltd"),
			chromedp.Click(xpath(`//button[text()="Invite new supplier"]`)),
			chromedp.WaitVisible(chromedp.ID("invitation-link")),
		}},
	}
	for _, step := range steps {
		began := time.Now()
		if err := chromedp.Do(bctx, step.actions...); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		t.Logf("%s: %v", step.name, time.Since(began).Round(time.Millisecond))
	}
	loc, err := chromedp.Run(bctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`/tenders/(\d+)/invitations`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("the invitation page is at %q", loc)
	}
	tender := m[1]

	auditor := append(login("auditor@demo.test"),
		chromedp.Click(xpath(`//nav//a[text()="Audit log"]`)),
		chromedp.WaitVisible(chromedp.ID("filter-tender")),
		chromedp.SendKeys(chromedp.ID("filter-tender"), tender),
		chromedp.Click(xpath(`//button[text()="Filter"]`)),
		// The unfiltered page has a log too: wait for the filtered one,
		// which names the tender under its number.
		chromedp.WaitVisible(xpath(`//p[@id="filter-tender-hint"][contains(., "`+title+`")]`)),
		chromedp.WaitVisible(chromedp.ID("audit-log")),
	)
	if err := chromedp.Do(bctx, append([]chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + "/"),
		chromedp.Click(xpath(`//button[text()="Log out"]`)),
		chromedp.WaitVisible(chromedp.ID("email")),
	}, auditor...)...); err != nil {
		t.Fatalf("the auditor filters the audit page by the tender: %v", err)
	}
	loc, err = chromedp.Run(bctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if u, err := url.Parse(loc); err != nil || u.Query().Get("tender") != tender {
		t.Fatalf("the filter is not in the address: %q", loc)
	}
	log, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("audit-log")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Created a tender", "Added a requirement", "Edited a requirement", "Moved a requirement",
		"Published a tender", "Invited a supplier", "Olivia Officer",
		"level: mandatory → recommended", "note is: public", "position: 4 → 1", "position: 3 → 1",
		"status: draft → published", "sales@archive-mail.example",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the audit page filtered by the tender lacks %q", want)
		}
	}
	if n := strings.Count(log, "Added a requirement"); n != 4 {
		t.Errorf("%d additions listed, want 4", n)
	}
	for _, code := range []string{"requirement.add", "tender.publish", "invitation.create"} {
		if strings.Contains(log, code) {
			t.Errorf("the page shows the code %s instead of words", code)
		}
	}
	t.Logf("the officer's day and the auditor's check took %v", time.Since(start).Round(time.Millisecond))
}
