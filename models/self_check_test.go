package models_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// answeredDraft is an invited attestation with every requirement answered
// "complies" and shop.test in scope, not submitted.
func (w *world) answeredDraft(t *testing.T, title string) *models.Attestation {
	t.Helper()
	ctx := context.Background()
	tn, a := w.invited(t, title)
	for _, r := range tn.Requirements {
		if _, err := models.SaveAnswer(ctx, w.db, w.vendor, a.ID, r.ID, models.AnswerInput{Status: models.AnswerComplies}, attNow); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := models.SetScope(ctx, w.db, w.vendor, a.ID, []string{"shop.test"}, []string{"shop.test"}, nil, attNow); err != nil {
		t.Fatal(err)
	}
	return a
}

// finishNext claims the oldest waiting run and finishes it with verdict
// on every answer of the version it probes.
func finishNext(t *testing.T, db *gorm.DB, verdict string, now time.Time) *models.ProbeRun {
	t.Helper()
	ctx := context.Background()
	run, err := models.ClaimRun(ctx, db, "worker", time.Minute, now)
	if err != nil || run == nil {
		t.Fatalf("claim: %v %v", run, err)
	}
	subject, err := models.RunSubject(ctx, db, run)
	if err != nil {
		t.Fatal(err)
	}
	var vs []models.Verification
	for _, an := range subject.Answers {
		vs = append(vs, models.Verification{AnswerID: an.ID, RequirementID: an.RequirementID, Status: verdict})
	}
	if _, err := models.FinishRun(ctx, db, run, "worker", vs, now); err != nil {
		t.Fatal(err)
	}
	return run
}

func TestASelfCheckIsLimitedToOneAMinutePerAttestation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		a := w.answeredDraft(t, "Limit")
		first, err := models.StartSelfCheck(ctx, db, w.vendor, a.ID, attNow)
		if err != nil {
			t.Fatal(err)
		}
		if first.Reason != models.RunReasonSelf || first.Status != models.RunQueued || first.Version != a.Version {
			t.Fatalf("self-check %+v", first)
		}
		t.Run("a second within the minute is refused with the seconds to wait", func(t *testing.T) {
			_, err := models.StartSelfCheck(ctx, db, w.vendor, a.ID, attNow.Add(20*time.Second))
			var soon *models.SelfCheckTooSoonError
			if !errors.As(err, &soon) || soon.Seconds() != 40 {
				t.Fatalf("err %v, want a wait of 40 s", err)
			}
		})
		t.Run("a refused request leaves the limit where it was", func(t *testing.T) {
			_, err := models.StartSelfCheck(ctx, db, w.vendor, a.ID, attNow.Add(59*time.Second))
			var soon *models.SelfCheckTooSoonError
			if !errors.As(err, &soon) || soon.Seconds() != 1 {
				t.Fatalf("err %v, want a wait of 1 s", err)
			}
		})
		t.Run("after the minute the check still waiting is returned, not a second", func(t *testing.T) {
			again, err := models.StartSelfCheck(ctx, db, w.vendor, a.ID, attNow.Add(61*time.Second))
			if err != nil || again.ID != first.ID {
				t.Fatalf("got %v %v, want the waiting self-check %d", again, err, first.ID)
			}
		})
		t.Run("once it has run, the next minute queues a new one", func(t *testing.T) {
			finishNext(t, db, models.VerdictConfirmed, attNow.Add(90*time.Second))
			next, err := models.StartSelfCheck(ctx, db, w.vendor, a.ID, attNow.Add(122*time.Second))
			if err != nil || next.ID == first.ID || next.Reason != models.RunReasonSelf {
				t.Fatalf("got %+v %v, want a new self-check", next, err)
			}
		})
		t.Run("another attestation has its own limit", func(t *testing.T) {
			other := w.answeredDraft(t, "Other limit")
			if _, err := models.StartSelfCheck(ctx, db, w.vendor, other.ID, attNow.Add(122*time.Second)); err != nil {
				t.Fatal(err)
			}
		})
	})
}

