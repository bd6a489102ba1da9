package models

import "gorm.io/gorm"

// addRunNotMeasured is the migration of honest probe states (issue 10): a
// probe run that could not measure ends as "not_measured", which needs a
// wider status column, and keeps why as a message key with parameters.
func addRunNotMeasured(tx *gorm.DB) error {
	m := tx.Migrator()
	if err := m.AlterColumn(&probeRunHonest{}, "Status"); err != nil {
		return err
	}
	// SQLite alters a column by rebuilding the table, which drops its
	// indexes; make them again (a no-op on PostgreSQL, which kept them).
	for _, ddl := range []string{
		"CREATE UNIQUE INDEX IF NOT EXISTS idx_probe_run_waiting ON probe_runs (queued, queued_for)",
		"CREATE INDEX IF NOT EXISTS idx_probe_runs_attestation_id ON probe_runs (attestation_id)",
		"CREATE INDEX IF NOT EXISTS idx_probe_runs_created_at ON probe_runs (created_at)",
		"CREATE INDEX IF NOT EXISTS idx_probe_runs_lease_until ON probe_runs (lease_until)",
		"CREATE INDEX IF NOT EXISTS idx_probe_runs_status ON probe_runs (status)",
	} {
		if err := tx.Exec(ddl).Error; err != nil {
			return err
		}
	}
	for _, col := range []string{"NotMeasuredCode", "NotMeasuredParams"} {
		if m.HasColumn(&probeRunHonest{}, col) {
			continue
		}
		if err := m.AddColumn(&probeRunHonest{}, col); err != nil {
			return err
		}
	}
	return nil
}

type probeRunHonest struct {
	ID                uint   `gorm:"primaryKey"`
	Status            string `gorm:"size:20;not null;index"`
	NotMeasuredCode   string `gorm:"size:40;not null;default:''"`
	NotMeasuredParams string `gorm:"type:text;not null;default:''"`
}

func (probeRunHonest) TableName() string { return "probe_runs" }
