package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// profileOf returns the profile the form or query names, or nil.
func (h *Handler) profileOf(slug string) *models.Profile {
	for i := range h.Profiles {
		if h.Profiles[i].Slug == slug {
			return &h.Profiles[i]
		}
	}
	return nil
}

// localProfile is p with its name and description in lang, from the
// messages profile.name.<slug> and profile.description.<slug>; a profile
// the catalogue has no words for keeps its own.
func localProfile(lang string, p models.Profile) models.Profile {
	if k := "profile.name." + p.Slug; hasMessage(k) {
		p.Name = messageIn(lang, k, nil)
	}
	if k := "profile.description." + p.Slug; hasMessage(k) {
		p.Description = messageIn(lang, k, nil)
	}
	return p
}

// unknownProfile shows the tender page with the profile field's error.
func (h *Handler) unknownProfile(c *fiber.Ctx, t *models.Tender) error {
	data, err := h.tenderPageData(c, t, fiber.Map{"Errors": formError(c, "profile", "profile.unknown"), "Level": models.LevelMandatory})
	if err != nil {
		return err
	}
	return h.render(c, fiber.StatusUnprocessableEntity, "tenders/show", t.Title, data)
}

// PreviewProfile shows what applying a profile would add to a draft
// tender's sheet, changing nothing, with the button that applies it.
func (h *Handler) PreviewProfile(c *fiber.Ctx) error {
	t, err := h.tenderToManage(c)
	if err != nil {
		return err
	}
	profile := h.profileOf(c.Query("profile"))
	if profile == nil {
		return h.unknownProfile(c, t)
	}
	items, err := models.PreviewProfile(c.UserContext(), h.DB, currentUser(c), t.ID, *profile)
	if err != nil {
		return err
	}
	shown := localProfile(localeOf(c).Lang, *profile)
	return h.render(c, fiber.StatusOK, "tenders/profile", shown.Name+" · "+t.Title, fiber.Map{
		"Tender": t, "Profile": &shown, "Items": items, "Skipped": len(profile.Items) - len(items),
	})
}

// ApplyProfile adds a preset set of requirements to a draft tender.
func (h *Handler) ApplyProfile(c *fiber.Ctx) error {
	t, err := h.tenderToManage(c)
	if err != nil {
		return err
	}
	profile := h.profileOf(c.FormValue("profile"))
	if profile == nil {
		return h.unknownProfile(c, t)
	}
	if _, err := models.ApplyProfile(c.UserContext(), h.DB, currentUser(c), t.ID, *profile, h.now()); err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/tenders/%d?flash=profile#sheet", t.ID), fiber.StatusSeeOther)
}
