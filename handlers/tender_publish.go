package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// PublishTender freezes a draft tender's sheet.
func (h *Handler) PublishTender(c *fiber.Ctx) error {
	t, err := h.tenderToManage(c)
	if err != nil {
		return err
	}
	_, err = models.PublishTender(c.UserContext(), h.DB, currentUser(c), t.ID, h.now())
	if errs, ok := fieldErrors(c, err); ok {
		data, derr := h.tenderPageData(c, t, fiber.Map{"Errors": errs, "Level": models.LevelMandatory})
		if derr != nil {
			return derr
		}
		return h.render(c, fiber.StatusUnprocessableEntity, "tenders/show", t.Title, data)
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/tenders/%d?flash=published", t.ID), fiber.StatusSeeOther)
}
