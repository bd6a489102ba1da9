package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ShowStandard shows one standard of the current catalogue, in the
// reader's language where the catalogue has it, with its defining
// documents, clause and the probe checks that verify it.
func (h *Handler) ShowStandard(c *fiber.Ctx) error {
	s, err := models.FindStandardBySlug(c.UserContext(), h.DB, c.Params("slug"))
	if err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, "catalogue/show", s.In(localeOf(c).Lang).Name, fiber.Map{"Standard": s})
}
