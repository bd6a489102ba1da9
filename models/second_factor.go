package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"gorm.io/gorm"
)

// A second factor is a TOTP authenticator (RFC 6238): six digits, a new
// code every 30 seconds, the code of the step before and after accepted
// for clocks that drift. A code is accepted once: the last accepted time
// step is stored, and only later steps pass. Ten recovery codes, each
// usable once, stand in for a lost authenticator.
const (
	totpPeriod = 30
	totpSkew   = 1
	// RecoveryCodeCount is how many recovery codes an enrolment gives.
	RecoveryCodeCount = 10
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Skew: totpSkew, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// ErrSecondFactorInvalid is a TOTP code or recovery code that does not
// match, is outside the time window, or was used before.
var ErrSecondFactorInvalid = errors.New("second factor code invalid")

// ErrNoPendingEnrolment means a confirmation came without an enrolment
// started first (409).
var ErrNoPendingEnrolment = errors.New("no second factor enrolment started")

// ErrSecondFactorOn means a new enrolment was asked for while a second
// factor is on (409): replacing it needs a current code, so it is turned
// off first.
var ErrSecondFactorOn = errors.New("second factor already on")

// RecoveryCode is one single-use code of a user's second factor. Only its
// SHA-256 is stored: the codes are random and long, so a fast hash is
// enough, and they are shown once, at enrolment.
type RecoveryCode struct {
	ID        uint   `gorm:"primaryKey"`
	UserID    uint   `gorm:"not null;index"`
	User      User   `gorm:"constraint:OnDelete:CASCADE"`
	Hash      string `gorm:"size:64;not null"`
	UsedAt    *time.Time
	CreatedAt time.Time
}

// HasSecondFactor reports whether u has a second factor, for the rule
// that officers and admins must enrol one: an authenticator app (TOTP) or
// a passkey.
func (u *User) HasSecondFactor() bool {
	return u != nil && (u.TOTPEnabledAt != nil || u.Passkeys > 0)
}

// MustHaveSecondFactor reports whether u has to enrol a second factor
// before using the app: officers and admins, when the whole instance or
// their organisation requires it.
func (u *User) MustHaveSecondFactor(instanceWide bool) bool {
	if u == nil || (u.Role != RoleOfficer && u.Role != RoleAdmin) {
		return false
	}
	return instanceWide || (u.Org != nil && u.Org.RequireSecondFactor)
}

// MustEnrol reports whether u has to set up a second factor before using
// the app: one is required and u has none.
func (u *User) MustEnrol(instanceWide bool) bool {
	return u.MustHaveSecondFactor(instanceWide) && !u.HasSecondFactor()
}

// PasskeyRequired reports whether u must have a second factor and has only
// passkeys: then neither a password nor an identity provider signs u in
// alone, and the last passkey may not be removed.
func (u *User) PasskeyRequired(instanceWide bool) bool {
	return u.MustHaveSecondFactor(instanceWide) && !u.HasTOTP() && u.Passkeys > 0
}

// TOTPKey is the authenticator key of secret for u, with the issuer and
// account an authenticator app shows.
func TOTPKey(u *User, issuer, secret string) (*otp.Key, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(secret))
	if err != nil {
		return nil, wrap(err, "decode totp secret of user %d", u.ID)
	}
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: u.Email, Period: totpPeriod, Secret: raw,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, wrap(err, "totp key of user %d", u.ID)
	}
	return k, nil
}

// StartTOTPEnrolment gives u a new, not yet active TOTP secret and returns
// its key. It replaces any earlier pending one. A user whose second factor
// is on gets ErrSecondFactorOn: whoever holds only their session must not
// swap in an authenticator of their own.
func StartTOTPEnrolment(ctx context.Context, db *gorm.DB, u *User, issuer string, now time.Time) (*otp.Key, error) {
	if u.HasTOTP() {
		return nil, wrap(ErrSecondFactorOn, "start totp of user %d", u.ID)
	}
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: u.Email, Period: totpPeriod,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, wrap(err, "totp secret for user %d", u.ID)
	}
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&User{}).Where("id = ? AND totp_enabled_at IS NULL", u.ID).Update("totp_pending", k.Secret()).Error; err != nil {
			return wrap(err, "store pending totp of user %d", u.ID)
		}
		return userAudit(tx, u, now, "totp.enrol", u, nil, nil)
	})
	if err != nil {
		return nil, err
	}
	u.TOTPPending = k.Secret()
	return k, nil
}

// totpStep returns the time step in which code is valid for secret,
// within the window around now, or false.
func totpStep(secret, code string, now time.Time) (int64, bool) {
	code = strings.TrimSpace(code)
	if len(code) != 6 || secret == "" {
		return 0, false
	}
	step := now.Unix() / totpPeriod
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix((step+d)*totpPeriod, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step + d, true
		}
	}
	return 0, false
}

// Keep names the credential a request came with (a session's stored id,
// or an API token's hash), which a change that ends the others keeps.
type Keep struct {
	SessionID, TokenHash string
}

