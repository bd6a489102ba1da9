package models_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// dialects open several connection pools to one new database, as several
// processes would.
var dialects = []struct {
	name   string
	shared func(t *testing.T) func() *gorm.DB
}{
	{"on SQLite", func(t *testing.T) func() *gorm.DB {
		path := filepath.Join(t.TempDir(), "tenderprobe.db")
		return func() *gorm.DB { return dbtest.OpenFile(t, path) }
	}},
	{"on PostgreSQL", func(t *testing.T) func() *gorm.DB {
		schema := dbtest.NewPostgresSchema(t)
		return func() *gorm.DB { return dbtest.OpenPostgresSchema(t, schema) }
	}},
}

func recordedMigrations(t *testing.T, db *gorm.DB) []string {
	t.Helper()
	var ids []string
	if err := db.Table("schema_migrations").Order("id").Pluck("id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	return ids
}

// assertAuditLogRefusesChanges checks that the database refuses to change
// or delete the audit entries (there must be some).
func assertAuditLogRefusesChanges(t *testing.T, db *gorm.DB) {
	t.Helper()
	var n int64
	if err := db.Table("audit_entries").Count(&n).Error; err != nil || n == 0 {
		t.Fatalf("%d audit entries (%v): nothing to protect, the check proves nothing", n, err)
	}
	for _, q := range []string{"UPDATE audit_entries SET actor_email = 'someone-else@example.test'", "DELETE FROM audit_entries"} {
		if err := db.Exec(q).Error; err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want the database to refuse", q, err)
		}
	}
}

func TestTheMigrationsMakeEverythingTheModelsDeclare(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		before := schemaOf(t, db)
		if err := db.AutoMigrate(models.Tables...); err != nil {
			t.Fatal(err)
		}
		if diff := diffLines(before, schemaOf(t, db)); diff != "" {
			t.Errorf("the models declare what no migration makes; append a migration to models/migrate.go (- migrations, + models):\n%s", diff)
		}
	})
}

func TestServersStartingAtOnceRunEachMigrationOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			open := d.shared(t)
			var dbs []*gorm.DB
			for range 4 {
				dbs = append(dbs, open())
			}
			start := make(chan struct{})
			errs := make(chan error, len(dbs))
			for _, db := range dbs {
				go func() {
					<-start
					errs <- models.Migrate(ctx, db)
				}()
			}
			close(start)
			for range dbs {
				if err := <-errs; err != nil {
					t.Errorf("a server failed to migrate: %v", err)
				}
			}
			if got, want := recordedMigrations(t, dbs[0]), models.MigrationIDs(); !slices.Equal(got, want) {
				t.Errorf("recorded migrations %v, want each of %v once", got, want)
			}
		})
	}
}

func TestADatabaseOfANewerProgramIsRefused(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		const future = "9999_from_a_newer_tenderprobe"
		if err := db.Exec("INSERT INTO schema_migrations (id) VALUES (?)", future).Error; err != nil {
			t.Fatal(err)
		}
		schema := schemaOf(t, db)
		err := models.MigrateWith(context.Background(), db, &gormigrate.Migration{ID: "0005_not_run", Migrate: func(tx *gorm.DB) error {
			return tx.Exec("CREATE TABLE not_run (id integer)").Error
		}})
		var tooNew *models.SchemaTooNewError
		if !errors.Is(err, models.ErrSchemaTooNew) || !errors.As(err, &tooNew) {
			t.Fatalf("migrating: %v, want a SchemaTooNewError", err)
		}
		if !slices.Equal(tooNew.Unknown, []string{future}) || tooNew.Latest != "0005_not_run" {
			t.Errorf("the error names %v and %s, want [%s] and 0005_not_run", tooNew.Unknown, tooNew.Latest, future)
		}
		if !strings.Contains(err.Error(), future) {
			t.Errorf("the message %q does not name the unknown migration", err)
		}
		if diff := diffLines(schema, schemaOf(t, db)); diff != "" {
			t.Errorf("the refused migration changed the schema:\n%s", diff)
		}
	})
}

