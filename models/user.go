package models

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/mail"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"tenderprobe/app/passwords"
)

// Roles a user can have; each user has exactly one.
const (
	// RoleAdmin manages organisations, users and the catalogue and sees everything.
	RoleAdmin = "admin"
	// RoleOfficer is a procurement officer of a buyer org who builds tenders.
	RoleOfficer = "officer"
	// RoleVendor belongs to a supplier org and answers tenders it is invited to.
	RoleVendor = "vendor"
	// RoleAuditor reads everything and changes nothing.
	RoleAuditor = "auditor"
)

// Roles lists the allowed User.Role values.
var Roles = []string{RoleAdmin, RoleOfficer, RoleVendor, RoleAuditor}

// BcryptCost is the bcrypt work factor for new password hashes. Tests lower
// it (bcrypt.MinCost) so that creating users does not dominate their run time.
var BcryptCost = 12

// HashDelay is waited out by every new password hash, on top of bcrypt.
// It is zero except in tests that check hashing stays outside write
// transactions: there it stands for a production cost's time (about
// 250 ms at cost 12) without spending that CPU, which they would only
// spend waiting for each other.
var HashDelay time.Duration

// MinPasswordLength is the shortest password CreateUser accepts, in
// Unicode characters (NIST SP 800-63B).
const MinPasswordLength = passwords.MinLength

// User is a person who logs in. Email is stored lowercased.
type User struct {
	ID           uint   `gorm:"primaryKey" json:"id"`
	Email        string `gorm:"size:254;not null;uniqueIndex" json:"email"`
	Name         string `gorm:"size:200;not null" json:"name"`
	PasswordHash string `gorm:"size:100;not null" json:"-"`
	Role         string `gorm:"size:20;not null" json:"role"`
	OrgID        *uint  `gorm:"index" json:"org_id,omitempty"`
	Org          *Org   `gorm:"constraint:OnDelete:RESTRICT" json:"org,omitempty"`
	Disabled     bool   `gorm:"not null;default:false" json:"disabled"`
	// Language is the interface language the user chose (an i18n tag);
	// empty follows the browser's Accept-Language.
	Language string `gorm:"size:16;not null;default:''" json:"language"`
	// TimeZone is the IANA zone times are shown in; empty follows the
	// browser's zone.
	TimeZone string `gorm:"size:64;not null;default:''" json:"time_zone"`
	// TOTPSecret is the base32 secret of the active second factor, empty
	// without one; TOTPPending is an enrolment not yet confirmed.
	TOTPSecret  string `gorm:"column:totp_secret;size:64;not null;default:''" json:"-"`
	TOTPPending string `gorm:"column:totp_pending;size:64;not null;default:''" json:"-"`
	// TOTPEnabledAt is when the second factor was turned on, nil while off.
	TOTPEnabledAt *time.Time `gorm:"column:totp_enabled_at" json:"-"`
	// TOTPLastStep is the time step of the last accepted code: only later
	// steps are accepted, so a code works once.
	TOTPLastStep int64     `gorm:"column:totp_last_step;not null;default:0" json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`

	// Passkeys counts the passkeys registered on the account.
	Passkeys int `gorm:"column:passkeys;not null;default:0" json:"-"`

	// AwaitingApproval marks an account a provider's first sign-in made
	// disabled, for an admin to approve by enabling it.
	AwaitingApproval bool `gorm:"not null;default:false" json:"awaiting_approval"`
}

// IsStaff reports whether the user works on the buyer side (admin, officer or auditor).
func (u *User) IsStaff() bool {
	return u != nil && (u.Role == RoleAdmin || u.Role == RoleOfficer || u.Role == RoleAuditor)
}

// CanCreateTender reports whether the user may create tenders at all.
func (u *User) CanCreateTender() bool {
	return u != nil && !u.Disabled && (u.Role == RoleAdmin || u.Role == RoleOfficer && u.OrgID != nil)
}

