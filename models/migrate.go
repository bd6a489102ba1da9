package models

// The schema is made by an ordered list of migrations, each with a stable
// id, recorded in the table schema_migrations once it has run. Migrate runs
// the ones the database has not recorded, in order, in one transaction, so
// a failed upgrade leaves the schema as it was.
//
// Changing the schema means appending a migration to the end of
// migrations, never editing or reordering one that has been released:
// databases in the field have recorded its id and will not run it again.
// A migration never uses the current model structs, which keep changing;
// it uses explicit DDL that works on SQLite and PostgreSQL, or frozen
// copies of the structs defined next to it (see migration_baseline.go).
// A migration that creates, rebuilds or alters audit_entries calls
// protectAuditLog at its end: an SQLite table rebuild drops the triggers,
// and Migrate refuses to finish without them. A test fails when the
// models declare a table, column, index or constraint that no migration
// makes.
//
// The list is run by gormigrate (github.com/go-gormigrate/gormigrate/v2),
// told to use the transaction Migrate opens. Migrate adds what gormigrate
// leaves to its caller: a PostgreSQL advisory lock so that several serve
// processes starting at once on one database run the list once, the
// foreign-keys-off dance SQLite needs to rebuild a table, and a clear error
// for a database a newer Tenderprobe has migrated.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationTable records the id of every migration that has run.
const migrationTable = "schema_migrations"

// migrations is the history of the schema, oldest first. Append only.
var migrations = []*gormigrate.Migration{
	{ID: "0001_baseline_c0512ec", Migrate: migrateBaseline},
	{ID: "0002_audit_log_append_only", Migrate: protectAuditLog},
	{ID: "0003_colleague_invitations", Migrate: createColleagueInvitations},
	{ID: "0004_api_tokens_last_used_at", Migrate: addAPITokenLastUsedAt},
	{ID: "0005_probe_run_not_measured", Migrate: addRunNotMeasured},
	{ID: "0006_audit_trail_and_public_notes", Migrate: addAuditTrailColumns},
	{ID: "0007_tender_language", Migrate: addTenderLanguage},
	{ID: "0008_user_language_and_zone", Migrate: addUserPreferences},
	{ID: "0009_org_zone_and_deadline_zone", Migrate: addTimeZones},
	{ID: "0010_standard_translations", Migrate: addStandardTranslations},
	{ID: "0011_pdf_store", Migrate: addPDFStore},
	{ID: "0012_read_paths", Migrate: addReadPaths},
	{ID: "0013_second_factor", Migrate: addSecondFactor},
	{ID: "0014_single_sign_on", Migrate: addSingleSignOn},
	{ID: "0015_passkeys", Migrate: addPasskeys},
	{ID: "0016_sbom", Migrate: addSBOMs},
	{ID: "0017_answer_library", Migrate: addAnswerLibrary},
	{ID: "0018_self_check", Migrate: addSelfCheck},
	{ID: "0019_shared_links", Migrate: addSharedLinks},
	{ID: "0020_tender_documents", Migrate: addTenderDocuments},
	{ID: "0021_monitor", Migrate: addMonitor},
	{ID: "0022_change_stamps", Migrate: addChangeStamps},
	{ID: "0023_analysis_mail", Migrate: addAnalysisMail},
	{ID: "0024_change_feed", Migrate: addChangeFeed},
	{ID: "0025_org_name_keys", Migrate: addOrgNameKeys},
}

// Tables lists every model that has a table, in an order where each table
// comes after the tables it references. The migrations make the schema; a
// test checks that after them these models find nothing to add.
var Tables = []any{
	&Org{},
	&User{},
	&CatalogueVersion{},
	&Standard{},
	&Tender{},
	&Requirement{},
	&Session{},
	&APIToken{},
	&PendingLogin{},
	&SSOProvider{},
	&SSODomain{},
	&SSOLogin{},
	&SSOSignOut{},
	&RecoveryCode{},
	&Passkey{},
	&PasskeyChallenge{},
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
	&StoredPDF{},
	&SBOM{},
	&SBOMComponent{},
	&SharedLink{},
	&StandingAnswer{},
	&StandingEvidence{},
	&StandingReminder{},
	&TenderDocument{},
	&TenderOmission{},
	&ChangeStamp{},
	&AnalysisMail{},
	&AnalysisMailLimit{},
}

// SchemaVersion returns the id of the last migration this program knows:
// the schema version Migrate brings a database to.
func SchemaVersion() string {
	return migrations[len(migrations)-1].ID
}

// ErrSchemaTooNew is matched by every SchemaTooNewError.
var ErrSchemaTooNew = errors.New("the database was migrated by a newer Tenderprobe")

// SchemaTooNewError says that the database has recorded migrations this
// program does not have: a newer Tenderprobe migrated it, and an older one
// must not run on a schema it does not know.
type SchemaTooNewError struct {
	// Unknown holds the recorded migration ids this program lacks.
	Unknown []string
	// Latest is the last migration this program has.
	Latest string
}

// Error names the unknown migrations and the program's own schema version.
func (e *SchemaTooNewError) Error() string {
	return fmt.Sprintf("%s: it records migrations %s; this program knows up to %s",
		ErrSchemaTooNew, strings.Join(e.Unknown, ", "), e.Latest)
}

