package models

import (
	"time"

	"gorm.io/gorm"
)

// addSelfCheck is the migration of issue 17's self-check before
// submitting: attestations.self_check_at, the time of the vendor's last
// self-check, which StartSelfCheck's conditional UPDATE uses as a limit
// shared by every serve process on the database. The self-check runs
// themselves are probe runs with reason "self" and need no new column.
func addSelfCheck(tx *gorm.DB) error {
	if tx.Migrator().HasColumn(&attestation0018{}, "SelfCheckAt") {
		return nil
	}
	return wrap(tx.Migrator().AddColumn(&attestation0018{}, "SelfCheckAt"), "add attestations.self_check_at")
}

type attestation0018 struct {
	ID          uint `gorm:"primaryKey"`
	SelfCheckAt *time.Time
}

func (attestation0018) TableName() string { return "attestations" }
