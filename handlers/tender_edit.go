package handlers

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// EditTender shows the details form of a draft tender, filled in: the
// value as the reader's language writes numbers, the deadline as the clock
// in the tender's zone shows it.
func (h *Handler) EditTender(c *fiber.Ctx) error {
	t, err := h.tenderToManage(c)
	if err != nil {
		return err
	}
	if err := t.EditableBy(currentUser(c)); err != nil {
		return err
	}
	form := fiber.Map{
		"TenderID": t.ID, "TitleValue": t.Title, "Reference": t.Reference, "Description": t.Description,
		"Currency": t.Currency, "ScopeTags": strings.Join(t.ScopeTags, ", "), "Language": t.Language,
		"EstimatedValue": formatMoney(localeOf(c).Lang, t.EstimatedValueCents),
	}
	deadlineFormFor(t).set(form)
	tenderFormChoices(c, form)
	return h.render(c, fiber.StatusOK, "tenders/edit", tr(c, "tender_form.title_edit", map[string]any{"title": t.Title}), form)
}

// UpdateTender saves the details form of a draft tender; the buyer never
// changes and a published tender is refused (409).
func (h *Handler) UpdateTender(c *fiber.Ctx) error {
	t, err := h.tenderToManage(c)
	if err != nil {
		return err
	}
	_, err = models.UpdateTender(c.UserContext(), h.DB, currentUser(c), t.ID, tenderInputFromForm(c), h.now())
	if err == nil {
		return c.Redirect(fmt.Sprintf("/tenders/%d?flash=saved", t.ID), fiber.StatusSeeOther)
	}
	errs, ok := fieldErrors(c, err)
	if !ok {
		return err
	}
	form := fiber.Map{
		"TenderID": t.ID, "TitleValue": c.FormValue("title"), "Reference": c.FormValue("reference"),
		"Description": c.FormValue("description"), "EstimatedValue": c.FormValue("estimated_value"),
		"Currency": strings.ToUpper(strings.TrimSpace(c.FormValue("currency"))), "ScopeTags": c.FormValue("scope_tags"), "Language": c.FormValue("language"),
	}
	setFormErrors(c, form, errs, tenderFormFields)
	deadlineFormOf(c).set(form)
	tenderFormChoices(c, form)
	return h.render(c, fiber.StatusUnprocessableEntity, "tenders/edit", tr(c, "tender_form.title_edit", map[string]any{"title": t.Title}), form)
}
