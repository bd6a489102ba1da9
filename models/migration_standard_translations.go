package models

import "gorm.io/gorm"

// addStandardTranslations is the migration of issue 11's catalogue in
// three languages: each standard's name, summary, why-demand text and
// clause in the languages other than English, as one JSON column
// (language tag → texts). A column rather than a table of its own: a
// standard is always read with its translations (a tender's sheet, the
// catalogue pages, reports), so every query that loads standards,
// including the preloads of requirements, gets them with no extra query,
// and a catalogue version never changes once imported. Standards imported
// before have no translations (NULL) and read in English.
//
// A catalogue version's title gets its translations the same way.
func addStandardTranslations(tx *gorm.DB) error {
	if !tx.Migrator().HasColumn(&standard0010{}, "Translations") {
		if err := tx.Migrator().AddColumn(&standard0010{}, "Translations"); err != nil {
			return wrap(err, "standards: add translations")
		}
	}
	if tx.Migrator().HasColumn(&catalogueVersion0010{}, "TitleTranslations") {
		return nil
	}
	return wrap(tx.Migrator().AddColumn(&catalogueVersion0010{}, "TitleTranslations"), "catalogue versions: add title translations")
}

type catalogueVersion0010 struct {
	ID                uint   `gorm:"primaryKey"`
	TitleTranslations string `gorm:"type:text"`
}

func (catalogueVersion0010) TableName() string { return "catalogue_versions" }

type standard0010 struct {
	ID           uint   `gorm:"primaryKey"`
	Translations string `gorm:"type:text"`
}

func (standard0010) TableName() string { return "standards" }
