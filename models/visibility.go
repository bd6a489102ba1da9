package models

import "gorm.io/gorm"

// visibleByRole builds the scope of a list query from the rule every
// list shares: no one and a disabled account see nothing, admins and
// auditors see every row, an officer sees what officer allows for the
// buyer org, a vendor what vendor allows for the supplier org, and an
// officer or vendor without an org, or any other role, sees nothing.
func visibleByRole(viewer *User, officer, vendor func(q *gorm.DB, orgID uint) *gorm.DB) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		if viewer == nil || viewer.Disabled {
			return q.Where("1 = 0")
		}
		switch {
		case viewer.Role == RoleAdmin || viewer.Role == RoleAuditor:
			return q
		case viewer.OrgID == nil:
			return q.Where("1 = 0")
		case viewer.Role == RoleOfficer:
			return officer(q, *viewer.OrgID)
		case viewer.Role == RoleVendor:
			return vendor(q, *viewer.OrgID)
		}
		return q.Where("1 = 0")
	}
}
