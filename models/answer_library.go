package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"tenderprobe/app/i18n"
)

// The vendor's answer library: a supplier's earlier answers and its
// standing answers, offered when a new tender asks for the same standard.
// Every query here is bounded to one supplier organisation: a suggestion,
// its evidence and its scope never come from another supplier.

// Where a suggestion comes from.
const (
	// SourceStanding is a standing answer the supplier keeps on its
	// answer library page.
	SourceStanding = "standing"
	// SourceAttestation is the supplier's most recent submitted answer to
	// the same standard in another tender.
	SourceAttestation = "attestation"
)

// StandingReminderDays are the days before a standing answer's valid-until
// date on which its supplier's vendors are reminded: a month and a week.
var StandingReminderDays = []int{30, 7}

// StandingAnswer is a supplier's standing answer to one standard (by its
// slug, so it outlives catalogue versions): what it answers whenever a
// tender asks, with evidence such as a certificate and, optionally, the
// last day it is valid (ValidUntil, YYYY-MM-DD; empty: no end).
type StandingAnswer struct {
	ID            uint      `gorm:"primaryKey" json:"id"`
	SupplierOrgID uint      `gorm:"not null;uniqueIndex:idx_standing_answer_org_standard,priority:1" json:"-"`
	SupplierOrg   *Org      `gorm:"constraint:OnDelete:CASCADE" json:"-"`
	StandardSlug  string    `gorm:"size:60;not null;uniqueIndex:idx_standing_answer_org_standard,priority:2" json:"standard"`
	Status        string    `gorm:"size:20;not null" json:"status"`
	Explanation   string    `gorm:"type:text;not null;default:''" json:"explanation"`
	PlannedDate   string    `gorm:"size:10;not null;default:''" json:"planned_date"`
	ValidUntil    string    `gorm:"size:10;not null;default:'';index" json:"valid_until"`
	UpdatedByID   *uint     `json:"-"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`

	// Evidence is filled by the functions that list standing answers.
	Evidence []StandingEvidence `gorm:"-" json:"evidence"`
	// Standard is the current catalogue's entry for StandardSlug, for its
	// name (nil when the current catalogue no longer has it).
	Standard *Standard `gorm:"-" json:"-"`
}

// StandingEvidence backs a standing answer: a URL, or a file kept in the
// evidence store by its SHA-256, like an answer's Evidence.
type StandingEvidence struct {
	ID               uint            `gorm:"primaryKey" json:"id"`
	StandingAnswerID uint            `gorm:"not null;index" json:"-"`
	StandingAnswer   *StandingAnswer `gorm:"constraint:OnDelete:CASCADE" json:"-"`
	Kind             string          `gorm:"size:10;not null" json:"kind"`
	URL              string          `gorm:"size:2000;not null;default:''" json:"url,omitempty"`
	FileName         string          `gorm:"size:255;not null;default:''" json:"file_name,omitempty"`
	ContentType      string          `gorm:"size:100;not null;default:''" json:"content_type,omitempty"`
	Size             int64           `gorm:"not null;default:0" json:"size,omitempty"`
	SHA256           string          `gorm:"size:64;not null;default:''" json:"sha256,omitempty"`
	StoragePath      string          `gorm:"size:300;not null;default:''" json:"-"`
	UploadedByID     uint            `gorm:"not null" json:"-"`
	UploadedBy       *User           `gorm:"constraint:OnDelete:RESTRICT" json:"-"`
	CreatedAt        time.Time       `json:"created_at"`
}

// TableName keeps the table's name singular, as the word is uncountable.
func (StandingEvidence) TableName() string { return "standing_evidence" }

// StandingReminder records that the vendors of a standing answer were
// mailed about its expiry at one stage (Days before ValidUntil). The row
// is the claim: the unique index lets exactly one serve process insert it.
type StandingReminder struct {
	ID               uint            `gorm:"primaryKey"`
	StandingAnswerID uint            `gorm:"not null;uniqueIndex:idx_standing_reminder,priority:1"`
	StandingAnswer   *StandingAnswer `gorm:"constraint:OnDelete:CASCADE"`
	ValidUntil       string          `gorm:"size:10;not null;uniqueIndex:idx_standing_reminder,priority:2"`
	Days             int             `gorm:"not null;uniqueIndex:idx_standing_reminder,priority:3"`
	SentAt           time.Time       `gorm:"not null"`
}

// today is now's date in UTC, as YYYY-MM-DD: the library's dates are
// calendar dates, compared as strings.
func today(now time.Time) string { return now.UTC().Format("2006-01-02") }

