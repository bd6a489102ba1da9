package models

import (
	"context"
	"errors"
	"fmt"
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
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Clause returns the text that goes into the tender documents: the
// officer's custom clause if given, otherwise the catalogue's clause.
func (r *Requirement) Clause() string {
	if strings.TrimSpace(r.CustomClause) != "" {
		return r.CustomClause
	}
	if r.Standard != nil {
		return r.Standard.Clause
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
	if utf8.RuneCountInString(clause) > MaxClauseLength {
		return invalid("custom_clause", "too_long", "max", MaxClauseLength)
	}
	if utf8.RuneCountInString(note) > MaxNoteLength {
		return invalid("note", "too_long", "max", MaxNoteLength)
	}
	return nil
}

// AddRequirement appends the standard with slug (from the tender's own
// catalogue version) to draft tender tenderID. A published tender gives
// ErrLocked, an unknown slug or level a ValidationError, a standard already
// on the sheet ErrConflict.
func AddRequirement(ctx context.Context, db *gorm.DB, tenderID uint, slug, level, clause, note string) (*Requirement, error) {
	if err := ValidateLevel(level); err != nil {
		return nil, err
	}
	clause, note = strings.TrimSpace(clause), strings.TrimSpace(note)
	if err := validateRequirementText(clause, note); err != nil {
		return nil, err
	}
	var r *Requirement
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := lockDraft(tx, tenderID)
		if err != nil {
			return err
		}
		std, err := FindStandardInVersion(ctx, tx, t.CatalogueVersionID, slug)
		if errors.Is(err, ErrNotFound) {
			return invalid("standard", "unknown_standard", "value", slug)
		}
		if err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&Requirement{}).Where("tender_id = ? AND standard_id = ?", tenderID, std.ID).Count(&n).Error; err != nil {
			return wrap(err, "add requirement to tender %d", tenderID)
		}
		if n > 0 {
			return wrap(newState("already_on_sheet", "standard", std.Slug), "add requirement to tender %d", tenderID)
		}
		pos, err := nextPosition(tx, tenderID)
		if err != nil {
			return err
		}
		r = &Requirement{TenderID: tenderID, StandardID: std.ID, Position: pos, Level: level, CustomClause: clause, Note: note}
		if err := tx.Omit("Standard").Create(r).Error; err != nil {
			return wrap(err, "add requirement to tender %d", tenderID)
		}
		r.Standard = std
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
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

// UpdateRequirement changes the level, custom clause and note of a
// requirement on a draft tender.
func UpdateRequirement(ctx context.Context, db *gorm.DB, tenderID, reqID uint, level, clause, note string) (*Requirement, error) {
	if err := ValidateLevel(level); err != nil {
		return nil, err
	}
	clause, note = strings.TrimSpace(clause), strings.TrimSpace(note)
	if err := validateRequirementText(clause, note); err != nil {
		return nil, err
	}
	var r Requirement
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := lockDraft(tx, tenderID); err != nil {
			return err
		}
		if err := tx.Where("tender_id = ?", tenderID).First(&r, reqID).Error; err != nil {
			return wrap(err, "requirement %d of tender %d", reqID, tenderID)
		}
		r.Level, r.CustomClause, r.Note = level, clause, note
		if err := tx.Model(&r).Select("level", "custom_clause", "note", "updated_at").Updates(&r).Error; err != nil {
			return wrap(err, "update requirement %d", reqID)
		}
		return wrap(tx.Preload("Standard").First(&r, reqID).Error, "requirement %d", reqID)
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// RemoveRequirement takes requirement reqID off draft tender tenderID and
// closes the gap in the positions.
func RemoveRequirement(ctx context.Context, db *gorm.DB, tenderID, reqID uint) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := lockDraft(tx, tenderID); err != nil {
			return err
		}
		var r Requirement
		if err := tx.Where("tender_id = ?", tenderID).First(&r, reqID).Error; err != nil {
			return wrap(err, "requirement %d of tender %d", reqID, tenderID)
		}
		if err := tx.Delete(&r).Error; err != nil {
			return wrap(err, "remove requirement %d", reqID)
		}
		err := tx.Model(&Requirement{}).Where("tender_id = ? AND position > ?", tenderID, r.Position).
			Update("position", gorm.Expr("position - 1")).Error
		return wrap(err, "remove requirement %d: renumber", reqID)
	})
}

