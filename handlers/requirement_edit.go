package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// UpdateRequirement saves a requirement's level, custom clause and note
// (internal or public) on a draft tender's sheet.
func (h *Handler) UpdateRequirement(c *fiber.Ctx) error {
	t, err := h.tenderToManage(c)
	if err != nil {
		return err
	}
	rid, err := paramID(c, "rid")
	if err != nil {
		return err
	}
	in, err := requirementInputFromForm(c)
	if err == nil {
		_, err = models.UpdateRequirement(c.UserContext(), h.DB, currentUser(c), t.ID, rid, in, h.now())
	}
	if errs, ok := fieldErrors(c, err); ok {
		data, derr := h.tenderPageData(c, t, fiber.Map{
			"Level": models.LevelMandatory, "EditID": rid, "EditErrors": errs,
			"EditLevel": in.Level, "EditClause": in.CustomClause, "EditNote": in.Note, "EditVisibility": c.FormValue("note_visibility"),
		})
		if derr != nil {
			return derr
		}
		return h.render(c, fiber.StatusUnprocessableEntity, "tenders/show", t.Title, data)
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/tenders/%d?flash=requirement_saved#requirement-%d", t.ID, rid), fiber.StatusSeeOther)
}
