package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// attestationFor loads the attestation named by :id if the current user
// may see it; otherwise 404, so that existence does not leak.
func (h *Handler) attestationFor(c *fiber.Ctx) (*models.Attestation, error) {
	id, err := paramID(c, "id")
	if err != nil {
		return nil, err
	}
	return models.FindAttestationFor(c.UserContext(), h.DB, currentUser(c), id)
}

// answerTarget loads the attestation of the URL (if the user may see it)
// and parses the requirement whose answer the request is about.
func (h *Handler) answerTarget(c *fiber.Ctx) (*models.Attestation, uint, error) {
	a, err := h.attestationFor(c)
	if err != nil {
		return nil, 0, err
	}
	rid, err := paramID(c, "requirement_id")
	if err != nil {
		return nil, 0, err
	}
	return a, rid, nil
}
