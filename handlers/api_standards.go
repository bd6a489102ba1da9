package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// APIListStandards lists the current catalogue, optionally filtered with
// ?domain= and ?q=.
func (h *Handler) APIListStandards(c *fiber.Ctx) error {
	standards, err := models.ListStandards(c.UserContext(), h.DB, models.StandardFilter{Query: c.Query("q"), Domain: c.Query("domain")})
	if err != nil {
		return err
	}
	out := make([]standardJSON, len(standards))
	for i := range standards {
		out[i] = standardOf(&standards[i])
	}
	return c.JSON(fiber.Map{"standards": out})
}
