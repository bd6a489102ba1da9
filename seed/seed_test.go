package seed_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/app/probe/check"
	"tenderprobe/models"
	"tenderprobe/models/dbtest"
	"tenderprobe/seed"
)

func TestEmbeddedCatalogue(t *testing.T) {
	t.Parallel()
	f, err := seed.Catalogue()
	if err != nil {
		t.Fatalf("embedded catalogue is invalid: %v", err)
	}
	t.Run("it has at least 25 standards", func(t *testing.T) {
		if len(f.Standards) < 25 {
			t.Errorf("got %d standards", len(f.Standards))
		}
	})
	t.Run("every domain has standards", func(t *testing.T) {
		per := map[string]int{}
		for _, s := range f.Standards {
			per[s.Domain]++
		}
		for _, d := range models.Domains {
			if per[d] < 3 {
				t.Errorf("domain %s has %d standards, want at least 3", d, per[d])
			}
		}
	})
	t.Run("the standards the brief names are present", func(t *testing.T) {
		have := map[string]bool{}
		for _, s := range f.Standards {
			have[s.Slug] = true
		}
		for _, slug := range []string{"dnssec", "rpki", "ipv6", "tls", "https", "hsts", "security-txt", "caa",
			"csp", "security-headers", "spf", "dkim", "dmarc", "starttls", "dane", "mta-sts", "tls-rpt",
			"pq-key-exchange", "iso-27001", "iso-27002", "iso-27701"} {
			if !have[slug] {
				t.Errorf("standard %q is missing", slug)
			}
		}
	})
	t.Run("every probe check is listed by the standard it verifies", func(t *testing.T) {
		listed := map[check.ID]map[string]bool{}
		for _, s := range f.Standards {
			for _, c := range s.Checks {
				if listed[c] == nil {
					listed[c] = map[string]bool{}
				}
				listed[c][s.Slug] = true
			}
		}
		for _, c := range check.All() {
			if !listed[c.ID][c.Standard] {
				t.Errorf("check %s should be listed by standard %s", c.ID, c.Standard)
			}
		}
	})
	t.Run("references link to rfc-editor.org and iso.org", func(t *testing.T) {
		for _, s := range f.Standards {
			for _, r := range s.References {
				if r.Kind == models.RefRFC && r.URL != "https://www.rfc-editor.org/rfc/rfc"+r.ID {
					t.Errorf("%s: RFC %s links to %s", s.Slug, r.ID, r.URL)
				}
				if r.Kind == models.RefISO && !hasPrefix(r.URL, "https://www.iso.org/") {
					t.Errorf("%s: %s links to %s", s.Slug, r.ID, r.URL)
				}
			}
		}
	})
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }

func TestProfiles(t *testing.T) {
	t.Parallel()
	f, err := seed.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, s := range f.Standards {
		have[s.Slug] = true
	}
	ps, err := seed.Profiles()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"website-hosting", "email-service", "cloud-saas", "network-connectivity"}
	for _, slug := range want {
		t.Run("profile "+slug+" exists and names only catalogue standards", func(t *testing.T) {
			p, err := seed.FindProfile(slug)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, it := range p.Items {
				if !have[it.Standard] {
					t.Errorf("item %q is not in the catalogue", it.Standard)
				}
				if seen[it.Standard] {
					t.Errorf("item %q is listed twice", it.Standard)
				}
				seen[it.Standard] = true
			}
		})
	}
	if len(ps) < len(want) {
		t.Errorf("got %d profiles", len(ps))
	}
	t.Run("an unknown profile is not found", func(t *testing.T) {
		if _, err := seed.FindProfile("nope"); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("got %v", err)
		}
	})
}

type counts struct{ versions, standards, orgs, users, tenders, requirements int64 }

