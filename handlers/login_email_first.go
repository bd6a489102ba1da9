package handlers

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// Once an organisation signs in through its identity provider, the login
// page asks for the e-mail address first (no JavaScript needed): an
// address whose domain a provider vouches for gets the step that sends
// the browser there (POST /sso/start), any other gets the password field.
// A form with both fields, as before, signs in with the password.

// emailFirst reports whether the login page starts with the e-mail
// address alone: when some provider is registered.
func (h *Handler) emailFirst(c *fiber.Ctx) (bool, error) {
	if !h.ssoReady() {
		return false, nil
	}
	return models.AnySSOProvider(c.UserContext(), h.DB)
}

// loginNextStep answers a login form that has an e-mail address and no
// password: the provider's step, or the password field when the form had
// none. handled is false when the form had an empty password field, which
// SubmitLogin refuses as before.
func (h *Handler) loginNextStep(c *fiber.Ctx, email, next string) (handled bool, err error) {
	form := fiber.Map{"Email": email, "Next": next}
	if h.ssoReady() {
		p, err := models.SSOProviderForEmail(c.UserContext(), h.DB, email)
		if err == nil {
			form["SSOProvider"] = p
			h.allowFormTo(c, p)
			return true, h.render(c, fiber.StatusOK, "auth/login", "title.login", form)
		}
		if !errors.Is(err, models.ErrNotFound) {
			return true, err
		}
	}
	if formHas(c, "password") {
		return false, nil
	}
	form["PasswordStep"] = true
	return true, h.render(c, fiber.StatusOK, "auth/login", "title.login", form)
}

// allowFormTo widens this page's CSP form-action to the authorization
// endpoint of p: the step's form posts to /sso/start, which redirects
// there, and browsers hold a form's redirects to form-action. Without
// the provider's discovery document the page keeps the strict policy;
// /sso/start then says the provider cannot be reached.
func (h *Handler) allowFormTo(c *fiber.Ctx, p *models.SSOProvider) {
	origin, err := h.SSO.Client.AuthorizationOrigin(c.UserContext(), p.Issuer)
	if err != nil {
		h.Log.Info("sso: provider discovery failed", "provider", p.ID, "err", err)
		return
	}
	c.Set(fiber.HeaderContentSecurityPolicy, strings.Replace(ContentSecurityPolicy, "form-action 'self'", "form-action 'self' "+origin, 1))
}
