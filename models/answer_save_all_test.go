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

// TestSaveAnswers covers the answer page's "Save all": every changed
// answer in one go, the valid ones saved when others are refused, nothing
// written for what did not change, and the page's authorisation.
func TestSaveAnswers(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)

		answer := func(t *testing.T, attID, rid uint) models.Answer {
			t.Helper()
			a, err := models.FindAttestation(ctx, db, attID)
			if err != nil {
				t.Fatal(err)
			}
			for _, an := range a.Answers {
				if an.RequirementID == rid {
					return an
				}
			}
			t.Fatalf("no answer to requirement %d", rid)
			return models.Answer{}
		}

		t.Run("several answers are saved at once", func(t *testing.T) {
			tn, a := w.invited(t, "Save all at once")
			https, dnssec := tn.Requirements[0].ID, tn.Requirements[1].ID
			res, err := models.SaveAnswers(ctx, db, w.vendor, a.ID, []models.AnswerDraft{
				{RequirementID: https, AnswerInput: models.AnswerInput{Status: models.AnswerComplies, EvidenceURL: "https://example.test/tls-report"}},
				{RequirementID: dnssec, AnswerInput: models.AnswerInput{Status: models.AnswerPartial, Explanation: "Signed from June.", PlannedDate: "2026-06-30"}},
			}, attNow)
			if err != nil || len(res.Saved) != 2 || len(res.Refused) != 0 {
				t.Fatalf("saved %v, refused %v, err %v", res, res.Refused, err)
			}
			if an := answer(t, a.ID, https); an.Status != models.AnswerComplies || len(an.Evidence) != 1 || an.Evidence[0].URL != "https://example.test/tls-report" {
				t.Errorf("https answer %+v", an)
			}
			if an := answer(t, a.ID, dnssec); an.Status != models.AnswerPartial || an.Explanation != "Signed from June." || an.PlannedDate != "2026-06-30" {
				t.Errorf("dnssec answer %+v", an)
			}
		})

		t.Run("a partly invalid page saves its valid answers and names the refused ones", func(t *testing.T) {
			tn, a := w.invited(t, "Save all partly invalid")
			https, dnssec := tn.Requirements[0].ID, tn.Requirements[1].ID
			res, err := models.SaveAnswers(ctx, db, w.vendor, a.ID, []models.AnswerDraft{
				{RequirementID: https, AnswerInput: models.AnswerInput{Status: models.AnswerComplies}},
				{RequirementID: dnssec, AnswerInput: models.AnswerInput{Status: models.AnswerDoesNotComply}},
			}, attNow)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Saved) != 1 || res.Saved[0] != https {
				t.Errorf("saved %v, want only the valid https answer", res.Saved)
			}
			if fieldOf(res.Refused[dnssec]) != "explanation" {
				t.Errorf("refused %v, want the dnssec answer's explanation", res.Refused)
			}
			if an := answer(t, a.ID, dnssec); an.Answered() {
				t.Errorf("the refused answer was stored: %+v", an)
			}
		})

		t.Run("an answer that did not change is not written again", func(t *testing.T) {
			tn, a := w.invited(t, "Save all unchanged")
			https := tn.Requirements[0].ID
			draft := []models.AnswerDraft{{RequirementID: https, AnswerInput: models.AnswerInput{Status: models.AnswerComplies}}}
			if _, err := models.SaveAnswers(ctx, db, w.vendor, a.ID, draft, attNow); err != nil {
				t.Fatal(err)
			}
			before := answer(t, a.ID, https).LockVersion
			// The same page sent again with the lock it was loaded with.
			draft[0].LockVersion = intp(before - 1)
			res, err := models.SaveAnswers(ctx, db, w.vendor, a.ID, draft, attNow)
			if err != nil || len(res.Saved) != 0 || len(res.Refused) != 0 {
				t.Fatalf("saved %v, refused %v, err %v", res.Saved, res.Refused, err)
			}
			if after := answer(t, a.ID, https).LockVersion; after != before {
				t.Errorf("lock version %d → %d for an unchanged answer", before, after)
			}
		})

		t.Run("a change made from a stale page is refused for that answer only", func(t *testing.T) {
			tn, a := w.invited(t, "Save all stale")
			https, dnssec := tn.Requirements[0].ID, tn.Requirements[1].ID
			res, err := models.SaveAnswers(ctx, db, w.vendor, a.ID, []models.AnswerDraft{
				{RequirementID: https, AnswerInput: models.AnswerInput{Status: models.AnswerNotApplicable, Explanation: "No web site.", LockVersion: intp(99)}},
				{RequirementID: dnssec, AnswerInput: models.AnswerInput{Status: models.AnswerComplies, LockVersion: intp(1)}},
			}, attNow)
			if err != nil {
				t.Fatal(err)
			}
			if !errors.Is(res.Refused[https], models.ErrStale) || len(res.Saved) != 1 || res.Saved[0] != dnssec {
				t.Errorf("saved %v, refused %v", res.Saved, res.Refused)
			}
		})

		t.Run("a stale page overwrites nobody's save, not even the vendor's own from another tab", func(t *testing.T) {
			tn, a := w.invited(t, "Save all own change")
			https := tn.Requirements[0].ID
			colleague := mustUser(t)(models.CreateUser(ctx, db, nil, "colleague@example.test", "Colleague", "correct horse battery 1", models.RoleVendor, &w.supplier.ID, time.Now()))
			if _, err := models.SaveAnswer(ctx, db, w.vendor, a.ID, https, models.AnswerInput{Status: models.AnswerComplies}, attNow); err != nil {
				t.Fatal(err)
			}
			// A tab loaded before that save sends version 1.
			otherTab := []models.AnswerDraft{{RequirementID: https, AnswerInput: models.AnswerInput{Status: models.AnswerNotApplicable, Explanation: "From the other tab.", LockVersion: intp(1)}}}
			if res, err := models.SaveAnswers(ctx, db, w.vendor, a.ID, otherTab, attNow); err != nil || !errors.Is(res.Refused[https], models.ErrStale) {
				t.Fatalf("the vendor's other tab: saved %v, refused %v, %v", res.Saved, res.Refused, err)
			}
			mine := []models.AnswerDraft{{RequirementID: https, AnswerInput: models.AnswerInput{Status: models.AnswerPartial, Explanation: "Typed last.", LockVersion: intp(2)}}}
			if res, err := models.SaveAnswers(ctx, db, w.vendor, a.ID, mine, attNow); err != nil || len(res.Saved) != 1 {
				t.Fatalf("the vendor's current page: saved %v, refused %v, %v", res.Saved, res.Refused, err)
			}
			theirs := []models.AnswerDraft{{RequirementID: https, AnswerInput: models.AnswerInput{Status: models.AnswerNotApplicable, Explanation: "From an old page.", LockVersion: intp(1)}}}
			if res, err := models.SaveAnswers(ctx, db, colleague, a.ID, theirs, attNow); err != nil || !errors.Is(res.Refused[https], models.ErrStale) {
				t.Fatalf("a colleague's stale page: saved %v, refused %v, %v", res.Saved, res.Refused, err)
			}
			if an := answer(t, a.ID, https); an.Explanation != "Typed last." {
				t.Errorf("stored %+v", an)
			}
		})

		t.Run("an empty answer with typed text asks for a choice", func(t *testing.T) {
			tn, a := w.invited(t, "Save all no status")
			res, err := models.SaveAnswers(ctx, db, w.vendor, a.ID, []models.AnswerDraft{
				{RequirementID: tn.Requirements[0].ID, AnswerInput: models.AnswerInput{Explanation: "Typed before choosing."}},
				{RequirementID: tn.Requirements[1].ID},
			}, attNow)
			if err != nil {
				t.Fatal(err)
			}
			var ve *models.ValidationError
			if !errors.As(res.Refused[tn.Requirements[0].ID], &ve) || ve.Field != "status" || ve.Code != "choose_answer" {
				t.Errorf("refused %v, want status choose_answer", res.Refused)
			}
			if len(res.Refused) != 1 || len(res.Saved) != 0 {
				t.Errorf("an untouched requirement was saved or refused: saved %v refused %v", res.Saved, res.Refused)
			}
		})

		t.Run("only a vendor of the supplier may save the page", func(t *testing.T) {
			tn, a := w.invited(t, "Save all outsiders")
			draft := []models.AnswerDraft{{RequirementID: tn.Requirements[0].ID, AnswerInput: models.AnswerInput{Status: models.AnswerComplies}}}
			for _, u := range []*models.User{w.officer, w.auditor, w.admin} {
				var fe *models.ForbiddenError
				if _, err := models.SaveAnswers(ctx, db, u, a.ID, draft, attNow); !errors.As(err, &fe) {
					t.Errorf("%s saved the page: %v", u.Email, err)
				}
			}
			if an := answer(t, a.ID, tn.Requirements[0].ID); an.Answered() {
				t.Errorf("an outsider's answer was stored: %+v", an)
			}
		})

		t.Run("a requirement not on the attestation refuses the page", func(t *testing.T) {
			_, a := w.invited(t, "Save all unknown requirement")
			_, err := models.SaveAnswers(ctx, db, w.vendor, a.ID, []models.AnswerDraft{{RequirementID: 999999, AnswerInput: models.AnswerInput{Status: models.AnswerComplies}}}, attNow)
			if !errors.Is(err, models.ErrNotFound) {
				t.Errorf("got %v, want ErrNotFound", err)
			}
		})
	})
}