func TestSelfChecksStartedAtOnceQueueOne(t *testing.T) {
	t.Parallel()
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			open := d.shared(t)
			db := open()
			if err := models.Migrate(context.Background(), db); err != nil {
				t.Fatal(err)
			}
			w := newWorld(t, db)
			a := w.answeredDraft(t, "At once")
			// Each caller its own pool, as several serve processes would.
			const callers = 6
			pools := make([]*gorm.DB, callers)
			for i := range pools {
				pools[i] = open()
			}
			var (
				wg           sync.WaitGroup
				mu           sync.Mutex
				queued, soon int
			)
			for i := range callers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := models.StartSelfCheck(context.Background(), pools[i], w.vendor, a.ID, attNow)
					var tooSoon *models.SelfCheckTooSoonError
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						queued++
					case errors.As(err, &tooSoon):
						soon++
					default:
						t.Errorf("caller %d: %v", i, err)
					}
				}()
			}
			wg.Wait()
			if queued != 1 || soon != callers-1 {
				t.Errorf("%d queued and %d refused as too soon, want 1 and %d", queued, soon, callers-1)
			}
			var n int64
			if err := db.Model(&models.ProbeRun{}).Where("attestation_id = ? AND reason = ?", a.ID, models.RunReasonSelf).Count(&n).Error; err != nil || n != 1 {
				t.Errorf("%d self-checks in the database (%v), want 1", n, err)
			}
		})
	}
}

func TestOnlyTheAttestationsVendorsStartASelfCheck(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		a := w.answeredDraft(t, "Who")
		colleague := mustUser(t)(models.CreateUser(ctx, db, nil, "colleague@example.test", "Colleague", "correct horse battery 1", models.RoleVendor, &w.supplier.ID, time.Now()))
		other := mustOrg(t)(models.CreateOrg(ctx, db, nil, "Other Supplier", models.OrgSupplier, time.Now()))
		stranger := mustUser(t)(models.CreateUser(ctx, db, nil, "stranger@example.test", "Stranger", "correct horse battery 1", models.RoleVendor, &other.ID, time.Now()))
		tests := []struct {
			name string
			user *models.User
			ok   bool
		}{
			{"the buyer's officer may not", w.officer, false},
			{"an admin may not", w.admin, false},
			{"an auditor may not", w.auditor, false},
			{"a vendor of another supplier may not", stranger, false},
			{"a colleague of the supplier may", colleague, true},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				// Each a minute apart, so the limit never decides.
				_, err := models.StartSelfCheck(ctx, db, tt.user, a.ID, attNow.Add(time.Duration(i)*2*time.Minute))
				if tt.ok != (err == nil) {
					t.Fatalf("err %v, want allowed %v", err, tt.ok)
				}
				if !tt.ok && !errors.Is(err, models.ErrForbidden) {
					t.Errorf("err %v, want forbidden", err)
				}
			})
		}
		t.Run("a refused caller does not use up the minute", func(t *testing.T) {
			fresh := w.answeredDraft(t, "Who fresh")
			if _, err := models.StartSelfCheck(ctx, db, w.officer, fresh.ID, attNow); err == nil {
				t.Fatal("the officer started a self-check")
			}
			if _, err := models.StartSelfCheck(ctx, db, w.vendor, fresh.ID, attNow); err != nil {
				t.Fatalf("the vendor after a refused officer: %v", err)
			}
		})
	})
}

