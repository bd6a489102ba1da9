package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// PendingLogin is a sign-in whose password was right and that waits for
// the second factor. It is no session: it opens no page, and it lasts
// minutes. The browser holds a random token in a cookie; the table keeps
// only its SHA-256, like sessions.
type PendingLogin struct {
	ID        string `gorm:"primaryKey;size:64"`
	UserID    uint   `gorm:"not null;index"`
	User      User   `gorm:"constraint:OnDelete:CASCADE"`
	Next      string `gorm:"size:2000;not null;default:''"`
	CreatedAt time.Time
	ExpiresAt time.Time `gorm:"not null;index"`
}

// CreatePendingLogin starts the second step of userID's sign-in, which
// goes on to next, and returns the token for the cookie.
func CreatePendingLogin(ctx context.Context, db *gorm.DB, userID uint, next string, ttl time.Duration, now time.Time) (string, error) {
	token, err := NewToken()
	if err != nil {
		return "", err
	}
	p := &PendingLogin{ID: HashToken(token), UserID: userID, Next: truncate(next, 2000), CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := db.WithContext(ctx).Create(p).Error; err != nil {
		return "", wrap(err, "create pending login of user %d", userID)
	}
	return token, nil
}

// FindPendingLogin returns the live pending sign-in of token with its
// user and organisation; an unknown or expired token, or a disabled user,
// gives ErrNotFound.
func FindPendingLogin(ctx context.Context, db *gorm.DB, token string, now time.Time) (*PendingLogin, error) {
	if token == "" {
		return nil, wrap(ErrNotFound, "find pending login")
	}
	var p PendingLogin
	err := db.WithContext(ctx).Joins("User").Joins("User.Org").
		Where("pending_logins.id = ? AND pending_logins.expires_at > ?", HashToken(token), now).Take(&p).Error
	if err != nil {
		return nil, wrap(err, "find pending login")
	}
	if p.User.Disabled {
		return nil, wrap(ErrNotFound, "find pending login: user %d disabled", p.UserID)
	}
	return &p, nil
}

// DeletePendingLogin forgets the pending sign-in of token, and any that
// have expired.
func DeletePendingLogin(ctx context.Context, db *gorm.DB, token string, now time.Time) error {
	err := db.WithContext(ctx).Where("id = ? OR expires_at <= ?", HashToken(token), now).Delete(&PendingLogin{}).Error
	if err != nil {
		return wrap(err, "delete pending login")
	}
	return nil
}
