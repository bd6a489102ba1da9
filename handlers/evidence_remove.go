package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// RemoveEvidence deletes one piece of evidence from a draft answer.
func (h *Handler) RemoveEvidence(c *fiber.Ctx) error {
	a, err := h.attestationFor(c)
	if err != nil {
		return err
	}
	eid, err := paramID(c, "evidence_id")
	if err != nil {
		return err
	}
	if err := models.RemoveEvidence(c.UserContext(), h.DB, currentUser(c), a.ID, eid, h.now()); err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/attestations/%d?flash=removed", a.ID), fiber.StatusSeeOther)
}
