package handlers

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ListAttestations shows a page of the attestations the user may see (a
// vendor its own org's, an officer those on the buyer's tenders, auditors
// and admins all), searched, filtered and sorted as the query asks.
func (h *Handler) ListAttestations(c *fiber.Ctx) error {
	page, err := queryCount(c, "page")
	if err != nil {
		return err
	}
	q := models.AttestationQuery{Search: c.Query("q"), Status: c.Query("status"), Sort: c.Query("sort"), Page: page}
	data := fiber.Map{"Query": q, "Statuses": models.AttestationStatuses, "Now": h.now(), "Flash": attestFlash(c)}
	list, err := models.FindAttestations(c.UserContext(), h.DB, currentUser(c), q, h.now())
	if errs, ok := fieldErrors(c, err); ok {
		data["Errors"] = errs
		return h.render(c, fiber.StatusBadRequest, "attestations/list", "title.attestations", data)
	}
	if err != nil {
		return err
	}
	data["Query"], data["Attestations"], data["Paging"] = list.Query, list.Attestations, list.Paging
	data["PageURL"] = pageURL("/attestations", url.Values{"q": {q.Search}, "status": {q.Status}, "sort": {list.Query.Sort}})
	return h.render(c, fiber.StatusOK, "attestations/list", "title.attestations", data)
}

// APIListAttestations is GET /api/v1/attestations.
func (h *Handler) APIListAttestations(c *fiber.Ctx) error {
	tenderID, err := queryID(c, "tender_id")
	if err != nil {
		return err
	}
	f := models.AttestationFilter{TenderID: tenderID, Status: c.Query("status")}
	list, err := models.ListAttestations(c.UserContext(), h.DB, currentUser(c), f)
	if err != nil {
		return err
	}
	out := make([]attestationJSON, len(list))
	for i := range list {
		out[i] = attestationOf(&list[i], false)
	}
	return c.JSON(fiber.Map{"attestations": out})
}
