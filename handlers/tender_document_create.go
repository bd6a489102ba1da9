package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v2"
)

// AnalyseTenderDocument analyses the uploaded document and shows its
// report; a file it cannot read is refused next to the file field, with
// nothing stored.
func (h *Handler) AnalyseTenderDocument(c *fiber.Ctx) error {
	d, _, err := h.analyseUpload(c)
	if errs, ok := fieldErrors(c, err); ok {
		return h.renderDocuments(c, problemOf(err).Status, fiber.Map{"Errors": errs})
	}
	if err != nil {
		return err
	}
	return c.Redirect("/tender-documents/"+strconv.FormatUint(uint64(d.ID), 10)+"?flash=docanalysis_done", fiber.StatusSeeOther)
}
