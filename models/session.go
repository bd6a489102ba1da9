package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
	"unicode/utf8"

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
	// IP and UserAgent are the client's at login, for the owner's list of
	// sessions.
	IP        string `gorm:"column:ip;size:64;not null;default:''"`
	UserAgent string `gorm:"size:400;not null;default:''"`
	// LastSeenAt is the last request of the session, written at most once
	// per lastUsedPrecision; nil until the first request after login.
	LastSeenAt *time.Time
	// PageStamp is models.PageStamp as FindSession read it, in the same
	// query: a cached page needs no second round trip to the database.
	PageStamp int64 `gorm:"->;-:migration"`
}

// Client is where a session or API token was made: the address and the
// User-Agent header, cut to their columns' sizes.
type Client struct {
	IP        string
	UserAgent string
}

func (c Client) clean() Client {
	return Client{IP: truncate(c.IP, 64), UserAgent: truncate(c.UserAgent, 400)}
}

// truncate cuts s to at most n bytes without splitting a UTF-8 character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// NewToken returns a random 256-bit token, URL-safe base64 encoded.
func NewToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", wrap(err, "random token")
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
	return CreateSessionFor(ctx, db, userID, Client{}, ttl, now)
}

// CreateSessionFor is CreateSession for a login from client.
func CreateSessionFor(ctx context.Context, db *gorm.DB, userID uint, client Client, ttl time.Duration, now time.Time) (string, *Session, error) {
	client = client.clean()
	token, err := NewToken()
	if err != nil {
		return "", nil, err
	}
	csrf, err := NewToken()
	if err != nil {
		return "", nil, err
	}
	s := &Session{ID: HashToken(token), UserID: userID, CSRFToken: csrf, CreatedAt: now, ExpiresAt: now.Add(ttl),
		IP: client.IP, UserAgent: client.UserAgent}
	if err := db.WithContext(ctx).Create(s).Error; err != nil {
		return "", nil, wrap(err, "create session for user %d", userID)
	}
	return token, s, nil
}

// FindSession returns the live session for token with its user. An unknown or
// expired token, or a disabled user, gives ErrNotFound.
func FindSession(ctx context.Context, db *gorm.DB, token string, now time.Time) (*Session, error) {
	if token == "" {
		return nil, wrap(ErrNotFound, "find session")
	}
	var s Session
	// One query for session, user, organisation and the page stamp: every
	// page runs it, so it is prepared once per connection (on SQLite,
	// preparing the join cost as much as running it). Only this one: it
	// never runs inside a transaction. With GORM preparing every statement,
	// a transaction could wait for a statement another request prepares
	// while that request waits for one of SQLite's few connections, which
	// transactions queued for the write lock hold ("database is locked"
	// after the busy timeout, under load).
	err := db.WithContext(ctx).Session(&gorm.Session{PrepareStmt: true}).Joins("User").Joins("User.Org").Select([]string{"sessions.*", pageStampColumn}).
		Where("sessions.id = ? AND sessions.expires_at > ?", HashToken(token), now).Take(&s).Error
	if err != nil {
		return nil, wrap(err, "find session")
	}
	if s.User.Disabled {
		return nil, wrap(ErrNotFound, "find session: user %d disabled", s.UserID)
	}
	if s.LastSeenAt == nil || now.Sub(*s.LastSeenAt) >= lastUsedPrecision {
		// The time of last use is bookkeeping for the sessions page: a
		// write that cannot get the database now (a busy SQLite file) must
		// not fail the page the user asked for; the next request within
		// the minute tries again.
		if db.WithContext(ctx).Model(&Session{}).Where("id = ?", s.ID).Update("last_seen_at", now).Error == nil {
			s.LastSeenAt = &now
		}
	}
	return &s, nil
}

// DeleteSession ends the session of token; an unknown token is not an error.
func DeleteSession(ctx context.Context, db *gorm.DB, token string) error {
	if err := db.WithContext(ctx).Where("id = ?", HashToken(token)).Delete(&Session{}).Error; err != nil {
		return wrap(err, "delete session")
	}
	return nil
}

// DeleteUserSessions ends every session and API token of a user, as needed
// after the account is disabled or its password reset. UpdateUser already
// does this for those changes; it stays for callers outside an update.
func DeleteUserSessions(ctx context.Context, db *gorm.DB, userID uint) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return deleteCredentials(tx, userID)
	})
}

// deleteCredentials ends every session and API token of userID within tx,
// so a disabled account or a replaced password keeps no way in.
func deleteCredentials(tx *gorm.DB, userID uint) error {
	if err := tx.Where("user_id = ?", userID).Delete(&Session{}).Error; err != nil {
		return wrap(err, "delete sessions of user %d", userID)
	}
	if err := tx.Where("user_id = ?", userID).Delete(&APIToken{}).Error; err != nil {
		return wrap(err, "delete api tokens of user %d", userID)
	}
	if err := tx.Where("user_id = ?", userID).Delete(&PendingLogin{}).Error; err != nil {
		return wrap(err, "delete pending logins of user %d", userID)
	}
	return nil
}

// DeleteExpiredSessions removes sessions past their expiry.
func DeleteExpiredSessions(ctx context.Context, db *gorm.DB, now time.Time) error {
	if err := db.WithContext(ctx).Where("expires_at <= ?", now).Delete(&Session{}).Error; err != nil {
		return wrap(err, "delete expired sessions")
	}
	return nil
}

// ListSessions returns the live sessions of user, newest first.
func ListSessions(ctx context.Context, db *gorm.DB, user *User, now time.Time) ([]Session, error) {
	sessions := []Session{}
	err := db.WithContext(ctx).Where("user_id = ? AND expires_at > ?", user.ID, now).
		Order("created_at DESC, id").Find(&sessions).Error
	if err != nil {
		return nil, wrap(err, "list sessions of user %d", user.ID)
	}
	return sessions, nil
}

// EndSession ends session id (its stored id, never the cookie's token) of
// user. A session of anyone else gives ErrNotFound, like one that does not
// exist.
func EndSession(ctx context.Context, db *gorm.DB, user *User, id string, now time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Where("id = ? AND user_id = ?", id, user.ID).Delete(&Session{})
		if res.Error != nil {
			return wrap(res.Error, "end session of user %d", user.ID)
		}
		if res.RowsAffected == 0 {
			return wrap(ErrNotFound, "end session of user %d", user.ID)
		}
		return userAudit(tx, user, now, "session.end", user, nil, nil)
	})
}

// EndUserSessions ends every session and API token of user id, for by,
// who must administer accounts: a lost laptop or phone is locked out at
// once.
func EndUserSessions(ctx context.Context, db *gorm.DB, by *User, id uint, now time.Time) error {
	if err := checkAdministers(by, "end sessions"); err != nil {
		return err
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := FindUser(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := deleteCredentials(tx, u.ID); err != nil {
			return err
		}
		return userAudit(tx, by, now, "user.sessions_end", u, nil, nil)
	})
}
