package app

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"
)

var listedTender = regexp.MustCompile(`<td data-label="Title"><a href="/tenders/\d+">([^<]+)</a>`)

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

var listedAttestation = regexp.MustCompile(`<td data-label="Tender"><a href="/attestations/\d+">[^<]*</a></td>\s*<td data-label="Supplier">([^<]*)</td>\s*<td data-label="Status"><span class="badge (\w+)">`)

// TestAttestationListSearchesFiltersSortsAndPages checks the attestation
// list as the auditor, who sees every attestation of the demo's year.
func TestAttestationListSearchesFiltersSortsAndPages(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	auditor := a.session("auditor@demo.test")
	all := auditor.get("/attestations")
	if all.status != 200 || !strings.Contains(all.body, `rel="next"`) || len(listedAttestation.FindAllStringSubmatch(all.body, -1)) != 25 {
		t.Fatalf("the first page must hold 25 with a next link: %d %s", all.status, errorText(all.body))
	}
	cases := []struct {
		name, query string
		check       func(t *testing.T, rows [][]string)
	}{
		{"the search finds a supplier's name, case-insensitively", "?q=NORDWIND", func(t *testing.T, rows [][]string) {
			if len(rows) == 0 {
				t.Fatal("nothing found")
			}
			for _, r := range rows {
				if !strings.Contains(r[1], "Nordwind") {
					t.Errorf("row of %q", r[1])
				}
			}
		}},
		{"the status filter keeps only drafts", "?status=draft", func(t *testing.T, rows [][]string) {
			for _, r := range rows {
				if r[2] != "draft" {
					t.Errorf("a %s row", r[2])
				}
			}
		}},
		{"sorted by supplier, open tenders' attestations and then the others each come in alphabetical order", "?sort=supplier&q=DSC-", func(t *testing.T, rows [][]string) {
			names := make([]string, len(rows))
			for i, r := range rows {
				names[i] = strings.ToLower(r[1])
			}
			// Two sorted runs at most: the open tenders' group, then the rest.
			descents := 0
			for i := 1; i < len(names); i++ {
				if names[i] < names[i-1] {
					descents++
				}
			}
			if len(names) < 10 || descents > 1 || slices.Compact(slices.Clone(names))[0] == names[len(names)-1] {
				t.Errorf("not two alphabetical runs of several suppliers: %v", names)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := auditor.get("/attestations" + c.query)
			if res.status != 200 {
				t.Fatalf("status %d: %s", res.status, errorText(res.body))
			}
			c.check(t, listedAttestation.FindAllStringSubmatch(res.body, -1))
		})
	}
	t.Run("a vendor's search never reaches another supplier's attestations", func(t *testing.T) {
		res := a.session("vendor@demo.test").get("/attestations?q=nordwind")
		if rows := listedAttestation.FindAllStringSubmatch(res.body, -1); res.status != 200 || len(rows) != 0 {
			t.Errorf("status %d, rows %v", res.status, rows)
		}
	})
	t.Run("an unknown status is refused with the field named", func(t *testing.T) {
		res := auditor.get("/attestations?status=lost")
		if res.status != 400 || !strings.Contains(res.body, "Status: is not a valid choice") {
			t.Errorf("status %d: %s", res.status, errorText(res.body))
		}
	})
}

// TestAdminListsSearchFilterSortAndPage checks the user and organisation
// lists an admin manages.
func TestAdminListsSearchFilterSortAndPage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	admin := a.session("admin@demo.test")
	for i := range 30 {
		if res := admin.post("/admin/orgs", url.Values{"name": {fmt.Sprintf("Listed supplier %02d", i)}, "kind": {"supplier"}}); res.status != 303 {
			t.Fatalf("create org: %d %s", res.status, errorText(res.body))
		}
	}
	cases := []struct {
		name, path string
		status     int
		want       []string
		not        []string
	}{
		{"organisations come 25 to a page with page links", "/admin/orgs", 200, []string{`rel="next"`, "page 1 of 2"}, nil},
		{"the second page keeps the query", "/admin/orgs?q=listed&sort=newest&page=2", 200, []string{`rel="prev"`, "Listed supplier 04", "30 organisations, page 2 of 2"}, []string{"Listed supplier 29"}},
		{"the kind filter keeps buyers only", "/admin/orgs?kind=buyer", 200, []string{"Demostad"}, []string{"Listed supplier", "Acme Hosting"}},
		{"an unknown kind is refused, naming the filter", "/admin/orgs?kind=both", 400, []string{`href="#filter-kind"`}, nil},
		{"users are searched by name", "/admin/users?q=olivia", 200, []string{"officer@demo.test", "1 user."}, []string{"vendor@demo.test"}},
		{"users are filtered by role", "/admin/users?role=vendor", 200, []string{"vendor@demo.test", "vendor2@demo.test"}, []string{"officer@demo.test"}},
		{"an unknown state is refused", "/admin/users?state=sleeping", 400, []string{`href="#filter-state"`}, nil},
		{"an organisation id that is not a number is refused", "/admin/users?org=x", 400, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := admin.get(c.path)
			if res.status != c.status {
				t.Fatalf("status %d, want %d: %s", res.status, c.status, errorText(res.body))
			}
			for _, w := range c.want {
				if !strings.Contains(res.body, w) {
					t.Errorf("lacks %q", w)
				}
			}
			for _, n := range c.not {
				if strings.Contains(res.body, n) {
					t.Errorf("has %q", n)
				}
			}
		})
	}
}
