package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// NewTender shows the form for a new tender.
func (h *Handler) NewTender(c *fiber.Ctx) error {
	data, err := h.tenderFormData(c, fiber.Map{"Currency": "EUR"})
	if err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, "tenders/new", "New tender", data)
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
	return data, nil
}
