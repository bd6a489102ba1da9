package mail

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
)

// ErrNoRelay: no SMTP relay is configured, so nothing can be mailed.
var ErrNoRelay = errors.New("mail: no relay configured")

// ErrSendFailed: the relay did not take the mail; nothing was recorded
// and the rate limit was given back.
var ErrSendFailed = errors.New("mail: the relay did not take the mail")

// SendAnalysis mails the result of analysis t to rec.Recipient and
// records rec. The sender's daily quota is checked and the rate limit is
// claimed first (one statement, no
// transaction held while the relay talks): a second mail too soon is a
// *models.MailLimitedError. A relay that refuses releases the claim and
// gives ErrSendFailed, wrapping the relay's error.
func (m *Mailer) SendAnalysis(ctx context.Context, db *gorm.DB, by *models.User, t models.AnalysisTarget, rec *models.AnalysisMail, text string, now time.Time) error {
	if !m.Enabled() {
		return ErrNoRelay
	}
	if err := models.CheckAnalysisMailQuota(ctx, db, by, now); err != nil {
		return err
	}
	claim, err := models.ClaimAnalysisMail(ctx, db, t, rec.Recipient, now)
	if err != nil {
		return err
	}
	if err := m.Send(ctx, rec.Recipient, rec.Subject, text); err != nil {
		if rerr := models.ReleaseAnalysisMail(context.WithoutCancel(ctx), db, claim); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return fmt.Errorf("%w: %w", ErrSendFailed, err)
	}
	return models.RecordAnalysisMail(context.WithoutCancel(ctx), db, by, t, rec, now)
}
