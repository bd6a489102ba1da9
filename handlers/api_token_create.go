package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// APICreateToken exchanges an e-mail address and password for an API token.
// It shares the login rate limit with the web form.
func (h *Handler) APICreateToken(c *fiber.Ctx) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := required([2]string{"email", in.Email}, [2]string{"password", in.Password}); err != nil {
		return err
	}
	email := models.NormalizeEmail(in.Email)
	reservation, err := h.reserveLogin(c, email)
	if h.loginLimited(c, err) {
		return refuse(fiber.StatusTooManyRequests, "auth.too_many_logins")
	}
	if err != nil {
		return err
	}
	user, err := models.Authenticate(c.UserContext(), h.DB, email, in.Password)
	if errors.Is(err, models.ErrInvalidCredentials) {
		// The reservation stays: it is this failure's count. The audit
		// log has it like a failed login on the web.
		if rerr := models.RecordFailedLogin(c.UserContext(), h.DB, email, h.now()); rerr != nil {
			return rerr
		}
		return err
	}
	if err != nil {
		return err
	}
	if err := h.loginSucceeded(c, reservation); err != nil {
		return err
	}
	token, err := models.CreateAPIToken(c.UserContext(), h.DB, user.ID, h.APITokenTTL, h.now())
	if err != nil {
		return err
	}
	if err := models.RecordLogin(c.UserContext(), h.DB, user, h.now()); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"token": token})
}
