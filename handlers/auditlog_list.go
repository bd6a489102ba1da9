package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

func auditFilter(c *fiber.Ctx) models.AuditFilter {
	num := func(k string) int {
		n, _ := strconv.Atoi(c.Query(k))
		return max(n, 0)
	}
	return models.AuditFilter{AttestationID: uint(num("attestation_id")), TenderID: uint(num("tender_id")),
		Action: c.Query("action"), Limit: num("limit"), Offset: num("offset")}
}

// ListAuditLog shows the audit log to admins and auditors, newest first.
// There is deliberately no route that edits or deletes an entry.
func (h *Handler) ListAuditLog(c *fiber.Ctx) error {
	f := auditFilter(c)
	entries, err := models.ListAudit(c.UserContext(), h.DB, currentUser(c), f)
	if err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, "audit/list", "Audit log", fiber.Map{"Entries": entries, "Filter": f})
}

// APIListAuditLog is GET /api/v1/audit.
func (h *Handler) APIListAuditLog(c *fiber.Ctx) error {
	entries, err := models.ListAudit(c.UserContext(), h.DB, currentUser(c), auditFilter(c))
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []models.AuditEntry{}
	}
	return c.JSON(fiber.Map{"entries": entries})
}
