package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// TestVendorJourneyInChromium walks the vendor's journey in a real
// headless browser against a real server: open the invitation link, set
// a password, answer one requirement with comply and one with an
// explanation and a planned date, upload a PDF as evidence, declare and
// submit, and see the receipt, which must be the one stored and verify.
func TestVendorJourneyInChromium(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	// A cleanup, not a defer: the server and browser cleanups must run
	// while ctx is still live.
	t.Cleanup(cancel)
	bctx := startChromium(ctx, t)
	srv, base := startDemoServer(ctx, t)

	// The officer's side is tested elsewhere: publish a two-line sheet
	// and invite a new supplier here, keeping the link the officer is shown.
	officer, err := models.FindUserByEmail(ctx, srv.DB, "officer@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	tn, err := models.CreateTender(ctx, srv.DB, officer, models.TenderInput{Title: "Browser journey tender", Deadline: ptrTime(time.Now().Add(72 * time.Hour))}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, slug := range []string{"https", "dnssec"} {
		if _, err := models.AddRequirement(ctx, srv.DB, dbtest.ManagerOf(srv.DB, tn.ID), tn.ID, models.RequirementInput{Standard: slug, Level: models.LevelMandatory}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if tn, err = models.PublishTender(ctx, srv.DB, dbtest.ManagerOf(srv.DB, tn.ID), tn.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	inv, token, err := models.Invite(ctx, srv.DB, officer, tn.ID, models.InviteInput{Email: "jo@browser-supplier.test", Supplier: "Browser Supplier"}, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r1, r2 := tn.Requirements[0].ID, tn.Requirements[1].ID
	evidence := filepath.Join(t.TempDir(), "tls-report.pdf")
	if err := os.WriteFile(evidence, pdfBytes, 0o600); err != nil {
		t.Fatal(err)
	}

	id := func(format string, args ...any) chromedp.Search {
		return chromedp.Search("#" + fmt.Sprintf(format, args...))
	}
	flash := func(text string) chromedp.Action[chromedp.Void] {
		return chromedp.WaitVisible(chromedp.Search(fmt.Sprintf(`//p[contains(@class, "flash") and contains(., %q)]`, text)))
	}
	// clearFlash removes the flash messages of the current page before a
	// step that loads a new one, so that waiting for the same message
	// ("Answer saved as a draft.") cannot be satisfied by the old page
	// while the new one is still loading.
	clearFlash := chromedp.Action[chromedp.Void](func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](`document.querySelectorAll("p.flash").forEach(e => e.remove()); true`)(ctx, tg)
		return chromedp.Void{}, err
	})
	steps := []struct {
		name    string
		actions []chromedp.Action[chromedp.Void]
	}{
		{"the vendor opens the invitation link and sets a password", []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(base + "/invitations/" + token),
			chromedp.WaitVisible(id("password")),
			chromedp.SendKeys(id("password"), "browser journey password"),
			chromedp.SendKeys(id("password_confirm"), "browser journey password"),
			chromedp.Click(id("set-password")),
			chromedp.WaitVisible(id("completeness")),
		}},
		{"the vendor says the first requirement is met", []chromedp.Action[chromedp.Void]{
			chromedp.SetValue(id("status-%d", r1), "complies"),
			clearFlash,
			chromedp.Click(id("save-%d", r1)),
			flash("saved as a draft."),
		}},
		{"the vendor explains why the second is only partly met and by when", []chromedp.Action[chromedp.Void]{
			chromedp.SetValue(id("status-%d", r2), "partial"),
			chromedp.SendKeys(id("explanation-%d", r2), "Our zones are signed on the new platform from June."),
			chromedp.SetValue(id("planned-%d", r2), time.Now().AddDate(0, 3, 0).Format("2006-01-02")),
			clearFlash,
			chromedp.Click(id("save-%d", r2)),
			flash("saved as a draft."),
		}},
		{"the vendor uploads a PDF as evidence", []chromedp.Action[chromedp.Void]{
			chromedp.SetUploadFiles(id("file-%d", r1), []string{evidence}),
			clearFlash,
			chromedp.Click(id("upload-%d", r1)),
			flash("Evidence uploaded."),
		}},
		{"the vendor declares and submits", []chromedp.Action[chromedp.Void]{
			chromedp.Click(id("declaration")),
			chromedp.SendKeys(id("declarer"), "Jo Browser"),
			chromedp.Click(id("submit-attestation")),
			chromedp.WaitVisible(id("receipt-hash")),
		}},
	}
	for _, step := range steps {
		if err := chromedp.Do(bctx, step.actions...); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
	}
	receipt, err := chromedp.Run(bctx, chromedp.Text(id("receipt-hash")))
	if err != nil {
		t.Fatal(err)
	}
	page, err := chromedp.Run(bctx, chromedp.Text(chromedp.Search("main")))
	if err != nil {
		t.Fatal(err)
	}

	a, err := models.FindAttestation(ctx, srv.DB, inv.AttestationID)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Submitted() || a.Receipt() == nil || a.Receipt().Receipt != strings.TrimSpace(receipt) {
		t.Fatalf("the page shows receipt %q; stored %+v", receipt, a.Receipt())
	}
	if v, _, err := models.VerifyReceipt(ctx, srv.DB, a.ID, 0); err != nil || !v.Match {
		t.Errorf("the receipt does not verify: %+v, %v", v, err)
	}
	sum := sha256.Sum256(pdfBytes)
	if ev := a.Answers[0].Evidence; len(ev) != 1 || ev[0].SHA256 != hex.EncodeToString(sum[:]) || ev[0].ContentType != "application/pdf" {
		t.Errorf("evidence %+v", ev)
	}
	if a.Answers[1].Status != models.AnswerPartial || !strings.Contains(a.Answers[1].Explanation, "from June") || a.Answers[1].PlannedDate == "" {
		t.Errorf("second answer %+v", a.Answers[1])
	}
	for _, want := range []string{"Receipt of version 1", "Jo Browser", "2 of 2 answered", "tls-report.pdf"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page after submitting lacks %q", want)
		}
	}
}
