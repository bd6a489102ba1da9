package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// DefaultInvitationTTL is how long an invitation link works.
const DefaultInvitationTTL = 14 * 24 * time.Hour

// ErrInvitationClosed means the invitation link was revoked, has expired or
// has already been used to set the password (410).
var ErrInvitationClosed = errors.New("this invitation link has expired, was revoked or was already used")

// Invitation lets a supplier's vendor answer a tender. The link carries a
// random 256-bit token; only its SHA-256 is stored. For a new account the
// link sets the password once (SetsPassword); for an existing vendor it
// just leads to the attestation.
type Invitation struct {
	ID            uint         `gorm:"primaryKey" json:"id"`
	TenderID      uint         `gorm:"not null;index" json:"tender_id"`
	Tender        *Tender      `gorm:"constraint:OnDelete:RESTRICT" json:"-"`
	AttestationID uint         `gorm:"not null;index" json:"attestation_id"`
	Attestation   *Attestation `gorm:"constraint:OnDelete:CASCADE" json:"-"`
	UserID        uint         `gorm:"not null;index" json:"user_id"`
	User          *User        `gorm:"constraint:OnDelete:CASCADE" json:"-"`
	Email         string       `gorm:"size:254;not null" json:"email"`
	TokenHash     string       `gorm:"size:64;not null;uniqueIndex" json:"-"`
	SetsPassword  bool         `gorm:"not null;default:false" json:"sets_password"`
	ExpiresAt     time.Time    `gorm:"not null" json:"expires_at"`
	UsedAt        *time.Time   `json:"used_at"`
	RevokedAt     *time.Time   `json:"revoked_at"`
	CreatedByID   uint         `gorm:"not null" json:"created_by_id"`
	CreatedBy     *User        `gorm:"constraint:OnDelete:RESTRICT" json:"-"`
	CreatedAt     time.Time    `json:"created_at"`
}

// State returns "open", "used", "revoked" or "expired" at now.
func (inv *Invitation) State(now time.Time) string {
	switch {
	case inv.RevokedAt != nil:
		return "revoked"
	case inv.UsedAt != nil && inv.SetsPassword:
		return "used"
	case now.After(inv.ExpiresAt):
		return "expired"
	}
	return "open"
}

// InviteInput names who is invited: an e-mail address and, for a supplier
// not known yet, its organisation name (derived from the address's domain
// when empty).
type InviteInput struct {
	Email    string
	Supplier string
	Name     string
}

// Invite invites a supplier to answer published tender tenderID: the
// supplier org and a vendor account are created if new, the attestation
// with one empty answer per requirement is started (or the existing one
// reused), and an invitation valid for ttl is stored. It returns the
// invitation and its token, which is never stored and must go into the link
// now. Only an officer of the buyer (or an admin) may invite.
func Invite(ctx context.Context, db *gorm.DB, by *User, tenderID uint, in InviteInput, ttl time.Duration, now time.Time) (*Invitation, string, error) {
	email := NormalizeEmail(in.Email)
	if err := validateEmail(email); err != nil {
		return nil, "", err
	}
	token, err := NewToken()
	if err != nil {
		return nil, "", err
	}
	var out *Invitation
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := lockTender(tx, tenderID)
		if err != nil {
			return err
		}
		if !by.CanEditTender(t) {
			return fmtErr(ErrForbidden, "models: invite to tender %d: only an officer of the buyer may invite", tenderID)
		}
		if t.Status != StatusPublished {
			return fmt.Errorf("models: invite to tender %d: %w", tenderID, ErrTenderNotOpen)
		}
		if t.Deadline != nil && now.After(*t.Deadline) {
			return fmt.Errorf("models: invite to tender %d: %w", tenderID, ErrDeadlinePassed)
		}
		user, created, err := vendorForInvite(ctx, tx, email, in)
		if err != nil {
			return err
		}
		a, _, err := createAttestation(tx, t, *user.OrgID, now)
		if err != nil {
			return err
		}
		setsPassword := created
		if !created {
			// A vendor created by an earlier invitation that never set a
			// password still needs a link that sets it.
			var pending, used int64
			if err := tx.Model(&Invitation{}).Where("user_id = ? AND sets_password", user.ID).Count(&pending).Error; err != nil {
				return wrap(err, "invitations of user %d", user.ID)
			}
			if err := tx.Model(&Invitation{}).Where("user_id = ? AND sets_password AND used_at IS NOT NULL", user.ID).Count(&used).Error; err != nil {
				return wrap(err, "invitations of user %d", user.ID)
			}
			setsPassword = pending > 0 && used == 0
		}
		inv := &Invitation{TenderID: t.ID, AttestationID: a.ID, UserID: user.ID, Email: email, TokenHash: HashToken(token),
			SetsPassword: setsPassword, ExpiresAt: now.Add(ttl).UTC(), CreatedByID: by.ID, CreatedAt: now}
		if err := tx.Omit("Tender", "Attestation", "User", "CreatedBy").Create(inv).Error; err != nil {
			return wrap(err, "create invitation")
		}
		out = inv
		return writeAudit(tx, by, now, AuditEntry{Action: "invitation.create", ObjectType: "invitation", ObjectID: inv.ID, AttestationID: &a.ID, TenderID: &t.ID},
			nil, map[string]any{"email": email, "supplier_org_id": a.SupplierOrgID, "new_account": created, "expires_at": inv.ExpiresAt})
	})
	if err != nil {
		return nil, "", err
	}
	return out, token, nil
}

