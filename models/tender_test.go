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

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
	"tenderprobe/seed"
)

func TestCreateTender(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		deadline := time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC)
		t.Run("an officer's draft belongs to the officer's org and the current catalogue", func(t *testing.T) {
			tn, err := models.CreateTender(ctx, db, w.officer, models.TenderInput{
				Title: "  Web hosting ", Reference: "R-1", EstimatedValueCents: 12_345_678, Currency: "eur",
				Deadline: &deadline, ScopeTags: []string{"Web", " hosting", "web", ""},
			}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			got, err := models.FindTender(ctx, db, tn.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != models.StatusDraft || got.BuyerOrgID != w.buyer.ID || got.CatalogueVersionID != w.catalogue.ID ||
				got.Revision != 1 || got.SeriesID != got.ID || got.Title != "Web hosting" || got.Currency != "EUR" ||
				!reflect.DeepEqual(got.ScopeTags, []string{"web", "hosting"}) || got.Deadline == nil || !got.Deadline.Equal(deadline) {
				t.Errorf("stored %+v", got)
			}
			if got.EstimatedValue() != "EUR 123,456.78" {
				t.Errorf("value shown as %q", got.EstimatedValue())
			}
		})
		t.Run("an admin names the buyer org", func(t *testing.T) {
			tn, err := models.CreateTender(ctx, db, w.admin, models.TenderInput{Title: "By admin", BuyerOrgID: w.buyer2.ID}, time.Now())
			if err != nil || tn.BuyerOrgID != w.buyer2.ID {
				t.Errorf("got %+v, %v", tn, err)
			}
		})
		cases := []struct {
			name  string
			by    *models.User
			in    models.TenderInput
			err   error
			field string
		}{
			{"a vendor may not create tenders", w.vendor, models.TenderInput{Title: "x"}, models.ErrForbidden, ""},
			{"an auditor may not create tenders", w.auditor, models.TenderInput{Title: "x"}, models.ErrForbidden, ""},
			{"a title is required", w.officer, models.TenderInput{Title: "  "}, nil, "title"},
			{"a negative value is refused", w.officer, models.TenderInput{Title: "x", EstimatedValueCents: -1}, nil, "estimated_value"},
			{"a currency must be three letters", w.officer, models.TenderInput{Title: "x", Currency: "EURO"}, nil, "currency"},
			{"an admin must name a buyer org", w.admin, models.TenderInput{Title: "x"}, nil, "buyer_org_id"},
			{"an admin cannot file a tender for a supplier", w.admin, models.TenderInput{Title: "x", BuyerOrgID: w.supplier.ID}, nil, "buyer_org_id"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var before, after int64
				db.Model(&models.Tender{}).Count(&before)
				_, err := models.CreateTender(ctx, db, c.by, c.in, time.Now())
				if c.err != nil && !errors.Is(err, c.err) {
					t.Errorf("got %v, want %v", err, c.err)
				}
				if c.field != "" && fieldOf(err) != c.field {
					t.Errorf("got %v, want a validation error on %s", err, c.field)
				}
				db.Model(&models.Tender{}).Count(&after)
				if after != before {
					t.Errorf("tenders went from %d to %d", before, after)
				}
			})
		}
	})
}

