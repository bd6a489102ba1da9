package models

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// AuditEntry records one state change: who did what to which record, when,
// and the record before and after (JSON). Entries are only ever inserted,
// in the same transaction as the change; the app offers no way to edit or
// delete them.
type AuditEntry struct {
	ID            uint      `gorm:"primaryKey" json:"id"`
	At            time.Time `gorm:"not null;index" json:"at"`
	ActorID       *uint     `gorm:"index" json:"actor_id"`
	ActorEmail    string    `gorm:"size:254;not null;default:''" json:"actor_email"`
	ActorRole     string    `gorm:"size:20;not null;default:''" json:"actor_role"`
	Action        string    `gorm:"size:50;not null;index" json:"action"`
	ObjectType    string    `gorm:"size:30;not null" json:"object_type"`
	ObjectID      uint      `gorm:"not null" json:"object_id"`
	AttestationID *uint     `gorm:"index" json:"attestation_id,omitempty"`
	TenderID      *uint     `gorm:"index" json:"tender_id,omitempty"`
	Before        string    `gorm:"type:text;not null;default:''" json:"before"`
	After         string    `gorm:"type:text;not null;default:''" json:"after"`
}

// writeAudit inserts e with the actor, time and before/after values (nil
// means none) inside tx, so the entry exists exactly when the change does.
func writeAudit(tx *gorm.DB, by *User, now time.Time, e AuditEntry, before, after any) error {
	e.At = now.UTC()
	if by != nil {
		id := by.ID
		e.ActorID, e.ActorEmail, e.ActorRole = &id, by.Email, by.Role
	}
	var err error
	if e.Before, err = auditJSON(before); err != nil {
		return err
	}
	if e.After, err = auditJSON(after); err != nil {
		return err
	}
	if err := tx.Create(&e).Error; err != nil {
		return wrap(err, "write audit entry %s", e.Action)
	}
	return nil
}

func auditJSON(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", wrap(err, "audit value")
	}
	return string(b), nil
}

// AuditFilter narrows ListAudit; zero values mean no filter.
type AuditFilter struct {
	AttestationID uint
	TenderID      uint
	Action        string
	Limit         int
	Offset        int
}

// CanReadAudit reports whether u may read the audit log: admins and auditors.
func (u *User) CanReadAudit() bool {
	return u != nil && !u.Disabled && (u.Role == RoleAdmin || u.Role == RoleAuditor)
}

// ListAudit returns audit entries, newest first, for a viewer allowed to
// read the log (ErrForbidden otherwise). Limit defaults to 100, at most 1000.
func ListAudit(ctx context.Context, db *gorm.DB, viewer *User, f AuditFilter) ([]AuditEntry, error) {
	if !viewer.CanReadAudit() {
		return nil, wrap(&ForbiddenError{Code: "role"}, "read audit log as %q", roleOf(viewer))
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	q := db.WithContext(ctx).Order("id DESC").Limit(f.Limit).Offset(max(f.Offset, 0))
	if f.AttestationID != 0 {
		q = q.Where("attestation_id = ?", f.AttestationID)
	}
	if f.TenderID != 0 {
		q = q.Where("tender_id = ?", f.TenderID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	var out []AuditEntry
	if err := q.Find(&out).Error; err != nil {
		return nil, wrap(err, "list audit entries")
	}
	return out, nil
}

// errAppendOnly is the message the database gives when anything tries to
// change or delete an audit entry.
const errAppendOnly = "the audit log is append-only"

// auditTriggers are the triggers protectAuditLog creates, per dialect.
var auditTriggers = map[bool][]string{
	true:  {"audit_entries_no_update", "audit_entries_no_delete"},
	false: {"audit_entries_append_only"},
}

// protectAuditLog makes the database itself refuse UPDATE and DELETE on
// the audit log, so not even a bug in the app can rewrite history. It is a
// migration of its own and idempotent: every later migration that touches
// audit_entries calls it again, since an SQLite table rebuild drops the
// table's triggers. It runs inside Migrate's transaction, whose lock keeps
// two starting servers from creating the trigger at the same time.
func protectAuditLog(tx *gorm.DB) error {
	if tx.Name() == "sqlite" {
		for _, op := range []string{"UPDATE", "DELETE"} {
			sql := fmt.Sprintf("CREATE TRIGGER IF NOT EXISTS audit_entries_no_%s BEFORE %s ON audit_entries BEGIN SELECT RAISE(ABORT, '%s'); END",
				strings.ToLower(op), op, errAppendOnly)
			if err := tx.Exec(sql).Error; err != nil {
				return wrap(err, "protect audit log")
			}
		}
		return nil
	}
	if n, err := countAuditTriggers(tx); err != nil || n > 0 {
		return err
	}
	stmts := []string{
		"CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '" + errAppendOnly + "'; END $$",
		"CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()",
	}
	for _, s := range stmts {
		if err := tx.Exec(s).Error; err != nil {
			return wrap(err, "protect audit log")
		}
	}
	return nil
}

// countAuditTriggers counts the triggers of protectAuditLog that exist.
func countAuditTriggers(tx *gorm.DB) (int64, error) {
	sqlite := tx.Name() == "sqlite"
	q := "SELECT COUNT(*) FROM pg_trigger WHERE tgname IN ? AND tgrelid = 'audit_entries'::regclass"
	if sqlite {
		q = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_entries' AND name IN ?"
	}
	var n int64
	if err := tx.Raw(q, auditTriggers[sqlite]).Scan(&n).Error; err != nil {
		return 0, wrap(err, "audit log triggers")
	}
	return n, nil
}

// AuditLogUnprotectedError says that after migrating the audit log lacks
// the triggers that make it append-only: a migration touched audit_entries
// and did not call protectAuditLog, or someone dropped them by hand.
type AuditLogUnprotectedError struct {
	// Found and Want count the triggers.
	Found, Want int64
}

// Error gives the counts.
func (e *AuditLogUnprotectedError) Error() string {
	return fmt.Sprintf("the audit log is not append-only after migrating: %d of its %d triggers exist", e.Found, e.Want)
}

// checkAuditLogProtected returns an AuditLogUnprotectedError unless every
// trigger of protectAuditLog exists. Migrate calls it last, inside its
// transaction, so that no migration can leave the audit log open.
func checkAuditLogProtected(tx *gorm.DB) error {
	n, err := countAuditTriggers(tx)
	if err != nil {
		return err
	}
	if want := int64(len(auditTriggers[tx.Name() == "sqlite"])); n != want {
		return &AuditLogUnprotectedError{Found: n, Want: want}
	}
	return nil
}