// vendorForInvite finds the vendor with email, or creates it with its
// supplier org and a random password nobody knows (the invitation link
// sets the real one). created reports a new account.
func vendorForInvite(ctx context.Context, tx *gorm.DB, email string, in InviteInput) (*User, bool, error) {
	u, err := FindUserByEmail(ctx, tx, email)
	if err == nil {
		if u.Role != RoleVendor || u.OrgID == nil {
			return nil, false, invalid("email", "%s belongs to a %s account, not to a supplier's vendor", email, u.Role)
		}
		if u.Disabled {
			return nil, false, invalid("email", "the account %s is disabled", email)
		}
		return u, false, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, false, err
	}
	supplier := strings.TrimSpace(in.Supplier)
	if supplier == "" {
		supplier = email[strings.LastIndex(email, "@")+1:]
	}
	org, err := FindOrgByName(ctx, tx, supplier)
	switch {
	case errors.Is(err, ErrNotFound):
		if org, err = CreateOrg(ctx, tx, supplier, OrgSupplier); err != nil {
			var ve *ValidationError
			if errors.As(err, &ve) {
				ve.Field = "supplier"
			}
			return nil, false, err
		}
	case err != nil:
		return nil, false, err
	case org.Kind != OrgSupplier:
		return nil, false, invalid("supplier", "%s is a buyer organisation, not a supplier", org.Name)
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name = email[:strings.LastIndex(email, "@")]
	}
	placeholder, err := NewToken()
	if err != nil {
		return nil, false, err
	}
	u, err = CreateUser(ctx, tx, email, name, placeholder, RoleVendor, &org.ID)
	if err != nil {
		return nil, false, err
	}
	u.Org = org
	return u, true, nil
}

// FindInvitation returns the open invitation with token and its tender and
// user; an unknown token gives ErrNotFound, a revoked, expired or used one
// ErrInvitationClosed.
func FindInvitation(ctx context.Context, db *gorm.DB, token string, now time.Time) (*Invitation, error) {
	var inv Invitation
	if strings.TrimSpace(token) == "" {
		return nil, fmt.Errorf("models: find invitation: %w", ErrNotFound)
	}
	err := db.WithContext(ctx).Preload("Tender.BuyerOrg").Preload("User.Org").Where("token_hash = ?", HashToken(token)).First(&inv).Error
	if err != nil {
		return nil, notFound(err, "find invitation")
	}
	if inv.State(now) != "open" {
		return &inv, fmt.Errorf("models: invitation %d is %s: %w", inv.ID, inv.State(now), ErrInvitationClosed)
	}
	return &inv, nil
}

