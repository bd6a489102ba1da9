package models_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

func TestReserveLoginAttempt(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		const limit, window = 5, 15 * time.Minute

		t.Run("30 concurrent attempts on one key get exactly the limit of reservations", func(t *testing.T) {
			var wg sync.WaitGroup
			var mu sync.Mutex
			granted, refused := 0, 0
			var others []error
			for range 30 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := models.ReserveLoginAttempt(ctx, db, "account:race@example.test", limit, window, now)
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						granted++
					case errors.Is(err, models.ErrTooManyLogins):
						refused++
					default:
						others = append(others, err)
					}
				}()
			}
			wg.Wait()
			if len(others) > 0 {
				t.Fatalf("unexpected errors: %v", others)
			}
			if granted != limit || refused != 30-limit {
				t.Fatalf("%d granted and %d refused, want %d and %d", granted, refused, limit, 30-limit)
			}
		})

		t.Run("a refusal says until when the key is blocked", func(t *testing.T) {
			key := "account:until@example.test"
			for i := range limit {
				if _, err := models.ReserveLoginAttempt(ctx, db, key, limit, window, now.Add(time.Duration(i)*time.Minute)); err != nil {
					t.Fatal(err)
				}
			}
			_, err := models.ReserveLoginAttempt(ctx, db, key, limit, window, now.Add(10*time.Minute))
			var le *models.LoginLimitError
			if !errors.As(err, &le) || le.Key != key || !le.Until.Equal(now.Add(window)) {
				t.Fatalf("got %v, want a LoginLimitError for %s until %s", err, key, now.Add(window))
			}
		})

		t.Run("a new window starts once the old one has passed", func(t *testing.T) {
			key := "ip:192.0.2.1"
			for range limit + 3 {
				_, _ = models.ReserveLoginAttempt(ctx, db, key, limit, window, now)
			}
			r, err := models.ReserveLoginAttempt(ctx, db, key, limit, window, now.Add(window))
			if err != nil {
				t.Fatalf("after the window: %v", err)
			}
			if !r.WindowStart.Equal(now.Add(window)) {
				t.Errorf("window starts %s, want %s", r.WindowStart, now.Add(window))
			}
		})

		t.Run("a released reservation can be used again, and a stale one changes nothing", func(t *testing.T) {
			key := "ip:192.0.2.2"
			var last models.LoginReservation
			for range limit {
				r, err := models.ReserveLoginAttempt(ctx, db, key, limit, window, now)
				if err != nil {
					t.Fatal(err)
				}
				last = r
			}
			if err := models.ReleaseLoginAttempt(ctx, db, last); err != nil {
				t.Fatal(err)
			}
			if _, err := models.ReserveLoginAttempt(ctx, db, key, limit, window, now); err != nil {
				t.Fatalf("after a release: %v", err)
			}
			// A new window began after last was reserved: releasing it must
			// not hand out a check of the new window.
			later := now.Add(2 * window)
			for range limit {
				if _, err := models.ReserveLoginAttempt(ctx, db, key, limit, window, later); err != nil {
					t.Fatal(err)
				}
			}
			if err := models.ReleaseLoginAttempt(ctx, db, last); err != nil {
				t.Fatal(err)
			}
			if _, err := models.ReserveLoginAttempt(ctx, db, key, limit, window, later); !errors.Is(err, models.ErrTooManyLogins) {
				t.Fatalf("a stale release freed a check of the new window: %v", err)
			}
		})

		t.Run("a reset forgets the key and stale keys are deleted", func(t *testing.T) {
			key := "account:reset@example.test"
			for range limit + 1 {
				_, _ = models.ReserveLoginAttempt(ctx, db, key, limit, window, now)
			}
			if err := models.ResetLoginFailures(ctx, db, key); err != nil {
				t.Fatal(err)
			}
			if _, err := models.ReserveLoginAttempt(ctx, db, key, limit, window, now); err != nil {
				t.Fatalf("after a reset: %v", err)
			}
			if err := models.DeleteStaleLoginAttempts(ctx, db, now.Add(time.Second)); err != nil {
				t.Fatal(err)
			}
			var n int64
			if err := db.Model(&models.LoginAttempt{}).Where("subject = ?", key).Count(&n).Error; err != nil || n != 0 {
				t.Fatalf("%d rows left for %s (%v), want 0", n, key, err)
			}
		})
	})
}
