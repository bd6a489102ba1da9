package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// RevokeAccountToken revokes one of the logged-in user's API tokens from
// the tokens page; a token of anyone else is 404.
func (h *Handler) RevokeAccountToken(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := models.RevokeAPIToken(c.UserContext(), h.DB, currentUser(c), id); err != nil {
		return err
	}
	h.Log.Info("api token revoked", "token", id, "user", currentUser(c).ID)
	if c.FormValue("from") == "sessions" {
		return c.Redirect("/account/sessions?flash=sessions_token_revoked", fiber.StatusSeeOther)
	}
	return c.Redirect("/account/tokens?flash=revoked", fiber.StatusSeeOther)
}
