package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/sso"
	"tenderprobe/models"
)

// SSOCallback is where a provider sends the browser back. It is a GET,
// as OpenID Connect has it; what it changes is guarded by the state,
// which only the browser holding the binding cookie can use, once. The
// code is exchanged with the PKCE verifier, the ID token verified, and
// the account found or created by the rules of models.SSOSignIn. A user
// with a second factor is then asked for its code, as after a password.
func (h *Handler) SSOCallback(c *fiber.Ctx) error {
	ctx := c.UserContext()
	binding := c.Cookies(ssoCookie)
	h.clearCookie(c, ssoCookie)
	l, err := models.ConsumeSSOLogin(ctx, h.DB, c.Query("state"), binding, h.now())
	if errors.Is(err, models.ErrSSOState) {
		return h.ssoRefused(c, nil, "state", err)
	}
	if err != nil {
		return err
	}
	p, err := models.FindSSOProvider(ctx, h.DB, l.ProviderID)
	if err != nil {
		return err
	}
	if c.Query("error") != "" {
		return h.ssoRefused(c, p, "provider", errors.New(c.Query("error")))
	}
	if !h.ssoReady() {
		return h.ssoLoginPage(c, fiber.StatusServiceUnavailable, "sso.no_provider")
	}
	prov, err := h.ssoProvider(p)
	if err != nil {
		return err
	}
	id, err := h.SSO.Client.Finish(ctx, prov, h.ssoRedirectURL(c), c.Query("code"), l.Verifier, l.Nonce)
	var r *sso.Refusal
	if errors.As(err, &r) {
		return h.ssoRefused(c, p, r.Code, err)
	}
	if err != nil {
		return err
	}
	u, _, err := models.SSOSignIn(ctx, h.DB, p, id.Email, id.Name, p.RoleFor(id.RoleValues), h.now())
	var se *models.SSOError
	if errors.As(err, &se) {
		h.Log.Info("sso: sign-in refused", "reason", se.Code, "provider", p.ID, "ip", c.IP())
		status := fiber.StatusForbidden
		if se.Code == models.SSOAwaitingApproval {
			status = fiber.StatusAccepted
		}
		return h.ssoLoginPage(c, status, "sso.refused."+se.Code)
	}
	if err != nil {
		return err
	}
	out, err := models.CreateSSOSignOut(ctx, h.DB, p.ID, u.ID, id.IDToken, h.SessionTTL, h.now())
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{
		Name: ssoOutCookie, Value: out, Path: "/", Expires: h.now().Add(h.SessionTTL),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: h.secure(c),
	})
	// The provider stands in for the password, not for the second
	// factor: a code follows as after a password, and a user whose only
	// required second factor is a passkey signs in with the passkey.
	if u.PasskeyRequired(h.RequireSecondFactor) {
		return h.ssoLoginPage(c, fiber.StatusUnauthorized, "passkey.password_not_enough")
	}
	if u.HasTOTP() {
		return h.askSecondFactor(c, u, l.Next)
	}
	return h.startSession(c, u, l.Next)
}
