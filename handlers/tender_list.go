package handlers

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ListTenders shows a page of the tenders the user may see, searched,
// filtered by status and sorted as the query asks; open tenders first.
func (h *Handler) ListTenders(c *fiber.Ctx) error {
	page, err := queryCount(c, "page")
	if err != nil {
		return err
	}
	q := models.TenderQuery{Search: c.Query("q"), Status: c.Query("status"), Sort: c.Query("sort"), Page: page}
	data := fiber.Map{"Query": q, "Statuses": models.TenderStatuses, "Sorts": models.TenderSorts}
	list, err := models.FindTenders(c.UserContext(), h.DB, currentUser(c), q, h.now())
	if errs, ok := fieldErrors(c, err); ok {
		data["Errors"] = errs
		return h.render(c, fiber.StatusBadRequest, "tenders/list", "title.tenders", data)
	}
	if err != nil {
		return err
	}
	data["Query"], data["Tenders"], data["Paging"] = list.Query, list.Tenders, list.Paging
	data["PageURL"] = pageURL("/tenders", url.Values{"q": {q.Search}, "status": {q.Status}, "sort": {list.Query.Sort}})
	return h.render(c, fiber.StatusOK, "tenders/list", "title.tenders", data)
}
