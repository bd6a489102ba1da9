package models

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// A passkey is a WebAuthn credential a user registered on their account:
// the key pair lives in the authenticator (a security key, the phone, the
// laptop's secure chip); Tenderprobe keeps the public key and the
// credential record go-webauthn made of it. Signing in with one proves
// both possession and (user verification) a PIN or fingerprint, so it
// stands in for the password and the code.

// PasskeyNameMax is the longest name a passkey may have, in characters.
const PasskeyNameMax = 60

// ErrLastPasskey means the removal of a user's last passkey was refused:
// their organisation requires a second factor and they have no TOTP (409).
var ErrLastPasskey = errors.New("last passkey of a user who must keep a second factor")

// ErrPasskeyCounter means a sign-in's signature counter did not go up
// from the stored one: the authenticator may be cloned, or the assertion
// replayed.
var ErrPasskeyCounter = errors.New("passkey signature counter did not increase")

// Passkey is one registered WebAuthn credential of a user.
type Passkey struct {
	ID     uint `gorm:"primaryKey"`
	UserID uint `gorm:"not null;index"`
	User   User `gorm:"constraint:OnDelete:CASCADE"`
	// CredentialID is the credential's id, base64url without padding: the
	// authenticator names the credential by it at sign-in.
	CredentialID string `gorm:"size:1400;not null;uniqueIndex"`
	Name         string `gorm:"size:240;not null"`
	// Credential is go-webauthn's credential record as JSON (public key,
	// flags, authenticator data); SignCount repeats its counter as a
	// column so the update at sign-in can refuse a counter that does not
	// go up in one statement.
	Credential string `gorm:"type:text;not null"`
	SignCount  int64  `gorm:"not null;default:0"`
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// PasskeyChallenge is the server side of one WebAuthn ceremony (register
// or sign in): go-webauthn's session data with the challenge. The browser
// holds a random token in a short-lived cookie; the table keeps only its
// SHA-256. A challenge is taken once: taking it deletes it.
type PasskeyChallenge struct {
	ID string `gorm:"primaryKey;size:64"`
	// UserID is the user registering a passkey; nil for a sign-in, where
	// the user is not known until the passkey names them.
	UserID    *uint     `gorm:"index"`
	User      *User     `gorm:"constraint:OnDelete:CASCADE"`
	Purpose   string    `gorm:"size:16;not null"`
	Session   string    `gorm:"type:text;not null"`
	ExpiresAt time.Time `gorm:"not null;index"`
}

// Purposes of a passkey challenge.
const (
	PasskeyRegister = "register"
	PasskeyLogin    = "login"
)

// EncodeCredentialID writes a credential id as stored and looked up.
func EncodeCredentialID(id []byte) string { return base64.RawURLEncoding.EncodeToString(id) }

// HasTOTP reports whether u has an authenticator app turned on: the
// second factor a password sign-in asks for.
func (u *User) HasTOTP() bool { return u != nil && u.TOTPEnabledAt != nil }

// CreatePasskeyChallenge stores the session data of a ceremony for userID
// (nil for a sign-in) and returns the token for the cookie. Expired
// challenges go at the same time.
func CreatePasskeyChallenge(ctx context.Context, db *gorm.DB, userID *uint, purpose, session string, ttl time.Duration, now time.Time) (string, error) {
	token, err := NewToken()
	if err != nil {
		return "", err
	}
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("expires_at <= ?", now).Delete(&PasskeyChallenge{}).Error; err != nil {
			return wrap(err, "delete expired passkey challenges")
		}
		ch := &PasskeyChallenge{ID: HashToken(token), UserID: userID, Purpose: purpose, Session: session, ExpiresAt: now.Add(ttl)}
		return wrap(tx.Create(ch).Error, "create passkey challenge")
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// TakePasskeyChallenge returns the session data of the live challenge of
// token for purpose and userID (nil for a sign-in) and deletes it, so it
// serves one answer only. An unknown, used, expired or someone else's
// challenge gives ErrNotFound.
func TakePasskeyChallenge(ctx context.Context, db *gorm.DB, token, purpose string, userID *uint, now time.Time) (string, error) {
	if token == "" {
		return "", wrap(ErrNotFound, "take passkey challenge")
	}
	var ch PasskeyChallenge
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Where("id = ? AND purpose = ? AND expires_at > ?", HashToken(token), purpose, now)
		if userID == nil {
			q = q.Where("user_id IS NULL")
		} else {
			q = q.Where("user_id = ?", *userID)
		}
		if err := q.Take(&ch).Error; err != nil {
			return wrap(err, "find passkey challenge")
		}
		// Two answers racing for one challenge: only one deletes it.
		res := tx.Where("id = ?", ch.ID).Delete(&PasskeyChallenge{})
		if res.Error != nil {
			return wrap(res.Error, "delete passkey challenge")
		}
		if res.RowsAffected == 0 {
			return wrap(ErrNotFound, "passkey challenge used")
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return ch.Session, nil
}

// validPasskeyName trims name and checks it is there and not too long.
func validPasskeyName(name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		return "", &ValidationError{Field: "passkey_name", Code: "required"}
	}
	if utf8.RuneCountInString(name) > PasskeyNameMax {
		return "", &ValidationError{Field: "passkey_name", Code: "too_long", Params: map[string]any{"max": PasskeyNameMax}}
	}
	return name, nil
}

// CheckPasskeyName reports whether name would be accepted, before the
// browser is asked to make a credential.
func CheckPasskeyName(name string) error {
	_, err := validPasskeyName(name)
	return err
}

// AddPasskey stores a new passkey of u named name: credID is the
// credential id, record go-webauthn's credential as JSON and signCount
// its counter. A credential id registered before gives ErrConflict.
func AddPasskey(ctx context.Context, db *gorm.DB, u *User, name string, credID []byte, record string, signCount uint32, now time.Time) (*Passkey, error) {
	name, err := validPasskeyName(name)
	if err != nil {
		return nil, err
	}
	p := &Passkey{UserID: u.ID, CredentialID: EncodeCredentialID(credID), Name: name, Credential: record, SignCount: int64(signCount), CreatedAt: now}
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Omit("User").Create(p).Error; err != nil {
			return wrap(err, "add passkey of user %d", u.ID)
		}
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Update("passkeys", gorm.Expr("passkeys + 1")).Error; err != nil {
			return wrap(err, "count passkeys of user %d", u.ID)
		}
		return passkeyAudit(tx, u, now, "passkey.add", u, nil, map[string]any{"name": name})
	})
	if err != nil {
		return nil, err
	}
	u.Passkeys++
	return p, nil
}

