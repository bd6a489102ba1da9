package models

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// StoredPDF is a rendered document that never changes: a published
// tender's requirement sheet or a closed year's annual report, kept under
// Hash, the SHA-256 of everything its rendering depends on (app/report
// decides what goes into it). A change to any of that gives a new hash, so
// a stored document is never stale; it can only be superseded. Document
// names the document the hash is a version of ("sheet/12"), so that a
// superseded version can be deleted and storage holds one version of each.
type StoredPDF struct {
	Hash      string    `gorm:"primaryKey;size:64"`
	Document  string    `gorm:"size:200;not null;index"`
	Body      []byte    `gorm:"not null"`
	CreatedAt time.Time `gorm:"not null"`
}

// TableName keeps the table name short and plain.
func (StoredPDF) TableName() string { return "stored_pdfs" }

// FindStoredPDF returns the document stored under hash, or ErrNotFound.
func FindStoredPDF(ctx context.Context, db *gorm.DB, hash string) (*StoredPDF, error) {
	var p StoredPDF
	if err := db.WithContext(ctx).Where("hash = ?", hash).Take(&p).Error; err != nil {
		return nil, wrap(err, "find stored pdf %s", hash)
	}
	return &p, nil
}

// StorePDF keeps p unless a document is already stored under p.Hash, and
// returns what is stored under it: p, or the earlier one when another
// process rendered the same document first (two first renders at once both
// succeed and serve the same bytes). It then deletes the other versions of
// p.Document, which the new hash supersedes. Each step is one statement of
// its own: the slow part, rendering, happens before and outside any
// transaction, and a lost delete only leaves an old version for the next
// store to remove.
func StorePDF(ctx context.Context, db *gorm.DB, p *StoredPDF) (*StoredPDF, error) {
	res := db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "hash"}}, DoNothing: true}).Create(p)
	if res.Error != nil {
		return nil, wrap(res.Error, "store pdf %s", p.Hash)
	}
	stored := p
	if res.RowsAffected == 0 {
		var err error
		if stored, err = FindStoredPDF(ctx, db, p.Hash); err != nil {
			return nil, err
		}
	}
	err := db.WithContext(ctx).Where("document = ? AND hash <> ?", p.Document, p.Hash).Delete(&StoredPDF{}).Error
	if err != nil {
		return nil, wrap(err, "delete superseded versions of %s", p.Document)
	}
	return stored, nil
}
