package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ListInvitations shows a tender's invitations with the form to invite
// another supplier.
func (h *Handler) ListInvitations(c *fiber.Ctx) error {
	t, err := h.editableTender(c)
	if err != nil {
		return err
	}
	return h.renderInvitations(c, fiber.StatusOK, t, fiber.Map{})
}

func (h *Handler) renderInvitations(c *fiber.Ctx, status int, t *models.Tender, data fiber.Map) error {
	list, err := models.ListInvitations(c.UserContext(), h.DB, t.ID)
	if err != nil {
		return err
	}
	data["Tender"], data["Invitations"], data["Now"] = t, list, h.now()
	data["Open"] = t.Status == models.StatusPublished
	if _, ok := data["Form"]; !ok {
		data["Form"] = models.InviteInput{}
	}
	return h.render(c, status, "invitations/index", "Invitations · "+t.Title, data)
}
