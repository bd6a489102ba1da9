package app

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"tenderprobe/models"
)

func TestAdminManagesOrgsAndUsers(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	admin := a.session("admin@demo.test")
	ctx := context.Background()

	t.Run("an admin adds a supplier organisation", func(t *testing.T) {
		res := admin.post("/admin/orgs", url.Values{"name": {"Zeta Hosting"}, "kind": {"supplier"}})
		if res.status != 303 {
			t.Fatalf("status %d: %s", res.status, errorText(res.body))
		}
		if _, err := models.FindOrgByName(ctx, a.db, "Zeta Hosting"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("bad organisations are refused next to the field", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			form   url.Values
			status int
			field  string
		}{
			{"missing name", url.Values{"name": {""}, "kind": {"buyer"}}, 422, "org-name"},
			{"unknown kind", url.Values{"name": {"Odd"}, "kind": {"reseller"}}, 422, "org-kind"},
			{"duplicate name", url.Values{"name": {"Zeta Hosting"}, "kind": {"buyer"}}, 409, "org-name"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := a.count(&models.Org{})
				res := admin.post("/admin/orgs", tc.form)
				if res.status != tc.status || !strings.Contains(res.body, `id="`+tc.field+`-error"`) {
					t.Fatalf("status %d, want %d with an error on %s", res.status, tc.status, tc.field)
				}
				if a.count(&models.Org{}) != before {
					t.Fatal("a refused form added an organisation")
				}
			})
		}
	})

	zeta, err := models.FindOrgByName(ctx, a.db, "Zeta Hosting")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("an admin adds a vendor who can then log in", func(t *testing.T) {
		res := admin.post("/admin/users", url.Values{"email": {"new.vendor@zeta.example"}, "name": {"Nina"},
			"password": {"a long password"}, "role": {"vendor"}, "org_id": {fmt.Sprint(zeta.ID)}})
		if res.status != 303 {
			t.Fatalf("status %d: %s", res.status, errorText(res.body))
		}
		c := loginForm(t, a)
		if res := c.post("/login", url.Values{"email": {"new.vendor@zeta.example"}, "password": {"a long password"}}); res.status != 303 {
			t.Fatalf("new user's login: %d", res.status)
		}
	})

	t.Run("bad users are refused next to the field", func(t *testing.T) {
		buyer, err := models.FindOrgByName(ctx, a.db, "Demostad City Council")
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name   string
			form   url.Values
			status int
			field  string
		}{
			{"bad e-mail address", url.Values{"email": {"not-an-address"}, "name": {"X"}, "password": {"a long password"}, "role": {"auditor"}}, 422, "user-email"},
			{"short password", url.Values{"email": {"x@demo.test"}, "name": {"X"}, "password": {"short"}, "role": {"auditor"}}, 422, "user-password"},
			{"unknown role", url.Values{"email": {"x@demo.test"}, "name": {"X"}, "password": {"a long password"}, "role": {"king"}}, 422, "user-role"},
			{"vendor of a buyer org", url.Values{"email": {"x@demo.test"}, "name": {"X"}, "password": {"a long password"}, "role": {"vendor"}, "org_id": {fmt.Sprint(buyer.ID)}}, 422, "user-org"},
			{"org id that is not a number", url.Values{"email": {"x@demo.test"}, "name": {"X"}, "password": {"a long password"}, "role": {"vendor"}, "org_id": {"abc"}}, 422, "user-org"},
			{"e-mail address in use", url.Values{"email": {"OFFICER@demo.test"}, "name": {"X"}, "password": {"a long password"}, "role": {"auditor"}}, 409, "user-email"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := a.count(&models.User{})
				res := admin.post("/admin/users", tc.form)
				if res.status != tc.status || !strings.Contains(res.body, `id="`+tc.field+`-error"`) {
					t.Fatalf("status %d, want %d with an error on %s (%s)", res.status, tc.status, tc.field, errorText(res.body))
				}
				if a.count(&models.User{}) != before {
					t.Fatal("a refused form added a user")
				}
			})
		}
	})

	t.Run("disabling a user ends their sessions and API tokens at once", func(t *testing.T) {
		vendor := a.user("vendor@demo.test")
		web := a.session("vendor@demo.test")
		api := a.apiClient("vendor@demo.test")
		if res := admin.post(fmt.Sprintf("/admin/users/%d/disabled", vendor.ID), url.Values{"disabled": {"true"}}); res.status != 303 {
			t.Fatalf("disable: %d", res.status)
		}
		if res := web.get("/"); res.status != 303 {
			t.Fatalf("the disabled user's session still works: %d", res.status)
		}
		if res := api.get("/api/v1/standards"); res.status != 401 {
			t.Fatalf("the disabled user's token still works: %d", res.status)
		}
		admin.post(fmt.Sprintf("/admin/users/%d/disabled", vendor.ID), url.Values{"disabled": {"false"}})
		if u := a.user("vendor@demo.test"); u.Disabled {
			t.Fatal("enabling did not work")
		}
	})

	t.Run("an admin cannot disable their own account", func(t *testing.T) {
		me := a.user("admin@demo.test")
		if res := admin.post(fmt.Sprintf("/admin/users/%d/disabled", me.ID), url.Values{"disabled": {"true"}}); res.status != 422 {
			t.Fatalf("status %d, want 422", res.status)
		}
	})

	t.Run("a password reset replaces the password and ends old sessions", func(t *testing.T) {
		auditor := a.user("auditor@demo.test")
		old := a.session("auditor@demo.test")
		if res := admin.post(fmt.Sprintf("/admin/users/%d/password", auditor.ID), url.Values{"password": {"short"}}); res.status != 422 ||
			!strings.Contains(res.body, fmt.Sprintf(`id="password-%d-error"`, auditor.ID)) {
			t.Fatalf("short password: %d, want 422 next to the field", res.status)
		}
		if res := admin.post(fmt.Sprintf("/admin/users/%d/password", auditor.ID), url.Values{"password": {"brand new password"}}); res.status != 303 {
			t.Fatalf("reset: %d", res.status)
		}
		if res := old.get("/"); res.status != 303 {
			t.Fatal("the old session survived the reset")
		}
		c := loginForm(t, a)
		if res := c.post("/login", url.Values{"email": {"auditor@demo.test"}, "password": {"brand new password"}}); res.status != 303 {
			t.Fatalf("login with the new password: %d", res.status)
		}
		if res := admin.post("/admin/users/999999/password", url.Values{"password": {"brand new password"}}); res.status != 404 {
			t.Fatalf("unknown user: %d, want 404", res.status)
		}
	})
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	res := a.anonymous().get("/healthz")
	if res.status != 200 || res.json(t)["status"] != "ok" {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	sqlDB, err := a.db.DB()
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.Close()
	if res := a.anonymous().get("/healthz"); res.status != 503 {
		t.Fatalf("with the database closed: %d, want 503", res.status)
	}
}
