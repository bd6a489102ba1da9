package models

import (
	"time"

	"gorm.io/gorm"
)

// addTenderDocuments is the migration of issue 15's document analysis:
// the analyses of uploaded tender documents (TenderDocument), and the
// aliases by which a document names a standard (Standard.Aliases).
func addTenderDocuments(tx *gorm.DB) error {
	if !tx.Migrator().HasColumn(&standard0020{}, "Aliases") {
		if err := tx.Migrator().AddColumn(&standard0020{}, "Aliases"); err != nil {
			return wrap(err, "standards: add aliases")
		}
	}
	if !tx.Migrator().HasTable(&tenderDocument0020{}) {
		if err := tx.Migrator().CreateTable(&tenderDocument0020{}); err != nil {
			return wrap(err, "create tender_documents")
		}
	}
	return nil
}

type standard0020 struct {
	ID      uint     `gorm:"primaryKey"`
	Aliases []string `gorm:"type:text;serializer:json"`
}

func (standard0020) TableName() string { return "standards" }

type tenderDocument0020 struct {
	ID         uint      `gorm:"primaryKey"`
	OrgID      *uint     `gorm:"index:idx_tender_documents_org_year,priority:1"`
	Org        *Org      `gorm:"constraint:OnDelete:RESTRICT"`
	UploaderID uint      `gorm:"not null;index"`
	Uploader   *User     `gorm:"constraint:OnDelete:RESTRICT"`
	Name       string    `gorm:"size:255;not null"`
	Format     string    `gorm:"size:10;not null"`
	Pages      int       `gorm:"not null;default:0"`
	Language   string    `gorm:"size:16;not null"`
	Kinds      []string  `gorm:"type:text;serializer:json"`
	Relevant   int       `gorm:"not null;default:0"`
	Requested  int       `gorm:"not null;default:0"`
	Missing    int       `gorm:"not null;default:0"`
	Result     string    `gorm:"type:text;not null"`
	Year       int       `gorm:"not null;index:idx_tender_documents_org_year,priority:2"`
	CreatedAt  time.Time `gorm:"not null"`
}

func (tenderDocument0020) TableName() string { return "tender_documents" }