// MoveRequirement moves requirement reqID by delta places (negative is up)
// on draft tender tenderID, stopping at the top or bottom of the sheet.
func MoveRequirement(ctx context.Context, db *gorm.DB, tenderID, reqID uint, delta int) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := lockDraft(tx, tenderID); err != nil {
			return err
		}
		ids, err := sheetOrder(tx, tenderID)
		if err != nil {
			return err
		}
		from := -1
		for i, id := range ids {
			if id == reqID {
				from = i
			}
		}
		if from < 0 {
			return wrap(ErrNotFound, "move requirement %d of tender %d", reqID, tenderID)
		}
		to := max(0, min(len(ids)-1, from+delta))
		if to == from {
			return nil
		}
		ids = append(ids[:from], ids[from+1:]...)
		ids = append(ids[:to], append([]uint{reqID}, ids[to:]...)...)
		return setPositions(tx, tenderID, ids)
	})
}

// ReorderRequirements puts the sheet of draft tender tenderID in the order
// of ids, which must name every requirement of the sheet exactly once.
func ReorderRequirements(ctx context.Context, db *gorm.DB, tenderID uint, ids []uint) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := lockDraft(tx, tenderID); err != nil {
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
		return setPositions(tx, tenderID, ids)
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
}

// ProfileItem is one standard of a profile with the level it is demanded at.
type ProfileItem struct {
	Standard string `json:"standard" yaml:"standard"`
	Level    string `json:"level" yaml:"level"`
}

// ApplyProfile adds to draft tender tenderID, in one transaction, every
// standard of profile p that is not on the sheet yet, at the profile's
// level, after the existing requirements. Standards missing from the
// tender's catalogue version are skipped (a profile may name standards a
// newer catalogue added). It returns the requirements added.
func ApplyProfile(ctx context.Context, db *gorm.DB, tenderID uint, p Profile) ([]Requirement, error) {
	for i, it := range p.Items {
		if err := ValidateLevel(it.Level); err != nil {
			return nil, invalid(fmt.Sprintf("items[%d].level", i), "not_one_of", "value", it.Level, "allowed", Levels)
		}
	}
	var added []Requirement
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := lockDraft(tx, tenderID)
		if err != nil {
			return err
		}
		slugs := make([]string, len(p.Items))
		for i, it := range p.Items {
			slugs[i] = it.Standard
		}
		var stds []Standard
		if err := tx.Where("catalogue_version_id = ? AND slug IN ?", t.CatalogueVersionID, slugs).Find(&stds).Error; err != nil {
			return wrap(err, "apply profile %s", p.Slug)
		}
		bySlug := make(map[string]*Standard, len(stds))
		for i := range stds {
			bySlug[stds[i].Slug] = &stds[i]
		}
		var present []uint
		if err := tx.Model(&Requirement{}).Where("tender_id = ?", tenderID).Pluck("standard_id", &present).Error; err != nil {
			return wrap(err, "apply profile %s", p.Slug)
		}
		on := make(map[uint]bool, len(present))
		for _, id := range present {
			on[id] = true
		}
		pos, err := nextPosition(tx, tenderID)
		if err != nil {
			return err
		}
		for _, it := range p.Items {
			std := bySlug[it.Standard]
			if std == nil || on[std.ID] {
				continue
			}
			on[std.ID] = true
			added = append(added, Requirement{TenderID: tenderID, StandardID: std.ID, Position: pos, Level: it.Level})
			pos++
		}
		if len(added) == 0 {
			return nil
		}
		if err := tx.Omit("Standard").Create(&added).Error; err != nil {
			return wrap(err, "apply profile %s", p.Slug)
		}
		for i := range added {
			for j := range stds {
				if stds[j].ID == added[i].StandardID {
					added[i].Standard = &stds[j]
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return added, nil
}