func TestRequirements(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		tn := w.tender(t, "sheet", "https", "hsts", "tls", "dnssec")
		t.Run("requirements come back in sheet order with their standards", func(t *testing.T) {
			if got := sheet(t, db, tn.ID); !reflect.DeepEqual(got, []string{"https", "hsts", "tls", "dnssec"}) {
				t.Errorf("sheet %v", got)
			}
		})
		ids := func() []uint {
			got, _ := models.FindTender(ctx, db, tn.ID)
			out := make([]uint, len(got.Requirements))
			for i, r := range got.Requirements {
				out[i] = r.ID
			}
			return out
		}
		bad := []struct {
			name, slug, level string
			err               error
			field             string
		}{
			{"an unknown standard is refused", "no-such-standard", models.LevelMandatory, nil, "standard"},
			{"an unknown level is refused", "dmarc", "required", nil, "level"},
			{"a standard already on the sheet is a conflict", "hsts", models.LevelRecommended, models.ErrConflict, ""},
		}
		for _, c := range bad {
			t.Run(c.name, func(t *testing.T) {
				_, err := models.AddRequirement(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, models.RequirementInput{Standard: c.slug, Level: c.level}, time.Now())
				if c.err != nil && !errors.Is(err, c.err) {
					t.Errorf("got %v, want %v", err, c.err)
				}
				if c.field != "" && fieldOf(err) != c.field {
					t.Errorf("got %v, want a validation error on %s", err, c.field)
				}
				if got := sheet(t, db, tn.ID); len(got) != 4 {
					t.Errorf("sheet changed to %v", got)
				}
			})
		}
		t.Run("a custom clause replaces the catalogue clause", func(t *testing.T) {
			r, err := models.AddRequirement(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, models.RequirementInput{Standard: "dmarc", Level: models.LevelRecommended, CustomClause: "Use p=reject.", Note: "phase in"}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if r.ClauseIn("en") != "Use p=reject." || r.Position != 5 || r.Standard.Slug != "dmarc" {
				t.Errorf("got %+v", r)
			}
			r, err = models.UpdateRequirement(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, r.ID, models.RequirementInput{Level: models.LevelMandatory}, time.Now())
			if err != nil || r.Level != models.LevelMandatory || r.ClauseIn("en") != r.Standard.Clause || r.ClauseIn("en") == "" {
				t.Errorf("after update %+v, %v", r, err)
			}
		})
		t.Run("moving a requirement up and down keeps positions 1..n", func(t *testing.T) {
			all := ids()
			if err := models.MoveRequirement(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, all[2], -1, time.Now()); err != nil {
				t.Fatal(err)
			}
			if got := sheet(t, db, tn.ID); !reflect.DeepEqual(got, []string{"https", "tls", "hsts", "dnssec", "dmarc"}) {
				t.Errorf("after moving tls up: %v", got)
			}
			if err := models.MoveRequirement(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, all[0], 100, time.Now()); err != nil {
				t.Fatal(err)
			}
			if got := sheet(t, db, tn.ID); !reflect.DeepEqual(got, []string{"tls", "hsts", "dnssec", "dmarc", "https"}) {
				t.Errorf("after moving https past the end: %v", got)
			}
		})
		t.Run("reordering puts the sheet in the given order", func(t *testing.T) {
			all := ids()
			rev := []uint{all[4], all[3], all[2], all[1], all[0]}
			if err := models.ReorderRequirements(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, rev, time.Now()); err != nil {
				t.Fatal(err)
			}
			if got := sheet(t, db, tn.ID); !reflect.DeepEqual(got, []string{"https", "dmarc", "dnssec", "hsts", "tls"}) {
				t.Errorf("got %v", got)
			}
		})
		t.Run("a reorder that leaves out or repeats a requirement is refused", func(t *testing.T) {
			all := ids()
			for _, order := range [][]uint{all[:4], {all[0], all[0], all[1], all[2], all[3]}, append(all[:4:4], 99999)} {
				if err := models.ReorderRequirements(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, order, time.Now()); fieldOf(err) != "order" {
					t.Errorf("order %v: got %v", order, err)
				}
			}
			if got := sheet(t, db, tn.ID); !reflect.DeepEqual(got, []string{"https", "dmarc", "dnssec", "hsts", "tls"}) {
				t.Errorf("sheet changed to %v", got)
			}
		})
		t.Run("removing a requirement closes the gap", func(t *testing.T) {
			all := ids()
			if err := models.RemoveRequirement(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, all[1], time.Now()); err != nil {
				t.Fatal(err)
			}
			if got := sheet(t, db, tn.ID); !reflect.DeepEqual(got, []string{"https", "dnssec", "hsts", "tls"}) {
				t.Errorf("got %v", got)
			}
			if err := models.RemoveRequirement(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, all[1], time.Now()); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("removing twice: %v", err)
			}
		})
		t.Run("a requirement of another tender cannot be touched through this one", func(t *testing.T) {
			other := w.tender(t, "other", "spf")
			otherReq := ids()[0]
			if err := models.RemoveRequirement(ctx, db, dbtest.ManagerOf(db, other.ID), other.ID, otherReq, time.Now()); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("got %v", err)
			}
			if len(sheet(t, db, tn.ID)) != 4 {
				t.Error("the requirement was removed")
			}
		})
	})
}

