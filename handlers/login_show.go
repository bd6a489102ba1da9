package handlers

import "github.com/gofiber/fiber/v2"

// ShowLogin renders the login form; a logged-in user goes to the dashboard.
func (h *Handler) ShowLogin(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	first, err := h.emailFirst(c)
	if err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, "auth/login", "title.login", fiber.Map{"Next": safeNext(c.Query("next")), "EmailFirst": first})
}
