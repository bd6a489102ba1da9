package models_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// feedOn starts a change feed on db that only notifications move: it
// reads the stamp once an hour and trusts a read for an hour, so what the
// test sees in time is the work of NOTIFY.
func feedOn(t *testing.T, db *gorm.DB) *models.ChangeFeed {
	t.Helper()
	f, err := models.StartChangeFeedWith(db, time.Hour, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Stop)
	waitFor(t, "the feed's first stamp", func() bool { _, _, ok := f.Current(); return ok && f.Listening() })
	return f
}

// settle waits until the feed knows the stamp and no announcement has
// arrived for a tenth of a second: the set-up's own commits are heard.
func settle(t *testing.T, f *models.ChangeFeed) {
	t.Helper()
	waitFor(t, "the feed settled", func() bool {
		e := f.Epoch()
		time.Sleep(100 * time.Millisecond)
		_, now, ok := f.Current()
		return ok && now == e && f.Epoch() == e
	})
}

// waitFor polls cond for up to two seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("after 2 s, still not: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// officerOn makes a buyer's officer, officer@example.test.
func officerOn(t *testing.T, db *gorm.DB) *models.User {
	t.Helper()
	ctx, now := context.Background(), time.Now()
	org := mustOrg(t)(models.CreateOrg(ctx, db, nil, "Buyer", models.OrgBuyer, now))
	return mustUser(t)(models.CreateUser(ctx, db, nil, "officer@example.test", "Officer", "correct horse battery 1", models.RoleOfficer, &org.ID, now))
}

// otherProcess opens db's database a second time, as another serve
// process would.
func otherProcess(t *testing.T, db *gorm.DB) *gorm.DB {
	t.Helper()
	other, err := models.Open(dbtest.DSN(t, db))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = models.Close(other) })
	return other
}