// passkeyAudit writes an audit entry about the passkeys of account u.
func passkeyAudit(tx *gorm.DB, by *User, now time.Time, action string, u *User, before, after any) error {
	return userAudit(tx, by, now, action, u, before, after)
}

// ListPasskeys returns the passkeys of userID, oldest first.
func ListPasskeys(ctx context.Context, db *gorm.DB, userID uint) ([]Passkey, error) {
	var ps []Passkey
	if err := db.WithContext(ctx).Where("user_id = ?", userID).Order("created_at, id").Find(&ps).Error; err != nil {
		return nil, wrap(err, "list passkeys of user %d", userID)
	}
	return ps, nil
}

// CountPasskeys counts the passkeys of userID.
func CountPasskeys(ctx context.Context, db *gorm.DB, userID uint) (int64, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&Passkey{}).Where("user_id = ?", userID).Count(&n).Error; err != nil {
		return 0, wrap(err, "count passkeys of user %d", userID)
	}
	return n, nil
}

// RemovePasskey deletes passkey id of u. Another user's passkey, or none,
// gives ErrNotFound. When mustKeep (u has to have a second factor) and u
// has no TOTP, the last passkey stays: ErrLastPasskey.
func RemovePasskey(ctx context.Context, db *gorm.DB, u *User, id uint, mustKeep bool, now time.Time) error {
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var p Passkey
		if err := tx.Where("id = ? AND user_id = ?", id, u.ID).Take(&p).Error; err != nil {
			return wrap(err, "find passkey %d of user %d", id, u.ID)
		}
		// The count and the rule in one statement, so two removals at once
		// cannot both take the last passkeys.
		q := tx.Model(&User{}).Where("id = ?", u.ID)
		if mustKeep {
			q = q.Where("passkeys > 1 OR totp_enabled_at IS NOT NULL")
		}
		res := q.Update("passkeys", gorm.Expr("passkeys - 1"))
		if res.Error != nil {
			return wrap(res.Error, "count passkeys of user %d", u.ID)
		}
		if res.RowsAffected == 0 {
			return ErrLastPasskey
		}
		if err := tx.Delete(&Passkey{}, p.ID).Error; err != nil {
			return wrap(err, "remove passkey %d", p.ID)
		}
		return passkeyAudit(tx, u, now, "passkey.remove", u, map[string]any{"name": p.Name}, nil)
	})
	if err != nil {
		return err
	}
	u.Passkeys--
	return nil
}

