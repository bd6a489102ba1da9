package handlers

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// PasskeyRegisterOptions starts registering a passkey on the signed-in
// user's account: it answers the options for navigator.credentials.create
// with a fresh challenge, and excludes the passkeys the account has.
func (h *Handler) PasskeyRegisterOptions(c *fiber.Ctx) error {
	u := currentUser(c)
	rp, err := h.relyingParty(c)
	if err != nil {
		return err
	}
	existing, err := models.ListPasskeys(c.UserContext(), h.DB, u.ID)
	if err != nil {
		return err
	}
	pu, err := passkeyUserOf(u, existing)
	if err != nil {
		return err
	}
	exclude := make([]protocol.CredentialDescriptor, len(pu.creds))
	for i := range pu.creds {
		exclude[i] = pu.creds[i].Descriptor()
	}
	creation, session, err := rp.BeginRegistration(pu, webauthn.WithExclusions(exclude),
		webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementRequired))
	if err != nil {
		return fmt.Errorf("handlers: begin passkey registration: %w", err)
	}
	if err := h.keepChallenge(c, &u.ID, models.PasskeyRegister, session); err != nil {
		return err
	}
	return passkeyOptions(c, creation)
}

// AddPasskey finishes registering a passkey: the form carries its name
// and, filled in by static/passkeys.js, the authenticator's answer.
func (h *Handler) AddPasskey(c *fiber.Ctx) error {
	u := currentUser(c)
	name, answer := c.FormValue("name"), c.FormValue("credential")
	session, ok, err := h.takeChallenge(c, models.PasskeyRegister, &u.ID)
	if err != nil {
		return err
	}
	refuse := func(field, key string) error {
		return h.renderAccount(c, fiber.StatusUnprocessableEntity, fiber.Map{
			"PasskeyName": name, "PasskeyErrors": formError(c, field, key)})
	}
	if err := models.CheckPasskeyName(name); err != nil {
		errs, _ := fieldErrors(c, err)
		return h.renderAccount(c, fiber.StatusUnprocessableEntity, fiber.Map{"PasskeyName": name, "PasskeyErrors": errs})
	}
	if answer == "" {
		return refuse("form", "passkey.needs_javascript")
	}
	if !ok {
		return refuse("form", "passkey.expired")
	}
	rp, err := h.relyingParty(c)
	if err != nil {
		return err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes([]byte(answer))
	if err != nil {
		h.Log.Info("passkey registration refused", "user", u.ID, "err", err)
		return refuse("form", "passkey.register_failed")
	}
	existing, err := models.ListPasskeys(c.UserContext(), h.DB, u.ID)
	if err != nil {
		return err
	}
	pu, err := passkeyUserOf(u, existing)
	if err != nil {
		return err
	}
	cred, err := rp.CreateCredential(pu, session, parsed)
	if err != nil {
		h.Log.Info("passkey registration refused", "user", u.ID, "err", err)
		return refuse("form", "passkey.register_failed")
	}
	record, err := json.Marshal(cred)
	if err != nil {
		return fmt.Errorf("handlers: passkey record: %w", err)
	}
	_, err = models.AddPasskey(c.UserContext(), h.DB, u, name, cred.ID, string(record), cred.Authenticator.SignCount, h.now())
	if errors.Is(err, models.ErrConflict) {
		return refuse("form", "passkey.already_registered")
	}
	if err != nil {
		return err
	}
	h.Log.Info("passkey added", "user", u.ID)
	return c.Redirect("/account?flash=passkey_added#passkeys", fiber.StatusSeeOther)
}
