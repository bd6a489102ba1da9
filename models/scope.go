package models

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"tenderprobe/app/dnsname"
)

// ScopeDomain is one domain name an offer covers, for web or mail checks,
// in one version of an attestation. Name is in A-label form.
type ScopeDomain struct {
	ID            uint         `gorm:"primaryKey" json:"-"`
	AttestationID uint         `gorm:"not null;uniqueIndex:idx_scope_domain,priority:1" json:"-"`
	Attestation   *Attestation `gorm:"constraint:OnDelete:CASCADE" json:"-"`
	Version       int          `gorm:"not null;uniqueIndex:idx_scope_domain,priority:2" json:"-"`
	Kind          string       `gorm:"size:10;not null;uniqueIndex:idx_scope_domain,priority:3" json:"kind"`
	Name          string       `gorm:"size:253;not null;uniqueIndex:idx_scope_domain,priority:4" json:"name"`
	Position      int          `gorm:"not null" json:"-"`
}

// Scope kinds.
const (
	ScopeWeb  = "web"
	ScopeMail = "mail"
	// ScopeManagement is a host the vendor manages the offer's systems
	// through (an SSH server), probed with the management checks
	// (ssh.pq-kex) only.
	ScopeManagement = "management"
)

// MaxScopeDomains is how many distinct domain names one attestation's scope
// may list, web and mail domains and management endpoints together.
const MaxScopeDomains = 50

// NormalizeScope validates the web and mail domain names of an offer with
// the rule the probe engine applies (package dnsname) and returns them in
// A-label form, lowercased, without duplicates and in the order given, so
// that every name in scope can be probed. Blank entries are skipped. Bad
// names give a ValidationError on "scope" (code bad_scope) whose "problems"
// parameter lists every problem, not just the first: bad_domain (kind,
// name, reason) and too_many_domains (count, max).
func NormalizeScope(web, mail []string) (outWeb, outMail []string, err error) {
	outWeb, outMail, _, err = NormalizeScopeAll(web, mail, nil)
	return outWeb, outMail, err
}

// NormalizeScopeAll is NormalizeScope with the management endpoints too:
// host names validated by the same rule as domains (an IP literal is
// refused like any name that is not a host name, so that every endpoint is
// reached by name and the SSRF guard judges the addresses it resolves to).
// A refused endpoint is the problem management_bad_host (name, reason) or
// bad_domain_character; the endpoints count towards MaxScopeDomains.
func NormalizeScopeAll(web, mail, management []string) (outWeb, outMail, outManagement []string, err error) {
	var problems []Problem
	distinct := map[string]bool{}
	norm := func(kind string, in []string) []string {
		out := []string{}
		seen := map[string]bool{}
		for _, raw := range in {
			if strings.TrimSpace(raw) == "" {
				continue
			}
			name, err := dnsname.Normalize(raw)
			if err != nil {
				problems = append(problems, badDomain(kind, strings.TrimSpace(raw), err))
				continue
			}
			if seen[name] {
				continue
			}
			seen[name], distinct[name] = true, true
			out = append(out, name)
		}
		return out
	}
	outWeb, outMail, outManagement = norm("web", web), norm("mail", mail), norm(ScopeManagement, management)
	if len(distinct) > MaxScopeDomains {
		problems = append(problems, problem("too_many_domains", "count", len(distinct), "max", MaxScopeDomains))
	}
	if len(problems) > 0 {
		return nil, nil, nil, invalid("scope", "bad_scope", "problems", problems)
	}
	return outWeb, outMail, outManagement, nil
}

// badDomain is the problem of a refused name: bad_domain with the
// dnsname code as its reason, or bad_domain_character naming the
// character.
func badDomain(kind, name string, err error) Problem {
	var e *dnsname.Error
	if !errors.As(err, &e) {
		return problem("bad_domain", "kind", kind, "name", name, "reason", dnsname.CodeIDNA)
	}
	if kind == ScopeManagement {
		if e.Code == dnsname.CodeCharacter {
			return problem("management_bad_character", "name", name, "char", string(e.Char))
		}
		return problem("management_bad_host", "name", name, "reason", e.Code)
	}
	if e.Code == dnsname.CodeCharacter {
		return problem("bad_domain_character", "kind", kind, "name", name, "char", string(e.Char))
	}
	return problem("bad_domain", "kind", kind, "name", name, "reason", e.Code)
}

