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
	&ReviewComment{},
	&AuditEntry{},
}

// Migrate brings the schema up to date with Tables. AutoMigrate only adds
// tables, columns and indexes, so it is safe to run on every start.
func Migrate(ctx context.Context, db *gorm.DB) error {
	if err := db.WithContext(ctx).AutoMigrate(Tables...); err != nil {
		return fmt.Errorf("models: migrate: %w", err)
	}
	return nil
}
