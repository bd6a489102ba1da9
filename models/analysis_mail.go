package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// AnalysisMailInterval is how long after a mail of an analysis to a
// recipient the next mail of that analysis to that recipient waits.
const AnalysisMailInterval = 10 * time.Minute

// AnalysisMailsPerDay bounds the analysis mails one person sends in 24
// hours, whatever the analyses and recipients: the per-recipient interval
// alone let a new analysis, one small upload, reach yet another address
// from the instance's sender.
const AnalysisMailsPerDay = 50

// AnalysisMail records one mail that told a tender's contact the result
// of an analysis: of an uploaded document (DocumentID) or of a tender
// built in Tenderprobe (TenderID). Only mails the relay accepted are
// recorded. ContentHash is the SHA-256 of what was sent (recipient,
// language, subject and text), the hash the sender previewed.
type AnalysisMail struct {
	ID         uint            `gorm:"primaryKey" json:"id"`
	DocumentID *uint           `gorm:"index" json:"document_id,omitempty"`
	Document   *TenderDocument `gorm:"constraint:OnDelete:CASCADE" json:"-"`
	TenderID   *uint           `gorm:"index" json:"tender_id,omitempty"`
	Tender     *Tender         `gorm:"constraint:OnDelete:CASCADE" json:"-"`
	// OrgID is the organisation that owns the analysis (the document's
	// or the tender's buyer); nil for a document an admin analysed.
	OrgID       *uint     `gorm:"index" json:"org_id,omitempty"`
	Org         *Org      `gorm:"constraint:OnDelete:RESTRICT" json:"-"`
	SenderID    uint      `gorm:"not null;index" json:"sender_id"`
	Sender      *User     `gorm:"constraint:OnDelete:RESTRICT" json:"-"`
	Recipient   string    `gorm:"size:254;not null" json:"to"`
	Language    string    `gorm:"size:16;not null" json:"language"`
	Subject     string    `gorm:"size:400;not null" json:"subject"`
	ContentHash string    `gorm:"size:64;not null" json:"content_hash"`
	SentAt      time.Time `gorm:"not null" json:"sent_at"`
}

// TableName is "analysis_mails".
func (AnalysisMail) TableName() string { return "analysis_mails" }

// AnalysisMailLimit holds, per analysis and recipient, until when no
// further mail may go: the rate limit lives in the database so that every
// serve process keeps it. A row is claimed with one statement before the
// mail is sent and released when the relay refused it.
type AnalysisMailLimit struct {
	// Target names the analysis: "document:<id>" or "tender:<id>".
	Target    string    `gorm:"primaryKey;size:40"`
	Recipient string    `gorm:"primaryKey;size:254"`
	HeldUntil time.Time `gorm:"not null"`
}

// TableName is "analysis_mail_limits".
func (AnalysisMailLimit) TableName() string { return "analysis_mail_limits" }

// MayMailAnalyses reports whether u may mail the result of an analysis to
// a tender's contact: whoever may see analyses (officers of a buyer for
// their organisation's, auditors and admins for all). Judging tenders and
// telling buyers the verdict is the monitor's job, which is an auditor's,
// so auditors may send although they change nothing else.
func (u *User) MayMailAnalyses() bool { return u.MayAnalyseDocuments() }

// AnalysisTarget names the analysis a mail is about: exactly one of
// DocumentID and TenderID is set.
type AnalysisTarget struct {
	DocumentID *uint
	TenderID   *uint
	// OrgID is the owner of the analysis.
	OrgID *uint
}

// DocumentTarget is the analysis of the uploaded document d.
func DocumentTarget(d *TenderDocument) AnalysisTarget {
	id := d.ID
	return AnalysisTarget{DocumentID: &id, OrgID: d.OrgID}
}

// TenderTarget is the analysis of the platform tender t.
func TenderTarget(t *Tender) AnalysisTarget {
	id, org := t.ID, t.BuyerOrgID
	return AnalysisTarget{TenderID: &id, OrgID: &org}
}

// key is the target as AnalysisMailLimit stores it.
func (t AnalysisTarget) key() string {
	if t.DocumentID != nil {
		return fmt.Sprintf("document:%d", *t.DocumentID)
	}
	if t.TenderID != nil {
		return fmt.Sprintf("tender:%d", *t.TenderID)
	}
	return ""
}

// scope limits a query of analysis_mails to the target's mails.
func (t AnalysisTarget) scope(q *gorm.DB) *gorm.DB {
	if t.DocumentID != nil {
		return q.Where("document_id = ?", *t.DocumentID)
	}
	if t.TenderID != nil {
		return q.Where("tender_id = ?", *t.TenderID)
	}
	return q.Where("1 = 0")
}

// MailLimitedError says that the analysis was mailed to the recipient
// less than AnalysisMailInterval ago (429): the next may go at Until.
type MailLimitedError struct {
	Until time.Time
	// Wait is how long from the attempt until then.
	Wait time.Duration
}

// Error returns a developer's summary.
func (e *MailLimitedError) Error() string {
	return "analysis mail rate-limited until " + e.Until.UTC().Format(time.RFC3339)
}

