package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// Logout ends the session in the database and in the browser. The CSRF
// cookie goes too, so the next visitor of a shared browser starts afresh.
func (h *Handler) Logout(c *fiber.Ctx) error {
	if token := c.Cookies(sessionCookie); token != "" {
		if err := models.DeleteSession(c.UserContext(), h.DB, token); err != nil {
			return err
		}
	}
	h.clearCookie(c, sessionCookie)
	h.clearCookie(c, csrfCookie)
	return c.Redirect("/login", fiber.StatusSeeOther)
}
