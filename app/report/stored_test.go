package report

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// storedTender is a published tender as models.FindTender loads it, with
// two requirements whose standards have Dutch names.
func storedTender() *models.Tender {
	published := time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)
	deadline := time.Date(2026, 4, 30, 21, 59, 59, 0, time.UTC)
	std := &models.Standard{Slug: "dnssec", Name: "DNSSEC", Domain: "network", Clause: "The supplier signs every zone."}
	return &models.Tender{
		ID: 7, Title: "Hosting van gemeente.example — Zoë", Reference: "TP-2026-007", Status: models.StatusPublished, Revision: 1,
		Language: "nl", DeadlineZone: "Europe/Amsterdam", Deadline: &deadline, PublishedAt: &published,
		BuyerOrg: &models.Org{Name: "Gemeente Voorbeeld"},
		Requirements: []models.Requirement{
			{ID: 1, Position: 1, Level: models.LevelMandatory, Standard: std},
			{ID: 2, Position: 2, Level: models.LevelRecommended, Standard: std, Note: "Ook de subdomeinen.", NotePublic: true},
		},
	}
}

// storedRows lists the stored documents' hashes by document name.
func storedRows(t *testing.T, db *gorm.DB) map[string][]string {
	t.Helper()
	var rows []models.StoredPDF
	if err := db.Select("hash", "document").Order("hash").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, r := range rows {
		out[r.Document] = append(out[r.Document], r.Hash)
	}
	return out
}

func TestStoredPDFs(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testStoredPDFs)
}

