package app

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tenderprobe/seed"
)

// TestOfficerJourneyInChromium walks the main journey in a real headless
// browser against a real server: log in as the demo officer, create a
// tender, add two requirements, publish, download the sheet PDF.
func TestOfficerJourneyInChromium(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	// A cleanup, not a defer: the server and browser cleanups must run
	// while ctx is still live.
	t.Cleanup(cancel)
	bctx := startChromium(ctx, t)
	_, base := startDemoServer(ctx, t)

	// The publish and remove forms ask for confirmation (static/app.js);
	// accept like a user clicking OK, which also proves the script runs.
	// The listener may not send commands itself, so a goroutine answers.
	var dialogs sync.Map
	downloaded := make(chan string, 1)
	listener := func(ev any) {
		switch e := ev.(type) {
		case *page.EventJavascriptDialogOpening:
			dialogs.Store(e.Message, true)
			go func() {
				_, _ = chromedp.Call(bctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			}()
		case *browser.EventDownloadProgress:
			if e.State == browser.DownloadProgressStateCompleted {
				select {
				case downloaded <- e.GUID:
				default:
				}
			}
		}
	}
	if err := chromedp.Listen(bctx, listener); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	if err := chromedp.ListenBrowser(bctx, listener); err != nil {
		t.Fatal(err)
	}
	downloads := t.TempDir()
	events := true
	if _, err := chromedp.CallBrowser(bctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: &events,
		BrowserContextID: browserContextOf(bctx),
	}); err != nil {
		t.Fatal(err)
	}

	title := "Chromium journey: hosting of www.journey.example"
	xpath := func(s string) chromedp.Search { return chromedp.Search(s) }
	steps := []struct {
		name    string
		actions []chromedp.Action[chromedp.Void]
	}{
		{"the officer logs in with the keyboard", []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(base + "/"),
			chromedp.WaitVisible(chromedp.ID("email")),
			chromedp.SendKeys(chromedp.ID("email"), "officer@demo.test"),
			chromedp.SendKeys(chromedp.ID("password"), seed.DemoPassword+kb.Enter),
			chromedp.WaitVisible(xpath(`//h1[text()="Dashboard"]`)),
		}},
		{"the officer creates a tender", []chromedp.Action[chromedp.Void]{
			chromedp.Click(xpath(`//a[text()="New tender"]`)),
			chromedp.WaitVisible(chromedp.ID("title")),
			chromedp.SendKeys(chromedp.ID("title"), title),
			chromedp.SendKeys(chromedp.ID("reference"), "JRN-1"),
			chromedp.SendKeys(chromedp.ID("scope_tags"), "website, hosting"),
			chromedp.Click(xpath(`//button[text()="Create tender"]`)),
			chromedp.WaitVisible(chromedp.ID("add")),
		}},
		{"the officer adds DNSSEC as mandatory", []chromedp.Action[chromedp.Void]{
			chromedp.SetValue(chromedp.ID("standard"), "dnssec"),
			chromedp.SetValue(chromedp.ID("level"), "mandatory"),
			chromedp.Click(xpath(`//button[text()="Add requirement"]`)),
			chromedp.WaitVisible(xpath(`//p[contains(., "Requirement added.")]`)),
		}},
		{"the officer adds HSTS as recommended with a custom clause", []chromedp.Action[chromedp.Void]{
			chromedp.SetValue(chromedp.ID("standard"), "hsts"),
			chromedp.SetValue(chromedp.ID("level"), "recommended"),
			chromedp.SendKeys(chromedp.ID("custom_clause"), "All our sites send HSTS for at least one year."),
			chromedp.Click(xpath(`//button[text()="Add requirement"]`)),
			chromedp.WaitVisible(xpath(`//blockquote[contains(., "All our sites send HSTS")]`)),
		}},
		{"the officer publishes the tender", []chromedp.Action[chromedp.Void]{
			chromedp.Click(xpath(`//button[text()="Publish tender"]`)),
			chromedp.WaitVisible(xpath(`//p[contains(., "Tender published.")]`)),
		}},
	}
	var dashboard string
	for i, step := range steps {
		if err := chromedp.Do(bctx, step.actions...); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if i == 0 {
			var err error
			if dashboard, err = chromedp.Run(bctx, chromedp.Text(chromedp.CSS("main"))); err != nil {
				t.Fatal(err)
			}
		}
	}
	status, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(".badge.published")))
	if err != nil {
		t.Fatal(err)
	}
	tenderPage, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(bctx, chromedp.Click(xpath(`//a[contains(., "Download requirement sheet")]`))); err != nil {
		t.Fatalf("the officer downloads the sheet PDF: %v", err)
	}

	if !strings.Contains(dashboard, "Olivia Officer") && !strings.Contains(dashboard, "Build a tender") {
		t.Errorf("the dashboard is not the officer's: %q", dashboard)
	}
	if status != "published" {
		t.Errorf("status badge %q after publishing", status)
	}
	for _, want := range []string{title, "DNSSEC", "mandatory", "recommended", "All our sites send HSTS for at least one year."} {
		if !strings.Contains(tenderPage, want) {
			t.Errorf("the published tender page lacks %q", want)
		}
	}
	if _, ok := dialogs.Load("Publish this tender? The sheet cannot change afterwards."); !ok {
		t.Error("publishing did not ask for confirmation")
	}
	if strings.Contains(tenderPage, "Add a requirement") {
		t.Error("the published tender still offers the sheet editor")
	}

	var guid string
	select {
	case guid = <-downloaded:
	case <-ctx.Done():
		t.Fatal("the PDF download did not complete")
	}
	pdf, err := os.ReadFile(filepath.Join(downloads, guid))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("the download is not a PDF: %q", pdf[:min(16, len(pdf))])
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext (poppler-utils) is required with CI=true")
		}
		t.Skip("pdftotext not installed; the PDF's text is not checked")
	}
	text, err := exec.Command("pdftotext", filepath.Join(downloads, guid), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	for _, want := range []string{"Chromium journey: hosting of", "JRN-1", "DNSSEC", "All our sites send HSTS for at least one year.", "Page 1 of"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("the sheet PDF lacks %q", want)
		}
	}
}
