package models_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// TestEveryWriteRaisesTheChangeStamps: whatever way a row changes, through
// GORM, raw SQL, a foreign key's cascade or another connection pool, the
// stamps of its table rise when it commits and not before; a rolled-back
// write and writes to the tables a page read itself writes leave the page
// stamp as it was.
func TestEveryWriteRaisesTheChangeStamps(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		page := func() int64 {
			t.Helper()
			n, err := models.PageStamp(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		table := func(name string) int64 {
			t.Helper()
			m, err := models.ChangeStamps(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			return m[name]
		}
		rises := func(name, what string, write func() error) {
			t.Helper()
			p, n := page(), table(name)
			if err := write(); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if got := table(name); got <= n {
				t.Errorf("%s: the stamp of %s stayed %d", what, name, got)
			}
			if got := page(); got <= p {
				t.Errorf("%s: the page stamp stayed %d", what, got)
			}
		}
		var org *models.Org
		rises("orgs", "a GORM create", func() (err error) {
			org, err = models.CreateOrg(ctx, db, nil, "Stamped Ltd", models.OrgSupplier, now)
			return err
		})
		rises("orgs", "a GORM update", func() error {
			return db.Model(&models.Org{}).Where("id = ?", org.ID).Update("name", "Stamped Two Ltd").Error
		})
		rises("orgs", "a raw UPDATE", func() error {
			return db.Exec("UPDATE orgs SET name = ? WHERE id = ?", "Stamped Three Ltd", org.ID).Error
		})
		rises("orgs", "a write in a transaction of several tables", func() error {
			return db.Transaction(func(tx *gorm.DB) error {
				if err := tx.Exec("UPDATE orgs SET name = ? WHERE id = ?", "Stamped Four Ltd", org.ID).Error; err != nil {
					return err
				}
				return tx.Exec("UPDATE orgs SET name = ? WHERE id = ?", "Stamped Five Ltd", org.ID).Error
			})
		})
		t.Run("a write seen by another connection pool", func(t *testing.T) {
			other, err := models.Open(dbtest.DSN(t, db))
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = models.Close(other) }()
			rises("orgs", "a raw UPDATE through another pool", func() error {
				return other.Exec("UPDATE orgs SET name = ? WHERE id = ?", "Stamped Elsewhere", org.ID).Error
			})
		})
		t.Run("a rolled-back write leaves the stamp", func(t *testing.T) {
			p := page()
			_ = db.Transaction(func(tx *gorm.DB) error {
				if err := tx.Exec("UPDATE orgs SET name = ? WHERE id = ?", "Never", org.ID).Error; err != nil {
					t.Fatal(err)
				}
				return gorm.ErrInvalidData
			})
			if got := page(); got != p {
				t.Errorf("the page stamp went from %d to %d", p, got)
			}
		})
		var user *models.User
		rises("users", "creating a user", func() (err error) {
			user, err = models.CreateUser(ctx, db, nil, "stamped@example.test", "Stamped", "a long stamped password", models.RoleVendor, &org.ID, now)
			return err
		})
		t.Run("a session leaves the page stamp", func(t *testing.T) {
			p, s := page(), table("sessions")
			if _, _, err := models.CreateSession(ctx, db, user.ID, time.Hour, now); err != nil {
				t.Fatal(err)
			}
			if got := table("sessions"); got <= s {
				t.Errorf("the stamp of sessions stayed %d", got)
			}
			if got := page(); got != p {
				t.Errorf("the page stamp went from %d to %d", p, got)
			}
		})
		if _, err := models.CreateAPIToken(ctx, db, user.ID, time.Hour, now); err != nil {
			t.Fatal(err)
		}
		t.Run("a foreign key's cascade stamps the child table", func(t *testing.T) {
			n := table("api_tokens")
			if err := db.Exec("DELETE FROM sessions WHERE user_id = ?", user.ID).Error; err != nil {
				t.Fatal(err)
			}
			if err := db.Exec("DELETE FROM users WHERE id = ?", user.ID).Error; err != nil {
				t.Fatal(err)
			}
			var left int64
			if err := db.Raw("SELECT COUNT(*) FROM api_tokens WHERE user_id = ?", user.ID).Scan(&left).Error; err != nil || left != 0 {
				t.Fatalf("the cascade left %d tokens: %v", left, err)
			}
			if got := table("api_tokens"); got <= n {
				t.Errorf("the stamp of api_tokens stayed %d", got)
			}
		})
		t.Run("compacting leaves every stamp as it is", func(t *testing.T) {
			before, err := models.ChangeStamps(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			if err := models.CompactChangeStamps(ctx, db); err != nil {
				t.Fatal(err)
			}
			after, err := models.ChangeStamps(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range before {
				if after[k] != v {
					t.Errorf("%s: %d before compacting, %d after", k, v, after[k])
				}
			}
			var rows int64
			if err := db.Raw("SELECT COUNT(*) FROM change_stamps WHERE tx <> 0").Scan(&rows).Error; err != nil || rows != 0 {
				t.Errorf("%d per-transaction rows left: %v", rows, err)
			}
			rises("orgs", "a write after compacting", func() error {
				return db.Exec("UPDATE orgs SET name = ? WHERE id = ?", "Stamped Again", org.ID).Error
			})
		})
		t.Run("migrating again gives back a trigger dropped by hand", func(t *testing.T) {
			drop := "DROP TRIGGER tp_change_stamp ON orgs"
			if db.Name() == "sqlite" {
				drop = "DROP TRIGGER tp_change_stamp_update_orgs"
			}
			if err := db.Exec(drop).Error; err != nil {
				t.Fatal(err)
			}
			n := table("orgs")
			if err := db.Exec("UPDATE orgs SET name = ? WHERE id = ?", "Unstamped", org.ID).Error; err != nil {
				t.Fatal(err)
			}
			if got := table("orgs"); got != n {
				t.Fatalf("without its trigger the stamp still rose, from %d to %d: this test cannot tell", n, got)
			}
			if err := models.Migrate(ctx, db); err != nil {
				t.Fatal(err)
			}
			rises("orgs", "a raw UPDATE after migrating", func() error {
				return db.Exec("UPDATE orgs SET name = ? WHERE id = ?", "Stamped Once More", org.ID).Error
			})
		})
	})
}
