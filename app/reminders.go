package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"tenderprobe/app/attest"
	"tenderprobe/app/i18n"
	"tenderprobe/app/mail"
	"tenderprobe/app/report"
	"tenderprobe/handlers"
	"tenderprobe/models"
)

// attestSettings builds the attestation pages' dependencies from cfg.
func attestSettings(cfg Config) handlers.AttestSettings {
	s := handlers.AttestSettings{Store: attest.Store{Dir: cfg.DataDir}, BaseURL: cfg.BaseURL, InvitationTTL: models.DefaultInvitationTTL}
	if cfg.SMTPHost != "" {
		s.Mailer = &mail.Mailer{Host: cfg.SMTPHost, Port: cfg.SMTPPort, Username: cfg.SMTPUser, Password: cfg.SMTPPassword, From: cfg.SMTPFrom}
	}
	return s
}

// reminderInterval is how often the server looks for reminders to mail.
const reminderInterval = time.Hour

// sendReminders mails the vendors of every unsubmitted attestation whose
// deadline entered a reminder stage (the calendar day a week, three days
// and a day before the deadline's, in the tender's zone) and records it,
// so each stage is mailed once. It returns how many
// attestations were reminded.
// baseURL, when set, turns the page path in the mail into a full link.
func sendReminders(ctx context.Context, db *gorm.DB, mailer *mail.Mailer, baseURL string, log *slog.Logger, now time.Time) (int, error) {
	if !mailer.Enabled() {
		return 0, nil
	}
	due, err := models.DueReminderMails(ctx, db, now)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, r := range due {
		t := r.Attestation.Tender
		subject, body := mail.ReminderMail(t.Language, report.ZoneOf(t), t.Title, t.Reference, fmt.Sprintf("%s/attestations/%d", baseURL, r.Attestation.ID), *t.Deadline)
		ok := true
		for _, v := range r.Vendors {
			if err := mailer.Send(ctx, v.Email, subject, body); err != nil {
				log.Error("reminder mail failed", "attestation", r.Attestation.ID, "err", err)
				ok = false
			}
		}
		if !ok {
			continue // try again at the next round
		}
		if err := models.MarkReminded(ctx, db, r.Attestation.ID, now); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

// sendStandingReminders mails the vendors of every standing answer of a
// supplier's answer library whose valid-until date entered a reminder
// stage (models.StandingReminderDays: 30 and 7 days before), each in the
// vendor's own language. Each stage is claimed in the database before it
// is mailed, so with several serve processes it is mailed once; a stage
// whose mail failed is released and tried again at the next round. It
// returns how many standing answers were reminded.
func sendStandingReminders(ctx context.Context, db *gorm.DB, mailer *mail.Mailer, baseURL string, log *slog.Logger, now time.Time) (int, error) {
	if !mailer.Enabled() {
		return 0, nil
	}
	due, err := models.DueStandingReminders(ctx, db, now)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, r := range due {
		s := r.Answer
		won, err := models.ClaimStandingReminder(ctx, db, s.ID, s.ValidUntil, r.Days, now)
		if err != nil {
			return sent, err
		}
		if !won {
			continue // another process mails this stage
		}
		end, _ := time.Parse("2006-01-02", s.ValidUntil)
		ok := true
		for _, v := range r.Vendors {
			lang := v.Language
			if !i18n.Messages().Supported(lang) {
				lang = i18n.Default
			}
			name := s.StandardSlug
			if s.Standard != nil {
				name = s.Standard.In(lang).Name
			}
			org := ""
			if s.SupplierOrg != nil {
				org = s.SupplierOrg.Name
			}
			subject, body := mail.StandingExpiryMail(lang, org, name, end, s.DaysLeft(now), baseURL+"/supplier/answers?standard="+s.StandardSlug)
			if err := mailer.Send(ctx, v.Email, subject, body); err != nil {
				log.Error("standing answer reminder failed", "standing_answer", s.ID, "err", err)
				ok = false
			}
		}
		if !ok {
			if err := models.ReleaseStandingReminder(ctx, db, s.ID, s.ValidUntil, r.Days); err != nil {
				return sent, err
			}
			continue
		}
		sent++
	}
	return sent, nil
}

// startReminders mails deadline reminders every reminderInterval while
// the server runs, when SMTP is configured; stop ends it.
func (s *Server) startReminders(ctx context.Context) (stop func()) {
	if !s.Handler.Attest.Mailer.Enabled() {
		return func() {}
	}
	return every(ctx, reminderInterval, func(ctx context.Context) {
		if _, err := sendReminders(ctx, s.DB, s.Handler.Attest.Mailer, s.Handler.Attest.BaseURL, s.Log, time.Now()); err != nil && ctx.Err() == nil {
			s.Log.Error("reminders", "err", err)
		}
		if _, err := sendStandingReminders(ctx, s.DB, s.Handler.Attest.Mailer, s.Handler.Attest.BaseURL, s.Log, time.Now()); err != nil && ctx.Err() == nil {
			s.Log.Error("standing answer reminders", "err", err)
		}
	})
}
