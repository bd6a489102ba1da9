package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// Logout ends the session in the database and in the browser.
func (h *Handler) Logout(c *fiber.Ctx) error {
	if token := c.Cookies(sessionCookie); token != "" {
		if err := models.DeleteSession(c.UserContext(), h.DB, token); err != nil {
			return err
		}
	}
	h.clearCookie(c, sessionCookie)
	return c.Redirect("/login", fiber.StatusSeeOther)
}