// NormalizeEmail trims and lowercases an e-mail address so that lookups
// ignore case.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// validateEmail checks the address has the shape local@domain and no display name.
func validateEmail(email string) error {
	if email == "" {
		return invalid("email", "required")
	}
	if len(email) > 254 {
		return invalid("email", "too_long", "max", 254)
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || !strings.Contains(email, "@") {
		return invalid("email", "not_an_email", "value", email)
	}
	return nil
}

// validateName checks that an account has a name (trimmed by the caller).
func validateName(name string) error {
	if name == "" {
		return invalid("name", "required")
	}
	return nil
}

func validatePassword(password string, context ...string) error {
	err := passwords.Check(password, context...)
	var pe *passwords.Error
	if !errors.As(err, &pe) {
		return err
	}
	// The codes are password_ and the stable reason: password_too_short,
	// password_common, …
	return invalid("password", "password_"+string(pe.Reason), "min", pe.Min, "max", pe.Max, "length", pe.Length)
}

// prehashPrefix marks hashes of the SHA-256 of the (NFKC-normalised)
// password: bcrypt reads only 72 bytes, and passwords may be longer. Older
// hashes without it are of the password itself and still verify.
const prehashPrefix = "sha256+"

// prehash is what bcrypt hashes for password.
func prehash(password string) []byte {
	sum := sha256.Sum256([]byte(passwords.Normalize(password)))
	return []byte(base64.StdEncoding.EncodeToString(sum[:]))
}

// HashPassword hashes password with bcrypt at BcryptCost. It is slow on
// purpose: call it before a transaction, never inside one.
func HashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword(prehash(password), BcryptCost)
	if HashDelay > 0 {
		time.Sleep(HashDelay)
	}
	if err != nil {
		return "", wrap(err, "hash password")
	}
	return prehashPrefix + string(h), nil
}

