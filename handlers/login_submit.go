package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// SubmitLogin checks the e-mail address and password, counts attempts per
// account and per client IP before the check (429 once either limit is
// reached), and starts a fresh session, or with a second factor sends the
// browser to ask for its code (login_code.go).
func (h *Handler) SubmitLogin(c *fiber.Ctx) error {
	ctx := c.UserContext()
	email := models.NormalizeEmail(c.FormValue("email"))
	password := c.FormValue("password")
	next := safeNext(c.FormValue("next"))
	form := fiber.Map{"Email": email, "Next": next}

	if email != "" && password == "" {
		if handled, err := h.loginNextStep(c, email, next); handled {
			return err
		}
	}
	if email == "" || password == "" {
		form["Errors"] = formError(c, "form", "auth.credentials_missing")
		return h.render(c, fiber.StatusUnprocessableEntity, "auth/login", "title.login", form)
	}
	reservation, err := h.reserveLogin(c, email)
	if h.loginLimited(c, err) {
		form["Errors"] = formError(c, "form", "auth.too_many_logins")
		return h.render(c, fiber.StatusTooManyRequests, "auth/login", "title.login", form)
	}
	if err != nil {
		return err
	}

	user, err := models.Authenticate(ctx, h.DB, email, password)
	if errors.Is(err, models.ErrInvalidCredentials) {
		// The reservation stays: it is this failure's count.
		h.Log.Info("login failed", "email", email, "ip", c.IP())
		if err := models.RecordFailedLogin(ctx, h.DB, email, h.now()); err != nil {
			return err
		}
		form["Errors"] = formError(c, "form", "auth.invalid_credentials")
		return h.render(c, fiber.StatusUnauthorized, "auth/login", "title.login", form)
	}
	if err != nil {
		return err
	}
	if user.PasskeyRequired(h.RequireSecondFactor) {
		if err := h.firstFactorPassed(c, reservation); err != nil {
			return err
		}
		form["Errors"] = formError(c, "form", "passkey.password_not_enough")
		return h.render(c, fiber.StatusUnauthorized, "auth/login", "title.login", form)
	}
	if user.HasTOTP() {
		if err := h.firstFactorPassed(c, reservation); err != nil {
			return err
		}
		return h.askSecondFactor(c, user, next)
	}
	if err := h.loginSucceeded(c, reservation); err != nil {
		return err
	}
	return h.startSession(c, user, next)
}
