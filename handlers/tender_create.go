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
	t, err := models.CreateTender(c.UserContext(), h.DB, currentUser(c), tenderInputFromForm(c), h.now())
	if err == nil {
		return c.Redirect("/tenders/"+strconv.FormatUint(uint64(t.ID), 10)+"?flash=created", fiber.StatusSeeOther)
	}
	errs, ok := fieldErrors(c, err)
	if !ok {
		return err
	}
	data, derr := h.tenderFormData(c, form)
	if derr != nil {
		return derr
	}
	setFormErrors(c, data, errs, tenderFormFields)
	return h.render(c, fiber.StatusUnprocessableEntity, "tenders/new", "tender_form.title_new", data)
}

// tenderFormFields are the tender form's fields in the order it shows
// them (templates/partials/tender_fields.html), for its error summary.
var tenderFormFields = []formField{
	{Name: "buyer_org_id"}, {Name: "title"}, {Name: "reference"}, {Name: "language"}, {Name: "description"},
	{Name: "estimated_value"}, {Name: "currency"}, {Name: "deadline"}, {Name: "deadline_time"}, {Name: "deadline_zone"},
	{Name: "scope_tags"},
}

// tenderInputFromForm reads the tender form: the estimated value as the
// reader's language writes numbers, the deadline as a day, a time and a
// zone. What cannot be read goes to the models as Unreadable, which
// report it with the other fields' problems.
func tenderInputFromForm(c *fiber.Ctx) models.TenderInput {
	d := deadlineFormOf(c)
	in := models.TenderInput{
		Title: c.FormValue("title"), Reference: c.FormValue("reference"),
		Description: c.FormValue("description"), Currency: c.FormValue("currency"),
		ScopeTags:    models.ParseScopeTags(c.FormValue("scope_tags")),
		DeadlineDate: d.Date, DeadlineTime: d.Time, DeadlineZone: d.Zone, Language: c.FormValue("language"),
	}
	var valueErr, buyerErr error
	in.EstimatedValueCents, valueErr = parseMoney(localeOf(c).Lang, c.FormValue("estimated_value"))
	in.BuyerOrgID, buyerErr = formUint(c, "buyer_org_id")
	in.Unreadable = models.JoinInvalid(buyerErr, valueErr)
	return in
}