func TestApplyProfile(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		p, err := seed.FindProfile("email-service")
		if err != nil {
			t.Fatal(err)
		}
		tn := w.tender(t, "mail", "dmarc")
		if _, err := models.UpdateRequirement(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, findReq(t, db, tn.ID, "dmarc").ID, models.RequirementInput{Level: models.LevelRecommended, CustomClause: "own clause"}, time.Now()); err != nil {
			t.Fatal(err)
		}
		added, err := models.ApplyProfile(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, p, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		t.Run("it adds every standard not yet on the sheet, after the existing ones", func(t *testing.T) {
			if len(added) != len(p.Items)-1 {
				t.Errorf("added %d, profile has %d items of which one was present", len(added), len(p.Items))
			}
			got := sheet(t, db, tn.ID)
			if len(got) != len(p.Items) || got[0] != "dmarc" {
				t.Errorf("sheet %v", got)
			}
		})
		t.Run("it keeps the level and clause of a requirement already present", func(t *testing.T) {
			r := findReq(t, db, tn.ID, "dmarc")
			if r.Level != models.LevelRecommended || r.CustomClause != "own clause" {
				t.Errorf("got %+v", r)
			}
		})
		t.Run("applying it again adds nothing", func(t *testing.T) {
			again, err := models.ApplyProfile(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, p, time.Now())
			if err != nil || len(again) != 0 {
				t.Errorf("added %d, %v", len(again), err)
			}
		})
		t.Run("a profile with a bad level is refused before anything changes", func(t *testing.T) {
			t2 := w.tender(t, "bad profile")
			_, err := models.ApplyProfile(ctx, db, dbtest.ManagerOf(db, t2.ID), t2.ID, models.Profile{Slug: "x", Items: []models.ProfileItem{{Standard: "spf", Level: "mandatory"}, {Standard: "dkim", Level: "must"}}}, time.Now())
			if fieldOf(err) != "items[1].level" {
				t.Errorf("got %v", err)
			}
			if got := sheet(t, db, t2.ID); len(got) != 0 {
				t.Errorf("sheet %v", got)
			}
		})
	})
}

