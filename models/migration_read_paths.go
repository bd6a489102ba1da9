package models

import "gorm.io/gorm"

// addReadPaths is the migration of issue 13's page speed:
//   - catalogue_versions.revision counts the changes of a version after
//     its import (AddMissingTranslations), so that every process can keep
//     a decoded version in memory and notice when another one changed it;
//   - idx_probe_runs_latest finds the newest run of an attestation's
//     version in a given state, which the dashboard's contradictions and
//     the verdict pages ask for per attestation;
//   - idx_verifications_run_status finds the contradicted verdicts of those
//     runs (the dashboard's list) without reading every verdict of them.
func addReadPaths(tx *gorm.DB) error {
	if !tx.Migrator().HasColumn(&catalogueVersion0012{}, "Revision") {
		if err := tx.Migrator().AddColumn(&catalogueVersion0012{}, "Revision"); err != nil {
			return wrap(err, "catalogue versions: add revision")
		}
	}
	if !tx.Migrator().HasIndex(&probeRun0012{}, "idx_probe_runs_latest") {
		if err := tx.Migrator().CreateIndex(&probeRun0012{}, "idx_probe_runs_latest"); err != nil {
			return wrap(err, "probe runs: add index")
		}
	}
	if tx.Migrator().HasIndex(&verification0012{}, "idx_verifications_run_status") {
		return nil
	}
	return wrap(tx.Migrator().CreateIndex(&verification0012{}, "idx_verifications_run_status"), "verifications: add index")
}

type verification0012 struct {
	ID     uint   `gorm:"primaryKey"`
	RunID  uint   `gorm:"index:idx_verifications_run_status,priority:1"`
	Status string `gorm:"size:25;index:idx_verifications_run_status,priority:2"`
}

func (verification0012) TableName() string { return "verifications" }

type catalogueVersion0012 struct {
	ID       uint `gorm:"primaryKey"`
	Revision int  `gorm:"not null;default:1"`
}

func (catalogueVersion0012) TableName() string { return "catalogue_versions" }

type probeRun0012 struct {
	ID            uint   `gorm:"primaryKey"`
	AttestationID uint   `gorm:"index:idx_probe_runs_latest,priority:1"`
	Version       int    `gorm:"index:idx_probe_runs_latest,priority:2"`
	Status        string `gorm:"size:20;index:idx_probe_runs_latest,priority:3"`
}

func (probeRun0012) TableName() string { return "probe_runs" }
