package models

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
)

// DefaultInvitationTTL is how long an invitation link works.
const DefaultInvitationTTL = 14 * 24 * time.Hour

// ErrInvitationClosed means the invitation link was revoked, has expired or
// has already been used to set the password (410).
var ErrInvitationClosed = errors.New("this invitation link has expired, was revoked or was already used")

// InvitationLink is what an invitation link opens, of either kind: an
// invitation to answer a tender, or to join a supplier as a colleague.
type InvitationLink struct {
	// Email is the invited address.
	Email string
	// User is the invited account, with its supplier org.
	User *User
	// Tender is the tender to answer, with its buyer; nil for a colleague.
	Tender *Tender
	// AttestationID is the supplier's attestation of Tender; 0 for a colleague.
	AttestationID uint
	// InvitedBy is the vendor who invited a colleague; nil for a tender.
	InvitedBy *User
	// SetsPassword reports that this link created the account and sets its
	// password now.
	SetsPassword bool
	// ExpiresAt is when the link stops working.
	ExpiresAt time.Time
}

// AccountPending reports whether the account has no password yet and
// this link cannot give it one: the link that created the account does.
func (l *InvitationLink) AccountPending() bool {
	return !l.SetsPassword && !l.User.Activated()
}

// FindInvitationLink returns what the open invitation link with token
// opens, a tender or a colleague invitation; errors as FindInvitation.
func FindInvitationLink(ctx context.Context, db *gorm.DB, token string, now time.Time) (*InvitationLink, error) {
	inv, err := FindInvitation(ctx, db, token, now)
	if errors.Is(err, ErrNotFound) {
		ci, err := FindColleagueInvitation(ctx, db, token, now)
		if err != nil {
			return nil, err
		}
		return &InvitationLink{Email: ci.Email, User: ci.User, InvitedBy: ci.CreatedBy, SetsPassword: true, ExpiresAt: ci.ExpiresAt}, nil
	}
	if err != nil {
		return nil, err
	}
	opens, err := opensAccount(db.WithContext(ctx), inv)
	if err != nil {
		return nil, err
	}
	return &InvitationLink{Email: inv.Email, User: inv.User, Tender: inv.Tender, AttestationID: inv.AttestationID,
		SetsPassword: opens, ExpiresAt: inv.ExpiresAt}, nil
}

// AcceptInvitationLink sets the password of the account the link with
// token created, whichever kind of invitation it is, and returns the user.
func AcceptInvitationLink(ctx context.Context, db *gorm.DB, token, password string, now time.Time) (*User, error) {
	user, _, err := AcceptInvitation(ctx, db, token, password, now)
	if errors.Is(err, ErrNotFound) {
		return AcceptColleagueInvitation(ctx, db, token, password, now)
	}
	return user, err
}

func linkState(revoked, used *time.Time, setsPassword bool, expires, now time.Time) string {
	switch {
	case revoked != nil:
		return "revoked"
	case used != nil && setsPassword:
		return "used"
	case now.After(expires):
		return "expired"
	}
	return "open"
}

// newPasswordHash checks and hashes the password u chooses. Hashing is slow
// on purpose, so it runs before the transaction that stores the hash.
func newPasswordHash(u *User, password string) (string, error) {
	if err := validatePassword(password, u.Email, u.Name); err != nil {
		return "", err
	}
	return HashPassword(password)
}

// findLink returns the link row (an Invitation or a ColleagueInvitation)
// whose token is token, read with q and its preloads. An unknown or blank
// token gives ErrNotFound; a link that is no longer open gives
// ErrInvitationClosed with the row, so the page can say which link it was.
func findLink[L Invitation | ColleagueInvitation, P interface {
	*L
	State(now time.Time) string
}](q *gorm.DB, what, token string, now time.Time) (P, error) {
	if strings.TrimSpace(token) == "" {
		return nil, wrap(ErrNotFound, "find %s", what)
	}
	var row L
	if err := q.Where("token_hash = ?", HashToken(token)).First(&row).Error; err != nil {
		return nil, wrap(err, "find %s", what)
	}
	link := P(&row)
	if state := link.State(now); state != "open" {
		return link, wrap(ErrInvitationClosed, "%s is %s", what, state)
	}
	return link, nil
}

// useLink sets the password of u, the account link row id of model (an
// Invitation or a ColleagueInvitation) created, and spends the link: the
// password is checked and hashed first, outside the transaction, then the
// link is marked used, the hash stored and entry written to the audit log
// together. A link revoked or used while the password was being hashed
// gives ErrInvitationClosed. It returns the account as stored.
func useLink(ctx context.Context, db *gorm.DB, model any, id uint, u *User, password string, entry AuditEntry, now time.Time) (*User, error) {
	hash, err := newPasswordHash(u, password)
	if err != nil {
		return nil, err
	}
	var user *User
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(model).Where("id = ? AND used_at IS NULL AND revoked_at IS NULL", id).Update("used_at", now.UTC())
		if res.Error != nil {
			return wrap(res.Error, "invitation %d: mark used", id)
		}
		if res.RowsAffected != 1 {
			return wrap(ErrInvitationClosed, "invitation %d", id)
		}
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Update("password_hash", hash).Error; err != nil {
			return wrap(err, "invitation %d: set password", id)
		}
		if user, err = FindUser(ctx, tx, u.ID); err != nil {
			return err
		}
		return writeAudit(tx, user, now, entry, map[string]any{"used_at": nil}, map[string]any{"used_at": now.UTC(), "password_set": true})
	})
	if err != nil {
		return nil, err
	}
	return user, nil
}

// pendingPasswordHash is the password hash of an account whose password
// its invitation link has not set yet. It has no '$', so no password
// matches it (Authenticate compares against a dummy hash instead), and
// making it costs no bcrypt inside the inviting transaction.
const pendingPasswordHash = "pending"

// Activated reports whether u has a password: a vendor created by an
// invitation has none until the invitation's link sets it.
func (u *User) Activated() bool {
	return u != nil && strings.Contains(u.PasswordHash, "$")
}

// createPendingUser adds an account without a usable password, for an
// invitation whose link sets it. name defaults to the address's local part.
func createPendingUser(ctx context.Context, tx *gorm.DB, email, name, role string, orgID *uint) (*User, error) {
	u := &User{Email: NormalizeEmail(email), Name: strings.TrimSpace(name), Role: role, OrgID: orgID, PasswordHash: pendingPasswordHash}
	if err := validateEmail(u.Email); err != nil {
		return nil, err
	}
	if u.Name == "" {
		u.Name = u.Email[:strings.LastIndex(u.Email, "@")]
	}
	if len(u.Name) > 200 {
		return nil, invalid("name", "too_long", "max", 200)
	}
	if err := checkRoleOrg(ctx, tx, role, orgID); err != nil {
		return nil, err
	}
	if err := tx.WithContext(ctx).Omit("Org").Create(u).Error; err != nil {
		return nil, wrap(err, "create user %s", u.Email)
	}
	return u, nil
}
