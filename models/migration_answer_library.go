package models

import (
	"time"

	"gorm.io/gorm"
)

// addAnswerLibrary is the migration of issue 17's answer library: a
// supplier's standing answers per standard (StandingAnswer), their
// evidence (StandingEvidence) and the expiry reminders mailed
// (StandingReminder, one row per stage: the claim).
func addAnswerLibrary(tx *gorm.DB) error {
	for _, t := range []struct {
		model any
		name  string
	}{{&standingAnswer0017{}, "standing_answers"}, {&standingEvidence0017{}, "standing_evidence"}, {&standingReminder0017{}, "standing_reminders"}} {
		if tx.Migrator().HasTable(t.model) {
			continue
		}
		if err := tx.Migrator().CreateTable(t.model); err != nil {
			return wrap(err, "create %s", t.name)
		}
	}
	return nil
}

type standingAnswer0017 struct {
	ID            uint     `gorm:"primaryKey"`
	SupplierOrgID uint     `gorm:"not null;uniqueIndex:idx_standing_answer_org_standard,priority:1"`
	SupplierOrg   *org0017 `gorm:"constraint:OnDelete:CASCADE"`
	StandardSlug  string   `gorm:"size:60;not null;uniqueIndex:idx_standing_answer_org_standard,priority:2"`
	Status        string   `gorm:"size:20;not null"`
	Explanation   string   `gorm:"type:text;not null;default:''"`
	PlannedDate   string   `gorm:"size:10;not null;default:''"`
	ValidUntil    string   `gorm:"size:10;not null;default:'';index"`
	UpdatedByID   *uint
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (standingAnswer0017) TableName() string { return "standing_answers" }

// org0017 and user0017 name the tables the foreign keys point to.
type org0017 struct {
	ID uint `gorm:"primaryKey"`
}

func (org0017) TableName() string { return "orgs" }

type user0017 struct {
	ID uint `gorm:"primaryKey"`
}

func (user0017) TableName() string { return "users" }

type standingEvidence0017 struct {
	ID               uint                `gorm:"primaryKey"`
	StandingAnswerID uint                `gorm:"not null;index"`
	StandingAnswer   *standingAnswer0017 `gorm:"constraint:OnDelete:CASCADE"`
	Kind             string              `gorm:"size:10;not null"`
	URL              string              `gorm:"size:2000;not null;default:''"`
	FileName         string              `gorm:"size:255;not null;default:''"`
	ContentType      string              `gorm:"size:100;not null;default:''"`
	Size             int64               `gorm:"not null;default:0"`
	SHA256           string              `gorm:"size:64;not null;default:''"`
	StoragePath      string              `gorm:"size:300;not null;default:''"`
	UploadedByID     uint                `gorm:"not null"`
	UploadedBy       *user0017           `gorm:"constraint:OnDelete:RESTRICT"`
	CreatedAt        time.Time
}

func (standingEvidence0017) TableName() string { return "standing_evidence" }

type standingReminder0017 struct {
	ID               uint                `gorm:"primaryKey"`
	StandingAnswerID uint                `gorm:"not null;uniqueIndex:idx_standing_reminder,priority:1"`
	StandingAnswer   *standingAnswer0017 `gorm:"constraint:OnDelete:CASCADE"`
	ValidUntil       string              `gorm:"size:10;not null;uniqueIndex:idx_standing_reminder,priority:2"`
	Days             int                 `gorm:"not null;uniqueIndex:idx_standing_reminder,priority:3"`
	SentAt           time.Time           `gorm:"not null"`
}

func (standingReminder0017) TableName() string { return "standing_reminders" }
