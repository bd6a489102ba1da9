package models_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/app/probe/check"
	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

func TestOrgs(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if _, err := models.CreateOrg(ctx, db, nil, "Acme", models.OrgSupplier, time.Now()); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name, org, kind string
			err             error
			field           string
		}{
			{"a name in use is a conflict", "Acme", models.OrgBuyer, models.ErrConflict, ""},
			{"a name is required", "  ", models.OrgBuyer, nil, "name"},
			{"a kind other than buyer or supplier is refused", "New", "partner", nil, "kind"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := models.CreateOrg(ctx, db, nil, c.org, c.kind, time.Now())
				if c.err != nil && !errors.Is(err, c.err) {
					t.Errorf("got %v, want %v", err, c.err)
				}
				if c.field != "" && fieldOf(err) != c.field {
					t.Errorf("got %v, want a validation error on %s", err, c.field)
				}
				if orgs, _ := models.ListOrgs(ctx, db, ""); len(orgs) != 1 {
					t.Errorf("%d orgs", len(orgs))
				}
			})
		}
		t.Run("an org can be renamed and listed by kind", func(t *testing.T) {
			o, _ := models.FindOrgByName(ctx, db, "Acme")
			if _, err := models.UpdateOrg(ctx, db, nil, o.ID, "Acme Ltd", time.Now()); err != nil {
				t.Fatal(err)
			}
			buyers, _ := models.ListOrgs(ctx, db, models.OrgBuyer)
			suppliers, _ := models.ListOrgs(ctx, db, models.OrgSupplier)
			if len(buyers) != 0 || len(suppliers) != 1 || suppliers[0].Name != "Acme Ltd" {
				t.Errorf("buyers %v, suppliers %v", buyers, suppliers)
			}
		})
	})
}

func TestDraftEdits(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		tn := w.tender(t, "draft", "https", "hsts")
		t.Run("a draft's fields can be edited", func(t *testing.T) {
			got, err := models.UpdateTender(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, models.TenderInput{
				Title: "renamed", Reference: "R-9", Description: "d", EstimatedValueCents: 500, ScopeTags: []string{"a"},
			}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if got.Title != "renamed" || got.Reference != "R-9" || got.EstimatedValueCents != 500 ||
				!reflect.DeepEqual(got.ScopeTags, []string{"a"}) || got.BuyerOrgID != w.buyer.ID || len(got.Requirements) != 2 {
				t.Errorf("got %+v", got)
			}
		})
		t.Run("an invalid edit changes nothing", func(t *testing.T) {
			if _, err := models.UpdateTender(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, models.TenderInput{Title: ""}, time.Now()); fieldOf(err) != "title" {
				t.Errorf("got %v", err)
			}
			got, _ := models.FindTender(ctx, db, tn.ID)
			if got.Title != "renamed" {
				t.Errorf("title %q", got.Title)
			}
		})
		t.Run("deleting a draft removes it and its requirements", func(t *testing.T) {
			if err := models.DeleteTender(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, time.Now()); err != nil {
				t.Fatal(err)
			}
			if _, err := models.FindTender(ctx, db, tn.ID); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("got %v", err)
			}
			var n int64
			db.Model(&models.Requirement{}).Where("tender_id = ?", tn.ID).Count(&n)
			if n != 0 {
				t.Errorf("%d requirements left", n)
			}
		})
	})
}

func TestImportCatalogueKeepsInvariants(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		good := models.Standard{Slug: "ok", Name: "OK", Domain: models.DomainWeb, Summary: "s", WhyDemand: "w", Clause: "c", Checks: []check.ID{"web.hsts"}}
		with := func(change func(*models.Standard)) []models.Standard {
			s := good
			change(&s)
			return []models.Standard{good, s}
		}
		cases := []struct {
			name      string
			standards []models.Standard
			field     string
		}{
			{"a domain outside the four is refused", with(func(s *models.Standard) { s.Slug, s.Domain = "x", "web" }), "domain"},
			{"an unknown check is refused", with(func(s *models.Standard) { s.Slug, s.Checks = "x", []check.ID{"web.nope"} }), "checks"},
			{"a duplicate slug is refused", with(func(s *models.Standard) {}), "slug"},
			{"an upper-case slug is refused", with(func(s *models.Standard) { s.Slug = "TLS" }), "slug"},
			{"a standard without a clause is refused", with(func(s *models.Standard) { s.Slug, s.Clause = "x", " " }), "clause"},
			{"an empty catalogue is refused", nil, "standards"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if _, err := models.ImportCatalogue(ctx, db, nil, "v", "t", c.standards, true, time.Now()); fieldOf(err) != c.field {
					t.Errorf("got %v, want a validation error on %s", err, c.field)
				}
				if vs, _ := models.ListCatalogueVersions(ctx, db); len(vs) != 0 {
					t.Errorf("%d versions stored", len(vs))
				}
			})
		}
	})
}

func TestSetCurrentCatalogue(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		std := models.Standard{Slug: "only", Name: "Only", Domain: models.DomainWeb, Summary: "s", WhyDemand: "w", Clause: "c"}
		v2, err := models.ImportCatalogue(ctx, db, nil, "v2", "Second", []models.Standard{std}, false, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		t.Run("a version imported without makeCurrent is not current", func(t *testing.T) {
			cur, _ := models.CurrentCatalogue(ctx, db)
			if v2.Current || cur.ID != w.catalogue.ID {
				t.Errorf("current is %s", cur.Version)
			}
		})
		t.Run("an admin can switch the current version, leaving exactly one current", func(t *testing.T) {
			if err := models.SetCurrentCatalogue(ctx, db, v2.ID); err != nil {
				t.Fatal(err)
			}
			vs, _ := models.ListCatalogueVersions(ctx, db)
			n := 0
			for _, v := range vs {
				if v.Current {
					n++
					if v.ID != v2.ID {
						t.Errorf("%s is current", v.Version)
					}
				}
			}
			if n != 1 {
				t.Errorf("%d current versions", n)
			}
		})
		t.Run("an unknown version is not found and changes nothing", func(t *testing.T) {
			if err := models.SetCurrentCatalogue(ctx, db, 9999); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("got %v", err)
			}
			cur, _ := models.CurrentCatalogue(ctx, db)
			if cur.ID != v2.ID {
				t.Errorf("current is %s", cur.Version)
			}
		})
	})
}

func TestConcurrentImportsLeaveOneCurrentVersion(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		std := models.Standard{Slug: "s", Name: "S", Domain: models.DomainWeb, Summary: "s", WhyDemand: "w", Clause: "c"}
		var wg sync.WaitGroup
		errs := make(chan error, 6)
		for i := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := models.ImportCatalogue(ctx, db, nil, fmt.Sprintf("v%d", i), "t", []models.Standard{std}, true, time.Now())
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		var current int64
		db.Model(&models.CatalogueVersion{}).Where("is_current = ?", true).Count(&current)
		if current != 1 {
			t.Errorf("%d versions are current", current)
		}
	})
}
