package handlers

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/catalogue"
	"tenderprobe/models"
)

// ShowCatalogueImport shows the upload form for a new catalogue version.
func (h *Handler) ShowCatalogueImport(c *fiber.Ctx) error {
	versions, err := models.ListCatalogueVersions(c.UserContext(), h.DB)
	if err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, "catalogue/import", "title.catalogue_import", fiber.Map{"Versions": versions})
}

// ImportCatalogue stores an uploaded YAML or JSON catalogue as the new
// current version; an invalid file is refused with its problems listed by
// line and field.
func (h *Handler) ImportCatalogue(c *fiber.Ctx) error {
	ctx := c.UserContext()
	problems, status, err := h.importUpload(c)
	if err != nil {
		return err
	}
	if status == fiber.StatusCreated {
		return c.Redirect("/catalogue?flash=imported", fiber.StatusSeeOther)
	}
	versions, err := models.ListCatalogueVersions(ctx, h.DB)
	if err != nil {
		return err
	}
	return h.render(c, status, "catalogue/import", "title.catalogue_import", fiber.Map{
		"Versions": versions, "Problems": problems, "Errors": formError(c, "file", "catalogue.not_imported"),
	})
}

// importUpload reads the "file" upload and imports it, returning the
// problems to show and the status to answer with.
func (h *Handler) importUpload(c *fiber.Ctx) ([]catalogue.Problem, int, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return []catalogue.Problem{{Field: "file", Message: tr(c, "catalogue.no_file", nil)}}, fiber.StatusUnprocessableEntity, nil
	}
	f, err := fh.Open()
	if err != nil {
		return nil, 0, fmt.Errorf("handlers: open upload: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, catalogue.MaxFileSize+1))
	if err != nil {
		return nil, 0, fmt.Errorf("handlers: read upload: %w", err)
	}
	_, err = catalogue.ImportAs(c.UserContext(), h.DB, currentUser(c), bytes.NewReader(data), catalogue.DetectFormat(fh.Filename, data), h.now())
	var invalid *catalogue.InvalidFileError
	switch {
	case err == nil:
		h.Log.Info("catalogue imported", "by", currentUser(c).ID, "file", fh.Filename)
		return nil, fiber.StatusCreated, nil
	case errors.As(err, &invalid):
		return CatalogueProblems(localeOf(c).Lang, invalid.Problems), fiber.StatusUnprocessableEntity, nil
	case errors.Is(err, models.ErrConflict):
		return []catalogue.Problem{{Field: "version", Message: problemOf(err).text(localeOf(c).Lang)}}, fiber.StatusConflict, nil
	}
	if errs, ok := fieldErrors(c, err); ok {
		var ps []catalogue.Problem
		for f, m := range errs {
			ps = append(ps, catalogue.Problem{Field: f, Message: m})
		}
		return ps, fiber.StatusUnprocessableEntity, nil
	}
	return nil, 0, err
}
