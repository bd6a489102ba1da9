package models

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
	// The zone database is built in, so a zone name means the same on
	// every machine, with or without the system's tzdata.
	_ "time/tzdata"

	"gorm.io/gorm"

	"tenderprobe/app/i18n"
)

// ValidTimeZone reports whether zone is an IANA time zone name Tenderprobe
// knows (the zone database is built into the binary). "Local" is
// refused: it means the server's zone, which says nothing to a reader.
func ValidTimeZone(zone string) bool {
	_, ok := Zone(zone)
	return ok
}

// zones keeps each zone loaded once: time.LoadLocation reads and parses
// the zone database on every call, and every page asks. Only valid names
// are kept, so the map is bounded by the database.
var zones sync.Map // name → *time.Location

// Zone is the IANA zone name, or false for a name Tenderprobe does not
// accept (ValidTimeZone).
func Zone(name string) (*time.Location, bool) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), true
	}
	if name == "" || name == "Local" || strings.Contains(name, "..") {
		return nil, false
	}
	// The name is kept (as the map's key and the location's own name):
	// never the caller's memory, which may be a request's buffer.
	name = strings.Clone(name)
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	zones.Store(name, loc)
	return loc, true
}

// ZoneOrUTC is the zone name, or UTC for a name Zone refuses.
func ZoneOrUTC(name string) *time.Location {
	if loc, ok := Zone(name); ok {
		return loc
	}
	return time.UTC
}

// SetPreferences stores the interface language and time zone user chose
// for themself; an empty value follows the browser. Nothing else changes,
// and the account's holder is the only one who sets them.
func SetPreferences(ctx context.Context, db *gorm.DB, user *User, language, zone string, now time.Time) (*User, error) {
	if user == nil || user.ID == 0 {
		return nil, ErrForbidden
	}
	language, zone = strings.TrimSpace(language), strings.TrimSpace(zone)
	if language != "" && !slices.Contains(i18n.Available(), language) {
		return nil, invalid("language", "not_one_of", "value", language, "allowed", i18n.Available())
	}
	if zone != "" && !ValidTimeZone(zone) {
		return nil, invalid("time_zone", "unknown_zone", "value", zone)
	}
	var out User
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&User{ID: user.ID}).Updates(map[string]any{"language": language, "time_zone": zone, "updated_at": now}).Error; err != nil {
			return wrap(err, "set preferences of user %d", user.ID)
		}
		return wrap(tx.Preload("Org").First(&out, user.ID).Error, "reload user %d", user.ID)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// TimeZones are the zones a user or an organisation may choose, by name.
func TimeZones() []string { return slices.Clone(zoneNames) }
