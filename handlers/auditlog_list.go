package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// auditFilter parses the audit log's query; a malformed number is a 400.
func auditFilter(c *fiber.Ctx) (models.AuditFilter, error) {
	f := models.AuditFilter{Action: c.Query("action")}
	var err error
	if f.AttestationID, err = queryID(c, "attestation_id"); err != nil {
		return f, err
	}
	if f.TenderID, err = queryID(c, "tender_id"); err != nil {
		return f, err
	}
	if f.Limit, err = queryCount(c, "limit"); err != nil {
		return f, err
	}
	f.Offset, err = queryCount(c, "offset")
	return f, err
}

// ListAuditLog shows the audit log to admins and auditors, newest first.
// There is deliberately no route that edits or deletes an entry.
func (h *Handler) ListAuditLog(c *fiber.Ctx) error {
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	entries, err := models.ListAudit(c.UserContext(), h.DB, currentUser(c), f)
	if err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, "audit/list", "Audit log", fiber.Map{"Entries": entries, "Filter": f})
}

// APIListAuditLog is GET /api/v1/audit.
func (h *Handler) APIListAuditLog(c *fiber.Ctx) error {
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	entries, err := models.ListAudit(c.UserContext(), h.DB, currentUser(c), f)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []models.AuditEntry{}
	}
	return c.JSON(fiber.Map{"entries": entries})
}
