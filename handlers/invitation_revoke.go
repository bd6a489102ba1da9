package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// RevokeInvitation closes an invitation link.
func (h *Handler) RevokeInvitation(c *fiber.Ctx) error {
	t, err := h.tenderToManage(c)
	if err != nil {
		return err
	}
	iid, err := paramID(c, "iid")
	if err != nil {
		return err
	}
	if err := models.RevokeInvitation(c.UserContext(), h.DB, currentUser(c), t.ID, iid, h.now()); err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/tenders/%d/invitations?flash=revoked", t.ID), fiber.StatusSeeOther)
}
