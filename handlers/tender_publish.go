package handlers

import (
	"errors"
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
	// Published meanwhile (a second click, another tab): what was asked
	// for is done, so the answer is the published tender, not a refusal.
	if errors.Is(err, models.ErrLocked) {
		if now, lerr := h.tenderToManage(c); lerr == nil && now.Status == models.StatusPublished {
			err = nil
		}
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/tenders/%d?flash=published", t.ID), fiber.StatusSeeOther)
}
