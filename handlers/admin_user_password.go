package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ResetPassword sets a new password chosen by the admin and ends the user's
// sessions and API tokens, so the old password's logins stop working.
func (h *Handler) ResetPassword(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	password := c.FormValue("password")
	_, err = models.UpdateUser(ctx, h.DB, currentUser(c), id, models.UserChanges{Password: &password}, h.now())
	if errs, ok := fieldErrors(c, err); ok {
		return h.renderUsers(c, fiber.StatusUnprocessableEntity, fiber.Map{"Role": models.RoleOfficer, "ResetID": id, "ResetError": errs["password"]})
	}
	if err != nil {
		return err
	}
	if id != currentUser(c).ID {
		if err := models.DeleteUserSessions(ctx, h.DB, id); err != nil {
			return err
		}
	}
	h.Log.Info("password reset", "user", id, "by", currentUser(c).ID)
	return c.Redirect("/admin/users?flash=password", fiber.StatusSeeOther)
}
