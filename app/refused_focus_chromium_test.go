package app

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tenderprobe/models"
	"tenderprobe/seed"
)

// A refused form on a page without an error summary (one field, below a
// long list) comes back with that field in view and focused: at phone
// width the admin's new-organisation form is far below the list of
// organisations, and the page used to come back at its top, with no sign
// that nothing was saved.
func TestARefusedFieldComesIntoViewInChromium(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	tab := startChromium(ctx, t)
	srv, base := startDemoServer(ctx, t)
	if err := chromedp.Do(tab,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "admin@demo.test"),
		chromedp.SendKeys(chromedp.ID("password"), seed.DemoPassword+kb.Enter),
		chromedp.WaitVisible(chromedp.Search(`//a[@href="/account"]`)),
		chromedp.EmulateViewport(320, 800),
		chromedp.Navigate(base+"/admin/orgs"),
		chromedp.WaitVisible(chromedp.ID("org-name")),
		// Spaces pass the browser's "required" and are refused by the server.
		chromedp.SetValue(chromedp.ID("org-name"), "   "),
		chromedp.Click(chromedp.Search(`//input[@id="org-name"]/ancestor::form//button[@type="submit"]`)),
		chromedp.WaitVisible(chromedp.Search(`//input[@id="org-name" and @aria-invalid="true"]`)),
	); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(tab, chromedp.Evaluate[string](`(() => {
		const f = document.getElementById("org-name"), r = f.getBoundingClientRect();
		return (document.activeElement === f ? "focused" : "not focused") + " " + (r.top >= 0 && r.bottom <= innerHeight ? "in view" : "out of view");
	})()`))
	if err != nil || got != "focused in view" {
		t.Errorf("the refused name field is %s (%v); want focused in view", got, err)
	}

	// At this width the header folds behind Menu: Enter opens it, Escape
	// closes it and gives the focus back to the button.
	menu := func(keys string) string {
		got, err := chromedp.Run(tab, chromedp.Evaluate[string](`(() => {
			const b = document.querySelector("header.site .menu-toggle");
			return b.getAttribute("aria-expanded") + (document.activeElement === b ? " focused" : " elsewhere");
		})()`))
		if err != nil {
			t.Fatal(keys, err)
		}
		return got
	}
	if err := chromedp.Do(tab, chromedp.Focus(chromedp.CSS("header.site .menu-toggle")), chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	if got := menu("Enter"); got != "true focused" {
		t.Errorf("after Enter the menu is %q, want open", got)
	}
	if err := chromedp.Do(tab, chromedp.KeyEvent(kb.Escape)); err != nil {
		t.Fatal(err)
	}
	if got := menu("Escape"); got != "false focused" {
		t.Errorf("after Escape the menu is %q, want closed with the focus on its button", got)
	}

	// A refusal without a field, beside its button at the end of a long
	// page: publishing a draft whose deadline has passed.
	officer, err := models.FindUserByEmail(ctx, srv.DB, "officer@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	tn, err := models.CreateTender(ctx, srv.DB, officer, models.TenderInput{Title: "Late draft", Deadline: ptrTime(time.Now().Add(-time.Hour))}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.AddRequirement(ctx, srv.DB, officer, tn.ID, models.RequirementInput{Standard: "https", Level: models.LevelMandatory}, time.Now()); err != nil {
		t.Fatal(err)
	}
	// The officer in a browser of their own, at desk width.
	tab = startChromium(ctx, t)
	if err := chromedp.Do(tab,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "officer@demo.test"),
		chromedp.SendKeys(chromedp.ID("password"), seed.DemoPassword+kb.Enter),
		// Not any h1: the login page has one, and navigating on from it
		// aborted the login's own navigation (net::ERR_ABORTED).
		chromedp.WaitVisible(chromedp.Search(`//a[@href="/account"]`)),
		chromedp.Navigate(fmt.Sprintf("%s/tenders/%d", base, tn.ID)),
		chromedp.WaitVisible(chromedp.ID("publish")),
		// Past the confirmation the form asks (data-confirm).
		chromedp.Action[chromedp.Void](func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			_, err := chromedp.Evaluate[bool](`window.confirm = () => true; true`)(ctx, tg)
			return chromedp.Void{}, err
		}),
		chromedp.Click(chromedp.Search(`//form[contains(@action, "/publish")]//button[@type="submit"]`)),
		chromedp.WaitVisible(chromedp.Search(`//p[@id="publish-error" and @role="alert"]`)),
	); err != nil {
		t.Fatal(err)
	}
	got, err = chromedp.Run(tab, chromedp.Evaluate[string](`(() => {
		const f = document.getElementById("publish-error"), r = f.getBoundingClientRect();
		return (document.activeElement === f ? "focused" : "not focused") + " " + (r.top >= 0 && r.bottom <= innerHeight ? "in view" : "out of view");
	})()`))
	if err != nil || got != "focused in view" {
		t.Errorf("the publish refusal is %s (%v); want focused in view", got, err)
	}
}
