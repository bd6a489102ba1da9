package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ShowLoginCode asks for the second factor of a pending sign-in; without
// one the browser goes back to the login form.
func (h *Handler) ShowLoginCode(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	_, err := models.FindPendingLogin(c.UserContext(), h.DB, c.Cookies(pendingCookie), h.now())
	if errors.Is(err, models.ErrNotFound) {
		return c.Redirect("/login?flash=totp_expired", fiber.StatusSeeOther)
	}
	if err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, "auth/code", "title.totp", nil)
}

// SubmitLoginCode checks the code of a pending sign-in: a TOTP code or a
// recovery code. Every check counts against the login limits like a
// password, and only a right code forgets the account's failures.
func (h *Handler) SubmitLoginCode(c *fiber.Ctx) error {
	ctx := c.UserContext()
	token := c.Cookies(pendingCookie)
	p, err := models.FindPendingLogin(ctx, h.DB, token, h.now())
	if errors.Is(err, models.ErrNotFound) {
		h.clearCookie(c, pendingCookie)
		return c.Redirect("/login?flash=totp_expired", fiber.StatusSeeOther)
	}
	if err != nil {
		return err
	}
	code := c.FormValue("code")
	if code == "" {
		return h.render(c, fiber.StatusUnprocessableEntity, "auth/code", "title.totp",
			fiber.Map{"Errors": formError(c, "code", "totp.code_missing")})
	}
	reservation, err := h.reserveLogin(c, p.User.Email)
	if h.loginLimited(c, err) {
		return h.render(c, fiber.StatusTooManyRequests, "auth/code", "title.totp",
			fiber.Map{"Errors": formError(c, "code", "auth.too_many_logins")})
	}
	if err != nil {
		return err
	}
	recovery, err := models.VerifySecondFactor(ctx, h.DB, &p.User, code, h.now())
	if errors.Is(err, models.ErrSecondFactorInvalid) {
		// The reservation stays: it is this failure's count.
		h.Log.Info("login failed: second factor", "user", p.UserID, "ip", c.IP())
		if err := models.RecordSecondFactorFailure(ctx, h.DB, &p.User, h.now()); err != nil {
			return err
		}
		return h.render(c, fiber.StatusUnauthorized, "auth/code", "title.totp",
			fiber.Map{"Errors": formError(c, "code", "totp.code_invalid")})
	}
	if err != nil {
		return err
	}
	if err := h.loginSucceeded(c, reservation); err != nil {
		return err
	}
	if err := models.DeletePendingLogin(ctx, h.DB, token, h.now()); err != nil {
		return err
	}
	h.clearCookie(c, pendingCookie)
	next := safeNext(p.Next)
	if recovery {
		// The user should know how many recovery codes are left.
		next = "/account?flash=totp_recovery_used#second-factor"
	}
	return h.startSession(c, &p.User, next)
}
