package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// SubmitLogin checks the e-mail address and password, counts attempts per
// account and per client IP before the check (429 once either limit is
// reached), and starts a fresh session: a new session id at every login
// defeats session fixation.
func (h *Handler) SubmitLogin(c *fiber.Ctx) error {
	ctx := c.UserContext()
	email := models.NormalizeEmail(c.FormValue("email"))
	password := c.FormValue("password")
	next := safeNext(c.FormValue("next"))
	form := fiber.Map{"Email": email, "Next": next}

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
	if err := h.loginSucceeded(c, reservation); err != nil {
		return err
	}
	if old := c.Cookies(sessionCookie); old != "" {
		if err := models.DeleteSession(ctx, h.DB, old); err != nil {
			return err
		}
	}
	token, s, err := models.CreateSession(ctx, h.DB, user.ID, h.SessionTTL, h.now())
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{
		Name: sessionCookie, Value: token, Path: "/", Expires: s.ExpiresAt,
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: h.secure(c),
	})
	h.clearCookie(c, csrfCookie)
	h.Log.Info("login", "user", user.ID, "ip", c.IP())
	if err := models.RecordLogin(ctx, h.DB, user, h.now()); err != nil {
		return err
	}
	// Logins are rare enough to carry the cleanup of expired sessions and
	// API tokens and old failure counts, so no background job is needed.
	if err := models.DeleteExpiredSessions(ctx, h.DB, h.now()); err != nil {
		return err
	}
	if err := models.DeleteExpiredAPITokens(ctx, h.DB, h.now()); err != nil {
		return err
	}
	if err := models.DeleteStaleLoginAttempts(ctx, h.DB, h.now().Add(-h.LoginWindow)); err != nil {
		return err
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}
