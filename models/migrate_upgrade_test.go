package models_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// earlierDatabases are databases made before migrations were versioned,
// by the AutoMigrate of an older commit, with rows in every table. On
// SQLite they are the fixture files (see testdata/README.md); on
// PostgreSQL the test builds them from the migrations up to through, run
// without being recorded, and the same rows.
var earlierDatabases = []struct {
	name    string
	fixture string
	through string
	rows    []string
}{
	{"a database made at c0512ec, the last commit before migrations", "c0512ec.db", "0002_audit_log_append_only",
		[]string{"rows-c0512ec.sql"}},
	{"a database made at 525319f, with colleague invitations and the last use of API tokens", "525319f.db", "0004_api_tokens_last_used_at",
		[]string{"rows-c0512ec.sql", "rows-525319f.sql"}},
}

// openEarlier returns the earlier database of case i on SQLite (a copy of
// the fixture) or PostgreSQL.
func openEarlier(t *testing.T, i int, postgres bool) *gorm.DB {
	t.Helper()
	c := earlierDatabases[i]
	if !postgres {
		b, err := os.ReadFile(filepath.Join("testdata", c.fixture))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "tenderprobe.db")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return dbtest.OpenFile(t, path)
	}
	db := dbtest.OpenEmptyPostgres(t)
	if err := models.BuildUnversionedSchema(context.Background(), db, c.through); err != nil {
		t.Fatal(err)
	}
	for _, f := range c.rows {
		for _, stmt := range sqlStatements(t, filepath.Join("testdata", f)) {
			if err := db.Exec(stmt).Error; err != nil {
				t.Fatalf("%s: %v\n%s", f, err, stmt)
			}
		}
	}
	// The rows name their ids, which leaves the sequences behind; a real
	// database has them past every id.
	var serial []string
	err := db.Raw("SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'id' AND column_default LIKE 'nextval%'").Scan(&serial).Error
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range serial {
		if err := db.Exec("SELECT setval(pg_get_serial_sequence(?, 'id'), (SELECT MAX(id) FROM "+tb+"))", tb).Error; err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// sqlStatements splits an SQL file of the testdata at semicolons that end
// a line, dropping comment lines.
func sqlStatements(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "--") {
			lines = append(lines, l)
		}
	}
	var out []string
	for _, s := range strings.Split(strings.Join(lines, "\n"), ";\n") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, strings.TrimSuffix(s, ";"))
		}
	}
	return out
}

