package models

import (
	"time"

	"gorm.io/gorm"
)

// addSecondFactor is the migration of issue 16's second factor and
// sessions:
//   - users get a TOTP secret, a pending one, when it was turned on and
//     the last time step accepted;
//   - orgs.require_second_factor makes it required for their officers
//     and admins;
//   - recovery_codes holds the hashes of the single-use recovery codes;
//   - pending_logins holds sign-ins waiting for the second factor;
//   - sessions and api_tokens record the client's address and User-Agent,
//     and sessions when they were last used.
func addSecondFactor(tx *gorm.DB) error {
	m := tx.Migrator()
	add := func(model any, table string, cols ...string) error {
		for _, col := range cols {
			if m.HasColumn(model, col) {
				continue
			}
			if err := m.AddColumn(model, col); err != nil {
				return wrap(err, "%s: add %s", table, col)
			}
		}
		return nil
	}
	if err := add(&user0013{}, "users", "TOTPSecret", "TOTPPending", "TOTPEnabledAt", "TOTPLastStep"); err != nil {
		return err
	}
	if err := add(&org0013{}, "orgs", "RequireSecondFactor"); err != nil {
		return err
	}
	if err := add(&session0013{}, "sessions", "IP", "UserAgent", "LastSeenAt"); err != nil {
		return err
	}
	if err := add(&apiToken0013{}, "api_tokens", "IP", "UserAgent"); err != nil {
		return err
	}
	for _, t := range []any{&recoveryCode0013{}, &pendingLogin0013{}} {
		if m.HasTable(t) {
			continue
		}
		if err := m.CreateTable(t); err != nil {
			return wrap(err, "create table")
		}
	}
	return nil
}

type user0013 struct {
	ID            uint       `gorm:"primaryKey"`
	TOTPSecret    string     `gorm:"column:totp_secret;size:64;not null;default:''"`
	TOTPPending   string     `gorm:"column:totp_pending;size:64;not null;default:''"`
	TOTPEnabledAt *time.Time `gorm:"column:totp_enabled_at"`
	TOTPLastStep  int64      `gorm:"column:totp_last_step;not null;default:0"`
}

func (user0013) TableName() string { return "users" }

type org0013 struct {
	ID                  uint `gorm:"primaryKey"`
	RequireSecondFactor bool `gorm:"not null;default:false"`
}

func (org0013) TableName() string { return "orgs" }

type session0013 struct {
	ID         string `gorm:"primaryKey;size:64"`
	IP         string `gorm:"column:ip;size:64;not null;default:''"`
	UserAgent  string `gorm:"size:400;not null;default:''"`
	LastSeenAt *time.Time
}

func (session0013) TableName() string { return "sessions" }

type apiToken0013 struct {
	ID        uint   `gorm:"primaryKey"`
	IP        string `gorm:"column:ip;size:64;not null;default:''"`
	UserAgent string `gorm:"size:400;not null;default:''"`
}

func (apiToken0013) TableName() string { return "api_tokens" }

type recoveryCode0013 struct {
	ID        uint          `gorm:"primaryKey"`
	UserID    uint          `gorm:"not null;index"`
	User      *baselineUser `gorm:"constraint:OnDelete:CASCADE"`
	Hash      string        `gorm:"size:64;not null"`
	UsedAt    *time.Time
	CreatedAt time.Time
}

func (recoveryCode0013) TableName() string { return "recovery_codes" }

type pendingLogin0013 struct {
	ID        string        `gorm:"primaryKey;size:64"`
	UserID    uint          `gorm:"not null;index"`
	User      *baselineUser `gorm:"constraint:OnDelete:CASCADE"`
	Next      string        `gorm:"size:2000;not null;default:''"`
	CreatedAt time.Time
	ExpiresAt time.Time `gorm:"not null;index"`
}

func (pendingLogin0013) TableName() string { return "pending_logins" }
