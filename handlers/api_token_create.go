package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// APICreateToken exchanges an e-mail address and password, and the code
// of the account's second factor when it has one, for an API token. It
// shares the login rate limit with the web form: a wrong code counts like
// a wrong password. Without a code the answer is 401 with
// "second_factor": "totp", so a client knows to ask for one.
func (h *Handler) APICreateToken(c *fiber.Ctx) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		TOTP     string `json:"totp"`
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
	if user.PasskeyRequired(h.RequireSecondFactor) {
		if err := h.firstFactorPassed(c, reservation); err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Status(fiber.StatusUnauthorized).JSON(fiber.Map{
			"error": tr(c, "passkey.password_not_enough", nil), "code": "passkey.password_not_enough", "second_factor": "passkey",
		})
	}
	if user.HasTOTP() {
		if in.TOTP == "" {
			if err := h.firstFactorPassed(c, reservation); err != nil {
				return err
			}
			return secondFactorAnswer(c, "totp.code_required")
		}
		_, err := models.VerifySecondFactor(c.UserContext(), h.DB, user, in.TOTP, h.now())
		if errors.Is(err, models.ErrSecondFactorInvalid) {
			// The reservation stays: it is this failure's count.
			if rerr := models.RecordSecondFactorFailure(c.UserContext(), h.DB, user, h.now()); rerr != nil {
				return rerr
			}
			return secondFactorAnswer(c, "totp.code_invalid")
		}
		if err != nil {
			return err
		}
	}
	if err := h.loginSucceeded(c, reservation); err != nil {
		return err
	}
	token, err := models.CreateAPITokenFor(c.UserContext(), h.DB, user.ID, client(c), h.APITokenTTL, h.now())
	if err != nil {
		return err
	}
	if err := models.RecordLogin(c.UserContext(), h.DB, user, h.now()); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"token": token})
}

// secondFactorAnswer is the 401 of a token request that lacks the right
// second factor code: the usual error with "second_factor" naming the
// kind of code to send.
func secondFactorAnswer(c *fiber.Ctx, key string) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusUnauthorized).JSON(fiber.Map{
		"error": tr(c, key, nil), "code": key, "field": "totp", "second_factor": "totp",
	})
}
