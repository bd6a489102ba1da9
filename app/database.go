package app

import (
	"context"

	"gorm.io/gorm"

	"tenderprobe/models"
)

// openDatabase opens the database dsn names and brings its schema up to
// date, as every command that writes to it needs; on failure nothing is
// left open.
func openDatabase(ctx context.Context, dsn string) (*gorm.DB, error) {
	db, err := models.Open(dsn)
	if err != nil {
		return nil, err
	}
	if err := models.Migrate(ctx, db); err != nil {
		_ = models.Close(db)
		return nil, err
	}
	return db, nil
}
