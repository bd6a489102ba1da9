package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// APIListTokens lists the caller's live API tokens: when each was created,
// expires and was last used, never the token or its hash.
func (h *Handler) APIListTokens(c *fiber.Ctx) error {
	tokens, err := models.ListAPITokens(c.UserContext(), h.DB, currentUser(c), h.now())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"tokens": tokens})
}
