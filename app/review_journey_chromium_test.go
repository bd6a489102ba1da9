package app

import (
	"context"
	"fmt"
	"github.com/chromedp/cdproto/page"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tenderprobe/models"
)

// stickyProbe is what the journey reads from the page after scrolling the
// matrix's container: where the container, the corner cell and the cells
// under two points near its top and left edges are.
type stickyProbe struct {
	PageScrollsSideways bool    `json:"pageScrollsSideways"`
	ScrollLeft          float64 `json:"scrollLeft"`
	ScrollTop           float64 `json:"scrollTop"`
	BoxTop              float64 `json:"boxTop"`
	BoxLeft             float64 `json:"boxLeft"`
	CornerTop           float64 `json:"cornerTop"`
	CornerLeft          float64 `json:"cornerLeft"`
	// TopCell and LeftCell describe the elements just inside the top edge
	// (right of the first column) and the left edge (below the header).
	TopCell  string `json:"topCell"`
	LeftCell string `json:"leftCell"`
}

const stickyScript = `(() => {
  const box = document.getElementById("matrix-scroll");
  box.scrollTo(2400, 900);
  const b = box.getBoundingClientRect();
  const corner = document.querySelector("#review-matrix thead th.corner").getBoundingClientRect();
  const describe = (x, y) => {
    const el = document.elementFromPoint(x, y);
    const cell = el && el.closest("th, td");
    if (!cell) return "nothing";
    return cell.tagName + (cell.closest("thead") ? " in the header" : " in the body") + " " + (cell.getAttribute("scope") || "") + " " + (cell.id || "");
  };
  return {
    pageScrollsSideways: document.documentElement.scrollWidth > window.innerWidth,
    scrollLeft: box.scrollLeft, scrollTop: box.scrollTop,
    boxTop: b.top, boxLeft: b.left, cornerTop: corner.top, cornerLeft: corner.left,
    topCell: describe(b.left + corner.width + 40, b.top + 8),
    leftCell: describe(b.left + 8, b.top + corner.height + 60),
  };
})()`

