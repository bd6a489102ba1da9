package models

import (
	"time"

	"gorm.io/gorm"
)

// addSBOMs is the migration of issue 17's SBOM evidence: the components
// of each uploaded SBOM, parsed once at upload and kept by the SHA-256 of
// the file (SBOM, SBOMComponent).
func addSBOMs(tx *gorm.DB) error {
	if !tx.Migrator().HasTable(&sbom0016{}) {
		if err := tx.Migrator().CreateTable(&sbom0016{}); err != nil {
			return wrap(err, "create sboms")
		}
	}
	if !tx.Migrator().HasTable(&sbomComponent0016{}) {
		if err := tx.Migrator().CreateTable(&sbomComponent0016{}); err != nil {
			return wrap(err, "create sbom_components")
		}
	}
	return nil
}

type sbom0016 struct {
	SHA256         string    `gorm:"column:sha256;primaryKey;size:64"`
	Format         string    `gorm:"size:20;not null"`
	ComponentCount int       `gorm:"not null"`
	CreatedAt      time.Time `gorm:"not null"`
}

func (sbom0016) TableName() string { return "sboms" }

type sbomComponent0016 struct {
	ID         uint      `gorm:"primaryKey"`
	SBOMSHA256 string    `gorm:"column:sbom_sha256;size:64;not null;index:idx_sbom_components_position,priority:1"`
	SBOM       *sbom0016 `gorm:"foreignKey:SBOMSHA256;references:SHA256;constraint:OnDelete:CASCADE"`
	Position   int       `gorm:"not null;index:idx_sbom_components_position,priority:2"`
	Name       string    `gorm:"size:500;not null"`
	Version    string    `gorm:"size:200;not null;default:''"`
	PURL       string    `gorm:"column:purl;size:1000;not null;default:''"`
	Licence    string    `gorm:"size:500;not null;default:''"`
}

func (sbomComponent0016) TableName() string { return "sbom_components" }
