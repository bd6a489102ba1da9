package models

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Invitation lets a supplier's vendor answer a tender. The link carries a
// random 256-bit token; only its SHA-256 is stored. The invitation that
// created the vendor's account sets its password once (SetsPassword); any
// other just leads to the attestation, so no buyer's link can take over an
// account another buyer's link is waiting to activate.
type Invitation struct {
	ID            uint         `gorm:"primaryKey" json:"id"`
	TenderID      uint         `gorm:"not null;index" json:"tender_id"`
	Tender        *Tender      `gorm:"constraint:OnDelete:RESTRICT" json:"-"`
	AttestationID uint         `gorm:"not null;index" json:"attestation_id"`
	Attestation   *Attestation `gorm:"constraint:OnDelete:CASCADE" json:"-"`
	UserID        uint         `gorm:"not null;index" json:"user_id"`
	User          *User        `gorm:"constraint:OnDelete:CASCADE" json:"-"`
	Email         string       `gorm:"size:254;not null" json:"email"`
	TokenHash     string       `gorm:"size:64;not null;uniqueIndex" json:"-"`
	SetsPassword  bool         `gorm:"not null;default:false" json:"sets_password"`
	ExpiresAt     time.Time    `gorm:"not null" json:"expires_at"`
	UsedAt        *time.Time   `json:"used_at"`
	RevokedAt     *time.Time   `json:"revoked_at"`
	CreatedByID   uint         `gorm:"not null" json:"created_by_id"`
	CreatedBy     *User        `gorm:"constraint:OnDelete:RESTRICT" json:"-"`
	CreatedAt     time.Time    `json:"created_at"`
}

// State returns "open", "used", "revoked" or "expired" at now.
func (inv *Invitation) State(now time.Time) string {
	return linkState(inv.RevokedAt, inv.UsedAt, inv.SetsPassword, inv.ExpiresAt, now)
}

// SentInvitation is a stored invitation with the token of its link, which
// is never stored: only the caller sees it, to show or mail it now.
type SentInvitation struct {
	*Invitation
	Token string
}

// InviteInput names who is invited to a tender: either an e-mail address
// (with, when the address has no account yet, the name of the new supplier,
// the address's domain when empty, and the contact's name), or SupplierID,
// an existing supplier chosen from the list of suppliers.
type InviteInput struct {
	Email      string
	Supplier   string
	Name       string
	SupplierID uint
}

// InviteResult is what an invitation to a tender did.
type InviteResult struct {
	// Supplier is the supplier org invited.
	Supplier *Org
	// AttestationID is the supplier's attestation of the tender.
	AttestationID uint
	// Sent holds one invitation per vendor reached: the one named by
	// e-mail, or every active vendor of an existing supplier.
	Sent []SentInvitation
	// NewAccount reports that the invitation created the vendor's account
	// (and a new supplier org), so its link sets the password.
	NewAccount bool
}

// InviteToTender invites a supplier to answer published tender tenderID:
// by e-mail (Invite) or, when in.SupplierID is set, an existing supplier
// chosen by id (InviteSupplier). Giving both is refused.
func InviteToTender(ctx context.Context, db *gorm.DB, by *User, tenderID uint, in InviteInput, ttl time.Duration, now time.Time) (*InviteResult, error) {
	if in.SupplierID == 0 {
		inv, token, err := Invite(ctx, db, by, tenderID, in, ttl, now)
		if err != nil {
			return nil, err
		}
		return &InviteResult{Supplier: inv.User.Org, AttestationID: inv.AttestationID, Sent: []SentInvitation{{inv, token}}, NewAccount: inv.SetsPassword}, nil
	}
	if strings.TrimSpace(in.Email) != "" || strings.TrimSpace(in.Supplier) != "" {
		return nil, invalid("supplier_id", "supplier_or_email")
	}
	return InviteSupplier(ctx, db, by, tenderID, in.SupplierID, ttl, now)
}

// openForInvitations locks tender tenderID and checks that by may invite to
// it now (Tender.InvitableBy).
func openForInvitations(tx *gorm.DB, by *User, tenderID uint, now time.Time) (*Tender, error) {
	t, err := lockTender(tx, tenderID)
	if err != nil {
		return nil, err
	}
	if err := t.InvitableBy(by, now); err != nil {
		return nil, wrap(err, "invite to tender %d", tenderID)
	}
	return t, nil
}

