package app

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
)

// getWith sends a GET with extra request headers.
func (c *client) getWith(path string, header map[string]string) response {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return c.do(req)
}

func TestStoredPDFsAreSentWithAnETag(t *testing.T) {
	t.Parallel()
	demo.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newTestAppOn(t, db)
		officer, auditor := a.session("officer@demo.test"), a.session("auditor@demo.test")
		stored := func(t *testing.T) int64 { t.Helper(); return a.count(&models.StoredPDF{}) }
		pdf := func(t *testing.T, res response) {
			t.Helper()
			if res.status != http.StatusOK || !strings.HasPrefix(res.body, "%PDF-") {
				t.Fatalf("status %d, body %.40q", res.status, res.body)
			}
		}

		var etag string
		for _, path := range []string{"/tenders/1/sheet.pdf", "/api/v1/tenders/1/sheet.pdf"} {
			c := officer
			if strings.HasPrefix(path, "/api/") {
				c = a.apiClient("officer@demo.test")
			}
			t.Run("a published tender's sheet at "+path+" carries its hash and the same bytes every time", func(t *testing.T) {
				first, second := c.get(path), c.get(path)
				pdf(t, first)
				pdf(t, second)
				tag := first.header.Get("ETag")
				if !strings.HasPrefix(tag, `W/"`) || len(tag) != 4+64 || second.header.Get("ETag") != tag {
					t.Fatalf("ETags %q and %q; want one weak tag of a SHA-256", tag, second.header.Get("ETag"))
				}
				if etag != "" && tag != etag {
					t.Fatalf("the web and the API send the sheet under different hashes: %s, %s", etag, tag)
				}
				etag = tag
				if first.body != second.body {
					t.Fatal("the second download differs from the first")
				}
				if n := stored(t); n != 1 {
					t.Fatalf("%d stored documents, want 1", n)
				}
			})
		}

		t.Run("a reader who has the sheet gets 304 without a body", func(t *testing.T) {
			for _, header := range []string{etag, strings.TrimPrefix(etag, "W/"), `"other", ` + etag, "*"} {
				res := officer.getWith("/tenders/1/sheet.pdf", map[string]string{"If-None-Match": header})
				if res.status != http.StatusNotModified || res.body != "" {
					t.Errorf("If-None-Match: %s gave %d with %d bytes, want 304 and none", header, res.status, len(res.body))
				}
			}
			if res := officer.getWith("/tenders/1/sheet.pdf", map[string]string{"If-None-Match": `W/"0123"`}); res.status != http.StatusOK {
				t.Errorf("an old ETag gave %d, want 200 and the sheet", res.status)
			}
		})

		t.Run("a draft's sheet has no ETag and is not stored", func(t *testing.T) {
			draft, _ := a.newDraft("Stored PDF draft")
			before := stored(t)
			res := officer.get(fmt.Sprintf("/tenders/%d/sheet.pdf", draft.ID))
			pdf(t, res)
			if tag := res.header.Get("ETag"); tag != "" || stored(t) != before {
				t.Fatalf("draft sheet: ETag %q, stored documents %d -> %d", tag, before, stored(t))
			}
		})

		// The test clock is 1 March 2026: 2025 is closed, 2026 open.
		t.Run("the open year's annual report has no ETag and is not stored", func(t *testing.T) {
			before := stored(t)
			res := auditor.get("/reports/annual.pdf?year=2026")
			pdf(t, res)
			if tag := res.header.Get("ETag"); tag != "" || stored(t) != before {
				t.Fatalf("open year: ETag %q, stored documents %d -> %d", tag, before, stored(t))
			}
		})

		t.Run("a closed year's annual report is stored once per language and answers If-None-Match", func(t *testing.T) {
			before := stored(t)
			en := auditor.get("/reports/annual.pdf?year=2025")
			nl := auditor.getWith("/reports/annual.pdf?year=2025", map[string]string{"Accept-Language": "nl"})
			pdf(t, en)
			pdf(t, nl)
			enTag, nlTag := en.header.Get("ETag"), nl.header.Get("ETag")
			if enTag == "" || nlTag == "" || enTag == nlTag {
				t.Fatalf("ETags English %q, Dutch %q; want two different ones", enTag, nlTag)
			}
			if again := auditor.get("/reports/annual.pdf?year=2025"); again.body != en.body || again.header.Get("ETag") != enTag {
				t.Fatal("the second English download differs from the first")
			}
			if n := stored(t); n != before+2 {
				t.Fatalf("%d stored documents after two languages, want %d", n, before+2)
			}
			if res := auditor.getWith("/reports/annual.pdf?year=2025", map[string]string{"If-None-Match": enTag}); res.status != http.StatusNotModified {
				t.Fatalf("If-None-Match with the current ETag gave %d, want 304", res.status)
			}
		})
	})
}

