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

// The rule methods need no database: these tables build tenders,
// attestations and users in memory. TestModelsApplyTheRules checks on
// SQLite and PostgreSQL that the functions that change data refuse what
// the rules refuse.

var (
	ruleNow      = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	ruleDeadline = ruleNow.Add(24 * time.Hour)
	buyerOrg     = uint(1)
	otherBuyer   = uint(2)
	supplierOrg  = uint(10)
	otherSupp    = uint(11)

	theVendor      = &models.User{ID: 1, Role: models.RoleVendor, OrgID: &supplierOrg}
	otherVendor    = &models.User{ID: 2, Role: models.RoleVendor, OrgID: &otherSupp}
	disabledVendor = &models.User{ID: 3, Role: models.RoleVendor, OrgID: &supplierOrg, Disabled: true}
	theOfficer     = &models.User{ID: 4, Role: models.RoleOfficer, OrgID: &buyerOrg}
	otherOfficer   = &models.User{ID: 5, Role: models.RoleOfficer, OrgID: &otherBuyer}
	disabledOff    = &models.User{ID: 6, Role: models.RoleOfficer, OrgID: &buyerOrg, Disabled: true}
	anAdmin        = &models.User{ID: 7, Role: models.RoleAdmin}
	anAuditor      = &models.User{ID: 8, Role: models.RoleAuditor}

	notVendor = &models.ForbiddenError{Code: "not_vendor"}
	notBuyer  = &models.ForbiddenError{Code: "not_buyer"}
)

// ruleTender is a tender of buyerOrg in status, due at deadline (nil: no deadline).
func ruleTender(status string, deadline *time.Time) *models.Tender {
	return &models.Tender{ID: 1, BuyerOrgID: buyerOrg, Status: status, Deadline: deadline}
}

// ruleAttestation is supplierOrg's attestation in status on a published
// tender due at ruleDeadline.
func ruleAttestation(status string) *models.Attestation {
	return &models.Attestation{ID: 1, TenderID: 1, SupplierOrgID: supplierOrg, Status: status,
		Tender: ruleTender(models.StatusPublished, &ruleDeadline)}
}

func withTender(a *models.Attestation, status string) *models.Attestation {
	a.Tender.Status = status
	return a
}

