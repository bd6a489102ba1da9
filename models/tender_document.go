package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// TenderDocument is one analysis of an uploaded tender document: which
// catalogue standards it requests, mentions or leaves out, and which of
// the relevant ones are missing. The file itself is not kept (a tender
// document is the buyer's, often a draft); Result is the JSON answer the
// API gave, so the analysis reads the same later. Year and OrgID let the
// monitor count analysed documents per buyer per year.
type TenderDocument struct {
	ID         uint   `gorm:"primaryKey" json:"id"`
	OrgID      *uint  `gorm:"index:idx_tender_documents_org_year,priority:1" json:"org_id"`
	Org        *Org   `gorm:"constraint:OnDelete:RESTRICT" json:"-"`
	UploaderID uint   `gorm:"not null;index" json:"uploader_id"`
	Uploader   *User  `gorm:"constraint:OnDelete:RESTRICT" json:"-"`
	Name       string `gorm:"size:255;not null" json:"name"`
	// Format is the code of the file's format (docanalysis.FormatPDF...).
	Format   string   `gorm:"size:10;not null" json:"format"`
	Pages    int      `gorm:"not null;default:0" json:"pages"`
	Language string   `gorm:"size:16;not null" json:"language"`
	Kinds    []string `gorm:"type:text;serializer:json" json:"kinds"`
	// Relevant, Requested and Missing count the relevant standards, the
	// relevant ones the document requests and those it does not.
	Relevant  int    `gorm:"not null;default:0" json:"relevant"`
	Requested int    `gorm:"not null;default:0" json:"requested"`
	Missing   int    `gorm:"not null;default:0" json:"missing"`
	Result    string `gorm:"type:text;not null" json:"-"`
	// Contacts are the e-mail addresses found in the document's text, in
	// the order they first appear: the recipients the page suggests for
	// the mail of the analysis (the text itself is not kept).
	Contacts  []string  `gorm:"type:text;serializer:json" json:"-"`
	Year      int       `gorm:"not null;index:idx_tender_documents_org_year,priority:2" json:"year"`
	CreatedAt time.Time `gorm:"not null" json:"created_at"`
}

// TableName is "tender_documents".
func (TenderDocument) TableName() string { return "tender_documents" }

// MayAnalyseDocuments reports whether u may analyse tender documents:
// officers of a buyer organisation, auditors and admins.
func (u *User) MayAnalyseDocuments() bool {
	if u == nil || u.Disabled {
		return false
	}
	switch u.Role {
	case RoleAdmin, RoleAuditor:
		return true
	case RoleOfficer:
		return u.OrgID != nil
	}
	return false
}

// tenderDocumentsVisibleTo scopes a query to the analyses viewer may
// see: an officer those of the own organisation, admins and auditors all.
func tenderDocumentsVisibleTo(viewer *User) func(*gorm.DB) *gorm.DB {
	return visibleByRole(viewer,
		func(q *gorm.DB, orgID uint) *gorm.DB { return q.Where("tender_documents.org_id = ?", orgID) },
		func(q *gorm.DB, _ uint) *gorm.DB { return q.Where("1 = 0") })
}

// CreateTenderDocument stores an analysis made by uploader at now. The
// organisation is the uploader's.
func CreateTenderDocument(ctx context.Context, db *gorm.DB, uploader *User, d *TenderDocument, now time.Time) error {
	if !uploader.MayAnalyseDocuments() {
		return ErrForbidden
	}
	d.ID = 0
	d.OrgID = uploader.OrgID
	d.UploaderID = uploader.ID
	d.CreatedAt = now.UTC()
	d.Year = now.UTC().Year()
	if err := db.WithContext(ctx).Create(d).Error; err != nil {
		return fmt.Errorf("models: create tender document: %w", wrap(err, "store"))
	}
	return nil
}

// FindTenderDocument returns the analysis id if viewer may see it, else
// ErrNotFound (another organisation's analysis does not exist for them).
func FindTenderDocument(ctx context.Context, db *gorm.DB, viewer *User, id uint) (*TenderDocument, error) {
	if !viewer.MayAnalyseDocuments() {
		return nil, ErrForbidden
	}
	var d TenderDocument
	err := db.WithContext(ctx).Scopes(tenderDocumentsVisibleTo(viewer)).Preload("Uploader").First(&d, id).Error
	if err != nil {
		return nil, wrap(err, "tender document %d", id)
	}
	return &d, nil
}

// ListTenderDocuments returns the newest analyses viewer may see, at most
// limit.
func ListTenderDocuments(ctx context.Context, db *gorm.DB, viewer *User, limit int) ([]TenderDocument, error) {
	if !viewer.MayAnalyseDocuments() {
		return nil, ErrForbidden
	}
	var out []TenderDocument
	err := db.WithContext(ctx).Scopes(tenderDocumentsVisibleTo(viewer)).Omit("Result").
		Preload("Uploader").Order("created_at DESC, id DESC").Limit(limit).Find(&out).Error
	return out, wrap(err, "list tender documents")
}

// StartTenderWith creates a draft tender from in for by and puts the
// standards slugs on its sheet as mandatory requirements, in one
// transaction: either both happen or nothing does. Document analysis
// uses it to turn the missing standards into a tender.
func StartTenderWith(ctx context.Context, db *gorm.DB, by *User, in TenderInput, slugs []string, now time.Time) (*Tender, error) {
	var t *Tender
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if t, err = CreateTender(ctx, tx, by, in, now); err != nil {
			return err
		}
		if len(slugs) == 0 {
			return nil
		}
		_, err = AddRequirements(ctx, tx, by, t.ID, slugs, LevelMandatory, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}