// AcceptInvitation uses the invitation with token: for a new account it
// sets the password (once; the link is then spent). It returns the
// vendor, who may then be logged in, and the invitation.
func AcceptInvitation(ctx context.Context, db *gorm.DB, token, password string, now time.Time) (*User, *Invitation, error) {
	var user *User
	var out *Invitation
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		inv, err := FindInvitation(ctx, tx, token, now)
		if err != nil {
			return err
		}
		if !inv.SetsPassword {
			return fmt.Errorf("models: invitation %d: the account already has a password; log in instead: %w", inv.ID, ErrConflict)
		}
		if err := validatePassword(password); err != nil {
			return err
		}
		hash, err := HashPassword(password)
		if err != nil {
			return err
		}
		if err := tx.Model(&User{}).Where("id = ?", inv.UserID).Update("password_hash", hash).Error; err != nil {
			return wrap(err, "invitation %d: set password", inv.ID)
		}
		res := tx.Model(&Invitation{}).Where("id = ? AND used_at IS NULL", inv.ID).Update("used_at", now.UTC())
		if res.Error != nil {
			return wrap(res.Error, "invitation %d: mark used", inv.ID)
		}
		if res.RowsAffected != 1 {
			return fmt.Errorf("models: invitation %d: %w", inv.ID, ErrInvitationClosed)
		}
		// Every other password-setting link of this user is spent too: the
		// password is set now, and a second link must not reset it.
		if err := tx.Model(&Invitation{}).Where("user_id = ? AND sets_password AND used_at IS NULL", inv.UserID).
			Update("used_at", now.UTC()).Error; err != nil {
			return wrap(err, "invitation %d: spend other links", inv.ID)
		}
		if user, err = FindUser(ctx, tx, inv.UserID); err != nil {
			return err
		}
		out = inv
		return writeAudit(tx, user, now, AuditEntry{Action: "invitation.accept", ObjectType: "invitation", ObjectID: inv.ID, AttestationID: &inv.AttestationID, TenderID: &inv.TenderID},
			map[string]any{"used_at": nil}, map[string]any{"used_at": now.UTC(), "password_set": true})
	})
	if err != nil {
		return nil, nil, err
	}
	return user, out, nil
}

// RevokeInvitation closes invitation invID of tender tenderID so its link
// no longer works. Only an officer of the buyer (or an admin) may revoke.
func RevokeInvitation(ctx context.Context, db *gorm.DB, by *User, tenderID, invID uint, now time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := lockTender(tx, tenderID)
		if err != nil {
			return err
		}
		if !by.CanEditTender(t) {
			return fmtErr(ErrForbidden, "models: revoke invitation: only an officer of the buyer may")
		}
		var inv Invitation
		if err := tx.Where("tender_id = ?", tenderID).First(&inv, invID).Error; err != nil {
			return wrap(err, "invitation %d of tender %d", invID, tenderID)
		}
		if inv.RevokedAt != nil {
			return nil
		}
		if err := tx.Model(&inv).Update("revoked_at", now.UTC()).Error; err != nil {
			return wrap(err, "revoke invitation %d", invID)
		}
		return writeAudit(tx, by, now, AuditEntry{Action: "invitation.revoke", ObjectType: "invitation", ObjectID: inv.ID, AttestationID: &inv.AttestationID, TenderID: &t.ID},
			map[string]any{"revoked_at": nil}, map[string]any{"revoked_at": now.UTC()})
	})
}

// ListInvitations returns the invitations of tender tenderID, newest first,
// with their users' orgs.
func ListInvitations(ctx context.Context, db *gorm.DB, tenderID uint) ([]Invitation, error) {
	var out []Invitation
	if err := db.WithContext(ctx).Preload("User.Org").Where("tender_id = ?", tenderID).Order("id DESC").Find(&out).Error; err != nil {
		return nil, wrap(err, "invitations of tender %d", tenderID)
	}
	return out, nil
}
