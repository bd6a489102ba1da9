package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// SBOM is a software bill of materials uploaded as evidence, parsed once
// at upload. It is kept by the SHA-256 of its file, like the file itself,
// so evidence rows that share the file (later versions of an attestation)
// share its components.
type SBOM struct {
	SHA256 string `gorm:"column:sha256;primaryKey;size:64" json:"sha256"`
	// Format is the code of the file's format (sbom.CycloneDXJSON...).
	Format         string    `gorm:"size:20;not null" json:"format"`
	ComponentCount int       `gorm:"not null" json:"component_count"`
	CreatedAt      time.Time `gorm:"not null" json:"created_at"`
}

// TableName is "sboms".
func (SBOM) TableName() string { return "sboms" }

// SBOMComponent is one component of an SBOM, in document order.
type SBOMComponent struct {
	ID         uint   `gorm:"primaryKey" json:"-"`
	SBOMSHA256 string `gorm:"column:sbom_sha256;size:64;not null" json:"-"`
	Position   int    `gorm:"not null" json:"-"`
	Name       string `gorm:"size:500;not null" json:"name"`
	Version    string `gorm:"size:200;not null;default:''" json:"version,omitempty"`
	PURL       string `gorm:"column:purl;size:1000;not null;default:''" json:"purl,omitempty"`
	Licence    string `gorm:"size:500;not null;default:''" json:"licence,omitempty"`
}

// TableName is "sbom_components".
func (SBOMComponent) TableName() string { return "sbom_components" }

// SBOMData is a parsed SBOM handed to AddFileEvidence.
type SBOMData struct {
	Format     string
	Components []SBOMComponent
}

// saveSBOM stores the components of the file with hash sha unless a file
// with that hash was stored before (the same content parses the same).
func saveSBOM(tx *gorm.DB, sha string, d *SBOMData, now time.Time) error {
	var n int64
	if err := tx.Model(&SBOM{}).Where("sha256 = ?", sha).Count(&n).Error; err != nil {
		return wrap(err, "sbom %s: find", sha)
	}
	if n > 0 {
		return nil
	}
	if err := tx.Create(&SBOM{SHA256: sha, Format: d.Format, ComponentCount: len(d.Components), CreatedAt: now}).Error; err != nil {
		return wrap(err, "sbom %s: create", sha)
	}
	rows := make([]SBOMComponent, len(d.Components))
	for i, c := range d.Components {
		rows[i] = SBOMComponent{SBOMSHA256: sha, Position: i, Name: truncate(c.Name, 500), Version: truncate(c.Version, 200),
			PURL: truncate(c.PURL, 1000), Licence: truncate(c.Licence, 500)}
	}
	if len(rows) > 0 {
		if err := tx.CreateInBatches(rows, 500).Error; err != nil {
			return wrap(err, "sbom %s: components", sha)
		}
	}
	return nil
}

// loadSBOMs fills Evidence.SBOM of the file evidence in ev with one query.
func loadSBOMs(ctx context.Context, db *gorm.DB, ev []*Evidence) error {
	var hashes []string
	for _, e := range ev {
		if e.Kind == EvidenceFile && e.SHA256 != "" {
			hashes = append(hashes, e.SHA256)
		}
	}
	if len(hashes) == 0 {
		return nil
	}
	var found []SBOM
	if err := db.WithContext(ctx).Where("sha256 IN ?", hashes).Find(&found).Error; err != nil {
		return wrap(err, "load sboms")
	}
	by := make(map[string]*SBOM, len(found))
	for i := range found {
		by[found[i].SHA256] = &found[i]
	}
	for _, e := range ev {
		if s, ok := by[e.SHA256]; ok && e.Kind == EvidenceFile {
			e.SBOM = s
		}
	}
	return nil
}

// FindSBOMFor returns evidence evID of attestation attID with its SBOM and
// all its components, if viewer may see that attestation and the evidence
// is an SBOM; ErrNotFound otherwise.
func FindSBOMFor(ctx context.Context, db *gorm.DB, viewer *User, attID, evID uint) (*Evidence, []SBOMComponent, error) {
	ev, err := FindEvidenceFor(ctx, db, viewer, attID, evID)
	if err != nil {
		return nil, nil, err
	}
	if err := loadSBOMs(ctx, db, []*Evidence{ev}); err != nil {
		return nil, nil, err
	}
	if ev.SBOM == nil {
		return nil, nil, wrap(gorm.ErrRecordNotFound, "evidence %d: sbom", evID)
	}
	var comps []SBOMComponent
	if err := db.WithContext(ctx).Where("sbom_sha256 = ?", ev.SHA256).Order("position").Find(&comps).Error; err != nil {
		return nil, nil, wrap(err, "evidence %d: sbom components", evID)
	}
	return ev, comps, nil
}
