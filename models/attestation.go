package models

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"tenderprobe/app/receipt"
)

// Attestation statuses. A draft is being answered; a submitted one is
// locked and carries a receipt. Reopening a submitted attestation makes a
// new draft version; earlier versions stay readable with their receipts.
const (
	AttestationDraft     = "draft"
	AttestationSubmitted = "submitted"
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

// Limits on what a vendor types.
const (
	MaxExplanationLength = 10000
	MaxDeclarerLength    = 200
	MaxEvidenceURLLength = 2000
)

// Attestation is one supplier's answers to one tender's requirement sheet.
// Answers, evidence and scope rows belong to a version; Version is the
// current one. LockVersion counts every change to the current version and
// is the optimistic lock of submit and reopen; ScopeLock guards the scope.
type Attestation struct {
	ID            uint       `gorm:"primaryKey" json:"id"`
	TenderID      uint       `gorm:"not null;uniqueIndex:idx_attestation_tender_supplier,priority:1" json:"tender_id"`
	Tender        *Tender    `gorm:"constraint:OnDelete:RESTRICT" json:"-"`
	SupplierOrgID uint       `gorm:"not null;uniqueIndex:idx_attestation_tender_supplier,priority:2;index" json:"supplier_org_id"`
	SupplierOrg   *Org       `gorm:"constraint:OnDelete:RESTRICT" json:"-"`
	Status        string     `gorm:"size:20;not null;index" json:"status"`
	Version       int        `gorm:"not null;default:1" json:"version"`
	LockVersion   int        `gorm:"not null;default:1" json:"lock_version"`
	ScopeLock     int        `gorm:"not null;default:1" json:"scope_lock"`
	SubmittedAt   *time.Time `json:"submitted_at"`
	// RemindedAt is when the supplier's vendors were last mailed a
	// reminder of the deadline.
	RemindedAt *time.Time `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`

	// Answers, Scope and Submissions are filled by FindAttestation.
	Answers     []Answer      `gorm:"-" json:"-"`
	Scope       []ScopeDomain `gorm:"-" json:"-"`
	Submissions []Submission  `gorm:"-" json:"-"`
}

// Submitted reports whether the current version is submitted and locked.
func (a *Attestation) Submitted() bool { return a.Status == AttestationSubmitted }

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

// ScopeDomain is one domain name an offer covers, for web or mail checks,
// in one version of an attestation. Name is in A-label form.
type ScopeDomain struct {
	ID            uint         `gorm:"primaryKey" json:"-"`
	AttestationID uint         `gorm:"not null;uniqueIndex:idx_scope_domain,priority:1" json:"-"`
	Attestation   *Attestation `gorm:"constraint:OnDelete:CASCADE" json:"-"`
	Version       int          `gorm:"not null;uniqueIndex:idx_scope_domain,priority:2" json:"-"`
	Kind          string       `gorm:"size:10;not null;uniqueIndex:idx_scope_domain,priority:3" json:"kind"`
	Name          string       `gorm:"size:253;not null;uniqueIndex:idx_scope_domain,priority:4" json:"name"`
	Position      int          `gorm:"not null" json:"-"`
}

// Scope kinds.
const (
	ScopeWeb  = "web"
	ScopeMail = "mail"
)

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

// Completeness tells how far an attestation's current version is answered.
type Completeness struct {
	Answered int
	Total    int
}

// Percent returns the share answered, 0 to 100.
func (c Completeness) Percent() int {
	if c.Total == 0 {
		return 100
	}
	return c.Answered * 100 / c.Total
}

// Complete reports whether every requirement has an answer.
func (c Completeness) Complete() bool { return c.Answered == c.Total }

// Completeness counts the answered requirements of the loaded answers.
func (a *Attestation) Completeness() Completeness {
	c := Completeness{Total: len(a.Answers)}
	for i := range a.Answers {
		if a.Answers[i].Answered() {
			c.Answered++
		}
	}
	return c
}

// ScopeNames returns the loaded scope's names of kind (ScopeWeb or ScopeMail).
func (a *Attestation) ScopeNames(kind string) []string {
	out := []string{}
	for _, d := range a.Scope {
		if d.Kind == kind {
			out = append(out, d.Name)
		}
	}
	return out
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

// DeadlinePassed reports whether the tender's deadline is before now.
func (a *Attestation) DeadlinePassed(now time.Time) bool {
	return a.Tender != nil && a.Tender.DeadlinePassed(now)
}

// The rules of who may do what with an attestation and when. Each is
// written once, here, and used by every caller: the models functions that
// make the change check it inside their transaction, and the pages use it
// to offer only what will be allowed. Each needs a.Tender loaded and
// returns nil or the error that says why not: a *ForbiddenError for the
// wrong user, a *StateError (ErrTenderNotOpen, ErrDeadlinePassed,
// ErrAttestationLocked, ErrNotSubmitted, …) for the wrong moment.

// vendor reports whether u is an enabled vendor of a's supplier.
func (a *Attestation) vendor(u *User) bool {
	return u != nil && !u.Disabled && u.Role == RoleVendor && u.OrgID != nil && *u.OrgID == a.SupplierOrgID
}

// takesAnswers says whether a's tender takes answers at now (Tender.open).
func (a *Attestation) takesAnswers(now time.Time) error {
	if a.Tender == nil {
		return ErrTenderNotOpen
	}
	return a.Tender.open(now)
}

// EditableBy says whether u may change the answers, evidence and scope of
// a's current version at now: only a vendor of the supplier, while the
// tender is published and before its deadline, and only a draft
// (ErrAttestationLocked once it is submitted).
func (a *Attestation) EditableBy(u *User, now time.Time) error {
	if !a.vendor(u) {
		return &ForbiddenError{Code: "not_vendor"}
	}
	if err := a.takesAnswers(now); err != nil {
		return err
	}
	if a.Submitted() {
		return ErrAttestationLocked
	}
	return nil
}

// SubmittableBy says whether u may submit a's current version at now.
// Submitting is the last change of a draft, so the rule is EditableBy's;
// whether the answers are complete is Submit's *MissingError.
func (a *Attestation) SubmittableBy(u *User, now time.Time) error {
	return a.EditableBy(u, now)
}

// ReopenableBy says whether u may reopen a at now as a new draft version:
// only a vendor of the supplier, while the tender is published and before
// its deadline, and only a submitted version (ErrNotSubmitted).
func (a *Attestation) ReopenableBy(u *User, now time.Time) error {
	if !a.vendor(u) {
		return &ForbiddenError{Code: "not_vendor"}
	}
	if err := a.takesAnswers(now); err != nil {
		return err
	}
	if !a.Submitted() {
		return ErrNotSubmitted
	}
	return nil
}

// ReviewableBy says whether u may review a's answers (accept them or ask
// for clarification): whoever manages the tender (Tender.ManageableBy),
// once a is submitted. The deadline does not matter: review follows it.
func (a *Attestation) ReviewableBy(u *User) error {
	if err := a.managedBy(u); err != nil {
		return err
	}
	if !a.Submitted() {
		return ErrNotSubmitted
	}
	return nil
}

// VerifiableBy says whether u may ask for a probe run of a: the same
// people as ReviewableBy, for the same submitted versions.
func (a *Attestation) VerifiableBy(u *User) error {
	return a.ReviewableBy(u)
}

// ClarifiableBy says whether u may reply to the review of answer an of a
// or amend it: only a vendor of the supplier, once a is submitted and the
// officer has asked for clarification of an. Clarifying is allowed after
// the deadline, as it answers the buyer's request.
func (a *Attestation) ClarifiableBy(u *User, an *Answer) error {
	if !a.vendor(u) {
		return &ForbiddenError{Code: "not_vendor"}
	}
	if !a.Submitted() {
		return ErrNotSubmitted
	}
	if an.ReviewStatus != ReviewClarification {
		return newState("no_clarification_asked")
	}
	return nil
}

// managedBy says whether u manages the tender a answers.
func (a *Attestation) managedBy(u *User) error {
	if a.Tender == nil {
		return &ForbiddenError{Code: "not_buyer"}
	}
	return a.Tender.ManageableBy(u)
}

// attestationsVisibleTo limits an attestation query to what viewer may
// see: admins and auditors all, officers those on their org's tenders,
// vendors their own org's.
func attestationsVisibleTo(viewer *User) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		if viewer == nil || viewer.Disabled {
			return q.Where("1 = 0")
		}
		switch viewer.Role {
		case RoleAdmin, RoleAuditor:
			return q
		case RoleOfficer:
			if viewer.OrgID == nil {
				return q.Where("1 = 0")
			}
			return q.Where("attestations.tender_id IN (SELECT id FROM tenders WHERE buyer_org_id = ?)", *viewer.OrgID)
		case RoleVendor:
			if viewer.OrgID == nil {
				return q.Where("1 = 0")
			}
			return q.Where("attestations.supplier_org_id = ?", *viewer.OrgID)
		}
		return q.Where("1 = 0")
	}
}

