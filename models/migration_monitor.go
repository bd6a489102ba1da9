package models

import (
	"time"

	"gorm.io/gorm"
)

// addMonitor is the migration of issue 15's monitor tables: the kinds of
// ICT a platform tender buys (tenders.kinds, NULL until the officer
// chooses: the monitor then suggests them), and the buyer's explanations
// for leaving a relevant standard off a tender's sheet (tender_omissions).
func addMonitor(tx *gorm.DB) error {
	if !tx.Migrator().HasColumn(&tender0021{}, "Kinds") {
		if err := tx.Migrator().AddColumn(&tender0021{}, "Kinds"); err != nil {
			return wrap(err, "tenders: add kinds")
		}
	}
	if !tx.Migrator().HasTable(&tenderOmission0021{}) {
		if err := tx.Migrator().CreateTable(&tenderOmission0021{}); err != nil {
			return wrap(err, "create tender_omissions")
		}
	}
	return nil
}

type tender0021 struct {
	ID    uint    `gorm:"primaryKey"`
	Kinds *string `gorm:"type:text"`
}

func (tender0021) TableName() string { return "tenders" }

type tenderOmission0021 struct {
	ID           uint      `gorm:"primaryKey"`
	TenderID     uint      `gorm:"not null;uniqueIndex:idx_tender_omission,priority:1"`
	Tender       *Tender   `gorm:"constraint:OnDelete:CASCADE"`
	StandardSlug string    `gorm:"size:100;not null;uniqueIndex:idx_tender_omission,priority:2"`
	Explanation  string    `gorm:"type:text;not null"`
	ByID         uint      `gorm:"not null;index"`
	By           *User     `gorm:"constraint:OnDelete:RESTRICT"`
	CreatedAt    time.Time `gorm:"not null"`
	UpdatedAt    time.Time `gorm:"not null"`
}

func (tenderOmission0021) TableName() string { return "tender_omissions" }