// ConfirmTOTP turns on the pending second factor of u when code is its
// current code, and returns the new recovery codes in the clear, the only
// time they are shown. Older recovery codes stop working, and so does
// every other session and API token of u but keep: one made with the
// password alone, perhaps by whoever knew it, must not outlive the
// second factor that now guards the account.
func ConfirmTOTP(ctx context.Context, db *gorm.DB, u *User, code string, keep Keep, now time.Time) ([]string, error) {
	fresh, err := FindUser(ctx, db, u.ID)
	if err != nil {
		return nil, err
	}
	if fresh.TOTPPending == "" {
		return nil, ErrNoPendingEnrolment
	}
	step, ok := totpStep(fresh.TOTPPending, code, now)
	if !ok {
		return nil, wrap(ErrSecondFactorInvalid, "confirm totp of user %d", u.ID)
	}
	codes, hashes, err := newRecoveryCodes()
	if err != nil {
		return nil, err
	}
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&User{}).Where("id = ? AND totp_pending = ? AND totp_enabled_at IS NULL", u.ID, fresh.TOTPPending).Updates(map[string]any{
			"totp_secret": fresh.TOTPPending, "totp_pending": "", "totp_enabled_at": now, "totp_last_step": step,
		})
		if res.Error != nil {
			return wrap(res.Error, "enable totp of user %d", u.ID)
		}
		if res.RowsAffected == 0 {
			return ErrNoPendingEnrolment
		}
		if err := tx.Where("user_id = ?", u.ID).Delete(&RecoveryCode{}).Error; err != nil {
			return wrap(err, "delete recovery codes of user %d", u.ID)
		}
		rows := make([]RecoveryCode, len(hashes))
		for i, h := range hashes {
			rows[i] = RecoveryCode{UserID: u.ID, Hash: h, CreatedAt: now}
		}
		if err := tx.Create(&rows).Error; err != nil {
			return wrap(err, "store recovery codes of user %d", u.ID)
		}
		if err := tx.Where("user_id = ? AND id <> ?", u.ID, keep.SessionID).Delete(&Session{}).Error; err != nil {
			return wrap(err, "end other sessions of user %d", u.ID)
		}
		if err := tx.Where("user_id = ? AND hash <> ?", u.ID, keep.TokenHash).Delete(&APIToken{}).Error; err != nil {
			return wrap(err, "end other api tokens of user %d", u.ID)
		}
		return userAudit(tx, u, now, "totp.enable", u, map[string]any{"second_factor": false}, map[string]any{"second_factor": true})
	})
	if err != nil {
		return nil, err
	}
	u.TOTPSecret, u.TOTPPending, u.TOTPEnabledAt, u.TOTPLastStep = fresh.TOTPPending, "", &now, step
	return codes, nil
}

// recoveryAlphabet avoids letters that read like digits or each other.
const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// newRecoveryCodes returns RecoveryCodeCount random codes of ten
// characters (about 49 bits each), written xxxxx-xxxxx, and their hashes.
func newRecoveryCodes() (codes, hashes []string, err error) {
	for range RecoveryCodeCount {
		var b [10]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, nil, wrap(err, "random recovery code")
		}
		var sb strings.Builder
		for i, c := range b {
			if i == 5 {
				sb.WriteByte('-')
			}
			sb.WriteByte(recoveryAlphabet[int(c)%len(recoveryAlphabet)])
		}
		codes = append(codes, sb.String())
		hashes = append(hashes, hashRecoveryCode(sb.String()))
	}
	return codes, hashes, nil
}

// hashRecoveryCode hashes a recovery code as typed: case, spaces and
// dashes do not matter.
func hashRecoveryCode(code string) string {
	clean := strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(code)))
	sum := sha256.Sum256([]byte(clean))
	return hex.EncodeToString(sum[:])
}

// VerifySecondFactor checks code, a TOTP code or a recovery code, for u's
// active second factor and uses it up: a TOTP code's step and every
// earlier one are refused from now on, a recovery code is spent. Anything
// else gives ErrSecondFactorInvalid. recovery tells that a recovery code
// was used.
func VerifySecondFactor(ctx context.Context, db *gorm.DB, u *User, code string, now time.Time) (recovery bool, err error) {
	fresh, err := FindUser(ctx, db, u.ID)
	if err != nil {
		return false, err
	}
	if !fresh.HasTOTP() {
		return false, wrap(ErrSecondFactorInvalid, "user %d has no second factor", u.ID)
	}
	if step, ok := totpStep(fresh.TOTPSecret, code, now); ok {
		// One statement, so two requests with the same code cannot both pass.
		res := db.WithContext(ctx).Model(&User{}).Where("id = ? AND totp_last_step < ?", u.ID, step).Update("totp_last_step", step)
		if res.Error != nil {
			return false, wrap(res.Error, "record totp step of user %d", u.ID)
		}
		if res.RowsAffected == 0 {
			return false, wrap(ErrSecondFactorInvalid, "totp code of user %d used before", u.ID)
		}
		u.TOTPLastStep = step
		return false, nil
	}
	if strings.TrimSpace(code) == "" {
		return false, wrap(ErrSecondFactorInvalid, "empty code for user %d", u.ID)
	}
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&RecoveryCode{}).Where("user_id = ? AND hash = ? AND used_at IS NULL", u.ID, hashRecoveryCode(code)).Update("used_at", now)
		if res.Error != nil {
			return wrap(res.Error, "use recovery code of user %d", u.ID)
		}
		if res.RowsAffected == 0 {
			return wrap(ErrSecondFactorInvalid, "recovery code of user %d", u.ID)
		}
		return userAudit(tx, fresh, now, "totp.recovery_used", fresh, nil, nil)
	})
	if err != nil {
		return false, err
	}
	return true, nil
}

