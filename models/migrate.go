package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// Tables lists every model that has a table, in an order where each table
// comes after the tables it references. It is the single place the schema is
// declared: packages that add web-only tables append their models here.
var Tables = []any{
	&Org{},
	&User{},
	&CatalogueVersion{},
	&Standard{},
	&Tender{},
	&Requirement{},
	&Session{},
	&APIToken{},
	&LoginAttempt{},
	&Attestation{},
	&Answer{},
	&Evidence{},
	&ScopeDomain{},
	&Submission{},
	&Invitation{},
	&ColleagueInvitation{},
	&ReviewComment{},
	&AuditEntry{},
	&ProbeRun{},
	&ProbeResult{},
	&Verification{},
	&VerdictChange{},
}

// Migrate brings the schema up to date with Tables. AutoMigrate only adds
// tables, columns and indexes, so it is safe to run on every start.
func Migrate(ctx context.Context, db *gorm.DB) error {
	if err := migrate(ctx, db, Tables...); err != nil {
		return err
	}
	return protectAuditLog(ctx, db)
}

func migrate(ctx context.Context, db *gorm.DB, tables ...any) error {
	db = db.WithContext(ctx)
	if db.Name() != "sqlite" {
		if err := db.AutoMigrate(tables...); err != nil {
			return fmt.Errorf("models: migrate: %w", err)
		}
		return nil
	}
	// SQLite cannot alter a column, so the migrator rebuilds the table and
	// drops the old one; with foreign keys on, that drop would first delete
	// the rows of every child table declared ON DELETE CASCADE. Foreign keys
	// are a per-connection setting, so migrate on one pinned connection with
	// them off, check the result, and turn them back on.
	err := db.Connection(func(conn *gorm.DB) error {
		if err := conn.Exec("PRAGMA foreign_keys = OFF").Error; err != nil {
			return err
		}
		// Without the caller's cancellation: the connection goes back to
		// the pool and must not stay without foreign keys.
		defer conn.WithContext(context.WithoutCancel(ctx)).Exec("PRAGMA foreign_keys = ON")
		if err := conn.AutoMigrate(tables...); err != nil {
			return err
		}
		var broken []map[string]any
		if err := conn.Raw("PRAGMA foreign_key_check").Scan(&broken).Error; err != nil {
			return err
		}
		if len(broken) > 0 {
			return fmt.Errorf("%d rows violate foreign keys after migrating, first: %v", len(broken), broken[0])
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("models: migrate: %w", err)
	}
	return nil
}
