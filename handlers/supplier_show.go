package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ShowSupplier shows a vendor its own supplier: the colleagues who answer
// its tenders and the form to invite another.
func (h *Handler) ShowSupplier(c *fiber.Ctx) error {
	return h.renderSupplier(c, fiber.StatusOK, fiber.Map{"Flash": supplierFlash(c)})
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
	return h.render(c, status, "invitations/supplier", tr(c, "title.colleagues", map[string]any{"org": org.Name}), data)
}
