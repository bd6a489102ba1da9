package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Requirement levels.
const (
	// LevelMandatory means a vendor that does not comply is excluded or must explain.
	LevelMandatory = "mandatory"
	// LevelRecommended means compliance counts in the vendor's favour.
	LevelRecommended = "recommended"
)

// Levels lists the allowed Requirement.Level values.
var Levels = []string{LevelMandatory, LevelRecommended}

// Limits on requirement text.
const (
	MaxClauseLength = 10000
	MaxNoteLength   = 2000
)

// Requirement is one line of a tender's sheet: a catalogue standard demanded
// at a level, optionally with the officer's own clause and a note. A
// standard appears at most once per tender. Position is 1-based and has no gaps.
type Requirement struct {
	ID           uint      `gorm:"primaryKey" json:"id"`
	TenderID     uint      `gorm:"not null;uniqueIndex:idx_requirement_tender_standard,priority:1;index" json:"tender_id"`
	StandardID   uint      `gorm:"not null;uniqueIndex:idx_requirement_tender_standard,priority:2" json:"standard_id"`
	Standard     *Standard `gorm:"constraint:OnDelete:RESTRICT" json:"standard,omitempty"`
	Position     int       `gorm:"not null" json:"position"`
	Level        string    `gorm:"size:20;not null" json:"level"`
	CustomClause string    `gorm:"type:text;not null;default:''" json:"custom_clause"`
	Note         string    `gorm:"type:text;not null;default:''" json:"note"`
	// NotePublic says the note is printed on the sheet and shown to
	// vendors; an internal note (the default) is for the buyer only.
	NotePublic bool      `gorm:"not null;default:false" json:"note_public"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// ClauseIn returns the text that goes into the tender documents, in the
// tender's language lang: the officer's custom clause if given (written in
// that language), otherwise the catalogue's clause in lang. Every reader
// sees this text, whatever their own language: it is what a supplier
// signs.
func (r *Requirement) ClauseIn(lang string) string {
	if strings.TrimSpace(r.CustomClause) != "" {
		return r.CustomClause
	}
	if r.Standard != nil {
		return r.Standard.In(lang).Clause
	}
	return ""
}

// Mandatory reports whether the requirement is at the mandatory level.
func (r *Requirement) Mandatory() bool { return r.Level == LevelMandatory }

// ValidateLevel checks that level is mandatory or recommended.
func ValidateLevel(level string) error {
	if !oneOf(level, Levels) {
		return invalid("level", "not_one_of", "value", level, "allowed", Levels)
	}
	return nil
}

func validateRequirementText(clause, note string) error {
	var errs ValidationErrors
	if utf8.RuneCountInString(clause) > MaxClauseLength {
		errs.invalid("custom_clause", "too_long", "max", MaxClauseLength)
	}
	if utf8.RuneCountInString(note) > MaxNoteLength {
		errs.invalid("note", "too_long", "max", MaxNoteLength)
	}
	return errs.err()
}

// RequirementInput holds what an officer types for a requirement: the
// standard's slug (only when adding), the level, an optional clause of
// their own and a note, internal unless NotePublic: only a public note is
// printed on the sheet and shown to vendors.
type RequirementInput struct {
	Standard     string
	Level        string
	CustomClause string
	Note         string
	NotePublic   bool
}

// validate trims the text and checks the level and the lengths, all of
// them at once.
func (in *RequirementInput) validate() error {
	in.CustomClause, in.Note = strings.TrimSpace(in.CustomClause), strings.TrimSpace(in.Note)
	return JoinInvalid(ValidateLevel(in.Level), validateRequirementText(in.CustomClause, in.Note))
}

// PublicNote returns the note if it may be printed on the sheet and shown
// to vendors, and "" for an internal note.
func (r *Requirement) PublicNote() string {
	if r.NotePublic {
		return r.Note
	}
	return ""
}

// NoteFor returns the note as u may read it: the buyer's side (admins,
// officers, auditors) reads every note, anyone else only a public one.
func (r *Requirement) NoteFor(u *User) string {
	if u.IsStaff() {
		return r.Note
	}
	return r.PublicNote()
}

// auditFields is what the audit log records of a requirement.
func (r *Requirement) auditFields() map[string]any {
	m := map[string]any{"level": r.Level, "clause": r.CustomClause, "note": r.Note, "position": r.Position}
	if r.Note != "" {
		m["note_visibility"] = map[bool]string{true: "public", false: "internal"}[r.NotePublic]
	}
	if r.Standard != nil {
		m["standard"] = r.Standard.Slug
	}
	return m
}

// requirementAudit writes the audit entry of action on requirement r of t.
func requirementAudit(tx *gorm.DB, by *User, now time.Time, action string, t *Tender, r *Requirement, before, after any) error {
	tid, org := t.ID, t.BuyerOrgID
	return writeAudit(tx, by, now, AuditEntry{Action: action, ObjectType: "requirement", ObjectID: r.ID, TenderID: &tid, OrgID: &org}, before, after)
}

// AddRequirement appends the standard with slug in.Standard (from the
// tender's own catalogue version) to draft tender tenderID for by, who
// must be allowed to change it (Tender.EditableBy). A published tender
// gives ErrLocked, an unknown slug or level a ValidationError, a standard
// already on the sheet ErrConflict.
func AddRequirement(ctx context.Context, db *gorm.DB, by *User, tenderID uint, in RequirementInput, now time.Time) (*Requirement, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	var r *Requirement
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := lockEditable(tx, by, tenderID)
		if err != nil {
			return err
		}
		added, err := addStandards(ctx, tx, by, t, []string{in.Standard}, in, now)
		if err != nil {
			return err
		}
		r = &added[0]
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// AddRequirements puts every standard of slugs on draft tender tenderID at
// level, in the order given, in one transaction: all are added or none.
// An empty list, an unknown slug or one already on the sheet refuses the
// whole list. Each requirement added has its own audit entry.
func AddRequirements(ctx context.Context, db *gorm.DB, by *User, tenderID uint, slugs []string, level string, now time.Time) ([]Requirement, error) {
	in := RequirementInput{Level: level}
	if err := in.validate(); err != nil {
		return nil, err
	}
	if len(slugs) == 0 {
		return nil, invalid("standards", "choose_standards")
	}
	var out []Requirement
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := lockEditable(tx, by, tenderID)
		if err != nil {
			return err
		}
		out, err = addStandards(ctx, tx, by, t, slugs, in, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// addStandards appends the standards of slugs to t's sheet with the
// level, clause and note of in, inside tx, and writes an audit entry each.
func addStandards(ctx context.Context, tx *gorm.DB, by *User, t *Tender, slugs []string, in RequirementInput, now time.Time) ([]Requirement, error) {
	pos, err := nextPosition(tx, t.ID)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	out := make([]Requirement, 0, len(slugs))
	for _, slug := range slugs {
		if seen[slug] {
			continue
		}
		seen[slug] = true
		std, err := FindStandardInVersion(ctx, tx, t.CatalogueVersionID, slug)
		if errors.Is(err, ErrNotFound) {
			return nil, invalid("standard", "unknown_standard", "value", slug)
		}
		if err != nil {
			return nil, err
		}
		var n int64
		if err := tx.Model(&Requirement{}).Where("tender_id = ? AND standard_id = ?", t.ID, std.ID).Count(&n).Error; err != nil {
			return nil, wrap(err, "add requirement to tender %d", t.ID)
		}
		if n > 0 {
			return nil, wrap(newState("already_on_sheet", "standard", NameOf(std)), "add requirement to tender %d", t.ID)
		}
		r := Requirement{TenderID: t.ID, StandardID: std.ID, Position: pos, Level: in.Level,
			CustomClause: in.CustomClause, Note: in.Note, NotePublic: in.NotePublic && in.Note != ""}
		if err := tx.Omit("Standard").Create(&r).Error; err != nil {
			return nil, wrap(err, "add requirement to tender %d", t.ID)
		}
		r.Standard = std
		if err := requirementAudit(tx, by, now, "requirement.add", t, &r, nil, r.auditFields()); err != nil {
			return nil, err
		}
		out = append(out, r)
		pos++
	}
	return out, nil
}

func nextPosition(tx *gorm.DB, tenderID uint) (int, error) {
	var maxPos *int
	if err := tx.Model(&Requirement{}).Where("tender_id = ?", tenderID).Select("MAX(position)").Scan(&maxPos).Error; err != nil {
		return 0, wrap(err, "tender %d: last position", tenderID)
	}
	if maxPos == nil {
		return 1, nil
	}
	return *maxPos + 1, nil
}

// findRequirement reads requirement reqID of tender tenderID with its
// standard inside tx.
func findRequirement(tx *gorm.DB, tenderID, reqID uint) (*Requirement, error) {
	var r Requirement
	if err := tx.Preload("Standard").Where("tender_id = ?", tenderID).First(&r, reqID).Error; err != nil {
		return nil, wrap(err, "requirement %d of tender %d", reqID, tenderID)
	}
	return &r, nil
}

// UpdateRequirement changes the level, custom clause and note (and whether
// the note is public) of a requirement on a draft tender, for by, who must
// be allowed to change the tender. in.Standard is ignored: a requirement
// keeps its standard. The audit entry holds the fields that changed.
func UpdateRequirement(ctx context.Context, db *gorm.DB, by *User, tenderID, reqID uint, in RequirementInput, now time.Time) (*Requirement, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	var r *Requirement
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := lockEditable(tx, by, tenderID)
		if err != nil {
			return err
		}
		if r, err = findRequirement(tx, tenderID, reqID); err != nil {
			return err
		}
		before := r.auditFields()
		r.Level, r.CustomClause, r.Note, r.NotePublic = in.Level, in.CustomClause, in.Note, in.NotePublic && in.Note != ""
		if err := tx.Model(r).Select("level", "custom_clause", "note", "note_public", "updated_at").Updates(r).Error; err != nil {
			return wrap(err, "update requirement %d", reqID)
		}
		b, a := changedFields(before, r.auditFields())
		if len(a) == 0 {
			return nil
		}
		b["standard"], a["standard"] = r.Standard.Slug, r.Standard.Slug
		return requirementAudit(tx, by, now, "requirement.edit", t, r, b, a)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// RemoveRequirement takes requirement reqID off draft tender tenderID for
// by, who must be allowed to change it, and closes the gap in the positions.
func RemoveRequirement(ctx context.Context, db *gorm.DB, by *User, tenderID, reqID uint, now time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := lockEditable(tx, by, tenderID)
		if err != nil {
			return err
		}
		r, err := findRequirement(tx, tenderID, reqID)
		if err != nil {
			return err
		}
		if err := tx.Delete(r).Error; err != nil {
			return wrap(err, "remove requirement %d", reqID)
		}
		err = tx.Model(&Requirement{}).Where("tender_id = ? AND position > ?", tenderID, r.Position).
			Update("position", gorm.Expr("position - 1")).Error
		if err != nil {
			return wrap(err, "remove requirement %d: renumber", reqID)
		}
		return requirementAudit(tx, by, now, "requirement.remove", t, r, r.auditFields(), nil)
	})
}

// MoveRequirement moves requirement reqID by delta places (negative is up)
// on draft tender tenderID, stopping at the top or bottom of the sheet.
func MoveRequirement(ctx context.Context, db *gorm.DB, by *User, tenderID, reqID uint, delta int, now time.Time) error {
	return moveRequirement(ctx, db, by, tenderID, reqID, func(from, n int) (int, error) {
		return max(0, min(n-1, from+delta)), nil
	}, now)
}

// MoveRequirementTo moves requirement reqID of draft tender tenderID to
// position (1 is the top) in one step; the others keep their order. A
// position outside 1..the number of requirements is a ValidationError.
func MoveRequirementTo(ctx context.Context, db *gorm.DB, by *User, tenderID, reqID uint, position int, now time.Time) error {
	return moveRequirement(ctx, db, by, tenderID, reqID, func(_, n int) (int, error) {
		if position < 1 || position > n {
			return 0, invalid("position", "out_of_range", "min", 1, "max", n)
		}
		return position - 1, nil
	}, now)
}

// moveRequirement moves reqID to the 0-based index target returns for
// its index and the sheet's length, and records the move.
func moveRequirement(ctx context.Context, db *gorm.DB, by *User, tenderID, reqID uint, target func(from, n int) (int, error), now time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := lockEditable(tx, by, tenderID)
		if err != nil {
			return err
		}
		ids, err := sheetOrder(tx, tenderID)
		if err != nil {
			return err
		}
		from := slices.Index(ids, reqID)
		if from < 0 {
			return wrap(ErrNotFound, "move requirement %d of tender %d", reqID, tenderID)
		}
		to, err := target(from, len(ids))
		if err != nil || to == from {
			return err
		}
		ids = slices.Delete(ids, from, from+1)
		ids = slices.Insert(ids, to, reqID)
		if err := setPositions(tx, tenderID, ids); err != nil {
			return err
		}
		r, err := findRequirement(tx, tenderID, reqID)
		if err != nil {
			return err
		}
		return requirementAudit(tx, by, now, "requirement.move", t, r,
			map[string]any{"standard": r.Standard.Slug, "position": from + 1}, map[string]any{"standard": r.Standard.Slug, "position": to + 1})
	})
}

// ReorderRequirements puts the sheet of draft tender tenderID in the order
// of ids, which must name every requirement of the sheet exactly once.
func ReorderRequirements(ctx context.Context, db *gorm.DB, by *User, tenderID uint, ids []uint, now time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := lockEditable(tx, by, tenderID)
		if err != nil {
			return err
		}
		current, err := sheetOrder(tx, tenderID)
		if err != nil {
			return err
		}
		have := make(map[uint]bool, len(current))
		for _, id := range current {
			have[id] = true
		}
		seen := make(map[uint]bool, len(ids))
		for _, id := range ids {
			if !have[id] || seen[id] {
				return invalid("order", "not_on_sheet", "id", id)
			}
			seen[id] = true
		}
		if len(ids) != len(current) {
			return invalid("order", "incomplete_order", "count", len(ids), "total", len(current))
		}
		if slices.Equal(ids, current) {
			return nil
		}
		if err := setPositions(tx, tenderID, ids); err != nil {
			return err
		}
		id, org := t.ID, t.BuyerOrgID
		return writeAudit(tx, by, now, AuditEntry{Action: "requirement.move", ObjectType: "tender", ObjectID: t.ID, TenderID: &id, OrgID: &org},
			map[string]any{"order": current}, map[string]any{"order": ids})
	})
}

// sheetOrder returns the requirement ids of a tender in sheet order.
func sheetOrder(tx *gorm.DB, tenderID uint) ([]uint, error) {
	var ids []uint
	if err := tx.Model(&Requirement{}).Where("tender_id = ?", tenderID).Order("position, id").Pluck("id", &ids).Error; err != nil {
		return nil, wrap(err, "tender %d: sheet order", tenderID)
	}
	return ids, nil
}

// setPositions numbers the requirements 1..n in the order of ids with a
// single UPDATE ... CASE statement. The ids and positions are written as
// integer literals: bound parameters inside CASE are typed as text by
// PostgreSQL, and integers formatted by strconv cannot inject anything.
func setPositions(tx *gorm.DB, tenderID uint, ids []uint) error {
	if len(ids) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("CASE id")
	for i, id := range ids {
		b.WriteString(" WHEN ")
		b.WriteString(strconv.FormatUint(uint64(id), 10))
		b.WriteString(" THEN ")
		b.WriteString(strconv.Itoa(i + 1))
	}
	b.WriteString(" ELSE position END")
	err := tx.Model(&Requirement{}).Where("tender_id = ? AND id IN ?", tenderID, ids).
		Update("position", gorm.Expr(b.String())).Error
	return wrap(err, "tender %d: renumber sheet", tenderID)
}

// Profile is a preset set of requirements for a common kind of purchase,
// such as website hosting. Profiles are data (package seed).
type Profile struct {
	Slug        string        `json:"slug" yaml:"slug"`
	Name        string        `json:"name" yaml:"name"`
	Description string        `json:"description" yaml:"description"`
	Items       []ProfileItem `json:"items" yaml:"items"`
	// Keywords are words by language tag that suggest a tender document
	// buys this kind of ICT (document analysis, app/docanalysis).
	Keywords map[string][]string `json:"keywords,omitempty" yaml:"keywords,omitempty"`
}

// ProfileItem is one standard of a profile with the level it is demanded at.
type ProfileItem struct {
	Standard string `json:"standard" yaml:"standard"`
	Level    string `json:"level" yaml:"level"`
}

// ProfileItemPreview is one standard a profile would add, at its level.
type ProfileItemPreview struct {
	Standard *Standard
	Level    string
}

// profileStandards resolves p's standards in tender t's catalogue version
// and returns, in the profile's order, those not on the sheet yet.
// Standards missing from that version are skipped (a profile may name
// standards a newer catalogue added).
func profileStandards(tx *gorm.DB, t *Tender, p Profile) ([]ProfileItemPreview, error) {
	for i, it := range p.Items {
		if err := ValidateLevel(it.Level); err != nil {
			return nil, invalid(fmt.Sprintf("items[%d].level", i), "not_one_of", "value", it.Level, "allowed", Levels)
		}
	}
	slugs := make([]string, len(p.Items))
	for i, it := range p.Items {
		slugs[i] = it.Standard
	}
	var stds []Standard
	if len(slugs) > 0 {
		if err := tx.Where("catalogue_version_id = ? AND slug IN ?", t.CatalogueVersionID, slugs).Find(&stds).Error; err != nil {
			return nil, wrap(err, "profile %s", p.Slug)
		}
	}
	bySlug := make(map[string]*Standard, len(stds))
	for i := range stds {
		bySlug[stds[i].Slug] = &stds[i]
	}
	var present []uint
	if err := tx.Model(&Requirement{}).Where("tender_id = ?", t.ID).Pluck("standard_id", &present).Error; err != nil {
		return nil, wrap(err, "profile %s", p.Slug)
	}
	on := make(map[uint]bool, len(present))
	for _, id := range present {
		on[id] = true
	}
	var out []ProfileItemPreview
	for _, it := range p.Items {
		std := bySlug[it.Standard]
		if std == nil || on[std.ID] {
			continue
		}
		on[std.ID] = true
		out = append(out, ProfileItemPreview{Standard: std, Level: it.Level})
	}
	return out, nil
}

// PreviewProfile returns what ApplyProfile would add to draft tender
// tenderID, changing nothing: the profile's standards not on the sheet
// yet, at the profile's levels. by must be allowed to change the tender.
func PreviewProfile(ctx context.Context, db *gorm.DB, by *User, tenderID uint, p Profile) ([]ProfileItemPreview, error) {
	t, err := FindTender(ctx, db, tenderID)
	if err != nil {
		return nil, err
	}
	if err := t.EditableBy(by); err != nil {
		return nil, wrap(err, "preview profile %s on tender %d", p.Slug, tenderID)
	}
	return profileStandards(db.WithContext(ctx), t, p)
}

// ApplyProfile adds to draft tender tenderID, in one transaction, every
// standard of profile p that is not on the sheet yet, at the profile's
// level, after the existing requirements, for by, who must be allowed to
// change the tender. Standards missing from the tender's catalogue
// version are skipped. It returns the requirements added; one audit entry
// names the profile and the standards it added.
func ApplyProfile(ctx context.Context, db *gorm.DB, by *User, tenderID uint, p Profile, now time.Time) ([]Requirement, error) {
	var added []Requirement
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := lockEditable(tx, by, tenderID)
		if err != nil {
			return err
		}
		items, err := profileStandards(tx, t, p)
		if err != nil || len(items) == 0 {
			return err
		}
		pos, err := nextPosition(tx, tenderID)
		if err != nil {
			return err
		}
		slugs := make([]string, len(items))
		for i, it := range items {
			added = append(added, Requirement{TenderID: tenderID, StandardID: it.Standard.ID, Position: pos + i, Level: it.Level})
			slugs[i] = it.Standard.Slug + " (" + it.Level + ")"
		}
		if err := tx.Omit("Standard").Create(&added).Error; err != nil {
			return wrap(err, "apply profile %s", p.Slug)
		}
		for i := range added {
			added[i].Standard = items[i].Standard
		}
		id, org := t.ID, t.BuyerOrgID
		name := p.Name
		if name == "" {
			name = p.Slug
		}
		return writeAudit(tx, by, now, AuditEntry{Action: "profile.apply", ObjectType: "tender", ObjectID: t.ID, TenderID: &id, OrgID: &org},
			nil, map[string]any{"profile": name, "added": slugs})
	})
	if err != nil {
		return nil, err
	}
	return added, nil
}
