package models

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"tenderprobe/app/i18n"
)

// SharedLink publishes one read-only report view (Kind, for Year) at a
// public link. The link carries a random 256-bit token; only its SHA-256
// is stored, with the first characters (TokenPrefix) to tell links apart
// in lists. The scope is fixed when the link is made, from its creator's
// role: OrgID is the buyer organisation whose tenders it shows, nil for
// every buyer on the instance. A link answers while it is not revoked,
// not expired, and its creator is active and may still see that scope
// (Live), so it never shows more than its creator could see.
type SharedLink struct {
	ID          uint   `gorm:"primaryKey" json:"id"`
	Kind        string `gorm:"size:30;not null" json:"kind"`
	Label       string `gorm:"size:200;not null" json:"label"`
	TokenHash   string `gorm:"size:64;not null;uniqueIndex" json:"-"`
	TokenPrefix string `gorm:"size:8;not null" json:"token_prefix"`
	Year        int    `gorm:"not null" json:"year"`
	OrgID       *uint  `gorm:"index" json:"org_id"`
	Org         *Org   `gorm:"constraint:OnDelete:RESTRICT" json:"-"`
	CreatedByID uint   `gorm:"not null;index" json:"created_by_id"`
	CreatedBy   *User  `gorm:"constraint:OnDelete:CASCADE" json:"-"`
	// CreatedAt, ExpiresAt (nil: never), LastOpenedAt (nil: never opened)
	// and RevokedAt (nil: live) are instants in UTC.
	CreatedAt    time.Time  `json:"created_at"`
	ExpiresAt    *time.Time `json:"expires_at"`
	LastOpenedAt *time.Time `json:"last_opened_at"`
	RevokedAt    *time.Time `json:"-"`
}

// SharedLinkLabelMax is the longest label a link may have.
const SharedLinkLabelMax = 200

// sharedTokenPrefix is how many characters of the token a list shows:
// 36 of its 256 bits, enough to tell links apart, far too few to guess.
const sharedTokenPrefix = 6

// lastOpenedPrecision is how stale LastOpenedAt may be: it is written at
// most once a minute per link, so a busy link does not turn every read
// into a write.
const lastOpenedPrecision = time.Minute

// SharedLinkInput is what a creator chooses for a new link.
type SharedLinkInput struct {
	Kind  string
	Label string
	Year  int
	// ExpiresAt is when the link stops answering; nil keeps it until
	// revoked.
	ExpiresAt *time.Time
	// OrgID narrows a link of an admin or auditor to one buyer
	// organisation (nil: every buyer). An officer's link is always of
	// their own organisation; naming another is refused.
	OrgID *uint
}

// SharingScope is the scope of the links u may make: every buyer (nil)
// for admins and auditors, who see every tender; the own buyer
// organisation for an officer. Vendors and disabled accounts may share
// nothing.
func SharingScope(u *User) (*uint, error) {
	switch {
	case u == nil || u.Disabled:
		return nil, wrap(ErrForbidden, "share as a disabled or unknown account")
	case u.Role == RoleAdmin || u.Role == RoleAuditor:
		return nil, nil
	case u.Role == RoleOfficer && u.OrgID != nil:
		org := *u.OrgID
		return &org, nil
	}
	return nil, wrap(&ForbiddenError{Code: "role"}, "share as %q", u.Role)
}

// covers reports whether u may see the tenders of scope org (nil: every
// buyer): the one rule for who may make, list, revoke and keep alive a
// link of that scope.
func covers(u *User, org *uint) bool {
	scope, err := SharingScope(u)
	if err != nil {
		return false
	}
	return scope == nil || (org != nil && *org == *scope)
}

// Expired reports whether the link has passed its expiry at now.
func (l *SharedLink) Expired(now time.Time) bool {
	return l.ExpiresAt != nil && !now.Before(*l.ExpiresAt)
}

// LastDay is a moment of the last day the link answers (nil: no end),
// for showing that day as a date: a minute before the expiry, which is
// the midnight after that day in its creator's zone.
func (l *SharedLink) LastDay() *time.Time {
	if l.ExpiresAt == nil {
		return nil
	}
	d := l.ExpiresAt.Add(-time.Minute)
	return &d
}

// Live reports whether the link answers at now: not revoked, not expired,
// and its creator (loaded) is active and may still see the link's scope.
// A creator who is disabled, or whose role or organisation changed so that
// the scope is no longer theirs, takes the link down with them.
func (l *SharedLink) Live(now time.Time) bool {
	return l.RevokedAt == nil && !l.Expired(now) && l.CreatedBy != nil && covers(l.CreatedBy, l.OrgID)
}

// validLabel trims label and checks it is there and not too long.
func validLabel(label string) (string, error) {
	label = strings.Join(strings.Fields(label), " ")
	if label == "" {
		return "", invalid("label", "required")
	}
	if utf8.RuneCountInString(label) > SharedLinkLabelMax {
		return "", invalid("label", "too_long", "max", SharedLinkLabelMax)
	}
	return label, nil
}