// checkRule compares a rule's answer with want: nil, or an error it must
// match with errors.Is.
func checkRule(t *testing.T, got, want error) {
	t.Helper()
	if want == nil && got != nil || want != nil && !errors.Is(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

type ruleCase struct {
	name string
	a    *models.Attestation
	u    *models.User
	now  time.Time
	want error
}

func TestAttestationEditableBy(t *testing.T) {
	t.Parallel()
	after := ruleDeadline.Add(time.Minute)
	for _, c := range []ruleCase{
		{"the vendor before the deadline may edit the draft", ruleAttestation(models.AttestationDraft), theVendor, ruleNow, nil},
		{"the vendor may edit when the tender has no deadline", &models.Attestation{SupplierOrgID: supplierOrg, Status: models.AttestationDraft,
			Tender: ruleTender(models.StatusPublished, nil)}, theVendor, after, nil},
		{"the vendor after the deadline may not", ruleAttestation(models.AttestationDraft), theVendor, after, models.ErrDeadlinePassed},
		{"another supplier's vendor may not", ruleAttestation(models.AttestationDraft), otherVendor, ruleNow, notVendor},
		{"a disabled vendor of the supplier may not", ruleAttestation(models.AttestationDraft), disabledVendor, ruleNow, notVendor},
		{"the buyer's officer may not", ruleAttestation(models.AttestationDraft), theOfficer, ruleNow, notVendor},
		{"an admin may not", ruleAttestation(models.AttestationDraft), anAdmin, ruleNow, notVendor},
		{"a visitor may not", ruleAttestation(models.AttestationDraft), nil, ruleNow, notVendor},
		{"after submission the vendor may not", ruleAttestation(models.AttestationSubmitted), theVendor, ruleNow, models.ErrAttestationLocked},
		{"on a closed tender the vendor may not", withTender(ruleAttestation(models.AttestationDraft), models.StatusClosed), theVendor, ruleNow, models.ErrTenderNotOpen},
		{"on a withdrawn tender the vendor may not", withTender(ruleAttestation(models.AttestationDraft), models.StatusWithdrawn), theVendor, ruleNow, models.ErrTenderNotOpen},
	} {
		t.Run(c.name, func(t *testing.T) { checkRule(t, c.a.EditableBy(c.u, c.now), c.want) })
	}
}

func TestAttestationSubmittableBy(t *testing.T) {
	t.Parallel()
	for _, c := range []ruleCase{
		{"the vendor before the deadline may submit the draft", ruleAttestation(models.AttestationDraft), theVendor, ruleNow, nil},
		{"the vendor after the deadline may not", ruleAttestation(models.AttestationDraft), theVendor, ruleDeadline.Add(time.Second), models.ErrDeadlinePassed},
		{"another supplier's vendor may not", ruleAttestation(models.AttestationDraft), otherVendor, ruleNow, notVendor},
		{"the buyer's officer may not", ruleAttestation(models.AttestationDraft), theOfficer, ruleNow, notVendor},
		{"a submitted version may not be submitted again", ruleAttestation(models.AttestationSubmitted), theVendor, ruleNow, models.ErrAttestationLocked},
	} {
		t.Run(c.name, func(t *testing.T) { checkRule(t, c.a.SubmittableBy(c.u, c.now), c.want) })
	}
}

func TestAttestationReopenableBy(t *testing.T) {
	t.Parallel()
	for _, c := range []ruleCase{
		{"the vendor may reopen a submitted attestation before the deadline", ruleAttestation(models.AttestationSubmitted), theVendor, ruleNow, nil},
		{"the vendor may not reopen after the deadline", ruleAttestation(models.AttestationSubmitted), theVendor, ruleDeadline.Add(time.Second), models.ErrDeadlinePassed},
		{"a draft cannot be reopened", ruleAttestation(models.AttestationDraft), theVendor, ruleNow, models.ErrNotSubmitted},
		{"another supplier's vendor may not", ruleAttestation(models.AttestationSubmitted), otherVendor, ruleNow, notVendor},
		{"the buyer's officer may not", ruleAttestation(models.AttestationSubmitted), theOfficer, ruleNow, notVendor},
		{"nothing is reopened on a closed tender", withTender(ruleAttestation(models.AttestationSubmitted), models.StatusClosed), theVendor, ruleNow, models.ErrTenderNotOpen},
	} {
		t.Run(c.name, func(t *testing.T) { checkRule(t, c.a.ReopenableBy(c.u, c.now), c.want) })
	}
}

func TestAttestationReviewableBy(t *testing.T) {
	t.Parallel()
	for _, c := range []ruleCase{
		{"the buyer's officer may review a submitted attestation", ruleAttestation(models.AttestationSubmitted), theOfficer, ruleNow, nil},
		{"an admin may review", ruleAttestation(models.AttestationSubmitted), anAdmin, ruleNow, nil},
		{"the buyer's officer may review after the tender closed", withTender(ruleAttestation(models.AttestationSubmitted), models.StatusClosed), theOfficer, ruleNow, nil},
		{"a draft cannot be reviewed", ruleAttestation(models.AttestationDraft), theOfficer, ruleNow, models.ErrNotSubmitted},
		{"an officer of another buyer may not", ruleAttestation(models.AttestationSubmitted), otherOfficer, ruleNow, notBuyer},
		{"a disabled officer of the buyer may not", ruleAttestation(models.AttestationSubmitted), disabledOff, ruleNow, notBuyer},
		{"the supplier's vendor may not review its own answers", ruleAttestation(models.AttestationSubmitted), theVendor, ruleNow, notBuyer},
		{"an auditor may not", ruleAttestation(models.AttestationSubmitted), anAuditor, ruleNow, notBuyer},
	} {
		t.Run(c.name, func(t *testing.T) {
			checkRule(t, c.a.ReviewableBy(c.u), c.want)
			checkRule(t, c.a.VerifiableBy(c.u), c.want)
		})
	}
}

func TestAttestationClarifiableBy(t *testing.T) {
	t.Parallel()
	asked := &models.Answer{ReviewStatus: models.ReviewClarification}
	pending := &models.Answer{ReviewStatus: models.ReviewPending}
	for _, c := range []struct {
		name string
		a    *models.Attestation
		an   *models.Answer
		u    *models.User
		want error
	}{
		{"the vendor may clarify an answer the officer asked about", ruleAttestation(models.AttestationSubmitted), asked, theVendor, nil},
		{"the vendor may clarify after the tender closed", withTender(ruleAttestation(models.AttestationSubmitted), models.StatusClosed), asked, theVendor, nil},
		{"an answer nobody asked about cannot be clarified", ruleAttestation(models.AttestationSubmitted), pending, theVendor, &models.StateError{Code: "no_clarification_asked"}},
		{"a draft cannot be clarified", ruleAttestation(models.AttestationDraft), asked, theVendor, models.ErrNotSubmitted},
		{"another supplier's vendor may not", ruleAttestation(models.AttestationSubmitted), asked, otherVendor, notVendor},
		{"the buyer's officer may not answer for the vendor", ruleAttestation(models.AttestationSubmitted), asked, theOfficer, notVendor},
	} {
		t.Run(c.name, func(t *testing.T) { checkRule(t, c.a.ClarifiableBy(c.u, c.an), c.want) })
	}
}

func TestTenderRules(t *testing.T) {
	t.Parallel()
	after := ruleDeadline.Add(time.Second)
	draft := ruleTender(models.StatusDraft, &ruleDeadline)
	published := ruleTender(models.StatusPublished, &ruleDeadline)
	closed := ruleTender(models.StatusClosed, &ruleDeadline)
	for _, c := range []struct {
		name string
		rule func() error
		want error
	}{
		{"the buyer's officer manages its tender", func() error { return published.ManageableBy(theOfficer) }, nil},
		{"an admin manages any tender", func() error { return published.ManageableBy(anAdmin) }, nil},
		{"an officer of another buyer does not manage it", func() error { return published.ManageableBy(otherOfficer) }, notBuyer},
		{"a disabled officer of the buyer does not manage it", func() error { return published.ManageableBy(disabledOff) }, notBuyer},
		{"an auditor does not manage it", func() error { return published.ManageableBy(anAuditor) }, notBuyer},
		{"a vendor does not manage it", func() error { return published.ManageableBy(theVendor) }, notBuyer},
		{"a visitor does not manage it", func() error { return published.ManageableBy(nil) }, notBuyer},

		{"the buyer's officer may edit a draft", func() error { return draft.EditableBy(theOfficer) }, nil},
		{"a published tender cannot be edited", func() error { return published.EditableBy(theOfficer) }, models.ErrLocked},
		{"an officer of another buyer may not edit a draft", func() error { return draft.EditableBy(otherOfficer) }, notBuyer},
		{"an auditor may not edit a draft", func() error { return draft.EditableBy(anAuditor) }, notBuyer},

		{"the buyer's officer may amend a published tender", func() error { return published.AmendableBy(theOfficer) }, nil},
		{"a draft is edited, not amended", func() error { return draft.AmendableBy(theOfficer) }, &models.StateError{Code: "not_published"}},
		{"a closed tender is past amending", func() error { return closed.AmendableBy(theOfficer) }, models.ErrConflict},
		{"an officer of another buyer may not amend", func() error { return published.AmendableBy(otherOfficer) }, notBuyer},

		{"the buyer's officer may invite before the deadline", func() error { return published.InvitableBy(theOfficer, ruleNow) }, nil},
		{"nobody is invited after the deadline", func() error { return published.InvitableBy(theOfficer, after) }, models.ErrDeadlinePassed},
		{"nobody is invited to a draft", func() error { return draft.InvitableBy(theOfficer, ruleNow) }, models.ErrTenderNotOpen},
		{"nobody is invited to a closed tender", func() error { return closed.InvitableBy(anAdmin, ruleNow) }, models.ErrTenderNotOpen},
		{"a vendor may not invite", func() error { return published.InvitableBy(theVendor, ruleNow) }, notBuyer},

		{"the buyer's officer may read every supplier's answers", func() error { return published.AnswersReadableBy(theOfficer) }, nil},
		{"an auditor may read every supplier's answers", func() error { return published.AnswersReadableBy(anAuditor) }, nil},
		{"a vendor may not read the other suppliers' answers", func() error { return published.AnswersReadableBy(theVendor) },
			&models.ForbiddenError{Code: "vendor_matrix"}},
	} {
		t.Run(c.name, func(t *testing.T) { checkRule(t, c.rule(), c.want) })
	}
}

// TestModelsApplyTheRules checks that the functions that change data ask
// the rules, inside their transactions, and change nothing when refused.
func TestModelsApplyTheRules(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		tn, a := w.invited(t, "Rules")
		other, err := models.CreateOrg(ctx, db, nil, "Other Supplier", models.OrgSupplier, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		stranger := mustUser(t)(models.CreateUser(ctx, db, nil, "stranger@example.test", "Stranger", "correct horse battery 1", models.RoleVendor, &other.ID, time.Now()))
		https := a.Answers[0].RequirementID
		answer := models.AnswerInput{Status: models.AnswerComplies}
		afterDeadline := tn.Deadline.Add(time.Minute)

		refused := []struct {
			name string
			do   func() error
			want error
		}{
			{"another supplier's vendor may not save an answer", func() error {
				_, err := models.SaveAnswer(ctx, db, stranger, a.ID, https, answer, attNow)
				return err
			}, notVendor},
			{"the buyer's officer may not save an answer", func() error {
				_, err := models.SaveAnswer(ctx, db, w.officer, a.ID, https, answer, attNow)
				return err
			}, notVendor},
			{"the vendor may not save an answer after the deadline", func() error {
				_, err := models.SaveAnswer(ctx, db, w.vendor, a.ID, https, answer, afterDeadline)
				return err
			}, models.ErrDeadlinePassed},
			{"the vendor may not change the scope after the deadline", func() error {
				_, err := models.SetScope(ctx, db, w.vendor, a.ID, []string{"example.nl"}, nil, nil, afterDeadline)
				return err
			}, models.ErrDeadlinePassed},
			{"the buyer's officer may not submit", func() error {
				_, err := models.Submit(ctx, db, w.officer, a.ID, models.SubmitInput{Declaration: true, Declarer: "O"}, attNow)
				return err
			}, notVendor},
			{"a draft cannot be reopened", func() error {
				_, err := models.Reopen(ctx, db, w.vendor, a.ID, nil, attNow)
				return err
			}, models.ErrNotSubmitted},
			{"a draft cannot be reviewed", func() error {
				_, err := models.ReviewAnswer(ctx, db, w.officer, a.ID, https, models.ReviewDecision{Decision: "accept"}, attNow)
				return err
			}, models.ErrNotSubmitted},
			{"the vendor may not ask for a verification", func() error {
				_, err := models.EnqueueRun(ctx, db, a.ID, models.RunReasonManual, w.vendor, attNow)
				return err
			}, notBuyer},
			{"an officer of another buyer may not invite", func() error {
				_, err := models.InviteToTender(ctx, db, w.officer2, tn.ID, models.InviteInput{Email: "x@new.test"}, time.Hour, attNow)
				return err
			}, notBuyer},
			{"nobody is invited after the deadline", func() error {
				_, err := models.InviteToTender(ctx, db, w.officer, tn.ID, models.InviteInput{Email: "x@new.test"}, time.Hour, afterDeadline)
				return err
			}, models.ErrDeadlinePassed},
			{"an auditor may not amend", func() error {
				_, err := models.AmendTender(ctx, db, w.auditor, tn.ID, time.Now())
				return err
			}, notBuyer},
			{"an auditor may see but not manage the tender", func() error {
				_, err := models.FindTenderToManage(ctx, db, w.auditor, tn.ID)
				return err
			}, notBuyer},
			{"the invited vendor may see but not manage the tender", func() error {
				_, err := models.FindTenderToManage(ctx, db, w.vendor, tn.ID)
				return err
			}, notBuyer},
			{"an officer of another buyer does not even see the tender", func() error {
				_, err := models.FindTenderToManage(ctx, db, w.officer2, tn.ID)
				return err
			}, models.ErrNotFound},
		}
		before := auditCount(t, db)
		for _, c := range refused {
			t.Run(c.name, func(t *testing.T) { checkRule(t, c.do(), c.want) })
		}
		if after := auditCount(t, db); after != before {
			t.Errorf("refused calls wrote %d audit entries", after-before)
		}

		t.Run("after submission the vendor may not save, the officer may review and ask for a verification", func(t *testing.T) {
			for _, an := range a.Answers {
				if _, err := models.SaveAnswer(ctx, db, w.vendor, a.ID, an.RequirementID, answer, attNow); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := models.Submit(ctx, db, w.vendor, a.ID, models.SubmitInput{Declaration: true, Declarer: "V"}, attNow); err != nil {
				t.Fatal(err)
			}
			_, err := models.SaveAnswer(ctx, db, w.vendor, a.ID, https, answer, attNow)
			checkRule(t, err, models.ErrAttestationLocked)
			_, err = models.ReviewAnswer(ctx, db, w.officer2, a.ID, https, models.ReviewDecision{Decision: "accept"}, attNow)
			checkRule(t, err, notBuyer)
			_, err = models.ReplyToReview(ctx, db, w.vendor, a.ID, https, "nobody asked", attNow)
			checkRule(t, err, &models.StateError{Code: "no_clarification_asked"})
			_, err = models.ReviewAnswer(ctx, db, w.officer, a.ID, https, models.ReviewDecision{Decision: "accept"}, attNow)
			checkRule(t, err, nil)
			_, err = models.EnqueueRun(ctx, db, a.ID, models.RunReasonManual, w.officer, attNow)
			checkRule(t, err, nil)
		})
	})
}

func auditCount(t *testing.T, db *gorm.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Model(&models.AuditEntry{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
