package app

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