// Expired reports whether the standing answer's last valid day is before
// now's date.
func (s *StandingAnswer) Expired(now time.Time) bool {
	return s.ValidUntil != "" && s.ValidUntil < today(now)
}

// DaysLeft is how many days from now's date to the last valid day (0:
// today is the last), or -1 without a valid-until date.
func (s *StandingAnswer) DaysLeft(now time.Time) int {
	end, err := time.Parse("2006-01-02", s.ValidUntil)
	if err != nil {
		return -1
	}
	day, _ := time.Parse("2006-01-02", today(now))
	return int(end.Sub(day).Hours() / 24)
}

// ExpiresWithin reports whether the standing answer is valid now but its
// last valid day is at most days away.
func (s *StandingAnswer) ExpiresWithin(days int, now time.Time) bool {
	if s.ValidUntil == "" || s.Expired(now) {
		return false
	}
	return s.ValidUntil <= now.UTC().AddDate(0, 0, days).Format("2006-01-02")
}

// StandingInput is what a vendor types for a standing answer.
type StandingInput struct {
	Standard   string
	ValidUntil string
	AnswerInput
}

// Validate checks the answer as an answer to a tender (AnswerInput) and
// the valid-until date: a real date, not in the past.
func (in *StandingInput) Validate(now time.Time) error {
	in.Standard = strings.ToLower(strings.TrimSpace(in.Standard))
	in.ValidUntil = strings.TrimSpace(in.ValidUntil)
	if in.Standard == "" {
		return invalid("standard", "required")
	}
	if err := in.AnswerInput.Validate(now); err != nil {
		return err
	}
	if in.ValidUntil != "" {
		if _, err := time.Parse("2006-01-02", in.ValidUntil); err != nil {
			return invalid("valid_until", "not_a_date", "value", in.ValidUntil)
		}
		if in.ValidUntil < today(now) {
			return invalid("valid_until", "in_the_past", "value", i18n.Day(in.ValidUntil))
		}
	}
	return nil
}

// supplierOf is the supplier organisation of vendor by, or a ForbiddenError.
func supplierOf(by *User) (uint, error) {
	if by == nil || by.Disabled || by.Role != RoleVendor || by.OrgID == nil {
		return 0, &ForbiddenError{Code: "not_vendor"}
	}
	return *by.OrgID, nil
}

// ListStandingAnswers returns the standing answers of vendor by's
// supplier, by standard, with their evidence and current standards.
func ListStandingAnswers(ctx context.Context, db *gorm.DB, by *User) ([]StandingAnswer, error) {
	org, err := supplierOf(by)
	if err != nil {
		return nil, err
	}
	var out []StandingAnswer
	if err := db.WithContext(ctx).Where("supplier_org_id = ?", org).Order("standard_slug").Find(&out).Error; err != nil {
		return nil, wrap(err, "standing answers of org %d", org)
	}
	if err := loadStandingDetails(ctx, db, out); err != nil {
		return nil, err
	}
	return out, nil
}

// loadStandingDetails fills the evidence and the current standard of
// each standing answer in list.
func loadStandingDetails(ctx context.Context, db *gorm.DB, list []StandingAnswer) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]uint, len(list))
	idx := make(map[uint]int, len(list))
	for i := range list {
		ids[i], idx[list[i].ID] = list[i].ID, i
		list[i].Evidence = []StandingEvidence{}
	}
	var ev []StandingEvidence
	if err := db.WithContext(ctx).Where("standing_answer_id IN ?", ids).Order("id").Find(&ev).Error; err != nil {
		return wrap(err, "standing evidence")
	}
	for _, e := range ev {
		i := idx[e.StandingAnswerID]
		list[i].Evidence = append(list[i].Evidence, e)
	}
	cv, err := CurrentCatalogue(ctx, db)
	if errors.Is(err, ErrNotFound) {
		return nil // without a catalogue the slugs are shown as they are
	}
	if err != nil {
		return err
	}
	slugs := make([]string, len(list))
	for i := range list {
		slugs[i] = list[i].StandardSlug
	}
	var standards []Standard
	if err := db.WithContext(ctx).Where("catalogue_version_id = ? AND slug IN ?", cv.ID, slugs).Find(&standards).Error; err != nil {
		return wrap(err, "standards of standing answers")
	}
	for i := range list {
		for j := range standards {
			if standards[j].Slug == list[i].StandardSlug {
				list[i].Standard = &standards[j]
			}
		}
	}
	return nil
}

