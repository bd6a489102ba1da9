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
func (h *Handler) ListCatalogue(c *fiber.Ctx) error {
	if domain := c.Query("domain"); c.Query("q") == "" && (domain == "" || slices.Contains(models.Domains, domain)) {
		return h.cachedPage(c, "catalogue/list", func() (string, fiber.Map, error) {
			data, err := h.catalogueList(c)
			return "title.catalogue", data, err
		})
	}
	ctx := c.UserContext()
	filter := models.StandardFilter{Query: c.Query("q"), Domain: c.Query("domain"), Lang: localeOf(c).Lang}
	data := fiber.Map{"Query": filter.Query, "Domain": filter.Domain}

	cv, err := models.CurrentCatalogue(ctx, h.DB)
	if errors.Is(err, models.ErrNotFound) {
		return h.render(c, fiber.StatusOK, "catalogue/list", "title.catalogue", data)
	}
	if err != nil {
		return err
	}
	data["Version"] = cv
	filter.Catalogue = cv
	standards, err := models.ListStandards(ctx, h.DB, filter)
	if errs, ok := fieldErrors(c, err); ok {
		data["Errors"] = errs
		return h.render(c, fiber.StatusUnprocessableEntity, "catalogue/list", "title.catalogue", data)
	}
	if err != nil {
		return err
	}
	data["Standards"] = standards
	return h.render(c, fiber.StatusOK, "catalogue/list", "title.catalogue", data)
}

// catalogueList is the data of the catalogue's list without a search term.
func (h *Handler) catalogueList(c *fiber.Ctx) (fiber.Map, error) {
	ctx := c.UserContext()
	domain := c.Query("domain")
	data := fiber.Map{"Query": "", "Domain": domain}
	cv, err := models.CurrentCatalogue(ctx, h.DB)
	if errors.Is(err, models.ErrNotFound) {
		return data, nil
	}
	if err != nil {
		return nil, err
	}
	data["Version"] = cv
	standards, err := models.ListStandards(ctx, h.DB, models.StandardFilter{Domain: domain, Lang: localeOf(c).Lang, Catalogue: cv})
	if err != nil {
		return nil, err
	}
	data["Standards"] = standards
	return data, nil
}
