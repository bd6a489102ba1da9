package models_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

func TestARunThatMeasuredNothing(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		_, a := w.submitted(t, "Honest")
		verdicts := func(status string) []models.Verification {
			out := make([]models.Verification, len(a.Answers))
			for i, an := range a.Answers {
				out[i] = models.Verification{AnswerID: an.ID, RequirementID: an.RequirementID, Status: status}
			}
			return out
		}
		finish := func(status string, at time.Time) *models.ProbeRun {
			t.Helper()
			run, err := models.ClaimRun(ctx, db, "w", time.Minute, at)
			if err != nil || run == nil {
				t.Fatalf("claim: %+v %v", run, err)
			}
			if status == models.VerdictNotMeasured {
				err = models.FinishRunNotMeasured(ctx, db, run, "w", verdicts(status), models.NotMeasuredResolver, map[string]string{"resolver": "127.0.0.1:9"}, at)
			} else {
				_, err = models.FinishRun(ctx, db, run, "w", verdicts(status), at)
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := models.EnqueueRun(ctx, db, a.ID, models.RunReasonManual, w.officer, at); err != nil {
				t.Fatal(err)
			}
			got, err := models.FindProbeRun(ctx, db, run.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}

		first := finish(models.VerdictNotMeasured, attNow)
		t.Run("it ends not_measured with its reason, never done", func(t *testing.T) {
			if first.Status != models.RunNotMeasured || !first.Finished() || first.Measured() ||
				first.NotMeasuredCode != models.NotMeasuredResolver || first.NotMeasuredParams["resolver"] != "127.0.0.1:9" {
				t.Fatalf("run %+v", first)
			}
		})
		t.Run("without a measured run its not_measured verdicts are the attestation's", func(t *testing.T) {
			latest, err := models.LatestVerifications(ctx, db, a.ID, a.Version)
			if err != nil || len(latest) != len(a.Answers) {
				t.Fatalf("%d verdicts %v", len(latest), err)
			}
			for _, v := range latest {
				if v.Status != models.VerdictNotMeasured || v.RunID != first.ID {
					t.Errorf("verdict %+v", v)
				}
			}
		})
		// The matrix shows what the verification page shows: "not
		// measured", not "not verified".
		matrix := func(t *testing.T, want string) {
			t.Helper()
			vs, err := models.TenderVerdicts(ctx, db, a.TenderID)
			if err != nil || len(vs[a.ID]) != len(a.Answers) {
				t.Fatalf("%v %v", vs, err)
			}
			for rid, v := range vs[a.ID] {
				if v != want {
					t.Errorf("requirement %d: %q in the matrix, want %q", rid, v, want)
				}
			}
			g, err := models.LoadMatrixGrid(ctx, db, w.officer, a.TenderID)
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range g.Cells {
				for _, c := range row {
					if c.AnswerID != 0 && c.Verdict != want {
						t.Errorf("cell %+v, want verdict %q", c, want)
					}
				}
			}
		}
		t.Run("the matrix says not measured too", func(t *testing.T) { matrix(t, models.VerdictNotMeasured) })
		measured := finish(models.VerdictConfirmed, attNow.Add(time.Hour))
		again := finish(models.VerdictNotMeasured, attNow.Add(2*time.Hour))
		t.Run("the matrix keeps the last measured verdicts", func(t *testing.T) { matrix(t, models.VerdictConfirmed) })
		t.Run("it never hides the verdicts of the last run that measured", func(t *testing.T) {
			latest, err := models.LatestVerifications(ctx, db, a.ID, a.Version)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range latest {
				if v.Status != models.VerdictConfirmed || v.RunID != measured.ID {
					t.Errorf("verdict %+v, want confirmed from run %d", v, measured.ID)
				}
			}
		})
		t.Run("it records no verdict change", func(t *testing.T) {
			changes, err := models.AttestationChanges(ctx, db, a.ID, 10)
			if err != nil || len(changes) != 0 {
				t.Errorf("changes %+v %v", changes, err)
			}
		})
		t.Run("a queued run counts the domains it will probe, and finds the previous finished run", func(t *testing.T) {
			queued, err := models.LatestRun(ctx, db, a.ID)
			if err != nil || queued.Status != models.RunQueued {
				t.Fatalf("latest %+v %v", queued, err)
			}
			if n, err := models.DomainsToProbe(ctx, db, queued); err != nil || n != 1 {
				t.Errorf("domains to probe %d %v, want 1 (shop.test as web and mail domain)", n, err)
			}
			prev, err := models.PreviousFinishedRun(ctx, db, queued)
			if err != nil || prev == nil || prev.ID != again.ID {
				t.Errorf("previous %+v %v, want run %d", prev, err, again.ID)
			}
		})
	})
}
