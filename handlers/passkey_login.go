package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// PasskeyLoginOptions starts a sign-in with a passkey: the options for
// navigator.credentials.get, with a fresh challenge and no account named
// (the passkey names it).
func (h *Handler) PasskeyLoginOptions(c *fiber.Ctx) error {
	rp, err := h.relyingParty(c)
	if err != nil {
		return err
	}
	assertion, session, err := rp.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return fmt.Errorf("handlers: begin passkey login: %w", err)
	}
	if err := h.keepChallenge(c, nil, models.PasskeyLogin, session); err != nil {
		return err
	}
	return passkeyOptions(c, assertion)
}

// SubmitPasskeyLogin checks a passkey's answer and starts a session: the
// passkey stands in for both the password and the code. Attempts count
// against the client's address before the check and, once the passkey
// names the account, against the account, like the password form.
func (h *Handler) SubmitPasskeyLogin(c *fiber.Ctx) error {
	ctx := c.UserContext()
	next := safeNext(c.FormValue("next"))
	answer := c.FormValue("credential")
	session, ok, err := h.takeChallenge(c, models.PasskeyLogin, nil)
	if err != nil {
		return err
	}
	fail := func(status int, key string) error {
		return h.render(c, status, "auth/login", "title.login", fiber.Map{
			"Next": next, "PasskeyErrors": formError(c, "form", key)})
	}
	if answer == "" {
		return fail(fiber.StatusUnprocessableEntity, "passkey.needs_javascript")
	}
	if !ok {
		return fail(fiber.StatusUnprocessableEntity, "passkey.expired")
	}
	ip, err := models.ReserveLoginAttempt(ctx, h.DB, "ip:"+c.IP(), h.LoginFailuresPerIP, h.LoginWindow, h.now())
	if h.loginLimited(c, err) {
		return fail(fiber.StatusTooManyRequests, "auth.too_many_logins")
	}
	if err != nil {
		return err
	}
	// From here every refusal keeps the reservation: it is the failure's count.
	parsed, err := protocol.ParseCredentialRequestResponseBytes([]byte(answer))
	if err != nil {
		h.Log.Info("passkey login refused", "ip", c.IP(), "err", err)
		return fail(fiber.StatusUnauthorized, "passkey.login_failed")
	}
	p, err := models.FindPasskey(ctx, h.DB, parsed.RawID)
	if errors.Is(err, models.ErrNotFound) {
		h.Log.Info("passkey login refused: unknown passkey", "ip", c.IP())
		return fail(fiber.StatusUnauthorized, "passkey.login_failed")
	}
	if err != nil {
		return err
	}
	reservation, err := h.reserveAccount(c, p.User.Email, ip)
	if h.loginLimited(c, err) {
		return fail(fiber.StatusTooManyRequests, "auth.too_many_logins")
	}
	if err != nil {
		return err
	}
	if err := h.checkPasskey(c, p, session, parsed); err != nil {
		if !errors.Is(err, errPasskeyRefused) {
			return err
		}
		h.Log.Info("passkey login refused", "user", p.UserID, "ip", c.IP(), "err", err)
		if rerr := models.RecordPasskeyFailure(ctx, h.DB, p, h.now()); rerr != nil {
			return rerr
		}
		return fail(fiber.StatusUnauthorized, "passkey.login_failed")
	}
	if err := h.loginSucceeded(c, reservation); err != nil {
		return err
	}
	return h.startSession(c, &p.User, next)
}

// errPasskeyRefused marks a passkey answer that does not pass: a bad
// signature, challenge or origin, another account's user handle, or a
// signature counter that did not go up.
var errPasskeyRefused = errors.New("passkey answer refused")

// checkPasskey verifies the answer of passkey p to session's challenge
// and records the use. The answer's user handle must be p's owner: a
// passkey cannot sign in anyone else.
func (h *Handler) checkPasskey(c *fiber.Ctx, p *models.Passkey, session webauthn.SessionData, parsed *protocol.ParsedCredentialAssertionData) error {
	rp, err := h.relyingParty(c)
	if err != nil {
		return err
	}
	pu, err := passkeyUserOf(&p.User, []models.Passkey{*p})
	if err != nil {
		return err
	}
	owner := func(rawID, handle []byte) (webauthn.User, error) {
		if !bytes.Equal(handle, pu.WebAuthnID()) {
			return nil, fmt.Errorf("user handle is not the owner of passkey %d", p.ID)
		}
		return pu, nil
	}
	_, cred, err := rp.ValidatePasskeyLogin(owner, session, parsed)
	if err != nil {
		return fmt.Errorf("%w: %w", errPasskeyRefused, err)
	}
	if cred.Authenticator.CloneWarning {
		return fmt.Errorf("%w: signature counter %d did not go up (cloned authenticator?)", errPasskeyRefused, cred.Authenticator.SignCount)
	}
	record, err := json.Marshal(cred)
	if err != nil {
		return fmt.Errorf("handlers: passkey record: %w", err)
	}
	err = models.UsePasskey(c.UserContext(), h.DB, p, cred.Authenticator.SignCount, string(record), h.now())
	if errors.Is(err, models.ErrPasskeyCounter) {
		return fmt.Errorf("%w: %w", errPasskeyRefused, err)
	}
	return err
}
