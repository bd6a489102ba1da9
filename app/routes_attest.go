package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"tenderprobe/app/attest"
	"tenderprobe/handlers"
	"tenderprobe/models"
)

// Role sets of the attestation routes. The models check again who may act
// on which attestation (the vendor of its supplier, the officer of its
// buyer); these sets keep other roles out early.
var (
	vendorOnly  = []string{models.RoleVendor}
	staffRoles  = []string{models.RoleAdmin, models.RoleOfficer, models.RoleAuditor}
	auditRoles  = []string{models.RoleAdmin, models.RoleAuditor}
	reviewRoles = []string{models.RoleAdmin, models.RoleOfficer}
)

// attestSettings builds the attestation pages' dependencies from cfg.
func attestSettings(cfg Config) handlers.AttestSettings {
	s := handlers.AttestSettings{Store: attest.Store{Dir: cfg.DataDir}, BaseURL: cfg.BaseURL, InvitationTTL: models.DefaultInvitationTTL}
	if cfg.SMTPHost != "" {
		s.Mailer = &attest.Mailer{Host: cfg.SMTPHost, Port: cfg.SMTPPort, Username: cfg.SMTPUser, Password: cfg.SMTPPassword, From: cfg.SMTPFrom}
	}
	return s
}

// attestRoutes registers the invitation, attestation, review and audit
// routes. It runs inside routes, after the web group's session and CSRF
// middleware (registered with Use, so it covers these routes too) and
// before the catch-all 404.
func attestRoutes(app *fiber.App, h *handlers.Handler) {
	api := app.Group("/api/v1")
	apiRoute := func(method, path string, roles []string, handler fiber.Handler) {
		api.Add(method, path, h.APIAuth, handlers.RequireRole(roles...), handler)
	}
	apiRoute(fiber.MethodPost, "/tenders/:id/invitations", tenderEdit, h.APICreateInvitation)
	apiRoute(fiber.MethodGet, "/tenders/:id/matrix", staffRoles, h.APIReviewMatrix)
	apiRoute(fiber.MethodGet, "/attestations", anyRole, h.APIListAttestations)
	apiRoute(fiber.MethodGet, "/attestations/:id", anyRole, h.APIShowAttestation)
	apiRoute(fiber.MethodPut, "/attestations/:id/scope", vendorOnly, h.APISaveScope)
	apiRoute(fiber.MethodPut, "/attestations/:id/answers/:requirement_id", vendorOnly, h.APISaveAnswer)
	apiRoute(fiber.MethodPost, "/attestations/:id/evidence/:requirement_id", vendorOnly, h.APIUploadEvidence)
	apiRoute(fiber.MethodGet, "/attestations/:id/evidence-files/:evidence_id", anyRole, h.DownloadEvidence)
	apiRoute(fiber.MethodPost, "/attestations/:id/submit", vendorOnly, h.APISubmitAttestation)
	apiRoute(fiber.MethodPost, "/attestations/:id/reopen", vendorOnly, h.APIReopenAttestation)
	apiRoute(fiber.MethodGet, "/attestations/:id/receipt", anyRole, h.APIVerifyReceipt)
	apiRoute(fiber.MethodPost, "/attestations/:id/answers/:requirement_id/review", reviewRoles, h.APIReviewAnswer)
	apiRoute(fiber.MethodPost, "/attestations/:id/answers/:requirement_id/reply", vendorOnly, h.APIReplyToReview)
	apiRoute(fiber.MethodGet, "/audit", auditRoles, h.APIListAuditLog)

	// The invitation link works before the vendor has a password.
	app.Get("/invitations/:token", h.ShowInvitation)
	app.Post("/invitations/:token", h.AcceptInvitation)

	web := func(method, path string, roles []string, handler fiber.Handler) {
		app.Add(method, path, h.RequireLogin, handlers.RequireRole(roles...), handler)
	}
	web(fiber.MethodGet, "/tenders/:id/invitations", reviewRoles, h.ListInvitations)
	web(fiber.MethodPost, "/tenders/:id/invitations", reviewRoles, h.CreateInvitation)
	web(fiber.MethodPost, "/tenders/:id/invitations/:iid/revoke", reviewRoles, h.RevokeInvitation)
	web(fiber.MethodGet, "/tenders/:id/review", staffRoles, h.ShowReviewMatrix)
	web(fiber.MethodGet, "/attestations", anyRole, h.ListAttestations)
	web(fiber.MethodGet, "/attestations/:id", anyRole, h.ShowAttestation)
	web(fiber.MethodGet, "/attestations/:id/versions/:version", anyRole, h.ShowAttestationVersion)
	web(fiber.MethodGet, "/attestations/:id/receipt", anyRole, h.VerifyReceipt)
	web(fiber.MethodGet, "/attestations/:id/receipt.json", anyRole, h.DownloadReceipt)
	web(fiber.MethodPost, "/attestations/:id/answers/:requirement_id", vendorOnly, h.SaveAnswer)
	web(fiber.MethodPost, "/attestations/:id/scope", vendorOnly, h.SaveScope)
	web(fiber.MethodPost, "/attestations/:id/evidence/:requirement_id", vendorOnly, h.UploadEvidence)
	web(fiber.MethodGet, "/attestations/:id/evidence/:evidence_id", anyRole, h.DownloadEvidence)
	web(fiber.MethodPost, "/attestations/:id/evidence/:evidence_id/delete", vendorOnly, h.RemoveEvidence)
	web(fiber.MethodPost, "/attestations/:id/submit", vendorOnly, h.SubmitAttestation)
	web(fiber.MethodPost, "/attestations/:id/reopen", vendorOnly, h.ReopenAttestation)
	web(fiber.MethodPost, "/attestations/:id/answers/:requirement_id/review", reviewRoles, h.ReviewAnswer)
	web(fiber.MethodPost, "/attestations/:id/answers/:requirement_id/reply", vendorOnly, h.ReplyToReview)
	web(fiber.MethodPost, "/attestations/:id/answers/:requirement_id/amend", vendorOnly, h.AmendAnswer)
	web(fiber.MethodGet, "/audit", auditRoles, h.ListAuditLog)
}

// reminderInterval is how often the server looks for reminders to mail.
const reminderInterval = time.Hour

// sendReminders mails the vendors of every unsubmitted attestation whose
// deadline entered a reminder stage (a week, three days, a day before) and
// records it, so each stage is mailed once. It returns how many
// attestations were reminded.
// baseURL, when set, turns the page path in the mail into a full link.
func sendReminders(ctx context.Context, db *gorm.DB, mailer *attest.Mailer, baseURL string, log *slog.Logger, now time.Time) (int, error) {
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
		subject, body := attest.ReminderMail(t.Title, t.Reference, fmt.Sprintf("%s/attestations/%d", baseURL, r.Attestation.ID), t.Deadline.UTC().Format("2006-01-02 15:04 UTC"))
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

// startReminders mails deadline reminders every reminderInterval while
// the server runs, when SMTP is configured; stop ends it.
func (s *Server) startReminders(ctx context.Context) (stop func()) {
	if !s.Handler.Attest.Mailer.Enabled() {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(reminderInterval)
		defer tick.Stop()
		for {
			if _, err := sendReminders(ctx, s.DB, s.Handler.Attest.Mailer, s.Handler.Attest.BaseURL, s.Log, time.Now()); err != nil && ctx.Err() == nil {
				s.Log.Error("reminders", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
