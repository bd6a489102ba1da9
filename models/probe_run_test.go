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

// submitted invites the vendor to a tender (https mandatory, dnssec
// recommended), answers both, sets the scope to shop.test and submits.
func (w *world) submitted(t *testing.T, title string) (*models.Tender, *models.Attestation) {
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
	if _, err := models.Submit(ctx, w.db, w.vendor, a.ID, models.SubmitInput{Declaration: true, Declarer: "Vera Vendor"}, attNow); err != nil {
		t.Fatal(err)
	}
	a, err := models.FindAttestation(ctx, w.db, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return tn, a
}

func TestProbeRunQueue(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		_, a := w.submitted(t, "Queue")
		lease := time.Minute

		t.Run("submitting queues a run of the submitted version", func(t *testing.T) {
			run, err := models.LatestRun(ctx, db, a.ID)
			if err != nil || run == nil {
				t.Fatalf("no run after submit: %v", err)
			}
			if run.Status != models.RunQueued || run.Reason != models.RunReasonSubmitted || run.Version != a.Version {
				t.Errorf("run %+v", run)
			}
		})
		t.Run("asking again while a run waits returns the waiting run", func(t *testing.T) {
			first, _ := models.LatestRun(ctx, db, a.ID)
			again, err := models.EnqueueRun(ctx, db, a.ID, models.RunReasonManual, w.officer, attNow)
			if err != nil {
				t.Fatal(err)
			}
			if again.ID != first.ID {
				t.Errorf("a second run %d was queued beside waiting run %d", again.ID, first.ID)
			}
		})

		var run *models.ProbeRun
		t.Run("one claimer gets the run and a second finds nothing", func(t *testing.T) {
			var err error
			run, err = models.ClaimRun(ctx, db, "worker-a", lease, attNow)
			if err != nil || run == nil {
				t.Fatalf("claim: %v %v", run, err)
			}
			if run.Status != models.RunRunning || run.Attempts != 1 {
				t.Errorf("claimed run %+v", run)
			}
			other, err := models.ClaimRun(ctx, db, "worker-b", lease, attNow.Add(lease/2))
			if err != nil || other != nil {
				t.Errorf("a second worker claimed %+v (%v) while the lease held", other, err)
			}
		})
		t.Run("a manual request while the run works queues a new one", func(t *testing.T) {
			next, err := models.EnqueueRun(ctx, db, a.ID, models.RunReasonManual, w.officer, attNow)
			if err != nil {
				t.Fatal(err)
			}
			if next.ID == run.ID || next.Status != models.RunQueued {
				t.Errorf("got %+v", next)
			}
		})
		t.Run("a run whose worker died is taken over after its lease", func(t *testing.T) {
			later := attNow.Add(2 * lease)
			// Ids grow, so the expired run comes before the manual one.
			got, err := models.ClaimRun(ctx, db, "worker-b", lease, later)
			if err != nil || got == nil || got.ID != run.ID {
				t.Fatalf("claim after expiry: %+v %v, want run %d", got, err, run.ID)
			}
			if got.Attempts != 2 || got.LeaseOwner != "worker-b" {
				t.Errorf("taken over run %+v", got)
			}
			err = models.StoreResult(ctx, db, "worker-a", &models.ProbeResult{RunID: run.ID, Domain: "shop.test"}, later)
			if !errors.Is(err, models.ErrLeaseLost) {
				t.Errorf("the dead worker could still store a result: %v", err)
			}
			if err := models.RenewLease(ctx, db, run.ID, "worker-a", lease, later); !errors.Is(err, models.ErrLeaseLost) {
				t.Errorf("the dead worker could renew: %v", err)
			}
		})
		t.Run("results are stored once per domain and count as progress", func(t *testing.T) {
			later := attNow.Add(2 * lease)
			if err := models.SetRunTotal(ctx, db, run.ID, "worker-b", 1, later); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 2; i++ {
				res := &models.ProbeResult{RunID: run.ID, Domain: "shop.test", Checks: []models.ProbeCheck{{ID: "web.https", Status: "pass", Details: map[string]any{"n": i}}}}
				if err := models.StoreResult(ctx, db, "worker-b", res, later); err != nil {
					t.Fatal(err)
				}
			}
			rs, err := models.RunResults(ctx, db, run.ID)
			if err != nil || len(rs) != 1 || rs[0].Check("web.https") == nil {
				t.Fatalf("results %+v %v", rs, err)
			}
			got, _ := models.FindProbeRun(ctx, db, run.ID)
			if got.Done != 1 || got.Total != 1 || got.Percent() != 100 {
				t.Errorf("progress %d/%d", got.Done, got.Total)
			}
		})
		t.Run("a run released beside a waiting run is superseded, not queued twice", func(t *testing.T) {
			if err := models.ReleaseRun(ctx, db, run.ID, "worker-b", time.Now()); err != nil {
				t.Fatal(err)
			}
			got, _ := models.FindProbeRun(ctx, db, run.ID)
			if got.Status != models.RunFailed {
				t.Errorf("released run beside a waiting one is %s, want failed (superseded)", got.Status)
			}
		})
		t.Run("finishing stores verdicts once and records changes from the previous run", func(t *testing.T) {
			later := attNow.Add(3 * lease)
			next, err := models.ClaimRun(ctx, db, "worker-c", lease, later)
			if err != nil || next == nil {
				t.Fatalf("claim: %v", err)
			}
			cur, _ := models.FindAttestation(ctx, db, a.ID)
			vs := []models.Verification{}
			for _, an := range cur.Answers {
				vs = append(vs, models.Verification{AnswerID: an.ID, RequirementID: an.RequirementID, Status: models.VerdictConfirmed})
			}
			if ch, err := models.FinishRun(ctx, db, next, "worker-c", vs, later); err != nil || len(ch) != 0 {
				t.Fatalf("first finish: %v %v", ch, err)
			}
			if _, err := models.FinishRun(ctx, db, next, "worker-c", vs, later); !errors.Is(err, models.ErrLeaseLost) {
				t.Errorf("a run finished twice: %v", err)
			}
			third, err := models.EnqueueRun(ctx, db, a.ID, models.RunReasonScheduled, nil, later)
			if err != nil {
				t.Fatal(err)
			}
			claimed, _ := models.ClaimRun(ctx, db, "worker-c", lease, later)
			if claimed == nil || claimed.ID != third.ID {
				t.Fatalf("claimed %+v, want run %d", claimed, third.ID)
			}
			vs2 := make([]models.Verification, len(vs))
			for i, v := range vs {
				vs2[i] = models.Verification{AnswerID: v.AnswerID, RequirementID: v.RequirementID, Status: v.Status}
			}
			vs2[0].Status = models.VerdictContradicted
			ch, err := models.FinishRun(ctx, db, claimed, "worker-c", vs2, later)
			if err != nil {
				t.Fatal(err)
			}
			if len(ch) != 1 || ch[0].From != models.VerdictConfirmed || ch[0].To != models.VerdictContradicted || ch[0].Standard == "" {
				t.Errorf("changes %+v", ch)
			}
			latest, err := models.LatestVerifications(ctx, db, a.ID, a.Version)
			if err != nil || latest[vs2[0].AnswerID].Status != models.VerdictContradicted {
				t.Errorf("latest verdicts %+v %v", latest, err)
			}
			cs, err := models.OpenContradictions(ctx, db, w.officer, 10)
			if err != nil || len(cs) != 1 {
				t.Errorf("officer's contradictions %+v %v", cs, err)
			}
			if cs, _ := models.OpenContradictions(ctx, db, w.officer2, 10); len(cs) != 0 {
				t.Errorf("another buyer's officer sees %+v", cs)
			}
			// Accepted with a comment, the claim is dealt with: it leaves
			// the list of open contradictions.
			if _, err := models.ReviewAnswer(ctx, db, w.officer, a.ID, vs2[0].RequirementID,
				models.ReviewDecision{Decision: "accept", Comment: "Switched on at delivery.", Confirmed: true}, later); err != nil {
				t.Fatal(err)
			}
			if cs, err := models.OpenContradictions(ctx, db, w.officer, 10); err != nil || len(cs) != 0 {
				t.Errorf("an accepted contradicted claim is still open: %+v %v", cs, err)
			}
			if rc, err := models.RecentChanges(ctx, db, w.officer, 10); err != nil || len(rc) != 1 {
				t.Errorf("recent changes %+v %v", rc, err)
			}
		})
	})
}

