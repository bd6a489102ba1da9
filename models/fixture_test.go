package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
	"tenderprobe/seed"
)

// world is a small set of organisations and users on a database with the
// embedded catalogue loaded.
type world struct {
	db                *gorm.DB
	buyer, buyer2     *models.Org
	supplier          *models.Org
	admin, officer    *models.User
	officer2, auditor *models.User
	vendor            *models.User
	catalogue         *models.CatalogueVersion
}

func newWorld(t *testing.T, db *gorm.DB) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{db: db}
	var err error
	if w.catalogue, err = seed.LoadCatalogue(ctx, db); err != nil {
		t.Fatal(err)
	}
	w.buyer = mustOrg(t)(models.CreateOrg(ctx, db, nil, "Buyer One", models.OrgBuyer, time.Now()))
	w.buyer2 = mustOrg(t)(models.CreateOrg(ctx, db, nil, "Buyer Two", models.OrgBuyer, time.Now()))
	w.supplier = mustOrg(t)(models.CreateOrg(ctx, db, nil, "Supplier", models.OrgSupplier, time.Now()))
	w.admin = mustUser(t)(models.CreateUser(ctx, db, nil, "admin@example.test", "Admin", "correct horse battery 1", models.RoleAdmin, nil, time.Now()))
	w.officer = mustUser(t)(models.CreateUser(ctx, db, nil, "officer@example.test", "Officer", "correct horse battery 1", models.RoleOfficer, &w.buyer.ID, time.Now()))
	w.officer2 = mustUser(t)(models.CreateUser(ctx, db, nil, "officer2@example.test", "Officer Two", "correct horse battery 1", models.RoleOfficer, &w.buyer2.ID, time.Now()))
	w.auditor = mustUser(t)(models.CreateUser(ctx, db, nil, "auditor@example.test", "Auditor", "correct horse battery 1", models.RoleAuditor, nil, time.Now()))
	w.vendor = mustUser(t)(models.CreateUser(ctx, db, nil, "vendor@example.test", "Vendor", "correct horse battery 1", models.RoleVendor, &w.supplier.ID, time.Now()))
	return w
}

// tender creates a draft tender of the officer's org with the given standards.
func (w *world) tender(t *testing.T, title string, slugs ...string) *models.Tender {
	t.Helper()
	ctx := context.Background()
	tn, err := models.CreateTender(ctx, w.db, w.officer, models.TenderInput{Title: title, Reference: "REF-" + title}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range slugs {
		if _, err := models.AddRequirement(ctx, w.db, dbtest.ManagerOf(w.db, tn.ID), tn.ID, models.RequirementInput{Standard: s, Level: models.LevelMandatory}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return tn
}

func mustOrg(t *testing.T) func(*models.Org, error) *models.Org {
	return func(v *models.Org, err error) *models.Org {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func mustUser(t *testing.T) func(*models.User, error) *models.User {
	return func(v *models.User, err error) *models.User {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// fieldOf returns the field of a *models.ValidationError, or "" when err is not one.
func fieldOf(err error) string {
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return ve.Field
	}
	return ""
}

// sheet returns the slugs of a tender's requirements in sheet order and
// fails when positions are not exactly 1..n.
func sheet(t *testing.T, db *gorm.DB, id uint) []string {
	t.Helper()
	tn, err := models.FindTender(context.Background(), db, id)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(tn.Requirements))
	for i, r := range tn.Requirements {
		if r.Position != i+1 {
			t.Errorf("requirement %s has position %d, want %d", r.Standard.Slug, r.Position, i+1)
		}
		out[i] = r.Standard.Slug
	}
	return out
}