func TestASelfCheckAndAVerificationWaitSideBySide(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		a := w.answeredDraft(t, "Side by side")
		self, err := models.StartSelfCheck(ctx, db, w.vendor, a.ID, attNow)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.Submit(ctx, db, w.vendor, a.ID, models.SubmitInput{Declaration: true, Declarer: "Vera Vendor"}, attNow); err != nil {
			t.Fatalf("submitting beside a waiting self-check: %v", err)
		}
		submitted, err := models.LatestRun(ctx, db, a.ID)
		if err != nil || submitted == nil {
			t.Fatal(err)
		}
		t.Run("submitting queues the buyer's run beside the waiting self-check", func(t *testing.T) {
			if submitted.ID == self.ID || submitted.Reason != models.RunReasonSubmitted {
				t.Errorf("the submission's run is %+v, the self-check %d", submitted, self.ID)
			}
		})
		t.Run("the buyer's verify request gets the buyer's waiting run, not the self-check", func(t *testing.T) {
			run, err := models.EnqueueRun(ctx, db, a.ID, models.RunReasonManual, w.officer, attNow)
			if err != nil || run.ID != submitted.ID {
				t.Errorf("got %v %v, want run %d", run, err, submitted.ID)
			}
		})
		t.Run("a self-check asked for while the buyer's run waits is the vendor's own", func(t *testing.T) {
			again, err := models.StartSelfCheck(ctx, db, w.vendor, a.ID, attNow.Add(2*time.Minute))
			if err != nil || again.ID != self.ID || again.Version != a.Version {
				t.Errorf("got %+v %v, want the waiting self-check %d", again, err, self.ID)
			}
		})
		t.Run("a self-check put back in the queue leaves the buyer's slot alone", func(t *testing.T) {
			claimed, err := models.ClaimRun(ctx, db, "worker", time.Minute, attNow)
			if err != nil || claimed == nil || claimed.ID != self.ID {
				t.Fatalf("claimed %v %v, want the older self-check", claimed, err)
			}
			if err := models.ReleaseRun(ctx, db, self.ID, "worker", attNow); err != nil {
				t.Fatal(err)
			}
			back, err := models.FindProbeRun(ctx, db, self.ID)
			if err != nil || back.Status != models.RunQueued {
				t.Fatalf("released self-check %+v %v", back, err)
			}
			run, err := models.EnqueueRun(ctx, db, a.ID, models.RunReasonManual, w.officer, attNow)
			if err != nil || run.ID != submitted.ID {
				t.Errorf("got %v %v, want the buyer's run %d", run, err, submitted.ID)
			}
		})
	})
}

