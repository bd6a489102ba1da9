package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ShowTenderAttestation sends a vendor from a tender's page to their own
// supplier's attestation of it ("Answer this tender"); 404 when the
// tender is hidden from them or their supplier was not invited to it.
func (h *Handler) ShowTenderAttestation(c *fiber.Ctx) error {
	t, err := h.tenderFor(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	if u.OrgID == nil {
		return models.ErrNotFound
	}
	a, err := models.FindAttestationByTender(c.UserContext(), h.DB, t.ID, *u.OrgID)
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/attestations/%d", a.ID), fiber.StatusSeeOther)
}
