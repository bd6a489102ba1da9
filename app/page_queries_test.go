package app

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"tenderprobe/models"
)

// TestPagesRunFewQueriesWhateverTheData counts the SQL statements of the
// pages every user opens most, before and after the officer's buyer gains
// a tender with 60 vendors and 40 requirements: the count stays the same
// (no query per row) and within a small budget (the session, user and
// organisation are one query; the catalogue comes from memory).
func TestPagesRunFewQueriesWhateverTheData(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	queries := queryCounter(t, a.db)
	officer := a.session("officer@demo.test")
	api := a.apiClient("officer@demo.test")
	vendor := a.session("vendor@demo.test")
	// budget is what a render costs (the page cache off, or a miss);
	// hit is what a page the cache holds costs: the session's query,
	// which reads the change stamp too.
	pages := []struct {
		name        string
		client      *client
		path        string
		budget, hit int64
	}{
		{"the officer's dashboard", officer, "/", 14, 1},
		{"the vendor's dashboard", vendor, "/", 12, 1},
		{"the catalogue", officer, "/catalogue", 2, 1},
		{"a tender page", officer, "/tenders/1", 10, 1},
		{"the attestation list", officer, "/attestations", 8, 8},
		{"the API's standards", api, "/api/v1/standards", 3, 3},
	}
	count := func(c *client, path string) (render, hit int64) {
		t.Helper()
		// get is the fewest queries of three requests: the kept
		// catalogues are bounded per process, so a parallel test can evict
		// this one's (one query more, whatever the data).
		get := func() int64 {
			t.Helper()
			fewest := int64(-1)
			for range 3 {
				before := queries.Load()
				if res := c.get(path); res.status != 200 {
					t.Fatalf("GET %s: %d", path, res.status)
				}
				if n := queries.Load() - before; fewest < 0 || n < fewest {
					fewest = n
				}
			}
			return fewest
		}
		// Once to fill the catalogue cache and the page cache, once to
		// count a hit; then once with the page cache off.
		get()
		hit = get()
		pages := a.h.Pages
		a.h.Pages = nil
		defer func() { a.h.Pages = pages }()
		return get(), hit
	}
	small := make([]int64, len(pages))
	for i, p := range pages {
		small[i], _ = count(p.client, p.path)
	}
	seedBigTender(t, a.db, "Many vendors", 60, 40)
	for i, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			big, hit := count(p.client, p.path)
			t.Logf("%s: %d queries to render, %d from the page cache", p.path, big, hit)
			if big != small[i] {
				t.Errorf("%d queries with the demo data, %d with a tender of 60 vendors: a query runs per row", small[i], big)
			}
			if big > p.budget {
				t.Errorf("%d queries to render, budget %d", big, p.budget)
			}
			if hit > p.hit {
				t.Errorf("%d queries from the page cache, budget %d", hit, p.hit)
			}
		})
	}
	t.Run("the dashboard shows the newest attestations and links to all of them", func(t *testing.T) {
		n, err := models.CountAttestations(context.Background(), a.db, a.user("officer@demo.test"))
		if err != nil {
			t.Fatal(err)
		}
		res := officer.get("/")
		if want := fmt.Sprintf(`<a href="/attestations">All %d attestations</a>`, n); !strings.Contains(res.body, want) {
			t.Errorf("the dashboard has no %s", want)
		}
	})
}

// TestATenderShowsAStandardAddedToItsVersionInPlace: a standard written
// into a catalogue version after the version was kept in memory (which
// Tenderprobe never does without counting the revision) still shows on
// the tender that demands it.
func TestATenderShowsAStandardAddedToItsVersionInPlace(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	officer := a.session("officer@demo.test")
	tn, _ := a.newDraft("in place")
	if res := officer.get(fmt.Sprintf("/tenders/%d", tn.ID)); res.status != 200 {
		t.Fatalf("status %d", res.status)
	}
	s := models.Standard{CatalogueVersionID: tn.CatalogueVersionID, Slug: "in-place", Position: 999, Name: "Standard written in place",
		Domain: models.DomainWeb, Summary: "-", WhyDemand: "-", Clause: "-"}
	if err := a.db.Create(&s).Error; err != nil {
		t.Fatal(err)
	}
	r := models.Requirement{TenderID: tn.ID, StandardID: s.ID, Position: 99, Level: models.LevelMandatory, CreatedAt: testNow, UpdatedAt: testNow}
	if err := a.db.Create(&r).Error; err != nil {
		t.Fatal(err)
	}
	if res := officer.get(fmt.Sprintf("/tenders/%d", tn.ID)); !strings.Contains(res.body, s.Name) {
		t.Fatalf("the tender page lacks %q (status %d)", s.Name, res.status)
	}
}
