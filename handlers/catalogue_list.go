package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ListCatalogue shows the current catalogue, searchable and filterable by
// domain.
func (h *Handler) ListCatalogue(c *fiber.Ctx) error {
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
	if filter.Query == "" {
		// A catalogue version does not change but through its revision: the
		// list of every version, domain and reader kind is rendered once.
		data[ContentKey] = fmt.Sprintf("%s %s admin=%t", cv.Stamp(), filter.Domain, currentUser(c).Role == models.RoleAdmin)
	}
	return h.render(c, fiber.StatusOK, "catalogue/list", "title.catalogue", data)
}
