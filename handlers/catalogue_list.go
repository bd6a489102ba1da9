package handlers

import (
	"errors"
	"slices"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ListCatalogue shows the current catalogue, searchable and filterable by
// domain. The list without a search term is a cached page: it changes only
// with a new catalogue version, so a hit costs the session's query alone.
// A search (unbounded terms) renders each time.
func (h *Handler) ListCatalogue(c *fiber.Ctx) error {
	filter := models.StandardFilter{Query: c.Query("q"), Domain: c.Query("domain"), Lang: localeOf(c).Lang}
	if filter.Query == "" && (filter.Domain == "" || slices.Contains(models.Domains, filter.Domain)) {
		return h.cachedPage(c, "catalogue/list", func() (string, fiber.Map, error) {
			data, err := h.catalogueList(c, filter)
			return "title.catalogue", data, err
		})
	}
	data, err := h.catalogueList(c, filter)
	if errs, ok := fieldErrors(c, err); ok {
		data["Errors"] = errs
		return h.render(c, fiber.StatusUnprocessableEntity, "catalogue/list", "title.catalogue", data)
	}
	if err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, "catalogue/list", "title.catalogue", data)
}

// catalogueList is the data of the catalogue's list as filter asks: none
// but the filter's own words when there is no catalogue yet. On an error
// the data still holds the filter, for the form.
func (h *Handler) catalogueList(c *fiber.Ctx, filter models.StandardFilter) (fiber.Map, error) {
	ctx := c.UserContext()
	data := fiber.Map{"Query": filter.Query, "Domain": filter.Domain}
	cv, err := models.CurrentCatalogue(ctx, h.DB)
	if errors.Is(err, models.ErrNotFound) {
		return data, nil
	}
	if err != nil {
		return data, err
	}
	data["Version"] = cv
	filter.Catalogue = cv
	standards, err := models.ListStandards(ctx, h.DB, filter)
	if err != nil {
		return data, err
	}
	data["Standards"] = standards
	return data, nil
}