// CheckAnalysisMailQuota returns a *MailLimitedError when by has sent
// AnalysisMailsPerDay analysis mails in the 24 hours before now; the next
// may go once the oldest of them is a day old.
func CheckAnalysisMailQuota(ctx context.Context, db *gorm.DB, by *User, now time.Time) error {
	since := now.UTC().Add(-24 * time.Hour)
	var sent []time.Time
	err := db.WithContext(ctx).Model(&AnalysisMail{}).Where("sender_id = ? AND sent_at > ?", by.ID, since).
		Order("sent_at").Limit(AnalysisMailsPerDay).Pluck("sent_at", &sent).Error
	if err != nil {
		return wrap(err, "analysis mails of user %d", by.ID)
	}
	if len(sent) < AnalysisMailsPerDay {
		return nil
	}
	until := sent[0].UTC().Add(24 * time.Hour)
	return fmt.Errorf("models: analysis mails of user %d: %w", by.ID, &MailLimitedError{Until: until, Wait: until.Sub(now)})
}

// MailClaim is a won claim on the rate limit, to be released if the mail
// could not be sent.
type MailClaim struct {
	target, recipient string
	at, until         time.Time
}

// limitTime is t as both databases keep it (microseconds, UTC), so a
// stored value compares equal to the one written.
func limitTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// ClaimAnalysisMail takes the right to mail the analysis to recipient at
// now, or returns a *MailLimitedError when a mail of it went to recipient
// (or is being sent) less than AnalysisMailInterval ago. Each step is one
// statement that either process may win, never both: an insert of a new
// row, else an update of a row whose time is up.
func ClaimAnalysisMail(ctx context.Context, db *gorm.DB, t AnalysisTarget, recipient string, now time.Time) (*MailClaim, error) {
	key := t.key()
	if key == "" {
		return nil, fmt.Errorf("models: claim analysis mail: no analysis named")
	}
	recipient = NormalizeEmail(recipient)
	at := limitTime(now)
	until := at.Add(AnalysisMailInterval)
	q := db.WithContext(ctx)
	res := q.Clauses(clause.OnConflict{DoNothing: true}).Create(&AnalysisMailLimit{Target: key, Recipient: recipient, HeldUntil: until})
	if res.Error != nil {
		return nil, wrap(res.Error, "claim analysis mail %s", key)
	}
	if res.RowsAffected == 1 {
		return &MailClaim{key, recipient, at, until}, nil
	}
	res = q.Model(&AnalysisMailLimit{}).Where("target = ? AND recipient = ? AND held_until <= ?", key, recipient, at).Update("held_until", until)
	if res.Error != nil {
		return nil, wrap(res.Error, "claim analysis mail %s", key)
	}
	if res.RowsAffected == 1 {
		return &MailClaim{key, recipient, at, until}, nil
	}
	var held AnalysisMailLimit
	if err := q.Where("target = ? AND recipient = ?", key, recipient).Take(&held).Error; err != nil {
		return nil, wrap(err, "claim analysis mail %s", key)
	}
	return nil, fmt.Errorf("models: claim analysis mail %s: %w", key, &MailLimitedError{Until: held.HeldUntil.UTC(), Wait: held.HeldUntil.Sub(at)})
}

// ReleaseAnalysisMail gives back a claim whose mail the relay did not
// take, so the sender may try again at once; a claim that another process
// has since taken over is left alone.
func ReleaseAnalysisMail(ctx context.Context, db *gorm.DB, c *MailClaim) error {
	err := db.WithContext(ctx).Model(&AnalysisMailLimit{}).
		Where("target = ? AND recipient = ? AND held_until = ?", c.target, c.recipient, c.until).Update("held_until", c.at).Error
	return wrap(err, "release analysis mail %s", c.target)
}

// RecordAnalysisMail records the mail m that by sent at now, with its
// audit entry, in one transaction. It runs after the relay accepted the
// mail: a mail that was not sent is never recorded.
func RecordAnalysisMail(ctx context.Context, db *gorm.DB, by *User, t AnalysisTarget, m *AnalysisMail, now time.Time) error {
	if !by.MayMailAnalyses() {
		return ErrForbidden
	}
	m.ID = 0
	m.DocumentID, m.TenderID, m.OrgID = t.DocumentID, t.TenderID, t.OrgID
	m.SenderID = by.ID
	m.Recipient = NormalizeEmail(m.Recipient)
	m.SentAt = now.UTC()
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Omit(clause.Associations).Create(m).Error; err != nil {
			return wrap(err, "record analysis mail")
		}
		e := AuditEntry{Action: "analysis.mail", ObjectType: "tender_document", TenderID: t.TenderID, OrgID: t.OrgID}
		if t.DocumentID != nil {
			e.ObjectID = *t.DocumentID
		} else if t.TenderID != nil {
			e.ObjectType, e.ObjectID = "tender", *t.TenderID
		}
		after := map[string]any{"email": m.Recipient, "language": m.Language, "subject": m.Subject, "content_hash": m.ContentHash}
		return writeAudit(tx, by, now, e, nil, after)
	})
}

// ListAnalysisMails returns the mails of the analysis t, newest first,
// with their senders.
func ListAnalysisMails(ctx context.Context, db *gorm.DB, t AnalysisTarget) ([]AnalysisMail, error) {
	var out []AnalysisMail
	err := db.WithContext(ctx).Scopes(t.scope).Preload("Sender").Order("sent_at DESC, id DESC").Find(&out).Error
	return out, wrap(err, "list analysis mails")
}

// ValidateRecipient checks that email is one bare e-mail address (no
// name, no list), naming field in the error.
func ValidateRecipient(field, email string) error {
	err := validateEmail(NormalizeEmail(email))
	var ve *ValidationError
	if errors.As(err, &ve) {
		ve.Field = field
		if ve.Params != nil {
			ve.Params["value"] = email
		}
	}
	return err
}