// passwordMatches compares password with a stored hash (any format).
func passwordMatches(hash, password string) bool {
	if rest, ok := strings.CutPrefix(hash, prehashPrefix); ok {
		return bcrypt.CompareHashAndPassword([]byte(rest), prehash(password)) == nil
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// checkRoleOrg enforces that officers belong to a buyer org and vendors to a
// supplier org; admins and auditors may belong to either or to none.
func checkRoleOrg(ctx context.Context, db *gorm.DB, role string, orgID *uint) error {
	if !oneOf(role, Roles) {
		return invalid("role", "not_one_of", "value", role, "allowed", Roles)
	}
	var org *Org
	if orgID != nil {
		o, err := FindOrg(ctx, db, *orgID)
		if errors.Is(err, ErrNotFound) {
			return invalid("org_id", "no_such_org", "id", *orgID)
		}
		if err != nil {
			return err
		}
		org = o
	}
	switch role {
	case RoleOfficer:
		if org == nil || org.Kind != OrgBuyer {
			return invalid("org_id", "officer_needs_buyer")
		}
	case RoleVendor:
		if org == nil || org.Kind != OrgSupplier {
			return invalid("org_id", "vendor_needs_supplier")
		}
	}
	return nil
}

// AdministersAccounts says whether u may create and change users and
// organisations: an enabled admin. The models' account functions check it;
// a nil actor there is Tenderprobe itself (the first start, the demo data).
func (u *User) AdministersAccounts() error {
	if u != nil && !u.Disabled && u.Role == RoleAdmin {
		return nil
	}
	return &ForbiddenError{Code: "role"}
}

// checkAdministers applies AdministersAccounts to an actor that is not
// Tenderprobe itself.
func checkAdministers(by *User, what string) error {
	if by == nil {
		return nil
	}
	if err := by.AdministersAccounts(); err != nil {
		return wrap(err, "%s as %q", what, roleOf(by))
	}
	return nil
}

// userAudit writes the audit entry of action on user u.
func userAudit(tx *gorm.DB, by *User, now time.Time, action string, u *User, before, after any) error {
	return writeAudit(tx, by, now, AuditEntry{Action: action, ObjectType: "user", ObjectID: u.ID, OrgID: u.OrgID}, before, after)
}

// auditFields is what the audit log records of an account: never its
// password or hash.
func (u *User) auditFields() map[string]any {
	m := map[string]any{"email": u.Email, "name": u.Name, "role": u.Role, "disabled": u.Disabled, "org_id": nil}
	if u.OrgID != nil {
		m["org_id"] = *u.OrgID
	}
	return m
}

// CreateUser adds a user with a bcrypt-hashed password, for by, who must
// administer accounts (nil is Tenderprobe itself). orgID may be nil for
// admins and auditors. An e-mail address already in use gives ErrConflict.
func CreateUser(ctx context.Context, db *gorm.DB, by *User, email, name, password, role string, orgID *uint, now time.Time) (*User, error) {
	if err := checkAdministers(by, "create user"); err != nil {
		return nil, err
	}
	u := &User{Email: NormalizeEmail(email), Name: strings.TrimSpace(name), Role: role, OrgID: orgID}
	if err := JoinInvalid(validateEmail(u.Email), validateName(u.Name), validatePassword(password, u.Email, u.Name),
		checkRoleOrg(ctx, db, role, orgID)); err != nil {
		return nil, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	u.PasswordHash = hash
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(u).Error; err != nil {
			return wrap(err, "create user %s", u.Email)
		}
		return userAudit(tx, by, now, "user.create", u, nil, u.auditFields())
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// dummyHashes holds, per bcrypt cost, a hash compared against when the
// e-mail address is unknown, so that a failed login costs the same bcrypt
// work whether or not the account exists.
var (
	dummyMu     sync.Mutex
	dummyHashes = map[int][]byte{}
)

func dummyHashAtCost() []byte {
	dummyMu.Lock()
	defer dummyMu.Unlock()
	if h, ok := dummyHashes[BcryptCost]; ok {
		return h
	}
	h, err := bcrypt.GenerateFromPassword([]byte("tenderprobe-no-such-user"), BcryptCost)
	if err != nil {
		// Only an out-of-range cost fails; compare against nothing valid.
		return []byte("$2a$")
	}
	dummyHashes[BcryptCost] = h
	return h
}

// Authenticate returns the enabled user with email and password. An unknown
// address, a wrong password and a disabled account all give
// ErrInvalidCredentials after the same amount of bcrypt work.
func Authenticate(ctx context.Context, db *gorm.DB, email, password string) (*User, error) {
	var u User
	err := db.WithContext(ctx).Preload("Org").Where("email = ?", NormalizeEmail(email)).First(&u).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, wrap(err, "authenticate")
	}
	hash := u.PasswordHash
	if u.ID == 0 || !strings.Contains(hash, "$") {
		// No account, or one whose password is not set yet.
		hash = prehashPrefix + string(dummyHashAtCost())
	}
	// The bcrypt comparison always runs, so the answer takes as long for
	// an unknown or disabled account as for a wrong password.
	match := passwordMatches(hash, password) && u.ID != 0 && hash == u.PasswordHash
	if u.ID == 0 || !match || u.Disabled {
		return nil, ErrInvalidCredentials
	}
	return &u, nil
}

// FindUser returns the user with id and its org, or ErrNotFound.
func FindUser(ctx context.Context, db *gorm.DB, id uint) (*User, error) {
	var u User
	if err := db.WithContext(ctx).Preload("Org").First(&u, id).Error; err != nil {
		return nil, wrap(err, "find user %d", id)
	}
	return &u, nil
}

// FindUserByEmail returns the user with email (any case), or ErrNotFound.
func FindUserByEmail(ctx context.Context, db *gorm.DB, email string) (*User, error) {
	var u User
	if err := db.WithContext(ctx).Preload("Org").Where("email = ?", NormalizeEmail(email)).First(&u).Error; err != nil {
		return nil, wrap(err, "find user %s", NormalizeEmail(email))
	}
	return &u, nil
}

// ListUsers returns every user with its org, ordered by e-mail address.
func ListUsers(ctx context.Context, db *gorm.DB) ([]User, error) {
	var users []User
	if err := db.WithContext(ctx).Preload("Org").Order("email").Find(&users).Error; err != nil {
		return nil, wrap(err, "list users")
	}
	return users, nil
}

// UserChanges holds the fields an admin may change; nil means unchanged.
// To move a user out of every org set ClearOrg.
type UserChanges struct {
	Name     *string
	Role     *string
	OrgID    *uint
	ClearOrg bool
	Disabled *bool
	Password *string
}

// UpdateUser applies the changes of by, who must administer accounts, to
// user id. The role and org are checked together, so an officer cannot be
// moved to a supplier org. Disabling the account or setting its password
// ends its sessions and API tokens. The audit entry's action says what
// happened: a password reset, disabling, enabling or another edit.
func UpdateUser(ctx context.Context, db *gorm.DB, by *User, id uint, ch UserChanges, now time.Time) (*User, error) {
	if err := checkAdministers(by, "change user"); err != nil {
		return nil, err
	}
	var out *User
	var hash string
	if ch.Password != nil {
		// Hashing is slow: done before the transaction, not inside it.
		before, err := FindUser(ctx, db, id)
		if err != nil {
			return nil, err
		}
		if err := validatePassword(*ch.Password, before.Email, before.Name); err != nil {
			return nil, err
		}
		if hash, err = HashPassword(*ch.Password); err != nil {
			return nil, err
		}
	}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := FindUser(ctx, tx, id)
		if err != nil {
			return err
		}
		before := u.auditFields()
		var nameErr error
		if ch.Name != nil {
			u.Name = strings.TrimSpace(*ch.Name)
			nameErr = validateName(u.Name)
		}
		if ch.Role != nil {
			u.Role = *ch.Role
		}
		if ch.ClearOrg {
			u.OrgID = nil
		} else if ch.OrgID != nil {
			u.OrgID = ch.OrgID
		}
		if err := JoinInvalid(nameErr, checkRoleOrg(ctx, tx, u.Role, u.OrgID)); err != nil {
			return err
		}
		if ch.Disabled != nil {
			u.Disabled = *ch.Disabled
		}
		if hash != "" {
			u.PasswordHash = hash
		}
		// Enabling an account approves it when it awaited approval.
		u.AwaitingApproval = u.AwaitingApproval && u.Disabled
		err = tx.Model(&User{ID: u.ID}).Select("name", "role", "org_id", "disabled", "password_hash", "awaiting_approval").
			Updates(map[string]any{
				"name": u.Name, "role": u.Role, "org_id": u.OrgID,
				"disabled": u.Disabled, "password_hash": u.PasswordHash, "awaiting_approval": u.AwaitingApproval,
			}).Error
		if err != nil {
			return wrap(err, "update user %d", id)
		}
		// In the same transaction, so no request can slip in with a
		// session or token of the disabled account or the old password.
		if u.Disabled || hash != "" {
			if err := deleteCredentials(tx, u.ID); err != nil {
				return err
			}
		}
		if out, err = FindUser(ctx, tx, id); err != nil {
			return err
		}
		b, a := changedFields(before, u.auditFields())
		action := "user.edit"
		switch {
		case hash != "":
			action = "user.password_reset"
			b["password"], a["password"] = "", "changed"
		case ch.Disabled != nil && *ch.Disabled && before["disabled"] == false:
			action = "user.disable"
		case ch.Disabled != nil && !*ch.Disabled && before["disabled"] == true:
			action = "user.enable"
		case len(a) == 0:
			return nil
		}
		return userAudit(tx, by, now, action, u, b, a)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CountUsers returns how many users exist; the first start of an empty
// database creates an admin when it is zero.
func CountUsers(ctx context.Context, db *gorm.DB) (int64, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&User{}).Count(&n).Error; err != nil {
		return 0, wrap(err, "count users")
	}
	return n, nil
}
