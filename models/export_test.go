package models

import (
	"context"
	"fmt"
	"time"

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

// BuildUnversionedSchema runs the migrations up to and including id
// without recording them, in one transaction: the schema the AutoMigrate
// of an older commit made, before migrations were versioned.
func BuildUnversionedSchema(ctx context.Context, db *gorm.DB, id string) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, m := range migrations {
			if err := m.Migrate(tx); err != nil {
				return err
			}
			if m.ID == id {
				return nil
			}
		}
		return fmt.Errorf("no migration %s", id)
	})
}

// StartChangeFeedWith is StartChangeFeed reading the stamp every refresh
// and trusting a read for fresh.
func StartChangeFeedWith(db *gorm.DB, refresh, fresh time.Duration) (*ChangeFeed, error) {
	return startChangeFeed(db, nil, refresh, fresh)
}

// Epoch is the feed's epoch: it moves on every change announced.
func (f *ChangeFeed) Epoch() uint64 { return f.epoch.Load() }

// ChangeStampFunction is the SQL of PostgreSQL's change-stamp trigger
// function, as migration 0024 writes it.
const ChangeStampFunction = changeStampFunction0024

// MigrationsThrough returns the migrations up to and including id, for a
// test that puts rows in a database of that schema before migrating on.
func MigrationsThrough(id string) []*gormigrate.Migration {
	for i, m := range migrations {
		if m.ID == id {
			return migrations[: i+1 : i+1]
		}
	}
	return nil
}
