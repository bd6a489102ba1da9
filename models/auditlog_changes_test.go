package models_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

func TestAuditEntryChangesReadAsBeforeAndAfter(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name          string
		before, after string
		want          []string
	}{
		{"a changed field has both values", `{"level":"recommended","note":"x"}`, `{"level":"mandatory","note":"x"}`, []string{"level: recommended → mandatory"}},
		{"the standard stays as context though it did not change", `{"standard":"dnssec","position":3}`, `{"standard":"dnssec","position":1}`, []string{"position: 3 → 1", "standard: dnssec"}},
		{"a new record has only after values", ``, `{"title":"Hosting","scope_tags":"web, mail"}`, []string{"scope_tags: web, mail", "title: Hosting"}},
		{"a removed record has only before values", `{"level":"mandatory"}`, ``, []string{"level: mandatory ←"}},
		{"booleans and times read as words", `{"disabled":false}`, `{"disabled":true,"used_at":"2026-03-01T09:00:00Z"}`, []string{"disabled: no → yes", "used_at: 2026-03-01 09:00 UTC"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := models.AuditEntry{Before: tc.before, After: tc.after}
			var got []string
			for _, c := range e.Changes() {
				switch {
				case c.HasBefore && c.HasAfter:
					got = append(got, c.Field+": "+c.Before+" → "+c.After)
				case c.HasAfter:
					got = append(got, c.Field+": "+c.After)
				default:
					got = append(got, c.Field+": "+c.Before+" ←")
				}
			}
			if strings.Join(got, "; ") != strings.Join(tc.want, "; ") {
				t.Fatalf("changes %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFailedLoginIsRecordedWithTheAddressTried(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		if err := models.RecordFailedLogin(ctx, db, "  Someone@Example.TEST ", now); err != nil {
			t.Fatal(err)
		}
		var e models.AuditEntry
		if err := db.Where("action = ?", "login.failed").Last(&e).Error; err != nil {
			t.Fatal(err)
		}
		if e.ActorEmail != "someone@example.test" || e.ActorID != nil || !e.At.Equal(now) {
			t.Fatalf("entry %+v, want the normalised address, no user id and the time given", e)
		}
	})
}