func count(t *testing.T, db *gorm.DB) counts {
	t.Helper()
	var c counts
	for _, x := range []struct {
		m any
		n *int64
	}{
		{&models.CatalogueVersion{}, &c.versions}, {&models.Standard{}, &c.standards}, {&models.Org{}, &c.orgs},
		{&models.User{}, &c.users}, {&models.Tender{}, &c.tenders}, {&models.Requirement{}, &c.requirements},
	} {
		if err := db.Model(x.m).Count(x.n).Error; err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func TestLoadCatalogueIsIdempotent(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		first, err := seed.LoadCatalogue(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		before := count(t, db)
		second, err := seed.LoadCatalogue(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if after := count(t, db); after != before {
			t.Errorf("loading twice changed the database: %+v -> %+v", before, after)
		}
		if first.ID != second.ID || !second.Current {
			t.Errorf("first %+v, second %+v", first, second)
		}
		f, _ := seed.Catalogue()
		if before.standards != int64(len(f.Standards)) {
			t.Errorf("stored %d standards, file has %d", before.standards, len(f.Standards))
		}
		std, err := models.FindStandardBySlug(ctx, db, "hsts")
		if err != nil {
			t.Fatal(err)
		}
		if len(std.Checks) != 1 || std.Checks[0] != "web.hsts" || len(std.References) == 0 || std.References[0].ID != "6797" {
			t.Errorf("hsts stored as %+v", std)
		}
	})
}

func TestDemo(t *testing.T) {
	t.Parallel()
	// demo ran seed.Demo once on an empty database; this is the second run.
	demo.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		before := count(t, db)
		if err := seed.Demo(ctx, db); err != nil {
			t.Fatal(err)
		}
		t.Run("running it twice changes nothing", func(t *testing.T) {
			if after := count(t, db); after != before {
				t.Errorf("%+v -> %+v", before, after)
			}
		})
		t.Run("every demo account logs in with the demo password", func(t *testing.T) {
			for _, a := range seed.DemoAccounts {
				u, err := models.Authenticate(ctx, db, a.Email, seed.DemoPassword)
				if err != nil {
					t.Errorf("%s: %v", a.Email, err)
					continue
				}
				if u.Role != a.Role {
					t.Errorf("%s has role %s, want %s", a.Email, u.Role, a.Role)
				}
			}
		})
		t.Run("the two vendors belong to different supplier orgs", func(t *testing.T) {
			v1, err1 := models.FindUserByEmail(ctx, db, "vendor@demo.test")
			v2, err2 := models.FindUserByEmail(ctx, db, "vendor2@demo.test")
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if v1.Org == nil || v2.Org == nil || v1.Org.ID == v2.Org.ID || v1.Org.Kind != models.OrgSupplier || v2.Org.Kind != models.OrgSupplier {
				t.Errorf("vendor orgs %+v and %+v", v1.Org, v2.Org)
			}
		})
		t.Run("the officer sees one draft and two published tenders with requirements", func(t *testing.T) {
			officer, err := models.FindUserByEmail(ctx, db, "officer@demo.test")
			if err != nil {
				t.Fatal(err)
			}
			ts, err := models.ListTenders(ctx, db, officer)
			if err != nil {
				t.Fatal(err)
			}
			status := map[string]int{}
			for _, tn := range ts {
				status[tn.Status]++
				if tn.RequirementCount < 3 {
					t.Errorf("tender %q has %d requirements", tn.Title, tn.RequirementCount)
				}
			}
			if status[models.StatusDraft] != 1 || status[models.StatusPublished] != 2 {
				t.Errorf("statuses %v", status)
			}
		})
	})
}

func TestEnsureAdmin(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		email, password, err := seed.EnsureAdmin(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if email != seed.FirstAdminEmail || len(password) < 20 {
			t.Fatalf("got %q / %q", email, password)
		}
		u, err := models.Authenticate(ctx, db, email, password)
		if err != nil || u.Role != models.RoleAdmin {
			t.Fatalf("admin cannot log in: %v", err)
		}
		t.Run("a database with users gets no second admin", func(t *testing.T) {
			email, password, err := seed.EnsureAdmin(ctx, db)
			if err != nil || email != "" || password != "" {
				t.Errorf("got %q %q %v", email, password, err)
			}
			if n, _ := models.CountUsers(ctx, db); n != 1 {
				t.Errorf("%d users", n)
			}
		})
	})
}

// A database that runs the shipped catalogue follows it: a newer embedded
// version becomes current when it is loaded. One whose admin imported a
// catalogue of their own keeps that one current.
func TestLoadCatalogueFollowsTheShippedVersionOnly(t *testing.T) {
	t.Parallel()
	f, err := seed.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, current string
		follow        bool
	}{
		{"the shipped 2026.1 gives way to the embedded version", "2026.1", true},
		{"a buyer's own catalogue stays current", "buyer-2026", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
				ctx := context.Background()
				head := f.Head()
				head.Version = tt.current
				if _, err := models.ImportCatalogueVersion(ctx, db, nil, head, f.ToModels()[:5], true, time.Now()); err != nil {
					t.Fatal(err)
				}
				loaded, err := seed.LoadCatalogue(ctx, db)
				if err != nil {
					t.Fatal(err)
				}
				cur, err := models.CurrentCatalogue(ctx, db)
				if err != nil {
					t.Fatal(err)
				}
				if got := cur.ID == loaded.ID; got != tt.follow || loaded.Version != f.Version {
					t.Errorf("current %s after loading %s, want the embedded one current: %v", cur.Version, loaded.Version, tt.follow)
				}
			})
		})
	}
}
