package models

import "gorm.io/gorm"

// addTenderLanguage is the migration of issue 11's tender language: the
// language a tender's sheet, reports and mails are written in. Tenders
// made before it were written in English.
func addTenderLanguage(tx *gorm.DB) error {
	if tx.Migrator().HasColumn(&tender0007{}, "Language") {
		return nil
	}
	return wrap(tx.Migrator().AddColumn(&tender0007{}, "Language"), "tenders: add language")
}

type tender0007 struct {
	ID       uint   `gorm:"primaryKey"`
	Language string `gorm:"size:16;not null;default:'en'"`
}

func (tender0007) TableName() string { return "tenders" }