func findReq(t *testing.T, db *gorm.DB, tenderID uint, slug string) models.Requirement {
	t.Helper()
	tn, err := models.FindTender(context.Background(), db, tenderID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range tn.Requirements {
		if r.Standard.Slug == slug {
			return r
		}
	}
	t.Fatalf("%s is not on tender %d", slug, tenderID)
	return models.Requirement{}
}

func TestPublishFreezesTheSheet(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		t.Run("an empty sheet cannot be published", func(t *testing.T) {
			empty := w.tender(t, "empty")
			if _, err := models.PublishTender(ctx, db, dbtest.ManagerOf(db, empty.ID), empty.ID, time.Now()); fieldOf(err) != "requirements" {
				t.Errorf("got %v", err)
			}
			got, _ := models.FindTender(ctx, db, empty.ID)
			if got.Status != models.StatusDraft || got.PublishedAt != nil {
				t.Errorf("tender became %s", got.Status)
			}
		})
		tn := w.tender(t, "frozen", "https", "hsts")
		pub, err := models.PublishTender(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if pub.Status != models.StatusPublished || pub.PublishedAt == nil || !pub.Locked() {
			t.Fatalf("published as %+v", pub)
		}
		reqID := pub.Requirements[0].ID
		p, _ := seed.FindProfile("website-hosting")
		changes := []struct {
			name string
			do   func() error
		}{
			{"adding a requirement", func() error {
				_, err := models.AddRequirement(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, models.RequirementInput{Standard: "dnssec", Level: models.LevelMandatory}, time.Now())
				return err
			}},
			{"changing a requirement", func() error {
				_, err := models.UpdateRequirement(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, reqID, models.RequirementInput{Level: models.LevelRecommended, CustomClause: "x"}, time.Now())
				return err
			}},
			{"removing a requirement", func() error {
				return models.RemoveRequirement(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, reqID, time.Now())
			}},
			{"moving a requirement", func() error {
				return models.MoveRequirement(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, reqID, 1, time.Now())
			}},
			{"reordering the sheet", func() error {
				return models.ReorderRequirements(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, []uint{pub.Requirements[1].ID, reqID}, time.Now())
			}},
			{"applying a profile", func() error {
				_, err := models.ApplyProfile(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, p, time.Now())
				return err
			}},
			{"editing the tender", func() error {
				_, err := models.UpdateTender(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, models.TenderInput{Title: "changed"}, time.Now())
				return err
			}},
			{"deleting the tender", func() error { return models.DeleteTender(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, time.Now()) }},
			{"publishing it again", func() error {
				_, err := models.PublishTender(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, time.Now())
				return err
			}},
		}
		for _, c := range changes {
			t.Run(c.name+" after publishing is refused as locked", func(t *testing.T) {
				if err := c.do(); !errors.Is(err, models.ErrLocked) {
					t.Errorf("got %v, want ErrLocked", err)
				}
				got, err := models.FindTender(ctx, db, tn.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Title != "frozen" || !reflect.DeepEqual(sheet(t, db, tn.ID), []string{"https", "hsts"}) ||
					got.Requirements[0].Level != models.LevelMandatory || !got.PublishedAt.Equal(*pub.PublishedAt) {
					t.Errorf("tender changed: %+v", got)
				}
			})
		}
		t.Run("an unknown tender is not found", func(t *testing.T) {
			if _, err := models.AddRequirement(ctx, db, dbtest.ManagerOf(db, 99999), 99999, models.RequirementInput{Standard: "https", Level: models.LevelMandatory}, time.Now()); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("got %v", err)
			}
		})
	})
}

