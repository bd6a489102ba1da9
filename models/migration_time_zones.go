package models

import "gorm.io/gorm"

// addTimeZones is the migration of issue 11's time: an organisation works
// in a time zone (existing ones in DefaultOrgZone), and a tender's
// deadline is kept as an instant plus the zone it was set in.
//
// Deadlines set before this were days at 23:59:59 UTC, and published ones
// have been announced so: they keep their instant and get the zone UTC,
// so that no deadline moves. A tender without a deadline takes its
// buyer's zone, the default when an officer adds one.
func addTimeZones(tx *gorm.DB) error {
	if !tx.Migrator().HasColumn(&org0009{}, "TimeZone") {
		if err := tx.Migrator().AddColumn(&org0009{}, "TimeZone"); err != nil {
			return wrap(err, "orgs: add time_zone")
		}
	}
	if tx.Migrator().HasColumn(&tender0009{}, "DeadlineZone") {
		return nil
	}
	if err := tx.Migrator().AddColumn(&tender0009{}, "DeadlineZone"); err != nil {
		return wrap(err, "tenders: add deadline_zone")
	}
	err := tx.Exec(`UPDATE tenders SET deadline_zone = CASE WHEN deadline IS NULL
		THEN (SELECT orgs.time_zone FROM orgs WHERE orgs.id = tenders.buyer_org_id) ELSE 'UTC' END`).Error
	return wrap(err, "tenders: fill deadline_zone")
}

type org0009 struct {
	ID       uint   `gorm:"primaryKey"`
	TimeZone string `gorm:"size:64;not null;default:'Europe/Amsterdam'"`
}

func (org0009) TableName() string { return "orgs" }

type tender0009 struct {
	ID           uint   `gorm:"primaryKey"`
	DeadlineZone string `gorm:"size:64;not null;default:''"`
}

func (tender0009) TableName() string { return "tenders" }
