package app

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tenderprobe/app/jobs"
	"tenderprobe/app/probe"
	"tenderprobe/models"
)

// TestUnmeasurableRunIsShownAsNotMeasuredInChromium runs a real probe run
// of a demo attestation against a resolver where nothing listens, then
// opens its page in the browser: it must say "not measured" with the
// reason and offer a retry, never "done"; the retry's page says how many
// domains wait, never "0/0", and where the newest evidence is from.
func TestUnmeasurableRunIsShownAsNotMeasuredInChromium(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	bctx := startChromium(ctx, t)
	srv, base := startDemoServer(ctx, t)
	began := time.Now()
	t.Cleanup(func() { t.Logf("the journey took %v after the demo server started", time.Since(began)) })
	db := srv.DB

	officer, err := models.FindUserByEmail(ctx, db, "officer@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	var att models.Attestation
	if err := db.Joins("JOIN tenders ON tenders.id = attestations.tender_id").
		Where("attestations.status = ? AND tenders.buyer_org_id = ?", models.AttestationSubmitted, *officer.OrgID).
		Order("attestations.id").First(&att).Error; err != nil {
		t.Fatalf("no submitted demo attestation of the officer's buyer: %v", err)
	}
	run, err := models.EnqueueRun(ctx, db, att.ID, models.RunReasonManual, officer, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resolver := deadResolver(t)
	engine, err := probe.New(probe.Config{Resolver: resolver, AllowPrivate: true, Timeout: 10 * time.Second, ConnTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	pool := jobs.New(db, engine, nil, nil, jobs.Config{})
	for range 50 {
		got, err := models.FindProbeRun(ctx, db, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Finished() {
			run = got
			break
		}
		if _, err := pool.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if run.Status != models.RunNotMeasured {
		t.Fatalf("the run against a dead resolver is %q, want not_measured", run.Status)
	}

	if err := chromedp.Do(bctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "officer@demo.test"),
		chromedp.SendKeys(chromedp.ID("password"), "tenderprobe-demo"+kb.Enter),
		chromedp.WaitVisible(chromedp.Search(`//h1[text()="Dashboard"]`)),
		chromedp.Navigate(fmt.Sprintf("%s/probe-runs/%d", base, run.ID)),
		chromedp.WaitVisible(chromedp.ID("probe-run-not-measured")),
	); err != nil {
		t.Fatalf("the officer opens the run's page: %v", err)
	}
	status, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("probe-run-status")))
	if err != nil {
		t.Fatal(err)
	}
	box, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("probe-run")))
	if err != nil {
		t.Fatal(err)
	}
	verdicts, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("run-verdicts")))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the run says not measured, never done", func(t *testing.T) {
		if status != "could not measure" || strings.Contains(box, "done") {
			t.Errorf("status %q, box %q", status, box)
		}
	})
	t.Run("the reason names the resolver that did not answer", func(t *testing.T) {
		if !strings.Contains(box, "the resolver "+resolver+" did not answer") {
			t.Errorf("box %q", box)
		}
	})
	t.Run("its verdicts are not measured, not inconclusive", func(t *testing.T) {
		if !strings.Contains(verdicts, "not measured") || strings.Contains(verdicts, "inconclusive") || strings.Contains(verdicts, "confirmed") {
			t.Errorf("verdicts %q", verdicts)
		}
	})

	if err := chromedp.Do(bctx,
		chromedp.Click(chromedp.ID("probe-run-retry")),
		chromedp.WaitVisible(chromedp.ID("probe-run-previous")),
	); err != nil {
		t.Fatalf("the officer retries: %v", err)
	}
	box, err = chromedp.Run(bctx, chromedp.Text(chromedp.ID("probe-run")))
	if err != nil {
		t.Fatal(err)
	}
	previous, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("probe-run-previous")))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the retry is queued with the number of domains to probe, never 0/0", func(t *testing.T) {
		if !strings.Contains(box, "queued") || !regexpQueued.MatchString(box) || strings.Contains(box, "0/0") {
			t.Errorf("box %q", box)
		}
	})
	t.Run("the retry's page says where the newest evidence is from, with its date", func(t *testing.T) {
		if !strings.Contains(previous, fmt.Sprintf("run %d of %s", run.ID, run.FinishedAt.UTC().Format("2 Jan 2006"))) {
			t.Errorf("previous %q", previous)
		}
	})
}

var regexpQueued = regexp.MustCompile(`Queued, (1 domain|[2-9]\d* domains|1\d+ domains) to probe\.`)
