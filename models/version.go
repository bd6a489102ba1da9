package models

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"tenderprobe/app/receipt"
)

// receiptDocument builds the declaration of version sub.Version of
// attestation attID from the database rows, with the submission's
// declarer, submitter and time.
func receiptDocument(tx *gorm.DB, attID uint, sub *Submission, submitterEmail string) (receipt.Document, error) {
	var a Attestation
	if err := tx.Preload("Tender").Preload("SupplierOrg").First(&a, attID).Error; err != nil {
		return receipt.Document{}, wrap(err, "attestation %d", attID)
	}
	answers, err := versionAnswers(tx, attID, sub.Version)
	if err != nil {
		return receipt.Document{}, err
	}
	if err := loadEvidence(tx.Statement.Context, tx, answers); err != nil {
		return receipt.Document{}, err
	}
	var scope []ScopeDomain
	if err := tx.Where("attestation_id = ? AND version = ?", attID, sub.Version).Order("kind, position").Find(&scope).Error; err != nil {
		return receipt.Document{}, wrap(err, "attestation %d: scope", attID)
	}
	doc := receipt.Document{
		AttestationID: a.ID, Version: sub.Version, TenderID: a.TenderID,
		Declarer: sub.Declarer, SubmittedByID: sub.SubmittedByID, SubmittedBy: submitterEmail,
		SubmittedAt: receipt.TimeString(sub.SubmittedAt),
	}
	if a.Tender != nil {
		doc.TenderReference, doc.TenderTitle = a.Tender.Reference, a.Tender.Title
	}
	if a.SupplierOrg != nil {
		doc.SupplierOrgID, doc.SupplierName = a.SupplierOrg.ID, a.SupplierOrg.Name
	}
	for _, an := range answers {
		da := receipt.DocumentAnswer{RequirementID: an.RequirementID, Status: an.Status, Explanation: an.Explanation, PlannedDate: an.PlannedDate}
		if an.Requirement != nil {
			da.Level = an.Requirement.Level
			if an.Requirement.Standard != nil {
				da.Standard = an.Requirement.Standard.Slug
			}
		}
		for _, ev := range an.Evidence {
			da.Evidence = append(da.Evidence, receipt.DocumentEvidence{Kind: ev.Kind, URL: ev.URL, FileName: ev.FileName, SHA256: ev.SHA256, Size: ev.Size})
		}
		doc.Answers = append(doc.Answers, da)
	}
	for _, d := range scope {
		switch d.Kind {
		case ScopeWeb:
			doc.Scope.Web = append(doc.Scope.Web, d.Name)
		case ScopeManagement:
			doc.Scope.Management = append(doc.Scope.Management, d.Name)
		default:
			doc.Scope.Mail = append(doc.Scope.Mail, d.Name)
		}
	}
	return doc, nil
}

// VersionDocument returns the declaration of a submitted version as the
// database holds it now (for comparing versions and verifying receipts).
func VersionDocument(ctx context.Context, db *gorm.DB, attID uint, version int) (receipt.Document, *Submission, error) {
	var sub Submission
	if err := db.WithContext(ctx).Preload("SubmittedBy").Where("attestation_id = ? AND version = ?", attID, version).First(&sub).Error; err != nil {
		return receipt.Document{}, nil, wrap(err, "attestation %d: receipt of version %d", attID, version)
	}
	email := ""
	if sub.SubmittedBy != nil {
		email = sub.SubmittedBy.Email
	}
	doc, err := receiptDocument(db.WithContext(ctx), attID, &sub, email)
	if err != nil {
		return receipt.Document{}, nil, err
	}
	return doc, &sub, nil
}

// VerifyReceipt re-computes the receipt of version (0 means the latest
// submitted one) of attestation attID from the rows in the database and
// compares it with the receipt stored at submission.
func VerifyReceipt(ctx context.Context, db *gorm.DB, attID uint, version int) (receipt.Verification, *Submission, error) {
	if version == 0 {
		var sub Submission
		if err := db.WithContext(ctx).Where("attestation_id = ?", attID).Order("version DESC").First(&sub).Error; err != nil {
			return receipt.Verification{}, nil, wrap(err, "attestation %d: latest receipt", attID)
		}
		version = sub.Version
	}
	doc, sub, err := VersionDocument(ctx, db, attID, version)
	if err != nil {
		return receipt.Verification{}, nil, err
	}
	v, err := receipt.Verify(sub.Receipt, []byte(sub.Canonical), doc)
	if err != nil {
		return receipt.Verification{}, nil, err
	}
	return v, sub, nil
}

// VersionChanges lists what changed from version-1 to version of
// attestation attID. The later version may be the current draft, whose
// declaration has no declarer or time yet.
func VersionChanges(ctx context.Context, db *gorm.DB, attID uint, version int) ([]receipt.Change, error) {
	if version <= 1 {
		return nil, nil
	}
	prev, _, err := VersionDocument(ctx, db, attID, version-1)
	if err != nil {
		return nil, err
	}
	var sub Submission
	err = db.WithContext(ctx).Where("attestation_id = ? AND version = ?", attID, version).First(&sub).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		sub = Submission{Version: version, Declarer: prev.Declarer}
	} else if err != nil {
		return nil, wrap(err, "attestation %d: version %d", attID, version)
	}
	cur, err := receiptDocument(db.WithContext(ctx), attID, &sub, "")
	if err != nil {
		return nil, err
	}
	return receipt.Changes(prev, cur), nil
}

// LoadVersion replaces the loaded answers (with evidence) and scope of a by
// those of version, for reading an earlier version. ErrNotFound when the
// attestation has no such version.
func LoadVersion(ctx context.Context, db *gorm.DB, a *Attestation, version int) error {
	if version < 1 || version > a.Version {
		return wrap(ErrNotFound, "attestation %d: version %d", a.ID, version)
	}
	answers, err := versionAnswers(db.WithContext(ctx), a.ID, version)
	if err != nil {
		return err
	}
	if err := loadEvidence(ctx, db, answers); err != nil {
		return err
	}
	var scope []ScopeDomain
	if err := db.WithContext(ctx).Where("attestation_id = ? AND version = ?", a.ID, version).Order("kind, position").Find(&scope).Error; err != nil {
		return wrap(err, "attestation %d: scope of version %d", a.ID, version)
	}
	a.Answers, a.Scope = answers, scope
	return nil
}
