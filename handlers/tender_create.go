package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// CreateTender creates a draft tender from the form and opens its sheet.
func (h *Handler) CreateTender(c *fiber.Ctx) error {
	form := fiber.Map{
		"TitleValue": c.FormValue("title"), "Reference": c.FormValue("reference"),
		"Description": c.FormValue("description"), "EstimatedValue": c.FormValue("estimated_value"),
		"Currency": c.FormValue("currency"), "Deadline": c.FormValue("deadline"),
		"ScopeTags": c.FormValue("scope_tags"), "BuyerOrgID": c.FormValue("buyer_org_id"),
	}
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
	return h.render(c, fiber.StatusUnprocessableEntity, "tenders/new", "New tender", data)
}

func tenderInputFromForm(c *fiber.Ctx) (models.TenderInput, error) {
	in := models.TenderInput{
		Title: c.FormValue("title"), Reference: c.FormValue("reference"),
		Description: c.FormValue("description"), Currency: c.FormValue("currency"),
		ScopeTags: models.ParseScopeTags(c.FormValue("scope_tags")),
	}
	var err error
	if in.EstimatedValueCents, err = parseMoney(c.FormValue("estimated_value")); err != nil {
		return in, err
	}
	if in.Deadline, err = parseDeadline(c.FormValue("deadline")); err != nil {
		return in, err
	}
	if in.BuyerOrgID, err = formUint(c, "buyer_org_id"); err != nil {
		return in, err
	}
	return in, nil
}
