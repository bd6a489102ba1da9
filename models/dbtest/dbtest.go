// Package dbtest opens throwaway databases for tests: a temp-file SQLite
// database, and a database of its own on the PostgreSQL server named by the
// environment variable TENDERPROBE_TEST_POSTGRES. Each runs a test on both.
//
// Migrating (and seeding, for a Template with a setup) happens once per test
// binary, into a template; every test gets a copy of it. A package whose
// tests use PostgreSQL calls Main from its TestMain, which drops the
// template databases when the tests end.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
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

// Template is a database state made once per test binary (migrated, then
// changed by its setup) and copied for every test that opens it.
type Template struct {
	name  string
	setup func(ctx context.Context, db *gorm.DB) error

	sqliteOnce  sync.Once
	sqliteImage []byte
	sqliteErr   error

	pgOnce sync.Once
	pgName string
	pgErr  error
}

// NewTemplate returns a template named name (lower-case letters, digits
// and underscores: it becomes part of a PostgreSQL database name) whose
// state is the migrated schema changed by setup (nil for none). It is built
// on first use, once per database kind.
func NewTemplate(name string, setup func(ctx context.Context, db *gorm.DB) error) *Template {
	if !templateName.MatchString(name) {
		panic(fmt.Sprintf("dbtest: template name %q is not lower-case letters, digits and underscores", name))
	}
	return &Template{name: name, setup: setup}
}

var templateName = regexp.MustCompile(`^[a-z0-9_]{1,20}$`)

// migrated is the template of Open, OpenPostgres and Each: the schema alone.
var migrated = NewTemplate("migrated", nil)

// Open returns a migrated SQLite database in a temporary file that is
// removed when the test ends.
func Open(t testing.TB) *gorm.DB { return migrated.Open(t) }

// OpenPostgres returns a migrated PostgreSQL database of the test's own,
// dropped when the test ends, so tests can run in parallel.
func OpenPostgres(t testing.TB) *gorm.DB { return migrated.OpenPostgres(t) }

// Each runs fn as two subtests, "on SQLite" and "on PostgreSQL", each with
// a fresh migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	migrated.Each(t, fn)
}

// Each runs fn as two subtests, "on SQLite" and "on PostgreSQL", each with
// a fresh copy of the template.
func (tp *Template) Each(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	t.Run("on SQLite", func(t *testing.T) { fn(t, tp.Open(t)) })
	t.Run("on PostgreSQL", func(t *testing.T) { fn(t, tp.OpenPostgres(t)) })
}

// EachParallel is Each with the two subtests running in parallel: for a
// test whose fn shares nothing with other tests or between its two runs
// (no package-level variable, environment variable or fixed port), so
// the SQLite run does not wait for the PostgreSQL one.
func (tp *Template) EachParallel(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	t.Run("on SQLite", func(t *testing.T) {
		t.Parallel()
		fn(t, tp.Open(t))
	})
	t.Run("on PostgreSQL", func(t *testing.T) {
		t.Parallel()
		fn(t, tp.OpenPostgres(t))
	})
}

// File writes a copy of the template's SQLite database to a temporary file,
// removed when the test ends, and returns its path, for tests that hand
// the file to a command or a child process.
func (tp *Template) File(t testing.TB) string {
	t.Helper()
	fastHashing()
	tp.sqliteOnce.Do(func() { tp.sqliteImage, tp.sqliteErr = tp.buildSQLite() })
	if tp.sqliteErr != nil {
		t.Fatalf("dbtest: template %s on SQLite: %v", tp.name, tp.sqliteErr)
	}
	path := filepath.Join(t.TempDir(), "tenderprobe.db")
	if err := os.WriteFile(path, tp.sqliteImage, 0o600); err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	return path
}

// Open returns a copy of the template in a temporary SQLite file that is
// removed when the test ends.
func (tp *Template) Open(t testing.TB) *gorm.DB {
	t.Helper()
	db, err := models.Open(tp.File(t))
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() { _ = models.Close(db) })
	return db
}

// buildSQLite migrates and sets up a database in a temporary directory and
// returns the bytes of a consistent copy of it; the directory is gone when
// it returns, so nothing is left behind however the binary ends.
func (tp *Template) buildSQLite() ([]byte, error) {
	dir, err := os.MkdirTemp("", "tenderprobe-dbtest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	db, err := models.Open(filepath.Join(dir, "template.db"))
	if err != nil {
		return nil, err
	}
	defer models.Close(db)
	if err := tp.prepare(db); err != nil {
		return nil, err
	}
	// VACUUM INTO writes a snapshot in one file, with nothing left in a WAL.
	image := filepath.Join(dir, "image.db")
	if err := db.Exec("VACUUM INTO ?", image).Error; err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	// The snapshot is in rollback-journal mode; open it once with the
	// app's settings so that, like a database the app made, it is in WAL
	// mode before any test's connections race to switch it.
	idb, err := models.Open(image)
	if err != nil {
		return nil, err
	}
	err = idb.Exec("PRAGMA user_version").Error
	if cerr := models.Close(idb); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("switch the copy to WAL: %w", err)
	}
	if _, err := os.Stat(image + "-wal"); err == nil {
		return nil, fmt.Errorf("the copy kept a WAL file after closing")
	}
	return os.ReadFile(image)
}

