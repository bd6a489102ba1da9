package models_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// TestNamesSortAsReadersExpect: accented letters sort with their base
// letter, whatever the database's byte order, and case does not matter.
func TestNamesSortAsReadersExpect(t *testing.T) {
	t.Parallel()
	names := []string{"Łódź Cloud", "nordwind Mail", "Ångström Hosting", "Brightwater", "Acme Hosting", "Öko-Server", "Zeta"}
	slices.SortFunc(names, models.CompareNames)
	want := []string{"Acme Hosting", "Ångström Hosting", "Brightwater", "Łódź Cloud", "nordwind Mail", "Öko-Server", "Zeta"}
	if !slices.Equal(names, want) {
		t.Errorf("got %q\nwant %q", names, want)
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		for _, n := range []string{"Zulu Systems", "Ångström Hosting", "Bravo Net"} {
			if _, err := models.CreateOrg(ctx, db, nil, n, models.OrgSupplier, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		orgs, err := models.ListOrgs(ctx, db, models.OrgSupplier)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range orgs {
			got = append(got, o.Name)
		}
		if !slices.IsSortedFunc(got, models.CompareNames) || slices.Index(got, "Ångström Hosting") > slices.Index(got, "Bravo Net") {
			t.Errorf("organisations in the order %q", got)
		}
	})
}
