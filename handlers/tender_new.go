package handlers

import (
	"slices"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/i18n"
	"tenderprobe/models"
)

// NewTender shows the form for a new tender: in EUR, in the reader's
// language, with a deadline at the end of a day in the buyer's zone.
func (h *Handler) NewTender(c *fiber.Ctx) error {
	data := fiber.Map{"Currency": "EUR", "Language": localeOf(c).Lang}
	d := deadlineForm{Time: models.DefaultDeadlineTime}
	if u := currentUser(c); u.Org != nil {
		d.Zone = u.Org.TimeZone
	}
	d.set(data)
	data, err := h.tenderFormData(c, data)
	if err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, "tenders/new", "tender_form.title_new", data)
}

// tenderFormData adds the buyer organisations an admin without an org must
// choose from.
func (h *Handler) tenderFormData(c *fiber.Ctx, data fiber.Map) (fiber.Map, error) {
	if u := currentUser(c); u.OrgID == nil {
		orgs, err := models.ListOrgs(c.UserContext(), h.DB, models.OrgBuyer)
		if err != nil {
			return nil, err
		}
		// ChooseBuyer, not the list, shows the field: with no buyer yet
		// the page says so instead of hiding the field and its error.
		data["BuyerOrgs"], data["ChooseBuyer"] = orgs, true
	}
	tenderFormChoices(c, data)
	return data, nil
}

// tenderFormChoices adds what the tender form's selects and hints offer
// besides the zones (deadlineForm.set): the ISO 4217 currencies and an
// amount written in the reader's language.
func tenderFormChoices(c *fiber.Ctx, data fiber.Map) {
	currencies := i18n.Currencies()
	slices.Sort(currencies)
	data["Currencies"] = currencies
	data["ValueExample"] = i18n.FormatNumber(localeOf(c).Lang, exampleAmount)
}
