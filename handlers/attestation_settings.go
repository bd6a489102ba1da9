package handlers

import (
	"time"

	"tenderprobe/app/attest"
	"tenderprobe/app/mail"
	"tenderprobe/models"
)

// AttestSettings are the dependencies of the attestation pages: where
// evidence files live, the mailer for invitation links and how long a link
// works.
type AttestSettings struct {
	// Store keeps evidence files under the data directory.
	Store attest.Store
	// Mailer sends invitation links when an SMTP relay is configured.
	Mailer *mail.Mailer
	// BaseURL is the app's public address for links sent by mail; empty
	// means the address of the request.
	BaseURL string
	// InvitationTTL is how long an invitation link works.
	InvitationTTL time.Duration
	// ReminderWindow is how long before a deadline the vendor's dashboard
	// starts reminding of an unsubmitted attestation.
	ReminderWindow time.Duration
}

// UploadBodyLimit is the request body limit of the evidence upload routes:
// a 10 MB file plus the multipart framing around it.
const UploadBodyLimit = attest.MaxEvidenceSize + 64<<10

func (h *Handler) invitationTTL() time.Duration {
	if h.Attest.InvitationTTL > 0 {
		return h.Attest.InvitationTTL
	}
	return models.DefaultInvitationTTL
}

func (h *Handler) reminderWindow() time.Duration {
	if h.Attest.ReminderWindow > 0 {
		return h.Attest.ReminderWindow
	}
	return 7 * 24 * time.Hour
}
