package app

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
	"tenderprobe/seed"
)

// fresh is a first start: the catalogue and the admin account the server
// creates on an empty database, and nothing else.
var fresh = dbtest.NewTemplate("fresh", func(ctx context.Context, db *gorm.DB) error {
	if _, err := seed.LoadCatalogue(ctx, db); err != nil {
		return err
	}
	_, _, err := seed.EnsureAdmin(ctx, db)
	return err
})

// TestFirstStartLeadsToAFirstTender walks a fresh installation as its
// admin: the dashboard names the steps, a tender cannot be attempted
// before a buyer exists and says why, and each step, once done, is ticked.
func TestFirstStartLeadsToAFirstTender(t *testing.T) {
	t.Parallel()
	fresh.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newTestAppOn(t, db)
		admin := a.session("admin@localhost")

		res := admin.get("/")
		for _, want := range []string{`id="getting-started"`, `href="/admin/orgs?kind=buyer#org-name"`, `href="/admin/users#user-email"`, "Done:</span> the standards catalogue is loaded"} {
			if !strings.Contains(res.body, want) {
				t.Errorf("the fresh dashboard lacks %q", want)
			}
		}

		res = admin.get("/tenders/new")
		if res.status != 200 || !strings.Contains(res.body, `id="no-buyer"`) || strings.Contains(res.body, `action="/tenders"`) {
			t.Errorf("with no buyer, the new-tender page must explain and offer no form: %d %s", res.status, errorText(res.body))
		}
		res = admin.post("/tenders", url.Values{"title": {"First"}, "currency": {"EUR"}})
		if res.status != 422 || !strings.Contains(res.body, `id="error-summary"`) || !strings.Contains(res.body, "Buying organisation: is required") {
			t.Errorf("a tender without a buyer must show the error: %d %s", res.status, errorText(res.body))
		}
		if n := a.count(&models.Tender{}); n != 0 {
			t.Errorf("%d tenders exist after the refused attempt", n)
		}

		if res := admin.get("/admin/orgs?kind=supplier"); !strings.Contains(res.body, `value="supplier" selected`) {
			t.Error("the supplier step does not preselect the supplier kind")
		}
		if res := admin.post("/admin/orgs", url.Values{"name": {"Gemeente Voorbeeld"}, "kind": {"buyer"}}); res.status != 303 {
			t.Fatalf("create the buyer: %d %s", res.status, errorText(res.body))
		}
		res = admin.get("/")
		if !strings.Contains(res.body, "Done:</span> a buying organisation exists") || !strings.Contains(res.body, `href="/admin/users#user-email"`) {
			t.Errorf("the buyer step is not ticked or the officer step is gone: %s", errorText(res.body))
		}
		res = admin.get("/tenders/new")
		if !strings.Contains(res.body, `id="buyer_org_id"`) || !strings.Contains(res.body, "Gemeente Voorbeeld") {
			t.Errorf("with a buyer, the admin chooses it on the form: %s", errorText(res.body))
		}
		org := mustOrg(t, db, "Gemeente Voorbeeld")
		if _, err := models.CreateUser(context.Background(), db, nil, "inkoper@voorbeeld.test", "Ina Inkoper", "a long enough password", models.RoleOfficer, &org.ID, testNow); err != nil {
			t.Fatal(err)
		}
		if res := admin.get("/"); strings.Contains(res.body, `id="getting-started"`) {
			t.Error("the steps still show once a buyer has an officer")
		}
	})
}

func mustOrg(t *testing.T, db *gorm.DB, name string) *models.Org {
	t.Helper()
	orgs, err := models.ListOrgs(context.Background(), db, "")
	if err != nil {
		t.Fatal(err)
	}
	for i := range orgs {
		if orgs[i].Name == name {
			return &orgs[i]
		}
	}
	t.Fatalf("no organisation %q", name)
	return nil
}
