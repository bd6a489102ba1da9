package models_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// nameTakenBy returns the name of the organisation a refusal says has
// the name already, or "" when err is no such refusal.
func nameTakenBy(err error) string {
	var se *models.StateError
	if !errors.As(err, &se) || se.Code != "org_name_taken" || !errors.Is(err, models.ErrConflict) {
		return ""
	}
	name, _ := se.Params["name"].(string)
	return name
}

// orgNames lists every organisation's name by id. It reads no other
// column, so it reads the same before and after a migration.
func orgNames(t *testing.T, db *gorm.DB) string {
	t.Helper()
	var orgs []models.Org
	if err := db.Select("id", "name").Order("id").Find(&orgs).Error; err != nil {
		t.Fatal(err)
	}
	out := ""
	for _, o := range orgs {
		out += fmt.Sprintf("%d=%q ", o.ID, o.Name)
	}
	return out
}

func TestOrgNamesCompareIgnoringCaseAndSpaces(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		acme := mustOrg(t)(models.CreateOrg(ctx, db, nil, "Acme Hosting B.V.", models.OrgSupplier, time.Now()))
		mustOrg(t)(models.CreateOrg(ctx, db, nil, "Ångström Öl", models.OrgSupplier, time.Now()))
		town := mustOrg(t)(models.CreateOrg(ctx, db, nil, "Demostad", models.OrgBuyer, time.Now()))
		cases := []struct {
			name, typed, taken string
		}{
			{"the same name", "Acme Hosting B.V.", "Acme Hosting B.V."},
			{"the name in small letters", "acme hosting b.v.", "Acme Hosting B.V."},
			{"the name in capitals with spaces around and between", "  ACME   Hosting  B.V. ", "Acme Hosting B.V."},
			{"the name with a tab between words", "Acme\tHosting B.V.", "Acme Hosting B.V."},
			{"a name with accented letters in other case", "ÅNGSTRÖM ÖL", "Ångström Öl"},
		}
		for _, c := range cases {
			t.Run(c.name+" is refused for a new organisation", func(t *testing.T) {
				before := orgNames(t, db)
				_, err := models.CreateOrg(ctx, db, nil, c.typed, models.OrgBuyer, time.Now())
				if got := nameTakenBy(err); got != c.taken {
					t.Errorf("got %v, want the refusal naming %q", err, c.taken)
				}
				if after := orgNames(t, db); after != before {
					t.Errorf("the organisations went from %s to %s", before, after)
				}
			})
			t.Run(c.name+" is refused as another organisation's new name", func(t *testing.T) {
				before := orgNames(t, db)
				_, err := models.UpdateOrg(ctx, db, nil, town.ID, c.typed, time.Now())
				if got := nameTakenBy(err); got != c.taken {
					t.Errorf("got %v, want the refusal naming %q", err, c.taken)
				}
				if after := orgNames(t, db); after != before {
					t.Errorf("the organisations went from %s to %s", before, after)
				}
			})
		}
		t.Run("an organisation may change the case of its own name", func(t *testing.T) {
			o, err := models.UpdateOrg(ctx, db, nil, acme.ID, "ACME  Hosting B.V.", time.Now())
			if err != nil || o.Name != "ACME Hosting B.V." {
				t.Errorf("got %+v, %v; want the name with one space between words", o, err)
			}
		})
		t.Run("a name that differs in more than case and spaces is created", func(t *testing.T) {
			if _, err := models.CreateOrg(ctx, db, nil, "Acme Hosting", models.OrgSupplier, time.Now()); err != nil {
				t.Error(err)
			}
		})
	})
}

func TestOrgsNamedAlikeAtOnceMakeOne(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		names := []string{"Parallel Ltd", "parallel ltd", "PARALLEL LTD", " Parallel  Ltd "}
		const each = 3
		var wg sync.WaitGroup
		errs := make([]error, each*len(names))
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = models.CreateOrg(ctx, db, nil, names[i%len(names)], models.OrgSupplier, time.Now())
			}()
		}
		wg.Wait()
		created := 0
		for _, err := range errs {
			switch {
			case err == nil:
				created++
			case nameTakenBy(err) == "":
				t.Errorf("creating at once gave %v, want it created or refused as a name taken", err)
			}
		}
		if orgs, _ := models.ListOrgs(ctx, db, ""); created != 1 || len(orgs) != 1 {
			t.Errorf("%d created and %d organisations, want one", created, len(orgs))
		}
	})
}

// TestOrgsNamedAlikeBeforeTheKeyKeepTheirNames migrates a database that
// has organisations named alike, made before names compared ignoring
// case: the migration must not fail on them, and they stay as they were
// until an admin renames one.
func TestOrgsNamedAlikeBeforeTheKeyKeepTheirNames(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			db := d.shared(t)()
			if err := models.RunMigrations(ctx, db, models.MigrationsThrough("0024_change_feed")); err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{"Acme Hosting B.V.", "acme hosting b.v.", "ACME  HOSTING B.V."} {
				err := db.Exec("INSERT INTO orgs (name, kind, time_zone, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
					name, models.OrgSupplier, models.DefaultOrgZone, time.Now(), time.Now()).Error
				if err != nil {
					t.Fatal(err)
				}
			}
			before := orgNames(t, db)
			if err := models.Migrate(ctx, db); err != nil {
				t.Fatalf("migrating: %v", err)
			}
			if after := orgNames(t, db); after != before {
				t.Errorf("the organisations went from %s to %s", before, after)
			}
			if _, err := models.CreateOrg(ctx, db, nil, "Acme hosting B.V.", models.OrgBuyer, time.Now()); nameTakenBy(err) != "Acme Hosting B.V." {
				t.Errorf("a new organisation named alike: %v, want the refusal naming the first", err)
			}
			later, err := models.FindOrgByName(ctx, db, "acme hosting b.v.")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := models.SetOrgTimeZone(ctx, db, nil, later.ID, "Europe/Madrid", time.Now()); err != nil {
				t.Errorf("a later one named alike cannot change its time zone: %v", err)
			}
			if _, err := models.UpdateOrg(ctx, db, nil, later.ID, "ACME HOSTING B.V.", time.Now()); nameTakenBy(err) != "Acme Hosting B.V." {
				t.Errorf("a later one renamed alike again: %v, want the refusal naming the first", err)
			}
			if _, err := models.UpdateOrg(ctx, db, nil, later.ID, "Acme Hosting (old account)", time.Now()); err != nil {
				t.Errorf("a later one cannot take a name of its own: %v", err)
			}
		})
	}
}
