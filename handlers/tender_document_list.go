package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/docanalysis"
	"tenderprobe/models"
)

// documentListLimit is how many earlier analyses the page lists.
const documentListLimit = 100

// renderDocuments shows the upload form and the organisation's earlier
// analyses.
func (h *Handler) renderDocuments(c *fiber.Ctx, status int, data fiber.Map) error {
	docs, err := models.ListTenderDocuments(c.UserContext(), h.DB, currentUser(c), documentListLimit)
	if err != nil {
		return err
	}
	if data == nil {
		data = fiber.Map{}
	}
	var choices []profileChoice
	for _, p := range h.Profiles {
		choices = append(choices, profileChoice{Slug: p.Slug, Name: profileName(c, p)})
	}
	data["Documents"] = docs
	data["Profiles"] = choices
	data["Languages"] = docanalysis.Languages
	data["MaxMB"] = docanalysis.MaxFileSize >> 20
	return h.render(c, status, "tender_documents/index", "title.docanalysis_list", data)
}

// ListTenderDocuments is the page where an officer uploads a tender
// document and finds the earlier analyses of the organisation.
func (h *Handler) ListTenderDocuments(c *fiber.Ctx) error {
	if !currentUser(c).MayAnalyseDocuments() {
		return models.ErrForbidden
	}
	return h.renderDocuments(c, fiber.StatusOK, nil)
}
