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
	data := fiber.Map{"Tokens": tokens}
	if c.Query("flash") == "revoked" {
		// A fixed text, so the query cannot put content on the page.
		data["Flash"] = "API token revoked. Programs using it are refused from now on."
	}
	return h.render(c, fiber.StatusOK, "account/tokens", "API tokens", data)
}
