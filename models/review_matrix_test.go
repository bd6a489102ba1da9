package models_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"tenderprobe/app/probe/check"
	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// verdictRun stores a finished probe run of a's current version with the
// given verdict per requirement, as the verification engine would.
func verdictRun(t *testing.T, db *gorm.DB, a *models.Attestation, verdicts map[uint]string) {
	t.Helper()
	fresh, err := models.FindAttestation(context.Background(), db, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	run := models.ProbeRun{AttestationID: a.ID, Version: fresh.Version, Status: models.RunDone, Reason: models.RunReasonManual, CreatedAt: attNow, FinishedAt: &attNow}
	if err := db.Omit("Attestation").Create(&run).Error; err != nil {
		t.Fatal(err)
	}
	for _, an := range fresh.Answers {
		v, ok := verdicts[an.RequirementID]
		if !ok {
			continue
		}
		st := check.Pass
		if v == models.VerdictContradicted {
			st = check.Fail
		}
		row := models.Verification{RunID: run.ID, AttestationID: a.ID, AnswerID: an.ID, RequirementID: an.RequirementID, Status: v, CheckedAt: attNow,
			Checks: []models.VerificationCheck{{ID: check.WebHTTPS, Domain: "shop.test", Status: st}}}
		if err := db.Omit("Run", "Answer").Create(&row).Error; err != nil {
			t.Fatal(err)
		}
	}
}

func TestReviewMatrixRules(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		tn, a := w.invited(t, "Matrix rules")
		https, dnssec := tn.Requirements[0].ID, tn.Requirements[1].ID
		for _, r := range []uint{https, dnssec} {
			if _, err := models.SaveAnswer(ctx, db, w.vendor, a.ID, r, models.AnswerInput{Status: models.AnswerComplies}, attNow); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := models.Submit(ctx, db, w.vendor, a.ID, models.SubmitInput{Declaration: true, Declarer: "V"}, attNow); err != nil {
			t.Fatal(err)
		}
		verdictRun(t, db, a, map[uint]string{https: models.VerdictContradicted, dnssec: models.VerdictConfirmed})

		t.Run("the grid knows each cell's verdict and sums each vendor up", func(t *testing.T) {
			g, err := models.LoadMatrixGrid(ctx, db, w.officer, tn.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(g.Vendors) != 1 || g.Cells[0][0].Verdict != models.VerdictContradicted || g.Cells[0][1].Verdict != models.VerdictConfirmed {
				t.Fatalf("grid %+v", g.Cells)
			}
			s := g.Vendors[0].Summary
			want := models.VendorSummary{Mandatory: 1, MandatoryMet: 0, Contradicted: 1, Open: 2, Explained: 0, Confirmed: 1}
			if s != want || g.Confirmed != 1 {
				t.Errorf("summary %+v (bulk %d), want %+v: a contradicted complies is not met", s, g.Confirmed, want)
			}
			v := g.View(models.ParseMatrixQuery([]string{models.OnlyContradicted}, ""))
			if len(v.Vendors) != 1 || len(v.Requirements) != 1 || v.Requirements[0] != 0 {
				t.Errorf("only contradicted keeps %d vendors and requirements %v, want the https row", len(v.Vendors), v.Requirements)
			}
			if _, err := models.LoadMatrixGrid(ctx, db, w.vendor, tn.ID); !errors.Is(err, models.ErrForbidden) && !errors.Is(err, models.ErrNotFound) {
				t.Errorf("a vendor's grid gave %v", err)
			}
			if _, err := models.LoadMatrixGrid(ctx, db, w.officer2, tn.ID); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("another buyer's grid gave %v", err)
			}
		})
		t.Run("accepting a contradicted answer needs the officer's confirmation", func(t *testing.T) {
			_, err := models.ReviewAnswer(ctx, db, w.officer, a.ID, https, models.ReviewDecision{Decision: "accept"}, attNow)
			if !errors.Is(err, models.ErrAcceptContradicted) {
				t.Fatalf("unconfirmed accept gave %v", err)
			}
			threads, err := models.ListReviewComments(ctx, db, a.ID)
			if err != nil || len(threads[https]) != 0 {
				t.Fatalf("the refused accept wrote %v (%v)", threads[https], err)
			}
			an, err := models.ReviewAnswer(ctx, db, w.officer, a.ID, https, models.ReviewDecision{Decision: "accept", Confirmed: true, Comment: "Checked by hand."}, attNow)
			if err != nil || an.ReviewStatus != models.ReviewAccepted {
				t.Fatalf("confirmed accept: %+v, %v", an, err)
			}
		})
		t.Run("the bulk accept takes the confirmed answer only, once", func(t *testing.T) {
			if _, err := models.BulkAcceptConfirmed(ctx, db, w.officer2, tn.ID, attNow); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("another buyer's officer got %v", err)
			}
			if _, err := models.BulkAcceptConfirmed(ctx, db, w.auditor, tn.ID, attNow); !errors.Is(err, models.ErrForbidden) {
				t.Errorf("an auditor got %v", err)
			}
			for i, want := range []int{1, 0} {
				n, err := models.BulkAcceptConfirmed(ctx, db, w.officer, tn.ID, attNow)
				if err != nil || n != want {
					t.Errorf("bulk accept %d: %d, %v; want %d", i+1, n, err, want)
				}
			}
		})
	})
}
