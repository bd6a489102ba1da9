package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// SetOrgSecondFactor makes a second factor required, or not, for an
// organisation's officers and admins.
func (h *Handler) SetOrgSecondFactor(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var required bool
	switch c.FormValue("required") {
	case "true":
		required = true
	case "false":
	default:
		return invalidInput("required", "not_true_or_false")
	}
	if _, err := models.SetOrgSecondFactor(c.UserContext(), h.DB, currentUser(c), id, required, h.now()); err != nil {
		return err
	}
	flash := "totp_org_optional"
	if required {
		flash = "totp_org_required"
	}
	return c.Redirect("/admin/orgs?flash="+flash, fiber.StatusSeeOther)
}
