package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// APIToken is a bearer token of the JSON API. Only the SHA-256 of the random
// 256-bit token is stored; the token itself is shown once, at creation. The
// JSON form is what its owner sees in the token list: never the hash.
type APIToken struct {
	ID        uint      `gorm:"primaryKey" json:"id"`
	UserID    uint      `gorm:"not null;index" json:"-"`
	User      User      `gorm:"constraint:OnDelete:CASCADE" json:"-"`
	Hash      string    `gorm:"size:64;not null;uniqueIndex" json:"-"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `gorm:"not null" json:"expires_at"`
	// LastUsedAt is nil until the token is first used.
	LastUsedAt *time.Time `json:"last_used_at"`
	// IP and UserAgent are the client's that asked for the token.
	IP        string `gorm:"column:ip;size:64;not null;default:''" json:"ip"`
	UserAgent string `gorm:"size:400;not null;default:''" json:"user_agent"`
}

// lastUsedPrecision is how stale LastUsedAt may be: it is written at most
// once per interval, so busy API clients do not turn every read into a write.
const lastUsedPrecision = time.Minute

// CreateAPIToken issues a token for userID valid for ttl and returns it.
func CreateAPIToken(ctx context.Context, db *gorm.DB, userID uint, ttl time.Duration, now time.Time) (string, error) {
	return CreateAPITokenFor(ctx, db, userID, Client{}, ttl, now)
}

// CreateAPITokenFor is CreateAPIToken for a request from client.
func CreateAPITokenFor(ctx context.Context, db *gorm.DB, userID uint, client Client, ttl time.Duration, now time.Time) (string, error) {
	client = client.clean()
	token, err := NewToken()
	if err != nil {
		return "", err
	}
	t := &APIToken{UserID: userID, Hash: HashToken(token), CreatedAt: now, ExpiresAt: now.Add(ttl), IP: client.IP, UserAgent: client.UserAgent}
	if err := db.WithContext(ctx).Create(t).Error; err != nil {
		return "", wrap(err, "create api token for user %d", userID)
	}
	return token, nil
}

// FindAPITokenUser returns the user owning a live token and records its use.
// Unknown, expired and revoked tokens and disabled users give ErrNotFound.
func FindAPITokenUser(ctx context.Context, db *gorm.DB, token string, now time.Time) (*User, error) {
	if token == "" {
		return nil, wrap(ErrNotFound, "find api token")
	}
	var t APIToken
	// One query for token, user and organisation: every API call runs it.
	err := db.WithContext(ctx).Joins("User").Joins("User.Org").
		Where("api_tokens.hash = ? AND api_tokens.expires_at > ?", HashToken(token), now).Take(&t).Error
	if err != nil {
		return nil, wrap(err, "find api token")
	}
	if t.User.Disabled {
		return nil, wrap(ErrNotFound, "find api token: user %d disabled", t.UserID)
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= lastUsedPrecision {
		err := db.WithContext(ctx).Model(&APIToken{}).Where("id = ?", t.ID).Update("last_used_at", now).Error
		if err != nil {
			return nil, wrap(err, "record use of api token %d", t.ID)
		}
	}
	return &t.User, nil
}

// ListAPITokens returns the live tokens of user, newest first.
func ListAPITokens(ctx context.Context, db *gorm.DB, user *User, now time.Time) ([]APIToken, error) {
	tokens := []APIToken{}
	err := db.WithContext(ctx).Where("user_id = ? AND expires_at > ?", user.ID, now).
		Order("created_at DESC, id DESC").Find(&tokens).Error
	if err != nil {
		return nil, wrap(err, "list api tokens of user %d", user.ID)
	}
	return tokens, nil
}

// RevokeAPIToken deletes token id of user at once. A token of anyone else,
// admins included, gives ErrNotFound, so ids of other users' tokens cannot
// be told apart from ids that do not exist.
func RevokeAPIToken(ctx context.Context, db *gorm.DB, user *User, id uint) error {
	res := db.WithContext(ctx).Where("id = ? AND user_id = ?", id, user.ID).Delete(&APIToken{})
	if res.Error != nil {
		return wrap(res.Error, "revoke api token %d", id)
	}
	if res.RowsAffected == 0 {
		return wrap(ErrNotFound, "revoke api token %d of user %d", id, user.ID)
	}
	return nil
}

// DeleteExpiredAPITokens removes tokens past their expiry.
func DeleteExpiredAPITokens(ctx context.Context, db *gorm.DB, now time.Time) error {
	if err := db.WithContext(ctx).Where("expires_at <= ?", now).Delete(&APIToken{}).Error; err != nil {
		return wrap(err, "delete expired api tokens")
	}
	return nil
}