// TestTheChangeFeedHearsEveryCommitThatChangesAPage: on PostgreSQL, a
// commit by another process to a table a page shows, a session's end and
// any other change to a session reach the feed by notification; a
// session's time of last use, a rolled-back write and a write to a table
// no page shows do not.
func TestTheChangeFeedHearsEveryCommitThatChangesAPage(t *testing.T) {
	t.Parallel()
	db := dbtest.OpenPostgres(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	f := feedOn(t, db)
	other := otherProcess(t, db)
	user := officerOn(t, other)
	token, s, err := models.CreateSession(ctx, other, user.ID, time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	settle(t, f)

	cases := []struct {
		name     string
		write    func(tx *gorm.DB) error
		announce bool
	}{
		{"an organisation renamed", func(tx *gorm.DB) error {
			return tx.Exec("UPDATE orgs SET name = name || '.' WHERE id = ?", *user.OrgID).Error
		}, true},
		{"a session's last use", func(tx *gorm.DB) error {
			return tx.Model(&models.Session{}).Where("id = ?", s.ID).Update("last_seen_at", now).Error
		}, false},
		{"a login attempt", func(tx *gorm.DB) error {
			return tx.Exec("DELETE FROM login_attempts").Error
		}, false},
		{"a rolled-back rename", func(tx *gorm.DB) error {
			err := tx.Transaction(func(tx *gorm.DB) error {
				if err := tx.Exec("UPDATE users SET name = 'x' WHERE id = ?", user.ID).Error; err != nil {
					return err
				}
				return errors.New("roll back")
			})
			if err == nil || !strings.Contains(err.Error(), "roll back") {
				return err
			}
			return nil
		}, false},
		{"a session's expiry moved", func(tx *gorm.DB) error {
			return tx.Model(&models.Session{}).Where("id = ?", s.ID).Update("expires_at", now.Add(2*time.Hour)).Error
		}, true},
		{"a session ended", func(tx *gorm.DB) error {
			return models.DeleteSession(ctx, tx, token)
		}, true},
	}
	for _, c := range cases {
		stamp, epoch, _ := f.Current()
		if err := c.write(other); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if c.announce {
			waitFor(t, c.name+" announced", func() bool { return f.Epoch() != epoch })
			waitFor(t, c.name+": the stamp read again", func() bool { _, e, ok := f.Current(); return ok && e != epoch })
			if c.name == "an organisation renamed" {
				if now, _, _ := f.Current(); now <= stamp {
					t.Errorf("%s: the stamp stayed at %d", c.name, now)
				}
			}
			continue
		}
		// The notification of a commit arrives within milliseconds; a
		// quarter second without one means none was sent.
		time.Sleep(250 * time.Millisecond)
		if got, e, ok := f.Current(); !ok || e != epoch || got != stamp {
			t.Errorf("%s: the feed moved from %d (epoch %d) to %d (epoch %d, known %v)", c.name, stamp, epoch, got, e, ok)
		}
	}
}

// TestACachedSessionEndsInEveryProcess: a feed answers a known session
// without a query, and forgets it as soon as another process ends it,
// disables its user or changes its role; until then, at most one query.
func TestACachedSessionEndsInEveryProcess(t *testing.T) {
	t.Parallel()
	db := dbtest.OpenPostgres(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var queries atomic.Int64
	count := func(*gorm.DB) { queries.Add(1) }
	if err := db.Callback().Query().Before("gorm:query").Register("test:count", count); err != nil {
		t.Fatal(err)
	}
	if err := db.Callback().Row().Before("gorm:row").Register("test:count", count); err != nil {
		t.Fatal(err)
	}
	f := feedOn(t, db)
	other := otherProcess(t, db)
	officerOn(t, other)
	for _, c := range []struct {
		name string
		end  func(token string, user *models.User) error
		gone bool
	}{
		{"logged out", func(token string, _ *models.User) error { return models.DeleteSession(ctx, other, token) }, true},
		{"user disabled", func(_ string, u *models.User) error {
			return other.Exec("UPDATE users SET disabled = ? WHERE id = ?", true, u.ID).Error
		}, true},
		{"role changed", func(_ string, u *models.User) error {
			return other.Exec("UPDATE users SET role = 'auditor' WHERE id = ?", u.ID).Error
		}, false},
	} {
		u, err := models.FindUserByEmail(ctx, other, "officer@example.test")
		if err != nil {
			t.Fatal(err)
		}
		if err := other.Exec("UPDATE users SET disabled = ?, role = 'officer' WHERE id = ?", false, u.ID).Error; err != nil {
			t.Fatal(err)
		}
		token, _, err := models.CreateSession(ctx, other, u.ID, time.Hour, now)
		if err != nil {
			t.Fatal(err)
		}
		settle(t, f)
		if _, cached, err := f.FindSession(ctx, token, now); err != nil || cached {
			t.Fatalf("%s: the first lookup: cached %v, %v", c.name, cached, err)
		}
		before := queries.Load()
		for range 5 {
			s, cached, err := f.FindSession(ctx, token, now)
			if err != nil || !cached {
				t.Fatalf("%s: a lookup of a known session: cached %v, %v", c.name, cached, err)
			}
			s.User.Name = "changed by a caller" // the cache keeps its own copy
		}
		if n := queries.Load() - before; n != 0 {
			t.Errorf("%s: five lookups of a known session ran %d queries", c.name, n)
		}
		if s, _, err := f.FindSession(ctx, token, now); err != nil || s.User.Name != u.Name {
			t.Errorf("%s: a caller's change reached the cache: %v, %v", c.name, s, err)
		}
		if err := c.end(token, u); err != nil {
			t.Fatal(err)
		}
		waitFor(t, c.name+" seen by the feed", func() bool {
			s, _, err := f.FindSession(ctx, token, now)
			if c.gone {
				return errors.Is(err, models.ErrNotFound)
			}
			return err == nil && s.User.Role == "auditor"
		})
	}
}

// TestTheChangeFeedTrustsAReadForAWhileOnly: a stamp is not reported once
// its read is older than the feed trusts, whether or not anything was
// announced, and a feed whose listening connection is killed listens
// again and reads the stamp anew.
func TestTheChangeFeedTrustsAReadForAWhileOnly(t *testing.T) {
	t.Parallel()
	db := dbtest.OpenPostgres(t)
	f, err := models.StartChangeFeedWith(db, time.Hour, 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Stop)
	waitFor(t, "the first stamp", func() bool { _, _, ok := f.Current(); return ok && f.Listening() })
	waitFor(t, "the stamp too old to trust", func() bool { _, _, ok := f.Current(); return !ok })

	g := feedOn(t, db)
	_, epoch, _ := g.Current()
	if err := db.Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND datname = current_database()").Error; err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the listener down", func() bool { return !g.Listening() })
	waitFor(t, "the listener back, with a new read", func() bool {
		_, e, ok := g.Current()
		return g.Listening() && ok && e != epoch
	})
	// And it hears commits again.
	_, epoch, _ = g.Current()
	if err := otherProcess(t, db).Exec("UPDATE orgs SET name = name || '.'").Error; err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a commit after the reconnection", func() bool { return g.Epoch() != epoch })
}

// TestTheTriggerFunctionSkipsTheUnstampedTables: migration 0024 lists
// UnstampedTables in its SQL; a table added to that list needs a new
// migration that says so.
func TestTheTriggerFunctionSkipsTheUnstampedTables(t *testing.T) {
	want := "NOT IN ('" + strings.Join(models.UnstampedTables, "', '") + "')"
	if !strings.Contains(models.ChangeStampFunction, want) {
		t.Errorf("the trigger function does not skip exactly UnstampedTables (%s): add a migration that replaces it\n%s", want, models.ChangeStampFunction)
	}
}

// TestTrackWritesMarksWritesThatCanChangeAPage: a request's context is
// marked by any create, update, delete or raw statement through GORM,
// except a create or update of a table no page shows (a session's time of
// last use, written on reading a page); a delete always counts, as ending
// a session must reach the process's own cached sessions. Reads and
// failed statements leave it unmarked.
func TestTrackWritesMarksWritesThatCanChangeAPage(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	u := officerOn(t, db)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	token, s, err := models.CreateSession(context.Background(), db, u.ID, time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		run   func(ctx context.Context) error
		wrote bool
	}{
		{"a read", func(ctx context.Context) error { _, err := models.FindUserByEmail(ctx, db, u.Email); return err }, false},
		{"a session's last use", func(ctx context.Context) error {
			return db.WithContext(ctx).Model(&models.Session{}).Where("id = ?", s.ID).Update("last_seen_at", now).Error
		}, false},
		{"a user renamed", func(ctx context.Context) error {
			return db.WithContext(ctx).Model(&models.User{}).Where("id = ?", u.ID).Update("name", "Renamed").Error
		}, true},
		{"an organisation made", func(ctx context.Context) error {
			_, err := models.CreateOrg(ctx, db, nil, "Another buyer", models.OrgBuyer, now)
			return err
		}, true},
		{"a raw statement", func(ctx context.Context) error {
			return db.WithContext(ctx).Exec("UPDATE orgs SET name = name WHERE 1 = 0").Error
		}, true},
		{"a failed update", func(ctx context.Context) error {
			db.WithContext(ctx).Exec("UPDATE no_such_table SET x = 1")
			return nil
		}, false},
		{"a logout", func(ctx context.Context) error { return models.DeleteSession(ctx, db, token) }, true},
	} {
		ctx, wrote := models.TrackWrites(context.Background())
		if err := c.run(ctx); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if wrote() != c.wrote {
			t.Errorf("%s: marked as a write: %v, want %v", c.name, wrote(), c.wrote)
		}
	}
}