// FindPasskey returns the passkey whose credential id is credID, with its
// user and the user's organisation; none, or a disabled user, gives
// ErrNotFound.
func FindPasskey(ctx context.Context, db *gorm.DB, credID []byte) (*Passkey, error) {
	var p Passkey
	err := db.WithContext(ctx).Joins("User").Joins("User.Org").
		Where("passkeys.credential_id = ?", EncodeCredentialID(credID)).Take(&p).Error
	if err != nil {
		return nil, wrap(err, "find passkey")
	}
	if p.User.Disabled {
		return nil, wrap(ErrNotFound, "find passkey: user %d disabled", p.UserID)
	}
	return &p, nil
}

// UsePasskey records a sign-in with p: the new signature counter and
// credential record, and when it was used. The counter must go up from
// the stored one, unless the authenticator keeps none (both zero, as
// synced passkeys do); otherwise ErrPasskeyCounter. One statement, so two
// sign-ins with the same counter cannot both pass.
func UsePasskey(ctx context.Context, db *gorm.DB, p *Passkey, signCount uint32, record string, now time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Model(&Passkey{}).Where("id = ?", p.ID)
		if signCount == 0 {
			q = q.Where("sign_count = 0")
		} else {
			q = q.Where("sign_count < ?", int64(signCount))
		}
		res := q.Updates(map[string]any{"sign_count": int64(signCount), "credential": record, "last_used_at": now})
		if res.Error != nil {
			return wrap(res.Error, "use passkey %d", p.ID)
		}
		if res.RowsAffected == 0 {
			return wrap(ErrPasskeyCounter, "passkey %d", p.ID)
		}
		return passkeyAudit(tx, &p.User, now, "passkey.login", &p.User, nil, map[string]any{"name": p.Name})
	})
}

// RecordPasskeyFailure writes the audit entry of a refused sign-in with
// passkey p (a bad signature, a counter that went back).
func RecordPasskeyFailure(ctx context.Context, db *gorm.DB, p *Passkey, now time.Time) error {
	e := AuditEntry{Action: "passkey.login_failed", ObjectType: "user", ObjectID: p.UserID, OrgID: p.User.OrgID}
	return writeAudit(db.WithContext(ctx), nil, now, e, nil, map[string]any{"name": p.Name})
}

// deletePasskeys removes every passkey of userID within tx, for an admin's
// reset of a lost second factor.
func deletePasskeys(tx *gorm.DB, userID uint) error {
	if err := tx.Where("user_id = ?", userID).Delete(&Passkey{}).Error; err != nil {
		return wrap(err, "delete passkeys of user %d", userID)
	}
	return wrap(tx.Model(&User{}).Where("id = ?", userID).Update("passkeys", 0).Error, "count passkeys of user %d", userID)
}
