package models

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Evidence kinds.
const (
	EvidenceURL  = "url"
	EvidenceFile = "file"
)

// MaxEvidencePerAnswer bounds how much evidence one answer may carry.
const MaxEvidencePerAnswer = 20

// Evidence backs an answer: a URL, or a file stored outside the database
// under the data directory by its SHA-256 (StoragePath is relative to it).
type Evidence struct {
	ID           uint      `gorm:"primaryKey" json:"id"`
	AnswerID     uint      `gorm:"not null;index" json:"answer_id"`
	Answer       *Answer   `gorm:"constraint:OnDelete:CASCADE" json:"-"`
	Kind         string    `gorm:"size:10;not null" json:"kind"`
	URL          string    `gorm:"size:2000;not null;default:''" json:"url,omitempty"`
	FileName     string    `gorm:"size:255;not null;default:''" json:"file_name,omitempty"`
	ContentType  string    `gorm:"size:100;not null;default:''" json:"content_type,omitempty"`
	Size         int64     `gorm:"not null;default:0" json:"size,omitempty"`
	SHA256       string    `gorm:"size:64;not null;default:'';index" json:"sha256,omitempty"`
	StoragePath  string    `gorm:"size:300;not null;default:''" json:"-"`
	UploadedByID uint      `gorm:"not null" json:"uploaded_by_id"`
	UploadedBy   *User     `gorm:"constraint:OnDelete:RESTRICT" json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	// SBOM is set, by the functions that load evidence, when the file is
	// an SBOM whose components were stored at upload.
	SBOM *SBOM `gorm:"-" json:"-"`
}

// loadEvidence fills Evidence of each answer with one query.
func loadEvidence(ctx context.Context, db *gorm.DB, answers []Answer) error {
	if len(answers) == 0 {
		return nil
	}
	ids := make([]uint, len(answers))
	idx := make(map[uint]int, len(answers))
	for i := range answers {
		ids[i], idx[answers[i].ID] = answers[i].ID, i
		answers[i].Evidence = []Evidence{}
	}
	var ev []Evidence
	if err := db.WithContext(ctx).Where("answer_id IN ?", ids).Order("id").Find(&ev).Error; err != nil {
		return wrap(err, "load evidence")
	}
	for _, e := range ev {
		i := idx[e.AnswerID]
		answers[i].Evidence = append(answers[i].Evidence, e)
	}
	var files []*Evidence
	for i := range answers {
		for j := range answers[i].Evidence {
			files = append(files, &answers[i].Evidence[j])
		}
	}
	return loadSBOMs(ctx, db, files)
}

// roomForEvidence refuses one more piece of evidence on answer answerID
// once it has MaxEvidencePerAnswer, naming field (the form's) as the one
// at fault.
func roomForEvidence(tx *gorm.DB, answerID uint, field string) error {
	var n int64
	if err := tx.Model(&Evidence{}).Where("answer_id = ?", answerID).Count(&n).Error; err != nil {
		return wrap(err, "answer %d: count evidence", answerID)
	}
	if n >= MaxEvidencePerAnswer {
		return invalid(field, "too_much_evidence", "max", MaxEvidencePerAnswer)
	}
	return nil
}

// addURLEvidence adds url to answer an unless it is already there.
func addURLEvidence(tx *gorm.DB, by *User, an *Answer, url string, now time.Time) (*Evidence, error) {
	var existing Evidence
	err := tx.Where("answer_id = ? AND kind = ? AND url = ?", an.ID, EvidenceURL, url).Limit(1).Find(&existing).Error
	if err != nil {
		return nil, wrap(err, "answer %d: evidence", an.ID)
	}
	if existing.ID != 0 {
		return &existing, nil
	}
	if err := roomForEvidence(tx, an.ID, "evidence"); err != nil {
		return nil, err
	}
	ev := &Evidence{AnswerID: an.ID, Kind: EvidenceURL, URL: url, UploadedByID: by.ID, CreatedAt: now}
	if err := tx.Omit("Answer", "UploadedBy").Create(ev).Error; err != nil {
		return nil, wrap(err, "answer %d: add evidence", an.ID)
	}
	return ev, nil
}

// FileEvidence describes a file already written to temporary storage.
type FileEvidence struct {
	FileName    string
	ContentType string
	Size        int64
	SHA256      string
	StoragePath string
	// SBOM, when the file is a software bill of materials, holds its
	// parsed components, stored with the evidence.
	SBOM *SBOMData
}

// AddFileEvidence records an uploaded file as evidence of the answer to
// requirement reqID in draft attestation attID. Inside the transaction,
// after the row is written, it calls commit, which must move the file to
// its final place; if commit fails the row is rolled back, and if anything
// fails the caller removes the file, so an upload either fully happens or
// changes nothing.
func AddFileEvidence(ctx context.Context, db *gorm.DB, by *User, attID, reqID uint, f FileEvidence, lockVersion *int, commit func() error, now time.Time) (*Evidence, error) {
	f.FileName = strings.TrimSpace(f.FileName)
	if f.FileName == "" {
		f.FileName = "evidence"
	}
	f.FileName = truncate(f.FileName, 255)
	var out *Evidence
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, an, err := editableAnswer(tx, by, attID, reqID, now)
		if err != nil {
			return err
		}
		if err := an.checkLock(lockVersion); err != nil {
			return err
		}
		if err := roomForEvidence(tx, an.ID, "file"); err != nil {
			return err
		}
		ev := &Evidence{AnswerID: an.ID, Kind: EvidenceFile, FileName: f.FileName, ContentType: f.ContentType,
			Size: f.Size, SHA256: f.SHA256, StoragePath: f.StoragePath, UploadedByID: by.ID, CreatedAt: now}
		if err := tx.Omit("Answer", "UploadedBy").Create(ev).Error; err != nil {
			return wrap(err, "answer %d: add file evidence", an.ID)
		}
		if f.SBOM != nil {
			if err := saveSBOM(tx, f.SHA256, f.SBOM, now); err != nil {
				return err
			}
		}
		if err := bumpAnswer(tx, an.ID, now); err != nil {
			return err
		}
		if err := bumpAttestation(tx, a, now); err != nil {
			return err
		}
		if err := writeAudit(tx, by, now, AuditEntry{Action: "evidence.upload", ObjectType: "evidence", ObjectID: ev.ID, AttestationID: &a.ID, TenderID: &a.TenderID},
			nil, map[string]any{"requirement_id": reqID, "file_name": ev.FileName, "sha256": ev.SHA256, "size": ev.Size, "content_type": ev.ContentType}); err != nil {
			return err
		}
		if err := commit(); err != nil {
			return wrap(err, "store evidence file")
		}
		out = ev
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RemoveEvidence deletes evidence evID from the current draft version of
// attestation attID. The file stays on disk: earlier versions may share it.
func RemoveEvidence(ctx context.Context, db *gorm.DB, by *User, attID, evID uint, now time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := editableBy(tx, by, attID, now)
		if err != nil {
			return err
		}
		var ev Evidence
		err = tx.Joins("JOIN answers ON answers.id = evidence.answer_id").
			Where("evidence.id = ? AND answers.attestation_id = ? AND answers.version = ?", evID, a.ID, a.Version).First(&ev).Error
		if err != nil {
			return wrap(err, "attestation %d: evidence %d", attID, evID)
		}
		if err := tx.Delete(&Evidence{}, ev.ID).Error; err != nil {
			return wrap(err, "remove evidence %d", evID)
		}
		if err := bumpAnswer(tx, ev.AnswerID, now); err != nil {
			return err
		}
		if err := bumpAttestation(tx, a, now); err != nil {
			return err
		}
		return writeAudit(tx, by, now, AuditEntry{Action: "evidence.remove", ObjectType: "evidence", ObjectID: ev.ID, AttestationID: &a.ID, TenderID: &a.TenderID},
			map[string]any{"kind": ev.Kind, "url": ev.URL, "file_name": ev.FileName, "sha256": ev.SHA256}, nil)
	})
}

// FindEvidenceFor returns evidence evID of attestation attID (any version)
// if viewer may see that attestation, and ErrNotFound otherwise.
func FindEvidenceFor(ctx context.Context, db *gorm.DB, viewer *User, attID, evID uint) (*Evidence, error) {
	var a Attestation
	if err := db.WithContext(ctx).Scopes(attestationsVisibleTo(viewer)).First(&a, "attestations.id = ?", attID).Error; err != nil {
		return nil, wrap(err, "find attestation %d", attID)
	}
	var ev Evidence
	err := db.WithContext(ctx).Joins("JOIN answers ON answers.id = evidence.answer_id").
		Where("evidence.id = ? AND answers.attestation_id = ?", evID, a.ID).First(&ev).Error
	if err != nil {
		return nil, wrap(err, "attestation %d: evidence %d", attID, evID)
	}
	return &ev, nil
}

// TableName keeps the table's name singular, as the word is uncountable.
func (Evidence) TableName() string { return "evidence" }
