package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// Logout ends the session in the database and in the browser. The CSRF
// cookie goes too, so the next visitor of a shared browser starts afresh.
// After a sign-in through an identity provider whose discovery document
// names an end_session_endpoint, a page offers to sign out there too.
func (h *Handler) Logout(c *fiber.Ctx) error {
	end, err := h.providerLogoutURL(c)
	if err != nil {
		return err
	}
	if token := c.Cookies(sessionCookie); token != "" {
		if err := models.DeleteSession(c.UserContext(), h.DB, token); err != nil {
			return err
		}
	}
	h.clearCookie(c, sessionCookie)
	h.clearCookie(c, csrfCookie)
	if end == "" {
		return c.Redirect("/login", fiber.StatusSeeOther)
	}
	c.Locals(localUser, (*models.User)(nil))
	return h.render(c, fiber.StatusOK, "auth/signed_out", "title.sso_signed_out", fiber.Map{"EndSessionURL": end})
}

// providerLogoutURL is the end-session address of the provider the user
// signed in through in this browser, or "".
func (h *Handler) providerLogoutURL(c *fiber.Ctx) (string, error) {
	token := c.Cookies(ssoOutCookie)
	u := currentUser(c)
	if token == "" || u == nil {
		return "", nil
	}
	h.clearCookie(c, ssoOutCookie)
	s, err := models.TakeSSOSignOut(c.UserContext(), h.DB, token, u.ID, h.now())
	if errors.Is(err, models.ErrNotFound) || h.SSO.Client == nil {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return h.SSO.Client.LogoutURL(c.UserContext(), s.Provider.Issuer, s.Provider.ClientID, s.IDToken, h.publicBase(c)+"/login"), nil
}
