package app

import (
	"context"
	"flag"
	"os"

	"gorm.io/gorm"

	"tenderprobe/models"
)

// openDatabase opens the database dsn names and brings its schema up to
// date, as every command that writes to it needs; on failure nothing is
// left open.
func openDatabase(ctx context.Context, dsn string) (*gorm.DB, error) {
	return openDatabaseWith(ctx, dsn, models.DefaultPool)
}

// openDatabaseWith is openDatabase with serve's pool settings.
func openDatabaseWith(ctx context.Context, dsn string, pool models.Pool) (*gorm.DB, error) {
	db, err := models.OpenWith(dsn, pool)
	if err != nil {
		return nil, err
	}
	if err := models.Migrate(ctx, db); err != nil {
		_ = models.Close(db)
		return nil, err
	}
	return db, nil
}

// dbFlag registers --db on fs for the commands that use the database
// serve uses: TENDERPROBE_DB when it is set, else serve's default.
func dbFlag(fs *flag.FlagSet) *string {
	dsn := DefaultConfig().DB
	if v := os.Getenv("TENDERPROBE_DB"); v != "" {
		dsn = v
	}
	fs.StringVar(&dsn, "db", dsn, "SQLite file or postgres:// URL")
	return &dsn
}