// CreateSharedLink makes a link of in.Kind for by, in by's scope, and
// returns it with its token, which is never stored: the caller shows it
// once. The link and its audit entry are written together.
func CreateSharedLink(ctx context.Context, db *gorm.DB, by *User, in SharedLinkInput, now time.Time) (*SharedLink, string, error) {
	scope, err := SharingScope(by)
	if err != nil {
		return nil, "", err
	}
	label, err := validLabel(in.Label)
	if err != nil {
		return nil, "", err
	}
	if in.Kind == "" {
		return nil, "", invalid("kind", "required")
	}
	if in.Year < 1900 || in.Year > 9999 {
		return nil, "", invalid("year", "out_of_range", "min", 1900, "max", 9999)
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
		return nil, "", invalid("expires_on", "in_the_past", "value", i18n.Day(in.ExpiresAt.UTC().Format(time.DateOnly)))
	}
	if in.OrgID != nil {
		if scope != nil && *in.OrgID != *scope {
			return nil, "", invalid("org", "not_a_choice")
		}
		var org Org
		if err := db.WithContext(ctx).First(&org, *in.OrgID).Error; err != nil || org.Kind != OrgBuyer {
			return nil, "", invalid("org", "not_a_choice")
		}
		id := org.ID
		scope = &id
	}
	token, err := NewToken()
	if err != nil {
		return nil, "", err
	}
	l := &SharedLink{Kind: in.Kind, Label: label, TokenHash: HashToken(token), TokenPrefix: token[:sharedTokenPrefix],
		Year: in.Year, OrgID: scope, CreatedByID: by.ID, CreatedAt: now.UTC()}
	if in.ExpiresAt != nil {
		exp := in.ExpiresAt.UTC()
		l.ExpiresAt = &exp
	}
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(l).Error; err != nil {
			return wrap(err, "create shared link")
		}
		return writeAudit(tx, by, now, AuditEntry{Action: "shared_link.create", ObjectType: "shared_link", ObjectID: l.ID, OrgID: scope},
			nil, map[string]any{"kind": l.Kind, "label": l.Label, "year": l.Year, "expires_at": l.ExpiresAt})
	})
	if err != nil {
		return nil, "", err
	}
	l.CreatedBy = by
	return l, token, nil
}

// OpenSharedLink returns the live link of token, with its creator and
// organisation, and records that it was opened (at most once a minute).
// An unknown, revoked or expired token, and a link whose creator may no
// longer see its scope, give ErrNotFound: a visitor cannot tell them
// apart. The token is found by its hash, so no comparison of secrets
// takes a time that depends on them.
func OpenSharedLink(ctx context.Context, db *gorm.DB, token string, now time.Time) (*SharedLink, error) {
	if token == "" || len(token) > 100 {
		return nil, wrap(ErrNotFound, "open shared link")
	}
	var l SharedLink
	err := db.WithContext(ctx).Preload("Org").Joins("CreatedBy").
		Where("shared_links.token_hash = ? AND shared_links.revoked_at IS NULL", HashToken(token)).Take(&l).Error
	if err != nil {
		return nil, wrap(err, "open shared link")
	}
	if !l.Live(now) {
		return nil, wrap(ErrNotFound, "open shared link %d: not live", l.ID)
	}
	if l.LastOpenedAt == nil || now.Sub(*l.LastOpenedAt) >= lastOpenedPrecision {
		at := now.UTC()
		err := db.WithContext(ctx).Model(&SharedLink{}).Where("id = ?", l.ID).Update("last_opened_at", at).Error
		if err != nil {
			return nil, wrap(err, "record opening of shared link %d", l.ID)
		}
		l.LastOpenedAt = &at
	}
	return &l, nil
}

// manageable limits a query on shared links to those viewer may list and
// revoke: every link for admins and auditors; for an officer, the links
// their organisation's officers made, not what an auditor or admin
// published about that organisation, which the audited may not take
// down; none for anyone else.
func manageable(viewer *User) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		scope, err := SharingScope(viewer)
		switch {
		case err != nil:
			return q.Where("1 = 0")
		case scope == nil:
			return q
		}
		return q.Where("shared_links.org_id = ? AND shared_links.created_by_id IN (SELECT id FROM users WHERE role = ? AND org_id = ?)", *scope, RoleOfficer, *scope)
	}
}

// ListSharedLinks returns the links viewer may manage that are not
// revoked, newest first, with their creators and organisations. Expired
// links stay listed, so the list says why they no longer answer.
func ListSharedLinks(ctx context.Context, db *gorm.DB, viewer *User) ([]SharedLink, error) {
	if _, err := SharingScope(viewer); err != nil {
		return nil, err
	}
	links := []SharedLink{}
	err := db.WithContext(ctx).Scopes(manageable(viewer)).Preload("CreatedBy").Preload("Org").
		Where("shared_links.revoked_at IS NULL").Order("shared_links.created_at DESC, shared_links.id DESC").Find(&links).Error
	if err != nil {
		return nil, wrap(err, "list shared links")
	}
	return links, nil
}

// RevokeSharedLink takes link id down at once, for by. A link by may not
// manage, or one already revoked, gives ErrNotFound, so the ids of other
// organisations' links cannot be told apart from ids that do not exist.
func RevokeSharedLink(ctx context.Context, db *gorm.DB, by *User, id uint, now time.Time) error {
	if _, err := SharingScope(by); err != nil {
		return err
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var l SharedLink
		err := tx.Scopes(manageable(by)).Where("shared_links.id = ? AND shared_links.revoked_at IS NULL", id).Take(&l).Error
		if err != nil {
			return wrap(err, "revoke shared link %d", id)
		}
		at := now.UTC()
		res := tx.Model(&SharedLink{}).Where("id = ? AND revoked_at IS NULL", l.ID).Update("revoked_at", at)
		if res.Error != nil {
			return wrap(res.Error, "revoke shared link %d", id)
		}
		if res.RowsAffected == 0 {
			return wrap(ErrNotFound, "revoke shared link %d: revoked meanwhile", id)
		}
		return writeAudit(tx, by, now, AuditEntry{Action: "shared_link.revoke", ObjectType: "shared_link", ObjectID: l.ID, OrgID: l.OrgID},
			map[string]any{"label": l.Label, "revoked_at": nil}, map[string]any{"label": l.Label, "revoked_at": at})
	})
}
