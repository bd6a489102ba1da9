package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// Signing in has two steps that every way in shares: a first step proves
// who the user is (the password form, POST /api/v1/tokens) and, when the
// account has a second factor, askSecondFactor keeps that proof in a
// short-lived pending login until the code page (login_code.go) has the
// code; then startSession makes the session. A way in that proves both at
// once (a passkey, or an identity provider that vouches for its own second
// factor) calls startSession directly.

// pendingCookie holds the token of a sign-in waiting for its second factor.
const pendingCookie = "tp_pending"

// pendingLoginTTL is how long the code page waits for the code.
const pendingLoginTTL = 5 * time.Minute

// askSecondFactor keeps user's sign-in pending, bound to a cookie, and
// sends the browser to the code page.
func (h *Handler) askSecondFactor(c *fiber.Ctx, user *models.User, next string) error {
	ctx := c.UserContext()
	if old := c.Cookies(pendingCookie); old != "" {
		if err := models.DeletePendingLogin(ctx, h.DB, old, h.now()); err != nil {
			return err
		}
	}
	token, err := models.CreatePendingLogin(ctx, h.DB, user.ID, next, pendingLoginTTL, h.now())
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{
		Name: pendingCookie, Value: token, Path: "/", Expires: h.now().Add(pendingLoginTTL),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: h.secure(c),
	})
	h.Log.Info("login: password right, second factor asked", "user", user.ID, "ip", c.IP())
	return c.Redirect("/login/code", fiber.StatusSeeOther)
}

// client is where the request comes from, as sessions and tokens record it.
func client(c *fiber.Ctx) models.Client {
	return models.Client{IP: c.IP(), UserAgent: c.Get(fiber.HeaderUserAgent)}
}

// startSession ends any session the browser had, starts a new one for
// user (a new session id at every login defeats session fixation), writes
// the audit entry and goes on to next. Logins are rare enough to carry the
// cleanup of expired sessions and API tokens and old failure counts, so
// no background job is needed.
func (h *Handler) startSession(c *fiber.Ctx, user *models.User, next string) error {
	ctx := c.UserContext()
	if old := c.Cookies(sessionCookie); old != "" {
		if err := models.DeleteSession(ctx, h.DB, old); err != nil {
			return err
		}
	}
	token, s, err := models.CreateSessionFor(ctx, h.DB, user.ID, client(c), h.SessionTTL, h.now())
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
