package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"tenderprobe/models"
)

// SubmitLogin checks the e-mail address and password, counts failures per
// account and per client IP (429 once either limit is reached), and starts a
// fresh session: a new session id at every login defeats session fixation.
func (h *Handler) SubmitLogin(c *fiber.Ctx) error {
	ctx := c.UserContext()
	email := models.NormalizeEmail(c.FormValue("email"))
	password := c.FormValue("password")
	next := safeNext(c.FormValue("next"))
	form := fiber.Map{"Email": email, "Next": next}

	if email == "" || password == "" {
		form["Errors"] = map[string]string{"form": "Enter your e-mail address and password."}
		return h.render(c, fiber.StatusUnprocessableEntity, "auth/login", "Log in", form)
	}
	blocked, err := h.loginBlocked(c, email)
	if err != nil {
		return err
	}
	if blocked {
		form["Errors"] = map[string]string{"form": "Too many failed logins. Wait a few minutes and try again."}
		return h.render(c, fiber.StatusTooManyRequests, "auth/login", "Log in", form)
	}

	user, err := models.Authenticate(ctx, h.DB, email, password)
	if errors.Is(err, models.ErrInvalidCredentials) {
		if err := h.recordLoginFailure(c, email); err != nil {
			return err
		}
		h.Log.Info("login failed", "email", email, "ip", c.IP())
		form["Errors"] = map[string]string{"form": "Wrong e-mail address or password."}
		return h.render(c, fiber.StatusUnauthorized, "auth/login", "Log in", form)
	}
	if err != nil {
		return err
	}
	if err := models.ResetLoginFailures(ctx, h.DB, "account:"+email); err != nil {
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
	// Logins are rare enough to carry the cleanup of expired sessions and
	// old failure counts, so no background job is needed for it.
	if err := models.DeleteExpiredSessions(ctx, h.DB, h.now()); err != nil {
		return err
	}
	if err := models.DeleteStaleLoginAttempts(ctx, h.DB, h.now().Add(-h.LoginWindow)); err != nil {
		return err
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

func (h *Handler) loginBlocked(c *fiber.Ctx, email string) (bool, error) {
	ctx, now := c.UserContext(), h.now()
	byIP, err := models.LoginBlocked(ctx, h.DB, "ip:"+c.IP(), h.LoginFailuresPerIP, h.LoginWindow, now)
	if err != nil || byIP {
		return byIP, err
	}
	return models.LoginBlocked(ctx, h.DB, "account:"+email, h.LoginFailuresPerAccount, h.LoginWindow, now)
}

func (h *Handler) recordLoginFailure(c *fiber.Ctx, email string) error {
	ctx, now := c.UserContext(), h.now()
	if err := models.RecordLoginFailure(ctx, h.DB, "ip:"+utils.CopyString(c.IP()), h.LoginWindow, now); err != nil {
		return err
	}
	return models.RecordLoginFailure(ctx, h.DB, "account:"+email, h.LoginWindow, now)
}
