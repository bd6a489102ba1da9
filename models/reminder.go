package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// DueReminders returns the draft attestations of vendor's org whose
// tender deadline falls within the next window after now, soonest first.
func DueReminders(ctx context.Context, db *gorm.DB, vendor *User, window time.Duration, now time.Time) ([]Attestation, error) {
	if vendor == nil || vendor.Role != RoleVendor || vendor.OrgID == nil {
		return nil, nil
	}
	var out []Attestation
	err := db.WithContext(ctx).Preload("Tender").Joins("JOIN tenders ON tenders.id = attestations.tender_id").
		Where("attestations.supplier_org_id = ? AND attestations.status = ? AND tenders.status = ?", *vendor.OrgID, AttestationDraft, StatusPublished).
		Where("tenders.deadline IS NOT NULL AND tenders.deadline > ? AND tenders.deadline <= ?", now, now.Add(window)).
		Order("tenders.deadline").Find(&out).Error
	if err != nil {
		return nil, wrap(err, "due reminders")
	}
	return out, nil
}

// ReminderStages are how long before a deadline the vendors of an
// unsubmitted attestation are mailed: a week, three days and a day.
var ReminderStages = []time.Duration{7 * 24 * time.Hour, 3 * 24 * time.Hour, 24 * time.Hour}

// Reminder is an unsubmitted attestation that is due for a reminder mail,
// with the enabled vendors of its supplier to mail.
type Reminder struct {
	Attestation Attestation
	Vendors     []User
}

// DueReminderMails returns the draft attestations of open tenders whose
// deadline has entered a reminder stage since their last reminder, with
// the vendors to mail. MarkReminded records that the mail went.
func DueReminderMails(ctx context.Context, db *gorm.DB, now time.Time) ([]Reminder, error) {
	var list []Attestation
	err := db.WithContext(ctx).Preload("Tender").Joins("JOIN tenders ON tenders.id = attestations.tender_id").
		Where("attestations.status = ? AND tenders.status = ?", AttestationDraft, StatusPublished).
		Where("tenders.deadline IS NOT NULL AND tenders.deadline > ? AND tenders.deadline <= ?", now, now.Add(ReminderStages[0])).
		Order("tenders.deadline, attestations.id").Find(&list).Error
	if err != nil {
		return nil, wrap(err, "due reminder mails")
	}
	var out []Reminder
	for _, a := range list {
		deadline := *a.Tender.Deadline
		var stage time.Duration
		for _, s := range ReminderStages {
			if deadline.Sub(now) <= s {
				stage = s
			}
		}
		if a.RemindedAt != nil && !a.RemindedAt.Before(deadline.Add(-stage)) {
			continue
		}
		var vendors []User
		if err := db.WithContext(ctx).Where("org_id = ? AND role = ? AND NOT disabled", a.SupplierOrgID, RoleVendor).Order("id").Find(&vendors).Error; err != nil {
			return nil, wrap(err, "vendors of org %d", a.SupplierOrgID)
		}
		out = append(out, Reminder{Attestation: a, Vendors: vendors})
	}
	return out, nil
}

// MarkReminded records that the vendors of attestation id were reminded at now.
func MarkReminded(ctx context.Context, db *gorm.DB, id uint, now time.Time) error {
	err := db.WithContext(ctx).Model(&Attestation{}).Where("id = ?", id).Update("reminded_at", now.UTC()).Error
	return wrap(err, "attestation %d: mark reminded", id)
}
