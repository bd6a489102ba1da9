package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// RemoveRequirement takes a requirement off a draft tender's sheet.
func (h *Handler) RemoveRequirement(c *fiber.Ctx) error {
	t, err := h.tenderToManage(c)
	if err != nil {
		return err
	}
	rid, err := paramID(c, "rid")
	if err != nil {
		return err
	}
	if err := models.RemoveRequirement(c.UserContext(), h.DB, currentUser(c), t.ID, rid, h.now()); err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/tenders/%d?flash=removed#sheet", t.ID), fiber.StatusSeeOther)
}