func TestAmendTender(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		t.Run("a draft cannot be amended", func(t *testing.T) {
			d := w.tender(t, "draft", "https")
			if _, err := models.AmendTender(ctx, db, w.officer, d.ID, time.Now()); !errors.Is(err, models.ErrConflict) {
				t.Errorf("got %v", err)
			}
		})
		v1 := w.tender(t, "amended", "https", "hsts")
		if _, err := models.PublishTender(ctx, db, dbtest.ManagerOf(db, v1.ID), v1.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		v2, err := models.AmendTender(ctx, db, w.officer, v1.ID, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		t.Run("the amendment is a draft copy that supersedes revision 1", func(t *testing.T) {
			if v2.Status != models.StatusDraft || v2.Revision != 2 || v2.SupersedesID == nil || *v2.SupersedesID != v1.ID ||
				v2.SeriesID != v1.ID || v2.CatalogueVersionID != v1.CatalogueVersionID || v2.Title != "amended" {
				t.Errorf("got %+v", v2)
			}
			if got := sheet(t, db, v2.ID); !reflect.DeepEqual(got, []string{"https", "hsts"}) {
				t.Errorf("copied sheet %v", got)
			}
		})
		t.Run("an officer of another org or an auditor may not amend it", func(t *testing.T) {
			for _, u := range []*models.User{w.officer2, w.auditor, w.vendor} {
				if _, err := models.AmendTender(ctx, db, u, v1.ID, time.Now()); !errors.Is(err, models.ErrForbidden) {
					t.Errorf("%s: got %v", u.Email, err)
				}
			}
		})
		t.Run("a second amendment of the same revision is a conflict", func(t *testing.T) {
			if _, err := models.AmendTender(ctx, db, w.officer, v1.ID, time.Now()); !errors.Is(err, models.ErrConflict) {
				t.Errorf("got %v", err)
			}
		})
		if _, err := models.AddRequirement(ctx, db, dbtest.ManagerOf(db, v2.ID), v2.ID, models.RequirementInput{Standard: "dnssec", Level: models.LevelMandatory}, time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := models.RemoveRequirement(ctx, db, dbtest.ManagerOf(db, v2.ID), v2.ID, findReq(t, db, v2.ID, "https").ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		t.Run("editing the amendment leaves the published revision as it was", func(t *testing.T) {
			if got := sheet(t, db, v1.ID); !reflect.DeepEqual(got, []string{"https", "hsts"}) {
				t.Errorf("revision 1 sheet %v", got)
			}
			if got := sheet(t, db, v2.ID); !reflect.DeepEqual(got, []string{"hsts", "dnssec"}) {
				t.Errorf("revision 2 sheet %v", got)
			}
		})
		t.Run("both revisions are listed until the amendment is published", func(t *testing.T) {
			list, err := models.ListTenders(ctx, db, w.officer)
			if err != nil {
				t.Fatal(err)
			}
			if !containsTender(list, v1.ID) || !containsTender(list, v2.ID) {
				t.Errorf("list %v", titles(list))
			}
		})
		if _, err := models.PublishTender(ctx, db, dbtest.ManagerOf(db, v2.ID), v2.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		t.Run("publishing the amendment supersedes revision 1, which stays readable and locked", func(t *testing.T) {
			old, err := models.FindTender(ctx, db, v1.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !old.Superseded() || old.Status != models.StatusPublished || len(old.Requirements) != 2 {
				t.Errorf("revision 1 now %+v", old)
			}
			if _, err := models.AddRequirement(ctx, db, dbtest.ManagerOf(db, v1.ID), v1.ID, models.RequirementInput{Standard: "spf", Level: models.LevelMandatory}, time.Now()); !errors.Is(err, models.ErrLocked) {
				t.Errorf("revision 1 accepted a change: %v", err)
			}
			list, _ := models.ListTenders(ctx, db, w.officer)
			if containsTender(list, v1.ID) || !containsTender(list, v2.ID) {
				t.Errorf("list %v", titles(list))
			}
			revs, err := models.ListRevisions(ctx, db, v2.ID)
			if err != nil || len(revs) != 2 || revs[0].ID != v1.ID || revs[1].ID != v2.ID {
				t.Errorf("revisions %+v, %v", revs, err)
			}
		})
		t.Run("revision 2 can be amended in turn", func(t *testing.T) {
			v3, err := models.AmendTender(ctx, db, w.officer, v2.ID, time.Now())
			if err != nil || v3.Revision != 3 || v3.SeriesID != v1.ID {
				t.Errorf("got %+v, %v", v3, err)
			}
		})
	})
}

func containsTender(list []models.Tender, id uint) bool {
	for _, t := range list {
		if t.ID == id {
			return true
		}
	}
	return false
}

func titles(list []models.Tender) []string {
	out := make([]string, len(list))
	for i, t := range list {
		out[i] = t.Title
	}
	return out
}

func TestTenderVisibility(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		mine := w.tender(t, "mine", "https")
		theirs, err := models.CreateTender(ctx, db, w.officer2, models.TenderInput{Title: "theirs"}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		disabledUser := *w.officer
		disabledUser.Disabled = true
		cases := []struct {
			name   string
			viewer *models.User
			want   []uint
		}{
			{"an admin sees every tender", w.admin, []uint{theirs.ID, mine.ID}},
			{"an auditor sees every tender", w.auditor, []uint{theirs.ID, mine.ID}},
			{"an officer sees only the own org's tenders", w.officer, []uint{mine.ID}},
			{"an officer of another org sees only that org's tenders", w.officer2, []uint{theirs.ID}},
			{"a vendor without invitations sees no tender", w.vendor, nil},
			{"a disabled account sees nothing", &disabledUser, nil},
			{"nobody sees nothing", nil, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				list, err := models.ListTenders(ctx, db, c.viewer)
				if err != nil {
					t.Fatal(err)
				}
				var got []uint
				for _, tn := range list {
					got = append(got, tn.ID)
				}
				if !reflect.DeepEqual(got, c.want) {
					t.Errorf("got %v, want %v", got, c.want)
				}
				for _, id := range []uint{mine.ID, theirs.ID} {
					visible := false
					for _, v := range c.want {
						visible = visible || v == id
					}
					_, err := models.FindTenderFor(ctx, db, c.viewer, id)
					if visible && err != nil {
						t.Errorf("tender %d: %v", id, err)
					}
					if !visible && !errors.Is(err, models.ErrNotFound) {
						t.Errorf("tender %d should be hidden, got %v", id, err)
					}
					can, err := models.CanSeeTender(ctx, db, c.viewer, id)
					if err != nil || can != visible {
						t.Errorf("CanSeeTender(%d) = %v, %v", id, can, err)
					}
				}
			})
		}
		t.Run("the list counts each sheet's requirements", func(t *testing.T) {
			list, _ := models.ListTenders(ctx, db, w.admin)
			for _, tn := range list {
				want := map[uint]int64{mine.ID: 1, theirs.ID: 0}[tn.ID]
				if tn.RequirementCount != want || tn.BuyerOrg == nil {
					t.Errorf("%s: %d requirements, org %v", tn.Title, tn.RequirementCount, tn.BuyerOrg)
				}
			}
		})
		t.Run("only the owning officer or an admin may edit", func(t *testing.T) {
			if mine.EditableBy(w.officer) != nil || mine.EditableBy(w.officer2) == nil || mine.EditableBy(w.admin) != nil ||
				mine.EditableBy(w.auditor) == nil || mine.EditableBy(w.vendor) == nil {
				t.Error("edit rights are wrong")
			}
		})
	})
}

func TestConcurrentAddsGetDistinctPositions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		tn := w.tender(t, "busy")
		slugs := []string{"https", "hsts", "tls", "dnssec", "ipv6", "spf", "dkim", "dmarc"}
		var wg sync.WaitGroup
		errs := make(chan error, len(slugs))
		for _, s := range slugs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := models.AddRequirement(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, models.RequirementInput{Standard: s, Level: models.LevelMandatory}, time.Now())
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
		// sheet fails the test unless positions are exactly 1..8.
		if got := sheet(t, db, tn.ID); len(got) != len(slugs) {
			t.Errorf("sheet %v", got)
		}
	})
}

