package models

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"tenderprobe/app/i18n"
)

// Answer statuses: the "comply" and the three kinds of "explain".
const (
	AnswerComplies      = "complies"
	AnswerPartial       = "partial"
	AnswerDoesNotComply = "does_not_comply"
	AnswerNotApplicable = "not_applicable"
)

// AnswerStatuses lists the allowed Answer.Status values of an answered requirement.
var AnswerStatuses = []string{AnswerComplies, AnswerPartial, AnswerDoesNotComply, AnswerNotApplicable}

// Review statuses of an answer, set by the buyer's officer after submission.
const (
	ReviewPending       = "pending"
	ReviewAccepted      = "accepted"
	ReviewClarification = "clarification_requested"
)

// Limits on what a vendor types in an answer.
const (
	MaxExplanationLength = 10000
	MaxEvidenceURLLength = 2000
)

// Answer is a supplier's answer to one requirement in one version of an
// attestation. Status "" means not answered yet. LockVersion is the
// optimistic lock of the answer form.
type Answer struct {
	ID            uint         `gorm:"primaryKey" json:"id"`
	AttestationID uint         `gorm:"not null;uniqueIndex:idx_answer_version_requirement,priority:1" json:"attestation_id"`
	Attestation   *Attestation `gorm:"constraint:OnDelete:CASCADE" json:"-"`
	Version       int          `gorm:"not null;uniqueIndex:idx_answer_version_requirement,priority:2" json:"version"`
	RequirementID uint         `gorm:"not null;uniqueIndex:idx_answer_version_requirement,priority:3;index" json:"requirement_id"`
	Requirement   *Requirement `gorm:"constraint:OnDelete:RESTRICT" json:"-"`
	Status        string       `gorm:"size:20;not null;default:''" json:"status"`
	Explanation   string       `gorm:"type:text;not null;default:''" json:"explanation"`
	PlannedDate   string       `gorm:"size:10;not null;default:''" json:"planned_date"`
	ReviewStatus  string       `gorm:"size:30;not null;default:'pending'" json:"review_status"`
	LockVersion   int          `gorm:"not null;default:1" json:"lock_version"`
	UpdatedByID   *uint        `json:"updated_by_id,omitempty"`
	CreatedAt     time.Time    `json:"created_at"`
	UpdatedAt     time.Time    `json:"updated_at"`

	// Evidence is filled by FindAttestation.
	Evidence []Evidence `gorm:"-" json:"evidence"`
}

// Answered reports whether the vendor has chosen a status.
func (a *Answer) Answered() bool { return a.Status != "" }

// NeedsAcceptance reports whether the answer claims a mandatory
// requirement does not apply, which the officer must accept explicitly.
func (a *Answer) NeedsAcceptance() bool {
	return a.Status == AnswerNotApplicable && a.Requirement != nil && a.Requirement.Mandatory()
}

// AnswerInput is what a vendor sends for one answer. LockVersion, when
// set, must equal the answer's current LockVersion (optimistic check).
// EvidenceURL, when not empty, adds a URL as evidence.
type AnswerInput struct {
	Status      string
	Explanation string
	PlannedDate string
	EvidenceURL string
	LockVersion *int
}

// Validate checks the comply-or-explain rules against now (for the
// planned date): a known status, an explanation for everything but
// complies, a planned date only for partial and does_not_comply that is a
// real date not in the past, and an http(s) evidence URL. Every refused
// field is reported at once (ValidationErrors).
func (in *AnswerInput) Validate(now time.Time) error {
	in.Status = strings.TrimSpace(in.Status)
	in.Explanation = strings.TrimSpace(in.Explanation)
	in.PlannedDate = strings.TrimSpace(in.PlannedDate)
	in.EvidenceURL = strings.TrimSpace(in.EvidenceURL)
	var errs ValidationErrors
	known := oneOf(in.Status, AnswerStatuses)
	if !known {
		errs.invalid("status", "not_one_of", "value", in.Status, "allowed", AnswerStatuses)
	}
	switch {
	case known && in.Status != AnswerComplies && in.Explanation == "":
		errs.invalid("explanation", "explanation_required", "status", in.Status)
	case utf8.RuneCountInString(in.Explanation) > MaxExplanationLength:
		errs.invalid("explanation", "too_long", "max", MaxExplanationLength)
	}
	if in.PlannedDate != "" {
		d, err := time.Parse("2006-01-02", in.PlannedDate)
		switch {
		case known && in.Status != AnswerPartial && in.Status != AnswerDoesNotComply:
			errs.invalid("planned_date", "planned_date_not_applicable")
		case err != nil:
			errs.invalid("planned_date", "not_a_date", "value", in.PlannedDate)
		case d.Before(now.UTC().Truncate(24 * time.Hour)):
			errs.invalid("planned_date", "in_the_past", "value", i18n.Day(in.PlannedDate))
		}
	}
	if in.EvidenceURL != "" {
		if err := errs.add(ValidateEvidenceURL(in.EvidenceURL)); err != nil {
			return err
		}
	}
	return errs.err()
}

