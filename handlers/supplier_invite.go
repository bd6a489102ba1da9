package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/mail"
	"tenderprobe/models"
)

// InviteColleague has a vendor invite a colleague by e-mail into the
// vendor's own supplier: a pending account is created and its link, which
// sets the password, is shown once (and mailed when SMTP is set).
func (h *Handler) InviteColleague(c *fiber.Ctx) error {
	in := models.ColleagueInput{Email: c.FormValue("email"), Name: c.FormValue("name")}
	inv, token, err := models.InviteColleague(c.UserContext(), h.DB, currentUser(c), in, h.invitationTTL(), h.now())
	if errs, ok := fieldErrors(c, err); ok {
		return h.renderSupplier(c, fiber.StatusUnprocessableEntity, fiber.Map{"Errors": errs, "Form": in})
	}
	if err != nil {
		return err
	}
	link := h.invitationLink(c, token)
	mailed, mailErr := h.sendColleagueInvitation(c, inv, link)
	return h.renderSupplier(c, fiber.StatusCreated, fiber.Map{"Link": link, "Invited": inv, "Mailed": mailed, "MailError": mailErr})
}

// sendColleagueInvitation mails a colleague's link when a relay is
// configured; like sendInvitation, a failure is logged and the link is
// still shown.
func (h *Handler) sendColleagueInvitation(c *fiber.Ctx, inv *models.ColleagueInvitation, link string) (bool, string) {
	if !h.Attest.Mailer.Enabled() {
		return false, ""
	}
	subject, body := mail.ColleagueInvitationMail(localeOf(c).Lang, inv.CreatedBy.Name, inv.Org.Name, link)
	if err := h.Attest.Mailer.Send(c.UserContext(), inv.Email, subject, body); err != nil {
		h.Log.Error("colleague invitation mail failed", "invitation", inv.ID, "err", err)
		return false, tr(c, "invitation.mail_failed", nil)
	}
	return true, ""
}