// prepare migrates db and runs the template's setup on it.
func (tp *Template) prepare(db *gorm.DB) error {
	ctx := context.Background()
	if err := models.Migrate(ctx, db); err != nil {
		return err
	}
	if tp.setup != nil {
		if err := tp.setup(ctx, db); err != nil {
			return fmt.Errorf("set up: %w", err)
		}
	}
	return nil
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

// OpenPostgres returns a database of the test's own, created from the
// template and dropped when the test ends.
func (tp *Template) OpenPostgres(t testing.TB) *gorm.DB {
	t.Helper()
	fastHashing()
	base := PostgresURL(t)
	if !mainRunning.Load() {
		t.Fatalf("dbtest: PostgreSQL templates need func TestMain(m *testing.M) { dbtest.Main(m) } in the test's package, to drop them at the end")
	}
	admin, err := adminDB(base)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	tp.pgOnce.Do(func() { tp.pgName, tp.pgErr = tp.buildPostgres(base, admin) })
	if tp.pgErr != nil {
		t.Fatalf("dbtest: template %s on PostgreSQL: %v", tp.name, tp.pgErr)
	}
	name := "tp_test_" + randomHex(t, 8)
	if err := admin.Exec("CREATE DATABASE " + name + " TEMPLATE " + tp.pgName + copyStrategy).Error; err != nil {
		t.Fatalf("dbtest: create database from %s: %v", tp.pgName, err)
	}
	t.Cleanup(func() {
		if err := dropDatabase(admin, name); err != nil {
			t.Errorf("dbtest: %v", err)
		}
	})
	u, err := databaseURL(base, name)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	db, err := models.Open(u)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	// Keep each test's share of the server's connections small.
	sqlDB.SetMaxOpenConns(8)
	// Registered after the database's cleanup, so it runs first: close the
	// pool before dropping the database it uses.
	t.Cleanup(func() { _ = sqlDB.Close() })
	return db
}

// buildPostgres creates the template database, migrates and sets it up,
// and closes every connection to it, since PostgreSQL copies only a
// database nobody is connected to.
func (tp *Template) buildPostgres(base string, admin *gorm.DB) (name string, err error) {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	name = "tp_template_" + tp.name + "_" + hex.EncodeToString(b)
	if err := admin.Exec("CREATE DATABASE " + name).Error; err != nil {
		return "", fmt.Errorf("create database: %w", err)
	}
	templates.Lock()
	templates.names = append(templates.names, name)
	templates.Unlock()
	u, err := databaseURL(base, name)
	if err != nil {
		return "", err
	}
	db, err := models.Open(u)
	if err != nil {
		return "", err
	}
	err = tp.prepare(db)
	if cerr := models.Close(db); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	return name, nil
}

// databaseURL is base with its database replaced by name.
func databaseURL(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("parse %s: %w", EnvPostgres, err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

func dropDatabase(admin *gorm.DB, name string) error {
	// FORCE ends connections a test left open (a child process's, say).
	if err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").Error; err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// DSN returns what a command or child process is given to open the same
// database as db: the SQLite file's path or the PostgreSQL URL.
func DSN(t testing.TB, db *gorm.DB) string {
	t.Helper()
	if db.Name() == "sqlite" {
		var rows []struct {
			Name string
			File string
		}
		if err := db.Raw("PRAGMA database_list").Scan(&rows).Error; err != nil {
			t.Fatalf("dbtest: %v", err)
		}
		for _, r := range rows {
			if r.Name == "main" && r.File != "" {
				return r.File
			}
		}
		t.Fatalf("dbtest: the SQLite database has no file")
	}
	var name string
	if err := db.Raw("SELECT current_database()").Scan(&name).Error; err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	u, err := databaseURL(PostgresURL(t), name)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	return u
}

// The connection to the server's own database, shared by the tests of the
// binary to create and drop theirs.
var (
	adminOnce sync.Once
	admin     *gorm.DB
	adminErr  error
	// copyStrategy is appended to CREATE DATABASE … TEMPLATE. Copying the
	// files takes a fraction of the time of PostgreSQL 15's default, which
	// writes the small template through the WAL; older servers only copy
	// files and do not know the clause.
	copyStrategy string
)

func adminDB(base string) (*gorm.DB, error) {
	adminOnce.Do(func() {
		admin, adminErr = models.Open(base)
		if adminErr != nil {
			return
		}
		sqlDB, err := admin.DB()
		if err != nil {
			adminErr = err
			return
		}
		sqlDB.SetMaxOpenConns(4)
		var version int
		if err := admin.Raw("SELECT current_setting('server_version_num')::int").Scan(&version).Error; err != nil {
			adminErr = err
			return
		}
		if version >= 150000 {
			copyStrategy = " STRATEGY FILE_COPY"
		}
	})
	return admin, adminErr
}

var (
	mainRunning atomic.Bool
	templates   struct {
		sync.Mutex
		names []string
	}
)

// Main runs the tests, then the after funcs (to release what the package's
// tests share), and then drops the PostgreSQL template databases the tests
// made. It lowers the bcrypt cost for the whole binary first, like Open.
// Call it from the package's TestMain:
//
//	func TestMain(m *testing.M) { dbtest.Main(m) }
func Main(m *testing.M, after ...func()) {
	mainRunning.Store(true)
	// Before any test starts, so parallel tests never race on the cost.
	fastHashing()
	code := m.Run()
	for _, f := range after {
		f()
	}
	if err := dropTemplates(); err != nil {
		fmt.Fprintf(os.Stderr, "dbtest: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

func dropTemplates() error {
	templates.Lock()
	defer templates.Unlock()
	var errs []error
	for _, name := range templates.names {
		errs = append(errs, dropDatabase(admin, name))
	}
	templates.names = nil
	if admin != nil {
		errs = append(errs, models.Close(admin))
	}
	return errors.Join(errs...)
}

// The functions below open databases as they are, without a template and
// without migrating, for tests of the migrations themselves.

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

// OpenEmptyPostgres returns a PostgreSQL schema of the test's own without
// any table.
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

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	return hex.EncodeToString(b)
}