// Invite invites a supplier by e-mail to answer published tender tenderID.
// An address with a vendor account (active, or pending from a buyer's
// invitation) invites that vendor's own supplier: nobody joins anyone. An
// address a vendor invited as a colleague and that has not set its
// password yet is refused (pending_colleague on "email"). A new address creates a new
// supplier org, named in.Supplier or after the address's domain, which must
// not be the name of any existing org (compared ignoring case and spaces),
// and a pending vendor account whose password only this invitation's link
// sets. The attestation with one empty answer per requirement is started
// and an invitation valid for ttl is stored. A supplier that has its
// attestation of the tender already is invited already, whatever became of
// its links (ValidationError "already_invited" on "email"). It returns the
// invitation, with its user and org, and its token, which is never stored
// and must go into the link now. Only an officer of the buyer (or an
// admin) may invite.
func Invite(ctx context.Context, db *gorm.DB, by *User, tenderID uint, in InviteInput, ttl time.Duration, now time.Time) (*Invitation, string, error) {
	email := NormalizeEmail(in.Email)
	if err := validateEmail(email); err != nil {
		return nil, "", err
	}
	token, err := NewToken()
	if err != nil {
		return nil, "", err
	}
	var out *Invitation
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := openForInvitations(tx, by, tenderID, now)
		if err != nil {
			return err
		}
		user, created, err := vendorForInvite(ctx, tx, email, in)
		if err != nil {
			return err
		}
		a, err := attestationToInvite(tx, t, user.Org, "email", now)
		if err != nil {
			return err
		}
		inv := &Invitation{TenderID: t.ID, AttestationID: a.ID, UserID: user.ID, Email: email, TokenHash: HashToken(token),
			SetsPassword: created, ExpiresAt: now.Add(ttl).UTC(), CreatedByID: by.ID, CreatedAt: now}
		if err := tx.Omit("Tender", "Attestation", "User", "CreatedBy").Create(inv).Error; err != nil {
			return wrap(err, "create invitation")
		}
		inv.User = user
		out = inv
		return writeAudit(tx, by, now, AuditEntry{Action: "invitation.create", ObjectType: "invitation", ObjectID: inv.ID, AttestationID: &a.ID, TenderID: &t.ID, OrgID: &t.BuyerOrgID},
			nil, map[string]any{"email": email, "supplier_org_id": a.SupplierOrgID, "new_account": created, "expires_at": inv.ExpiresAt})
	})
	if err != nil {
		return nil, "", err
	}
	return out, token, nil
}

// vendorForInvite finds the vendor with email, or creates a new supplier
// org and a pending vendor account in it. created reports a new account.
func vendorForInvite(ctx context.Context, tx *gorm.DB, email string, in InviteInput) (*User, bool, error) {
	u, err := FindUserByEmail(ctx, tx, email)
	if err == nil {
		// The refusal does not name the account's role: an officer
		// must not learn who is an admin or an auditor by inviting them.
		if u.Role != RoleVendor || u.OrgID == nil {
			return nil, false, invalid("email", "not_a_vendor_account", "email", email)
		}
		if u.Disabled {
			return nil, false, invalid("email", "account_disabled", "email", email)
		}
		// A vendor may add any address to its own supplier as a colleague;
		// until that person has set a password, nothing says they work
		// there, so a buyer's invitation of the address must not go to
		// that supplier (a competitor's sales address, claimed first).
		if !u.Activated() {
			var n int64
			if err := tx.Model(&ColleagueInvitation{}).Where("user_id = ?", u.ID).Count(&n).Error; err != nil {
				return nil, false, wrap(err, "colleague invitations of user %d", u.ID)
			}
			if n > 0 {
				name := ""
				if org, err := FindOrg(ctx, tx, *u.OrgID); err == nil {
					name = org.Name
				}
				return nil, false, invalid("email", "pending_colleague", "email", email, "supplier", name)
			}
		}
		return u, false, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, false, err
	}
	org, err := newSupplierOrg(ctx, tx, in.Supplier, email)
	if err != nil {
		return nil, false, err
	}
	u, err = createPendingUser(ctx, tx, email, in.Name, RoleVendor, &org.ID)
	if err != nil {
		return nil, false, err
	}
	u.Org = org
	return u, true, nil
}

