package app

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tenderprobe/app/jobs/jobstest"
	"tenderprobe/app/probe/probetest"
	"tenderprobe/models"
)

// TestOfficerWatchesAVerificationInChromium follows a probe run in a real
// browser: the progress page, driven only by static/verify.js under the
// app's CSP, shows the run move from waiting to done and then the
// evidence, and the verification page shows the contradicted claims.
func TestOfficerWatchesAVerificationInChromium(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	bctx := startChromium(ctx, t)
	tb := probetest.NewTestbed(t)
	// Slow peers keep the run going while the page watches it.
	tb.SetDelay(40 * time.Millisecond)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "tenderprobe.db")
	base, _ := serveInProcess(t, serveArgs(t, tb, dbPath))
	db := openFile(t, dbPath)
	f := jobstest.New(t, db, serveSlugs...)

	if err := chromedp.Do(bctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), f.Officer.Email),
		chromedp.SendKeys(chromedp.ID("password"), "correct horse battery 1"+kb.Enter),
		chromedp.WaitVisible(chromedp.Search(`//h1[text()="Dashboard"]`)),
	); err != nil {
		t.Fatalf("the officer logs in: %v", err)
	}

	id := f.Submit(t, "Split Hosting", []string{probetest.GoodDomain}, []string{probetest.BrokenDomain})
	run, err := models.LatestRun(context.Background(), db, id)
	if err != nil || run == nil {
		t.Fatalf("no run queued: %v", err)
	}
	if err := chromedp.Do(bctx, chromedp.Navigate(fmt.Sprintf("%s/probe-runs/%d", base, run.ID)), chromedp.WaitVisible(chromedp.ID("probe-run-progress"))); err != nil {
		t.Fatal(err)
	}
	first, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("probe-run-status")))
	if err != nil {
		t.Fatal(err)
	}
	if first == models.RunDone {
		t.Fatal("the run was done before the page could watch it; slow the testbed down")
	}
	// Nobody reloads the page: only the script can bring the final state.
	if err := chromedp.Do(bctx,
		chromedp.WaitVisible(chromedp.Search(`//strong[@id="probe-run-status" and text()="done"]`)),
		chromedp.WaitVisible(chromedp.Search(`//section[@id="domain-`+probetest.BrokenDomain+`"]`)),
		chromedp.WaitVisible(chromedp.Search(`//section[@id="domain-`+probetest.GoodDomain+`"]`)),
		chromedp.WaitVisible(chromedp.ID("run-verdicts")),
	); err != nil {
		t.Fatalf("the progress page never showed the finished run (it began %q): %v", first, err)
	}
	count, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("probe-run-count")))
	if err != nil || count != "2/2" {
		t.Errorf("progress %q %v, want 2/2", count, err)
	}

	if err := chromedp.Do(bctx, chromedp.Navigate(fmt.Sprintf("%s/attestations/%d/verification", base, id)), chromedp.WaitVisible(chromedp.CSS("svg.history-chart"))); err != nil {
		t.Fatal(err)
	}
	verdicts, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("table.verdicts")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(verdicts, "contradicted") != 1 || strings.Count(verdicts, "confirmed") != 4 || !strings.Contains(verdicts, "no probe check") || strings.Contains(verdicts, "attestation_only") {
		t.Errorf("verdict table:\n%s", verdicts)
	}
}
