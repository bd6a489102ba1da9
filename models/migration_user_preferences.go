package models

import "gorm.io/gorm"

// addUserPreferences is the migration of issue 11's account settings: the
// interface language and time zone a user chose. Empty follows the browser.
func addUserPreferences(tx *gorm.DB) error {
	for _, col := range []string{"Language", "TimeZone"} {
		if tx.Migrator().HasColumn(&user0008{}, col) {
			continue
		}
		if err := tx.Migrator().AddColumn(&user0008{}, col); err != nil {
			return wrap(err, "users: add %s", col)
		}
	}
	return nil
}

type user0008 struct {
	ID       uint   `gorm:"primaryKey"`
	Language string `gorm:"size:16;not null;default:''"`
	TimeZone string `gorm:"size:64;not null;default:''"`
}

func (user0008) TableName() string { return "users" }
