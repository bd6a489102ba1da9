package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ListInvitations shows a tender's invitations with the forms to invite a
// new supplier by e-mail or an existing one from the list.
func (h *Handler) ListInvitations(c *fiber.Ctx) error {
	t, err := h.tenderToManage(c)
	if err != nil {
		return err
	}
	return h.renderInvitations(c, fiber.StatusOK, t, fiber.Map{})
}

func (h *Handler) renderInvitations(c *fiber.Ctx, status int, t *models.Tender, data fiber.Map) error {
	ctx := c.UserContext()
	list, err := models.ListInvitations(ctx, h.DB, t.ID)
	if err != nil {
		return err
	}
	suppliers, err := models.ListOrgs(ctx, h.DB, models.OrgSupplier)
	if err != nil {
		return err
	}
	// Suppliers already invited are shown but cannot be chosen again.
	invited := map[uint]bool{}
	for _, inv := range list {
		if inv.User != nil && inv.User.OrgID != nil {
			invited[*inv.User.OrgID] = true
		}
	}
	// So are suppliers with nobody who can log in yet: choosing one only
	// gave a refusal (the hint says what to do instead).
	answering, err := models.SuppliersWhoCanAnswer(ctx, h.DB)
	if err != nil {
		return err
	}
	data["Tender"], data["Invitations"], data["Suppliers"], data["Now"], data["InvitedOrgs"], data["AnsweringOrgs"] = t, list, suppliers, h.now(), invited, answering
	// The forms are offered only when Tender.InvitableBy allows; else the
	// page says why not.
	if err := t.InvitableBy(currentUser(c), h.now()); err != nil {
		data["NotOpen"] = problemOf(err).text(localeOf(c).Lang)
	} else {
		data["Open"] = true
	}
	// Without a mail relay every link must be passed on by hand; the page
	// says so before the officer invites anybody.
	data["MailConfigured"] = h.Attest.Mailer.Enabled()
	if _, ok := data["Form"]; !ok {
		data["Form"] = models.InviteInput{}
	}
	return h.render(c, status, "invitations/index", tr(c, "title.invitations", map[string]any{"title": t.Title}), data)
}
