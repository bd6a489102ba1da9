package models

import (
	"context"
	"errors"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// SSOProvider is an organisation's OpenID Connect identity provider. It
// vouches for the people of some e-mail domains (SSODomain): they sign in
// there instead of with a password, and only into accounts of OrgID.
type SSOProvider struct {
	ID     uint   `gorm:"primaryKey"`
	OrgID  uint   `gorm:"not null;uniqueIndex"`
	Org    Org    `gorm:"constraint:OnDelete:CASCADE"`
	Issuer string `gorm:"size:500;not null"`
	// ClientID and the sealed ClientSecret are Tenderprobe's registration
	// at the provider; the secret is AES-GCM ciphertext (app/sso.Sealer),
	// never shown again.
	ClientID     string `gorm:"size:255;not null"`
	ClientSecret string `gorm:"size:1000;not null"`
	// Domains are the e-mail domains it vouches for, comma-separated, as
	// shown; SSODomain rows make each belong to one provider only.
	Domains string `gorm:"size:2000;not null"`
	// FixedRole is the role of every account it creates, when RoleClaim
	// is empty; otherwise RoleMap ("value=role" lines) maps the values of
	// the claim RoleClaim to roles, the first matching line winning.
	FixedRole string `gorm:"size:20;not null;default:''"`
	RoleClaim string `gorm:"size:100;not null;default:''"`
	RoleMap   string `gorm:"size:4000;not null;default:''"`
	// Approval makes a first sign-in create a disabled account that an
	// admin approves on the Users page.
	Approval  bool `gorm:"not null;default:false"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SSODomain is an e-mail domain and the one provider that vouches for it.
type SSODomain struct {
	Domain     string      `gorm:"primaryKey;size:253"`
	ProviderID uint        `gorm:"not null;index"`
	Provider   SSOProvider `gorm:"constraint:OnDelete:CASCADE"`
}

// SSOLogin is a sign-in sent to a provider and not yet back: the state
// (stored as its SHA-256) ties the answer to it, Binding (the SHA-256 of
// a cookie) to the browser that started it, and the nonce and PKCE
// verifier stay here, never in the browser. It is used once.
type SSOLogin struct {
	ID         string      `gorm:"primaryKey;size:64"`
	ProviderID uint        `gorm:"not null;index"`
	Provider   SSOProvider `gorm:"constraint:OnDelete:CASCADE"`
	Binding    string      `gorm:"size:64;not null"`
	Nonce      string      `gorm:"size:128;not null"`
	Verifier   string      `gorm:"size:128;not null"`
	Next       string      `gorm:"size:2000;not null;default:''"`
	ExpiresAt  time.Time   `gorm:"not null;index"`
}

// SSOSignOut remembers, for a browser signed in through a provider, the
// ID token a logout hands to the provider's end-session endpoint. The
// browser holds a random token whose SHA-256 is ID.
type SSOSignOut struct {
	ID         string      `gorm:"primaryKey;size:64"`
	ProviderID uint        `gorm:"not null;index"`
	Provider   SSOProvider `gorm:"constraint:OnDelete:CASCADE"`
	UserID     uint        `gorm:"not null;index"`
	User       User        `gorm:"constraint:OnDelete:CASCADE"`
	IDToken    string      `gorm:"type:text;not null"`
	ExpiresAt  time.Time   `gorm:"not null;index"`
}

// SSOError is a provider registration the rules refuse (Field names the
// form field, Code the reason) or a sign-in they refuse (Field empty).
type SSOError struct {
	Field  string
	Code   string
	Params map[string]any
}

func (e *SSOError) Error() string { return "models: sso " + e.Field + " " + e.Code }

func ssoInvalid(field, code string, params ...any) error {
	return &SSOError{Field: field, Code: code, Params: paramMap(params)}
}

// Codes of sign-ins the rules refuse.
const (
	SSODomainNotVouched = "domain_not_vouched"
	SSOOtherOrg         = "other_org"
	SSOAwaitingApproval = "awaiting_approval"
	SSODisabled         = "disabled"
	SSONoRole           = "no_role"
)

// DomainOf is the lowercased domain of an e-mail address, or "".
func DomainOf(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(email[at+1:]))
}

// Vouches reports whether p vouches for the domain of email.
func (p *SSOProvider) Vouches(email string) bool {
	d := DomainOf(email)
	return d != "" && slices.Contains(p.DomainList(), d)
}

// DomainList is the provider's domains.
func (p *SSOProvider) DomainList() []string {
	var out []string
	for _, d := range strings.Split(p.Domains, ",") {
		if d = strings.TrimSpace(d); d != "" {
			out = append(out, d)
		}
	}
	return out
}

// RoleFor is the role of a new account whose role claim has values, or ""
// when no line of the map matches.
func (p *SSOProvider) RoleFor(values []string) string {
	if p.RoleClaim == "" {
		return p.FixedRole
	}
	for _, line := range strings.Split(p.RoleMap, "\n") {
		value, role, ok := strings.Cut(strings.TrimSpace(line), "=")
		if ok && slices.Contains(values, strings.TrimSpace(value)) {
			return strings.TrimSpace(role)
		}
	}
	return ""
}

// SSOProviderInput is an admin's registration of a provider. An empty
// SealedSecret on a change keeps the stored one.
type SSOProviderInput struct {
	OrgID        uint
	Issuer       string
	ClientID     string
	SealedSecret string
	Domains      string
	FixedRole    string
	RoleClaim    string
	RoleMap      string
	Approval     bool
}

// normalise cleans in and checks it against the organisation's kind: the
// roles it can give must fit the organisation (officers in a buyer,
// vendors in a supplier).
func (in *SSOProviderInput) normalise(ctx context.Context, db *gorm.DB, creating bool) ([]string, error) {
	in.Issuer = strings.TrimRight(strings.TrimSpace(in.Issuer), "/")
	in.ClientID = strings.TrimSpace(in.ClientID)
	in.RoleClaim = strings.TrimSpace(in.RoleClaim)
	if in.OrgID == 0 {
		return nil, ssoInvalid("org_id", "required")
	}
	if !issuerURL(in.Issuer) {
		return nil, ssoInvalid("issuer", "issuer_url")
	}
	if in.ClientID == "" || len(in.ClientID) > 255 {
		return nil, ssoInvalid("client_id", "required")
	}
	if creating && in.SealedSecret == "" {
		return nil, ssoInvalid("client_secret", "required")
	}
	var domains []string
	for _, d := range strings.FieldsFunc(strings.ToLower(in.Domains), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		d = strings.TrimPrefix(d, "@")
		if !validDomain(d) {
			return nil, ssoInvalid("domains", "domain_invalid", "value", d)
		}
		if !slices.Contains(domains, d) {
			domains = append(domains, d)
		}
	}
	if len(domains) == 0 {
		return nil, ssoInvalid("domains", "required")
	}
	in.Domains = strings.Join(domains, ", ")
	if len(in.Domains) > 2000 {
		return nil, ssoInvalid("domains", "required")
	}
	var roles []string
	if in.RoleClaim == "" {
		in.RoleMap = ""
		roles = []string{in.FixedRole}
	} else {
		in.FixedRole = ""
		var lines []string
		for _, line := range strings.Split(in.RoleMap, "\n") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			value, role, ok := strings.Cut(line, "=")
			value, role = strings.TrimSpace(value), strings.TrimSpace(role)
			if !ok || value == "" {
				return nil, ssoInvalid("role_map", "role_map_line", "line", line)
			}
			roles = append(roles, role)
			lines = append(lines, value+"="+role)
		}
		if len(lines) == 0 {
			return nil, ssoInvalid("role_map", "required")
		}
		in.RoleMap = strings.Join(lines, "\n")
	}
	field := "fixed_role"
	if in.RoleClaim != "" {
		field = "role_map"
	}
	for _, role := range roles {
		// An organisation's provider signs in its own people. No provider
		// may make admins, who change every account; auditors, who read
		// every organisation's answers, only a buyer's (its own auditors),
		// never a supplier's, which would read its competitors'.
		if role == RoleAdmin || role == RoleAuditor && !orgIsBuyer(ctx, db, in.OrgID) {
			return nil, ssoInvalid(field, "role_org_kind", "value", role)
		}
		if err := checkRoleOrg(ctx, db, role, &in.OrgID); err != nil {
			var ve *ValidationError
			if errors.As(err, &ve) && ve.Field == "role" {
				return nil, ssoInvalid(field, "role_unknown", "value", role)
			}
			if errors.As(err, &ve) {
				return nil, ssoInvalid(field, "role_org_kind", "value", role)
			}
			return nil, err
		}
	}
	// A domain whose accounts belong elsewhere (an admin, another
	// organisation's users) is refused: they could never sign in there,
	// and the login page would send them to it.
	for _, d := range domains {
		var u User
		err := db.WithContext(ctx).Select("email", "org_id").
			Where("email LIKE ? AND (org_id IS NULL OR org_id <> ?)", "%@"+strings.NewReplacer("%", "", "_", "").Replace(d), in.OrgID).
			Take(&u).Error
		switch {
		case err == nil && DomainOf(u.Email) == d:
			return nil, ssoInvalid("domains", "domain_has_other_accounts", "value", d, "email", u.Email)
		case err != nil && !errors.Is(err, gorm.ErrRecordNotFound):
			return nil, wrap(err, "accounts of %s", d)
		}
	}
	return domains, nil
}

// orgIsBuyer reports whether org id is a buyer (false when it cannot
// tell: checkRoleOrg then reports the unknown organisation).
func orgIsBuyer(ctx context.Context, db *gorm.DB, id uint) bool {
	o, err := FindOrg(ctx, db, id)
	return err == nil && o.Kind == OrgBuyer
}

// issuerURL accepts an issuer over https, or over http on a loopback host
// (a provider on the same machine, as in tests): OpenID Connect requires
// TLS for anything else.
func issuerURL(s string) bool {
	if len(s) > 500 || strings.ContainsAny(s, " ?#") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		h := u.Hostname()
		if h == "localhost" {
			return true
		}
		a, err := netip.ParseAddr(h)
		return err == nil && a.IsLoopback()
	}
	return false
}

func validDomain(d string) bool {
	if len(d) < 3 || len(d) > 253 || !strings.Contains(d, ".") || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") {
		return false
	}
	for _, r := range d {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

func (p *SSOProvider) auditFields() map[string]any {
	return map[string]any{"sso_issuer": p.Issuer, "sso_client_id": p.ClientID, "sso_domains": p.Domains,
		"sso_fixed_role": p.FixedRole, "sso_role_claim": p.RoleClaim, "sso_role_map": p.RoleMap, "sso_approval": p.Approval}
}

func ssoAudit(tx *gorm.DB, by *User, now time.Time, action string, p *SSOProvider, before, after any) error {
	org := p.OrgID
	return writeAudit(tx, by, now, AuditEntry{Action: action, ObjectType: "sso_provider", ObjectID: p.ID, OrgID: &org}, before, after)
}

// SaveSSOProvider registers the provider of in.OrgID, or changes it, for
// by, who must administer accounts. A domain another provider vouches for
// gives an SSOError on "domains".
func SaveSSOProvider(ctx context.Context, db *gorm.DB, by *User, in SSOProviderInput, now time.Time) (*SSOProvider, error) {
	if err := checkAdministers(by, "save sso provider"); err != nil {
		return nil, err
	}
	var existing SSOProvider
	err := db.WithContext(ctx).Where("org_id = ?", in.OrgID).Take(&existing).Error
	creating := errors.Is(err, gorm.ErrRecordNotFound)
	if err != nil && !creating {
		return nil, wrap(err, "find sso provider of org %d", in.OrgID)
	}
	domains, err := in.normalise(ctx, db, creating)
	if err != nil {
		return nil, err
	}
	p := existing
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var taken SSODomain
		err := tx.Where("domain IN ? AND provider_id <> ?", domains, p.ID).Take(&taken).Error
		if err == nil {
			return ssoInvalid("domains", "domain_taken", "value", taken.Domain)
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return wrap(err, "sso domains")
		}
		before := p.auditFields()
		p.OrgID, p.Issuer, p.ClientID, p.Domains = in.OrgID, in.Issuer, in.ClientID, in.Domains
		p.FixedRole, p.RoleClaim, p.RoleMap, p.Approval = in.FixedRole, in.RoleClaim, in.RoleMap, in.Approval
		secretChanged := in.SealedSecret != ""
		if secretChanged {
			p.ClientSecret = in.SealedSecret
		}
		if err := tx.Save(&p).Error; err != nil {
			return wrap(err, "save sso provider of org %d", in.OrgID)
		}
		if err := tx.Where("provider_id = ?", p.ID).Delete(&SSODomain{}).Error; err != nil {
			return wrap(err, "sso domains of provider %d", p.ID)
		}
		rows := make([]SSODomain, len(domains))
		for i, d := range domains {
			rows[i] = SSODomain{Domain: d, ProviderID: p.ID}
		}
		if err := tx.Create(&rows).Error; err != nil {
			return wrap(err, "sso domains of provider %d", p.ID)
		}
		after := p.auditFields()
		if creating {
			after["sso_client_secret"] = "set"
			return ssoAudit(tx, by, now, "sso_provider.create", &p, nil, after)
		}
		b, a := changedFields(before, after)
		if secretChanged {
			b["sso_client_secret"], a["sso_client_secret"] = "set", "changed"
		}
		if len(a) == 0 {
			return nil
		}
		return ssoAudit(tx, by, now, "sso_provider.edit", &p, b, a)
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// DeleteSSOProvider removes provider id and its domains, for by. Accounts
// it created stay; they have no password until an admin sets one.
func DeleteSSOProvider(ctx context.Context, db *gorm.DB, by *User, id uint, now time.Time) error {
	if err := checkAdministers(by, "delete sso provider"); err != nil {
		return err
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var p SSOProvider
		if err := tx.Take(&p, id).Error; err != nil {
			return wrap(err, "find sso provider %d", id)
		}
		for _, t := range []any{&SSODomain{}, &SSOLogin{}, &SSOSignOut{}} {
			if err := tx.Where("provider_id = ?", id).Delete(t).Error; err != nil {
				return wrap(err, "delete sso provider %d", id)
			}
		}
		if err := tx.Delete(&p).Error; err != nil {
			return wrap(err, "delete sso provider %d", id)
		}
		return ssoAudit(tx, by, now, "sso_provider.delete", &p, p.auditFields(), nil)
	})
}

// ListSSOProviders returns every provider with its organisation, by name.
func ListSSOProviders(ctx context.Context, db *gorm.DB) ([]SSOProvider, error) {
	var out []SSOProvider
	// The joined table's alias is quoted ("Org"), which PostgreSQL reads
	// case-sensitively: the clause quotes it for either database.
	byName := clause.OrderByColumn{Column: clause.Column{Table: "Org", Name: "name"}}
	if err := db.WithContext(ctx).Joins("Org").Order(byName).Find(&out).Error; err != nil {
		return nil, wrap(err, "list sso providers")
	}
	return out, nil
}

// AnySSOProvider reports whether any provider is registered.
func AnySSOProvider(ctx context.Context, db *gorm.DB) (bool, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&SSOProvider{}).Limit(1).Count(&n).Error; err != nil {
		return false, wrap(err, "count sso providers")
	}
	return n > 0, nil
}

// FindSSOProvider returns provider id with its organisation.
func FindSSOProvider(ctx context.Context, db *gorm.DB, id uint) (*SSOProvider, error) {
	var p SSOProvider
	if err := db.WithContext(ctx).Joins("Org").Where("sso_providers.id = ?", id).Take(&p).Error; err != nil {
		return nil, wrap(err, "find sso provider %d", id)
	}
	return &p, nil
}

// SSOProviderForEmail returns the provider that signs in email: the one
// that vouches for its domain, unless email has an account outside the
// provider's organisation (an admin, an auditor, another organisation's
// user), whom it could never sign in (SSOSignIn refuses) and who keeps
// the password. Otherwise ErrNotFound.
func SSOProviderForEmail(ctx context.Context, db *gorm.DB, email string) (*SSOProvider, error) {
	email = NormalizeEmail(email)
	d := DomainOf(email)
	if d == "" {
		return nil, wrap(ErrNotFound, "sso provider for empty domain")
	}
	var row SSODomain
	if err := db.WithContext(ctx).Where("domain = ?", d).Take(&row).Error; err != nil {
		return nil, wrap(err, "sso provider for %s", d)
	}
	p, err := FindSSOProvider(ctx, db, row.ProviderID)
	if err != nil {
		return nil, err
	}
	u, err := FindUserByEmail(ctx, db, email)
	switch {
	case err == nil && (u.OrgID == nil || *u.OrgID != p.OrgID):
		return nil, wrap(ErrNotFound, "%s has an account outside provider %d's organisation", email, p.ID)
	case err != nil && !errors.Is(err, ErrNotFound):
		return nil, err
	}
	return p, nil
}

// CreateSSOLogin stores a sign-in sent to provider and returns the
// binding token for the browser's cookie.
func CreateSSOLogin(ctx context.Context, db *gorm.DB, providerID uint, state, nonce, verifier, next string, ttl time.Duration, now time.Time) (string, error) {
	binding, err := NewToken()
	if err != nil {
		return "", err
	}
	l := &SSOLogin{ID: HashToken(state), ProviderID: providerID, Binding: HashToken(binding), Nonce: nonce, Verifier: verifier,
		Next: truncate(next, 2000), ExpiresAt: now.Add(ttl)}
	if err := db.WithContext(ctx).Create(l).Error; err != nil {
		return "", wrap(err, "create sso login")
	}
	return binding, nil
}

// ErrSSOState means the state of a provider's answer is unknown, used
// before, expired, or was started by another browser.
var ErrSSOState = errors.New("sso state unknown, used or expired")

// ConsumeSSOLogin takes the sign-in of state, started by the browser
// holding binding, and deletes it so the state works once. Expired rows
// go too.
func ConsumeSSOLogin(ctx context.Context, db *gorm.DB, state, binding string, now time.Time) (*SSOLogin, error) {
	var l SSOLogin
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("expires_at <= ?", now).Delete(&SSOLogin{}).Error; err != nil {
			return wrap(err, "delete expired sso logins")
		}
		if state == "" {
			return ErrSSOState
		}
		err := tx.Where("id = ?", HashToken(state)).Take(&l).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ErrSSOState
		}
		if err != nil {
			return wrap(err, "find sso login")
		}
		res := tx.Where("id = ?", l.ID).Delete(&SSOLogin{})
		if res.Error != nil {
			return wrap(res.Error, "consume sso login")
		}
		if res.RowsAffected != 1 {
			return ErrSSOState
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Checked after the commit: a state presented by another browser is
	// spent too, so whoever saw it cannot use it later.
	if binding == "" || l.Binding != HashToken(binding) {
		return nil, ErrSSOState
	}
	return &l, nil
}

// SSOSignIn finds or creates the account of email signed in by p. An
// existing account is signed in only when p vouches for its domain and it
// belongs to p's organisation; a new one gets role in p's organisation,
// disabled and awaiting approval when p asks for it (created is true
// then too). Every outcome, refusals too, is in the audit log.
func SSOSignIn(ctx context.Context, db *gorm.DB, p *SSOProvider, email, name, role string, now time.Time) (u *User, created bool, err error) {
	email = NormalizeEmail(email)
	refuse := func(code string) (*User, bool, error) {
		e := AuditEntry{Action: "sso_login.refused", ObjectType: "sso_provider", ObjectID: p.ID, OrgID: &p.OrgID, ActorEmail: truncate(email, 254)}
		if err := writeAudit(db.WithContext(ctx), nil, now, e, nil, map[string]any{"sso_reason": code}); err != nil {
			return nil, false, err
		}
		return nil, false, ssoInvalid("", code)
	}
	if !p.Vouches(email) {
		return refuse(SSODomainNotVouched)
	}
	existing, err := FindUserByEmail(ctx, db, email)
	switch {
	case err == nil:
		if existing.OrgID == nil || *existing.OrgID != p.OrgID {
			return refuse(SSOOtherOrg)
		}
		if existing.Disabled && existing.AwaitingApproval {
			return refuse(SSOAwaitingApproval)
		}
		if existing.Disabled {
			return refuse(SSODisabled)
		}
		e := AuditEntry{Action: "sso_login", ObjectType: "user", ObjectID: existing.ID, OrgID: existing.OrgID}
		if err := writeAudit(db.WithContext(ctx), existing, now, e, nil, map[string]any{"sso_issuer": p.Issuer}); err != nil {
			return nil, false, err
		}
		return existing, false, nil
	case !errors.Is(err, ErrNotFound):
		return nil, false, err
	}
	if role == "" {
		return refuse(SSONoRole)
	}
	if err := checkRoleOrg(ctx, db, role, &p.OrgID); err != nil {
		return refuse(SSONoRole)
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = email[:strings.IndexByte(email, '@')]
	}
	orgID := p.OrgID
	u = &User{Email: email, Name: truncate(name, 200), Role: role, OrgID: &orgID, PasswordHash: NoPassword,
		Disabled: p.Approval, AwaitingApproval: p.Approval}
	if err := validateEmail(u.Email); err != nil {
		return refuse(SSODomainNotVouched)
	}
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(u).Error; err != nil {
			return wrap(err, "create sso user %s", email)
		}
		after := u.auditFields()
		after["sso_issuer"] = p.Issuer
		after["sso_awaiting_approval"] = p.Approval
		return userAudit(tx, nil, now, "sso_user.create", u, nil, after)
	})
	if err != nil {
		return nil, false, err
	}
	if p.Approval {
		return u, true, ssoInvalid("", SSOAwaitingApproval)
	}
	e := AuditEntry{Action: "sso_login", ObjectType: "user", ObjectID: u.ID, OrgID: u.OrgID}
	if err := writeAudit(db.WithContext(ctx), u, now, e, nil, map[string]any{"sso_issuer": p.Issuer}); err != nil {
		return nil, false, err
	}
	return u, true, nil
}

// RecordSSORefusal writes the audit entry of a sign-in at p that the
// provider's answer did not allow (a bad token, a replayed state), with
// the reason code.
func RecordSSORefusal(ctx context.Context, db *gorm.DB, p *SSOProvider, reason string, now time.Time) error {
	e := AuditEntry{Action: "sso_login.refused", ObjectType: "sso_provider", ObjectID: p.ID, OrgID: &p.OrgID}
	return writeAudit(db.WithContext(ctx), nil, now, e, nil, map[string]any{"sso_reason": reason})
}

// NoPassword is the password hash of an account made by single sign-on:
// it matches no password, so only the provider (or a password an admin
// sets) lets its owner in.
const NoPassword = "!sso"

// CreateSSOSignOut remembers idToken of user's sign-in at provider and
// returns the browser's token for it.
func CreateSSOSignOut(ctx context.Context, db *gorm.DB, providerID, userID uint, idToken string, ttl time.Duration, now time.Time) (string, error) {
	token, err := NewToken()
	if err != nil {
		return "", err
	}
	s := &SSOSignOut{ID: HashToken(token), ProviderID: providerID, UserID: userID, IDToken: idToken, ExpiresAt: now.Add(ttl)}
	if err := db.WithContext(ctx).Create(s).Error; err != nil {
		return "", wrap(err, "create sso sign-out")
	}
	return token, nil
}

// TakeSSOSignOut returns and forgets the sign-out of token for userID,
// with its provider; expired ones go too.
func TakeSSOSignOut(ctx context.Context, db *gorm.DB, token string, userID uint, now time.Time) (*SSOSignOut, error) {
	var s SSOSignOut
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("expires_at <= ?", now).Delete(&SSOSignOut{}).Error; err != nil {
			return wrap(err, "delete expired sso sign-outs")
		}
		if err := tx.Joins("Provider").Where("sso_sign_outs.id = ? AND sso_sign_outs.user_id = ?", HashToken(token), userID).Take(&s).Error; err != nil {
			return wrap(err, "find sso sign-out")
		}
		return wrap(tx.Where("id = ?", s.ID).Delete(&SSOSignOut{}).Error, "delete sso sign-out")
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}
