package models

import (
	"context"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Internals the external tests of the migrations reach.

// RunMigrations runs list as Migrate runs its own, without the final check
// of the audit log.
func RunMigrations(ctx context.Context, db *gorm.DB, list []*gormigrate.Migration) error {
	return runMigrations(ctx, db, list, nil)
}

// MigrateWith is Migrate with extra migrations after the real ones.
func MigrateWith(ctx context.Context, db *gorm.DB, extra ...*gormigrate.Migration) error {
	return runMigrations(ctx, db, append(migrations[:len(migrations):len(migrations)], extra...), checkAuditLogProtected)
}

// MigrationIDs returns the ids of the migrations, in order.
func MigrationIDs() []string {
	ids := make([]string, len(migrations))
	for i, m := range migrations {
		ids[i] = m.ID
	}
	return ids
}
