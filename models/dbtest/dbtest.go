// Package dbtest opens throwaway databases for tests: a temp-file SQLite
// database, and an isolated schema on the PostgreSQL server named by the
// environment variable TENDERPROBE_TEST_POSTGRES. Each runs a test on both.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"tenderprobe/models"
)

// EnvPostgres names the environment variable holding a postgres:// URL for tests.
const EnvPostgres = "TENDERPROBE_TEST_POSTGRES"

var cheapHashes sync.Once

// fastHashing lowers the bcrypt cost once for the whole test binary: the
// production cost of 12 takes a quarter of a second per hash.
func fastHashing() {
	cheapHashes.Do(func() { models.BcryptCost = bcrypt.MinCost })
}

// Open returns a migrated SQLite database in a temporary file that is
// removed when the test ends.
func Open(t testing.TB) *gorm.DB {
	t.Helper()
	return migrated(t, OpenEmpty(t))
}

// OpenEmpty returns an SQLite database in a temporary file without any
// table, for tests of the migrations themselves.
func OpenEmpty(t testing.TB) *gorm.DB {
	t.Helper()
	return OpenFile(t, filepath.Join(t.TempDir(), "tenderprobe.db"))
}

// OpenFile opens the SQLite database at path, closed when the test ends,
// as it is: not migrated.
func OpenFile(t testing.TB, path string) *gorm.DB {
	t.Helper()
	fastHashing()
	db, err := models.Open(path)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() { _ = models.Close(db) })
	return db
}

func migrated(t testing.TB, db *gorm.DB) *gorm.DB {
	t.Helper()
	if err := models.Migrate(context.Background(), db); err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	return db
}

// PostgresURL returns the test server's URL. Without it the test is
// skipped, or fails when CI=true, because CI must run the PostgreSQL tests.
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvPostgres)
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("dbtest: %s is not set but CI=true: the PostgreSQL tests must run in CI", EnvPostgres)
		}
		t.Skipf("dbtest: set %s to a postgres:// URL to run this test on PostgreSQL", EnvPostgres)
	}
	return u
}

// OpenPostgres returns a migrated PostgreSQL database confined to a new
// schema of its own, dropped when the test ends, so tests can run in parallel.
func OpenPostgres(t testing.TB) *gorm.DB {
	t.Helper()
	return migrated(t, OpenEmptyPostgres(t))
}

// OpenEmptyPostgres is OpenPostgres without migrating: the schema has no
// table, for tests of the migrations themselves.
func OpenEmptyPostgres(t testing.TB) *gorm.DB {
	t.Helper()
	return OpenPostgresSchema(t, NewPostgresSchema(t))
}

// NewPostgresSchema creates an empty schema on the test server, dropped
// when the test ends, and returns its name.
func NewPostgresSchema(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	admin, err := models.Open(base)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() { _ = models.Close(admin) })
	schema := "t_" + randomHex(t, 8)
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("dbtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		if err := admin.Exec("DROP SCHEMA " + schema + " CASCADE").Error; err != nil {
			t.Errorf("dbtest: drop schema %s: %v", schema, err)
		}
	})
	return schema
}

// OpenPostgresSchema opens the test server with schema first on the search
// path, as it is: not migrated. Each call opens a pool of its own, as a
// separate process would. Call it after NewPostgresSchema, so that the pool
// is closed before the schema is dropped.
func OpenPostgresSchema(t testing.TB, schema string) *gorm.DB {
	t.Helper()
	fastHashing()
	u, err := url.Parse(PostgresURL(t))
	if err != nil {
		t.Fatalf("dbtest: parse %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := models.Open(u.String())
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	// Keep each test's share of the server's connections small.
	sqlDB.SetMaxOpenConns(8)
	// Registered after the schema's cleanup, so it runs first: close the
	// pool before dropping the schema it uses.
	t.Cleanup(func() { _ = sqlDB.Close() })
	return db
}

// Each runs fn as two subtests, "on SQLite" and "on PostgreSQL", each with
// a fresh migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	t.Run("on SQLite", func(t *testing.T) { fn(t, Open(t)) })
	t.Run("on PostgreSQL", func(t *testing.T) { fn(t, OpenPostgres(t)) })
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	return hex.EncodeToString(b)
}
