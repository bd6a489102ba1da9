package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ListTenders shows the tenders the user may see.
func (h *Handler) ListTenders(c *fiber.Ctx) error {
	tenders, err := models.ListTenders(c.UserContext(), h.DB, currentUser(c))
	if err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, "tenders/list", "Tenders", fiber.Map{"Tenders": tenders})
}