func TestFailedWritesRollBack(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		tn := w.tender(t, "published", "https", "hsts")
		if _, err := models.PublishTender(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		draft := w.tender(t, "draft", "https")
		// Make every insert into requirements and standards fail, after the
		// other rows of the same transaction were written.
		injected := errors.New("injected failure")
		err := db.Callback().Create().Before("gorm:create").Register("test:fail_requirements", func(tx *gorm.DB) {
			if tx.Statement.Table == "requirements" || tx.Statement.Table == "standards" {
				_ = tx.AddError(injected)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		var tenders, reqs int64
		db.Model(&models.Tender{}).Count(&tenders)
		db.Model(&models.Requirement{}).Count(&reqs)
		p, _ := seed.FindProfile("website-hosting")
		cases := []struct {
			name string
			do   func() error
		}{
			{"an amendment whose sheet cannot be copied leaves no new revision", func() error {
				_, err := models.AmendTender(ctx, db, w.officer, tn.ID, time.Now())
				return err
			}},
			{"a profile that cannot be stored adds nothing", func() error {
				_, err := models.ApplyProfile(ctx, db, dbtest.ManagerOf(db, draft.ID), draft.ID, p, time.Now())
				return err
			}},
			{"a catalogue whose standards cannot be stored leaves no version", func() error {
				std := models.Standard{Slug: "std", Name: "d", Domain: models.DomainWeb, Summary: "s", WhyDemand: "w", Clause: "c"}
				_, err := models.ImportCatalogue(ctx, db, nil, "broken", "Broken", []models.Standard{std}, true, time.Now())
				return err
			}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if err := c.do(); err == nil {
					t.Fatal("the write succeeded")
				}
				var nt, nr, nv int64
				db.Model(&models.Tender{}).Count(&nt)
				db.Model(&models.Requirement{}).Count(&nr)
				db.Model(&models.CatalogueVersion{}).Count(&nv)
				if nt != tenders || nr != reqs || nv != 1 {
					t.Errorf("tenders %d->%d, requirements %d->%d, catalogue versions %d", tenders, nt, reqs, nr, nv)
				}
				cur, err := models.CurrentCatalogue(ctx, db)
				if err != nil || cur.ID != w.catalogue.ID {
					t.Errorf("current catalogue %+v, %v", cur, err)
				}
			})
		}
	})
}

func TestSetTenderStatus(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		tn := w.tender(t, "lifecycle", "https")
		steps := []struct {
			name, to string
			ok       bool
		}{
			{"a draft cannot be closed", models.StatusClosed, false},
			{"publish is not a plain status change", models.StatusPublished, false},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				_, err := models.SetTenderStatus(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, s.to, time.Now())
				if s.ok != (err == nil) {
					t.Errorf("got %v", err)
				}
			})
		}
		if _, err := models.PublishTender(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		for _, s := range []struct {
			name, to string
			ok       bool
		}{
			{"a published tender can be closed", models.StatusClosed, true},
			{"a closed tender cannot go back to draft", models.StatusDraft, false},
			{"a closed tender can be awarded", models.StatusAwarded, true},
			{"an awarded tender becomes an active contract", models.StatusActive, true},
			{"an unknown status is refused", "archived", false},
		} {
			t.Run(s.name, func(t *testing.T) {
				got, err := models.SetTenderStatus(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, s.to, time.Now())
				if s.ok && (err != nil || got.Status != s.to) {
					t.Errorf("got %+v, %v", got, err)
				}
				if !s.ok && err == nil {
					t.Error("the change was allowed")
				}
			})
		}
	})
}