// TestReviewMatrixAtScaleInChromium opens the matrix of 200 vendors by 40
// requirements in a real browser: it loads, the vendor header and the
// requirement column stay in view while the table scrolls inside its
// container (and the page itself never scrolls sideways), a filter
// narrows the rows, and the bulk accept takes the confirmed answers.
func TestReviewMatrixAtScaleInChromium(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	bctx := startChromium(ctx, t)
	srv, base := startDemoServer(ctx, t)
	start := time.Now()
	bt := seedBigTender(t, srv.DB, "Browser scale", 200, 40)
	confirmed := 0
	for _, v := range bt.verdicts {
		if v == models.VerdictConfirmed {
			confirmed++
		}
	}
	matrix := fmt.Sprintf("%s/tenders/%d/review", base, bt.tender.ID)

	if err := chromedp.Do(bctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "officer@demo.test"),
		chromedp.SendKeys(chromedp.ID("password"), "tenderprobe-demo"+kb.Enter),
		chromedp.WaitVisible(chromedp.Search(`//h1[text()="Dashboard"]`)),
	); err != nil {
		t.Fatalf("the officer logs in: %v", err)
	}
	loadStart := time.Now()
	if err := chromedp.Do(bctx, chromedp.Navigate(matrix), chromedp.WaitVisible(chromedp.ID("review-matrix"))); err != nil {
		t.Fatalf("the matrix loads: %v", err)
	}
	t.Logf("the 200 x 40 matrix loaded in the browser in %v", time.Since(loadStart).Round(time.Millisecond))
	timing, _ := chromedp.Run(bctx, chromedp.Evaluate[map[string]float64](`(() => { const n = performance.getEntriesByType("navigation")[0]; return {request: n.requestStart, response: n.responseStart, responseEnd: n.responseEnd, dom: n.domInteractive, loaded: n.domContentLoadedEventEnd, load: n.loadEventEnd, size: n.transferSize}; })()`))
	t.Logf("navigation timing (ms from start): %v", timing)
	cells, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("#review-matrix td[id^=c]").length`))
	if err != nil || cells != 200*40 {
		t.Fatalf("%d cells (%v), want 8000", cells, err)
	}

	t.Run("the vendor header and the requirement column stay in view while the table scrolls", func(t *testing.T) {
		p, err := chromedp.Run(bctx, chromedp.Evaluate[stickyProbe](stickyScript))
		if err != nil {
			t.Fatal(err)
		}
		if p.ScrollLeft < 1000 || p.ScrollTop < 300 {
			t.Fatalf("the container did not scroll: left %v, top %v", p.ScrollLeft, p.ScrollTop)
		}
		if p.PageScrollsSideways {
			t.Error("the page itself scrolls sideways")
		}
		if d := p.CornerTop - p.BoxTop; d < -1 || d > 2 {
			t.Errorf("the header is %v px from the container's top after scrolling", d)
		}
		if d := p.CornerLeft - p.BoxLeft; d < -1 || d > 2 {
			t.Errorf("the requirement column is %v px from the container's left after scrolling", d)
		}
		if !strings.HasPrefix(p.TopCell, "TH in the header col v") {
			t.Errorf("just inside the top edge is %q, want a vendor's header", p.TopCell)
		}
		if !strings.HasPrefix(p.LeftCell, "TH in the body row r") {
			t.Errorf("just inside the left edge is %q, want a requirement's row header", p.LeftCell)
		}
	})

	t.Run("a filter narrows the rows", func(t *testing.T) {
		if err := chromedp.Do(bctx,
			chromedp.Click(chromedp.Search(`//input[@name="only" and @value="mandatory_not_met"]`)),
			chromedp.Click(chromedp.ID("review-apply")),
			chromedp.WaitVisible(chromedp.Search(`//input[@value="mandatory_not_met" and @checked]`)),
		); err != nil {
			t.Fatal(err)
		}
		// The form sits above the table: on a slow machine it is visible
		// while the rest of the page still streams in.
		if _, err := chromedp.Run(bctx, chromedp.Poll[bool](`document.readyState === "complete"`, chromedp.WithPollingTimeout(time.Minute))); err != nil {
			t.Fatal(err)
		}
		rows, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#review-matrix tbody th[scope=row][id^=r]")].map(th => th.textContent)`))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 20 {
			t.Fatalf("%d requirement rows, want the 20 mandatory ones of 40", len(rows))
		}
		for _, r := range rows {
			if !strings.Contains(r, "mandatory") {
				t.Errorf("row %q is not a mandatory requirement", r)
			}
		}
	})

	t.Run("the bulk accept asks first, then takes the answers the probes confirmed", func(t *testing.T) {
		want := fmt.Sprintf("Accepted %d answers the probes confirmed.", confirmed)
		// The form asks before it accepts many answers at once
		// (data-confirm, static/app.js): the question names the count.
		asked := make(chan string, 1)
		if err := chromedp.Listen(bctx, func(ev any) {
			if d, ok := ev.(*page.EventJavascriptDialogOpening); ok {
				select {
				case asked <- d.Message:
				default:
				}
				go func() {
					_, _ = chromedp.Call(bctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
				}()
			}
		}); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(bctx,
			chromedp.Click(chromedp.ID("bulk-accept")),
			chromedp.WaitVisible(chromedp.Search(`//p[contains(@class, "flash")]`)),
		); err != nil {
			t.Fatal(err)
		}
		flash, err := chromedp.Run(bctx, chromedp.Text(chromedp.Search(`//p[contains(@class, "flash")]`)))
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(flash) != want {
			t.Errorf("the page says %q, want %q", flash, want)
		}
		select {
		case q := <-asked:
			if !strings.Contains(q, fmt.Sprintf("Accept the %d answers", confirmed)) {
				t.Errorf("the question was %q", q)
			}
		default:
			t.Error("the bulk accept did not ask first")
		}
		var n int64
		if err := srv.DB.Model(&models.Answer{}).Where("attestation_id IN (?) AND review_status = ?",
			srv.DB.Model(&models.Attestation{}).Select("id").Where("tender_id = ?", bt.tender.ID), models.ReviewAccepted).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != int64(confirmed) {
			t.Errorf("%d answers accepted, want %d", n, confirmed)
		}
		still, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`new URL(location.href).searchParams.getAll("only").includes("mandatory_not_met")`))
		if err != nil || !still {
			t.Errorf("the matrix did not come back with the filter (%v)", err)
		}
	})
	t.Logf("journey took %v including the seed", time.Since(start).Round(time.Millisecond))
}
