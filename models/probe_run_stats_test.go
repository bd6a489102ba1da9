package models_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

func TestCountRunsByStatus(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		count := func(t *testing.T) map[string]int64 {
			t.Helper()
			got, err := models.CountRunsByStatus(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		t.Run("a database without runs counts none", func(t *testing.T) {
			if got := count(t); len(got) != 0 {
				t.Fatalf("counts %v", got)
			}
		})
		w.submitted(t, "Counted one")
		w.submitted(t, "Counted two")
		t.Run("two submissions are two queued runs", func(t *testing.T) {
			if got := count(t); !maps.Equal(got, map[string]int64{models.RunQueued: 2}) {
				t.Fatalf("counts %v", got)
			}
		})
		run, err := models.ClaimRun(ctx, db, "counter", time.Minute, attNow)
		if err != nil || run == nil {
			t.Fatalf("claim: %v %v", run, err)
		}
		if err := models.FailRun(ctx, db, run.ID, "counter", "test", attNow); err != nil {
			t.Fatal(err)
		}
		t.Run("a failed run moves from queued to failed", func(t *testing.T) {
			if got := count(t); !maps.Equal(got, map[string]int64{models.RunQueued: 1, models.RunFailed: 1}) {
				t.Fatalf("counts %v", got)
			}
		})
	})
}
