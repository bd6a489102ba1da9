package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ShowInvitation shows the page an invitation link opens: the tender and,
// for a new account, the form to set a password. Opening the link changes
// nothing.
func (h *Handler) ShowInvitation(c *fiber.Ctx) error {
	inv, err := models.FindInvitation(c.UserContext(), h.DB, c.Params("token"), h.now())
	if err != nil {
		return attestError(err)
	}
	return h.render(c, fiber.StatusOK, "invitations/accept", "Invitation", fiber.Map{"Invitation": inv, "Token": c.Params("token")})
}

// AcceptInvitation sets the new vendor's password from the invitation
// link (once), logs the vendor in and opens the attestation.
func (h *Handler) AcceptInvitation(c *fiber.Ctx) error {
	ctx := c.UserContext()
	token := c.Params("token")
	password, confirm := c.FormValue("password"), c.FormValue("password_confirm")
	inv, err := models.FindInvitation(ctx, h.DB, token, h.now())
	if err != nil {
		return attestError(err)
	}
	if password != confirm {
		return h.render(c, fiber.StatusUnprocessableEntity, "invitations/accept", "Invitation", fiber.Map{
			"Invitation": inv, "Token": token, "Errors": map[string]string{"password_confirm": "The two passwords differ."}})
	}
	user, inv, err := models.AcceptInvitation(ctx, h.DB, token, password, h.now())
	if errs, ok := fieldErrors(err); ok {
		return h.render(c, fiber.StatusUnprocessableEntity, "invitations/accept", "Invitation", fiber.Map{"Invitation": inv, "Token": token, "Errors": errs})
	}
	if errors.Is(err, models.ErrConflict) && !errors.Is(err, models.ErrInvitationClosed) {
		return c.Redirect(fmt.Sprintf("/login?next=/attestations/%d", inv.AttestationID), fiber.StatusSeeOther)
	}
	if err != nil {
		return attestError(err)
	}
	if old := c.Cookies(sessionCookie); old != "" {
		if err := models.DeleteSession(ctx, h.DB, old); err != nil {
			return err
		}
	}
	sessionToken, s, err := models.CreateSession(ctx, h.DB, user.ID, h.SessionTTL, h.now())
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{
		Name: sessionCookie, Value: sessionToken, Path: "/", Expires: s.ExpiresAt,
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: h.secure(c),
	})
	h.clearCookie(c, csrfCookie)
	h.Log.Info("invitation accepted", "user", user.ID, "invitation", inv.ID)
	return c.Redirect(fmt.Sprintf("/attestations/%d?flash=welcome", inv.AttestationID), fiber.StatusSeeOther)
}
