package models_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// TestATenderReportHoldsWhatWasDeclared: the comply-or-explain report
// reads each supplier's latest submitted version, never a draft: a draft
// never submitted shows no answers, a reopened one those it submitted
// before, not the edits since.
func TestATenderReportHoldsWhatWasDeclared(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		tn, a := w.invited(t, "Declared")
		https, dnssec := tn.Requirements[0].ID, tn.Requirements[1].ID
		answer := func(rid uint, in models.AnswerInput) {
			t.Helper()
			if _, err := models.SaveAnswer(ctx, db, w.vendor, a.ID, rid, in, attNow); err != nil {
				t.Fatal(err)
			}
		}
		explanations := func(step string) map[uint]string {
			t.Helper()
			r, err := models.LoadTenderReport(ctx, db, tn.ID)
			if err != nil || len(r.Attestations) != 1 {
				t.Fatalf("%s: %v", step, err)
			}
			out := map[uint]string{}
			for _, an := range r.Attestations[0].Answers {
				out[an.RequirementID] = an.Status + ": " + an.Explanation
			}
			return out
		}
		answer(https, models.AnswerInput{Status: "complies"})
		answer(dnssec, models.AnswerInput{Status: "partial", Explanation: "Signing in Q2", PlannedDate: "2026-06-30"})
		if got := explanations("a draft never submitted"); len(got) != 0 {
			t.Errorf("a draft never submitted shows %v", got)
		}
		if _, err := models.SetScope(ctx, db, w.vendor, a.ID, []string{"example.nl"}, nil, nil, attNow); err != nil {
			t.Fatal(err)
		}
		if _, err := models.Submit(ctx, db, w.vendor, a.ID, models.SubmitInput{Declaration: true, Declarer: "Vera Vendor"}, attNow); err != nil {
			t.Fatal(err)
		}
		if _, err := models.Reopen(ctx, db, w.vendor, a.ID, nil, attNow); err != nil {
			t.Fatal(err)
		}
		answer(dnssec, models.AnswerInput{Status: "does_not_comply", Explanation: "Edited after submitting", PlannedDate: "2026-09-30"})
		if got := explanations("a reopened attestation"); got[dnssec] != "partial: Signing in Q2" || got[https] != "complies: " {
			t.Errorf("a reopened attestation shows %v, want its submitted answers", got)
		}
	})
}
