package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/docanalysis"
	"tenderprobe/models"
)

// apiTenderDocument is the API's answer about an analysed document: the
// analysis with the id it is stored under.
type apiTenderDocument struct {
	ID uint `json:"id"`
	*docanalysis.Result
}

// APIAnalyseTenderDocument is POST /api/v1/tender-documents: multipart
// field "file" (PDF, DOCX, ODT, HTML or text, at most 20 MB) with
// optional "profile" and "language". It answers 201 with the analysis.
func (h *Handler) APIAnalyseTenderDocument(c *fiber.Ctx) error {
	d, res, err := h.analyseUpload(c)
	if err != nil {
		return err
	}
	c.Location("/api/v1/tender-documents/" + strconv.FormatUint(uint64(d.ID), 10))
	return c.Status(fiber.StatusCreated).JSON(apiTenderDocument{ID: d.ID, Result: res})
}

// APIShowTenderDocument is GET /api/v1/tender-documents/{id}: the stored
// analysis, for the organisation that made it (404 for others).
func (h *Handler) APIShowTenderDocument(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	d, err := models.FindTenderDocument(c.UserContext(), h.DB, currentUser(c), id)
	if err != nil {
		return err
	}
	res, err := documentResult(d)
	if err != nil {
		return err
	}
	return c.JSON(apiTenderDocument{ID: d.ID, Result: res})
}
