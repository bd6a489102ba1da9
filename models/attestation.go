package models

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Attestation statuses. A draft is being answered; a submitted one is
// locked and carries a receipt. Reopening a submitted attestation makes a
// new draft version; earlier versions stay readable with their receipts.
const (
	AttestationDraft     = "draft"
	AttestationSubmitted = "submitted"
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
	// SelfCheckAt is when a vendor last started a self-check: the
	// once-a-minute limit of StartSelfCheck. The buyer never sees it.
	SelfCheckAt *time.Time `json:"-"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`

	// Answers, Scope and Submissions are filled by FindAttestation.
	Answers     []Answer      `gorm:"-" json:"-"`
	Scope       []ScopeDomain `gorm:"-" json:"-"`
	Submissions []Submission  `gorm:"-" json:"-"`
	// counted is the completeness when lists counted the answers instead
	// of loading them (ListAttestations without WithAnswers).
	counted *Completeness
}

// Submitted reports whether the current version is submitted and locked.
func (a *Attestation) Submitted() bool { return a.Status == AttestationSubmitted }

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
	if a.counted != nil && a.Answers == nil {
		return *a.counted
	}
	c := Completeness{Total: len(a.Answers)}
	for i := range a.Answers {
		if a.Answers[i].Answered() {
			c.Answered++
		}
	}
	return c
}

// DeadlinePassed reports whether the tender's deadline is before now.
func (a *Attestation) DeadlinePassed(now time.Time) bool {
	return a.Tender != nil && a.Tender.DeadlinePassed(now)
}

// attestationsVisibleTo limits an attestation query to what viewer may
// see: admins and auditors all, officers those on their org's tenders,
// vendors their own org's.
func attestationsVisibleTo(viewer *User) func(*gorm.DB) *gorm.DB {
	return visibleByRole(viewer,
		func(q *gorm.DB, buyer uint) *gorm.DB {
			return q.Where("attestations.tender_id IN (SELECT id FROM tenders WHERE buyer_org_id = ?)", buyer)
		},
		func(q *gorm.DB, supplier uint) *gorm.DB {
			return q.Where("attestations.supplier_org_id = ?", supplier)
		})
}

// AttestationFilter narrows ListAttestations; zero values mean no filter.
type AttestationFilter struct {
	TenderID uint
	// WithAnswers loads each attestation's answers (with requirement and
	// standard); without it they are only counted, for Completeness.
	WithAnswers bool
	// Limit, when positive, returns only the newest Limit attestations.
	Limit  int
	Status string
}

// ListAttestations returns the attestations viewer may see, newest first,
// each with its tender, supplier, current answers (for completeness) and
// submissions.
func ListAttestations(ctx context.Context, db *gorm.DB, viewer *User, f AttestationFilter) ([]Attestation, error) {
	var out []Attestation
	q := db.WithContext(ctx).Joins("Tender").Joins("SupplierOrg").Scopes(attestationsVisibleTo(viewer))
	if f.TenderID != 0 {
		q = q.Where("attestations.tender_id = ?", f.TenderID)
	}
	if f.Status != "" {
		q = q.Where("attestations.status = ?", f.Status)
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	if err := q.Order("attestations.id DESC").Find(&out).Error; err != nil {
		return nil, wrap(err, "list attestations")
	}
	level := detailsCounts
	if f.WithAnswers {
		level = detailsAnswers
	}
	if err := loadDetails(ctx, db, out, level); err != nil {
		return nil, err
	}
	return out, nil
}

// CountAttestations counts the attestations viewer may see.
func CountAttestations(ctx context.Context, db *gorm.DB, viewer *User) (int64, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&Attestation{}).Scopes(attestationsVisibleTo(viewer)).Count(&n).Error; err != nil {
		return 0, wrap(err, "count attestations")
	}
	return n, nil
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
	if err := loadDetails(ctx, db, list, detailsFull); err != nil {
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
	if err := loadDetails(ctx, db, list, detailsFull); err != nil {
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

// How much loadDetails loads of each attestation's answers.
type detailsLevel int

const (
	// detailsCounts counts the answers (Completeness) without loading
	// them: lists and dashboards of hundreds of attestations.
	detailsCounts detailsLevel = iota
	// detailsAnswers loads the answers with requirement and standard.
	detailsAnswers
	// detailsFull loads the answers' evidence too.
	detailsFull
)

// loadDetails fills the current version's answers (in sheet order, with
// requirement and standard; or only their count), their evidence when
// full, the scope and the submissions of every attestation in list, with
// one query per kind.
func loadDetails(ctx context.Context, db *gorm.DB, list []Attestation, level detailsLevel) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]uint, len(list))
	idx := make(map[uint]int, len(list))
	for i := range list {
		ids[i], idx[list[i].ID] = list[i].ID, i
	}
	if level == detailsCounts {
		if err := countAnswers(ctx, db, list, ids, idx); err != nil {
			return err
		}
	} else if err := loadAnswers(ctx, db, list, ids, idx, level == detailsFull); err != nil {
		return err
	}
	var scope []ScopeDomain
	err := db.WithContext(ctx).
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

// loadAnswers fills the current version's answers of list, in sheet order.
func loadAnswers(ctx context.Context, db *gorm.DB, list []Attestation, ids []uint, idx map[uint]int, evidence bool) error {
	var answers []Answer
	err := db.WithContext(ctx).Preload("Requirement.Standard").
		Joins("JOIN attestations ON attestations.id = answers.attestation_id AND attestations.version = answers.version").
		Joins("JOIN requirements ON requirements.id = answers.requirement_id").
		Where("answers.attestation_id IN ?", ids).Order("requirements.position, answers.id").Find(&answers).Error
	if err != nil {
		return wrap(err, "load answers")
	}
	if evidence && len(answers) > 0 {
		if err := loadEvidence(ctx, db, answers); err != nil {
			return err
		}
	}
	for _, an := range answers {
		i := idx[an.AttestationID]
		list[i].Answers = append(list[i].Answers, an)
	}
	return nil
}

// countAnswers sets the completeness of every attestation in list from
// one GROUP BY over the current version's answers, counted as loadAnswers
// would load them (Answer.Answered: a status is set).
func countAnswers(ctx context.Context, db *gorm.DB, list []Attestation, ids []uint, idx map[uint]int) error {
	var rows []struct {
		AttestationID uint
		Total         int
		Answered      int
	}
	err := db.WithContext(ctx).Table("answers").
		Select("answers.attestation_id, COUNT(*) AS total, SUM(CASE WHEN answers.status <> '' THEN 1 ELSE 0 END) AS answered").
		Joins("JOIN attestations ON attestations.id = answers.attestation_id AND attestations.version = answers.version").
		Joins("JOIN requirements ON requirements.id = answers.requirement_id").
		Where("answers.attestation_id IN ?", ids).Group("answers.attestation_id").Scan(&rows).Error
	if err != nil {
		return wrap(err, "count answers")
	}
	for i := range list {
		list[i].counted = &Completeness{}
	}
	for _, r := range rows {
		*list[idx[r.AttestationID]].counted = Completeness{Answered: r.Answered, Total: r.Total}
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
