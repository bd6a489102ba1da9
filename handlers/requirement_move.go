package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// MoveRequirement moves a requirement one place up or down the sheet.
func (h *Handler) MoveRequirement(c *fiber.Ctx) error {
	t, err := h.tenderToManage(c)
	if err != nil {
		return err
	}
	rid, err := paramID(c, "rid")
	if err != nil {
		return err
	}
	var delta int
	switch c.FormValue("direction") {
	case "up":
		delta = -1
	case "down":
		delta = 1
	default:
		return refuse(fiber.StatusBadRequest, "request.bad_direction")
	}
	if err := models.MoveRequirement(c.UserContext(), h.DB, t.ID, rid, delta); err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/tenders/%d?flash=moved#requirement-%d", t.ID, rid), fiber.StatusSeeOther)
}
