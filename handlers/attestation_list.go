package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ListAttestations shows the attestations the user may see: a vendor its
// own org's, an officer those on the buyer's tenders, auditors and admins all.
func (h *Handler) ListAttestations(c *fiber.Ctx) error {
	list, err := models.ListAttestations(c.UserContext(), h.DB, currentUser(c), models.AttestationFilter{})
	if err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, "attestations/list", "Attestations", fiber.Map{"Attestations": list, "Now": h.now(), "Flash": attestFlash(c)})
}

// APIListAttestations is GET /api/v1/attestations.
func (h *Handler) APIListAttestations(c *fiber.Ctx) error {
	tenderID, err := queryID(c, "tender_id")
	if err != nil {
		return err
	}
	f := models.AttestationFilter{TenderID: tenderID, Status: c.Query("status")}
	list, err := models.ListAttestations(c.UserContext(), h.DB, currentUser(c), f)
	if err != nil {
		return err
	}
	out := make([]attestationJSON, len(list))
	for i := range list {
		out[i] = attestationOf(&list[i], false)
	}
	return c.JSON(fiber.Map{"attestations": out})
}
