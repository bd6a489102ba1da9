package models

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// MaxOmissionLength bounds an explanation for leaving a standard out.
const MaxOmissionLength = 2000

// TenderOmission is the buyer's explanation, under comply-or-explain, for
// leaving a relevant standard off a tender's sheet ("the service has no
// e-mail of its own"). One per tender and standard; an empty explanation
// removes it.
type TenderOmission struct {
	ID           uint      `gorm:"primaryKey" json:"-"`
	TenderID     uint      `gorm:"not null;uniqueIndex:idx_tender_omission,priority:1" json:"tender_id"`
	Tender       *Tender   `gorm:"constraint:OnDelete:CASCADE" json:"-"`
	StandardSlug string    `gorm:"size:100;not null;uniqueIndex:idx_tender_omission,priority:2" json:"standard"`
	Explanation  string    `gorm:"type:text;not null" json:"explanation"`
	ByID         uint      `gorm:"not null;index" json:"-"`
	By           *User     `gorm:"constraint:OnDelete:RESTRICT" json:"-"`
	CreatedAt    time.Time `gorm:"not null" json:"-"`
	UpdatedAt    time.Time `gorm:"not null" json:"updated_at"`
}

// TableName is "tender_omissions".
func (TenderOmission) TableName() string { return "tender_omissions" }

// tenderKinds is the kinds column of tenders, kept apart from Tender so
// that the tender's own reads and writes stay as they were.
type tenderKinds struct {
	ID    uint    `gorm:"primaryKey"`
	Kinds *string `gorm:"type:text"`
}

func (tenderKinds) TableName() string { return "tenders" }

// TenderKinds returns the kinds of ICT the officer chose for tender id,
// and whether they chose at all (nil: the monitor suggests them).
func TenderKinds(ctx context.Context, db *gorm.DB, id uint) ([]string, bool, error) {
	var row tenderKinds
	if err := db.WithContext(ctx).Select("id, kinds").First(&row, id).Error; err != nil {
		return nil, false, wrap(err, "kinds of tender %d", id)
	}
	kinds, ok := decodeKinds(row.Kinds)
	return kinds, ok, nil
}

// decodeKinds reads a stored kinds column; NULL or unreadable is "not
// chosen".
func decodeKinds(s *string) ([]string, bool) {
	if s == nil || *s == "" {
		return nil, false
	}
	var out []string
	if json.Unmarshal([]byte(*s), &out) != nil {
		return nil, false
	}
	if out == nil {
		out = []string{}
	}
	return out, true
}

// SetTenderKinds records the kinds of ICT tender id buys, chosen by by
// among allowed (the profiles' slugs); nil clears the choice, so the
// monitor suggests them again. Published tenders keep their sheet but
// their kinds may still be corrected: it is the monitor's reading of the
// tender, not part of what suppliers signed.
func SetTenderKinds(ctx context.Context, db *gorm.DB, by *User, id uint, kinds []string, allowed []string, now time.Time) error {
	for _, k := range kinds {
		if !oneOf(k, allowed) {
			return invalid("kinds", "not_one_of", "value", k, "allowed", allowed)
		}
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := lockTender(tx, id)
		if err != nil {
			return err
		}
		if err := t.ManageableBy(by); err != nil {
			return err
		}
		var row tenderKinds
		if err := tx.Select("id, kinds").First(&row, id).Error; err != nil {
			return wrap(err, "kinds of tender %d", id)
		}
		before, _ := decodeKinds(row.Kinds)
		var value *string
		if kinds != nil {
			b, err := json.Marshal(kinds)
			if err != nil {
				return err
			}
			s := string(b)
			value = &s
		}
		if err := tx.Model(&tenderKinds{}).Where("id = ?", id).Update("kinds", value).Error; err != nil {
			return wrap(err, "set kinds of tender %d", id)
		}
		return tenderAudit(tx, by, now, "monitor.kinds", t,
			map[string]any{"kinds": strings.Join(before, ", ")}, map[string]any{"kinds": strings.Join(kinds, ", ")})
	})
}

// ListTenderOmissions returns the explanations recorded for tender id, by
// standard slug.
func ListTenderOmissions(ctx context.Context, db *gorm.DB, id uint) (map[string]TenderOmission, error) {
	var rows []TenderOmission
	if err := db.WithContext(ctx).Where("tender_id = ?", id).Order("standard_slug").Find(&rows).Error; err != nil {
		return nil, wrap(err, "omissions of tender %d", id)
	}
	out := make(map[string]TenderOmission, len(rows))
	for _, r := range rows {
		out[r.StandardSlug] = r
	}
	return out, nil
}

// SaveTenderOmissions records by's explanations for tender id, by
// standard slug: a text sets the explanation, an empty text removes it.
// slugs must be among allowed (the tender's relevant standards that are
// not on its sheet); every change is one audit entry, all in one
// transaction.
func SaveTenderOmissions(ctx context.Context, db *gorm.DB, by *User, id uint, texts map[string]string, allowed []string, now time.Time) error {
	for slug, text := range texts {
		if !oneOf(slug, allowed) {
			return invalid("explanation_"+slug, "not_one_of", "value", slug, "allowed", allowed)
		}
		text = strings.TrimSpace(text)
		if utf8.RuneCountInString(text) > MaxOmissionLength {
			return invalid("explanation_"+slug, "too_long", "max", MaxOmissionLength)
		}
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := lockTender(tx, id)
		if err != nil {
			return err
		}
		if err := t.ManageableBy(by); err != nil {
			return err
		}
		var existing []TenderOmission
		if err := tx.Where("tender_id = ?", id).Find(&existing).Error; err != nil {
			return wrap(err, "omissions of tender %d", id)
		}
		have := map[string]TenderOmission{}
		for _, o := range existing {
			have[o.StandardSlug] = o
		}
		for _, slug := range sortedKeys(texts) {
			text := strings.TrimSpace(texts[slug])
			old, had := have[slug]
			if had && old.Explanation == text || !had && text == "" {
				continue
			}
			if text == "" {
				if err := tx.Delete(&TenderOmission{}, old.ID).Error; err != nil {
					return wrap(err, "remove omission %s of tender %d", slug, id)
				}
			} else {
				o := TenderOmission{TenderID: id, StandardSlug: slug, Explanation: text, ByID: by.ID, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
				err := tx.Clauses(clause.OnConflict{
					Columns:   []clause.Column{{Name: "tender_id"}, {Name: "standard_slug"}},
					DoUpdates: clause.AssignmentColumns([]string{"explanation", "by_id", "updated_at"}),
				}).Create(&o).Error
				if err != nil {
					return wrap(err, "save omission %s of tender %d", slug, id)
				}
			}
			before := map[string]any{"standard": slug, "explanation": old.Explanation}
			if !had {
				before = nil
			}
			after := map[string]any{"standard": slug, "explanation": text}
			if text == "" {
				after = nil
			}
			if err := tenderAudit(tx, by, now, "monitor.omission", t, before, after); err != nil {
				return err
			}
		}
		return nil
	})
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
