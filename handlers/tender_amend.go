package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// AmendTender starts a new draft revision of a published tender; the
// published revision stays readable and unchanged.
func (h *Handler) AmendTender(c *fiber.Ctx) error {
	t, err := h.tenderToManage(c)
	if err != nil {
		return err
	}
	nt, err := models.AmendTender(c.UserContext(), h.DB, currentUser(c), t.ID, h.now())
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/tenders/%d?flash=amended", nt.ID), fiber.StatusSeeOther)
}
