package app

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"gorm.io/gorm"
)

var listedTender = regexp.MustCompile(`<td><a href="/tenders/\d+">([^<]+)</a>`)

// listed returns the titles of a tender list page, in order.
func listed(body string) []string {
	var out []string
	for _, m := range listedTender.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestTenderListSearchesFiltersSortsAndPages checks the tender list as an
// officer with more tenders than a page holds.
func TestTenderListSearchesFiltersSortsAndPages(t *testing.T) {
	t.Parallel()
	demo.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newTestAppOn(t, db)
		for i := range 30 {
			a.newDraft(fmt.Sprintf("Paging draft %02d", i))
		}
		open := a.newPublished("Zulu open tender")
		officer := a.session("officer@demo.test")

		cases := []struct {
			name, query string
			status      int
			check       func(t *testing.T, body string, titles []string)
		}{
			{"an open tender comes before the drafts though it sorts last by title", "?sort=title", 200, func(t *testing.T, body string, titles []string) {
				zulu, firstDraft := -1, -1
				for i, title := range titles {
					if title == open.Title {
						zulu = i
					}
					if firstDraft < 0 && strings.HasPrefix(title, "Paging draft") {
						firstDraft = i
					}
				}
				if zulu < 0 || firstDraft < 0 || zulu > firstDraft {
					t.Errorf("open tender at %d, first draft at %d: %v", zulu, firstDraft, titles)
				}
			}},
			{"a page holds 25 and says how many there are", "", 200, func(t *testing.T, body string, titles []string) {
				if len(titles) != 25 || !strings.Contains(body, "page 1 of") || !strings.Contains(body, `rel="next"`) {
					t.Errorf("%d rows: %s", len(titles), errorText(body))
				}
			}},
			{"the search finds titles, case-insensitively, and pages the matches", "?q=PAGING+draft&sort=title&page=2", 200, func(t *testing.T, body string, titles []string) {
				if len(titles) != 5 || titles[0] != "Paging draft 25" || !strings.Contains(body, "30 tenders, page 2 of 2") || !strings.Contains(body, `rel="prev"`) {
					t.Errorf("page 2 of the search: %v %s", titles, errorText(body))
				}
			}},
			{"a search term with LIKE wildcards matches only itself", "?q=%25_", 200, func(t *testing.T, body string, titles []string) {
				if len(titles) != 0 || !strings.Contains(body, "No tenders to show for this search") {
					t.Errorf("wildcards matched %v", titles)
				}
			}},
			{"the status filter keeps only that status", "?status=published", 200, func(t *testing.T, body string, titles []string) {
				for _, title := range titles {
					if strings.HasPrefix(title, "Paging draft") {
						t.Errorf("a draft in the published list: %q", title)
					}
				}
				if len(titles) == 0 {
					t.Error("no published tenders listed")
				}
			}},
			{"a page past the end shows the last page", "?q=paging&page=99", 200, func(t *testing.T, body string, titles []string) {
				if len(titles) != 5 {
					t.Errorf("%d rows on the clamped last page", len(titles))
				}
			}},
			{"an unknown order is refused with the field named", "?sort=price", 400, func(t *testing.T, body string, titles []string) {
				if !strings.Contains(body, `id="error-summary"`) || !strings.Contains(body, "Order") {
					t.Errorf("no error summary naming the order: %s", errorText(body))
				}
			}},
			{"an unknown status is refused", "?status=secret", 400, nil},
			{"a page that is not a number is refused", "?page=two", 400, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := officer.get("/tenders" + c.query)
				if res.status != c.status {
					t.Fatalf("status %d, want %d: %s", res.status, c.status, errorText(res.body))
				}
				if c.check != nil {
					c.check(t, res.body, listed(res.body))
				}
			})
		}
		t.Run("a vendor sees only the tenders its supplier was invited to, with the same controls", func(t *testing.T) {
			res := a.session("vendor@demo.test").get("/tenders?q=paging")
			if res.status != 200 || len(listed(res.body)) != 0 {
				t.Errorf("status %d, rows %v", res.status, listed(res.body))
			}
		})
	})
}
