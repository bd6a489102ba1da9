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
	if pos := strings.TrimSpace(c.FormValue("position")); pos != "" && c.FormValue("direction") == "" {
		n, perr := strconv.Atoi(pos)
		if perr != nil {
			err = invalidInput("position", "not_a_number")
		} else {
			err = models.MoveRequirementTo(ctx, h.DB, by, t.ID, rid, n, h.now())
		}
		if errs, ok := fieldErrors(c, err); ok {
			data, derr := h.tenderPageData(c, t, fiber.Map{"Level": models.LevelMandatory, "MoveID": rid, "MoveError": errs["position"], "MoveValue": pos})
			if derr != nil {
				return derr
			}
			return h.render(c, fiber.StatusUnprocessableEntity, "tenders/show", t.Title, data)
		}
	} else {
		var delta int
		switch c.FormValue("direction") {
		case "up":
			delta = -1
		case "down":
			delta = 1
		default:
			return refuse(fiber.StatusBadRequest, "request.bad_direction")
		}
		err = models.MoveRequirement(ctx, h.DB, by, t.ID, rid, delta, h.now())
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/tenders/%d?flash=moved#requirement-%d", t.ID, rid), fiber.StatusSeeOther)
}