// newSupplierOrg creates the supplier org of a new invitee, called name or
// after the domain of email. A name any org has already, ignoring case and
// spaces, is refused: typing a name must never reach an existing org, whose
// attestations and evidence the new account would share.
func newSupplierOrg(ctx context.Context, tx *gorm.DB, name, email string) (*Org, error) {
	name = strings.TrimSpace(name)
	derived := name == ""
	if derived {
		name = email[strings.LastIndex(email, "@")+1:]
	}
	switch o, err := orgNamedLike(tx.WithContext(ctx), name, 0); {
	case err != nil:
		return nil, err
	case o != nil && derived:
		return nil, invalid("supplier", "derived_name_taken", "name", o.Name)
	case o != nil:
		return nil, invalid("supplier", "name_taken", "name", o.Name)
	}
	org, err := insertOrg(tx.WithContext(ctx), name, OrgSupplier)
	var ve *ValidationError
	switch {
	case errors.As(err, &ve):
		ve.Field = "supplier"
		return nil, ve
	case errors.Is(err, ErrConflict):
		return nil, invalid("supplier", "name_taken", "name", name)
	case err != nil:
		return nil, err
	}
	return org, nil
}

// orgNameKey is how org names compare, whoever names one (Org.NameKey):
// without case and with runs of spaces as one.
func orgNameKey(name string) string {
	return strings.ToLower(strings.Join(strings.Fields(name), " "))
}

// attestationToInvite starts supplier org's attestation of tender t for an
// invitation. A supplier is invited to a tender once: every invitation
// starts its attestation, whose vendors then see the tender for good, so
// one that exists already (however its links have fared since) is a
// ValidationError "already_invited" on field, and no second open
// invitation is stored. The caller holds t's row lock, which orders
// invitations to t; the attestations' unique index on tender and supplier
// backs it.
func attestationToInvite(tx *gorm.DB, t *Tender, org *Org, field string, now time.Time) (*Attestation, error) {
	a, created, err := createAttestation(tx, t, org.ID, now)
	if err != nil {
		return nil, err
	}
	if !created {
		return nil, invalid(field, "already_invited", "name", org.Name)
	}
	return a, nil
}

