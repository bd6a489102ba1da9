package models_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

func TestAnalysisMailRateLimit(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		d := &models.TenderDocument{Name: "eisen.pdf", Format: "pdf", Language: "nl", Result: "{}"}
		if err := models.CreateTenderDocument(ctx, db, w.officer, d, now); err != nil {
			t.Fatal(err)
		}
		target := models.DocumentTarget(d)
		first, err := models.ClaimAnalysisMail(ctx, db, target, "Contact@Buyer.test", now)
		if err != nil {
			t.Fatal(err)
		}

		t.Run("a second mail to the same address within ten minutes is refused with the time it may go", func(t *testing.T) {
			_, err := models.ClaimAnalysisMail(ctx, db, target, "contact@buyer.test", now.Add(9*time.Minute))
			var le *models.MailLimitedError
			if !errors.As(err, &le) || !le.Until.Equal(now.Add(models.AnalysisMailInterval)) {
				t.Fatalf("got %v, want a MailLimitedError until %s", err, now.Add(models.AnalysisMailInterval))
			}
		})
		t.Run("another address or another analysis is not limited", func(t *testing.T) {
			if _, err := models.ClaimAnalysisMail(ctx, db, target, "other@buyer.test", now); err != nil {
				t.Errorf("another address: %v", err)
			}
			tn := w.tender(t, "Hosting")
			if _, err := models.ClaimAnalysisMail(ctx, db, models.TenderTarget(tn), "contact@buyer.test", now); err != nil {
				t.Errorf("another analysis: %v", err)
			}
		})
		t.Run("a released claim (the relay refused the mail) may be taken again at once", func(t *testing.T) {
			if err := models.ReleaseAnalysisMail(ctx, db, first); err != nil {
				t.Fatal(err)
			}
			again, err := models.ClaimAnalysisMail(ctx, db, target, "contact@buyer.test", now.Add(time.Minute))
			if err != nil {
				t.Fatalf("after release: %v", err)
			}
			first = again
		})
		t.Run("ten minutes later the next mail may go", func(t *testing.T) {
			if _, err := models.ClaimAnalysisMail(ctx, db, target, "contact@buyer.test", now.Add(time.Minute+models.AnalysisMailInterval)); err != nil {
				t.Errorf("after the interval: %v", err)
			}
		})
		t.Run("of many senders at the same moment exactly one wins", func(t *testing.T) {
			at := now.Add(time.Hour)
			var wg sync.WaitGroup
			var mu sync.Mutex
			won, limited := 0, 0
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := models.ClaimAnalysisMail(ctx, db, target, "race@buyer.test", at)
					mu.Lock()
					defer mu.Unlock()
					var le *models.MailLimitedError
					switch {
					case err == nil:
						won++
					case errors.As(err, &le):
						limited++
					default:
						t.Errorf("claim: %v", err)
					}
				}()
			}
			wg.Wait()
			if won != 1 || limited != 7 {
				t.Errorf("%d claims won and %d were limited, want 1 and 7", won, limited)
			}
		})
		t.Run("a recorded mail is listed with its sender and audited", func(t *testing.T) {
			m := &models.AnalysisMail{Recipient: "Contact@Buyer.test", Language: "nl", Subject: "Onderwerp", ContentHash: "abc"}
			if err := models.RecordAnalysisMail(ctx, db, w.auditor, target, m, now); err != nil {
				t.Fatal(err)
			}
			list, err := models.ListAnalysisMails(ctx, db, target)
			if err != nil || len(list) != 1 || list[0].Recipient != "contact@buyer.test" || list[0].Sender == nil || list[0].Sender.ID != w.auditor.ID {
				t.Fatalf("list %+v, %v", list, err)
			}
			var n int64
			db.Model(&models.AuditEntry{}).Where("action = ? AND object_id = ? AND actor_id = ?", "analysis.mail", d.ID, w.auditor.ID).Count(&n)
			if n != 1 {
				t.Errorf("%d audit entries, want 1", n)
			}
			if err := models.RecordAnalysisMail(ctx, db, w.vendor, target, m, now); !errors.Is(err, models.ErrForbidden) {
				t.Errorf("a vendor recorded a mail: %v", err)
			}
		})
	})
}

// TestAnalysisMailQuotaPerSender: one person sends at most
// AnalysisMailsPerDay analysis mails in 24 hours, whatever the analyses
// and recipients; the next may go once the oldest is a day old.
func TestAnalysisMailQuotaPerSender(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		now := attNow
		send := func(at time.Time, n int) {
			t.Helper()
			for i := range n {
				m := &models.AnalysisMail{SenderID: w.officer.ID, Recipient: fmt.Sprintf("r%d@example.test", i), Language: "en",
					Subject: "s", ContentHash: strings.Repeat("0", 64), SentAt: at.UTC()}
				if err := db.Omit(clause.Associations).Create(m).Error; err != nil {
					t.Fatal(err)
				}
			}
		}
		send(now.Add(-25*time.Hour), models.AnalysisMailsPerDay) // a day ago: no longer counted
		oldest := now.Add(-23 * time.Hour)
		send(oldest, 1)
		send(now.Add(-time.Hour), models.AnalysisMailsPerDay-2)
		if err := models.CheckAnalysisMailQuota(ctx, db, w.officer, now); err != nil {
			t.Fatalf("one below the quota: %v", err)
		}
		send(now.Add(-time.Minute), 1)
		var limited *models.MailLimitedError
		err := models.CheckAnalysisMailQuota(ctx, db, w.officer, now)
		if !errors.As(err, &limited) || !limited.Until.Equal(oldest.UTC().Add(24*time.Hour).Truncate(time.Microsecond)) {
			t.Fatalf("at the quota: %v", err)
		}
		if err := models.CheckAnalysisMailQuota(ctx, db, w.officer2, now); err != nil {
			t.Fatalf("another sender: %v", err)
		}
	})
}
