package models_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

func TestAPITokens(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		issue := func(u *models.User, at time.Time) string {
			t.Helper()
			tok, err := models.CreateAPIToken(ctx, db, u.ID, time.Hour, at)
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}
		older, newer := issue(w.vendor, now), issue(w.vendor, now.Add(time.Minute))
		issue(w.vendor, now.Add(-2*time.Hour)) // expired
		officers := issue(w.officer, now)

		t.Run("a user's list holds only their live tokens, newest first", func(t *testing.T) {
			list, err := models.ListAPITokens(ctx, db, w.vendor, now.Add(2*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 2 || list[0].Hash != models.HashToken(newer) || list[1].Hash != models.HashToken(older) {
				t.Fatalf("got %+v, want the two live tokens, newest first", list)
			}
		})

		t.Run("a use is recorded at most once a minute", func(t *testing.T) {
			lastUsed := func() *time.Time {
				var tok models.APIToken
				if err := db.Where("hash = ?", models.HashToken(older)).First(&tok).Error; err != nil {
					t.Fatal(err)
				}
				return tok.LastUsedAt
			}
			if lastUsed() != nil {
				t.Fatal("an unused token has a last use")
			}
			for _, at := range []time.Duration{0, 30 * time.Second, 90 * time.Second} {
				if _, err := models.FindAPITokenUser(ctx, db, older, now.Add(at)); err != nil {
					t.Fatal(err)
				}
			}
			if got := lastUsed(); got == nil || !got.Equal(now.Add(90*time.Second)) {
				t.Fatalf("last used %v, want %s", got, now.Add(90*time.Second))
			}
		})

		t.Run("a token of another user cannot be revoked, by an admin neither", func(t *testing.T) {
			id := tokenID(t, db, officers)
			for _, u := range []*models.User{w.vendor, w.admin} {
				if err := models.RevokeAPIToken(ctx, db, u, id); !errors.Is(err, models.ErrNotFound) {
					t.Fatalf("got %v, want ErrNotFound", err)
				}
			}
			if _, err := models.FindAPITokenUser(ctx, db, officers, now); err != nil {
				t.Fatalf("the officer's token stopped working: %v", err)
			}
		})

		t.Run("a revoked token stops working and cannot be revoked twice", func(t *testing.T) {
			id := tokenID(t, db, newer)
			if err := models.RevokeAPIToken(ctx, db, w.vendor, id); err != nil {
				t.Fatal(err)
			}
			if _, err := models.FindAPITokenUser(ctx, db, newer, now); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("got %v, want ErrNotFound", err)
			}
			if err := models.RevokeAPIToken(ctx, db, w.vendor, id); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("got %v, want ErrNotFound", err)
			}
		})

		t.Run("a disabled user's token and session are refused even if they survive", func(t *testing.T) {
			session, _, err := models.CreateSession(ctx, db, w.auditor.ID, time.Hour, now)
			if err != nil {
				t.Fatal(err)
			}
			token := issue(w.auditor, now)
			// Set directly, as a restore from backup or another tool might,
			// so only the check at lookup stands in the way.
			if err := db.Model(&models.User{}).Where("id = ?", w.auditor.ID).Update("disabled", true).Error; err != nil {
				t.Fatal(err)
			}
			if _, err := models.FindAPITokenUser(ctx, db, token, now); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("token: got %v, want ErrNotFound", err)
			}
			if _, err := models.FindSession(ctx, db, session, now); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("session: got %v, want ErrNotFound", err)
			}
		})
	})
}

func TestUpdateUserEndsSessionsAndTokens(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		yes, no := true, false
		password, name := "a brand new passphrase", "Renamed"
		for i, tc := range []struct {
			name   string
			change models.UserChanges
			ends   bool
		}{
			{"disabling the account ends its sessions and tokens", models.UserChanges{Disabled: &yes}, true},
			{"a password reset ends its sessions and tokens", models.UserChanges{Password: &password}, true},
			{"a new name keeps them", models.UserChanges{Name: &name}, false},
			{"enabling an enabled account keeps them", models.UserChanges{Disabled: &no}, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				u, err := models.CreateUser(ctx, db, nil, fmt.Sprintf("user%d@example.test", i), "User", "correct horse battery 1", models.RoleAuditor, nil, time.Now())
				if err != nil {
					t.Fatal(err)
				}
				session, _, err := models.CreateSession(ctx, db, u.ID, time.Hour, now)
				if err != nil {
					t.Fatal(err)
				}
				token, err := models.CreateAPIToken(ctx, db, u.ID, time.Hour, now)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := models.UpdateUser(ctx, db, nil, u.ID, tc.change, time.Now()); err != nil {
					t.Fatal(err)
				}
				// Counted in the tables, not through the lookups, which
				// would refuse a disabled user's rows anyway.
				var sessions, tokens int64
				db.Model(&models.Session{}).Where("id = ?", models.HashToken(session)).Count(&sessions)
				db.Model(&models.APIToken{}).Where("hash = ?", models.HashToken(token)).Count(&tokens)
				if kept := !tc.ends; (sessions == 1) != kept || (tokens == 1) != kept {
					t.Fatalf("%d sessions and %d tokens left, want them kept: %v", sessions, tokens, kept)
				}
			})
		}
	})
}

func tokenID(t *testing.T, db *gorm.DB, token string) uint {
	t.Helper()
	var tok models.APIToken
	if err := db.Where("hash = ?", models.HashToken(token)).First(&tok).Error; err != nil {
		t.Fatal(err)
	}
	return tok.ID
}