// AttestationFilter narrows ListAttestations; zero values mean no filter.
type AttestationFilter struct {
	TenderID uint
	Status   string
}

// ListAttestations returns the attestations viewer may see, newest first,
// each with its tender, supplier, current answers (for completeness) and
// submissions.
func ListAttestations(ctx context.Context, db *gorm.DB, viewer *User, f AttestationFilter) ([]Attestation, error) {
	var out []Attestation
	q := db.WithContext(ctx).Preload("Tender").Preload("SupplierOrg").Scopes(attestationsVisibleTo(viewer))
	if f.TenderID != 0 {
		q = q.Where("attestations.tender_id = ?", f.TenderID)
	}
	if f.Status != "" {
		q = q.Where("attestations.status = ?", f.Status)
	}
	if err := q.Order("attestations.id DESC").Find(&out).Error; err != nil {
		return nil, wrap(err, "list attestations")
	}
	if err := loadDetails(ctx, db, out, false); err != nil {
		return nil, err
	}
	return out, nil
}

// FindAttestationFor returns attestation id with its current answers
// (requirement, standard and evidence loaded), scope and submissions, if
// viewer may see it; otherwise ErrNotFound, so that existence does not leak.
func FindAttestationFor(ctx context.Context, db *gorm.DB, viewer *User, id uint) (*Attestation, error) {
	var a Attestation
	q := db.WithContext(ctx).Preload("Tender.BuyerOrg").Preload("SupplierOrg").Scopes(attestationsVisibleTo(viewer))
	if err := q.First(&a, "attestations.id = ?", id).Error; err != nil {
		return nil, wrap(err, "find attestation %d", id)
	}
	list := []Attestation{a}
	if err := loadDetails(ctx, db, list, true); err != nil {
		return nil, err
	}
	return &list[0], nil
}