// ScopeNames returns the loaded scope's names of kind (ScopeWeb, ScopeMail
// or ScopeManagement).
func (a *Attestation) ScopeNames(kind string) []string {
	out := []string{}
	for _, d := range a.Scope {
		if d.Kind == kind {
			out = append(out, d.Name)
		}
	}
	return out
}

// SetScope replaces the web and mail domains of the current draft version,
// keeping its management endpoints. Names are validated and converted to
// A-labels (NormalizeScope); bad names give a ValidationError on "scope"
// listing every problem.
func SetScope(ctx context.Context, db *gorm.DB, by *User, attID uint, web, mail []string, scopeLock *int, now time.Time) (*Attestation, error) {
	return SetScopeAll(ctx, db, by, attID, web, mail, nil, scopeLock, now)
}

// SetScopeAll is SetScope with the management endpoints: a nil management
// keeps the current ones (a caller that does not know them, such as an API
// client of an earlier release), an empty one clears them.
func SetScopeAll(ctx context.Context, db *gorm.DB, by *User, attID uint, web, mail, management []string, scopeLock *int, now time.Time) (*Attestation, error) {
	keep := management == nil
	web, mail, management, err := NormalizeScopeAll(web, mail, management)
	if err != nil {
		return nil, err
	}
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := editableBy(tx, by, attID, now)
		if err != nil {
			return err
		}
		if scopeLock != nil && *scopeLock != a.ScopeLock {
			return wrap(ErrStale, "attestation %d scope", attID)
		}
		var old []ScopeDomain
		if err := tx.Where("attestation_id = ? AND version = ?", a.ID, a.Version).Order("kind, position").Find(&old).Error; err != nil {
			return wrap(err, "attestation %d: scope", attID)
		}
		if keep {
			management = scopeSnapshot(old)[ScopeManagement]
		}
		if err := tx.Where("attestation_id = ? AND version = ?", a.ID, a.Version).Delete(&ScopeDomain{}).Error; err != nil {
			return wrap(err, "attestation %d: clear scope", attID)
		}
		rows := scopeRows(a.ID, a.Version, web, mail, management)
		if len(rows) > 0 {
			if err := tx.Create(&rows).Error; err != nil {
				return wrap(err, "attestation %d: set scope", attID)
			}
		}
		res := tx.Model(&Attestation{}).Where("id = ? AND scope_lock = ?", a.ID, a.ScopeLock).
			Updates(map[string]any{"scope_lock": a.ScopeLock + 1, "lock_version": a.LockVersion + 1, "updated_at": now})
		if res.Error != nil {
			return wrap(res.Error, "attestation %d: set scope", attID)
		}
		if res.RowsAffected != 1 {
			return wrap(ErrStale, "attestation %d scope", attID)
		}
		before, after := scopeSnapshot(old), map[string][]string{"web": web, "mail": mail}
		// Management endpoints appear in the audit trail once a scope has
		// any, so trails of scopes without them read as before.
		if len(before[ScopeManagement]) > 0 || len(management) > 0 {
			before[ScopeManagement] = append([]string{}, before[ScopeManagement]...)
			after[ScopeManagement] = management
		} else {
			delete(before, ScopeManagement)
		}
		return writeAudit(tx, by, now, AuditEntry{
			Action: "scope.save", ObjectType: "attestation", ObjectID: a.ID, AttestationID: &a.ID, TenderID: &a.TenderID,
		}, before, after)
	})
	if err != nil {
		return nil, err
	}
	return FindAttestation(ctx, db, attID)
}

func scopeRows(attID uint, version int, web, mail, management []string) []ScopeDomain {
	var rows []ScopeDomain
	for i, n := range web {
		rows = append(rows, ScopeDomain{AttestationID: attID, Version: version, Kind: ScopeWeb, Name: n, Position: i + 1})
	}
	for i, n := range mail {
		rows = append(rows, ScopeDomain{AttestationID: attID, Version: version, Kind: ScopeMail, Name: n, Position: i + 1})
	}
	for i, n := range management {
		rows = append(rows, ScopeDomain{AttestationID: attID, Version: version, Kind: ScopeManagement, Name: n, Position: i + 1})
	}
	return rows
}

func scopeSnapshot(rows []ScopeDomain) map[string][]string {
	out := map[string][]string{"web": {}, "mail": {}}
	for _, d := range rows {
		out[d.Kind] = append(out[d.Kind], d.Name)
	}
	return out
}
