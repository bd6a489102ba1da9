package models

import (
	"context"

	"gorm.io/gorm"
)

// Setup is how far a fresh installation has come: what exists of the
// organisations and people a first tender needs. The admin's dashboard
// turns it into the next steps.
type Setup struct {
	BuyerOrgs, SupplierOrgs int64
	Officers, Vendors       int64
	Users                   int64
	CatalogueLoaded         bool
}

// Ready reports whether a first tender can be built and answered: a buyer
// with an officer.
func (s Setup) Ready() bool { return s.BuyerOrgs > 0 && s.Officers > 0 }

// FindSetup counts organisations by kind and active users by role, in two
// grouped queries.
func FindSetup(ctx context.Context, db *gorm.DB) (Setup, error) {
	var s Setup
	var orgs []struct {
		Kind string
		N    int64
	}
	if err := db.WithContext(ctx).Model(&Org{}).Select("kind, count(*) AS n").Group("kind").Scan(&orgs).Error; err != nil {
		return s, wrap(err, "count organisations by kind")
	}
	for _, o := range orgs {
		switch o.Kind {
		case OrgBuyer:
			s.BuyerOrgs = o.N
		case OrgSupplier:
			s.SupplierOrgs = o.N
		}
	}
	var users []struct {
		Role string
		N    int64
	}
	if err := db.WithContext(ctx).Model(&User{}).Select("role, count(*) AS n").Where("disabled = ?", false).Group("role").Scan(&users).Error; err != nil {
		return s, wrap(err, "count users by role")
	}
	for _, u := range users {
		s.Users += u.N
		switch u.Role {
		case RoleOfficer:
			s.Officers = u.N
		case RoleVendor:
			s.Vendors = u.N
		}
	}
	var versions int64
	if err := db.WithContext(ctx).Model(&CatalogueVersion{}).Count(&versions).Error; err != nil {
		return s, wrap(err, "count catalogue versions")
	}
	s.CatalogueLoaded = versions > 0
	return s, nil
}