// ValidateEvidenceURL accepts absolute http and https URLs with a host.
func ValidateEvidenceURL(s string) error {
	if len(s) > MaxEvidenceURLLength {
		return invalid("evidence_url", "too_long", "max", MaxEvidenceURLLength)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return invalid("evidence_url", "not_a_web_url", "value", s)
	}
	return nil
}

// answerSnapshot is an answer as the audit log records it.
type answerSnapshot struct {
	Status      string `json:"status"`
	Explanation string `json:"explanation"`
	PlannedDate string `json:"planned_date"`
	Review      string `json:"review_status"`
	LockVersion int    `json:"lock_version"`
}

func snapshotOf(a *Answer) answerSnapshot {
	return answerSnapshot{a.Status, a.Explanation, a.PlannedDate, a.ReviewStatus, a.LockVersion}
}

// currentAnswer reads the answer to requirement reqID in the current
// version of a.
func currentAnswer(tx *gorm.DB, a *Attestation, reqID uint) (*Answer, error) {
	var an Answer
	err := tx.Preload("Requirement.Standard").
		Where("attestation_id = ? AND version = ? AND requirement_id = ?", a.ID, a.Version, reqID).First(&an).Error
	if err != nil {
		return nil, wrap(err, "attestation %d: answer to requirement %d", a.ID, reqID)
	}
	return &an, nil
}

// versionAnswers returns the answers of one version in sheet order with
// their requirements and standards.
func versionAnswers(tx *gorm.DB, attID uint, version int) ([]Answer, error) {
	var answers []Answer
	err := tx.Preload("Requirement.Standard").Joins("JOIN requirements ON requirements.id = answers.requirement_id").
		Where("answers.attestation_id = ? AND answers.version = ?", attID, version).
		Order("requirements.position, answers.id").Find(&answers).Error
	if err != nil {
		return nil, wrap(err, "attestation %d version %d: answers", attID, version)
	}
	return answers, nil
}

// editableAnswer locks attestation attID, checks EditableBy(by, now)
// and reads the current answer to requirement reqID: the start of every
// change a vendor makes to a draft answer (clarifiable is the start of
// one after submission).
func editableAnswer(tx *gorm.DB, by *User, attID, reqID uint, now time.Time) (*Attestation, *Answer, error) {
	a, err := editableBy(tx, by, attID, now)
	if err != nil {
		return nil, nil, err
	}
	an, err := currentAnswer(tx, a, reqID)
	if err != nil {
		return nil, nil, err
	}
	return a, an, nil
}

// checkLock compares the lock version the vendor's form was made with
// (nil: no check) with the stored one, so a change made from a stale form
// gives ErrStale instead of undoing someone else's.
func (an *Answer) checkLock(form *int) error {
	if form != nil && *form != an.LockVersion {
		return wrap(ErrStale, "answer %d: form has version %d, stored is %d", an.ID, *form, an.LockVersion)
	}
	return nil
}

// bumpAnswer counts one change of answer id that leaves its fields as
// they are (its evidence changed).
func bumpAnswer(tx *gorm.DB, id uint, now time.Time) error {
	err := tx.Model(&Answer{}).Where("id = ?", id).
		Updates(map[string]any{"lock_version": gorm.Expr("lock_version + 1"), "updated_at": now}).Error
	return wrap(err, "answer %d: count change", id)
}

