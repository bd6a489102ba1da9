package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/attest"
	"tenderprobe/models"
)

// invitationLink builds the link that goes to the vendor: under the
// configured public address, else under the one the officer is using.
func (h *Handler) invitationLink(c *fiber.Ctx, token string) string {
	base := h.Attest.BaseURL
	if base == "" {
		base = c.BaseURL()
	}
	return base + "/invitations/" + token
}

// sendInvitation mails the link when a relay is configured and reports
// whether it went; a failure is logged, not fatal, since the officer
// sees the link and can send it another way.
func (h *Handler) sendInvitation(c *fiber.Ctx, t *models.Tender, email, link string) (bool, string) {
	if !h.Attest.Mailer.Enabled() {
		return false, ""
	}
	buyer, deadline := "", ""
	if t.BuyerOrg != nil {
		buyer = t.BuyerOrg.Name
	}
	if t.Deadline != nil {
		deadline = t.Deadline.UTC().Format("2006-01-02 15:04 UTC")
	}
	subject, body := attest.InvitationMail(buyer, t.Title, t.Reference, link, deadline)
	if err := h.Attest.Mailer.Send(c.UserContext(), email, subject, body); err != nil {
		h.Log.Error("invitation mail failed", "tender", t.ID, "err", err)
		return false, "The e-mail could not be sent; send the link yourself."
	}
	return true, ""
}

// CreateInvitation invites a supplier's vendor by e-mail to a published
// tender and shows the link once, since only its hash is stored.
func (h *Handler) CreateInvitation(c *fiber.Ctx) error {
	t, err := h.editableTender(c)
	if err != nil {
		return err
	}
	in := models.InviteInput{Email: c.FormValue("email"), Supplier: c.FormValue("supplier"), Name: c.FormValue("name")}
	inv, token, err := models.Invite(c.UserContext(), h.DB, currentUser(c), t.ID, in, h.invitationTTL(), h.now())
	if errs, ok := fieldErrors(err); ok {
		return h.renderInvitations(c, fiber.StatusUnprocessableEntity, t, fiber.Map{"Errors": errs, "Form": in})
	}
	if err != nil {
		return attestError(err)
	}
	link := h.invitationLink(c, token)
	mailed, mailErr := h.sendInvitation(c, t, inv.Email, link)
	return h.renderInvitations(c, fiber.StatusCreated, t, fiber.Map{"Link": link, "Invited": inv, "Mailed": mailed, "MailError": mailErr})
}

// APICreateInvitation is POST /api/v1/tenders/{id}/invitations.
func (h *Handler) APICreateInvitation(c *fiber.Ctx) error {
	t, err := h.editableTender(c)
	if err != nil {
		return err
	}
	var in struct {
		Email    string `json:"email"`
		Supplier string `json:"supplier"`
		Name     string `json:"name"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := required([2]string{"email", in.Email}); err != nil {
		return err
	}
	inv, token, err := models.Invite(c.UserContext(), h.DB, currentUser(c), t.ID,
		models.InviteInput{Email: in.Email, Supplier: in.Supplier, Name: in.Name}, h.invitationTTL(), h.now())
	if err != nil {
		return attestError(err)
	}
	link := h.invitationLink(c, token)
	mailed, _ := h.sendInvitation(c, t, inv.Email, link)
	c.Location(fmt.Sprintf("/api/v1/attestations/%d", inv.AttestationID))
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{
		"id": inv.ID, "url": link, "attestation_id": inv.AttestationID, "expires_at": inv.ExpiresAt, "mailed": mailed,
	})
}