// RecoveryCodesLeft counts the unused recovery codes of u.
func RecoveryCodesLeft(ctx context.Context, db *gorm.DB, u *User) (int64, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&RecoveryCode{}).Where("user_id = ? AND used_at IS NULL", u.ID).Count(&n).Error; err != nil {
		return 0, wrap(err, "count recovery codes of user %d", u.ID)
	}
	return n, nil
}

// DisableTOTP turns off u's second factor when code is a current code or
// an unused recovery code; its recovery codes go too.
func DisableTOTP(ctx context.Context, db *gorm.DB, u *User, code string, now time.Time) error {
	if _, err := VerifySecondFactor(ctx, db, u, code, now); err != nil {
		return err
	}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{
			"totp_secret": "", "totp_pending": "", "totp_enabled_at": nil, "totp_last_step": 0,
		}).Error
		if err != nil {
			return wrap(err, "disable totp of user %d", u.ID)
		}
		if err := tx.Where("user_id = ?", u.ID).Delete(&RecoveryCode{}).Error; err != nil {
			return wrap(err, "delete recovery codes of user %d", u.ID)
		}
		return userAudit(tx, u, now, "totp.disable", u, map[string]any{"second_factor": true}, map[string]any{"second_factor": false})
	})
	if err != nil {
		return err
	}
	u.TOTPSecret, u.TOTPPending, u.TOTPEnabledAt, u.TOTPLastStep = "", "", nil, 0
	return nil
}

// RecordSecondFactorFailure writes the audit entry of a wrong second
// factor code at sign-in: the password was right, so the account is known.
func RecordSecondFactorFailure(ctx context.Context, db *gorm.DB, u *User, now time.Time) error {
	e := AuditEntry{Action: "login.code_failed", ObjectType: "user", ObjectID: u.ID, OrgID: u.OrgID}
	return writeAudit(db.WithContext(ctx), u, now, e, nil, nil)
}

// SetOrgSecondFactor makes a second factor required (or not) for the
// officers and admins of organisation id, for by, who must administer
// accounts.
func SetOrgSecondFactor(ctx context.Context, db *gorm.DB, by *User, id uint, required bool, now time.Time) (*Org, error) {
	if err := checkAdministers(by, "change org"); err != nil {
		return nil, err
	}
	var o *Org
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if o, err = FindOrg(ctx, tx, id); err != nil {
			return err
		}
		if o.RequireSecondFactor == required {
			return nil
		}
		before := o.RequireSecondFactor
		o.RequireSecondFactor = required
		if err := tx.Model(o).Updates(map[string]any{"require_second_factor": required, "updated_at": now}).Error; err != nil {
			return wrap(err, "update org %d", id)
		}
		return orgAudit(tx, by, now, "org.edit", o, map[string]any{"require_second_factor": before}, map[string]any{"require_second_factor": required})
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// ResetSecondFactor turns off the second factor of user id, for by, who
// must administer accounts: the way back for a user who lost both the
// authenticator and the recovery codes. The user's sessions and API tokens
// end with it, so nothing signed in with the old factor stays.
func ResetSecondFactor(ctx context.Context, db *gorm.DB, by *User, id uint, now time.Time) error {
	if err := checkAdministers(by, "reset second factor"); err != nil {
		return err
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := FindUser(ctx, tx, id)
		if err != nil {
			return err
		}
		if !u.HasSecondFactor() && u.TOTPPending == "" {
			return nil
		}
		err = tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{
			"totp_secret": "", "totp_pending": "", "totp_enabled_at": nil, "totp_last_step": 0,
		}).Error
		if err != nil {
			return wrap(err, "reset totp of user %d", u.ID)
		}
		if err := tx.Where("user_id = ?", u.ID).Delete(&RecoveryCode{}).Error; err != nil {
			return wrap(err, "delete recovery codes of user %d", u.ID)
		}
		if err := deletePasskeys(tx, u.ID); err != nil {
			return err
		}
		if err := deleteCredentials(tx, u.ID); err != nil {
			return err
		}
		return userAudit(tx, by, now, "user.second_factor_reset", u, map[string]any{"second_factor": u.HasSecondFactor()}, map[string]any{"second_factor": false})
	})
}
