package models

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// ColleagueInvitation adds a colleague to a supplier: it created the
// colleague's pending vendor account in the inviting vendor's own org, and
// its link sets that account's password once. It names no tender: the
// colleague answers whatever the supplier is invited to. It lives in a
// table of its own because tender invitations require a tender and an
// attestation. Only the token's SHA-256 is stored.
type ColleagueInvitation struct {
	ID          uint       `gorm:"primaryKey" json:"id"`
	OrgID       uint       `gorm:"not null;index" json:"org_id"`
	Org         *Org       `gorm:"constraint:OnDelete:RESTRICT" json:"-"`
	UserID      uint       `gorm:"not null;index" json:"user_id"`
	User        *User      `gorm:"constraint:OnDelete:CASCADE" json:"-"`
	Email       string     `gorm:"size:254;not null" json:"email"`
	TokenHash   string     `gorm:"size:64;not null;uniqueIndex" json:"-"`
	ExpiresAt   time.Time  `gorm:"not null" json:"expires_at"`
	UsedAt      *time.Time `json:"used_at"`
	RevokedAt   *time.Time `json:"revoked_at"`
	CreatedByID uint       `gorm:"not null" json:"created_by_id"`
	CreatedBy   *User      `gorm:"constraint:OnDelete:RESTRICT" json:"-"`
	CreatedAt   time.Time  `json:"created_at"`
}

// State returns "open", "used", "revoked" or "expired" at now.
func (ci *ColleagueInvitation) State(now time.Time) string {
	return linkState(ci.RevokedAt, ci.UsedAt, true, ci.ExpiresAt, now)
}

// ColleagueInput names the colleague a vendor invites.
type ColleagueInput struct {
	Email string
	Name  string
}

// canAddColleagues reports whether u may add people to its own supplier:
// an enabled vendor with a password. Admins add people on the admin pages.
func (u *User) canAddColleagues() bool {
	return u != nil && !u.Disabled && u.Role == RoleVendor && u.OrgID != nil && u.Activated()
}

// InviteColleague has vendor by invite a colleague to by's own supplier:
// a pending vendor account is created in by's org, never any other, with
// an invitation valid for ttl whose link sets its password. An address
// that has an account already is refused (email). It returns the
// invitation, with its org, and the token for the link, which is never
// stored.
func InviteColleague(ctx context.Context, db *gorm.DB, by *User, in ColleagueInput, ttl time.Duration, now time.Time) (*ColleagueInvitation, string, error) {
	email := NormalizeEmail(in.Email)
	if err := validateEmail(email); err != nil {
		return nil, "", err
	}
	token, err := NewToken()
	if err != nil {
		return nil, "", err
	}
	var out *ColleagueInvitation
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The inviting vendor as stored now, not as the session loaded it:
		// a vendor disabled or moved a moment ago invites nobody.
		me, err := FindUser(ctx, tx, by.ID)
		if err != nil || !me.canAddColleagues() {
			return wrap(&ForbiddenError{Code: "not_active_vendor"}, "invite colleague")
		}
		if _, err := FindUserByEmail(ctx, tx, email); err == nil {
			return invalid("email", "account_exists", "email", email)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		u, err := createPendingUser(ctx, tx, email, in.Name, RoleVendor, me.OrgID)
		if err != nil {
			return err
		}
		ci := &ColleagueInvitation{OrgID: *me.OrgID, UserID: u.ID, Email: email, TokenHash: HashToken(token),
			ExpiresAt: now.Add(ttl).UTC(), CreatedByID: me.ID, CreatedAt: now}
		if err := tx.Omit("Org", "User", "CreatedBy").Create(ci).Error; err != nil {
			return wrap(err, "create colleague invitation")
		}
		ci.Org, ci.User, ci.CreatedBy = me.Org, u, me
		out = ci
		return writeAudit(tx, me, now, AuditEntry{Action: "colleague.invite", ObjectType: "colleague_invitation", ObjectID: ci.ID, OrgID: &ci.OrgID},
			nil, map[string]any{"email": email, "org_id": ci.OrgID, "user_id": u.ID, "expires_at": ci.ExpiresAt})
	})
	if err != nil {
		return nil, "", err
	}
	return out, token, nil
}

// FindColleagueInvitation returns the open colleague invitation with
// token, with its org, user and inviter; an unknown token gives
// ErrNotFound, a revoked, expired or used one ErrInvitationClosed.
func FindColleagueInvitation(ctx context.Context, db *gorm.DB, token string, now time.Time) (*ColleagueInvitation, error) {
	q := db.WithContext(ctx).Preload("Org").Preload("User.Org").Preload("CreatedBy")
	return findLink[ColleagueInvitation](q, "colleague invitation", token, now)
}

// AcceptColleagueInvitation uses the colleague invitation with token to
// set the password of the account it created (once). It returns the
// colleague, who may then be logged in.
func AcceptColleagueInvitation(ctx context.Context, db *gorm.DB, token, password string, now time.Time) (*User, error) {
	ci, err := FindColleagueInvitation(ctx, db, token, now)
	if err != nil {
		return nil, err
	}
	return useLink(ctx, db, &ColleagueInvitation{}, ci.ID, ci.User, password,
		AuditEntry{Action: "colleague.accept", ObjectType: "colleague_invitation", ObjectID: ci.ID, OrgID: &ci.OrgID}, now)
}

// ListColleagues returns viewer's supplier org and its vendors, viewer
// included, ordered by e-mail address. Only a vendor has colleagues.
func ListColleagues(ctx context.Context, db *gorm.DB, viewer *User) (*Org, []User, error) {
	if viewer == nil || viewer.Disabled || viewer.Role != RoleVendor || viewer.OrgID == nil {
		return nil, nil, wrap(&ForbiddenError{Code: "not_vendor"}, "list colleagues")
	}
	org, err := FindOrg(ctx, db, *viewer.OrgID)
	if err != nil {
		return nil, nil, err
	}
	var users []User
	if err := db.WithContext(ctx).Where("org_id = ? AND role = ?", org.ID, RoleVendor).Order("email").Find(&users).Error; err != nil {
		return nil, nil, wrap(err, "colleagues in org %d", org.ID)
	}
	return org, users, nil
}
