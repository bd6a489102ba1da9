package models

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"tenderprobe/app/receipt"
)

// MaxDeclarerLength bounds the name a vendor types under the declaration.
const MaxDeclarerLength = 200

// Submission is the receipt of one submitted version: the SHA-256 of the
// canonical JSON of what was declared, and that JSON itself so it can be
// downloaded and compared later.
type Submission struct {
	ID            uint         `gorm:"primaryKey" json:"id"`
	AttestationID uint         `gorm:"not null;uniqueIndex:idx_submission_version,priority:1" json:"attestation_id"`
	Attestation   *Attestation `gorm:"constraint:OnDelete:CASCADE" json:"-"`
	Version       int          `gorm:"not null;uniqueIndex:idx_submission_version,priority:2" json:"version"`
	Declarer      string       `gorm:"size:200;not null" json:"declarer"`
	SubmittedByID uint         `gorm:"not null" json:"submitted_by_id"`
	SubmittedBy   *User        `gorm:"constraint:OnDelete:RESTRICT" json:"-"`
	SubmittedAt   time.Time    `gorm:"not null" json:"submitted_at"`
	Receipt       string       `gorm:"size:64;not null;index" json:"receipt"`
	Canonical     string       `gorm:"type:text;not null" json:"-"`
	// Amendment is set when the version was made by amending one answer
	// after the officer asked for clarification.
	AmendedRequirementID *uint `json:"amended_requirement_id,omitempty"`
}

// Receipt returns the submission of the current version, or nil for a draft.
func (a *Attestation) Receipt() *Submission {
	for i := range a.Submissions {
		if a.Submissions[i].Version == a.Version && a.Submitted() {
			return &a.Submissions[i]
		}
	}
	return nil
}

// SubmitInput is the vendor's declaration.
type SubmitInput struct {
	Declaration bool
	Declarer    string
	LockVersion *int
}

// Submit locks the current draft version and stores its receipt. It is
// refused with a *MissingError until every requirement is answered (with an
// explanation where needed), the declaration is ticked and the declarer's
// name typed; with ErrDeadlinePassed after the deadline; with ErrStale when
// LockVersion is set and anything changed since.
func Submit(ctx context.Context, db *gorm.DB, by *User, attID uint, in SubmitInput, now time.Time) (*Submission, error) {
	in.Declarer = strings.TrimSpace(in.Declarer)
	var out *Submission
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := lockAttestation(tx, attID)
		if err != nil {
			return err
		}
		if err := a.SubmittableBy(by, now); err != nil {
			return wrap(err, "submit attestation %d", attID)
		}
		if in.LockVersion != nil && *in.LockVersion != a.LockVersion {
			return wrap(ErrStale, "submit attestation %d", attID)
		}
		answers, err := versionAnswers(tx, a.ID, a.Version)
		if err != nil {
			return err
		}
		var missing []Problem
		for _, an := range answers {
			switch {
			case !an.Answered():
				missing = append(missing, requirementProblem("unanswered", &an))
			case an.Status != AnswerComplies && strings.TrimSpace(an.Explanation) == "":
				missing = append(missing, requirementProblem("explanation", &an))
			}
		}
		missing = append(missing, in.missing()...)
		if len(missing) > 0 {
			return &MissingError{Missing: missing}
		}
		out, err = storeSubmission(tx, by, a, in.Declarer, nil, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// storeSubmission computes the receipt of a's current version, stores it
// and marks the attestation submitted, all inside tx.
func storeSubmission(tx *gorm.DB, by *User, a *Attestation, declarer string, amended *uint, now time.Time) (*Submission, error) {
	now = now.UTC()
	sub := &Submission{AttestationID: a.ID, Version: a.Version, Declarer: declarer, SubmittedByID: by.ID,
		SubmittedAt: now, AmendedRequirementID: amended}
	doc, err := receiptDocument(tx, a.ID, sub, by.Email)
	if err != nil {
		return nil, err
	}
	canonical, sum, err := receipt.Compute(doc)
	if err != nil {
		return nil, err
	}
	sub.Receipt, sub.Canonical = sum, string(canonical)
	if err := tx.Create(sub).Error; err != nil {
		return nil, wrap(err, "attestation %d: store receipt", a.ID)
	}
	if _, err := enqueueRun(tx, a, RunReasonSubmitted, by, now); err != nil {
		return nil, err
	}
	res := tx.Model(&Attestation{}).Where("id = ? AND lock_version = ?", a.ID, a.LockVersion).Updates(map[string]any{
		"status": AttestationSubmitted, "submitted_at": now, "lock_version": a.LockVersion + 1, "updated_at": now,
	})
	if res.Error != nil {
		return nil, wrap(res.Error, "submit attestation %d", a.ID)
	}
	if res.RowsAffected != 1 {
		return nil, wrap(ErrStale, "submit attestation %d", a.ID)
	}
	action := "attestation.submit"
	if amended != nil {
		action = "attestation.amend"
	}
	err = writeAudit(tx, by, now, AuditEntry{Action: action, ObjectType: "attestation", ObjectID: a.ID, AttestationID: &a.ID, TenderID: &a.TenderID},
		map[string]any{"status": a.Status, "version": a.Version},
		map[string]any{"status": AttestationSubmitted, "version": a.Version, "receipt": sum, "declarer": declarer})
	if err != nil {
		return nil, err
	}
	return sub, nil
}

// requirementProblem names the requirement of answer an in a Problem:
// its id, its position on the sheet and its standard's name.
func requirementProblem(code string, an *Answer) Problem {
	p := problem(code, "requirement_id", an.RequirementID)
	if an.Requirement != nil {
		p.Params["position"] = an.Requirement.Position
		if an.Requirement.Standard != nil {
			p.Params["standard"] = NameOf(an.Requirement.Standard)
		}
	}
	return p
}

// missing lists what the declaration lacks: the tick and the declarer's
// name, which must fit MaxDeclarerLength.
func (in SubmitInput) missing() []Problem {
	var out []Problem
	if !in.Declaration {
		out = append(out, problem("declaration"))
	}
	switch {
	case in.Declarer == "":
		out = append(out, problem("declarer"))
	case utf8.RuneCountInString(in.Declarer) > MaxDeclarerLength:
		out = append(out, problem("declarer_too_long", "max", MaxDeclarerLength))
	}
	return out
}

// Reopen turns the submitted current version into a new draft version n+1
// with a copy of its answers, evidence and scope, so the vendor can change
// and resubmit before the deadline. Version n and its receipt stay as they
// were. Review statuses start again at pending.
func Reopen(ctx context.Context, db *gorm.DB, by *User, attID uint, lockVersion *int, now time.Time) (*Attestation, error) {
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := lockAttestation(tx, attID)
		if err != nil {
			return err
		}
		if err := a.ReopenableBy(by, now); err != nil {
			return wrap(err, "reopen attestation %d", attID)
		}
		if lockVersion != nil && *lockVersion != a.LockVersion {
			return wrap(ErrStale, "reopen attestation %d", attID)
		}
		if err := copyVersion(tx, a, nil, now); err != nil {
			return err
		}
		res := tx.Model(&Attestation{}).Where("id = ? AND lock_version = ?", a.ID, a.LockVersion).Updates(map[string]any{
			"status": AttestationDraft, "version": a.Version + 1, "lock_version": a.LockVersion + 1,
			"scope_lock": a.ScopeLock + 1, "submitted_at": nil, "updated_at": now,
		})
		if res.Error != nil {
			return wrap(res.Error, "reopen attestation %d", attID)
		}
		if res.RowsAffected != 1 {
			return wrap(ErrStale, "reopen attestation %d", attID)
		}
		return writeAudit(tx, by, now, AuditEntry{Action: "attestation.reopen", ObjectType: "attestation", ObjectID: a.ID, AttestationID: &a.ID, TenderID: &a.TenderID},
			map[string]any{"status": a.Status, "version": a.Version}, map[string]any{"status": AttestationDraft, "version": a.Version + 1})
	})
	if err != nil {
		return nil, err
	}
	return FindAttestation(ctx, db, attID)
}

