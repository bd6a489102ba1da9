package handlers

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// Passkeys (WebAuthn) take two requests per ceremony: the browser asks
// for options (a fresh challenge), the authenticator signs it, and the
// page posts the answer as a form. The challenge stays on the server
// (models.PasskeyChallenge), bound to a short-lived cookie, and is taken
// once. The relying party is the host of --base-url, or without one the
// host the request came to; its display name is "Tenderprobe".

// passkeyCookie holds the token of the ceremony under way.
const passkeyCookie = "tp_passkey"

// passkeyTTL is how long a ceremony may take: the browser's own timeout
// and the challenge's life.
const passkeyTTL = 5 * time.Minute

// relyingParty is the WebAuthn relying party of this request: the
// configured public address, or the request's own scheme and host.
func (h *Handler) relyingParty(c *fiber.Ctx) (*webauthn.WebAuthn, error) {
	base := h.Attest.BaseURL
	if base == "" {
		base = c.BaseURL()
	}
	u, err := url.Parse(base)
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("handlers: relying party of %q: %w", base, errors.Join(err, errors.New("no host")))
	}
	// WebAuthn binds a passkey to a domain name; an address is never one
	// (the browser refuses it too). Say so rather than fail.
	if _, err := netip.ParseAddr(u.Hostname()); err == nil {
		return nil, refuse(fiber.StatusConflict, "passkey.needs_domain")
	}
	timeout := webauthn.TimeoutConfig{Enforce: true, Timeout: passkeyTTL, TimeoutUVD: passkeyTTL}
	return webauthn.New(&webauthn.Config{
		RPID:          u.Hostname(),
		RPDisplayName: "Tenderprobe",
		RPOrigins:     []string{u.Scheme + "://" + u.Host},
		// A passkey replaces both the password and the code, so the
		// authenticator must verify the user (PIN, fingerprint) and keep
		// the credential itself (it names the account at sign-in).
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:      protocol.ResidentKeyRequirementRequired,
			UserVerification: protocol.VerificationRequired,
		},
		Timeouts: webauthn.TimeoutsConfig{Login: timeout, Registration: timeout},
	})
}

// passkeyUser is a user as go-webauthn sees them, with the passkeys that
// may be used in this ceremony.
type passkeyUser struct {
	u     *models.User
	creds []webauthn.Credential
}

// passkeyUserOf reads the stored credential records of ps.
func passkeyUserOf(u *models.User, ps []models.Passkey) (*passkeyUser, error) {
	pu := &passkeyUser{u: u}
	for _, p := range ps {
		var cred webauthn.Credential
		if err := json.Unmarshal([]byte(p.Credential), &cred); err != nil {
			return nil, fmt.Errorf("handlers: passkey %d: %w", p.ID, err)
		}
		pu.creds = append(pu.creds, cred)
	}
	return pu, nil
}

// userHandle is the WebAuthn user handle of user id: the id itself, as
// eight bytes. It names no person, and the passkey's user handle is
// checked against the passkey's owner at sign-in.
func userHandle(id uint) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(id))
}

func (p *passkeyUser) WebAuthnID() []byte                         { return userHandle(p.u.ID) }
func (p *passkeyUser) WebAuthnName() string                       { return p.u.Email }
func (p *passkeyUser) WebAuthnCredentials() []webauthn.Credential { return p.creds }
func (p *passkeyUser) WebAuthnDisplayName() string {
	if p.u.Name != "" {
		return p.u.Name
	}
	return p.u.Email
}

// keepChallenge stores the session data of a ceremony for userID (nil for
// a sign-in) and binds it to the browser with the passkey cookie.
func (h *Handler) keepChallenge(c *fiber.Ctx, userID *uint, purpose string, session *webauthn.SessionData) error {
	data, err := json.Marshal(session)
	if err != nil {
		return fmt.Errorf("handlers: passkey session: %w", err)
	}
	token, err := models.CreatePasskeyChallenge(c.UserContext(), h.DB, userID, purpose, string(data), passkeyTTL, h.now())
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{
		Name: passkeyCookie, Value: token, Path: "/", Expires: h.now().Add(passkeyTTL),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode, Secure: h.secure(c),
	})
	return nil
}

// takeChallenge takes the ceremony the passkey cookie names, for purpose
// and userID, and clears the cookie: ok is false when there is none (no
// cookie, used, expired, someone else's).
func (h *Handler) takeChallenge(c *fiber.Ctx, purpose string, userID *uint) (session webauthn.SessionData, ok bool, err error) {
	token := c.Cookies(passkeyCookie)
	if token == "" {
		return session, false, nil
	}
	h.clearCookie(c, passkeyCookie)
	data, err := models.TakePasskeyChallenge(c.UserContext(), h.DB, token, purpose, userID, h.now())
	if errors.Is(err, models.ErrNotFound) {
		return session, false, nil
	}
	if err != nil {
		return session, false, err
	}
	if err := json.Unmarshal([]byte(data), &session); err != nil {
		return session, false, fmt.Errorf("handlers: passkey session: %w", err)
	}
	return session, true, nil
}

// passkeyOptions answers a ceremony's options as JSON, never cached.
func passkeyOptions(c *fiber.Ctx, options any) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(options)
}

// passkeyData adds the user's passkeys to the account page, and whether
// removing the last one would be refused.
func (h *Handler) passkeyData(c *fiber.Ctx, data fiber.Map) error {
	u := currentUser(c)
	ps, err := models.ListPasskeys(c.UserContext(), h.DB, u.ID)
	if err != nil {
		return err
	}
	data["Passkeys"] = ps
	data["PasskeyKeepLast"] = len(ps) == 1 && u.PasskeyRequired(h.RequireSecondFactor)
	if _, ok := data["PasskeyErrors"]; !ok {
		data["PasskeyErrors"] = map[string]string{}
	}
	return nil
}