// TestAClosedYearsReportIsSentWithoutLoadingTheYearUntilAWrite: while no
// write has committed since a process sent a closed year's annual report,
// it sends the stored copy with the session's query alone. After a write
// that changes what the report shows, the report is loaded and rendered
// anew; after a write that does not, it is loaded and the stored copy is
// found by its hash. Each language is its own document.
func TestAClosedYearsReportIsSentWithoutLoadingTheYearUntilAWrite(t *testing.T) {
	t.Parallel()
	demo.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newTestAppOn(t, db)
		queries := queryCounter(t, a.db)
		auditor := a.session("auditor@demo.test")
		const path = "/reports/annual.pdf?year=2025"
		get := func(t *testing.T, c *client) (response, int64) {
			t.Helper()
			before := queries.Load()
			res := c.get(path)
			if res.status != http.StatusOK || !strings.HasPrefix(res.body, "%PDF-") || res.header.Get("ETag") == "" {
				t.Fatalf("status %d, ETag %q, body %.40q", res.status, res.header.Get("ETag"), res.body)
			}
			return res, queries.Load() - before
		}
		first, loaded := get(t, auditor)
		if loaded < 5 {
			t.Fatalf("the first request ran %d queries: it did not load the year", loaded)
		}
		again, n := get(t, auditor)
		if n > 1 || again.body != first.body || again.header.Get("ETag") != first.header.Get("ETag") {
			t.Fatalf("unchanged: %d queries (want the session's only), same body %t", n, again.body == first.body)
		}
		// Another language is another document.
		before := queries.Load()
		nl := auditor.getWith(path, map[string]string{"Accept-Language": "nl"})
		if n := queries.Load() - before; n < 5 || nl.status != http.StatusOK || nl.header.Get("ETag") == first.header.Get("ETag") {
			t.Fatalf("the Dutch report: status %d, %d queries, the English ETag %t", nl.status, n, nl.header.Get("ETag") == first.header.Get("ETag"))
		}
		start, end := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

		t.Run("a write the report does not show: loaded, and the stored copy sent", func(t *testing.T) {
			if err := a.db.Exec("UPDATE tenders SET title = title || '.' WHERE published_at >= ?", end).Error; err != nil {
				t.Fatal(err)
			}
			res, n := get(t, auditor)
			if n < 5 || res.body != first.body {
				t.Fatalf("%d queries, same body %t: want the year loaded and the same document", n, res.body == first.body)
			}
			if _, n := get(t, auditor); n > 1 {
				t.Fatalf("%d queries on the next request, want the session's only", n)
			}
		})
		t.Run("a write the report shows: loaded and rendered anew", func(t *testing.T) {
			var buyer uint
			if err := a.db.Raw("SELECT buyer_org_id FROM tenders WHERE published_at >= ? AND published_at < ? AND status <> ? ORDER BY id LIMIT 1",
				start, end, models.StatusDraft).Scan(&buyer).Error; err != nil || buyer == 0 {
				t.Fatalf("no tender of 2025: %v", err)
			}
			if err := a.db.Exec("UPDATE orgs SET name = ? WHERE id = ?", "Renamed buyer", buyer).Error; err != nil {
				t.Fatal(err)
			}
			res, n := get(t, auditor)
			if n < 5 || res.header.Get("ETag") == first.header.Get("ETag") {
				t.Fatalf("%d queries, ETag unchanged %t: want the year loaded and a new document", n, res.header.Get("ETag") == first.header.Get("ETag"))
			}
			if again, n := get(t, auditor); n > 1 || again.body != res.body {
				t.Fatalf("%d queries on the next request (want the session's only), same body %t", n, again.body == res.body)
			}
		})
	})
}
