package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// AddRequirement puts a catalogue standard on a draft tender's sheet with a
// level, an optional custom clause and a note, internal or public.
func (h *Handler) AddRequirement(c *fiber.Ctx) error {
	t, err := h.tenderToManage(c)
	if err != nil {
		return err
	}
	in, err := requirementInputFromForm(c)
	var r *models.Requirement
	if err == nil {
		r, err = models.AddRequirement(c.UserContext(), h.DB, currentUser(c), t.ID, in, h.now())
	}
	if errs, ok := fieldErrors(c, err); ok {
		data, derr := h.tenderPageData(c, t, fiber.Map{
			"Errors": errs, "StandardValue": in.Standard, "Level": in.Level, "CustomClause": in.CustomClause,
			"Note": in.Note, "NoteVisibility": c.FormValue("note_visibility"),
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

// requirementInputFromForm reads a requirement form: standard, level,
// custom_clause, note and note_visibility ("internal", the default, or
// "public").
func requirementInputFromForm(c *fiber.Ctx) (models.RequirementInput, error) {
	in := models.RequirementInput{
		Standard: c.FormValue("standard"), Level: c.FormValue("level"),
		CustomClause: c.FormValue("custom_clause"), Note: c.FormValue("note"),
	}
	switch c.FormValue("note_visibility") {
	case "", "internal":
	case "public":
		in.NotePublic = true
	default:
		return in, invalidInput("note_visibility", "not_a_choice")
	}
	return in, nil
}

// AddRequirements puts several standards ticked in the catalogue list on a
// draft tender's sheet at one level, in one transaction.
func (h *Handler) AddRequirements(c *fiber.Ctx) error {
	t, err := h.tenderToManage(c)
	if err != nil {
		return err
	}
	var slugs []string
	for _, v := range c.Request().PostArgs().PeekMulti("standards") {
		slugs = append(slugs, string(v))
	}
	if form, ferr := c.MultipartForm(); ferr == nil {
		slugs = append(slugs, form.Value["standards"]...)
	}
	level := c.FormValue("level")
	added, err := models.AddRequirements(c.UserContext(), h.DB, currentUser(c), t.ID, slugs, level, h.now())
	if errs, ok := fieldErrors(c, err); ok {
		if msg, ok := errs["standard"]; ok {
			errs = map[string]string{"standards": msg}
		}
		if msg, ok := errs["level"]; ok {
			errs = map[string]string{"batch_level": msg}
		}
		data, derr := h.tenderPageData(c, t, fiber.Map{"Errors": errs, "Level": models.LevelMandatory, "BatchLevel": level, "Ticked": tickedSet(slugs)})
		if derr != nil {
			return derr
		}
		return h.render(c, fiber.StatusUnprocessableEntity, "tenders/show", t.Title, data)
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/tenders/%d?flash=added_several#requirement-%d", t.ID, added[0].ID), fiber.StatusSeeOther)
}

func tickedSet(slugs []string) map[string]bool {
	m := make(map[string]bool, len(slugs))
	for _, s := range slugs {
		m[s] = true
	}
	return m
}
