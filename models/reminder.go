package models

import (
	"context"
	"slices"
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

// ReminderDays are the reminder stages: on which calendar day before a
// deadline's day the vendors of an unsubmitted attestation are mailed (a
// week, three days and a day before), counted in the tender's zone, so a
// stage starts at midnight there whatever the summer time does.
var ReminderDays = []int{7, 3, 1}

// ReminderStage is the reminder stage t's deadline is in at now: the
// start of the latest stage that has begun (midnight, in the tender's
// zone, of the day that many days before the deadline's day) and its
// number of days. ok is false before the first stage, after the deadline
// and for a tender without one.
func (t *Tender) ReminderStage(now time.Time) (start time.Time, days int, ok bool) {
	if t.Deadline == nil || !now.Before(*t.Deadline) {
		return time.Time{}, 0, false
	}
	d := t.DeadlineIn()
	for _, n := range ReminderDays {
		s := time.Date(d.Year(), d.Month(), d.Day()-n, 0, 0, 0, 0, d.Location())
		if !now.Before(s) {
			start, days, ok = s, n, true
		}
	}
	return start, days, ok
}

// reminderHorizon is further ahead than any deadline in a reminder stage
// can be: the longest stage plus its day, with a day to spare for zones.
func reminderHorizon() time.Duration {
	return time.Duration(slices.Max(ReminderDays)+2) * 24 * time.Hour
}

// Reminder is an unsubmitted attestation that is due for a reminder mail,
// with the enabled vendors of its supplier to mail.
type Reminder struct {
	Attestation Attestation
	Vendors     []User
}

// DueReminderMails returns the draft attestations of open tenders whose
// deadline has entered a reminder stage (Tender.ReminderStage) since
// their last reminder, with the vendors to mail. MarkReminded records that the mail went.
func DueReminderMails(ctx context.Context, db *gorm.DB, now time.Time) ([]Reminder, error) {
	var list []Attestation
	err := db.WithContext(ctx).Preload("Tender").Joins("JOIN tenders ON tenders.id = attestations.tender_id").
		Where("attestations.status = ? AND tenders.status = ?", AttestationDraft, StatusPublished).
		Where("tenders.deadline IS NOT NULL AND tenders.deadline > ? AND tenders.deadline <= ?", now, now.Add(reminderHorizon())).
		Order("tenders.deadline, attestations.id").Find(&list).Error
	if err != nil {
		return nil, wrap(err, "due reminder mails")
	}
	var out []Reminder
	for _, a := range list {
		start, _, ok := a.Tender.ReminderStage(now)
		if !ok || a.RemindedAt != nil && !a.RemindedAt.Before(start) {
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
