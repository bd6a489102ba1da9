package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ApplyProfile adds a preset set of requirements to a draft tender.
func (h *Handler) ApplyProfile(c *fiber.Ctx) error {
	t, err := h.tenderToManage(c)
	if err != nil {
		return err
	}
	slug := c.FormValue("profile")
	var profile *models.Profile
	for i := range h.Profiles {
		if h.Profiles[i].Slug == slug {
			profile = &h.Profiles[i]
		}
	}
	if profile == nil {
		data, err := h.tenderPageData(c, t, fiber.Map{"Errors": formError("profile", "profile.unknown"), "Level": models.LevelMandatory})
		if err != nil {
			return err
		}
		return h.render(c, fiber.StatusUnprocessableEntity, "tenders/show", t.Title, data)
	}
	if _, err := models.ApplyProfile(c.UserContext(), h.DB, t.ID, *profile); err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/tenders/%d?flash=profile#sheet", t.ID), fiber.StatusSeeOther)
}
