package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// SetUserDisabled disables (disabled=true) or enables an account. Disabling
// ends the user's sessions and API tokens at once. Admins cannot disable
// themselves, so an installation always keeps a way in.
func (h *Handler) SetUserDisabled(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var disable bool
	switch c.FormValue("disabled") {
	case "true":
		disable = true
	case "false":
	default:
		return invalidInput("disabled", "not_true_or_false")
	}
	if disable && id == currentUser(c).ID {
		return refuse(fiber.StatusUnprocessableEntity, "user.disable_self")
	}
	ctx := c.UserContext()
	if _, err := models.UpdateUser(ctx, h.DB, currentUser(c), id, models.UserChanges{Disabled: &disable}, h.now()); err != nil {
		return err
	}
	flash := "enabled"
	if disable {
		if err := models.DeleteUserSessions(ctx, h.DB, id); err != nil {
			return err
		}
		flash = "disabled"
	}
	h.Log.Info("user disabled changed", "user", id, "disabled", disable, "by", currentUser(c).ID)
	return c.Redirect("/admin/users?flash="+flash, fiber.StatusSeeOther)
}