func TestMigratingAnEarlierDatabaseKeepsEveryRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for i, c := range earlierDatabases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			for _, d := range dialects {
				t.Run(d.name, func(t *testing.T) {
					t.Parallel()
					db := openEarlier(t, i, d.name == "on PostgreSQL")
					columns := columnsOf(t, db)
					before := rowsOf(t, db, columns)
					for tb, rows := range before {
						if len(rows) == 0 {
							t.Errorf("the earlier database has no rows in %s: the test would not notice their loss", tb)
						}
					}

					if err := models.Migrate(ctx, db); err != nil {
						t.Fatalf("migrating: %v", err)
					}
					// The statements PostgreSQL's driver prepared for the
					// first read describe the tables before the migration
					// (a widened column changes the result type); read
					// again on new connections.
					if sqlDB, err := db.DB(); err == nil {
						sqlDB.SetMaxIdleConns(0)
						sqlDB.SetMaxIdleConns(2)
					}

					after := rowsOf(t, db, columns)
					for tb := range before {
						if d := diffLines(before[tb], after[tb]); d != "" {
							t.Errorf("rows of %s changed:\n%s", tb, d)
						}
					}
					if got, want := recordedMigrations(t, db), models.MigrationIDs(); !slices.Equal(got, want) {
						t.Errorf("recorded migrations %v, want %v", got, want)
					}
					fresh := dbtest.OpenEmpty(t)
					if d.name == "on PostgreSQL" {
						fresh = dbtest.OpenEmptyPostgres(t)
					}
					if err := models.Migrate(ctx, fresh); err != nil {
						t.Fatal(err)
					}
					if diff := diffLines(schemaOf(t, fresh), schemaOf(t, db)); diff != "" {
						t.Errorf("the migrated schema differs from that of a new database (- new, + migrated):\n%s", diff)
					}
					assertAuditLogRefusesChanges(t, db)

					// The app reads and writes the old rows.
					if _, err := models.Authenticate(ctx, db, "officer@gemeente.example", "fixture password of 2025"); err != nil {
						t.Errorf("the officer cannot log in with the password of the old hash: %v", err)
					}
					if s, err := models.FindSession(ctx, db, "fixture-session-token", now); err != nil || s.User.Email != "officer@gemeente.example" {
						t.Errorf("the session: %+v, %v", s, err)
					}
					u, err := models.FindAPITokenUser(ctx, db, "fixture-api-token", now)
					if err != nil || u.Email != "officer@gemeente.example" {
						t.Fatalf("the API token: %+v, %v", u, err)
					}
					tokens, err := models.ListAPITokens(ctx, db, u, now)
					if err != nil || len(tokens) != 1 || tokens[0].LastUsedAt == nil || !tokens[0].LastUsedAt.Equal(now) {
						t.Errorf("the API token after its use: %+v, %v; want it last used at %s", tokens, err, now)
					}
					if _, err := models.CreateAPIToken(ctx, db, u.ID, time.Hour, now); err != nil {
						t.Errorf("a new API token: %v", err)
					}
					admin, err := models.FindUserByEmail(ctx, db, "admin@example.test")
					if err != nil {
						t.Fatal(err)
					}
					entries, err := models.ListAudit(ctx, db, admin, models.AuditFilter{})
					if err != nil || len(entries) != 4 || entries[3].Action != "tender.publish" {
						t.Errorf("the audit log: %d entries (%v), want 4, the oldest tender.publish", len(entries), err)
					}
					if c.fixture == "525319f.db" {
						link, err := models.FindInvitationLink(ctx, db, "fixture-colleague-token", now)
						if err != nil || link.Email != "colleague@leverancier.example" || !link.SetsPassword {
							t.Errorf("the colleague invitation: %+v, %v", link, err)
						}
					}

					schema, rows := schemaOf(t, db), rowsOf(t, db, nil)
					if err := models.Migrate(ctx, db); err != nil {
						t.Fatalf("migrating again: %v", err)
					}
					if diff := diffLines(schema, schemaOf(t, db)); diff != "" {
						t.Errorf("migrating again changed the schema:\n%s", diff)
					}
					again := rowsOf(t, db, nil)
					for tb := range rows {
						if d := diffLines(rows[tb], again[tb]); d != "" {
							t.Errorf("migrating again changed the rows of %s:\n%s", tb, d)
						}
					}
					if got, want := recordedMigrations(t, db), models.MigrationIDs(); !slices.Equal(got, want) {
						t.Errorf("after migrating again, recorded migrations %v, want %v", got, want)
					}
				})
			}
		})
	}
}

func TestTheMigrationsBeforeVersioningMakeTheSchemaOfTheirCommit(t *testing.T) {
	t.Parallel()
	for i, c := range earlierDatabases {
		t.Run(c.name, func(t *testing.T) {
			db := dbtest.OpenEmpty(t)
			if err := models.BuildUnversionedSchema(context.Background(), db, c.through); err != nil {
				t.Fatal(err)
			}
			if diff := diffLines(schemaOf(t, openEarlier(t, i, false)), schemaOf(t, db)); diff != "" {
				t.Errorf("the migrations through %s differ from the schema of %s (- fixture, + migrations):\n%s", c.through, c.fixture, diff)
			}
		})
	}
}

// rowsOf reads every row of every table of db, ordered by the first
// column, each as "column=value ..." over the columns it has. Tables and
// columns that only appear after a migration are left out when only is not
// nil: it maps the tables to compare to their columns.
func rowsOf(t *testing.T, db *gorm.DB, only map[string][]string) map[string][]string {
	t.Helper()
	if only == nil {
		only = columnsOf(t, db)
	}
	out := map[string][]string{}
	for tb, cols := range only {
		quoted := make([]string, len(cols))
		for i, c := range cols {
			quoted[i] = `"` + c + `"`
		}
		var rows []map[string]any
		if err := db.Raw(fmt.Sprintf(`SELECT %s FROM "%s" ORDER BY 1`, strings.Join(quoted, ", "), tb)).Scan(&rows).Error; err != nil {
			t.Fatalf("rows of %s: %v", tb, err)
		}
		out[tb] = []string{}
		for _, r := range rows {
			var b strings.Builder
			for _, c := range cols {
				fmt.Fprintf(&b, "%s=%s ", c, valueString(r[c]))
			}
			out[tb] = append(out[tb], strings.TrimSpace(b.String()))
		}
	}
	return out
}

// columnsOf maps every table of db to its columns.
func columnsOf(t *testing.T, db *gorm.DB) map[string][]string {
	t.Helper()
	tables, err := db.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, tb := range tables {
		if strings.HasPrefix(tb, "sqlite_") {
			continue
		}
		types, err := db.Migrator().ColumnTypes(tb)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range types {
			out[tb] = append(out[tb], c.Name())
		}
	}
	return out
}
