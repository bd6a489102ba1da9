package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

func TestSharedLinks(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		create := func(by *models.User, in models.SharedLinkInput) (*models.SharedLink, string, error) {
			t.Helper()
			if in.Kind == "" {
				in.Kind = "annual"
			}
			if in.Year == 0 {
				in.Year = 2026
			}
			return models.CreateSharedLink(ctx, db, by, in, now)
		}
		mine, token, err := create(w.officer, models.SharedLinkInput{Label: "  For   the council "})
		if err != nil {
			t.Fatal(err)
		}

		t.Run("the scope is the creator's: an officer's organisation, every buyer for auditors and admins", func(t *testing.T) {
			if mine.OrgID == nil || *mine.OrgID != w.buyer.ID || mine.Label != "For the council" {
				t.Errorf("officer's link: org %v, label %q", mine.OrgID, mine.Label)
			}
			for _, u := range []*models.User{w.auditor, w.admin} {
				l, _, err := create(u, models.SharedLinkInput{Label: "all"})
				if err != nil || l.OrgID != nil {
					t.Errorf("%s's link: org %v, err %v", u.Role, l, err)
				}
			}
			if _, _, err := create(w.vendor, models.SharedLinkInput{Label: "vendor"}); !errors.Is(err, models.ErrForbidden) {
				t.Errorf("a vendor's link: %v, want ErrForbidden", err)
			}
		})

		t.Run("bad input is refused by field", func(t *testing.T) {
			past := now.Add(-time.Second)
			for field, in := range map[string]models.SharedLinkInput{
				"label":      {Label: " "},
				"year":       {Label: "x", Year: 20260},
				"expires_on": {Label: "x", ExpiresAt: &past},
			} {
				var ve *models.ValidationError
				if _, _, err := create(w.officer, in); !errors.As(err, &ve) || ve.Field != field {
					t.Errorf("%s: %v", field, err)
				}
			}
		})

		t.Run("opening records the time at most once a minute", func(t *testing.T) {
			for _, tc := range []struct {
				at, want time.Time
			}{
				{now, now},
				{now.Add(30 * time.Second), now},
				{now.Add(time.Minute), now.Add(time.Minute)},
			} {
				l, err := models.OpenSharedLink(ctx, db, token, tc.at)
				if err != nil {
					t.Fatal(err)
				}
				var stored models.SharedLink
				if err := db.First(&stored, l.ID).Error; err != nil {
					t.Fatal(err)
				}
				if stored.LastOpenedAt == nil || !stored.LastOpenedAt.Equal(tc.want) {
					t.Errorf("opened at %v: last opened %v, want %v", tc.at, stored.LastOpenedAt, tc.want)
				}
			}
		})

		t.Run("another buyer's officer neither lists nor revokes the link", func(t *testing.T) {
			list, err := models.ListSharedLinks(ctx, db, w.officer2)
			if err != nil || len(list) != 0 {
				t.Errorf("list %v, err %v", list, err)
			}
			if err := models.RevokeSharedLink(ctx, db, w.officer2, mine.ID, now); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("revoke: %v, want ErrNotFound", err)
			}
			list, err = models.ListSharedLinks(ctx, db, w.officer)
			if err != nil || len(list) != 1 || list[0].CreatedBy == nil || list[0].CreatedBy.ID != w.officer.ID {
				t.Errorf("own list %+v, err %v", list, err)
			}
		})

		t.Run("an expired link does not open", func(t *testing.T) {
			end := now.Add(time.Hour)
			_, tok, err := create(w.officer, models.SharedLinkInput{Label: "short", ExpiresAt: &end})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := models.OpenSharedLink(ctx, db, tok, end.Add(-time.Second)); err != nil {
				t.Errorf("before the end: %v", err)
			}
			if _, err := models.OpenSharedLink(ctx, db, tok, end); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("at the end: %v, want ErrNotFound", err)
			}
		})

		t.Run("a revoked link does not open, and revoking is audited", func(t *testing.T) {
			if err := models.RevokeSharedLink(ctx, db, w.officer, mine.ID, now); err != nil {
				t.Fatal(err)
			}
			if _, err := models.OpenSharedLink(ctx, db, token, now); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("open after revoking: %v, want ErrNotFound", err)
			}
			if err := models.RevokeSharedLink(ctx, db, w.officer, mine.ID, now); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("revoking twice: %v, want ErrNotFound", err)
			}
			var n int64
			if err := db.Model(&models.AuditEntry{}).Where("action IN ? AND object_id = ?", []string{"shared_link.create", "shared_link.revoke"}, mine.ID).Count(&n).Error; err != nil || n != 2 {
				t.Errorf("%d audit entries, err %v", n, err)
			}
		})
	})
}
