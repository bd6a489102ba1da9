package models

import (
	"time"

	"gorm.io/gorm"
)

// The migrations after the baseline, one per change of the schema. The
// first ones repeat what AutoMigrate added on the main branch before
// migrations were versioned, so each checks first whether its table or
// column exists already: databases made there have it.

// createColleagueInvitations is migration 0003 (commit ab86eb0): the table
// of colleague invitations.
func createColleagueInvitations(tx *gorm.DB) error {
	if tx.Migrator().HasTable(&colleagueInvitation0003{}) {
		return nil
	}
	return tx.Migrator().CreateTable(&colleagueInvitation0003{})
}

type colleagueInvitation0003 struct {
	ID          uint          `gorm:"primaryKey"`
	OrgID       uint          `gorm:"not null;index"`
	Org         *baselineOrg  `gorm:"constraint:OnDelete:RESTRICT"`
	UserID      uint          `gorm:"not null;index"`
	User        *baselineUser `gorm:"constraint:OnDelete:CASCADE"`
	Email       string        `gorm:"size:254;not null"`
	TokenHash   string        `gorm:"size:64;not null;uniqueIndex"`
	ExpiresAt   time.Time     `gorm:"not null"`
	UsedAt      *time.Time
	RevokedAt   *time.Time
	CreatedByID uint          `gorm:"not null"`
	CreatedBy   *baselineUser `gorm:"constraint:OnDelete:RESTRICT"`
	CreatedAt   time.Time
}

func (colleagueInvitation0003) TableName() string { return "colleague_invitations" }

// addAPITokenLastUsedAt is migration 0004 (commit ab86eb0): when an API
// token was last used, NULL until it is. Adding a nullable column is an
// ALTER TABLE on both databases; SQLite does not rebuild the table.
func addAPITokenLastUsedAt(tx *gorm.DB) error {
	if tx.Migrator().HasColumn(&apiToken0004{}, "LastUsedAt") {
		return nil
	}
	return tx.Migrator().AddColumn(&apiToken0004{}, "LastUsedAt")
}

type apiToken0004 struct {
	ID         uint `gorm:"primaryKey"`
	LastUsedAt *time.Time
}

func (apiToken0004) TableName() string { return "api_tokens" }