// Is makes errors.Is(err, ErrSchemaTooNew) true.
func (e *SchemaTooNewError) Is(target error) bool { return target == ErrSchemaTooNew }

// migrateLockClass is the first key of the PostgreSQL advisory lock taken
// while migrating; the second is a hash of the schema, so that databases
// in different schemas of one server (the tests') do not wait for each other.
const migrateLockClass = 7311042

// Migrate brings the schema up to date by running, in order, every
// migration the database has not recorded yet. It refuses a database that
// records a migration this program does not know (SchemaTooNewError).
func Migrate(ctx context.Context, db *gorm.DB) error {
	return runMigrations(ctx, db, migrations, checkSchema)
}

// checkSchema runs, last inside Migrate's transaction, the checks no
// migration may leave broken: the audit log is append-only and every
// table stamps its changes.
func checkSchema(tx *gorm.DB) error {
	if err := checkAuditLogProtected(tx); err != nil {
		return err
	}
	return checkChangeStamps(tx)
}

// runMigrations runs list on db in one transaction and calls check, when
// not nil, inside it after the last migration.
func runMigrations(ctx context.Context, db *gorm.DB, list []*gormigrate.Migration, check func(tx *gorm.DB) error) error {
	db = db.WithContext(ctx)
	run := func(tx *gorm.DB) error {
		if err := refuseUnknownMigrations(tx, list); err != nil {
			return err
		}
		m := gormigrate.New(tx, &gormigrate.Options{
			TableName:    migrationTable,
			IDColumnName: "id",
			IDColumnSize: 255,
			// The transaction is ours: it also holds the lock.
			UseTransaction: false,
		}, list)
		if err := m.Migrate(); err != nil {
			return err
		}
		if check != nil {
			return check(tx)
		}
		return nil
	}
	var err error
	if db.Name() == "sqlite" {
		err = migrateSQLite(ctx, db, run)
	} else {
		err = db.Transaction(func(tx *gorm.DB) error {
			// Held until the transaction ends. A second process waits
			// here, then finds the migrations recorded and runs none.
			err := tx.Exec("SELECT pg_advisory_xact_lock(?, hashtext(coalesce(current_schema(), '')))", migrateLockClass).Error
			if err != nil {
				return err
			}
			return run(tx)
		})
	}
	if err != nil {
		return fmt.Errorf("models: migrate: %w", err)
	}
	return nil
}

// migrationBusyTimeout is how long, in milliseconds, an SQLite migration
// waits for the write lock: another process may be migrating, which takes
// longer than the few seconds a request should wait.
const migrationBusyTimeout = 10 * 60 * 1000

// migrateSQLite runs run in a transaction on one pinned connection with
// foreign keys off. SQLite cannot alter a column, so the migrator rebuilds
// the table and drops the old one; with foreign keys on, that drop would
// first delete the rows of every child table declared ON DELETE CASCADE.
// The pragma is per connection and does nothing inside a transaction, so
// it is set before BEGIN and the foreign keys are checked before COMMIT.
// BEGIN takes the write lock (immediate transactions, from the DSN), which
// keeps two processes from migrating at once.
func migrateSQLite(ctx context.Context, db *gorm.DB, run func(tx *gorm.DB) error) error {
	return db.Connection(func(conn *gorm.DB) error {
		// A new session, so that each statement below starts afresh on the
		// pinned connection instead of piling up in one gorm statement.
		conn = conn.Session(&gorm.Session{})
		var busy int
		if err := conn.Raw("PRAGMA busy_timeout").Scan(&busy).Error; err != nil {
			return err
		}
		if err := conn.Exec("PRAGMA foreign_keys = OFF").Error; err != nil {
			return err
		}
		// Without the caller's cancellation: the connection goes back to
		// the pool and must not stay without foreign keys.
		defer conn.WithContext(context.WithoutCancel(ctx)).Exec(fmt.Sprintf("PRAGMA busy_timeout = %d", busy))
		defer conn.WithContext(context.WithoutCancel(ctx)).Exec("PRAGMA foreign_keys = ON")
		if err := conn.Exec(fmt.Sprintf("PRAGMA busy_timeout = %d", migrationBusyTimeout)).Error; err != nil {
			return err
		}
		return conn.Transaction(func(tx *gorm.DB) error {
			if err := run(tx); err != nil {
				return err
			}
			var broken []map[string]any
			if err := tx.Raw("PRAGMA foreign_key_check").Scan(&broken).Error; err != nil {
				return err
			}
			if len(broken) > 0 {
				return fmt.Errorf("%d rows violate foreign keys after migrating, first: %v", len(broken), broken[0])
			}
			return nil
		})
	})
}

// refuseUnknownMigrations returns a SchemaTooNewError when the database
// records a migration that is not in list.
func refuseUnknownMigrations(tx *gorm.DB, list []*gormigrate.Migration) error {
	if !tx.Migrator().HasTable(migrationTable) {
		return nil
	}
	var recorded []string
	if err := tx.Table(migrationTable).Order("id").Pluck("id", &recorded).Error; err != nil {
		return err
	}
	var unknown []string
	for _, id := range recorded {
		if !slices.ContainsFunc(list, func(m *gormigrate.Migration) bool { return m.ID == id }) {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) > 0 {
		return &SchemaTooNewError{Unknown: unknown, Latest: list[len(list)-1].ID}
	}
	return nil
}
