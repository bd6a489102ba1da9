package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// APIRevokeToken revokes one of the caller's API tokens (204); a token of
// anyone else is 404.
func (h *Handler) APIRevokeToken(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := models.RevokeAPIToken(c.UserContext(), h.DB, currentUser(c), id); err != nil {
		return err
	}
	h.Log.Info("api token revoked", "token", id, "user", currentUser(c).ID)
	return c.SendStatus(fiber.StatusNoContent)
}
