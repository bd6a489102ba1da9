package handlers

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/sso"
	"tenderprobe/models"
)

// ssoLoginTTL is how long a sign-in sent to a provider may take to come back.
const ssoLoginTTL = 10 * time.Minute

// StartSSO sends the browser to the identity provider that vouches for
// the domain of the e-mail address, with a fresh state, nonce and PKCE
// challenge kept server-side and bound to a short-lived cookie.
func (h *Handler) StartSSO(c *fiber.Ctx) error {
	ctx := c.UserContext()
	email := models.NormalizeEmail(c.FormValue("email"))
	next := safeNext(c.FormValue("next"))
	form := fiber.Map{"Email": email, "Next": next, "EmailFirst": true}
	p, err := models.SSOProviderForEmail(ctx, h.DB, email)
	if errors.Is(err, models.ErrNotFound) || err == nil && !h.ssoReady() {
		form["Errors"] = formError(c, "email", "sso.no_provider")
		return h.render(c, fiber.StatusUnprocessableEntity, "auth/login", "title.login", form)
	}
	if err != nil {
		return err
	}
	prov, err := h.ssoProvider(p)
	if err != nil {
		return err
	}
	a, err := h.SSO.Client.Start(ctx, prov, h.ssoRedirectURL(c))
	var r *sso.Refusal
	if errors.As(err, &r) {
		return h.ssoRefused(c, p, r.Code, err)
	}
	if err != nil {
		return err
	}
	binding, err := models.CreateSSOLogin(ctx, h.DB, p.ID, a.State, a.Nonce, a.Verifier, next, ssoLoginTTL, h.now())
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{
		Name: ssoCookie, Value: binding, Path: "/", Expires: h.now().Add(ssoLoginTTL),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: h.secure(c),
	})
	h.Log.Info("sso: sent to provider", "provider", p.ID, "ip", c.IP())
	return c.Redirect(a.URL, fiber.StatusSeeOther)
}

// ssoRefused writes the audit entry of a refused sign-in at p and shows
// the login page with the reason.
func (h *Handler) ssoRefused(c *fiber.Ctx, p *models.SSOProvider, code string, cause error) error {
	h.Log.Info("sso: sign-in refused", "reason", code, "err", cause, "ip", c.IP())
	// An unknown or replayed state names no provider: it is only logged,
	// so nobody can fill the audit log by calling the callback.
	if p != nil {
		if err := models.RecordSSORefusal(c.UserContext(), h.DB, p, code, h.now()); err != nil {
			return err
		}
	}
	status := fiber.StatusUnauthorized
	switch code {
	case sso.ReasonDiscovery, sso.ReasonExchange:
		status = fiber.StatusBadGateway
	case "state":
		status = fiber.StatusBadRequest
	}
	return h.ssoLoginPage(c, status, "sso.refused."+code)
}

// ssoLoginPage shows the login page (e-mail first) with the message key.
func (h *Handler) ssoLoginPage(c *fiber.Ctx, status int, key string) error {
	form := fiber.Map{"Next": "/", "EmailFirst": true, "Errors": formError(c, "form", key)}
	return h.render(c, status, "auth/login", "title.login", form)
}