// InviteSupplier invites existing supplier org supplierID, chosen from the
// list of suppliers, to answer published tender tenderID: its attestation
// is started and each of its active vendors gets an invitation that leads
// to it. No account is created and nobody joins the supplier. A supplier
// without an active vendor is refused, since nobody could answer, and so
// is one invited already (attestationToInvite).
func InviteSupplier(ctx context.Context, db *gorm.DB, by *User, tenderID, supplierID uint, ttl time.Duration, now time.Time) (*InviteResult, error) {
	var out *InviteResult
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := openForInvitations(tx, by, tenderID, now)
		if err != nil {
			return err
		}
		org, err := FindOrg(ctx, tx, supplierID)
		if errors.Is(err, ErrNotFound) || err == nil && org.Kind != OrgSupplier {
			return invalid("supplier_id", "not_a_supplier")
		}
		if err != nil {
			return err
		}
		var vendors []User
		if err := tx.Where("org_id = ? AND role = ?", org.ID, RoleVendor).Order("email").Find(&vendors).Error; err != nil {
			return wrap(err, "vendors of org %d", org.ID)
		}
		sent := make([]SentInvitation, 0, len(vendors))
		for i := range vendors {
			v := &vendors[i]
			if !v.canAnswer() {
				continue
			}
			token, err := NewToken()
			if err != nil {
				return err
			}
			v.Org = org
			sent = append(sent, SentInvitation{&Invitation{UserID: v.ID, User: v, Email: v.Email, TokenHash: HashToken(token),
				ExpiresAt: now.Add(ttl).UTC(), CreatedByID: by.ID, CreatedAt: now}, token})
		}
		if len(sent) == 0 {
			return invalid("supplier_id", "no_active_vendor", "name", org.Name)
		}
		a, err := attestationToInvite(tx, t, org, "supplier_id", now)
		if err != nil {
			return err
		}
		rows := make([]*Invitation, len(sent))
		emails := make([]string, len(sent))
		for i, s := range sent {
			s.TenderID, s.AttestationID = t.ID, a.ID
			rows[i], emails[i] = s.Invitation, s.Email
		}
		if err := tx.Omit("Tender", "Attestation", "User", "CreatedBy").Create(rows).Error; err != nil {
			return wrap(err, "create invitations")
		}
		out = &InviteResult{Supplier: org, AttestationID: a.ID, Sent: sent}
		return writeAudit(tx, by, now, AuditEntry{Action: "invitation.create", ObjectType: "invitation", ObjectID: rows[0].ID, AttestationID: &a.ID, TenderID: &t.ID, OrgID: &t.BuyerOrgID},
			nil, map[string]any{"supplier_org_id": org.ID, "existing_supplier": true, "emails": emails, "new_account": false, "expires_at": rows[0].ExpiresAt})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// canAnswer reports whether vendor u can log in to answer: enabled, with
// a password set.
func (u *User) canAnswer() bool { return !u.Disabled && u.Activated() }

// SuppliersWhoCanAnswer are the supplier organisations with a vendor who
// can log in (canAnswer): the ones InviteExisting can invite. The others
// are offered only by an invitation by e-mail.
func SuppliersWhoCanAnswer(ctx context.Context, db *gorm.DB) (map[uint]bool, error) {
	var vendors []User
	if err := db.WithContext(ctx).Select("org_id", "password_hash", "disabled").Where("role = ? AND org_id IS NOT NULL", RoleVendor).Find(&vendors).Error; err != nil {
		return nil, wrap(err, "vendors who can answer")
	}
	out := map[uint]bool{}
	for i := range vendors {
		if v := &vendors[i]; v.canAnswer() {
			out[*v.OrgID] = true
		}
	}
	return out, nil
}

// FindInvitation returns the open invitation with token and its tender and
// user; an unknown token gives ErrNotFound, a revoked, expired or used one
// ErrInvitationClosed.
func FindInvitation(ctx context.Context, db *gorm.DB, token string, now time.Time) (*Invitation, error) {
	return findLink[Invitation](db.WithContext(ctx).Preload("Tender.BuyerOrg").Preload("User.Org"), "invitation", token, now)
}

// opensAccount reports whether inv may set its account's password: only
// the invitation that created the account, which is its first. Databases
// from before this rule also marked later invitations of a pending
// account, which must not count.
func opensAccount(tx *gorm.DB, inv *Invitation) (bool, error) {
	if !inv.SetsPassword {
		return false, nil
	}
	var first Invitation
	if err := tx.Select("id").Where("user_id = ?", inv.UserID).Order("id").First(&first).Error; err != nil {
		return false, wrap(err, "first invitation of user %d", inv.UserID)
	}
	return first.ID == inv.ID, nil
}

// AcceptInvitation uses the invitation with token to set the password of
// the account it created (once; the link is then spent). A link that did
// not create its account gives ErrConflict: that account has a password,
// or gets one from its own first link. It returns the vendor, who may then
// be logged in, and the invitation.
func AcceptInvitation(ctx context.Context, db *gorm.DB, token, password string, now time.Time) (*User, *Invitation, error) {
	inv, err := FindInvitation(ctx, db, token, now)
	if err != nil {
		return nil, nil, err
	}
	opens, err := opensAccount(db.WithContext(ctx), inv)
	if err != nil {
		return nil, nil, err
	}
	if !opens {
		return nil, nil, wrap(newState("link_sets_no_password"), "invitation %d", inv.ID)
	}
	user, err := useLink(ctx, db, &Invitation{}, inv.ID, inv.User, password,
		AuditEntry{Action: "invitation.accept", ObjectType: "invitation", ObjectID: inv.ID, AttestationID: &inv.AttestationID, TenderID: &inv.TenderID, OrgID: &inv.Tender.BuyerOrgID}, now)
	if err != nil {
		return nil, nil, err
	}
	return user, inv, nil
}

// RevokeInvitation closes invitation invID of tender tenderID so its link
// no longer works. Only an officer of the buyer (or an admin) may revoke.
func RevokeInvitation(ctx context.Context, db *gorm.DB, by *User, tenderID, invID uint, now time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := lockTender(tx, tenderID)
		if err != nil {
			return err
		}
		if err := t.ManageableBy(by); err != nil {
			return wrap(err, "revoke invitation %d", invID)
		}
		var inv Invitation
		if err := tx.Where("tender_id = ?", tenderID).First(&inv, invID).Error; err != nil {
			return wrap(err, "invitation %d of tender %d", invID, tenderID)
		}
		if inv.RevokedAt != nil {
			return nil
		}
		if err := tx.Model(&inv).Update("revoked_at", now.UTC()).Error; err != nil {
			return wrap(err, "revoke invitation %d", invID)
		}
		return writeAudit(tx, by, now, AuditEntry{Action: "invitation.revoke", ObjectType: "invitation", ObjectID: inv.ID, AttestationID: &inv.AttestationID, TenderID: &t.ID, OrgID: &t.BuyerOrgID},
			map[string]any{"revoked_at": nil}, map[string]any{"revoked_at": now.UTC()})
	})
}

// ListInvitations returns the invitations of tender tenderID, newest first,
// with their users' orgs.
func ListInvitations(ctx context.Context, db *gorm.DB, tenderID uint) ([]Invitation, error) {
	var out []Invitation
	if err := db.WithContext(ctx).Preload("User.Org").Where("tender_id = ?", tenderID).Order("id DESC").Find(&out).Error; err != nil {
		return nil, wrap(err, "invitations of tender %d", tenderID)
	}
	return out, nil
}