func TestAFailedMigrationLeavesTheDatabaseAsItWas(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		boom := errors.New("boom")
		schema, ids := schemaOf(t, db), recordedMigrations(t, db)
		err := models.MigrateWith(context.Background(), db,
			&gormigrate.Migration{ID: "9001_creates_a_table", Migrate: func(tx *gorm.DB) error {
				return tx.Exec("CREATE TABLE scratch (id integer)").Error
			}},
			&gormigrate.Migration{ID: "9002_fails", Migrate: func(*gorm.DB) error { return boom }},
		)
		if !errors.Is(err, boom) {
			t.Fatalf("migrating: %v, want the migration's error", err)
		}
		if diff := diffLines(schema, schemaOf(t, db)); diff != "" {
			t.Errorf("the failed run changed the schema:\n%s", diff)
		}
		if got := recordedMigrations(t, db); !slices.Equal(got, ids) {
			t.Errorf("recorded migrations %v, want %v", got, ids)
		}
	})
}

func TestMigrateRefusesToLeaveTheAuditLogOpen(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		if err := db.Create(&models.AuditEntry{At: time.Now(), Action: "test.entry", ObjectType: "test", ObjectID: 1}).Error; err != nil {
			t.Fatal(err)
		}
		drop := []string{"DROP TRIGGER audit_entries_no_update", "DROP TRIGGER audit_entries_no_delete"}
		if db.Name() != "sqlite" {
			drop = []string{"DROP TRIGGER audit_entries_append_only ON audit_entries"}
		}
		err := models.MigrateWith(context.Background(), db, &gormigrate.Migration{ID: "9001_forgets_the_audit_log", Migrate: func(tx *gorm.DB) error {
			for _, q := range drop {
				if err := tx.Exec(q).Error; err != nil {
					return err
				}
			}
			return nil
		}})
		var open *models.AuditLogUnprotectedError
		if !errors.As(err, &open) || open.Found != 0 {
			t.Fatalf("migrating: %v, want an AuditLogUnprotectedError with no trigger found", err)
		}
		assertAuditLogRefusesChanges(t, db)
	})
}

// Two versions of a parent table whose children cascade on delete. The
// change of column size makes the SQLite migrator rebuild the parent table.
type evoParentV1 struct {
	ID   uint
	Name string     `gorm:"size:10"`
	Kids []evoChild `gorm:"foreignKey:ParentID;constraint:OnDelete:CASCADE"`
}

func (evoParentV1) TableName() string { return "evo_parents" }

type evoParentV2 struct {
	ID   uint
	Name string     `gorm:"size:20;not null;default:''"`
	Kids []evoChild `gorm:"foreignKey:ParentID;constraint:OnDelete:CASCADE"`
}

func (evoParentV2) TableName() string { return "evo_parents" }

type evoChild struct {
	ID       uint
	ParentID uint
}

func TestAMigrationThatRebuildsATableKeepsItsChildren(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.OpenEmpty(t)
	// Several idle connections with foreign keys on from the DSN, as in a
	// server that has been running.
	sqlDB, _ := db.DB()
	sqlDB.SetMaxIdleConns(4)
	var conns []*sql.Conn
	for range 4 {
		c, err := sqlDB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Close()
	}
	list := []*gormigrate.Migration{{ID: "1", Migrate: func(tx *gorm.DB) error { return tx.AutoMigrate(&evoParentV1{}, &evoChild{}) }}}
	if err := models.RunMigrations(ctx, db, list); err != nil {
		t.Fatal(err)
	}
	if err := db.Create(&evoParentV1{Name: "p", Kids: []evoChild{{}, {}}}).Error; err != nil {
		t.Fatal(err)
	}
	list = append(list, &gormigrate.Migration{ID: "2", Migrate: func(tx *gorm.DB) error { return tx.AutoMigrate(&evoParentV2{}, &evoChild{}) }})
	if err := models.RunMigrations(ctx, db, list); err != nil {
		t.Fatal(err)
	}
	var ddl string
	db.Raw("SELECT sql FROM sqlite_master WHERE name = 'evo_parents'").Scan(&ddl)
	if !strings.Contains(ddl, "NOT NULL") {
		t.Fatalf("the table was not rebuilt, so the test proves nothing: %s", ddl)
	}
	var parents, kids int64
	db.Table("evo_parents").Count(&parents)
	db.Model(&evoChild{}).Count(&kids)
	if parents != 1 || kids != 2 {
		t.Errorf("after the migration: %d parents, %d children; want 1 and 2", parents, kids)
	}
	// Every pooled connection has its foreign keys and busy timeout back.
	conns = conns[:0]
	for range 4 {
		c, err := sqlDB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var fk, busy int
		if err := c.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
			t.Errorf("foreign keys are %d after migrating, %v", fk, err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil || busy != 5000 {
			t.Errorf("the busy timeout is %d after migrating, %v", busy, err)
		}
	}
	for _, c := range conns {
		c.Close()
	}
}
