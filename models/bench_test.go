package models_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
	"tenderprobe/seed"
)

// BenchmarkFindTender loads a 13-requirement sheet with its standards, as
// the tender page does, from a temp-file SQLite database.
func BenchmarkFindTender(b *testing.B) {
	ctx := context.Background()
	db := dbtest.Open(b)
	if err := seed.Demo(ctx, db); err != nil {
		b.Fatal(err)
	}
	officer, err := models.FindUserByEmail(ctx, db, "officer@demo.test")
	if err != nil {
		b.Fatal(err)
	}
	tn, err := models.FindTenderByReference(ctx, db, *officer.OrgID, "DSC-2026-014")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := models.FindTender(ctx, db, tn.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListStandards searches the catalogue as the catalogue page does.
func BenchmarkListStandards(b *testing.B) {
	ctx := context.Background()
	db := dbtest.Open(b)
	if _, err := seed.LoadCatalogue(ctx, db); err != nil {
		b.Fatal(err)
	}
	for _, f := range []models.StandardFilter{{}, {Query: "tls", Domain: models.DomainWeb}} {
		b.Run(fmt.Sprintf("query %q domain %q", f.Query, f.Domain), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := models.ListStandards(ctx, db, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkListTenders lists 100 tenders with their requirement counts.
func BenchmarkListTenders(b *testing.B) {
	ctx := context.Background()
	db := dbtest.Open(b)
	if err := seed.Demo(ctx, db); err != nil {
		b.Fatal(err)
	}
	officer, err := models.FindUserByEmail(ctx, db, "officer@demo.test")
	if err != nil {
		b.Fatal(err)
	}
	for i := range 97 {
		tn, err := models.CreateTender(ctx, db, officer, models.TenderInput{Title: fmt.Sprintf("tender %d", i)}, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := models.AddRequirement(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, models.RequirementInput{Standard: "https", Level: models.LevelMandatory}, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		ts, err := models.ListTenders(ctx, db, officer)
		if err != nil || len(ts) != 100 {
			b.Fatalf("%d tenders, %v", len(ts), err)
		}
	}
}
