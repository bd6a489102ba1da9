package models

import (
	"strings"

	"gorm.io/gorm"
)

// addOrgNameKeys is migration 0025: organisation names are unique ignoring
// case and runs of spaces, on SQLite and PostgreSQL alike, through a key
// column written by the program (the databases lower-case differently)
// with a unique index.
//
// Organisations named alike before this keep their names: the first of
// each key (the oldest) gets the key and the later ones none, which the
// index allows, until an admin renames them.
func addOrgNameKeys(tx *gorm.DB) error {
	if !tx.Migrator().HasColumn(&org0025{}, "NameKey") {
		if err := tx.Migrator().AddColumn(&org0025{}, "NameKey"); err != nil {
			return wrap(err, "orgs: add name_key")
		}
	}
	var orgs []org0025
	if err := tx.Select("id", "name").Order("id").Find(&orgs).Error; err != nil {
		return wrap(err, "orgs: read names")
	}
	seen := make(map[string]bool, len(orgs))
	for _, o := range orgs {
		// orgNameKey as it is at this migration, frozen with it.
		key := strings.ToLower(strings.Join(strings.Fields(o.Name), " "))
		if seen[key] {
			continue
		}
		seen[key] = true
		if err := tx.Model(&org0025{}).Where("id = ?", o.ID).Update("name_key", key).Error; err != nil {
			return wrap(err, "orgs: fill name_key of %d", o.ID)
		}
	}
	if !tx.Migrator().HasIndex(&org0025{}, "NameKey") {
		if err := tx.Migrator().CreateIndex(&org0025{}, "NameKey"); err != nil {
			return wrap(err, "orgs: index name_key")
		}
	}
	return nil
}

type org0025 struct {
	ID      uint    `gorm:"primaryKey"`
	Name    string  `gorm:"size:200;not null"`
	NameKey *string `gorm:"size:400;uniqueIndex"`
}

func (org0025) TableName() string { return "orgs" }
