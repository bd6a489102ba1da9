package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Change stamps tell a page cache whether anything it may show has changed:
// every write to any table, by this process or another sharing the
// database, by Tenderprobe or by hand, raises a number in change_stamps in
// the same transaction as the write. They are kept by triggers in the
// database rather than by GORM callbacks, so no write can miss them: raw
// SQL, foreign-key cascades, a second `serve` process and psql all fire
// them.
//
// On SQLite (one writer at a time) a row trigger adds one to the table's
// single counter row (tx = 0). On PostgreSQL a statement trigger inserts
// one row per table and transaction (tx = the transaction id, ON CONFLICT
// DO NOTHING): inserts of distinct keys never wait for each other, so
// writers of one table are not serialised and no new deadlock is possible,
// as it would be with writers updating shared counter rows in whatever
// order they write their tables. CompactChangeStamps folds committed rows
// into the counter row in one transaction, which leaves every sum as it is.
//
// A stamp is the sum of n over the tables it covers: it grows with every
// committed write and never repeats, so an equal stamp means that no write
// to those tables committed in between.

// changeStampTable is the table of the counters.
const changeStampTable = "change_stamps"

// changeStampTrigger names the triggers (SQLite: with the operation and
// table appended) and PostgreSQL's trigger function.
const changeStampTrigger = "tp_change_stamp"

// ChangeStamp is one row of change_stamps.
type ChangeStamp struct {
	Table string `gorm:"column:table_name;primaryKey;size:100"`
	// Tx is 0 for the counter row, else the PostgreSQL transaction that
	// wrote the table (until CompactChangeStamps folds it in).
	Tx int64 `gorm:"primaryKey;autoIncrement:false"`
	N  int64 `gorm:"not null"`
}

// TableName is change_stamps.
func (ChangeStamp) TableName() string { return changeStampTable }

// UnstampedTables are written by reading a page (a session's or API
// token's last use, login attempts, a PDF stored on its first download)
// and shown by none of the cached pages or stored reports: their writes
// leave PageStamp as it is, or every request would miss.
var UnstampedTables = []string{"sessions", "api_tokens", "login_attempts", "pending_logins", "stored_pdfs", changeStampTable}

// addChangeStamps is migration 0022: the change_stamps table and a
// trigger on every table.
func addChangeStamps(tx *gorm.DB) error {
	if !tx.Migrator().HasTable(&ChangeStamp{}) {
		if err := tx.Migrator().CreateTable(&ChangeStamp{}); err != nil {
			return wrap(err, "create change_stamps")
		}
	}
	return ensureChangeStamps(tx)
}

// stampedTables lists the tables that carry change-stamp triggers: all but
// change_stamps itself and the migrations' record.
func stampedTables(tx *gorm.DB) ([]string, error) {
	var tables []string
	var err error
	if tx.Name() == "sqlite" {
		err = tx.Raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").Scan(&tables).Error
	} else {
		err = tx.Raw("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").Scan(&tables).Error
	}
	if err != nil {
		return nil, wrap(err, "list tables")
	}
	tables = slices.DeleteFunc(tables, func(t string) bool { return t == changeStampTable || t == migrationTable })
	slices.Sort(tables)
	return tables, nil
}

// missingChangeStamps lists the tables that lack their triggers.
func missingChangeStamps(tx *gorm.DB) ([]string, error) {
	tables, err := stampedTables(tx)
	if err != nil {
		return nil, err
	}
	var have []string
	if tx.Name() == "sqlite" {
		// Three triggers per table; a table with all three is complete.
		err = tx.Raw(`SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ? GROUP BY tbl_name HAVING COUNT(*) = 3`,
			changeStampTrigger+"_%").Scan(&have).Error
	} else {
		err = tx.Raw(`SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
			WHERE t.tgname = ? AND c.relnamespace = current_schema()::regnamespace`, changeStampTrigger).Scan(&have).Error
	}
	if err != nil {
		return nil, wrap(err, "list change-stamp triggers")
	}
	return slices.DeleteFunc(tables, func(t string) bool { return slices.Contains(have, t) }), nil
}