func TestScheduledRechecks(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		tn, a := w.submitted(t, "Contract")
		week := 7 * 24 * time.Hour
		// Work the submission's run off the queue.
		run, _ := models.ClaimRun(ctx, db, "w", time.Minute, attNow)
		if _, err := models.FinishRun(ctx, db, run, "w", nil, attNow); err != nil {
			t.Fatal(err)
		}

		t.Run("a published tender is not re-checked", func(t *testing.T) {
			got, err := models.EnqueueDueRechecks(ctx, db, week, attNow.Add(2*week))
			if err != nil || len(got) != 0 {
				t.Errorf("queued %+v %v", got, err)
			}
		})
		for _, st := range []string{models.StatusClosed, models.StatusAwarded} {
			if _, err := models.SetTenderStatus(ctx, db, dbtest.ManagerOf(db, tn.ID), tn.ID, st, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		t.Run("an awarded tender is not re-checked within the interval", func(t *testing.T) {
			got, err := models.EnqueueDueRechecks(ctx, db, week, attNow.Add(week-time.Hour))
			if err != nil || len(got) != 0 {
				t.Errorf("queued %+v %v", got, err)
			}
		})
		t.Run("an awarded tender is re-checked once the interval has passed", func(t *testing.T) {
			got, err := models.EnqueueDueRechecks(ctx, db, week, attNow.Add(week+time.Hour))
			if err != nil || len(got) != 1 || got[0].AttestationID != a.ID || got[0].Reason != models.RunReasonScheduled {
				t.Fatalf("queued %+v %v", got, err)
			}
			again, err := models.EnqueueDueRechecks(ctx, db, week, attNow.Add(week+2*time.Hour))
			if err != nil || len(again) != 0 {
				t.Errorf("a second scheduler pass queued %+v %v", again, err)
			}
		})
		t.Run("a re-check that could not measure is tried again after an hour, not a week", func(t *testing.T) {
			run, err := models.ClaimRun(ctx, db, "w", time.Minute, attNow.Add(week+time.Hour))
			if err != nil || run == nil {
				t.Fatalf("claim %v %v", run, err)
			}
			if err := models.FinishRunNotMeasured(ctx, db, run, "w", nil, models.NotMeasuredResolver, nil, attNow.Add(week+time.Hour)); err != nil {
				t.Fatal(err)
			}
			if got, err := models.EnqueueDueRechecks(ctx, db, week, attNow.Add(week+90*time.Minute)); err != nil || len(got) != 0 {
				t.Errorf("queued within the hour: %+v %v", got, err)
			}
			got, err := models.EnqueueDueRechecks(ctx, db, week, attNow.Add(week+2*time.Hour+time.Minute))
			if err != nil || len(got) != 1 || got[0].AttestationID != a.ID {
				t.Errorf("not queued again after the hour: %+v %v", got, err)
			}
		})
	})
}

func TestConcurrentClaimersNeverShareARun(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		const runs = 12
		for i := range runs {
			_, a := w.submitted(t, fmt.Sprintf("Claims %d", i))
			if a.Status != models.AttestationSubmitted {
				t.Fatalf("attestation %d is %s", a.ID, a.Status)
			}
		}
		var (
			mu      sync.Mutex
			claimed = map[uint]string{}
			wg      sync.WaitGroup
		)
		for c := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				owner := fmt.Sprintf("claimer-%d", c)
				for {
					run, err := models.ClaimRun(ctx, db, owner, time.Minute, attNow)
					if err != nil {
						t.Error(err)
						return
					}
					if run == nil {
						return
					}
					mu.Lock()
					if prev, ok := claimed[run.ID]; ok {
						t.Errorf("run %d claimed by %s and %s", run.ID, prev, owner)
					}
					claimed[run.ID] = owner
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(claimed) != runs {
			t.Errorf("%d runs claimed, want %d", len(claimed), runs)
		}
	})
}
