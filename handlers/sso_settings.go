package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/sso"
	"tenderprobe/models"
)

// SSOSettings connects the handlers to single sign-on: the OpenID Connect
// client and the sealer of the providers' client secrets. Without a
// Client, nobody is sent to a provider; without the sealer's key, no
// provider can be registered or used.
type SSOSettings struct {
	Client *sso.Client
	Sealer *sso.Sealer
}

// ssoCookie binds a sign-in sent to a provider to the browser that
// started it; ssoOutCookie finds the ID token a logout hands back.
const (
	ssoCookie    = "tp_sso"
	ssoOutCookie = "tp_sso_out"
)

// ssoReady reports whether sign-in through providers can work here.
func (h *Handler) ssoReady() bool {
	return h.SSO.Client != nil && h.SSO.Sealer.Ready()
}

// secretLabel is what a provider's sealed client secret is bound to: its
// organisation, so a sealed secret copied to another row does not open.
func secretLabel(orgID uint) string {
	return fmt.Sprintf("tenderprobe sso client secret, org %d", orgID)
}

// ssoProvider is what app/sso needs of p, with its secret opened.
func (h *Handler) ssoProvider(p *models.SSOProvider) (sso.Provider, error) {
	secret, err := h.SSO.Sealer.Open(p.ClientSecret, secretLabel(p.OrgID))
	if err != nil {
		return sso.Provider{}, fmt.Errorf("handlers: client secret of sso provider %d: %w", p.ID, err)
	}
	return sso.Provider{Issuer: p.Issuer, ClientID: p.ClientID, ClientSecret: secret, RoleClaim: p.RoleClaim}, nil
}

// publicBase is the app's public address: --base-url, or the address the
// request came in on.
func (h *Handler) publicBase(c *fiber.Ctx) string {
	if h.Attest.BaseURL != "" {
		return h.Attest.BaseURL
	}
	return c.BaseURL()
}

// ssoRedirectURL is where providers send the browser back.
func (h *Handler) ssoRedirectURL(c *fiber.Ctx) string { return h.publicBase(c) + "/sso/callback" }
