package models

import (
	"time"

	"gorm.io/gorm"
)

// addSingleSignOn is the migration of issue 16's single sign-on:
//   - sso_providers holds one OpenID Connect provider per organisation,
//     its client secret sealed;
//   - sso_domains makes each e-mail domain belong to one provider;
//   - sso_logins holds sign-ins sent to a provider (state, nonce, PKCE
//     verifier) until they come back;
//   - sso_sign_outs keeps the ID token a logout hands to the provider;
//   - users.awaiting_approval marks accounts a first sign-in made for an
//     admin to approve.
func addSingleSignOn(tx *gorm.DB) error {
	m := tx.Migrator()
	if !m.HasColumn(&user0014{}, "AwaitingApproval") {
		if err := m.AddColumn(&user0014{}, "AwaitingApproval"); err != nil {
			return wrap(err, "users: add awaiting_approval")
		}
	}
	for _, t := range []any{&ssoProvider0014{}, &ssoDomain0014{}, &ssoLogin0014{}, &ssoSignOut0014{}} {
		if m.HasTable(t) {
			continue
		}
		if err := m.CreateTable(t); err != nil {
			return wrap(err, "create table")
		}
	}
	return nil
}

type user0014 struct {
	ID               uint `gorm:"primaryKey"`
	AwaitingApproval bool `gorm:"not null;default:false"`
}

func (user0014) TableName() string { return "users" }

type ssoProvider0014 struct {
	ID           uint         `gorm:"primaryKey"`
	OrgID        uint         `gorm:"not null;uniqueIndex"`
	Org          *baselineOrg `gorm:"constraint:OnDelete:CASCADE"`
	Issuer       string       `gorm:"size:500;not null"`
	ClientID     string       `gorm:"size:255;not null"`
	ClientSecret string       `gorm:"size:1000;not null"`
	Domains      string       `gorm:"size:2000;not null"`
	FixedRole    string       `gorm:"size:20;not null;default:''"`
	RoleClaim    string       `gorm:"size:100;not null;default:''"`
	RoleMap      string       `gorm:"size:4000;not null;default:''"`
	Approval     bool         `gorm:"not null;default:false"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (ssoProvider0014) TableName() string { return "sso_providers" }

type ssoDomain0014 struct {
	Domain     string           `gorm:"primaryKey;size:253"`
	ProviderID uint             `gorm:"not null;index"`
	Provider   *ssoProvider0014 `gorm:"constraint:OnDelete:CASCADE"`
}

func (ssoDomain0014) TableName() string { return "sso_domains" }

type ssoLogin0014 struct {
	ID         string           `gorm:"primaryKey;size:64"`
	ProviderID uint             `gorm:"not null;index"`
	Provider   *ssoProvider0014 `gorm:"constraint:OnDelete:CASCADE"`
	Binding    string           `gorm:"size:64;not null"`
	Nonce      string           `gorm:"size:128;not null"`
	Verifier   string           `gorm:"size:128;not null"`
	Next       string           `gorm:"size:2000;not null;default:''"`
	ExpiresAt  time.Time        `gorm:"not null;index"`
}

func (ssoLogin0014) TableName() string { return "sso_logins" }

type ssoSignOut0014 struct {
	ID         string           `gorm:"primaryKey;size:64"`
	ProviderID uint             `gorm:"not null;index"`
	Provider   *ssoProvider0014 `gorm:"constraint:OnDelete:CASCADE"`
	UserID     uint             `gorm:"not null;index"`
	User       *baselineUser    `gorm:"constraint:OnDelete:CASCADE"`
	IDToken    string           `gorm:"type:text;not null"`
	ExpiresAt  time.Time        `gorm:"not null;index"`
}

func (ssoSignOut0014) TableName() string { return "sso_sign_outs" }