func testStoredPDFs(t *testing.T, db *gorm.DB) {
	ctx := context.Background()
	day1 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	day2 := day1.AddDate(0, 0, 3)
	get := func(t *testing.T, p Plan) Document {
		t.Helper()
		d, err := p.Document(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(d.Body, []byte("%PDF-")) {
			t.Fatalf("not a PDF: %.20q", d.Body)
		}
		return d
	}

	first := get(t, SheetPlan(storedTender(), day1))
	t.Run("a published sheet is rendered once and then served from storage, byte for byte", func(t *testing.T) {
		if first.Stored || first.Hash == "" {
			t.Fatalf("first request: stored %v, hash %q; want a fresh render with a hash", first.Stored, first.Hash)
		}
		again := get(t, SheetPlan(storedTender(), day2))
		if !again.Stored || again.Hash != first.Hash {
			t.Fatalf("a later request: stored %v, hash %s; want the stored %s", again.Stored, again.Hash, first.Hash)
		}
		if !bytes.Equal(again.Body, first.Body) {
			t.Fatal("the stored sheet differs from the one first sent")
		}
		forgetRecent(db) // another process, or this one after a restart
		fromDB := get(t, SheetPlan(storedTender(), day2))
		if !fromDB.Stored || !bytes.Equal(fromDB.Body, first.Body) {
			t.Fatalf("from the database: stored %v, same bytes %v", fromDB.Stored, bytes.Equal(fromDB.Body, first.Body))
		}
		if fresh := get(t, Plan{render: SheetPlan(storedTender(), day2).render}); bytes.Equal(fresh.Body, first.Body) {
			t.Fatal("a render three days later has the same bytes: the test cannot tell storage from rendering")
		}
	})

	t.Run("a change after publication gives a new render and the old version is deleted", func(t *testing.T) {
		for _, change := range []struct {
			name string
			edit func(*models.Tender)
		}{
			{"the status", func(tn *models.Tender) { tn.Status = models.StatusClosed }},
			{"the buyer's name", func(tn *models.Tender) { tn.BuyerOrg = &models.Org{Name: "Gemeente Anders"} }},
			{"a standard's name", func(tn *models.Tender) {
				s := *tn.Requirements[0].Standard
				s.Name = "DNSSEC (herzien)"
				tn.Requirements[0].Standard = &s
			}},
			{"the zone", func(tn *models.Tender) { tn.DeadlineZone = "UTC" }},
		} {
			tn := storedTender()
			change.edit(tn)
			d := get(t, SheetPlan(tn, day2))
			if d.Stored || d.Hash == first.Hash {
				t.Errorf("after changing %s: stored %v, same hash %v; want a new render", change.name, d.Stored, d.Hash == first.Hash)
			}
			if rows := storedRows(t, db)["sheet/7"]; len(rows) != 1 || rows[0] != d.Hash {
				t.Errorf("after changing %s storage holds %v, want only %s", change.name, rows, d.Hash)
			}
		}
	})

	t.Run("the same tender in another language is another document", func(t *testing.T) {
		tn := storedTender()
		tn.Language = "es"
		es := get(t, SheetPlan(tn, day2))
		nl := SheetPlan(storedTender(), day2)
		if es.Stored || es.Hash == nl.Hash {
			t.Fatalf("Spanish sheet: stored %v, same hash as Dutch %v", es.Stored, es.Hash == nl.Hash)
		}
	})

	t.Run("a draft is never stored and has no hash", func(t *testing.T) {
		tn := storedTender()
		tn.ID, tn.Status, tn.PublishedAt = 8, models.StatusDraft, nil
		for range 2 {
			if d := get(t, SheetPlan(tn, day2)); d.Stored || d.Hash != "" {
				t.Fatalf("draft: stored %v, hash %q", d.Stored, d.Hash)
			}
		}
		if rows := storedRows(t, db)["sheet/8"]; len(rows) != 0 {
			t.Fatalf("a draft's sheet was stored: %v", rows)
		}
	})

	t.Run("two first renders of one document at once store it once and send the same bytes", func(t *testing.T) {
		hash := "race" + first.Hash[4:]
		a, err := Stored(ctx, db, hash, "race", day1, func(b *bytes.Buffer) error { b.WriteString("%PDF-first"); return nil })
		if err != nil {
			t.Fatal(err)
		}
		// The second renderer looked before the first stored, so it
		// renders too; its insert finds the first one's row.
		b, err := models.StorePDF(ctx, db, &models.StoredPDF{Hash: hash, Document: "race", Body: []byte("%PDF-second"), CreatedAt: day2})
		if err != nil {
			t.Fatal(err)
		}
		if string(a.Body) != "%PDF-first" || string(b.Body) != "%PDF-first" {
			t.Fatalf("first sent %q, second sent %q; want both the first", a.Body, b.Body)
		}
	})

	year := func(y int) AnnualReport {
		cur := sampleYear(y, 3, 0.5)
		return BuildAnnual(cur, nil, ScopeAll)
	}
	t.Run("the current year's annual report is never stored", func(t *testing.T) {
		p := AnnualPlan(year(2026), Options{Created: day1, Lang: "nl"})
		if p.Hash != "" {
			t.Fatalf("open year has hash %q", p.Hash)
		}
		get(t, p)
		for doc := range storedRows(t, db) {
			if strings.HasPrefix(doc, "annual/") {
				t.Fatalf("an open year's report was stored as %s", doc)
			}
		}
	})

	t.Run("a closed year's annual report is stored per language, and a change in it renders anew", func(t *testing.T) {
		nl := get(t, AnnualPlan(year(2025), Options{Created: day1, Lang: "nl"}))
		again := get(t, AnnualPlan(year(2025), Options{Created: day2, Lang: "nl"}))
		es := get(t, AnnualPlan(year(2025), Options{Created: day2, Lang: "es"}))
		if nl.Stored || nl.Hash == "" || !again.Stored || !bytes.Equal(again.Body, nl.Body) {
			t.Fatalf("Dutch: first stored %v hash %q, again stored %v same bytes %v", nl.Stored, nl.Hash, again.Stored, bytes.Equal(again.Body, nl.Body))
		}
		if es.Stored || es.Hash == nl.Hash {
			t.Fatalf("Spanish: stored %v, same hash as Dutch %v", es.Stored, es.Hash == nl.Hash)
		}
		changed := year(2025)
		changed.Tenders[0].Status = models.StatusAwarded
		if d := get(t, AnnualPlan(changed, Options{Created: day2, Lang: "nl"})); d.Stored || d.Hash == nl.Hash {
			t.Fatalf("after a tender's status changed: stored %v, same hash %v", d.Stored, d.Hash == nl.Hash)
		}
		if rows := storedRows(t, db); len(rows["annual/2025/all/nl/UTC"]) != 1 || len(rows["annual/2025/all/es/UTC"]) != 1 {
			t.Fatalf("storage holds %v, want one version per language", rows)
		}
	})
}

// forgetRecent empties the documents db's process keeps in memory.
func forgetRecent(db *gorm.DB) {
	r := recentOf(db)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.byKey, r.order, r.size = map[string][]byte{}, nil, 0
}

func TestRecentDocumentsStayWithinTheirBound(t *testing.T) {
	t.Parallel()
	r := &recent{byKey: map[string][]byte{}}
	body := make([]byte, RecentBytes/8)
	for i := range 20 {
		r.put(fmt.Sprint(i), body)
	}
	if r.size > RecentBytes || len(r.byKey) != 8 {
		t.Fatalf("%d bytes in %d documents, bound %d", r.size, len(r.byKey), RecentBytes)
	}
	if _, ok := r.get("19"); !ok {
		t.Fatal("the newest document was dropped")
	}
	if _, ok := r.get("0"); ok {
		t.Fatal("the oldest document was kept")
	}
	r.put("huge", make([]byte, RecentBytes/2))
	if _, ok := r.get("huge"); ok {
		t.Fatal("a document of half the bound was kept")
	}
}

func TestYearClosed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		now  time.Time
		want bool
	}{
		{"a year is open on its last evening in UTC", time.Date(2025, 12, 31, 23, 59, 59, 0, time.UTC), false},
		{"a year is closed from new year in UTC", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"new year in Amsterdam is still the old year in UTC", time.Date(2026, 1, 1, 0, 30, 0, 0, time.FixedZone("CET", 3600)), false},
		{"a year is closed ever after", time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := YearClosed(2025, tc.now); got != tc.want {
				t.Fatalf("YearClosed(2025, %v) = %v, want %v", tc.now, got, tc.want)
			}
		})
	}
}