func TestATenderIsNotPublishedAfterItsDeadline(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		now := attNow
		cases := []struct {
			name     string
			deadline *time.Time
			refused  bool
		}{
			{"a deadline years ago is refused", ptr(time.Date(2020, 5, 1, 21, 59, 0, 0, time.UTC)), true},
			{"a deadline a minute ago is refused", ptr(now.Add(-time.Minute)), true},
			{"a deadline in a week is published", ptr(now.AddDate(0, 0, 7)), false},
			{"a tender without a deadline is published", nil, false},
		}
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				tn := w.tender(t, fmt.Sprintf("deadline %d", i), "https")
				// A draft keeps a deadline that has passed: only publishing
				// it is refused.
				if _, err := models.UpdateTender(ctx, db, w.officer, tn.ID, models.TenderInput{Title: tn.Title, Deadline: c.deadline}, now); err != nil {
					t.Fatalf("saving the draft: %v", err)
				}
				_, err := models.PublishTender(ctx, db, w.officer, tn.ID, now)
				got, ferr := models.FindTender(ctx, db, tn.ID)
				if ferr != nil {
					t.Fatal(ferr)
				}
				switch {
				case c.refused && (fieldOf(err) != "deadline" || got.Status != models.StatusDraft || got.PublishedAt != nil):
					t.Errorf("publishing gave %v and status %s, want a refusal on the deadline and a draft", err, got.Status)
				case !c.refused && (err != nil || got.Status != models.StatusPublished):
					t.Errorf("publishing gave %v and status %s, want it published", err, got.Status)
				}
			})
		}
	})
}
