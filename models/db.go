// Package models holds Tenderprobe's GORM models and the only code that talks
// to the database. Every function takes a context first and the *gorm.DB to
// use, so callers can pass a transaction.
package models

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// sqliteParams are appended to every SQLite DSN. They live in the DSN rather
// than in a one-off PRAGMA so that every pooled connection gets them:
// foreign keys are off by default per connection, WAL lets readers run beside
// a writer, the busy timeout waits for a lock instead of failing at once, and
// immediate transactions take the write lock at BEGIN so two writers never
// deadlock on a lock upgrade.
const sqliteParams = "_foreign_keys=1&_journal_mode=WAL&_busy_timeout=5000&_txlock=immediate"

// IsPostgresDSN reports whether dsn names a PostgreSQL database rather than an
// SQLite file.
func IsPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// SQLiteDSN returns the DSN for the SQLite file at path with Tenderprobe's
// connection settings added (keeping any query the path already has).
func SQLiteDSN(path string) string {
	if strings.HasPrefix(path, "file:") || strings.Contains(path, "?") {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		return path + sep + sqliteParams
	}
	return "file:" + path + "?" + sqliteParams
}

// Open connects to dsn: a postgres:// or postgresql:// URL opens PostgreSQL,
// anything else is taken as an SQLite file path. It does not migrate; call
// Migrate for that.
func Open(dsn string) (*gorm.DB, error) { return OpenWith(dsn, DefaultPool) }

// Pool is the connection pool of a PostgreSQL database. Go's own default
// keeps two idle connections, so under load every request beyond two
// opened (and TLS- and auth-handshook) a fresh connection and closed it
// again: a 5 s benchmark opened 1,107. Keeping as many idle as may be
// open lets connections be reused; the lifetimes let a server restart or a
// fail-over replace them, and close what a quiet night does not need.
// Prepared statements need nothing here: pgx, the driver, prepares and
// caches every statement per connection by default.
type Pool struct {
	// MaxOpen bounds the connections of one process; several serve
	// processes share the server's max_connections (100 by default).
	MaxOpen int
	// MaxIdle is how many connections stay open between requests.
	MaxIdle int
	// MaxLifetime closes a connection this long after it was opened.
	MaxLifetime time.Duration
	// MaxIdleTime closes a connection idle this long.
	MaxIdleTime time.Duration
}

// DefaultPool suits one to four serve processes on a default PostgreSQL.
var DefaultPool = Pool{MaxOpen: 20, MaxIdle: 20, MaxLifetime: 30 * time.Minute, MaxIdleTime: 5 * time.Minute}

// OpenWith is Open with the pool settings for PostgreSQL; SQLite keeps its
// own small pool (SQLiteMaxConns).
func OpenWith(dsn string, pool Pool) (*gorm.DB, error) {
	if strings.TrimSpace(dsn) == "" {
		return nil, fmt.Errorf("models: open database: empty DSN")
	}
	cfg := &gorm.Config{
		Logger:         logger.Default.LogMode(logger.Silent),
		TranslateError: true,
	}
	if IsPostgresDSN(dsn) {
		db, err := gorm.Open(postgres.Open(dsn), cfg)
		if err != nil {
			return nil, wrap(err, "open postgres")
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, wrap(err, "open postgres")
		}
		sqlDB.SetMaxOpenConns(pool.MaxOpen)
		sqlDB.SetMaxIdleConns(pool.MaxIdle)
		sqlDB.SetConnMaxLifetime(pool.MaxLifetime)
		sqlDB.SetConnMaxIdleTime(pool.MaxIdleTime)
		if err := registerGuards(db); err != nil {
			return nil, wrap(err, "open postgres")
		}
		if err := registerWriteNotes(db); err != nil {
			return nil, wrap(err, "open postgres")
		}
		return db, nil
	}
	db, err := gorm.Open(sqlite.Open(SQLiteDSN(dsn)), cfg)
	if err != nil {
		return nil, wrap(err, "open sqlite %s", dsn)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, wrap(err, "open sqlite %s", dsn)
	}
	// SQLite takes one writer at a time. With an unbounded pool, hundreds
	// of concurrent writers poll in SQLite's busy handler and the unlucky
	// ones give up after the busy timeout ("database is locked"); a small
	// pool makes them queue in Go instead, where waiting is fair.
	sqlDB.SetMaxOpenConns(SQLiteMaxConns)
	// And all of them stay open: Go keeps two idle by default, so under
	// load every request beyond two opened the file again, with its
	// pragmas and WAL index, and closed it after one query.
	sqlDB.SetMaxIdleConns(SQLiteMaxConns)
	if err := registerGuards(db); err != nil {
		return nil, wrap(err, "open sqlite %s", dsn)
	}
	if err := registerWriteNotes(db); err != nil {
		return nil, wrap(err, "open sqlite %s", dsn)
	}
	return db, nil
}

// SQLiteMaxConns bounds the connection pool of an SQLite database.
const SQLiteMaxConns = 8

// Close closes the database's connection pool.
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return wrap(err, "close database")
	}
	return sqlDB.Close()
}
