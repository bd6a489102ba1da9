package handlers

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// CreateTender creates a draft tender from the form and opens its sheet.
func (h *Handler) CreateTender(c *fiber.Ctx) error {
	form := fiber.Map{
		"TitleValue": c.FormValue("title"), "Reference": c.FormValue("reference"),
		"Description": c.FormValue("description"), "EstimatedValue": c.FormValue("estimated_value"),
		"Currency": strings.ToUpper(strings.TrimSpace(c.FormValue("currency"))), "ScopeTags": c.FormValue("scope_tags"), "BuyerOrgID": c.FormValue("buyer_org_id"),
		"Language": c.FormValue("language"),
	}
	deadlineFormOf(c).set(form)
	in, err := tenderInputFromForm(c)
	if err == nil {
		var t *models.Tender
		t, err = models.CreateTender(c.UserContext(), h.DB, currentUser(c), in, h.now())
		if err == nil {
			return c.Redirect("/tenders/"+strconv.FormatUint(uint64(t.ID), 10)+"?flash=created", fiber.StatusSeeOther)
		}
	}
	errs, ok := fieldErrors(c, err)
	if !ok {
		return err
	}
	data, derr := h.tenderFormData(c, form)
	if derr != nil {
		return derr
	}
	data["Errors"] = errs
	return h.render(c, fiber.StatusUnprocessableEntity, "tenders/new", "tender_form.title_new", data)
}

// tenderInputFromForm reads the tender form: the estimated value as the
// reader's language writes numbers, the deadline as a day, a time and a
// zone.
func tenderInputFromForm(c *fiber.Ctx) (models.TenderInput, error) {
	d := deadlineFormOf(c)
	in := models.TenderInput{
		Title: c.FormValue("title"), Reference: c.FormValue("reference"),
		Description: c.FormValue("description"), Currency: c.FormValue("currency"),
		ScopeTags:    models.ParseScopeTags(c.FormValue("scope_tags")),
		DeadlineDate: d.Date, DeadlineTime: d.Time, DeadlineZone: d.Zone, Language: c.FormValue("language"),
	}
	var err error
	if in.EstimatedValueCents, err = parseMoney(localeOf(c).Lang, c.FormValue("estimated_value")); err != nil {
		return in, err
	}
	if in.BuyerOrgID, err = formUint(c, "buyer_org_id"); err != nil {
		return in, err
	}
	return in, nil
}
