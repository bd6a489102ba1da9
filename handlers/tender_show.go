package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ShowTender shows a tender with its requirement sheet and, for an officer
// of the buyer while it is a draft, the sheet editor.
func (h *Handler) ShowTender(c *fiber.Ctx) error {
	return h.cachedPage(c, "tenders/show", func() (string, fiber.Map, error) {
		t, err := h.tenderFor(c)
		if err != nil {
			return "", nil, err
		}
		data, err := h.tenderPageData(c, t, fiber.Map{"Level": models.LevelMandatory})
		return t.Title, data, err
	})
}

// tenderPageData gathers what the tender page shows besides the tender: its
// revisions and, when the sheet can be edited, the standards and profiles
// that can still be added.
func (h *Handler) tenderPageData(c *fiber.Ctx, t *models.Tender, data fiber.Map) (fiber.Map, error) {
	ctx := c.UserContext()
	u := currentUser(c)
	canEdit := t.EditableBy(u) == nil
	data["Tender"] = t
	data["CanEdit"] = canEdit
	// The sheet editor compares these with each requirement, so they
	// exist even when no form of one is being shown again.
	for k, v := range map[string]any{"EditID": uint(0), "MoveID": uint(0), "EditErrors": map[string]string{}, "Ticked": map[string]bool{}} {
		if _, ok := data[k]; !ok {
			data[k] = v
		}
	}
	data["CanInvite"] = t.ManageableBy(u) == nil
	revisions, err := models.ListRevisions(ctx, h.DB, t.ID)
	if err != nil {
		return nil, err
	}
	data["Revisions"] = revisions
	data["CanAmend"] = t.AmendableBy(u) == nil && len(revisions) > 0 && revisions[len(revisions)-1].ID == t.ID
	if !canEdit {
		return data, nil
	}
	standards, err := models.ListStandards(ctx, h.DB, models.StandardFilter{Version: t.CatalogueVersion.Version})
	if err != nil {
		return nil, err
	}
	onSheet := make(map[uint]bool, len(t.Requirements))
	for _, r := range t.Requirements {
		onSheet[r.StandardID] = true
	}
	var available []models.Standard
	for _, s := range standards {
		if !onSheet[s.ID] {
			available = append(available, s)
		}
	}
	data["Available"] = available
	// The publish form says beforehand what would stop it, not only after
	// the officer pressed it.
	if err := t.Publishable(h.now()); err != nil {
		data["PublishBlocked"] = problemOf(err).fieldText(localeOf(c).Lang)
	}
	profiles := make([]models.Profile, len(h.Profiles))
	for i, p := range h.Profiles {
		profiles[i] = localProfile(localeOf(c).Lang, p)
	}
	data["Profiles"] = profiles
	return data, nil
}
