package models

import (
	"time"

	"gorm.io/gorm"
)

// addSharedLinks is the migration of issue 15's shared links: public,
// read-only report views (SharedLink), found by the hash of their token.
func addSharedLinks(tx *gorm.DB) error {
	if tx.Migrator().HasTable(&sharedLink0019{}) {
		return nil
	}
	return wrap(tx.Migrator().CreateTable(&sharedLink0019{}), "create shared_links")
}

type sharedLink0019 struct {
	ID           uint          `gorm:"primaryKey"`
	Kind         string        `gorm:"size:30;not null"`
	Label        string        `gorm:"size:200;not null"`
	TokenHash    string        `gorm:"size:64;not null;uniqueIndex"`
	TokenPrefix  string        `gorm:"size:8;not null"`
	Year         int           `gorm:"not null"`
	OrgID        *uint         `gorm:"index"`
	Org          *baselineOrg  `gorm:"constraint:OnDelete:RESTRICT"`
	CreatedByID  uint          `gorm:"not null;index"`
	CreatedBy    *baselineUser `gorm:"constraint:OnDelete:CASCADE"`
	CreatedAt    time.Time
	ExpiresAt    *time.Time
	LastOpenedAt *time.Time
	RevokedAt    *time.Time
}

func (sharedLink0019) TableName() string { return "shared_links" }
