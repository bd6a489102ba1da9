package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// AddRequirement puts a catalogue standard on a draft tender's sheet with a
// level, an optional custom clause and a note.
func (h *Handler) AddRequirement(c *fiber.Ctx) error {
	t, err := h.tenderToManage(c)
	if err != nil {
		return err
	}
	slug, level := c.FormValue("standard"), c.FormValue("level")
	clause, note := c.FormValue("custom_clause"), c.FormValue("note")
	r, err := models.AddRequirement(c.UserContext(), h.DB, t.ID, slug, level, clause, note)
	if errs, ok := fieldErrors(err); ok {
		data, derr := h.tenderPageData(c, t, fiber.Map{
			"Errors": errs, "StandardValue": slug, "Level": level, "CustomClause": clause, "Note": note,
		})
		if derr != nil {
			return derr
		}
		return h.render(c, fiber.StatusUnprocessableEntity, "tenders/show", t.Title, data)
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/tenders/%d?flash=added#requirement-%d", t.ID, r.ID), fiber.StatusSeeOther)
}
