package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// EndUserSessions ends every session and API token of a user, for an
// admin: a lost laptop or a leaving colleague is out at once.
func (h *Handler) EndUserSessions(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	me := currentUser(c)
	if err := models.EndUserSessions(c.UserContext(), h.DB, me, id, h.now()); err != nil {
		return err
	}
	h.Log.Info("sessions of user ended", "user", id, "by", me.ID)
	if id == me.ID {
		h.clearCookie(c, sessionCookie)
		h.clearCookie(c, csrfCookie)
		return c.Redirect("/login?flash=sessions_ended_current", fiber.StatusSeeOther)
	}
	return c.Redirect("/admin/users?flash=sessions_ended_user", fiber.StatusSeeOther)
}

// ResetUserSecondFactor turns off the second factor of a user who lost
// both the phone and the recovery codes, for an admin, and ends the user's
// sessions and API tokens: whoever signs in next with the password sets
// up a new one (at once, where one is required).
func (h *Handler) ResetUserSecondFactor(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	me := currentUser(c)
	if err := models.ResetSecondFactor(c.UserContext(), h.DB, me, id, h.now()); err != nil {
		return err
	}
	h.Log.Info("second factor of user reset", "user", id, "by", me.ID)
	return c.Redirect("/admin/users?flash=totp_reset", fiber.StatusSeeOther)
}
