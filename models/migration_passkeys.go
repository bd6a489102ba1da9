package models

import (
	"time"

	"gorm.io/gorm"
)

// addPasskeys is the migration of issue 16's passkeys:
//   - passkeys holds the WebAuthn credentials users registered;
//   - passkey_challenges holds the challenges of ceremonies under way;
//   - users.passkeys counts a user's passkeys, so that whether they have a
//     second factor is known from the user row alone.
func addPasskeys(tx *gorm.DB) error {
	m := tx.Migrator()
	if !m.HasColumn(&user0015{}, "Passkeys") {
		if err := m.AddColumn(&user0015{}, "Passkeys"); err != nil {
			return wrap(err, "users: add passkeys")
		}
	}
	for _, t := range []any{&passkey0015{}, &passkeyChallenge0015{}} {
		if m.HasTable(t) {
			continue
		}
		if err := m.CreateTable(t); err != nil {
			return wrap(err, "create table")
		}
	}
	return nil
}

type user0015 struct {
	ID       uint `gorm:"primaryKey"`
	Passkeys int  `gorm:"column:passkeys;not null;default:0"`
}

func (user0015) TableName() string { return "users" }

type passkey0015 struct {
	ID           uint          `gorm:"primaryKey"`
	UserID       uint          `gorm:"not null;index"`
	User         *baselineUser `gorm:"constraint:OnDelete:CASCADE"`
	CredentialID string        `gorm:"size:1400;not null;uniqueIndex"`
	Name         string        `gorm:"size:240;not null"`
	Credential   string        `gorm:"type:text;not null"`
	SignCount    int64         `gorm:"not null;default:0"`
	CreatedAt    time.Time
	LastUsedAt   *time.Time
}

func (passkey0015) TableName() string { return "passkeys" }

type passkeyChallenge0015 struct {
	ID        string        `gorm:"primaryKey;size:64"`
	UserID    *uint         `gorm:"index"`
	User      *baselineUser `gorm:"constraint:OnDelete:CASCADE"`
	Purpose   string        `gorm:"size:16;not null"`
	Session   string        `gorm:"type:text;not null"`
	ExpiresAt time.Time     `gorm:"not null;index"`
}

func (passkeyChallenge0015) TableName() string { return "passkey_challenges" }
