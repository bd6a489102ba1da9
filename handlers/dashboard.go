package handlers

import "github.com/gofiber/fiber/v2"

// Dashboard shows each role where to start.
func (h *Handler) Dashboard(c *fiber.Ctx) error {
	return h.render(c, fiber.StatusOK, "dashboard/index", "Dashboard", nil)
}