func TestASelfCheckIsNotTheBuyersVerification(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		tn, a := w.submitted(t, "Not the buyer's")
		buyerRun := finishNext(t, db, models.VerdictConfirmed, attNow.Add(time.Minute))
		if _, err := models.StartSelfCheck(ctx, db, w.vendor, a.ID, attNow.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		selfRun := finishNext(t, db, models.VerdictContradicted, attNow.Add(3*time.Minute))
		if selfRun.Reason != models.RunReasonSelf || selfRun.ID < buyerRun.ID {
			t.Fatalf("the newer run %+v is not the self-check", selfRun)
		}

		t.Run("the latest run is the buyer's", func(t *testing.T) {
			run, err := models.LatestRun(ctx, db, a.ID)
			if err != nil || run == nil || run.ID != buyerRun.ID {
				t.Errorf("latest run %v %v, want %d", run, err, buyerRun.ID)
			}
			runs, err := models.ListRuns(ctx, db, a.ID, 10)
			if err != nil || len(runs) != 1 || runs[0].ID != buyerRun.ID {
				t.Errorf("runs %v %v, want only %d", runs, err, buyerRun.ID)
			}
		})
		t.Run("the verdicts next to the answers are the buyer's run's", func(t *testing.T) {
			latest, err := models.LatestVerifications(ctx, db, a.ID, a.Version)
			if err != nil || len(latest) != len(a.Answers) {
				t.Fatalf("%d verdicts %v", len(latest), err)
			}
			for _, v := range latest {
				if v.RunID != buyerRun.ID || v.Status != models.VerdictConfirmed {
					t.Errorf("verdict %+v, want confirmed by run %d", v, buyerRun.ID)
				}
			}
		})
		t.Run("the matrix colours and the dashboard's contradictions are the buyer's run's", func(t *testing.T) {
			verdicts, err := models.TenderVerdicts(ctx, db, tn.ID)
			if err != nil {
				t.Fatal(err)
			}
			for req, s := range verdicts[a.ID] {
				if s != models.VerdictConfirmed {
					t.Errorf("requirement %d is %s in the matrix", req, s)
				}
			}
			open, err := models.OpenContradictions(ctx, db, w.officer, 50)
			if err != nil || len(open) != 0 {
				t.Errorf("the dashboard lists %d contradictions (%v), want none", len(open), err)
			}
		})
		t.Run("the self-check records no verdict change", func(t *testing.T) {
			changes, err := models.AttestationChanges(ctx, db, a.ID, 50)
			if err != nil || len(changes) != 0 {
				t.Errorf("%d changes %v, want none", len(changes), err)
			}
		})
		t.Run("the buyer's next run is compared with the buyer's previous run", func(t *testing.T) {
			next, err := models.EnqueueRun(ctx, db, a.ID, models.RunReasonManual, w.officer, attNow.Add(4*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			prev, err := models.PreviousFinishedRun(ctx, db, next)
			if err != nil || prev == nil || prev.ID != buyerRun.ID {
				t.Errorf("previous run %v %v, want %d", prev, err, buyerRun.ID)
			}
			finishNext(t, db, models.VerdictConfirmed, attNow.Add(5*time.Minute))
			changes, err := models.AttestationChanges(ctx, db, a.ID, 50)
			if err != nil || len(changes) != 0 {
				t.Errorf("the buyer's run after a contradicting self-check records %d changes (%v), want none", len(changes), err)
			}
		})
		t.Run("the vendor finds its own self-check", func(t *testing.T) {
			run, err := models.LatestFinishedSelfCheck(ctx, db, a.ID)
			if err != nil || run == nil || run.ID != selfRun.ID {
				t.Errorf("latest self-check %v %v, want %d", run, err, selfRun.ID)
			}
		})
		t.Run("only the attestation's vendors may read the self-check", func(t *testing.T) {
			for _, u := range []*models.User{w.officer, w.admin, w.auditor} {
				if a.RunVisibleTo(u, selfRun) {
					t.Errorf("%s may read the self-check", u.Email)
				}
				if !a.RunVisibleTo(u, buyerRun) {
					t.Errorf("%s may not read the buyer's run", u.Email)
				}
			}
			if !a.RunVisibleTo(w.vendor, selfRun) {
				t.Error("the vendor may not read its self-check")
			}
		})
	})
}

// TestASuppliersSelfChecksAreLimitedPerHour: over all its attestations a
// supplier starts at most SelfChecksPerSupplierHour self-checks an hour;
// the per-attestation minute alone let a supplier with many tenders aim
// thousands of connections a minute at hosts it named.
func TestASuppliersSelfChecksAreLimitedPerHour(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		var atts []*models.Attestation
		for i := range models.SelfChecksPerSupplierHour + 1 {
			atts = append(atts, w.answeredDraft(t, fmt.Sprint("Hourly ", i)))
		}
		start := attNow
		for i, a := range atts[:models.SelfChecksPerSupplierHour] {
			if _, err := models.StartSelfCheck(ctx, db, w.vendor, a.ID, start.Add(time.Duration(i)*time.Minute)); err != nil {
				t.Fatalf("self-check %d: %v", i, err)
			}
		}
		last := atts[len(atts)-1]
		var soon *models.SelfCheckTooSoonError
		_, err := models.StartSelfCheck(ctx, db, w.vendor, last.ID, start.Add(30*time.Minute))
		if !errors.As(err, &soon) || !soon.Supplier || soon.Wait != 30*time.Minute {
			t.Fatalf("%v, want the supplier's hourly number, 30 minutes to wait", err)
		}
		if _, err := models.StartSelfCheck(ctx, db, w.vendor, last.ID, start.Add(time.Hour+time.Second)); err != nil {
			t.Fatalf("an hour after the first: %v", err)
		}
	})
}
