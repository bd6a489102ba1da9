package handlers

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// APIAuth lets through requests with a valid "Authorization: Bearer TOKEN"
// header and answers 401 otherwise.
func (h *Handler) APIAuth(c *fiber.Ctx) error {
	auth := c.Get(fiber.HeaderAuthorization)
	scheme, token, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="tenderprobe"`)
		return refuse(fiber.StatusUnauthorized, "auth.token_missing")
	}
	user, err := models.FindAPITokenUser(c.UserContext(), h.DB, strings.TrimSpace(token), h.now())
	if errors.Is(err, models.ErrNotFound) {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="tenderprobe", error="invalid_token"`)
		return refuse(fiber.StatusUnauthorized, "auth.token_invalid")
	}
	if err != nil {
		return err
	}
	c.Locals(localUser, user)
	c.Locals(localTokenHash, models.HashToken(strings.TrimSpace(token)))
	return c.Next()
}