// SaveAnswer stores a vendor's draft answer to requirement reqID of
// attestation attID. A submitted attestation gives ErrAttestationLocked, a
// stale LockVersion ErrStale, a passed deadline ErrDeadlinePassed, a user
// who is not a vendor of the supplier ErrForbidden.
func SaveAnswer(ctx context.Context, db *gorm.DB, by *User, attID, reqID uint, in AnswerInput, now time.Time) (*Answer, error) {
	if err := in.Validate(now); err != nil {
		return nil, err
	}
	var out *Answer
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, an, err := editableAnswer(tx, by, attID, reqID, now)
		if err != nil {
			return err
		}
		if err := an.checkLock(in.LockVersion); err != nil {
			return err
		}
		if err := saveDraft(tx, by, a, an, &in, now); err != nil {
			return err
		}
		if err := bumpAttestation(tx, a, now); err != nil {
			return err
		}
		out = an
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// NeedsEvidence reports whether the answer claims compliance (complies or
// partial) with a standard that no probe can check and carries no evidence
// yet: only a document or a link can back such a claim.
func (a *Answer) NeedsEvidence() bool {
	if a.Status != AnswerComplies && a.Status != AnswerPartial {
		return false
	}
	if a.Requirement == nil || a.Requirement.Standard == nil || !a.Requirement.Standard.AttestationOnly() {
		return false
	}
	return len(a.Evidence) == 0
}

// AnswerDraft is one requirement's answer as sent with the whole page.
type AnswerDraft struct {
	RequirementID uint
	AnswerInput
}

// SavedAnswers is what SaveAnswers did: the requirements whose answers
// changed and, by requirement, why the others were refused (a
// *ValidationError, or ErrStale when the answer changed elsewhere).
type SavedAnswers struct {
	Saved   []uint
	Refused map[uint]error
}

// sameAs reports whether in would leave the answer as it is.
func (a *Answer) sameAs(in *AnswerInput) bool {
	return in.EvidenceURL == "" && in.Status == a.Status && in.Explanation == a.Explanation && in.PlannedDate == a.PlannedDate
}

// checkDraft validates one draft of the page by user by against the
// stored answer: a draft without a chosen answer is only valid while
// nothing is typed and nothing was answered before (the requirement stays
// unanswered); a draft made from a stale page is refused, even when the
// change it missed was by's own: that was another tab's, whose "Saved" it
// would silently undo. (A page's own autosaves keep its versions current,
// and its form waits for one on its way: static/attest.js.)
func (d *AnswerDraft) checkDraft(by *User, stored *Answer, now time.Time) (skip bool, err error) {
	if strings.TrimSpace(d.Status) == "" {
		d.Explanation, d.PlannedDate, d.EvidenceURL = strings.TrimSpace(d.Explanation), strings.TrimSpace(d.PlannedDate), strings.TrimSpace(d.EvidenceURL)
		if d.Explanation == "" && d.PlannedDate == "" && d.EvidenceURL == "" && !stored.Answered() {
			return true, nil
		}
		return false, invalid("status", "choose_answer")
	}
	if err := d.Validate(now); err != nil {
		return false, err
	}
	if stored.sameAs(&d.AnswerInput) {
		return true, nil
	}
	return false, stored.checkLock(d.LockVersion)
}

// SaveAnswers stores, in one transaction, every draft of a vendor's
// answer page that changes its answer, and refuses the others one by one:
// a partly invalid page saves its valid answers, and the refused ones are
// listed so the page can show them again as typed. Drafts that change
// nothing are skipped (no audit entry, no new lock version). A requirement
// not on the attestation gives ErrNotFound; EditableBy's refusals refuse
// the whole page.
func SaveAnswers(ctx context.Context, db *gorm.DB, by *User, attID uint, drafts []AnswerDraft, now time.Time) (*SavedAnswers, error) {
	out := &SavedAnswers{Refused: map[uint]error{}}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		out.Saved, out.Refused = nil, map[uint]error{}
		a, err := editableBy(tx, by, attID, now)
		if err != nil {
			return err
		}
		answers, err := versionAnswers(tx, a.ID, a.Version)
		if err != nil {
			return err
		}
		byReq := make(map[uint]*Answer, len(answers))
		for i := range answers {
			byReq[answers[i].RequirementID] = &answers[i]
		}
		for i := range drafts {
			d := &drafts[i]
			an, ok := byReq[d.RequirementID]
			if !ok {
				return wrap(ErrNotFound, "attestation %d: requirement %d", a.ID, d.RequirementID)
			}
			skip, err := d.checkDraft(by, an, now)
			if err == nil && !skip && d.EvidenceURL != "" {
				err = roomForEvidence(tx, an.ID, "evidence_url")
			}
			if err != nil {
				out.Refused[d.RequirementID] = err
				continue
			}
			if skip {
				continue
			}
			if err := saveDraft(tx, by, a, an, &d.AnswerInput, now); err != nil {
				if errors.Is(err, ErrStale) {
					out.Refused[d.RequirementID] = err
					continue
				}
				return err
			}
			out.Saved = append(out.Saved, d.RequirementID)
		}
		if len(out.Saved) == 0 {
			return nil
		}
		return bumpAttestation(tx, a, now)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// saveDraft writes one validated answer of a's current version inside tx,
// with its evidence URL and audit entry.
func saveDraft(tx *gorm.DB, by *User, a *Attestation, an *Answer, in *AnswerInput, now time.Time) error {
	before := snapshotOf(an)
	res := tx.Model(&Answer{}).Where("id = ? AND lock_version = ?", an.ID, an.LockVersion).Updates(map[string]any{
		"status": in.Status, "explanation": in.Explanation, "planned_date": in.PlannedDate,
		"lock_version": an.LockVersion + 1, "updated_by_id": by.ID, "updated_at": now,
	})
	if res.Error != nil {
		return wrap(res.Error, "save answer %d", an.ID)
	}
	if res.RowsAffected != 1 {
		return wrap(ErrStale, "answer %d", an.ID)
	}
	an.Status, an.Explanation, an.PlannedDate, an.LockVersion = in.Status, in.Explanation, in.PlannedDate, an.LockVersion+1
	if in.EvidenceURL != "" {
		if _, err := addURLEvidence(tx, by, an, in.EvidenceURL, now); err != nil {
			return err
		}
	}
	return writeAudit(tx, by, now, AuditEntry{
		Action: "answer.save", ObjectType: "answer", ObjectID: an.ID, AttestationID: &a.ID, TenderID: &a.TenderID,
	}, before, snapshotOf(an))
}
