package models

import "gorm.io/gorm"

// addAuditTrailColumns is the migration of issue 10's audit trail and
// sheet editor: the actor's name at the time and the organisation an audit
// entry concerns, and whether a requirement's note is printed on the sheet.
// Notes written before this migration were printed on the sheet, so they
// stay public; new notes are internal unless the officer says otherwise.
// Adding columns is an ALTER TABLE on both databases (SQLite does not
// rebuild the table), and protectAuditLog runs again all the same.
func addAuditTrailColumns(tx *gorm.DB) error {
	m := tx.Migrator()
	for _, col := range []string{"ActorName", "OrgID"} {
		if !m.HasColumn(&auditEntry0005{}, col) {
			if err := m.AddColumn(&auditEntry0005{}, col); err != nil {
				return wrap(err, "audit_entries: add %s", col)
			}
		}
	}
	if !m.HasIndex(&auditEntry0005{}, "OrgID") {
		if err := m.CreateIndex(&auditEntry0005{}, "OrgID"); err != nil {
			return wrap(err, "audit_entries: index org_id")
		}
	}
	if !m.HasColumn(&requirement0005{}, "NotePublic") {
		if err := m.AddColumn(&requirement0005{}, "NotePublic"); err != nil {
			return wrap(err, "requirements: add note_public")
		}
		if err := tx.Exec("UPDATE requirements SET note_public = ? WHERE note <> ''", true).Error; err != nil {
			return wrap(err, "requirements: existing notes stay public")
		}
	}
	return protectAuditLog(tx)
}

type auditEntry0005 struct {
	ID        uint   `gorm:"primaryKey"`
	ActorName string `gorm:"size:200;not null;default:''"`
	OrgID     *uint  `gorm:"index"`
}

func (auditEntry0005) TableName() string { return "audit_entries" }

type requirement0005 struct {
	ID         uint `gorm:"primaryKey"`
	NotePublic bool `gorm:"not null;default:false"`
}

func (requirement0005) TableName() string { return "requirements" }