// FindAttestation returns attestation id with its details, without any
// visibility check (for commands and the review matrix).
func FindAttestation(ctx context.Context, db *gorm.DB, id uint) (*Attestation, error) {
	var a Attestation
	if err := db.WithContext(ctx).Preload("Tender.BuyerOrg").Preload("SupplierOrg").First(&a, id).Error; err != nil {
		return nil, wrap(err, "find attestation %d", id)
	}
	list := []Attestation{a}
	if err := loadDetails(ctx, db, list, true); err != nil {
		return nil, err
	}
	return &list[0], nil
}

// FindAttestationByTender returns the attestation of supplier org on
// tender, or ErrNotFound.
func FindAttestationByTender(ctx context.Context, db *gorm.DB, tenderID, supplierOrgID uint) (*Attestation, error) {
	var a Attestation
	if err := db.WithContext(ctx).Where("tender_id = ? AND supplier_org_id = ?", tenderID, supplierOrgID).First(&a).Error; err != nil {
		return nil, wrap(err, "find attestation of org %d on tender %d", supplierOrgID, tenderID)
	}
	return FindAttestation(ctx, db, a.ID)
}

// loadDetails fills the current version's answers (in sheet order, with
// requirement and standard), their evidence when full, the scope and the
// submissions of every attestation in list, with one query per kind.
func loadDetails(ctx context.Context, db *gorm.DB, list []Attestation, full bool) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]uint, len(list))
	idx := make(map[uint]int, len(list))
	for i := range list {
		ids[i], idx[list[i].ID] = list[i].ID, i
	}
	var answers []Answer
	err := db.WithContext(ctx).Preload("Requirement.Standard").
		Joins("JOIN attestations ON attestations.id = answers.attestation_id AND attestations.version = answers.version").
		Joins("JOIN requirements ON requirements.id = answers.requirement_id").
		Where("answers.attestation_id IN ?", ids).Order("requirements.position, answers.id").Find(&answers).Error
	if err != nil {
		return wrap(err, "load answers")
	}
	if full && len(answers) > 0 {
		if err := loadEvidence(ctx, db, answers); err != nil {
			return err
		}
	}
	for _, an := range answers {
		i := idx[an.AttestationID]
		list[i].Answers = append(list[i].Answers, an)
	}
	var scope []ScopeDomain
	err = db.WithContext(ctx).
		Joins("JOIN attestations ON attestations.id = scope_domains.attestation_id AND attestations.version = scope_domains.version").
		Where("scope_domains.attestation_id IN ?", ids).Order("scope_domains.kind, scope_domains.position").Find(&scope).Error
	if err != nil {
		return wrap(err, "load scope")
	}
	for _, d := range scope {
		i := idx[d.AttestationID]
		list[i].Scope = append(list[i].Scope, d)
	}
	var subs []Submission
	if err := db.WithContext(ctx).Where("attestation_id IN ?", ids).Order("version").Find(&subs).Error; err != nil {
		return wrap(err, "load submissions")
	}
	for _, s := range subs {
		i := idx[s.AttestationID]
		list[i].Submissions = append(list[i].Submissions, s)
	}
	return nil
}

