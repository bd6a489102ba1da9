package models_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
	"tenderprobe/seed"
)

func TestStandardIn(t *testing.T) {
	t.Parallel()
	s := &models.Standard{Slug: "dnssec", Name: "DNSSEC", Summary: "Signed DNS.", WhyDemand: "Forgery.", Clause: "The Supplier shall sign.",
		Translations: models.StandardTranslations{
			"nl": {Name: "DNSSEC", Summary: "Ondertekende DNS.", WhyDemand: "Vervalsing.", Clause: "De Leverancier dient te ondertekenen."},
			"es": {Name: "DNSSEC", Summary: "DNS firmado.", WhyDemand: "Falsificación."},
		}}
	cases := []struct{ name, lang, wantLang, wantClause string }{
		{"a language the standard has reads in it", "nl", "nl", "De Leverancier dient te ondertekenen."},
		{"a translation without its clause falls back to English", "es", "en", "The Supplier shall sign."},
		{"a language the standard lacks falls back to English", "de", "en", "The Supplier shall sign."},
		{"English reads the standard's own fields", "en", "en", "The Supplier shall sign."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := s.In(c.lang)
			if got.Lang != c.wantLang || got.Clause != c.wantClause {
				t.Fatalf("In(%q) = %+v", c.lang, got)
			}
		})
	}
	if got := (&models.Standard{Name: "X", Clause: "Y"}).In("nl"); got.Lang != "en" || got.Name != "X" {
		t.Fatalf("a standard without translations: %+v", got)
	}
}

// queryCounter counts the SELECTs run on db from now on.
func queryCounter(t *testing.T, db *gorm.DB) *int {
	n := new(int)
	name := "test:count_" + t.Name()
	if err := db.Callback().Query().After("gorm:query").Register(name, func(*gorm.DB) { *n++ }); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Callback().Query().Remove(name) })
	return n
}

func TestListStandardsReadsTranslationsWithoutAQueryPerStandard(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if _, err := seed.LoadCatalogue(ctx, db); err != nil {
			t.Fatal(err)
		}
		for _, f := range []models.StandardFilter{{Lang: "nl"}, {Lang: "es", Query: "correo"}} {
			n := queryCounter(t, db)
			standards, err := models.ListStandards(ctx, db, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(standards) < 5 {
				t.Fatalf("%+v: %d standards", f, len(standards))
			}
			for i := range standards {
				if got := standards[i].In(f.Lang); got.Lang != f.Lang {
					t.Fatalf("%s has no %s text", standards[i].Slug, f.Lang)
				}
			}
			if *n == 0 {
				t.Fatal("the query counter saw no query")
			}
			if *n > 2 {
				t.Fatalf("%+v: %d queries for %d standards, want 2 (the catalogue version, the standards)", f, *n, len(standards))
			}
		}
	})
}

func TestSeedCatalogueGainsTranslationsOnAnOldDatabase(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		cv, err := seed.LoadCatalogue(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		// As a database loaded before the catalogue carried translations.
		if err := db.Model(&models.Standard{}).Where("catalogue_version_id = ?", cv.ID).Update("translations", nil).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Model(&models.CatalogueVersion{}).Where("id = ?", cv.ID).Update("title_translations", nil).Error; err != nil {
			t.Fatal(err)
		}
		if s, _ := models.FindStandardBySlug(ctx, db, "dane"); s.Has("nl") {
			t.Fatal("the translations were not removed")
		}
		// The list keeps the version decoded in memory from now on.
		dane := func() *models.Standard {
			list, err := models.ListStandards(ctx, db, models.StandardFilter{Query: "dane"})
			if err != nil {
				t.Fatal(err)
			}
			for i := range list {
				if list[i].Slug == "dane" {
					return &list[i]
				}
			}
			t.Fatal("no dane in the list")
			return nil
		}
		if dane().Has("nl") {
			t.Fatal("the list shows translations that were removed")
		}
		if _, err := seed.LoadCatalogue(ctx, db); err != nil {
			t.Fatal(err)
		}
		if !dane().Has("nl") {
			t.Fatal("the list in memory missed the translations added since")
		}
		s, err := models.FindStandardBySlug(ctx, db, "dane")
		if err != nil {
			t.Fatal(err)
		}
		if !s.Has("nl") || !s.Has("es") {
			t.Fatalf("after loading again dane reads in %v", s.Languages())
		}
		cv, err = models.CurrentCatalogue(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if cv.TitleIn("nl") == cv.Title || cv.TitleIn("es") == cv.Title || cv.TitleIn("en") != cv.Title {
			t.Fatalf("after loading again the title reads %q in Dutch, %q in Spanish", cv.TitleIn("nl"), cv.TitleIn("es"))
		}
	})
}

// TestAuditNamesFindTheStandardsEntriesRecord: the audit log's names
// include the standards its entries record by slug, a requirement's and a
// profile's added ones, with their translations.
func TestAuditNamesFindTheStandardsEntriesRecord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.Open(t)
	if _, err := seed.LoadCatalogue(ctx, db); err != nil {
		t.Fatal(err)
	}
	entries := []models.AuditEntry{
		{ObjectType: "requirement", Before: `{"standard":"dane","level":"recommended"}`, After: `{"standard":"dane","level":"mandatory"}`},
		{ObjectType: "tender", After: `{"added":["dnssec (mandatory)","no-such-standard (recommended)"]}`},
	}
	names, err := models.LoadAuditNames(ctx, db, entries)
	if err != nil {
		t.Fatal(err)
	}
	if len(names.Standards) != 2 {
		t.Fatalf("standards %v, want dane and dnssec", names.Standards)
	}
	for _, slug := range []string{"dane", "dnssec"} {
		n, ok := names.Standards[slug]
		if !ok || n.Name == "" || n.NameIn("nl") == "" {
			t.Errorf("%s: %+v", slug, n)
		}
	}
}
