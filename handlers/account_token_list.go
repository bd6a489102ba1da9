package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ListAccountTokens shows the logged-in user's API tokens, each with a
// button to revoke it.
func (h *Handler) ListAccountTokens(c *fiber.Ctx) error {
	tokens, err := models.ListAPITokens(c.UserContext(), h.DB, currentUser(c), h.now())
	if err != nil {
		return err
	}
	data := fiber.Map{"Tokens": tokens, "Flash": flashOf(c, "token.")}
	return h.render(c, fiber.StatusOK, "account/tokens", "title.tokens", data)
}
