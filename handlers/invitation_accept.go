package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ShowInvitation shows the page an invitation link opens: the tender (or,
// for a colleague, the supplier) and, when the link created the account,
// the form to set a password. Opening the link changes nothing.
func (h *Handler) ShowInvitation(c *fiber.Ctx) error {
	link, err := models.FindInvitationLink(c.UserContext(), h.DB, c.Params("token"), h.now())
	if err != nil {
		return invitationRefusal(err)
	}
	return h.renderInvitationLink(c, fiber.StatusOK, link, nil)
}

// AcceptInvitation sets the new vendor's password from the invitation
// link (once), logs the vendor in and opens the attestation, or the
// supplier's page for a colleague.
func (h *Handler) AcceptInvitation(c *fiber.Ctx) error {
	ctx := c.UserContext()
	token := c.Params("token")
	link, err := models.FindInvitationLink(ctx, h.DB, token, h.now())
	if err != nil {
		return invitationRefusal(err)
	}
	if !link.SetsPassword {
		if link.AccountPending() {
			// The page says which link activates the account.
			return h.renderInvitationLink(c, fiber.StatusConflict, link, nil)
		}
		return c.Redirect("/login?next="+invitationNext(link), fiber.StatusSeeOther)
	}
	password, confirm := c.FormValue("password"), c.FormValue("password_confirm")
	if password != confirm {
		return h.renderInvitationLink(c, fiber.StatusUnprocessableEntity, link, formError(c, "password_confirm", "invitation.passwords_differ"))
	}
	user, err := models.AcceptInvitationLink(ctx, h.DB, token, password, h.now())
	if errs, ok := fieldErrors(c, err); ok {
		return h.renderInvitationLink(c, fiber.StatusUnprocessableEntity, link, errs)
	}
	if errors.Is(err, models.ErrConflict) && !errors.Is(err, models.ErrInvitationClosed) {
		return c.Redirect("/login?next="+invitationNext(link), fiber.StatusSeeOther)
	}
	if err != nil {
		return err
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
	h.Log.Info("invitation accepted", "user", user.ID)
	flash := "welcome"
	if link.Tender == nil {
		flash = "joined"
	}
	return c.Redirect(invitationNext(link)+"?flash="+flash, fiber.StatusSeeOther)
}

// invitationNext is where an invitation leads once its account is logged
// in: the attestation, or the supplier's page for a colleague.
func invitationNext(link *models.InvitationLink) string {
	if link.Tender == nil {
		return "/supplier"
	}
	return fmt.Sprintf("/attestations/%d", link.AttestationID)
}

// renderInvitationLink renders the page of an invitation link, with the
// field errors of a refused password if any.
func (h *Handler) renderInvitationLink(c *fiber.Ctx, status int, link *models.InvitationLink, errs map[string]string) error {
	data := fiber.Map{"Invitation": link, "Token": c.Params("token"), "Next": invitationNext(link), "MinPassword": models.MinPasswordLength}
	if errs != nil {
		data["Errors"] = errs
	}
	// Names of the people and organisations the page's sentences name.
	data["SupplierName"], data["BuyerName"], data["InviterName"] = "", "", ""
	if link.User != nil && link.User.Org != nil {
		data["SupplierName"] = link.User.Org.Name
	}
	if link.Tender != nil && link.Tender.BuyerOrg != nil {
		data["BuyerName"] = link.Tender.BuyerOrg.Name
	}
	if link.InvitedBy != nil {
		data["InviterName"] = link.InvitedBy.Name
	}
	return h.render(c, status, "invitations/accept", "title.invitation", data)
}

// invitationRefusal says what is wrong with a link no invitation has: not
// "not found" twice, but that the link is not valid and what to do.
func invitationRefusal(err error) error {
	if errors.Is(err, models.ErrNotFound) {
		return refuse(fiber.StatusNotFound, "invitation.unknown")
	}
	return err
}
