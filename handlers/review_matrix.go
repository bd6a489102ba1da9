package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ShowReviewMatrix shows every vendor of a tender side by side: one row
// per requirement, one column per vendor, each cell the answer's status
// and review state.
func (h *Handler) ShowReviewMatrix(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	m, err := models.BuildReviewMatrix(c.UserContext(), h.DB, currentUser(c), id)
	if err != nil {
		return err
	}
	data := fiber.Map{"Matrix": m, "StatusTexts": statusTexts, "CanInvite": m.Tender.ManageableBy(currentUser(c)) == nil}
	if err := h.addMatrixVerdicts(c, m.Tender.ID, data); err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, "review/matrix", "Review · "+m.Tender.Title, data)
}

// APIReviewMatrix is GET /api/v1/tenders/{id}/matrix.
func (h *Handler) APIReviewMatrix(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	m, err := models.BuildReviewMatrix(c.UserContext(), h.DB, currentUser(c), id)
	if err != nil {
		return err
	}
	type cell struct {
		AttestationID uint   `json:"attestation_id"`
		Status        string `json:"status"`
		ReviewStatus  string `json:"review_status"`
		NeedsAccept   bool   `json:"needs_acceptance"`
	}
	type row struct {
		RequirementID uint   `json:"requirement_id"`
		Standard      string `json:"standard"`
		Level         string `json:"level"`
		Cells         []cell `json:"cells"`
	}
	vendors := make([]attestationJSON, len(m.Attestations))
	for i := range m.Attestations {
		vendors[i] = attestationOf(&m.Attestations[i], false)
	}
	rows := make([]row, len(m.Rows))
	for i, r := range m.Rows {
		rows[i] = row{RequirementID: r.Requirement.ID, Level: r.Requirement.Level, Cells: make([]cell, len(r.Cells))}
		if r.Requirement.Standard != nil {
			rows[i].Standard = r.Requirement.Standard.Slug
		}
		for j, c := range r.Cells {
			rows[i].Cells[j] = cell{c.AttestationID, c.Status, c.ReviewStatus, c.NeedsAccept}
		}
	}
	return c.JSON(fiber.Map{"tender_id": m.Tender.ID, "attestations": vendors, "rows": rows})
}
