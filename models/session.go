package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Session is a server-side login session of the web UI. The browser holds a
// random token in a cookie; the table keeps only its SHA-256 so a leaked
// database does not hand out live sessions.
type Session struct {
	ID        string `gorm:"primaryKey;size:64"`
	UserID    uint   `gorm:"not null;index"`
	User      User   `gorm:"constraint:OnDelete:CASCADE"`
	CSRFToken string `gorm:"size:64;not null"`
	CreatedAt time.Time
	ExpiresAt time.Time `gorm:"not null;index"`
}

// LoginAttempt counts failed logins for one key (an account or a client IP)
// within a window, so the login rate limit holds across processes.
type LoginAttempt struct {
	Subject     string `gorm:"primaryKey;size:400"`
	Failures    int    `gorm:"not null"`
	WindowStart time.Time
}

// NewToken returns a random 256-bit token, URL-safe base64 encoded.
func NewToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("models: random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// HashToken returns the hex SHA-256 of a session or API token, the form in
// which tokens are stored.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateSession starts a session for userID lasting ttl and returns the token
// for the cookie. A new token at every login is what renews the session id.
func CreateSession(ctx context.Context, db *gorm.DB, userID uint, ttl time.Duration, now time.Time) (string, *Session, error) {
	token, err := NewToken()
	if err != nil {
		return "", nil, err
	}
	csrf, err := NewToken()
	if err != nil {
		return "", nil, err
	}
	s := &Session{ID: HashToken(token), UserID: userID, CSRFToken: csrf, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := db.WithContext(ctx).Create(s).Error; err != nil {
		return "", nil, fmt.Errorf("models: create session for user %d: %w", userID, err)
	}
	return token, s, nil
}

// FindSession returns the live session for token with its user. An unknown or
// expired token, or a disabled user, gives ErrNotFound.
func FindSession(ctx context.Context, db *gorm.DB, token string, now time.Time) (*Session, error) {
	if token == "" {
		return nil, fmt.Errorf("models: find session: %w", ErrNotFound)
	}
	var s Session
	err := db.WithContext(ctx).Preload("User.Org").
		Where("id = ? AND expires_at > ?", HashToken(token), now).First(&s).Error
	if err != nil {
		return nil, notFound(err, "find session")
	}
	if s.User.Disabled {
		return nil, fmt.Errorf("models: find session: user %d disabled: %w", s.UserID, ErrNotFound)
	}
	return &s, nil
}

// DeleteSession ends the session of token; an unknown token is not an error.
func DeleteSession(ctx context.Context, db *gorm.DB, token string) error {
	if err := db.WithContext(ctx).Where("id = ?", HashToken(token)).Delete(&Session{}).Error; err != nil {
		return fmt.Errorf("models: delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session and API token of a user, as needed
// after the account is disabled or its password reset.
func DeleteUserSessions(ctx context.Context, db *gorm.DB, userID uint) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("user_id = ?", userID).Delete(&Session{}).Error; err != nil {
			return fmt.Errorf("models: delete sessions of user %d: %w", userID, err)
		}
		if err := tx.Where("user_id = ?", userID).Delete(&APIToken{}).Error; err != nil {
			return fmt.Errorf("models: delete api tokens of user %d: %w", userID, err)
		}
		return nil
	})
}

// DeleteExpiredSessions removes sessions past their expiry.
func DeleteExpiredSessions(ctx context.Context, db *gorm.DB, now time.Time) error {
	if err := db.WithContext(ctx).Where("expires_at <= ?", now).Delete(&Session{}).Error; err != nil {
		return fmt.Errorf("models: delete expired sessions: %w", err)
	}
	return nil
}

// LoginBlocked reports whether key has reached limit failed logins within
// window before now.
func LoginBlocked(ctx context.Context, db *gorm.DB, key string, limit int, window time.Duration, now time.Time) (bool, error) {
	var a LoginAttempt
	err := db.WithContext(ctx).Where("subject = ?", key).First(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("models: read login attempts: %w", err)
	}
	if now.Sub(a.WindowStart) >= window {
		return false, nil
	}
	return a.Failures >= limit, nil
}

// RecordLoginFailure counts one failed login for key, starting a new window
// when the last one has passed.
func RecordLoginFailure(ctx context.Context, db *gorm.DB, key string, window time.Duration, now time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var a LoginAttempt
		err := tx.Where("subject = ?", key).First(&a).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			a = LoginAttempt{Subject: key, Failures: 1, WindowStart: now}
			if err := tx.Create(&a).Error; err != nil {
				return fmt.Errorf("models: record login failure: %w", err)
			}
			return nil
		case err != nil:
			return fmt.Errorf("models: record login failure: %w", err)
		}
		if now.Sub(a.WindowStart) >= window {
			a.Failures, a.WindowStart = 0, now
		}
		a.Failures++
		if err := tx.Model(&LoginAttempt{}).Where("subject = ?", key).
			Updates(map[string]any{"failures": a.Failures, "window_start": a.WindowStart}).Error; err != nil {
			return fmt.Errorf("models: record login failure: %w", err)
		}
		return nil
	})
}

// ResetLoginFailures forgets the failed logins of key after a success.
func ResetLoginFailures(ctx context.Context, db *gorm.DB, key string) error {
	if err := db.WithContext(ctx).Where("subject = ?", key).Delete(&LoginAttempt{}).Error; err != nil {
		return fmt.Errorf("models: reset login failures: %w", err)
	}
	return nil
}

// DeleteStaleLoginAttempts forgets failure counts whose window started
// before before; they no longer block anyone.
func DeleteStaleLoginAttempts(ctx context.Context, db *gorm.DB, before time.Time) error {
	if err := db.WithContext(ctx).Where("window_start < ?", before).Delete(&LoginAttempt{}).Error; err != nil {
		return fmt.Errorf("models: delete stale login attempts: %w", err)
	}
	return nil
}
