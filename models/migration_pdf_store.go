package models

import (
	"time"

	"gorm.io/gorm"
)

// addPDFStore is the migration of issue 13's stored documents: rendered
// PDFs kept by the hash of what they show (StoredPDF).
func addPDFStore(tx *gorm.DB) error {
	if tx.Migrator().HasTable(&storedPDF0011{}) {
		return nil
	}
	return wrap(tx.Migrator().CreateTable(&storedPDF0011{}), "create stored_pdfs")
}

type storedPDF0011 struct {
	Hash      string    `gorm:"primaryKey;size:64"`
	Document  string    `gorm:"size:200;not null;index:idx_stored_pdfs_document"`
	Body      []byte    `gorm:"not null"`
	CreatedAt time.Time `gorm:"not null"`
}

func (storedPDF0011) TableName() string { return "stored_pdfs" }
