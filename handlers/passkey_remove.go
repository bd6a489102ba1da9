package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// RemovePasskey removes one of the signed-in user's passkeys; anyone
// else's is 404. The last passkey of a user who must have a second factor
// and has no authenticator app stays.
func (h *Handler) RemovePasskey(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	u := currentUser(c)
	err = models.RemovePasskey(c.UserContext(), h.DB, u, id, u.MustHaveSecondFactor(h.RequireSecondFactor), h.now())
	if errors.Is(err, models.ErrLastPasskey) {
		return h.renderAccount(c, fiber.StatusConflict, fiber.Map{"PasskeyErrors": formError(c, "remove", "passkey.last_required")})
	}
	if err != nil {
		return err
	}
	h.Log.Info("passkey removed", "passkey", id, "user", u.ID)
	return c.Redirect("/account?flash=passkey_removed#passkeys", fiber.StatusSeeOther)
}