// SaveStanding creates or replaces vendor by's supplier's standing answer
// to in.Standard (a standard of the current catalogue), adds the evidence
// URL and the file f (if any, committed with commit inside the
// transaction, as AddFileEvidence does) and removes the evidence listed in
// remove. Evidence already there (the same URL, or a file with the same
// SHA-256) is not added twice.
func SaveStanding(ctx context.Context, db *gorm.DB, by *User, in StandingInput, f *FileEvidence, commit func() error, remove []uint, now time.Time) (*StandingAnswer, error) {
	org, err := supplierOf(by)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(now); err != nil {
		return nil, err
	}
	if _, err := FindStandardBySlug(ctx, db, in.Standard); err != nil {
		return nil, invalid("standard", "library_unknown_standard", "value", in.Standard)
	}
	var out StandingAnswer
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Where("supplier_org_id = ? AND standard_slug = ?", org, in.Standard).Limit(1).Find(&out).Error
		if err != nil {
			return wrap(err, "standing answer %q of org %d", in.Standard, org)
		}
		out.SupplierOrgID, out.StandardSlug, out.Status, out.Explanation, out.PlannedDate, out.ValidUntil =
			org, in.Standard, in.Status, in.Explanation, in.PlannedDate, in.ValidUntil
		out.UpdatedByID, out.UpdatedAt = &by.ID, now
		if out.ID == 0 {
			out.CreatedAt = now
		}
		if err := tx.Omit("SupplierOrg").Save(&out).Error; err != nil {
			return wrap(err, "save standing answer %q of org %d", in.Standard, org)
		}
		if len(remove) > 0 {
			if err := tx.Where("standing_answer_id = ? AND id IN ?", out.ID, remove).Delete(&StandingEvidence{}).Error; err != nil {
				return wrap(err, "standing answer %d: remove evidence", out.ID)
			}
		}
		if in.EvidenceURL != "" {
			if err := addStandingEvidence(tx, by, out.ID, StandingEvidence{Kind: EvidenceURL, URL: in.EvidenceURL}, "evidence_url", now); err != nil {
				return err
			}
		}
		if f != nil {
			e := StandingEvidence{Kind: EvidenceFile, FileName: f.FileName, ContentType: f.ContentType, Size: f.Size, SHA256: f.SHA256, StoragePath: f.StoragePath}
			if err := addStandingEvidence(tx, by, out.ID, e, "file", now); err != nil {
				return err
			}
			if f.SBOM != nil {
				if err := saveSBOM(tx, f.SHA256, f.SBOM, now); err != nil {
					return err
				}
			}
			if commit != nil {
				if err := commit(); err != nil {
					return wrap(err, "store standing evidence file")
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	list := []StandingAnswer{out}
	if err := loadStandingDetails(ctx, db, list); err != nil {
		return nil, err
	}
	return &list[0], nil
}

// addStandingEvidence adds e to standing answer id unless the same URL or
// file is there already; field names the form field a full list blames.
func addStandingEvidence(tx *gorm.DB, by *User, id uint, e StandingEvidence, field string, now time.Time) error {
	var same int64
	q := tx.Model(&StandingEvidence{}).Where("standing_answer_id = ? AND kind = ?", id, e.Kind)
	if e.Kind == EvidenceURL {
		q = q.Where("url = ?", e.URL)
	} else {
		q = q.Where("sha256 = ?", e.SHA256)
	}
	if err := q.Count(&same).Error; err != nil {
		return wrap(err, "standing answer %d: evidence", id)
	}
	if same > 0 {
		return nil
	}
	var n int64
	if err := tx.Model(&StandingEvidence{}).Where("standing_answer_id = ?", id).Count(&n).Error; err != nil {
		return wrap(err, "standing answer %d: count evidence", id)
	}
	if n >= MaxEvidencePerAnswer {
		return invalid(field, "too_much_evidence", "max", MaxEvidencePerAnswer)
	}
	e.StandingAnswerID, e.UploadedByID, e.CreatedAt = id, by.ID, now
	if e.FileName == "" && e.Kind == EvidenceFile {
		e.FileName = "evidence"
	}
	e.FileName = truncate(e.FileName, 255)
	if err := tx.Omit("StandingAnswer", "UploadedBy").Create(&e).Error; err != nil {
		return wrap(err, "standing answer %d: add evidence", id)
	}
	return nil
}

// RemoveStanding deletes standing answer id of vendor by's supplier with
// its evidence rows (the files stay: answers may share them).
func RemoveStanding(ctx context.Context, db *gorm.DB, by *User, id uint) error {
	org, err := supplierOf(by)
	if err != nil {
		return err
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var s StandingAnswer
		if err := tx.Where("id = ? AND supplier_org_id = ?", id, org).First(&s).Error; err != nil {
			return wrap(err, "standing answer %d", id)
		}
		if err := tx.Where("standing_answer_id = ?", s.ID).Delete(&StandingEvidence{}).Error; err != nil {
			return wrap(err, "standing answer %d: evidence", id)
		}
		if err := tx.Where("standing_answer_id = ?", s.ID).Delete(&StandingReminder{}).Error; err != nil {
			return wrap(err, "standing answer %d: reminders", id)
		}
		return wrap(tx.Delete(&StandingAnswer{}, s.ID).Error, "remove standing answer %d", id)
	})
}

// FindStandingEvidenceFor returns evidence evID of standing answer id if
// it belongs to vendor by's supplier, and ErrNotFound otherwise.
func FindStandingEvidenceFor(ctx context.Context, db *gorm.DB, by *User, id, evID uint) (*StandingEvidence, error) {
	org, err := supplierOf(by)
	if err != nil {
		return nil, wrap(ErrNotFound, "standing answer %d", id)
	}
	var e StandingEvidence
	err = db.WithContext(ctx).Joins("JOIN standing_answers ON standing_answers.id = standing_evidence.standing_answer_id").
		Where("standing_evidence.id = ? AND standing_answers.id = ? AND standing_answers.supplier_org_id = ?", evID, id, org).First(&e).Error
	if err != nil {
		return nil, wrap(err, "standing answer %d: evidence %d", id, evID)
	}
	return &e, nil
}

// SuggestedEvidence is one piece of evidence a suggestion would add.
type SuggestedEvidence struct {
	Kind        string `json:"kind"`
	URL         string `json:"url,omitempty"`
	FileName    string `json:"file_name,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Size        int64  `json:"size,omitempty"`
	SHA256      string `json:"sha256,omitempty"`
	storagePath string
}

// Suggestion is an earlier answer of the same supplier offered for one
// requirement of an attestation: a standing answer, or the supplier's
// most recent submitted answer to the same standard in another tender.
type Suggestion struct {
	RequirementID uint
	Standard      string
	Source        string
	// From an attestation: which one, its version, tender and when it
	// was submitted, the requirement answered and the scope of that version.
	FromAttestationID uint
	FromVersion       int
	FromTender        *Tender
	SubmittedAt       time.Time
	FromRequirement   *Requirement
	Domains           []ScopeDomain
	// From a standing answer: which one and until when it is valid.
	StandingAnswerID uint
	ValidUntil       string

	Status, Explanation, PlannedDate string
	Evidence                         []SuggestedEvidence
}

// DomainNames returns the suggestion's scope names of kind.
func (s *Suggestion) DomainNames(kind string) []string {
	out := []string{}
	for _, d := range s.Domains {
		if d.Kind == kind {
			out = append(out, d.Name)
		}
	}
	return out
}

// SameAs reports whether an already says what the suggestion says.
func (s *Suggestion) SameAs(an *Answer) bool {
	return an.Status == s.Status && an.Explanation == s.Explanation
}

// Suggestions returns, for the requirements of attestation a (loaded with
// its answers and tender) in sheet order, the best earlier answer of a's
// supplier, for its vendor by only. The rule: a standing answer that has
// not expired wins (the supplier keeps it as its answer); otherwise the
// most recently submitted answer to the same standard (by slug) in any
// other attestation of the same supplier. Drafts never count, nor does
// another supplier's anything.
func Suggestions(ctx context.Context, db *gorm.DB, by *User, a *Attestation, now time.Time) ([]Suggestion, error) {
	if !a.vendor(by) {
		return nil, &ForbiddenError{Code: "not_vendor"}
	}
	return suggestionsFor(db.WithContext(ctx), a.SupplierOrgID, a.ID, a.Answers, now)
}

// suggestionsFor finds the suggestions of supplier org for answers (with
// requirement and standard) of attestation attID.
func suggestionsFor(db *gorm.DB, org, attID uint, answers []Answer, now time.Time) ([]Suggestion, error) {
	var slugs []string
	for _, an := range answers {
		if an.Requirement != nil && an.Requirement.Standard != nil && !slices.Contains(slugs, an.Requirement.Standard.Slug) {
			slugs = append(slugs, an.Requirement.Standard.Slug)
		}
	}
	if len(slugs) == 0 {
		return nil, nil
	}
	standing, err := liveStanding(db, org, slugs, now)
	if err != nil {
		return nil, err
	}
	earlier, err := latestAnswers(db, org, attID, slugs)
	if err != nil {
		return nil, err
	}
	var out []Suggestion
	for _, an := range answers {
		if an.Requirement == nil || an.Requirement.Standard == nil {
			continue
		}
		slug := an.Requirement.Standard.Slug
		if s, ok := standing[slug]; ok {
			sg := Suggestion{RequirementID: an.RequirementID, Standard: slug, Source: SourceStanding, StandingAnswerID: s.ID, ValidUntil: s.ValidUntil,
				Status: s.Status, Explanation: s.Explanation, PlannedDate: s.PlannedDate, Evidence: []SuggestedEvidence{}}
			for _, e := range s.Evidence {
				sg.Evidence = append(sg.Evidence, SuggestedEvidence{Kind: e.Kind, URL: e.URL, FileName: e.FileName, ContentType: e.ContentType, Size: e.Size, SHA256: e.SHA256, storagePath: e.StoragePath})
			}
			out = append(out, sg)
			continue
		}
		if e, ok := earlier[slug]; ok {
			sg := *e
			sg.RequirementID = an.RequirementID
			out = append(out, sg)
		}
	}
	return out, nil
}

// liveStanding returns org's standing answers to slugs that have not
// expired at now, by slug, with their evidence.
func liveStanding(db *gorm.DB, org uint, slugs []string, now time.Time) (map[string]*StandingAnswer, error) {
	var list []StandingAnswer
	err := db.Where("supplier_org_id = ? AND standard_slug IN ? AND (valid_until = '' OR valid_until >= ?)", org, slugs, today(now)).Find(&list).Error
	if err != nil {
		return nil, wrap(err, "standing answers of org %d", org)
	}
	out := map[string]*StandingAnswer{}
	if len(list) == 0 {
		return out, nil
	}
	ids := make([]uint, len(list))
	for i := range list {
		ids[i] = list[i].ID
		out[list[i].StandardSlug] = &list[i]
	}
	var ev []StandingEvidence
	if err := db.Where("standing_answer_id IN ?", ids).Order("id").Find(&ev).Error; err != nil {
		return nil, wrap(err, "standing evidence of org %d", org)
	}
	for _, e := range ev {
		for i := range list {
			if list[i].ID == e.StandingAnswerID {
				list[i].Evidence = append(list[i].Evidence, e)
			}
		}
	}
	return out, nil
}

// latestAnswers returns, by standard slug, org's most recently submitted
// answer (with a status) in any attestation but attID, as a suggestion
// with its evidence, tender and the scope of its version.
func latestAnswers(db *gorm.DB, org, attID uint, slugs []string) (map[string]*Suggestion, error) {
	var ranked []struct {
		ID          uint
		Slug        string
		SubmittedAt time.Time
	}
	err := db.Raw(`SELECT id, slug, submitted_at FROM (
  SELECT answers.id AS id, standards.slug AS slug, submissions.submitted_at AS submitted_at,
    ROW_NUMBER() OVER (PARTITION BY standards.slug ORDER BY submissions.submitted_at DESC, submissions.id DESC) AS pos
  FROM answers
  JOIN attestations ON attestations.id = answers.attestation_id
  JOIN submissions ON submissions.attestation_id = answers.attestation_id AND submissions.version = answers.version
  JOIN requirements ON requirements.id = answers.requirement_id
  JOIN standards ON standards.id = requirements.standard_id
  WHERE attestations.supplier_org_id = ? AND attestations.id <> ? AND answers.status <> '' AND standards.slug IN ?
) ranked WHERE pos = 1`, org, attID, slugs).Scan(&ranked).Error
	if err != nil {
		return nil, wrap(err, "earlier answers of org %d", org)
	}
	out := map[string]*Suggestion{}
	if len(ranked) == 0 {
		return out, nil
	}
	ids := make([]uint, len(ranked))
	for i, r := range ranked {
		ids[i] = r.ID
	}
	var answers []Answer
	if err := db.Preload("Requirement.Standard").Preload("Attestation.Tender").Where("id IN ?", ids).Find(&answers).Error; err != nil {
		return nil, wrap(err, "earlier answers of org %d", org)
	}
	if err := loadEvidence(db.Statement.Context, db, answers); err != nil {
		return nil, err
	}
	attIDs := make([]uint, 0, len(answers))
	for _, an := range answers {
		attIDs = append(attIDs, an.AttestationID)
	}
	var scope []ScopeDomain
	if err := db.Where("attestation_id IN ?", attIDs).Order("kind, position").Find(&scope).Error; err != nil {
		return nil, wrap(err, "earlier scope of org %d", org)
	}
	for i := range answers {
		an := &answers[i]
		if an.Attestation == nil || an.Attestation.SupplierOrgID != org || an.Requirement == nil || an.Requirement.Standard == nil {
			continue // never another supplier's: the query already says so
		}
		s := &Suggestion{Standard: an.Requirement.Standard.Slug, Source: SourceAttestation, FromAttestationID: an.AttestationID, FromVersion: an.Version,
			FromTender: an.Attestation.Tender, FromRequirement: an.Requirement, Status: an.Status, Explanation: an.Explanation, PlannedDate: an.PlannedDate,
			Evidence: []SuggestedEvidence{}, Domains: []ScopeDomain{}}
		for _, r := range ranked {
			if r.ID == an.ID {
				s.SubmittedAt = r.SubmittedAt
			}
		}
		for _, e := range an.Evidence {
			s.Evidence = append(s.Evidence, SuggestedEvidence{Kind: e.Kind, URL: e.URL, FileName: e.FileName, ContentType: e.ContentType, Size: e.Size, SHA256: e.SHA256, storagePath: e.StoragePath})
		}
		for _, d := range scope {
			if d.AttestationID == an.AttestationID && d.Version == an.Version {
				s.Domains = append(s.Domains, d)
			}
		}
		out[s.Standard] = s
	}
	return out, nil
}

// Refusals of a reuse.
var (
	// ErrAlreadyAnswered means the requirement has an answer already and
	// the vendor did not ask to replace it: a reuse never overwrites
	// silently.
	ErrAlreadyAnswered = &StateError{Code: "library_answered"}
	// ErrNoSuggestion means the supplier has no earlier answer to offer
	// for the requirement (it matches ErrNotFound).
	ErrNoSuggestion = fmt.Errorf("no earlier answer to reuse: %w", ErrNotFound)
)

// Reused is what a reuse did.
type Reused struct {
	// Suggestions are the suggestions filled in, one per requirement.
	Suggestions []Suggestion
	// Skipped counts the suggested requirements left alone because they
	// had an answer (ReuseAll).
	Skipped int
	// ScopeFilled says the attestation's empty scope was set from the
	// earlier attestation's.
	ScopeFilled bool
	// DateDropped says a planned date in the past was not copied.
	DateDropped bool
}

// Reuse fills the draft answer to requirement reqID of attestation attID
// with its suggestion: status, explanation, planned date (unless it has
// passed), the evidence (file evidence shares the stored file: same
// SHA-256, same path) and, when the attestation has no scope yet, the
// earlier attestation's domains. EditableBy's rule applies (a submitted
// attestation, a closed tender or a passed deadline refuse it); an answer
// with a status is only replaced when replace is set (ErrAlreadyAnswered).
func Reuse(ctx context.Context, db *gorm.DB, by *User, attID, reqID uint, replace bool, now time.Time) (*Reused, error) {
	out := &Reused{}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		*out = Reused{}
		a, an, err := editableAnswer(tx, by, attID, reqID, now)
		if err != nil {
			return err
		}
		sgs, err := suggestionsFor(tx, a.SupplierOrgID, a.ID, []Answer{*an}, now)
		if err != nil {
			return err
		}
		if len(sgs) == 0 {
			return wrap(ErrNoSuggestion, "attestation %d requirement %d", attID, reqID)
		}
		if an.Answered() && !replace {
			return wrap(ErrAlreadyAnswered, "attestation %d requirement %d", attID, reqID)
		}
		if err := applySuggestion(tx, by, a, an, &sgs[0], out, now); err != nil {
			return err
		}
		return bumpAttestation(tx, a, now)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ReuseAll fills every unanswered requirement of attestation attID that
// has a suggestion, as Reuse does; answered ones are left as they are.
func ReuseAll(ctx context.Context, db *gorm.DB, by *User, attID uint, now time.Time) (*Reused, error) {
	out := &Reused{}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		*out = Reused{}
		a, err := editableBy(tx, by, attID, now)
		if err != nil {
			return err
		}
		answers, err := versionAnswers(tx, a.ID, a.Version)
		if err != nil {
			return err
		}
		sgs, err := suggestionsFor(tx, a.SupplierOrgID, a.ID, answers, now)
		if err != nil {
			return err
		}
		for i := range sgs {
			for j := range answers {
				an := &answers[j]
				if an.RequirementID != sgs[i].RequirementID {
					continue
				}
				if an.Answered() {
					out.Skipped++
					continue
				}
				if err := applySuggestion(tx, by, a, an, &sgs[i], out, now); err != nil {
					return err
				}
			}
		}
		if len(out.Suggestions) == 0 {
			return nil
		}
		return bumpAttestation(tx, a, now)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// applySuggestion writes suggestion s into answer an of a inside tx.
func applySuggestion(tx *gorm.DB, by *User, a *Attestation, an *Answer, s *Suggestion, out *Reused, now time.Time) error {
	in := AnswerInput{Status: s.Status, Explanation: s.Explanation, PlannedDate: s.PlannedDate}
	if in.PlannedDate != "" && in.PlannedDate < today(now) {
		in.PlannedDate, out.DateDropped = "", true
	}
	if err := in.Validate(now); err != nil {
		return err
	}
	if err := saveDraft(tx, by, a, an, &in, now); err != nil {
		return err
	}
	for _, e := range s.Evidence {
		if e.Kind == EvidenceURL {
			if _, err := addURLEvidence(tx, by, an, e.URL, now); err != nil {
				return err
			}
			continue
		}
		var same int64
		if err := tx.Model(&Evidence{}).Where("answer_id = ? AND kind = ? AND sha256 = ?", an.ID, EvidenceFile, e.SHA256).Count(&same).Error; err != nil {
			return wrap(err, "answer %d: evidence", an.ID)
		}
		if same > 0 {
			continue
		}
		if err := roomForEvidence(tx, an.ID, "evidence"); err != nil {
			return err
		}
		ev := &Evidence{AnswerID: an.ID, Kind: EvidenceFile, FileName: e.FileName, ContentType: e.ContentType, Size: e.Size,
			SHA256: e.SHA256, StoragePath: e.storagePath, UploadedByID: by.ID, CreatedAt: now}
		if err := tx.Omit("Answer", "UploadedBy").Create(ev).Error; err != nil {
			return wrap(err, "answer %d: reuse file evidence", an.ID)
		}
		if err := writeAudit(tx, by, now, AuditEntry{Action: "evidence.upload", ObjectType: "evidence", ObjectID: ev.ID, AttestationID: &a.ID, TenderID: &a.TenderID},
			nil, map[string]any{"requirement_id": an.RequirementID, "file_name": ev.FileName, "sha256": ev.SHA256, "size": ev.Size, "content_type": ev.ContentType,
				"reused_from": reusedFrom(s)}); err != nil {
			return err
		}
	}
	if len(s.Domains) > 0 && !out.ScopeFilled {
		filled, err := fillEmptyScope(tx, by, a, s, now)
		if err != nil {
			return err
		}
		out.ScopeFilled = filled
	}
	out.Suggestions = append(out.Suggestions, *s)
	return nil
}

// reusedFrom names a suggestion's source for the audit trail.
func reusedFrom(s *Suggestion) map[string]any {
	if s.Source == SourceStanding {
		return map[string]any{"source": s.Source, "standing_answer_id": s.StandingAnswerID}
	}
	return map[string]any{"source": s.Source, "attestation_id": s.FromAttestationID, "version": s.FromVersion}
}

// fillEmptyScope sets a's scope to the domains of suggestion s when a's
// current version has none; it reports whether it did.
func fillEmptyScope(tx *gorm.DB, by *User, a *Attestation, s *Suggestion, now time.Time) (bool, error) {
	var n int64
	if err := tx.Model(&ScopeDomain{}).Where("attestation_id = ? AND version = ?", a.ID, a.Version).Count(&n).Error; err != nil {
		return false, wrap(err, "attestation %d: scope", a.ID)
	}
	if n > 0 {
		return false, nil
	}
	web, mail, mgmt := s.DomainNames(ScopeWeb), s.DomainNames(ScopeMail), s.DomainNames(ScopeManagement)
	rows := scopeRows(a.ID, a.Version, web, mail, mgmt)
	if err := tx.Create(&rows).Error; err != nil {
		return false, wrap(err, "attestation %d: reuse scope", a.ID)
	}
	if err := tx.Model(&Attestation{}).Where("id = ?", a.ID).Update("scope_lock", gorm.Expr("scope_lock + 1")).Error; err != nil {
		return false, wrap(err, "attestation %d: scope lock", a.ID)
	}
	after := map[string][]string{"web": web, "mail": mail}
	if len(mgmt) > 0 {
		after[ScopeManagement] = mgmt
	}
	err := writeAudit(tx, by, now, AuditEntry{Action: "scope.save", ObjectType: "attestation", ObjectID: a.ID, AttestationID: &a.ID, TenderID: &a.TenderID},
		map[string][]string{"web": {}, "mail": {}}, after)
	return true, err
}

// StandingReminderDue is a standing answer whose expiry entered a
// reminder stage, with the vendors of its supplier to mail.
type StandingReminderDue struct {
	Answer  StandingAnswer
	Days    int
	Vendors []User
}

// standingStage is the reminder stage a valid-until date is in at now:
// the smallest of StandingReminderDays not shorter than the days left.
func standingStage(validUntil string, now time.Time) (int, bool) {
	left := (&StandingAnswer{ValidUntil: validUntil}).DaysLeft(now)
	if left < 0 {
		return 0, false
	}
	stage, ok := 0, false
	for _, d := range StandingReminderDays {
		if left <= d && (!ok || d < stage) {
			stage, ok = d, true
		}
	}
	return stage, ok
}

// DueStandingReminders returns the standing answers whose valid-until
// date entered a reminder stage (StandingReminderDays) that no process
// has mailed yet, with the enabled vendors of each supplier. The caller
// claims each with ClaimStandingReminder before mailing it.
func DueStandingReminders(ctx context.Context, db *gorm.DB, now time.Time) ([]StandingReminderDue, error) {
	horizon := now.UTC().AddDate(0, 0, slices.Max(StandingReminderDays)).Format("2006-01-02")
	var list []StandingAnswer
	err := db.WithContext(ctx).Preload("SupplierOrg").Where("valid_until <> '' AND valid_until >= ? AND valid_until <= ?", today(now), horizon).
		Order("valid_until, id").Find(&list).Error
	if err != nil {
		return nil, wrap(err, "due standing reminders")
	}
	if len(list) == 0 {
		return nil, nil
	}
	orgs := []uint{}
	for _, s := range list {
		if !slices.Contains(orgs, s.SupplierOrgID) {
			orgs = append(orgs, s.SupplierOrgID)
		}
	}
	var vendors []User
	if err := db.WithContext(ctx).Where("org_id IN ? AND role = ? AND NOT disabled", orgs, RoleVendor).Order("id").Find(&vendors).Error; err != nil {
		return nil, wrap(err, "vendors of standing answers")
	}
	var sent []StandingReminder
	ids := make([]uint, len(list))
	for i := range list {
		ids[i] = list[i].ID
	}
	if err := db.WithContext(ctx).Where("standing_answer_id IN ?", ids).Find(&sent).Error; err != nil {
		return nil, wrap(err, "standing reminders sent")
	}
	if err := loadStandingDetails(ctx, db, list); err != nil {
		return nil, err
	}
	var out []StandingReminderDue
	for _, s := range list {
		days, ok := standingStage(s.ValidUntil, now)
		if !ok || slices.ContainsFunc(sent, func(r StandingReminder) bool {
			return r.StandingAnswerID == s.ID && r.ValidUntil == s.ValidUntil && r.Days <= days
		}) {
			continue
		}
		due := StandingReminderDue{Answer: s, Days: days}
		for _, v := range vendors {
			if v.OrgID != nil && *v.OrgID == s.SupplierOrgID {
				due.Vendors = append(due.Vendors, v)
			}
		}
		out = append(out, due)
	}
	return out, nil
}

// ClaimStandingReminder records that the reminder of standing answer id at
// stage days (for its valid-until date validUntil) is being mailed, and
// reports whether this call made the record: with several serve processes
// exactly one wins each stage, by the unique index.
func ClaimStandingReminder(ctx context.Context, db *gorm.DB, id uint, validUntil string, days int, now time.Time) (bool, error) {
	r := StandingReminder{StandingAnswerID: id, ValidUntil: validUntil, Days: days, SentAt: now.UTC()}
	res := db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Omit("StandingAnswer").Create(&r)
	if res.Error != nil {
		return false, wrap(res.Error, "claim standing reminder %d", id)
	}
	return res.RowsAffected == 1, nil
}

// ReleaseStandingReminder undoes a claim whose mail could not be sent, so
// a later round tries again.
func ReleaseStandingReminder(ctx context.Context, db *gorm.DB, id uint, validUntil string, days int) error {
	err := db.WithContext(ctx).Where("standing_answer_id = ? AND valid_until = ? AND days = ?", id, validUntil, days).Delete(&StandingReminder{}).Error
	return wrap(err, "release standing reminder %d", id)
}
