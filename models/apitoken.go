package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// APIToken is a bearer token of the JSON API. Only the SHA-256 of the random
// 256-bit token is stored; the token itself is shown once, at creation.
type APIToken struct {
	ID        uint   `gorm:"primaryKey"`
	UserID    uint   `gorm:"not null;index"`
	User      User   `gorm:"constraint:OnDelete:CASCADE"`
	Hash      string `gorm:"size:64;not null;uniqueIndex"`
	CreatedAt time.Time
	ExpiresAt time.Time `gorm:"not null"`
}

// CreateAPIToken issues a token for userID valid for ttl and returns it.
func CreateAPIToken(ctx context.Context, db *gorm.DB, userID uint, ttl time.Duration, now time.Time) (string, error) {
	token, err := NewToken()
	if err != nil {
		return "", err
	}
	t := &APIToken{UserID: userID, Hash: HashToken(token), CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := db.WithContext(ctx).Create(t).Error; err != nil {
		return "", fmt.Errorf("models: create api token for user %d: %w", userID, err)
	}
	return token, nil
}

// FindAPITokenUser returns the user owning a live token. Unknown or expired
// tokens and disabled users give ErrNotFound.
func FindAPITokenUser(ctx context.Context, db *gorm.DB, token string, now time.Time) (*User, error) {
	if token == "" {
		return nil, fmt.Errorf("models: find api token: %w", ErrNotFound)
	}
	var t APIToken
	err := db.WithContext(ctx).Preload("User.Org").
		Where("hash = ? AND expires_at > ?", HashToken(token), now).First(&t).Error
	if err != nil {
		return nil, notFound(err, "find api token")
	}
	if t.User.Disabled {
		return nil, fmt.Errorf("models: find api token: user %d disabled: %w", t.UserID, ErrNotFound)
	}
	return &t.User, nil
}
