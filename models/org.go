package models

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Kinds of organisation.
const (
	// OrgBuyer is a public or private body that runs tenders.
	OrgBuyer = "buyer"
	// OrgSupplier is a vendor that answers tenders.
	OrgSupplier = "supplier"
)

// OrgKinds lists the allowed Org.Kind values.
var OrgKinds = []string{OrgBuyer, OrgSupplier}

// Org is an organisation: a buyer that runs tenders or a supplier that answers them.
type Org struct {
	ID   uint   `gorm:"primaryKey" json:"id"`
	Name string `gorm:"size:200;not null;uniqueIndex" json:"name"`
	// NameKey is the name as names compare (orgNameKey), unique, so no
	// two organisations differ only in case or spaces on any database.
	// Only organisations named alike before migration 0025 lack one.
	NameKey *string `gorm:"size:400;uniqueIndex" json:"-"`
	Kind    string  `gorm:"size:20;not null" json:"kind"`
	// TimeZone is the IANA zone the organisation works in: a buyer's
	// tenders have their deadlines in it unless the officer picks another.
	TimeZone string `gorm:"size:64;not null;default:'Europe/Amsterdam'" json:"time_zone"`
	// RequireSecondFactor makes the organisation's officers and admins
	// enrol a second factor before they can use the app.
	RequireSecondFactor bool      `gorm:"not null;default:false" json:"require_second_factor"`
	CreatedAt           time.Time `json:"created_at"`
	UpdatedAt           time.Time `json:"updated_at"`
}

// DefaultOrgZone is the time zone of an organisation that was given none:
// Tenderprobe follows the Dutch comply-or-explain regime, and its first
// buyers are Dutch.
const DefaultOrgZone = "Europe/Amsterdam"

// Validate checks the organisation's fields, reporting every refused one
// (ValidationErrors), and sets NameKey; runs of spaces in the name become
// one and an empty time zone becomes DefaultOrgZone.
func (o *Org) Validate() error {
	o.Name = strings.Join(strings.Fields(o.Name), " ")
	key := orgNameKey(o.Name)
	o.NameKey = &key
	o.TimeZone = strings.TrimSpace(o.TimeZone)
	if o.TimeZone == "" {
		o.TimeZone = DefaultOrgZone
	}
	var errs ValidationErrors
	switch {
	case o.Name == "":
		errs.invalid("name", "required")
	case len(o.Name) > 200:
		errs.invalid("name", "too_long", "max", 200)
	// guardText refuses a NUL on writing, but the name is compared with
	// the others before that, and PostgreSQL refuses it in a query too.
	case strings.IndexByte(o.Name, 0) >= 0:
		errs.invalid("name", "nul_character")
	}
	if !oneOf(o.Kind, OrgKinds) {
		errs.invalid("kind", "not_one_of", "value", o.Kind, "allowed", OrgKinds)
	}
	if !ValidTimeZone(o.TimeZone) {
		errs.invalid("time_zone", "unknown_zone", "value", o.TimeZone)
	}
	return errs.err()
}

// Location is the organisation's time zone (UTC if it cannot be loaded,
// which Validate prevents).
func (o *Org) Location() *time.Location {
	return ZoneOrUTC(o.TimeZone)
}

// orgAudit writes the audit entry of action on organisation o.
func orgAudit(tx *gorm.DB, by *User, now time.Time, action string, o *Org, before, after any) error {
	id := o.ID
	return writeAudit(tx, by, now, AuditEntry{Action: action, ObjectType: "org", ObjectID: o.ID, OrgID: &id}, before, after)
}

// CreateOrg adds an organisation of kind OrgBuyer or OrgSupplier in
// DefaultOrgZone, for by, who must administer accounts (nil is
// Tenderprobe itself). A name already in use, compared ignoring case and
// spaces, gives the StateError "org_name_taken" (an ErrConflict).
func CreateOrg(ctx context.Context, db *gorm.DB, by *User, name, kind string, now time.Time) (*Org, error) {
	return CreateOrgInZone(ctx, db, by, name, kind, "", now)
}

// CreateOrgInZone is CreateOrg with the organisation's time zone (an IANA
// name, empty for DefaultOrgZone); an unknown zone is a ValidationError
// on "time_zone".
func CreateOrgInZone(ctx context.Context, db *gorm.DB, by *User, name, kind, zone string, now time.Time) (*Org, error) {
	if err := checkAdministers(by, "create org"); err != nil {
		return nil, err
	}
	var o *Org
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		o = &Org{Name: name, Kind: kind, TimeZone: zone}
		if err := createOrg(tx, o); err != nil {
			return err
		}
		return orgAudit(tx, by, now, "org.create", o, nil, map[string]any{"name": o.Name, "kind": o.Kind, "time_zone": o.TimeZone})
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// insertOrg validates and inserts an organisation inside tx, for a caller
// that has authorised it and records it in its own audit entry.
func insertOrg(tx *gorm.DB, name, kind string) (*Org, error) {
	o := &Org{Name: name, Kind: kind}
	if err := createOrg(tx, o); err != nil {
		return nil, err
	}
	return o, nil
}

// createOrg validates o and inserts it inside tx, unless its name is taken
// (nameTaken).
func createOrg(tx *gorm.DB, o *Org) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if err := nameTaken(tx, o); err != nil {
		return wrap(err, "create org %q", o.Name)
	}
	if err := tx.Create(o).Error; err != nil {
		return wrap(nameClash(err, o), "create org %q", o.Name)
	}
	return nil
}