// lockAttestation reads attestation id inside tx with its tender, locking
// the row on PostgreSQL (SQLite transactions hold the write lock from BEGIN).
func lockAttestation(tx *gorm.DB, id uint) (*Attestation, error) {
	var a Attestation
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&a, id).Error; err != nil {
		return nil, wrap(err, "attestation %d", id)
	}
	var t Tender
	if err := tx.First(&t, a.TenderID).Error; err != nil {
		return nil, wrap(err, "attestation %d: tender", id)
	}
	a.Tender = &t
	return &a, nil
}

// editableBy locks attestation id and checks EditableBy(by, now).
func editableBy(tx *gorm.DB, by *User, id uint, now time.Time) (*Attestation, error) {
	a, err := lockAttestation(tx, id)
	if err != nil {
		return nil, err
	}
	if err := a.EditableBy(by, now); err != nil {
		return nil, wrap(err, "change attestation %d", id)
	}
	return a, nil
}

// bumpAttestation counts one change of the attestation's current version.
func bumpAttestation(tx *gorm.DB, a *Attestation, now time.Time) error {
	err := tx.Model(&Attestation{}).Where("id = ?", a.ID).
		Updates(map[string]any{"lock_version": gorm.Expr("lock_version + 1"), "updated_at": now}).Error
	if err != nil {
		return wrap(err, "attestation %d: count change", a.ID)
	}
	a.LockVersion++
	return nil
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
// real date not in the past, and an http(s) evidence URL.
func (in *AnswerInput) Validate(now time.Time) error {
	in.Status = strings.TrimSpace(in.Status)
	in.Explanation = strings.TrimSpace(in.Explanation)
	in.PlannedDate = strings.TrimSpace(in.PlannedDate)
	in.EvidenceURL = strings.TrimSpace(in.EvidenceURL)
	if !oneOf(in.Status, AnswerStatuses) {
		return invalid("status", "not_one_of", "value", in.Status, "allowed", AnswerStatuses)
	}
	if in.Status != AnswerComplies && in.Explanation == "" {
		return invalid("explanation", "explanation_required", "status", in.Status)
	}
	if utf8.RuneCountInString(in.Explanation) > MaxExplanationLength {
		return invalid("explanation", "too_long", "max", MaxExplanationLength)
	}
	if in.PlannedDate != "" {
		if in.Status != AnswerPartial && in.Status != AnswerDoesNotComply {
			return invalid("planned_date", "planned_date_not_applicable")
		}
		d, err := time.Parse("2006-01-02", in.PlannedDate)
		if err != nil {
			return invalid("planned_date", "not_a_date", "value", in.PlannedDate)
		}
		today := now.UTC().Truncate(24 * time.Hour)
		if d.Before(today) {
			return invalid("planned_date", "in_the_past", "value", in.PlannedDate)
		}
	}
	if in.EvidenceURL != "" {
		if err := ValidateEvidenceURL(in.EvidenceURL); err != nil {
			return err
		}
	}
	return nil
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
		a, err := editableBy(tx, by, attID, now)
		if err != nil {
			return err
		}
		an, err := currentAnswer(tx, a, reqID)
		if err != nil {
			return err
		}
		before := snapshotOf(an)
		if in.LockVersion != nil && *in.LockVersion != an.LockVersion {
			return wrap(ErrStale, "answer %d: form has version %d, stored is %d", an.ID, *in.LockVersion, an.LockVersion)
		}
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
		if err := bumpAttestation(tx, a, now); err != nil {
			return err
		}
		if err := writeAudit(tx, by, now, AuditEntry{
			Action: "answer.save", ObjectType: "answer", ObjectID: an.ID, AttestationID: &a.ID, TenderID: &a.TenderID,
		}, before, snapshotOf(an)); err != nil {
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

// SetScope replaces the web and mail domains of the current draft version.
// Names are validated and converted to A-labels (NormalizeScope); bad
// names give a ValidationError on "scope" listing every problem.
func SetScope(ctx context.Context, db *gorm.DB, by *User, attID uint, web, mail []string, scopeLock *int, now time.Time) (*Attestation, error) {
	web, mail, err := NormalizeScope(web, mail)
	if err != nil {
		return nil, err
	}
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := editableBy(tx, by, attID, now)
		if err != nil {
			return err
		}
		if scopeLock != nil && *scopeLock != a.ScopeLock {
			return wrap(ErrStale, "attestation %d scope", attID)
		}
		var old []ScopeDomain
		if err := tx.Where("attestation_id = ? AND version = ?", a.ID, a.Version).Order("kind, position").Find(&old).Error; err != nil {
			return wrap(err, "attestation %d: scope", attID)
		}
		if err := tx.Where("attestation_id = ? AND version = ?", a.ID, a.Version).Delete(&ScopeDomain{}).Error; err != nil {
			return wrap(err, "attestation %d: clear scope", attID)
		}
		rows := scopeRows(a.ID, a.Version, web, mail)
		if len(rows) > 0 {
			if err := tx.Create(&rows).Error; err != nil {
				return wrap(err, "attestation %d: set scope", attID)
			}
		}
		res := tx.Model(&Attestation{}).Where("id = ? AND scope_lock = ?", a.ID, a.ScopeLock).
			Updates(map[string]any{"scope_lock": a.ScopeLock + 1, "lock_version": a.LockVersion + 1, "updated_at": now})
		if res.Error != nil {
			return wrap(res.Error, "attestation %d: set scope", attID)
		}
		if res.RowsAffected != 1 {
			return wrap(ErrStale, "attestation %d scope", attID)
		}
		before := scopeSnapshot(old)
		return writeAudit(tx, by, now, AuditEntry{
			Action: "scope.save", ObjectType: "attestation", ObjectID: a.ID, AttestationID: &a.ID, TenderID: &a.TenderID,
		}, before, map[string][]string{"web": web, "mail": mail})
	})
	if err != nil {
		return nil, err
	}
	return FindAttestation(ctx, db, attID)
}

func scopeRows(attID uint, version int, web, mail []string) []ScopeDomain {
	var rows []ScopeDomain
	for i, n := range web {
		rows = append(rows, ScopeDomain{AttestationID: attID, Version: version, Kind: ScopeWeb, Name: n, Position: i + 1})
	}
	for i, n := range mail {
		rows = append(rows, ScopeDomain{AttestationID: attID, Version: version, Kind: ScopeMail, Name: n, Position: i + 1})
	}
	return rows
}

func scopeSnapshot(rows []ScopeDomain) map[string][]string {
	out := map[string][]string{"web": {}, "mail": {}}
	for _, d := range rows {
		out[d.Kind] = append(out[d.Kind], d.Name)
	}
	return out
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
			p.Params["standard"] = an.Requirement.Standard.Name
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

// receiptDocument builds the declaration of version sub.Version of
// attestation attID from the database rows, with the submission's
// declarer, submitter and time.
func receiptDocument(tx *gorm.DB, attID uint, sub *Submission, submitterEmail string) (receipt.Document, error) {
	var a Attestation
	if err := tx.Preload("Tender").Preload("SupplierOrg").First(&a, attID).Error; err != nil {
		return receipt.Document{}, wrap(err, "attestation %d", attID)
	}
	answers, err := versionAnswers(tx, attID, sub.Version)
	if err != nil {
		return receipt.Document{}, err
	}
	if err := loadEvidence(tx.Statement.Context, tx, answers); err != nil {
		return receipt.Document{}, err
	}
	var scope []ScopeDomain
	if err := tx.Where("attestation_id = ? AND version = ?", attID, sub.Version).Order("kind, position").Find(&scope).Error; err != nil {
		return receipt.Document{}, wrap(err, "attestation %d: scope", attID)
	}
	doc := receipt.Document{
		AttestationID: a.ID, Version: sub.Version, TenderID: a.TenderID,
		Declarer: sub.Declarer, SubmittedByID: sub.SubmittedByID, SubmittedBy: submitterEmail,
		SubmittedAt: receipt.TimeString(sub.SubmittedAt),
	}
	if a.Tender != nil {
		doc.TenderReference, doc.TenderTitle = a.Tender.Reference, a.Tender.Title
	}
	if a.SupplierOrg != nil {
		doc.SupplierOrgID, doc.SupplierName = a.SupplierOrg.ID, a.SupplierOrg.Name
	}
	for _, an := range answers {
		da := receipt.DocumentAnswer{RequirementID: an.RequirementID, Status: an.Status, Explanation: an.Explanation, PlannedDate: an.PlannedDate}
		if an.Requirement != nil {
			da.Level = an.Requirement.Level
			if an.Requirement.Standard != nil {
				da.Standard = an.Requirement.Standard.Slug
			}
		}
		for _, ev := range an.Evidence {
			da.Evidence = append(da.Evidence, receipt.DocumentEvidence{Kind: ev.Kind, URL: ev.URL, FileName: ev.FileName, SHA256: ev.SHA256, Size: ev.Size})
		}
		doc.Answers = append(doc.Answers, da)
	}
	for _, d := range scope {
		if d.Kind == ScopeWeb {
			doc.Scope.Web = append(doc.Scope.Web, d.Name)
		} else {
			doc.Scope.Mail = append(doc.Scope.Mail, d.Name)
		}
	}
	return doc, nil
}

// VersionDocument returns the declaration of a submitted version as the
// database holds it now (for comparing versions and verifying receipts).
func VersionDocument(ctx context.Context, db *gorm.DB, attID uint, version int) (receipt.Document, *Submission, error) {
	var sub Submission
	if err := db.WithContext(ctx).Preload("SubmittedBy").Where("attestation_id = ? AND version = ?", attID, version).First(&sub).Error; err != nil {
		return receipt.Document{}, nil, wrap(err, "attestation %d: receipt of version %d", attID, version)
	}
	email := ""
	if sub.SubmittedBy != nil {
		email = sub.SubmittedBy.Email
	}
	doc, err := receiptDocument(db.WithContext(ctx), attID, &sub, email)
	if err != nil {
		return receipt.Document{}, nil, err
	}
	return doc, &sub, nil
}

// VerifyReceipt re-computes the receipt of version (0 means the latest
// submitted one) of attestation attID from the rows in the database and
// compares it with the receipt stored at submission.
func VerifyReceipt(ctx context.Context, db *gorm.DB, attID uint, version int) (receipt.Verification, *Submission, error) {
	if version == 0 {
		var sub Submission
		if err := db.WithContext(ctx).Where("attestation_id = ?", attID).Order("version DESC").First(&sub).Error; err != nil {
			return receipt.Verification{}, nil, wrap(err, "attestation %d: latest receipt", attID)
		}
		version = sub.Version
	}
	doc, sub, err := VersionDocument(ctx, db, attID, version)
	if err != nil {
		return receipt.Verification{}, nil, err
	}
	v, err := receipt.Verify(sub.Receipt, []byte(sub.Canonical), doc)
	if err != nil {
		return receipt.Verification{}, nil, err
	}
	return v, sub, nil
}

// VersionChanges lists what changed from version-1 to version of
// attestation attID. The later version may be the current draft, whose
// declaration has no declarer or time yet.
func VersionChanges(ctx context.Context, db *gorm.DB, attID uint, version int) ([]receipt.Change, error) {
	if version <= 1 {
		return nil, nil
	}
	prev, _, err := VersionDocument(ctx, db, attID, version-1)
	if err != nil {
		return nil, err
	}
	var sub Submission
	err = db.WithContext(ctx).Where("attestation_id = ? AND version = ?", attID, version).First(&sub).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		sub = Submission{Version: version, Declarer: prev.Declarer}
	} else if err != nil {
		return nil, wrap(err, "attestation %d: version %d", attID, version)
	}
	cur, err := receiptDocument(db.WithContext(ctx), attID, &sub, "")
	if err != nil {
		return nil, err
	}
	return receipt.Changes(prev, cur), nil
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

// createAttestation starts attestation of supplier org on tender t with one
// empty answer per requirement, or returns the existing one.
func createAttestation(tx *gorm.DB, t *Tender, supplierOrgID uint, now time.Time) (*Attestation, bool, error) {
	var a Attestation
	err := tx.Where("tender_id = ? AND supplier_org_id = ?", t.ID, supplierOrgID).First(&a).Error
	if err == nil {
		return &a, false, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, false, wrap(err, "find attestation on tender %d", t.ID)
	}
	a = Attestation{TenderID: t.ID, SupplierOrgID: supplierOrgID, Status: AttestationDraft, Version: 1, LockVersion: 1, ScopeLock: 1, CreatedAt: now, UpdatedAt: now}
	if err := tx.Omit("Tender", "SupplierOrg").Create(&a).Error; err != nil {
		return nil, false, wrap(err, "create attestation on tender %d", t.ID)
	}
	var reqs []Requirement
	if err := tx.Where("tender_id = ?", t.ID).Order("position, id").Find(&reqs).Error; err != nil {
		return nil, false, wrap(err, "tender %d: requirements", t.ID)
	}
	if len(reqs) > 0 {
		answers := make([]Answer, len(reqs))
		for i, r := range reqs {
			answers[i] = Answer{AttestationID: a.ID, Version: 1, RequirementID: r.ID, ReviewStatus: ReviewPending, LockVersion: 1, CreatedAt: now, UpdatedAt: now}
		}
		if err := tx.Omit("Attestation", "Requirement").Create(&answers).Error; err != nil {
			return nil, false, wrap(err, "attestation %d: answers", a.ID)
		}
	}
	return &a, true, nil
}

// LoadVersion replaces the loaded answers (with evidence) and scope of a by
// those of version, for reading an earlier version. ErrNotFound when the
// attestation has no such version.
func LoadVersion(ctx context.Context, db *gorm.DB, a *Attestation, version int) error {
	if version < 1 || version > a.Version {
		return wrap(ErrNotFound, "attestation %d: version %d", a.ID, version)
	}
	answers, err := versionAnswers(db.WithContext(ctx), a.ID, version)
	if err != nil {
		return err
	}
	if err := loadEvidence(ctx, db, answers); err != nil {
		return err
	}
	var scope []ScopeDomain
	if err := db.WithContext(ctx).Where("attestation_id = ? AND version = ?", a.ID, version).Order("kind, position").Find(&scope).Error; err != nil {
		return wrap(err, "attestation %d: scope of version %d", a.ID, version)
	}
	a.Answers, a.Scope = answers, scope
	return nil
}

// DueReminders returns the draft attestations of vendor's org whose
// tender deadline falls within the next window after now, soonest first.
func DueReminders(ctx context.Context, db *gorm.DB, vendor *User, window time.Duration, now time.Time) ([]Attestation, error) {
	if vendor == nil || vendor.Role != RoleVendor || vendor.OrgID == nil {
		return nil, nil
	}
	var out []Attestation
	err := db.WithContext(ctx).Preload("Tender").Joins("JOIN tenders ON tenders.id = attestations.tender_id").
		Where("attestations.supplier_org_id = ? AND attestations.status = ? AND tenders.status = ?", *vendor.OrgID, AttestationDraft, StatusPublished).
		Where("tenders.deadline IS NOT NULL AND tenders.deadline > ? AND tenders.deadline <= ?", now, now.Add(window)).
		Order("tenders.deadline").Find(&out).Error
	if err != nil {
		return nil, wrap(err, "due reminders")
	}
	return out, nil
}

// ReminderStages are how long before a deadline the vendors of an
// unsubmitted attestation are mailed: a week, three days and a day.
var ReminderStages = []time.Duration{7 * 24 * time.Hour, 3 * 24 * time.Hour, 24 * time.Hour}

// Reminder is an unsubmitted attestation that is due for a reminder mail,
// with the enabled vendors of its supplier to mail.
type Reminder struct {
	Attestation Attestation
	Vendors     []User
}

// DueReminderMails returns the draft attestations of open tenders whose
// deadline has entered a reminder stage since their last reminder, with
// the vendors to mail. MarkReminded records that the mail went.
func DueReminderMails(ctx context.Context, db *gorm.DB, now time.Time) ([]Reminder, error) {
	var list []Attestation
	err := db.WithContext(ctx).Preload("Tender").Joins("JOIN tenders ON tenders.id = attestations.tender_id").
		Where("attestations.status = ? AND tenders.status = ?", AttestationDraft, StatusPublished).
		Where("tenders.deadline IS NOT NULL AND tenders.deadline > ? AND tenders.deadline <= ?", now, now.Add(ReminderStages[0])).
		Order("tenders.deadline, attestations.id").Find(&list).Error
	if err != nil {
		return nil, wrap(err, "due reminder mails")
	}
	var out []Reminder
	for _, a := range list {
		deadline := *a.Tender.Deadline
		var stage time.Duration
		for _, s := range ReminderStages {
			if deadline.Sub(now) <= s {
				stage = s
			}
		}
		if a.RemindedAt != nil && !a.RemindedAt.Before(deadline.Add(-stage)) {
			continue
		}
		var vendors []User
		if err := db.WithContext(ctx).Where("org_id = ? AND role = ? AND NOT disabled", a.SupplierOrgID, RoleVendor).Order("id").Find(&vendors).Error; err != nil {
			return nil, wrap(err, "vendors of org %d", a.SupplierOrgID)
		}
		out = append(out, Reminder{Attestation: a, Vendors: vendors})
	}
	return out, nil
}

// MarkReminded records that the vendors of attestation id were reminded at now.
func MarkReminded(ctx context.Context, db *gorm.DB, id uint, now time.Time) error {
	err := db.WithContext(ctx).Model(&Attestation{}).Where("id = ?", id).Update("reminded_at", now.UTC()).Error
	return wrap(err, "attestation %d: mark reminded", id)
}