// copyVersion copies answers (with evidence) and scope of a's current
// version into version a.Version+1. Review statuses reset to pending except
// that keep, when set, names requirements whose review status is kept.
func copyVersion(tx *gorm.DB, a *Attestation, keep func(reqID uint) bool, now time.Time) error {
	answers, err := versionAnswers(tx, a.ID, a.Version)
	if err != nil {
		return err
	}
	if err := loadEvidence(tx.Statement.Context, tx, answers); err != nil {
		return err
	}
	for _, an := range answers {
		review := ReviewPending
		if keep != nil && keep(an.RequirementID) {
			review = an.ReviewStatus
		}
		na := Answer{AttestationID: a.ID, Version: a.Version + 1, RequirementID: an.RequirementID, Status: an.Status,
			Explanation: an.Explanation, PlannedDate: an.PlannedDate, ReviewStatus: review, LockVersion: 1,
			UpdatedByID: an.UpdatedByID, CreatedAt: now, UpdatedAt: now}
		if err := tx.Omit("Attestation", "Requirement").Create(&na).Error; err != nil {
			return wrap(err, "attestation %d: copy answer %d", a.ID, an.ID)
		}
		for _, ev := range an.Evidence {
			ev.ID, ev.AnswerID, ev.CreatedAt = 0, na.ID, now
			if err := tx.Omit("Answer", "UploadedBy").Create(&ev).Error; err != nil {
				return wrap(err, "attestation %d: copy evidence", a.ID)
			}
		}
	}
	var scope []ScopeDomain
	if err := tx.Where("attestation_id = ? AND version = ?", a.ID, a.Version).Find(&scope).Error; err != nil {
		return wrap(err, "attestation %d: scope", a.ID)
	}
	for i := range scope {
		scope[i].ID, scope[i].Version = 0, a.Version+1
	}
	if len(scope) > 0 {
		if err := tx.Omit("Attestation").Create(&scope).Error; err != nil {
			return wrap(err, "attestation %d: copy scope", a.ID)
		}
	}
	return nil
}