// ensureChangeStamps gives every table without them its change-stamp
// triggers. Migrate calls it after the last migration, inside its
// transaction, so a table a later migration creates or rebuilds (SQLite's
// way to alter a column drops the table's triggers) is stamped too.
func ensureChangeStamps(tx *gorm.DB) error {
	if !tx.Migrator().HasTable(&ChangeStamp{}) {
		return nil // before migration 0022
	}
	missing, err := missingChangeStamps(tx)
	if err != nil || len(missing) == 0 {
		return err
	}
	var stmts []string
	if tx.Name() == "sqlite" {
		for _, t := range missing {
			stmts = append(stmts, fmt.Sprintf(`INSERT OR IGNORE INTO change_stamps (table_name, tx, n) VALUES ('%s', 0, 0)`, t))
			for _, op := range []string{"INSERT", "UPDATE", "DELETE"} {
				stmts = append(stmts, fmt.Sprintf(`CREATE TRIGGER IF NOT EXISTS %s_%s_%s AFTER %s ON "%s" BEGIN UPDATE change_stamps SET n = n + 1 WHERE table_name = '%s' AND tx = 0; END`,
					changeStampTrigger, strings.ToLower(op), t, op, t, t))
			}
		}
	} else {
		// The function as the latest migration that changed it wrote it
		// (a table made later must not bring back an older one).
		stmts = append(stmts, changeStampFunction0024)
		for _, t := range missing {
			stmts = append(stmts, fmt.Sprintf(`CREATE TRIGGER %s AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "%s" FOR EACH STATEMENT EXECUTE FUNCTION %s()`,
				changeStampTrigger, t, changeStampTrigger))
		}
	}
	for _, s := range stmts {
		if err := tx.Exec(s).Error; err != nil {
			return wrap(err, "change-stamp triggers")
		}
	}
	return nil
}

// ChangeStampsMissingError says that after migrating some tables lack
// their change-stamp triggers: a cached page could then miss their writes.
type ChangeStampsMissingError struct {
	Tables []string
}

// Error names the tables.
func (e *ChangeStampsMissingError) Error() string {
	return "tables without change-stamp triggers after migrating: " + strings.Join(e.Tables, ", ")
}

// checkChangeStamps installs missing change-stamp triggers and then
// refuses a schema where any table still lacks them.
func checkChangeStamps(tx *gorm.DB) error {
	if err := ensureChangeStamps(tx); err != nil {
		return err
	}
	if !tx.Migrator().HasTable(&ChangeStamp{}) {
		return nil
	}
	missing, err := missingChangeStamps(tx)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return &ChangeStampsMissingError{Tables: missing}
	}
	return nil
}

// pageStamp is the SQL of PageStamp. The table names are this package's
// constants, written out so the expression can stand in a select list
// (FindSession reads it with the session).
var pageStamp = "SELECT COALESCE(SUM(n), 0) FROM " + changeStampTable + " WHERE table_name NOT IN ('" + strings.Join(UnstampedTables, "', '") + "')"

// pageStampColumn is PageStamp as a column of another query.
var pageStampColumn = "(" + pageStamp + ") AS page_stamp"

// PageStamp is the change stamp of every table but UnstampedTables: the
// one cheap query a cached page runs per request when it has no session
// (a session carries it, see Session.PageStamp).
func PageStamp(ctx context.Context, db *gorm.DB) (int64, error) {
	var n int64
	err := db.WithContext(ctx).Raw(pageStamp).Scan(&n).Error
	return n, wrap(err, "page stamp")
}

// ChangeStamps returns the stamp of each table that has one.
func ChangeStamps(ctx context.Context, db *gorm.DB) (map[string]int64, error) {
	var rows []struct {
		TableName string
		N         int64
	}
	err := db.WithContext(ctx).Raw("SELECT table_name, SUM(n) AS n FROM change_stamps GROUP BY table_name").Scan(&rows).Error
	if err != nil {
		return nil, wrap(err, "change stamps")
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.TableName] = r.N
	}
	return out, nil
}

// CompactChangeStamps folds PostgreSQL's committed per-transaction rows
// into each table's counter row, in one statement, so that PageStamp
// stays a scan of a few dozen rows. Every sum stays as it was. SQLite has
// only counter rows.
func CompactChangeStamps(ctx context.Context, db *gorm.DB) error {
	if db.Name() == "sqlite" {
		return nil
	}
	err := db.WithContext(ctx).Exec(`WITH gone AS (DELETE FROM change_stamps WHERE tx <> 0 RETURNING table_name, n)
		INSERT INTO change_stamps (table_name, tx, n) SELECT table_name, 0, SUM(n) FROM gone GROUP BY table_name
		ON CONFLICT (table_name, tx) DO UPDATE SET n = change_stamps.n + excluded.n`).Error
	return wrap(err, "compact change stamps")
}

// FutureDeadlines returns the distinct tender deadlines at or after now,
// soonest first: the instants around which pages that say "due in 5
// hours", list reminders or close a tender change without any write.
func FutureDeadlines(ctx context.Context, db *gorm.DB, now time.Time) ([]time.Time, error) {
	var out []time.Time
	err := db.WithContext(ctx).Model(&Tender{}).Distinct("deadline").
		Where("deadline IS NOT NULL AND deadline >= ?", now).Order("deadline").Pluck("deadline", &out).Error
	return out, wrap(err, "future deadlines")
}