// nameTaken refuses o's name when another organisation's name compares
// equal to it, ignoring case and spaces (NameKey): a StateError
// "org_name_taken" naming that organisation, so the admin sees which one.
func nameTaken(tx *gorm.DB, o *Org) error {
	other, err := orgNamedLike(tx, o.Name, o.ID)
	if err != nil || other == nil {
		return err
	}
	return newState("org_name_taken", "name", other.Name)
}

// orgNamedLike is the organisation other than id (0: any) whose name
// compares equal to name (orgNameKey), or nil: one indexed lookup.
func orgNamedLike(tx *gorm.DB, name string, id uint) (*Org, error) {
	var other Org
	err := tx.Select("id", "name").Where("name_key = ? AND id <> ?", orgNameKey(name), id).Take(&other).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, wrap(err, "org names")
	}
	return &other, nil
}

// nameClash turns a duplicate key on writing o, which the unique indexes
// on name and name_key give when another transaction took the name after
// nameTaken looked, into the refusal nameTaken would have given.
func nameClash(err error, o *Org) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return newState("org_name_taken", "name", o.Name)
	}
	return err
}

// FindOrg returns the organisation with id, or ErrNotFound.
func FindOrg(ctx context.Context, db *gorm.DB, id uint) (*Org, error) {
	var o Org
	if err := db.WithContext(ctx).First(&o, id).Error; err != nil {
		return nil, wrap(err, "find org %d", id)
	}
	return &o, nil
}

// FindOrgByName returns the organisation called name, or ErrNotFound.
func FindOrgByName(ctx context.Context, db *gorm.DB, name string) (*Org, error) {
	var o Org
	if err := db.WithContext(ctx).Where("name = ?", strings.TrimSpace(name)).First(&o).Error; err != nil {
		return nil, wrap(err, "find org %q", name)
	}
	return &o, nil
}

// ListOrgs returns every organisation ordered by name; kind "" means all kinds.
func ListOrgs(ctx context.Context, db *gorm.DB, kind string) ([]Org, error) {
	var orgs []Org
	q := db.WithContext(ctx).Order("name")
	if kind != "" {
		q = q.Where("kind = ?", kind)
	}
	if err := q.Find(&orgs).Error; err != nil {
		return nil, wrap(err, "list orgs")
	}
	slices.SortStableFunc(orgs, func(a, b Org) int { return CompareNames(a.Name, b.Name) })
	return orgs, nil
}

// OrgChanges are the details of an organisation an admin may change;
// nil leaves one as it is. Its kind never changes: its users' roles
// depend on it.
type OrgChanges struct {
	Name *string
	// TimeZone is an IANA name; empty is DefaultOrgZone.
	TimeZone *string
}

// UpdateOrg renames an organisation.
//
// by must administer accounts; a name in use gives ErrConflict (see
// CreateOrg).
func UpdateOrg(ctx context.Context, db *gorm.DB, by *User, id uint, name string, now time.Time) (*Org, error) {
	return ChangeOrg(ctx, db, by, id, OrgChanges{Name: &name}, now)
}

// SetOrgTimeZone changes the time zone of organisation id to zone, an
// IANA name (empty is DefaultOrgZone; an unknown one is a ValidationError
// on "time_zone"), for by, who must administer accounts. Tenders keep the
// zone their deadline was set in; new tenders take the new one.
func SetOrgTimeZone(ctx context.Context, db *gorm.DB, by *User, id uint, zone string, now time.Time) (*Org, error) {
	return ChangeOrg(ctx, db, by, id, OrgChanges{TimeZone: &zone}, now)
}

// ChangeOrg applies ch to organisation id in one transaction, with one
// audit entry naming what changed; by must administer accounts. A name
// in use by another organisation, compared ignoring case and spaces, gives
// ErrConflict (see CreateOrg); an invalid name or zone a ValidationError;
// either changes nothing at all.
func ChangeOrg(ctx context.Context, db *gorm.DB, by *User, id uint, ch OrgChanges, now time.Time) (*Org, error) {
	if err := checkAdministers(by, "change org"); err != nil {
		return nil, err
	}
	var o *Org
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if o, err = FindOrg(ctx, tx, id); err != nil {
			return err
		}
		oldName, oldZone := o.Name, o.TimeZone
		if ch.Name != nil {
			o.Name = *ch.Name
		}
		if ch.TimeZone != nil {
			o.TimeZone = *ch.TimeZone
		}
		if err := o.Validate(); err != nil {
			return err
		}
		before, after := map[string]any{}, map[string]any{}
		cols := map[string]any{"name": o.Name, "time_zone": o.TimeZone, "updated_at": now}
		if o.Name != oldName {
			if err := nameTaken(tx, o); err != nil {
				return wrap(err, "rename org %d", id)
			}
			before["name"], after["name"] = oldName, o.Name
			// Only a new name gets its key: organisations named alike
			// before migration 0025 keep theirs (none) until renamed.
			cols["name_key"] = o.NameKey
		}
		if o.TimeZone != oldZone {
			before["time_zone"], after["time_zone"] = oldZone, o.TimeZone
		}
		if len(before) == 0 {
			return nil
		}
		if err := tx.Model(o).Updates(cols).Error; err != nil {
			return wrap(nameClash(err, o), "update org %d", id)
		}
		return orgAudit(tx, by, now, "org.edit", o, before, after)
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

func oneOf(s string, allowed []string) bool {
	for _, a := range allowed {
		if s == a {
			return true
		}
	}
	return false
}
