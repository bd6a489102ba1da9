package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tenderprobe/models"
)

// TestFirstStartInChromium walks a fresh installation as its admin in a
// real browser: the dashboard's steps lead to a buying organisation and
// its officer, each step is ticked when done, and then the new-tender form
// offers the buyer.
func TestFirstStartInChromium(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	bctx := startChromium(ctx, t)

	// The fresh database's admin got a random password printed once; give
	// the test a known one on its copy.
	dbFile := fresh.File(t)
	db := openFile(t, dbFile)
	if _, err := models.CreateUser(ctx, db, nil, "root@first-start.test", "Root Admin", "first start admin password", models.RoleAdmin, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Addr, cfg.DB, cfg.DataDir = "127.0.0.1:0", dbFile, t.TempDir()
	cfg.Probe.Workers = 0
	_, base := startServer(ctx, t, cfg)
	xpath := func(s string) chromedp.Search { return chromedp.Search(s) }

	steps := []struct {
		name    string
		actions []chromedp.Action[chromedp.Void]
	}{
		{"the admin logs in and sees the steps", []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(base + "/login"),
			chromedp.WaitVisible(chromedp.ID("email")),
			chromedp.SetValue(chromedp.ID("email"), "root@first-start.test"),
			chromedp.SetValue(chromedp.ID("password"), "first start admin password"),
			chromedp.Submit(chromedp.ID("password")),
			chromedp.WaitVisible(chromedp.ID("getting-started")),
		}},
		{"a tender cannot be started yet, and the page says why", []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(base + "/tenders/new"),
			chromedp.WaitVisible(chromedp.ID("no-buyer")),
		}},
		{"the first step creates the buying organisation", []chromedp.Action[chromedp.Void]{
			chromedp.Click(xpath(`//a[contains(., "Create a buying organisation")]`)),
			chromedp.WaitVisible(chromedp.ID("org-name")),
			chromedp.SendKeys(chromedp.ID("org-name"), "Gemeente Eerstestad"),
			chromedp.Click(xpath(`//button[text()="Add organisation"]`)),
			chromedp.WaitVisible(xpath(`//p[contains(., "Organisation created.")]`)),
		}},
	}
	for _, s := range steps {
		if err := chromedp.Do(bctx, s.actions...); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	org := fmt.Sprint(mustOrg(t, db, "Gemeente Eerstestad").ID)
	if err := chromedp.Do(bctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(xpath(`//li[contains(., "a buying organisation exists")]`)),
		chromedp.Click(xpath(`//a[contains(., "Add a procurement officer")]`)),
		chromedp.WaitVisible(chromedp.ID("user-email")),
		chromedp.SendKeys(chromedp.ID("user-email"), "inkoper@eerstestad.test"),
		chromedp.SendKeys(chromedp.ID("user-name"), "Ina Inkoper"),
		chromedp.SendKeys(chromedp.ID("user-password"), "a long officer password"),
		chromedp.SetValue(chromedp.ID("user-role"), "officer"),
		chromedp.SetValue(chromedp.ID("user-org"), org),
		chromedp.Click(xpath(`//button[text()="Add user"]`)),
		chromedp.WaitVisible(xpath(`//p[contains(., "User created.")]`)),
	); err != nil {
		t.Fatalf("the dashboard ticks the buyer and leads to adding its officer: %v", err)
	}
	if err := chromedp.Do(bctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("dash-admin"))); err != nil {
		t.Fatal(err)
	}
	dashboard, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(dashboard, "Getting started") {
		t.Errorf("the steps still show once the buyer has an officer:\n%s", dashboard)
	}
	if err := chromedp.Do(bctx, chromedp.Navigate(base+"/tenders/new"), chromedp.WaitVisible(chromedp.ID("buyer_org_id"))); err != nil {
		t.Fatalf("the new-tender form does not offer the buyer: %v", err)
	}
}
