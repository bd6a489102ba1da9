package handlers

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// MoveRequirement moves a requirement on a draft tender's sheet: to the
// position typed in the form (1 is the top) in one step, or one place up
// or down with direction. Drag and drop (static/tenders.js) fills in the
// position and sends the same form.
func (h *Handler) MoveRequirement(c *fiber.Ctx) error {
	t, err := h.tenderToManage(c)
	if err != nil {
		return err
	}
	rid, err := paramID(c, "rid")
	if err != nil {
		return err
	}
	ctx, by := c.UserContext(), currentUser(c)
	switch c.FormValue("direction") {
	case "up":
		err = models.MoveRequirement(ctx, h.DB, by, t.ID, rid, -1, h.now())
	case "down":
		err = models.MoveRequirement(ctx, h.DB, by, t.ID, rid, 1, h.now())
	case "":
		// The Move form: whatever its position says, the answer is the
		// sheet with the message next to that field, never an error page.
		// A published sheet has no such field, so it is refused first.
		if err := t.EditableBy(by); err != nil {
			return err
		}
		pos := strings.TrimSpace(c.FormValue("position"))
		n, perr := positionOf(pos)
		if err = perr; err == nil {
			err = models.MoveRequirementTo(ctx, h.DB, by, t.ID, rid, n, h.now())
		}
		if errs, ok := fieldErrors(c, err); ok {
			data, derr := h.tenderPageData(c, t, fiber.Map{"Level": models.LevelMandatory, "MoveID": rid, "MoveError": errs["position"], "MoveValue": pos})
			if derr != nil {
				return derr
			}
			return h.render(c, fiber.StatusUnprocessableEntity, "tenders/show", t.Title, data)
		}
	default:
		return refuse(fiber.StatusBadRequest, "request.bad_direction")
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/tenders/%d?flash=moved#requirement-%d", t.ID, rid), fiber.StatusSeeOther)
}

// positionOf reads the position typed in the Move form: a whole number,
// which the model checks against the length of the sheet.
func positionOf(s string) (int, error) {
	if s == "" {
		return 0, invalidInput("position", "required")
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, invalidInput("position", "not_a_number")
	}
	return n, nil
}
