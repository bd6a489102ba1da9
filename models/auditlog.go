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

// protectAuditLog makes the database itself refuse UPDATE and DELETE on
// the audit log, so not even a bug in the app can rewrite history. It is
// idempotent and runs after every migration (an SQLite table rebuild drops
// its triggers). On PostgreSQL an advisory lock keeps two starting
// servers from creating the trigger at the same time.
func protectAuditLog(ctx context.Context, db *gorm.DB) error {
	db = db.WithContext(ctx)
	if db.Name() == "sqlite" {
		for _, op := range []string{"UPDATE", "DELETE"} {
			sql := fmt.Sprintf("CREATE TRIGGER IF NOT EXISTS audit_entries_no_%s BEFORE %s ON audit_entries BEGIN SELECT RAISE(ABORT, '%s'); END",
				strings.ToLower(op), op, errAppendOnly)
			if err := db.Exec(sql).Error; err != nil {
				return wrap(err, "protect audit log")
			}
		}
		return nil
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(7311042)").Error; err != nil {
			return wrap(err, "protect audit log")
		}
		var n int64
		if err := tx.Raw("SELECT COUNT(*) FROM pg_trigger WHERE tgname = 'audit_entries_append_only' AND tgrelid = 'audit_entries'::regclass").Scan(&n).Error; err != nil {
			return wrap(err, "protect audit log")
		}
		if n > 0 {
			return nil
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
	})
}
