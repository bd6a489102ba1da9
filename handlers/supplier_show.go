package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// supplierFlashes are the confirmations of the supplier's page, looked up
// like flashMessages so a query can only pick a fixed text.
var supplierFlashes = map[string]string{
	"joined": "Your password is set. You answer your organisation's tenders together with the colleagues below; the tenders you are invited to are under Attestations.",
}

// ShowSupplier shows a vendor its own supplier: the colleagues who answer
// its tenders and the form to invite another.
func (h *Handler) ShowSupplier(c *fiber.Ctx) error {
	return h.renderSupplier(c, fiber.StatusOK, fiber.Map{"Flash": supplierFlashes[c.Query("flash")]})
}

func (h *Handler) renderSupplier(c *fiber.Ctx, status int, data fiber.Map) error {
	org, colleagues, err := models.ListColleagues(c.UserContext(), h.DB, currentUser(c))
	if err != nil {
		return err
	}
	data["Org"], data["Colleagues"] = org, colleagues
	// Without a mail relay every link must be passed on by hand; the page
	// says so before the officer invites anybody.
	data["MailConfigured"] = h.Attest.Mailer.Enabled()
	if _, ok := data["Form"]; !ok {
		data["Form"] = models.ColleagueInput{}
	}
	return h.render(c, status, "invitations/supplier", org.Name, data)
}
